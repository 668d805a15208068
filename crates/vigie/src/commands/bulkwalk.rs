//! `vigie bulkwalk`: Net-SNMP's `snmpbulkwalk`.

use crate::commands::bulkget::BulkParameters;
use crate::commands::walk::{self, WalkFlags};
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::snmpcmd::{self, AppFlagError, Tool};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpbulkwalk",
    command: "bulkwalk",
    operands: "AGENT [OID]",
    ordering: Ordering::Permute,
    app_help: "  -C APPOPTS\t\tSet various application specific behaviours:\n\t\t\t  c:       do not check returned OIDs are increasing\n\t\t\t  i:       include given OIDs in the search range\n\t\t\t  n<NUM>:  set non-repeaters to <NUM>\n\t\t\t  p:       print the number of variables found\n\t\t\t  r<NUM>:  set max-repeaters to <NUM>\n",
    default_port: 161,
};

/// Runs `vigie bulkwalk ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let mut flags = WalkFlags::default();
    let mut bulk = BulkParameters::default();
    let mut app = |letters: &str, _: &mut dyn FnMut() -> Option<String>| {
        let mut rest = letters;
        while let Some(letter) = rest.chars().next() {
            match letter {
                'n' | 'r' => {
                    rest = bulk.apply(rest)?;
                    continue;
                }
                'c' => flags.dont_check = !flags.dont_check,
                'i' => flags.include_requested = !flags.include_requested,
                'p' => flags.print_count = !flags.print_count,
                other => return Err(AppFlagError::Unknown(other)),
            }
            rest = &rest[letter.len_utf8()..];
        }
        Ok(())
    };
    let invocation = match snmpcmd::parse(&TOOL, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    walk::run_walk(&TOOL, &invocation, &flags, Some(bulk))
}
