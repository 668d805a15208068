//! The Net-SNMP peers and the comparison, from the `vigie_interop` harness.

use std::path::Path;

use vigie_interop::{Outcome, Peer, Snmpd, compare_as_shell, require, run};

/// The `vigie` binary under test.
const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

/// An `snmpd` with Net-SNMP's own system group (`public` read-only and `private`
/// read-write), once `tools` are known to be installed; `None` (the test returns) when a
/// peer is missing.
pub(crate) fn agent(tools: &[Peer]) -> Option<Snmpd> {
    if !require(tools) {
        return None;
    }
    Snmpd::start_netsnmp_system("")
}

/// Runs `vigie <subcommand> args…`.
pub(crate) fn vigie(subcommand: &str, args: &[&str]) -> Outcome {
    let mut vigie_args = vec![subcommand];
    vigie_args.extend_from_slice(args);
    run(Path::new(VIGIE), &vigie_args)
}

/// Runs the Net-SNMP `tool`, named as a shell starts it, and its `vigie` equivalent with
/// `args`, and asserts they print and exit alike (usage text cut); returns vigie's outcome.
pub(crate) fn same(tool: Peer, args: &[&str]) -> Outcome {
    let pair = compare_as_shell(tool, args).usage_cut();
    pair.assert_same();
    pair.vigie
}
