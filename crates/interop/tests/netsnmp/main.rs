//! Interop tests: `vigie`'s tools against Net-SNMP's, on the same `snmpd` and `snmptrapd`.
//!
//! Each test starts its own peers on free loopback ports, runs a Net-SNMP tool and the
//! `vigie` subcommand with the same arguments, and compares stdout, stderr and exit
//! status line for line. `fixture` checks the peers themselves, with Net-SNMP only.
//! Build the binary first: `cargo build -p vigie`.

mod bulk;
mod fixture;
mod get;
mod getnext;
mod ipv6;
mod notify;
mod output;
mod set;
mod timeout;
mod walk;

use vigie_interop::{Peer, Snmpd, SnmpdConfig, require};

/// Starts the standard agent once the given client tools are known to be installed;
/// `None` (the test returns) when a peer is missing.
fn agent(tools: &[Peer]) -> Option<Snmpd> {
    if !require(tools) {
        return None;
    }
    Snmpd::start("")
}

/// Starts an agent whose `sysContact` and `sysLocation` are writable.
fn writable_agent(tools: &[Peer]) -> Option<Snmpd> {
    if !require(tools) {
        return None;
    }
    Snmpd::start_with(&SnmpdConfig {
        writable_system: true,
        extra: String::new(),
    })
}

/// The instance OID of pass object `index`.
fn pass(index: u32) -> String {
    format!("{}.{index}.0", vigie_interop::PASS_SUBTREE)
}

/// `system` (SNMPv2-MIB), numeric: no MIB is loaded.
const SYSTEM: &str = ".1.3.6.1.2.1.1";
/// `sysDescr.0`.
const SYS_DESCR_0: &str = ".1.3.6.1.2.1.1.1.0";
/// `sysObjectID.0`.
const SYS_OBJECT_ID_0: &str = ".1.3.6.1.2.1.1.2.0";
/// `sysContact.0`.
const SYS_CONTACT_0: &str = ".1.3.6.1.2.1.1.4.0";
/// `sysName.0`.
const SYS_NAME_0: &str = ".1.3.6.1.2.1.1.5.0";
/// `sysLocation.0`.
const SYS_LOCATION_0: &str = ".1.3.6.1.2.1.1.6.0";
/// An OID past everything snmpd serves.
const PAST_THE_END: &str = ".1.3.6.1.9";

/// Runs `tool` and its vigie equivalent on `args` and asserts identical outcomes.
fn same(tool: Peer, args: &[&str]) {
    vigie_interop::compare(tool, args).assert_same();
}

/// Like [`same`], with `TimeTicks` values masked (`sysUpTime` moves between the two runs).
fn same_masked(tool: Peer, args: &[&str]) {
    vigie_interop::compare(tool, args)
        .masked(vigie_interop::mask_timeticks)
        .assert_same();
}

/// The OIDs of every pass object.
fn all_pass_oids() -> Vec<String> {
    vigie_interop::pass_objects()
        .iter()
        .map(vigie_interop::PassObject::oid)
        .collect()
}
