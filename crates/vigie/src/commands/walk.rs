//! `vigie walk`: Net-SNMP's `snmpwalk`, and the walk `bulkwalk` shares.
//!
//! The requests and the stopping rules are `vigie_net::Walk`'s (with
//! [`Walk::whole_responses`](vigie_net::Walk::whole_responses), which keeps Net-SNMP's
//! details: the varbind that is not increasing is printed before the error, an exception
//! inside the subtree is printed, a v1 noSuchName prints `End of MIB`); this file prints
//! what it hands out, and falls back to a GET of the root when a walk finds nothing.

use std::time::Instant;

use vigie_net::{Client, WalkEnd, WalkError, WalkItem, WalkOptions};
use vigie_snmp::{ErrorStatus, Oid};

use crate::commands;
use crate::commands::bulkget::BulkParameters;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Invocation, Tool};
use crate::values;

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
        if let Some(typed_root) = parsed.first() {
            if values::build_oid(typed_root).is_err() {
                return unbuildable_root(tool, typed_root, flags, &mut report);
            }
        }
        let oids = match commands::build_oids(tool, &parsed) {
            Ok(oids) => oids,
            Err(exit) => return exit,
        };
        let mut oids = oids.into_iter();
        let (Some(root), Some(typed_root)) = (oids.next(), parsed.first()) else {
            return Exit::Failure;
        };
        let walker = Walker {
            tool,
            client: &client,
            agent: invocation.agent(),
            end: oids.next().or_else(|| end_of_subtree(typed_root)),
            typed_root,
            root,
            bulk,
            flags,
        };
        walker.walk(&mut report).await
    });
    report.finish();
    exit
}

/// A root no request can carry (`3`): Net-SNMP fails to build each request it tries, the
/// GET of `-Ci` (which says only `snmp_build: unknown failure`), then the walk's first, and
/// still prints the count of `-Cp`.
fn unbuildable_root(
    tool: &Tool,
    typed_root: &[u32],
    flags: &WalkFlags,
    report: &mut Report,
) -> Exit {
    if flags.include_requested {
        eprintln!("snmp_build: unknown failure");
    }
    let _ = commands::build_oids(tool, std::slice::from_ref(&typed_root.to_vec()));
    if flags.print_count {
        report.line("Variables found: 0", Some(("variablesFound", 0)));
    }
    Exit::Failure
}

/// Net-SNMP's end of a walk without `-CE`: the root as typed with its last arc incremented
/// (a varbind at or past it ends the walk). A single arc `x` ends before `x+1`, which for
/// the OIDs BER carries is `x+1.0`; nothing is past `3`.
fn end_of_subtree(typed_root: &[u32]) -> Option<Oid> {
    let (last, head) = typed_root.split_last()?;
    let mut arcs = head.to_vec();
    arcs.push(last.checked_add(1)?);
    if arcs.len() == 1 {
        arcs.push(0);
    }
    Oid::new(&arcs).ok()
}

struct Walker<'a> {
    tool: &'a Tool,
    client: &'a Client,
    agent: &'a str,
    /// The OID sent.
    root: Oid,
    /// The root as typed (a single arc differs from what is sent).
    typed_root: &'a [u32],
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
        let options = WalkOptions {
            max_repetitions: self.bulk.map(|bulk| bulk.max_repetitions),
            check_increasing: !self.flags.dont_check,
        };
        let mut walk = self
            .client
            .walk(self.root.clone(), options)
            .whole_responses()
            .ending_before(self.end.clone())
            .non_repeaters(self.bulk.map_or(0, |bulk| bulk.non_repeaters))
            .typed_root(self.typed_root);
        let mut answered = true;
        while let Some(item) = walk.next_item().await {
            match item {
                Ok(
                    WalkItem::VarBind(varbind)
                    | WalkItem::Exception(varbind)
                    | WalkItem::NotIncreasing { varbind, .. },
                ) if !self.in_bulk_subtree(&varbind.name) => {
                    // With the check, the walk ends by itself after this response; without
                    // it, nothing else would end it here.
                    if self.flags.dont_check {
                        break;
                    }
                }
                Ok(WalkItem::VarBind(varbind) | WalkItem::Exception(varbind)) => {
                    printed += 1;
                    report.varbind(&varbind);
                }
                Ok(WalkItem::NotIncreasing { previous, varbind }) => {
                    printed += 1;
                    report.varbind(&varbind);
                    // The first answer is compared with the root as typed, and snmpwalk
                    // names that (`joint-iso-ccitt`, not the `0.2` sent for `2`).
                    let previous = if previous == self.root {
                        self.typed_root
                    } else {
                        previous.arcs()
                    };
                    report.not_increasing(previous, &varbind.name);
                    exit = Exit::Failure;
                }
                Ok(_) => {}
                Err(WalkError::Request(error)) => {
                    commands::request_failed(self.tool, self.agent, &error, false, report);
                    answered = false;
                    exit = Exit::Failure;
                }
                Err(WalkError::ErrorStatus { pdu }) => {
                    report.error_status("Error in packet.", &pdu);
                    exit = Exit::ErrorInPacket;
                }
                Err(error @ WalkError::Loop { .. }) => {
                    report.fatal("loop", &format!("Error: {error}"));
                    exit = Exit::Failure;
                }
                Err(error) => {
                    report.fatal("walk", &format!("Error: {error}"));
                    exit = Exit::Failure;
                }
            }
        }
        if walk.end() == Some(&WalkEnd::NoSuchName) {
            report.line("End of MIB", None);
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

    /// Whether a bulk walk keeps `name`: snmpbulkwalk ends at the first OID the typed root
    /// is not a prefix of, where snmpwalk ends only at or past the root's successor. The
    /// two differ for a single-arc root: walking `2`, an agent's `1.3.6…` is below the end,
    /// so snmpwalk prints it and says it is not increasing; snmpbulkwalk leaves it out and
    /// falls back to a GET of the root. For longer roots the walk itself ends there.
    fn in_bulk_subtree(&self, name: &Oid) -> bool {
        self.bulk.is_none() || name.arcs().starts_with(self.typed_root)
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

/// The root a walk starts from when no OID is given: mib-2.
const MIB_2: &str = "1.3.6.1.2.1";

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    #[test]
    fn the_end_is_the_root_with_its_last_arc_incremented() {
        assert_eq!(
            end_of_subtree(&[1, 3, 6, 1, 2, 1]),
            Some(oid("1.3.6.1.2.2"))
        );
        // A single arc: everything under `1` is before 2.0, nothing under it from 2.0 on.
        assert_eq!(end_of_subtree(&[0]), Some(oid("1.0")));
        assert_eq!(end_of_subtree(&[1]), Some(oid("2.0")));
        assert_eq!(end_of_subtree(&[2]), None);
        assert_eq!(end_of_subtree(&[1, 3, u32::MAX]), None);
        assert_eq!(end_of_subtree(&[]), None);
    }
}
