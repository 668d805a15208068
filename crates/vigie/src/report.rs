//! Where a tool's results go: Net-SNMP's text on stdout and stderr, or one JSON document.
//!
//! Text mode writes each line as Net-SNMP does (results on stdout, errors on stderr, stdout
//! flushed before each stderr message so that a terminal shows them in order). JSON mode
//! collects the varbinds and the first error and prints one document when the tool ends; the
//! shape is in `snmpcmd`'s usage text.

use std::io::{self, BufWriter, Stdout, Write as _};

use vigie_snmp::{ErrorStatus, Pdu, VarBind};

use crate::json;
use crate::output::OutputOptions;

/// The sink of one tool run.
#[derive(Debug)]
pub(crate) struct Report {
    options: OutputOptions,
    stdout: BufWriter<Stdout>,
    json: Option<json::Document>,
}

impl Report {
    /// A report printing with `options`.
    pub(crate) fn new(options: OutputOptions) -> Self {
        let json = options.json.then(json::Document::default);
        Self {
            options,
            stdout: BufWriter::with_capacity(STDOUT_BUFFER, io::stdout()),
            json,
        }
    }

    /// One result varbind, on stdout.
    pub(crate) fn varbind(&mut self, varbind: &VarBind) {
        match &mut self.json {
            Some(document) => document.varbinds.push(json::varbind(varbind)),
            None => {
                let mut line = self.options.varbind(varbind);
                line.push('\n');
                let _ = self.stdout.write_all(line.as_bytes());
            }
        }
    }

    /// A line of text on stdout (`End of MIB`, `Variables found: 3`); JSON mode records
    /// `field` instead when given.
    pub(crate) fn line(&mut self, text: &str, field: Option<(&'static str, u64)>) {
        match &mut self.json {
            Some(document) => {
                if let Some((name, value)) = field {
                    document.fields.push((name, value));
                }
            }
            None => {
                let _ = writeln!(self.stdout, "{text}");
            }
        }
    }

    /// An error-status in a response, as the tools print it: `header` (`Error in packet` or
    /// `Error in packet.`), the reason, and the varbind at error-index when there is one.
    pub(crate) fn error_status(&mut self, header: &str, pdu: &Pdu) {
        let reason = reason(pdu.error_status);
        let failed = usize::try_from(pdu.error_index)
            .ok()
            .and_then(|index| index.checked_sub(1))
            .and_then(|index| pdu.varbinds.get(index));
        if let Some(document) = &mut self.json {
            document.set_error(json::error_status(pdu, reason, failed));
            return;
        }
        let mut text = format!("{header}\nReason: {reason}\n");
        if pdu.error_index != 0 {
            text.push_str("Failed object: ");
            // `fprint_objid` ends the OID with a newline of its own.
            if let Some(varbind) = failed {
                text.push_str(&self.options.oid(&varbind.name));
                text.push('\n');
            }
            text.push('\n');
        }
        self.stderr(&text);
    }

    /// An error that ends the tool (`Timeout: …`, `snmpget: Unknown host (…)`), on stderr or
    /// as the JSON error of `kind`.
    pub(crate) fn fatal(&mut self, kind: &'static str, message: &str) {
        match &mut self.json {
            Some(document) => document.set_error(json::error(kind, message)),
            None => self.stderr(&format!("{message}\n")),
        }
    }

    /// A walk's `Error: OID not increasing: A\n >= B\n`; `previous` is an OID's arcs or a
    /// root as typed (a single arc, named as a root: `joint-iso-ccitt`).
    pub(crate) fn not_increasing(&mut self, previous: &[u32], received: &vigie_snmp::Oid) {
        if let Some(document) = &mut self.json {
            document.set_error(json::not_increasing(previous, received));
            return;
        }
        let text = format!(
            "Error: OID not increasing: {}\n >= {}\n\n",
            self.options.arcs(previous),
            self.options.oid(received)
        );
        self.stderr(&text);
    }

    /// A message for the human only, on stderr in both modes (`truncating integer value > 32
    /// bits`, `Total traversal time = …`).
    pub(crate) fn warning(&mut self, text: &str) {
        self.stderr(&format!("{text}\n"));
    }

    /// Flushes stdout, printing the JSON document first in JSON mode.
    pub(crate) fn finish(mut self) {
        if let Some(document) = self.json.take() {
            let _ = writeln!(self.stdout, "{}", document.render());
        }
        let _ = self.stdout.flush();
    }

    fn stderr(&mut self, text: &str) {
        let _ = self.stdout.flush();
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// `snmp_errstring`'s text for an error-status, as Net-SNMP 5.9.3 prints it.
pub(crate) fn reason(status: ErrorStatus) -> &'static str {
    match status {
        ErrorStatus::NoError => "(noError) No Error",
        ErrorStatus::TooBig => "(tooBig) Response message would have been too large.",
        ErrorStatus::NoSuchName => "(noSuchName) There is no such variable name in this MIB.",
        ErrorStatus::BadValue => "(badValue) The value given has the wrong type or length.",
        ErrorStatus::ReadOnly => {
            "(readOnly) The two parties used do not have access to use the specified SNMP PDU."
        }
        // "occured" is Net-SNMP's spelling.
        ErrorStatus::GenErr => "(genError) A general failure occured",
        ErrorStatus::NoAccess => "noAccess",
        ErrorStatus::WrongType => {
            "wrongType (The set datatype does not match the data type the agent expects)"
        }
        ErrorStatus::WrongLength => {
            "wrongLength (The set value has an illegal length from what the agent expects)"
        }
        ErrorStatus::WrongEncoding => "wrongEncoding",
        ErrorStatus::WrongValue => {
            "wrongValue (The set value is illegal or unsupported in some way)"
        }
        ErrorStatus::NoCreation => {
            "noCreation (That table does not support row creation or that object can not ever be created)"
        }
        ErrorStatus::InconsistentValue => {
            "inconsistentValue (The set value is illegal or unsupported in some way)"
        }
        ErrorStatus::ResourceUnavailable => {
            "resourceUnavailable (This is likely a out-of-memory failure within the agent)"
        }
        ErrorStatus::CommitFailed => "commitFailed",
        ErrorStatus::UndoFailed => "undoFailed",
        ErrorStatus::AuthorizationError => "authorizationError (access denied to that object)",
        ErrorStatus::NotWritable => "notWritable (That object does not support modification)",
        ErrorStatus::InconsistentName => {
            "inconsistentName (That object can not currently be created)"
        }
    }
}

const STDOUT_BUFFER: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_net_snmp_text() {
        let texts: Vec<&str> = ErrorStatus::ALL.iter().map(|&s| reason(s)).collect();
        assert_eq!(
            texts[2],
            "(noSuchName) There is no such variable name in this MIB."
        );
        assert_eq!(texts[6], "noAccess");
        assert_eq!(
            texts[17],
            "notWritable (That object does not support modification)"
        );
        // Each v1 status (1–5) carries its name in parentheses; each v2 status starts with it.
        for status in ErrorStatus::ALL {
            let text = reason(status);
            let name = match status {
                ErrorStatus::GenErr => "genError",
                other => other.name(),
            };
            assert!(text.contains(name), "{text} lacks {name}");
        }
    }
}
