//! `vigie getnext`: Net-SNMP's `snmpgetnext`.

use crate::commands::get::{self, FIX_HELP, Operation};
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::snmpcmd::Tool;

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpgetnext",
    command: "getnext",
    operands: "AGENT OID [OID]...",
    ordering: Ordering::Permute,
    app_help: FIX_HELP,
    default_port: 161,
};

/// Runs `vigie getnext ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    get::run_request(&TOOL, Operation::GetNext, args)
}
