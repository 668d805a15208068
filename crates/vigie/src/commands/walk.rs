//! `vigie walk`: Net-SNMP's `snmpwalk`, and the walk loop `bulkwalk` shares.
//!
//! The loop is written here rather than taken from `vigie_net::Walk` because Net-SNMP's
//! output depends on details a generic walk hides: the varbind that is not increasing is
//! printed before the error, an exception inside the subtree is printed, a v1 noSuchName
//! prints `End of MIB`, and an empty walk falls back to a GET of the root.

use std::time::Instant;

use vigie_net::Client;
use vigie_snmp::{ErrorStatus, Oid, Pdu, VarBind};

use crate::commands;
use crate::commands::bulkget::BulkParameters;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Invocation, Tool};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpwalk",
    command: "walk",
    operands: "AGENT [OID]",
    ordering: Ordering::Permute,
    app_help: "  -C APPOPTS\t\tSet various application specific behaviours:\n\t\t\t  p:  print the number of variables found\n\t\t\t  i:  include given OID in the search range\n\t\t\t  I:  don't include the given OID, even if no results are returned\n\t\t\t  c:  do not check returned OIDs are increasing\n\t\t\t  t:  Display wall-clock time to complete the walk\n\t\t\t  T:  Display wall-clock time to complete each request\n\t\t\t  E {OID}:  End the walk at the specified OID\n",
    default_port: 161,
};

/// Runs `vigie walk ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let mut flags = WalkFlags::default();
    let mut app = |letters: &str, next: &mut dyn FnMut() -> Option<String>| {
        for letter in letters.chars() {
            match letter {
                'p' => flags.print_count = !flags.print_count,
                'i' => flags.include_requested = !flags.include_requested,
                'I' => flags.dont_get_requested = !flags.dont_get_requested,
                'c' => flags.dont_check = !flags.dont_check,
                't' => flags.timing = !flags.timing,
                'T' => {}
                'E' => flags.end = Some(next().ok_or(AppFlagError::Usage)?),
                other => return Err(AppFlagError::Unknown(other)),
            }
        }
        Ok(())
    };
    let invocation = match snmpcmd::parse(&TOOL, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    run_walk(&TOOL, &invocation, &flags, None)
}

/// The `-C` flags of the walk tools.
#[derive(Debug, Clone, Default)]
pub(crate) struct WalkFlags {
    /// `-Cp`.
    pub(crate) print_count: bool,
    /// `-Ci`.
    pub(crate) include_requested: bool,
    /// `-CI` (snmpwalk only).
    pub(crate) dont_get_requested: bool,
    /// `-Cc`.
    pub(crate) dont_check: bool,
    /// `-Ct` (snmpwalk only).
    pub(crate) timing: bool,
    /// `-CE OID` (snmpwalk only), as typed.
    pub(crate) end: Option<String>,
}

/// Walks as the command line says; `bulk` is `Some` for `bulkwalk`.
pub(crate) fn run_walk(
    tool: &Tool,
    invocation: &Invocation,
    flags: &WalkFlags,
    bulk: Option<BulkParameters>,
) -> Exit {
    let root_text = invocation.rest().first().map_or(MIB_2, String::as_str);
    let mut texts = vec![root_text.to_owned()];
    texts.extend(flags.end.iter().cloned());
    let parsed = match commands::parse_oids(&texts) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let mut report = Report::new(invocation.output.clone());
    let exit = commands::block_on(async {
        let client = match snmpcmd::open(tool, invocation, &mut report).await {
            Ok(client) => client,
            Err(exit) => return exit,
        };
        let oids = match commands::build_oids(tool, &parsed) {
            Ok(oids) => oids,
            Err(exit) => return exit,
        };
        let mut oids = oids.into_iter();
        let Some(root) = oids.next() else {
            return Exit::Failure;
        };
        let walker = Walker {
            tool,
            client: &client,
            agent: invocation.agent(),
            root,
            end: oids.next(),
            bulk,
            flags,
        };
        walker.walk(&mut report).await
    });
    report.finish();
    exit
}

struct Walker<'a> {
    tool: &'a Tool,
    client: &'a Client,
    agent: &'a str,
    root: Oid,
    end: Option<Oid>,
    bulk: Option<BulkParameters>,
    flags: &'a WalkFlags,
}

