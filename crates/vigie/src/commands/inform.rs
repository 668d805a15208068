//! `vigie inform`: Net-SNMP's `snmpinform`, a v2c trap that waits for its acknowledgement.

use crate::commands::trap::{self, NOTIFICATION_HELP};
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::snmpcmd::Tool;

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmpinform",
    command: "inform",
    operands: "AGENT TRAP-PARAMETERS",
    ordering: Ordering::RequireOrder,
    app_help: NOTIFICATION_HELP,
    default_port: 162,
};

/// Runs `vigie inform ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    trap::run_notification(&TOOL, args, true)
}
