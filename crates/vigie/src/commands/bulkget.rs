//! `vigie bulkget`: Net-SNMP's `snmpbulkget`.

use vigie_snmp::ErrorStatus;

use crate::commands;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Tool};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpbulkget",
    command: "bulkget",
    operands: "AGENT OID [OID]...",
    ordering: Ordering::Permute,
    app_help: "  -C APPOPTS\t\tSet various application specific behaviours:\n\t\t\t  n<NUM>:  set non-repeaters to <NUM>\n\t\t\t  r<NUM>:  set max-repeaters to <NUM>\n",
    default_port: 161,
};

/// GETBULK parameters, with Net-SNMP's defaults (`-Cn0 -Cr10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BulkParameters {
    /// non-repeaters.
    pub(crate) non_repeaters: u32,
    /// max-repetitions.
    pub(crate) max_repetitions: u32,
}

impl Default for BulkParameters {
    fn default() -> Self {
        Self {
            non_repeaters: 0,
            max_repetitions: 10,
        }
    }
}

impl BulkParameters {
    /// Applies `n<NUM>` or `r<NUM>` at the head of `letters`, returning the rest; other
    /// letters go to `other`.
    pub(crate) fn apply<'a>(&mut self, letters: &'a str) -> Result<&'a str, AppFlagError> {
        let mut chars = letters.chars();
        let Some(letter) = chars.next() else {
            return Ok(letters);
        };
        let target = match letter {
            'n' => &mut self.non_repeaters,
            'r' => &mut self.max_repetitions,
            other => return Err(AppFlagError::Unknown(other)),
        };
        let rest = chars.as_str();
        let (number, rest) = leading_c_integer(rest).ok_or(AppFlagError::Usage)?;
        // A negative count is sent as 0, which is what an agent makes of it (RFC 3416 §4.2.3).
        *target = u32::try_from(number.max(0)).unwrap_or(u32::MAX);
        Ok(rest.strip_prefix(' ').unwrap_or(rest))
    }

    /// Applies a whole `-C` argument of `n` and `r` letters.
    pub(crate) fn apply_all(&mut self, mut letters: &str) -> Result<(), AppFlagError> {
        while !letters.is_empty() {
            letters = self.apply(letters)?;
        }
        Ok(())
    }
}

/// Runs `vigie bulkget ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let mut bulk = BulkParameters::default();
    let mut app = |letters: &str, _: &mut dyn FnMut() -> Option<String>| bulk.apply_all(letters);
    let invocation = match snmpcmd::parse(&TOOL, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    // snmpbulkget checks this before it reads a single OID or opens the session.
    if invocation.rest().len() < usize::try_from(bulk.non_repeaters).unwrap_or(usize::MAX) {
        eprintln!("{}: need more objects than <nonrep>", TOOL.name);
        return Exit::Failure;
    }
    let parsed = match commands::parse_oids(invocation.rest()) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let mut report = Report::new(invocation.output.clone());
    let exit = commands::block_on(async {
        let client = match snmpcmd::open(&TOOL, &invocation, &mut report).await {
            Ok(client) => client,
            Err(exit) => return exit,
        };
        let oids = match commands::build_oids(&TOOL, &parsed) {
            Ok(oids) => oids,
            Err(exit) => return exit,
        };
        let pdu = match client
            .get_bulk(bulk.non_repeaters, bulk.max_repetitions, &oids)
            .await
        {
            Ok(pdu) => pdu,
            Err(error) => {
                commands::request_failed(&TOOL, invocation.agent(), &error, false, &mut report);
                return Exit::Failure;
            }
        };
        if pdu.error_status != ErrorStatus::NoError {
            report.error_status("Error in packet.", &pdu);
            return Exit::ErrorInPacket;
        }
        for varbind in &pdu.varbinds {
            report.varbind(varbind);
        }
        Exit::Success
    });
    report.finish();
    exit
}

/// `strtol(text, &end, 0)`: an optional sign, then hex (`0x`), octal (`0`) or decimal digits.
/// `None` when no digit was read.
fn leading_c_integer(text: &str) -> Option<(i64, &str)> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (radix, digits) =
        if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, hex)
        } else if body.starts_with('0') {
            (8, body)
        } else {
            (10, body)
        };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let (number, rest) = digits.split_at(end);
    let value = i64::from_str_radix(number, radix).unwrap_or(i64::MAX);
    Some((if negative { -value } else { value }, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_and_r_take_numbers() {
        let mut bulk = BulkParameters::default();
        bulk.apply_all("n1r3").unwrap();
        assert_eq!(
            bulk,
            BulkParameters {
                non_repeaters: 1,
                max_repetitions: 3
            }
        );
        bulk.apply_all("r0x10").unwrap();
        assert_eq!(bulk.max_repetitions, 16);
    }

    #[test]
    fn missing_number_is_a_usage_error_and_unknown_letters_are_named() {
        let mut bulk = BulkParameters::default();
        assert_eq!(bulk.apply_all("n"), Err(AppFlagError::Usage));
        assert_eq!(bulk.apply_all("x"), Err(AppFlagError::Unknown('x')));
    }
}