impl Walker<'_> {
    async fn walk(&self, report: &mut Report) -> Exit {
        let started = Instant::now();
        let mut printed: u64 = 0;
        let mut exit = Exit::Success;
        if self.flags.include_requested {
            printed += self.get_and_print(report).await;
        }
        let mut cursor = self.root.clone();
        let mut answered = true;
        let mut running = true;
        while running {
            let response = match self.bulk {
                Some(bulk) => {
                    self.client
                        .get_bulk(
                            bulk.non_repeaters,
                            bulk.max_repetitions,
                            std::slice::from_ref(&cursor),
                        )
                        .await
                }
                None => self.client.get_next(std::slice::from_ref(&cursor)).await,
            };
            let pdu = match response {
                Ok(pdu) => pdu,
                Err(error) => {
                    commands::request_failed(self.tool, self.agent, &error, false, report);
                    answered = false;
                    exit = Exit::Failure;
                    break;
                }
            };
            if pdu.error_status != ErrorStatus::NoError {
                running = false;
                if pdu.error_status == ErrorStatus::NoSuchName {
                    report.line("End of MIB", None);
                } else {
                    report.error_status("Error in packet.", &pdu);
                    exit = Exit::ErrorInPacket;
                }
                continue;
            }
            let step = self.step(&pdu, &mut cursor, report);
            printed += step.printed;
            running = step.running;
            if step.not_increasing {
                exit = Exit::Failure;
            }
        }
        if printed == 0 && answered && !self.flags.dont_get_requested {
            printed += self.get_and_print(report).await;
        }
        if self.flags.print_count {
            report.line(
                &format!("Variables found: {printed}"),
                Some(("variablesFound", printed)),
            );
        }
        if self.flags.timing {
            let seconds = started.elapsed().as_secs_f64();
            report.warning(&format!("Total traversal time = {seconds:.6} seconds"));
        }
        exit
    }

    /// Handles one response's varbinds as snmpwalk and snmpbulkwalk do: varbinds outside the
    /// subtree (or past `-CE`) end the walk and are skipped, the others are printed, an
    /// exception ends the walk, and a varbind not after the cursor is reported.
    fn step(&self, pdu: &Pdu, cursor: &mut Oid, report: &mut Report) -> Step {
        let mut step = Step {
            printed: 0,
            running: !pdu.varbinds.is_empty(),
            not_increasing: false,
        };
        let last = pdu.varbinds.len().saturating_sub(1);
        for (index, varbind) in pdu.varbinds.iter().enumerate() {
            if !self.in_range(varbind) {
                step.running = false;
                continue;
            }
            step.printed += 1;
            report.varbind(varbind);
            if varbind.value.is_exception() {
                step.running = false;
                continue;
            }
            if !self.flags.dont_check && varbind.name <= *cursor {
                report.not_increasing(cursor, &varbind.name);
                step.running = false;
                step.not_increasing = true;
            }
            // snmpwalk moves on from every varbind, snmpbulkwalk from the last of each response.
            if self.bulk.is_none() || index == last {
                *cursor = varbind.name.clone();
            }
        }
        step
    }

    fn in_range(&self, varbind: &VarBind) -> bool {
        if !varbind.name.starts_with(&self.root) {
            return false;
        }
        self.end.as_ref().is_none_or(|end| varbind.name < *end)
    }

    /// `snmp_get_and_print`: a GET of the root, printed only when the agent answers without
    /// an error-status.
    async fn get_and_print(&self, report: &mut Report) -> u64 {
        let Ok(pdu) = self.client.get(std::slice::from_ref(&self.root)).await else {
            return 0;
        };
        if pdu.error_status != ErrorStatus::NoError {
            return 0;
        }
        for varbind in &pdu.varbinds {
            report.varbind(varbind);
        }
        u64::try_from(pdu.varbinds.len()).unwrap_or(u64::MAX)
    }
}

struct Step {
    printed: u64,
    running: bool,
    not_increasing: bool,
}

/// The root a walk starts from when no OID is given: mib-2.
const MIB_2: &str = "1.3.6.1.2.1";
