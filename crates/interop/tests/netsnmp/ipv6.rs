//! `vigie` over IPv6 (`udp6:[::1]:PORT`), when the machine has an IPv6 loopback.

use vigie_interop::{PASS_SUBTREE, Peer, Snmpd};

use crate::{SYS_DESCR_0, agent, same};

/// The agent's IPv6 address, or `None` (after saying so) when `::1` is unavailable.
fn ipv6_target(agent: &Snmpd) -> Option<String> {
    let target = agent.target6();
    if target.is_none() {
        eprintln!("skipped: no IPv6 loopback (::1) on this machine");
    }
    target
}

#[test]
fn get() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let Some(target) = ipv6_target(&agent) else {
        return;
    };
    same(
        Peer::Snmpget,
        &["-v2c", "-c", "public", &target, SYS_DESCR_0],
    );
}

#[test]
fn walk() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    let Some(target) = ipv6_target(&agent) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", &target, PASS_SUBTREE],
    );
}
