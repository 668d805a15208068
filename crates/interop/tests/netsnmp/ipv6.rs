//! `vigie` over IPv6 (`udp6:[::1]:PORT`), when the machine has an IPv6 loopback.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{SYS_DESCR_0, TARGET, agent, at, same};

/// A case against a fresh standard agent at its IPv6 address; skipped (after saying so)
/// when `::1` is unavailable.
fn ipv6_case(tool: Peer, args: &[&str]) {
    let Some(agent) = agent(&[tool]) else {
        return;
    };
    let Some(target) = agent.target6() else {
        eprintln!("skipped: no IPv6 loopback (::1) on this machine");
        return;
    };
    same(tool, &at(args, &target));
}

cases!(ipv6_case {
    get: Snmpget ["-v2c", "-c", "public", TARGET, SYS_DESCR_0];
    walk: Snmpwalk ["-v2c", "-c", "public", TARGET, PASS_SUBTREE];
});
