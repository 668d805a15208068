//! `vigie get`: Net-SNMP's `snmpget`.

use vigie_net::Client;
use vigie_snmp::{ErrorStatus, Oid, Pdu};

use crate::commands;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Tool};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpget",
    command: "get",
    operands: "AGENT OID [OID]...",
    ordering: Ordering::Permute,
    app_help: FIX_HELP,
    default_port: 161,
};

/// The `-C` help shared with `getnext`.
pub(crate) const FIX_HELP: &str = "  -C APPOPTS\t\tSet various application specific behaviours:\n\t\t\t  f:  do not fix errors and retry the request\n";

/// Runs `vigie get ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    run_request(&TOOL, Operation::Get, args)
}

/// GET or GETNEXT: the two tools differ only in their PDU and in how they report errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `snmpget`.
    Get,
    /// `snmpgetnext`.
    GetNext,
}

/// Parses the command line, sends the request and prints the response, removing the failed
/// varbind and asking again after an error-status unless `-Cf` was given (`snmp_fix_pdu`).
pub(crate) fn run_request(tool: &Tool, operation: Operation, args: &[String]) -> Exit {
    let mut dont_fix = false;
    let mut app = |letters: &str, _: &mut dyn FnMut() -> Option<String>| {
        for letter in letters.chars() {
            match letter {
                'f' => dont_fix = !dont_fix,
                other => return Err(AppFlagError::Unknown(other)),
            }
        }
        Ok(())
    };
    let invocation = match snmpcmd::parse(tool, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    if invocation.rest().is_empty() {
        return snmpcmd::usage_error(tool, "Missing object name");
    }
    let parsed = match commands::parse_oids(invocation.rest()) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let mut report = Report::new(invocation.output.clone());
    let exit = commands::block_on(async {
        let client = match snmpcmd::open(tool, &invocation, &mut report).await {
            Ok(client) => client,
            Err(exit) => return exit,
        };
        let oids = match commands::build_oids(tool, &parsed) {
            Ok(oids) => oids,
            Err(exit) => return exit,
        };
        exchange(
            tool,
            operation,
            &client,
            oids,
            dont_fix,
            invocation.agent(),
            &mut report,
        )
        .await
    });
    report.finish();
    exit
}

async fn exchange(
    tool: &Tool,
    operation: Operation,
    client: &Client,
    mut oids: Vec<Oid>,
    dont_fix: bool,
    agent: &str,
    report: &mut Report,
) -> Exit {
    let mut exit = Exit::Success;
    loop {
        let response = match operation {
            Operation::Get => client.get(&oids).await,
            Operation::GetNext => client.get_next(&oids).await,
        };
        let pdu = match response {
            Ok(pdu) => pdu,
            Err(error) => {
                commands::request_failed(tool, agent, &error, true, report);
                return Exit::Failure;
            }
        };
        if pdu.error_status == ErrorStatus::NoError {
            for varbind in &pdu.varbinds {
                report.varbind(varbind);
            }
            return exit;
        }
        let header = match operation {
            Operation::Get => "Error in packet",
            Operation::GetNext => "Error in packet.",
        };
        report.error_status(header, &pdu);
        // snmpgetnext sets its exit status only when the agent named the failed varbind.
        if operation == Operation::Get || pdu.error_index != 0 {
            exit = Exit::ErrorInPacket;
        }
        if dont_fix {
            return exit;
        }
        match fixed(&pdu) {
            Some(next) => oids = next,
            None => return exit,
        }
    }
}

/// The response's OIDs without the one at error-index, or `None` when there is nothing left
/// to ask for (Net-SNMP's `snmp_fix_pdu`).
pub(crate) fn fixed(pdu: &Pdu) -> Option<Vec<Oid>> {
    let failed = usize::try_from(pdu.error_index).ok()?.checked_sub(1)?;
    if failed >= pdu.varbinds.len() {
        return None;
    }
    let rest: Vec<Oid> = pdu
        .varbinds
        .iter()
        .enumerate()
        .filter(|&(index, _)| index != failed)
        .map(|(_, varbind)| varbind.name.clone())
        .collect();
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use vigie_snmp::{PduKind, RequestId, VarBind};

    use super::*;

    fn response(error_index: u32, names: &[&str]) -> Pdu {
        Pdu {
            kind: PduKind::Response,
            request_id: RequestId(1),
            error_status: ErrorStatus::NoSuchName,
            error_index,
            varbinds: names
                .iter()
                .map(|n| VarBind::null(n.parse().unwrap()))
                .collect(),
        }
    }

    #[test]
    fn fix_removes_the_failed_varbind() {
        let pdu = response(2, &["1.3.1", "1.3.2", "1.3.3"]);
        let rest: Vec<String> = fixed(&pdu).unwrap().iter().map(Oid::to_string).collect();
        assert_eq!(rest, ["1.3.1", "1.3.3"]);
    }

    #[test]
    fn fix_gives_up_without_a_valid_index_or_varbinds() {
        assert_eq!(fixed(&response(0, &["1.3.1"])), None);
        assert_eq!(fixed(&response(3, &["1.3.1", "1.3.2"])), None);
        assert_eq!(fixed(&response(1, &["1.3.1"])), None);
    }
}
