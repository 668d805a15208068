//! Interop tests: `vigie`'s tools against Net-SNMP's, on the same `snmpd` and `snmptrapd`.
//!
//! Each test starts its own peers on free loopback ports, runs a Net-SNMP tool and the
//! `vigie` subcommand with the same arguments, and compares stdout, stderr and exit
//! status line for line. `fixture` checks the peers themselves, with Net-SNMP only.
//! Build the binary first: `cargo build -p vigie`.

/// Declares one `#[test]` per case, `name: Tool [args…];`, each run by `$runner` (one of the
/// `*_case` functions below) with `Peer::Tool` and the arguments, in which [`TARGET`] stands
/// for the peer's address. The test's name is the case's name.
macro_rules! cases {
    ($runner:path { $($(#[$attr:meta])* $name:ident: $tool:ident [$($arg:expr),* $(,)?];)* }) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                $runner(vigie_interop::Peer::$tool, &[$($arg),*]);
            }
        )*
    };
}

mod bulk;
mod fixture;
mod get;
mod getnext;
mod ipv6;
mod mibs;
mod notify;
mod output;
mod set;
mod timeout;
mod v3;
mod walk;

use vigie_interop::{Peer, Snmpd, SnmpdConfig, Snmptrapd, free_udp_port, require};

/// Starts the standard agent once the given client tools are known to be installed;
/// `None` (the test returns) when a peer is missing.
fn agent(tools: &[Peer]) -> Option<Snmpd> {
    if !require(tools) {
        return None;
    }
    Snmpd::start("")
}

/// Starts a receiver once the given sending tools are known to be installed; `None` (the
/// test returns) when a peer is missing.
fn receiver(tools: &[Peer]) -> Option<Snmptrapd> {
    if !require(tools) {
        return None;
    }
    Snmptrapd::start()
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

/// Where a case's arguments put the address of the peer the case runs against.
const TARGET: &str = "TARGET";

/// `args` with [`TARGET`] replaced by `target`.
fn at<'a>(args: &[&'a str], target: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|arg| if *arg == TARGET { target } else { arg })
        .collect()
}

/// A case against a fresh standard agent: both tools print and exit alike.
fn agent_case(tool: Peer, args: &[&str]) {
    let Some(agent) = agent(&[tool]) else {
        return;
    };
    same(tool, &at(args, &agent.target()));
}

/// [`agent_case`] with `TimeTicks` values masked (`sysUpTime` moves between the two runs).
fn agent_case_masked(tool: Peer, args: &[&str]) {
    let Some(agent) = agent(&[tool]) else {
        return;
    };
    same_masked(tool, &at(args, &agent.target()));
}

/// A case against a fresh agent whose `sysContact` and `sysLocation` are writable.
fn writable_agent_case(tool: Peer, args: &[&str]) {
    let Some(agent) = writable_agent(&[tool]) else {
        return;
    };
    same(tool, &at(args, &agent.target()));
}

/// A case against a loopback port where nothing listens.
fn silent_case(tool: Peer, args: &[&str]) {
    if !require(&[tool]) {
        return;
    }
    same(tool, &at(args, &silent_target()));
}

/// A loopback port where nothing listens.
fn silent_target() -> String {
    format!("127.0.0.1:{}", free_udp_port())
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
