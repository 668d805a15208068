//! `vigie walk` against `snmpwalk`.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{PAST_THE_END, SYS_DESCR_0, SYSTEM, agent, same, same_masked};

#[test]
fn v2c_pass_subtree() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", &agent.target(), PASS_SUBTREE],
    );
}

/// In v1 the Counter64 object is skipped by the agent.
#[test]
fn v1_pass_subtree() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v1", "-c", "public", &agent.target(), PASS_SUBTREE],
    );
}

#[test]
fn v2c_system() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same_masked(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", &agent.target(), SYSTEM],
    );
}

#[test]
fn v1_system() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same_masked(
        Peer::Snmpwalk,
        &["-v1", "-c", "public", &agent.target(), SYSTEM],
    );
}

/// A walk rooted at a leaf instance prints that instance (Net-SNMP falls back to a GET).
#[test]
fn v2c_leaf_instance() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", &agent.target(), SYS_DESCR_0],
    );
}

#[test]
fn v2c_empty_subtree() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", &agent.target(), PAST_THE_END],
    );
}

#[test]
fn v1_empty_subtree() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    same(
        Peer::Snmpwalk,
        &["-v1", "-c", "public", &agent.target(), PAST_THE_END],
    );
}

/// snmpwalk's `-C` options: `c` (no increasing check), `I` (no GET fallback), `p` (print
/// the count), `i` (include the requested OID).
#[test]
fn walk_options() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    let target = agent.target();
    let leaf = format!("{PASS_SUBTREE}.20.0");
    let object = format!("{PASS_SUBTREE}.20");
    for (option, root) in [
        ("-Cc", &object),
        ("-CI", &leaf),
        ("-Cp", &object),
        ("-Ci", &object),
    ] {
        same(
            Peer::Snmpwalk,
            &["-v2c", "-c", "public", option, &target, root],
        );
    }
    same(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", "-Cp", &target, PASS_SUBTREE],
    );
}
