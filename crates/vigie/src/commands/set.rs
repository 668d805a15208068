//! `vigie set`: Net-SNMP's `snmpset`.

use vigie_snmp::{ErrorStatus, VarBind};

use crate::commands;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Tool};
use crate::values::{self, TRUNCATION_WARNING};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpset",
    command: "set",
    operands: "AGENT OID TYPE VALUE [OID TYPE VALUE]...",
    ordering: Ordering::RequireOrder,
    app_help: concat!(
        "  -C APPOPTS\t\tSet various application specific behaviours:\n",
        "\t\t\t  q:  don't print results on success\n\n",
        "  TYPE: one of i, u, t, a, o, s, x, d, b\n",
        "\ti: INTEGER, u: unsigned INTEGER, t: TIMETICKS, a: IPADDRESS\n",
        "\to: OBJID, s: STRING, x: HEX STRING, d: DECIMAL STRING, b: BITS\n",
        "\tU: unsigned int64, I: signed int64, F: float, D: double\n",
        "\tc: Counter32, C: Counter64 (vigie extensions)\n",
    ),
    default_port: 161,
};

/// One `OID TYPE VALUE` triple as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// The OID text.
    pub(crate) oid: String,
    /// The type letter (the first character of the TYPE operand).
    pub(crate) kind: char,
    /// The value text.
    pub(crate) value: String,
}

/// Runs `vigie set ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let mut quiet = false;
    let mut app = |letters: &str, _: &mut dyn FnMut() -> Option<String>| {
        for letter in letters.chars() {
            match letter {
                'q' => quiet = !quiet,
                other => return Err(AppFlagError::Unknown(other)),
            }
        }
        Ok(())
    };
    let invocation = match snmpcmd::parse(&TOOL, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    if invocation.rest().is_empty() {
        return snmpcmd::usage_error(&TOOL, "Missing object name");
    }
    let assignments = match triples(invocation.rest()) {
        Ok(assignments) => assignments,
        Err(message) => {
            eprintln!("{message}");
            return Exit::Failure;
        }
    };
    let mut report = Report::new(invocation.output.clone());
    let Some(varbinds) = varbinds(&assignments, &mut report) else {
        report.finish();
        return Exit::Failure;
    };
    let exit = commands::block_on(async {
        let client = match snmpcmd::open(&TOOL, &invocation, &mut report).await {
            Ok(client) => client,
            Err(exit) => return exit,
        };
        let varbinds = match varbinds.build(&TOOL) {
            Ok(varbinds) => varbinds,
            Err(exit) => return exit,
        };
        let pdu = match client.set(varbinds).await {
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
        if !quiet {
            for varbind in &pdu.varbinds {
                report.varbind(varbind);
            }
        }
        Exit::Success
    });
    report.finish();
    exit
}

/// Splits the operands into triples, checking each TYPE letter as `snmpset` does before it
/// parses any OID or value.
pub(crate) fn triples(operands: &[String]) -> Result<Vec<Assignment>, String> {
    let mut assignments = Vec::with_capacity(operands.len() / 3);
    let mut rest = operands;
    while let [oid, tail @ ..] = rest {
        let [kind, tail @ ..] = tail else {
            return Err(format!("{oid}: Needs type and value"));
        };
        let letter = kind.chars().next().unwrap_or('\0');
        if !values::is_set_type(letter) {
            return Err(format!("{oid}: Bad object type: {letter}"));
        }
        let [value, tail @ ..] = tail else {
            return Err(format!("{oid}: Needs value"));
        };
        assignments.push(Assignment {
            oid: oid.clone(),
            kind: letter,
            value: value.clone(),
        });
        rest = tail;
    }
    Ok(assignments)
}

/// Varbinds parsed from text, OIDs not yet checked against BER's limits.
#[derive(Debug)]
pub(crate) struct ParsedVarBinds(Vec<(Vec<u32>, vigie_snmp::Value)>);

impl ParsedVarBinds {
    /// The varbinds, or Net-SNMP's build error.
    pub(crate) fn build(self, tool: &Tool) -> Result<Vec<VarBind>, Exit> {
        let arcs: Vec<Vec<u32>> = self.0.iter().map(|(arcs, _)| arcs.clone()).collect();
        let oids = commands::build_oids(tool, &arcs)?;
        Ok(oids
            .into_iter()
            .zip(self.0)
            .map(|(name, (_, value))| VarBind { name, value })
            .collect())
    }
}

/// Parses every triple, printing each failure as `OID: message`; `None` when any failed.
pub(crate) fn varbinds(assignments: &[Assignment], report: &mut Report) -> Option<ParsedVarBinds> {
    let mut parsed = Vec::with_capacity(assignments.len());
    let mut failed = false;
    for assignment in assignments {
        let arcs = match values::parse_oid_arcs(&assignment.oid) {
            Ok(arcs) => arcs,
            Err(error) => {
                commands::print_oid_error(&assignment.oid, &error);
                failed = true;
                continue;
            }
        };
        match values::parse_value_for(
            crate::mibs::current(),
            &arcs,
            assignment.kind,
            &assignment.value,
        ) {
            Ok(value) => {
                if value.truncated {
                    report.warning(TRUNCATION_WARNING);
                }
                parsed.push((arcs, value.value));
            }
            Err(error) => {
                eprintln!("{}: {error}", assignment.oid);
                failed = true;
            }
        }
    }
    (!failed).then_some(ParsedVarBinds(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn triples_take_the_first_letter_of_type() {
        let assignments =
            triples(&strings(&["1.3.6.1", "string", "-5", "1.3.6.2", "i", "7"])).unwrap();
        assert_eq!(assignments.len(), 2);
        assert_eq!(assignments[0].kind, 's');
        assert_eq!(assignments[0].value, "-5");
        assert_eq!(assignments[1].kind, 'i');
    }

    #[test]
    fn triples_report_like_snmpset() {
        assert_eq!(
            triples(&strings(&["1.3"])),
            Err("1.3: Needs type and value".to_owned())
        );
        assert_eq!(
            triples(&strings(&["1.3", "s"])),
            Err("1.3: Needs value".to_owned())
        );
        assert_eq!(
            triples(&strings(&["1.3", "q", "x"])),
            Err("1.3: Bad object type: q".to_owned())
        );
        assert_eq!(
            triples(&strings(&["-On", "1.3", "s", "x"])),
            Err("-On: Bad object type: 1".to_owned())
        );
    }
}
