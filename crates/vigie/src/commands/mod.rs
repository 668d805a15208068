//! One module per subcommand; this module holds what they share.

pub(crate) mod admin;
pub(crate) mod agent;
pub(crate) mod bulkget;
pub(crate) mod bulkwalk;
pub(crate) mod get;
pub(crate) mod getnext;
pub(crate) mod inform;
pub(crate) mod log;
pub(crate) mod mib;
pub(crate) mod serve;
pub(crate) mod set;
pub(crate) mod smtp;
pub(crate) mod table;
pub(crate) mod token;
pub(crate) mod translate;
pub(crate) mod trap;
pub(crate) mod walk;

use std::future::Future;

use vigie_net::RequestError;
use vigie_snmp::Oid;

use crate::exit::Exit;
use crate::report::Report;
use crate::snmpcmd::Tool;
use crate::values::{self, OidTextError};

/// Runs a tool's async body on a single-threaded runtime: a tool talks to one agent, and a
/// current-thread runtime starts fastest.
pub(crate) fn block_on(body: impl Future<Output = Exit>) -> Exit {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(body),
        Err(error) => {
            eprintln!("vigie: cannot start the async runtime: {error}");
            Exit::Failure
        }
    }
}

/// Parses OID operands as `read_objid` does, printing `TEXT: Unknown Object Identifier (…)` for
/// each bad one; fails after all were tried, as the tools do.
pub(crate) fn parse_oids(texts: &[String]) -> Result<Vec<Vec<u32>>, Exit> {
    let mut failed = false;
    let mut parsed = Vec::with_capacity(texts.len());
    for text in texts {
        match values::parse_oid_arcs(text) {
            Ok(arcs) => parsed.push(arcs),
            Err(error) => {
                print_oid_error(text, &error);
                failed = true;
            }
        }
    }
    if failed {
        Err(Exit::Failure)
    } else {
        Ok(parsed)
    }
}

/// Prints one `read_objid` failure.
pub(crate) fn print_oid_error(text: &str, error: &OidTextError) {
    eprintln!("{text}: {error}");
}

/// Checks parsed OIDs against what BER can carry; Net-SNMP finds a bad one only when it
/// builds the request, and says so in two lines.
pub(crate) fn build_oids(tool: &Tool, parsed: &[Vec<u32>]) -> Result<Vec<Oid>, Exit> {
    parsed
        .iter()
        .map(|arcs| values::build_oid(arcs))
        .collect::<Result<_, _>>()
        .map_err(|error| {
            eprintln!(
                "snmp_build: unknown failure\n{}: Error building ASN.1 representation ({error})",
                tool.name
            );
            Exit::Failure
        })
}

/// Prints a request failure: the timeout text (`period` says whether the tool ends it with a
/// `.`), or `tool: error` for the rest.
pub(crate) fn request_failed(
    tool: &Tool,
    agent: &str,
    error: &RequestError,
    period: bool,
    report: &mut Report,
) {
    match error {
        RequestError::Timeout { last_malformed } => {
            let dot = if period { "." } else { "" };
            let mut message = format!("Timeout: No Response from {agent}{dot}");
            // Net-SNMP stays silent here; saying why the answers were dropped saves a capture.
            if let Some(error) = last_malformed {
                message.push_str(&format!(
                    "\n{agent} answered, but with a malformed message ({error}), which was dropped."
                ));
            } else if let Some(hint) = crate::snmpcmd::v3_timeout_hint() {
                message.push('\n');
                message.push_str(hint);
            }
            report.fatal("timeout", &message);
        }
        RequestError::NotInV1 { .. } => {
            report.fatal(
                "request",
                &format!("{}: Cannot send V2 PDU on V1 session", tool.name),
            );
        }
        other => report.fatal("request", &format!("{}: {other}", tool.name)),
    }
}
