//! `vigie walk` against `snmpwalk`.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{
    PAST_THE_END, SYS_DESCR_0, SYSTEM, TARGET, agent, agent_case, agent_case_masked, same,
};

cases!(agent_case {
    v2c_pass_subtree: Snmpwalk ["-v2c", "-c", "public", TARGET, PASS_SUBTREE];
    /// In v1 the Counter64 object is skipped by the agent.
    v1_pass_subtree: Snmpwalk ["-v1", "-c", "public", TARGET, PASS_SUBTREE];
    /// A walk rooted at a leaf instance prints that instance (Net-SNMP falls back to a GET).
    v2c_leaf_instance: Snmpwalk ["-v2c", "-c", "public", TARGET, SYS_DESCR_0];
    v2c_empty_subtree: Snmpwalk ["-v2c", "-c", "public", TARGET, PAST_THE_END];
    v1_empty_subtree: Snmpwalk ["-v1", "-c", "public", TARGET, PAST_THE_END];
});

cases!(agent_case_masked {
    v2c_system: Snmpwalk ["-v2c", "-c", "public", TARGET, SYSTEM];
    v1_system: Snmpwalk ["-v1", "-c", "public", TARGET, SYSTEM];
});

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
        ("-Cc", object.as_str()),
        ("-CI", leaf.as_str()),
        ("-Cp", object.as_str()),
        ("-Ci", object.as_str()),
        ("-Cp", PASS_SUBTREE),
    ] {
        same(
            Peer::Snmpwalk,
            &["-v2c", "-c", "public", option, &target, root],
        );
    }
}

/// Single-arc OIDs: Net-SNMP sends `1` as the one subidentifier `01` (which reads `0.1`),
/// walks everything before `2` from it, and cannot build `3`. Each walk ends early through
/// `-CE` so that the output stays stable.
#[test]
fn single_arc_roots() {
    let Some(agent) = agent(&[Peer::Snmpwalk, Peer::Snmpgetnext, Peer::Snmpbulkwalk]) else {
        return;
    };
    let target = agent.target();
    let end = "-CE.1.3.6.1.2.1.1.2";
    for root in ["1", ".1", "0", "2", "3"] {
        same(Peer::Snmpgetnext, &["-v2c", "-c", "public", &target, root]);
    }
    for args in [
        &["-v2c", "-c", "public", end, &target, "1"][..],
        &["-v2c", "-c", "public", end, &target, ".1"],
        &["-v1", "-c", "public", end, &target, "1"],
        &["-v2c", "-c", "public", &target, "0"],
        &["-v2c", "-c", "public", &target, "0.1"],
        &["-v2c", "-c", "public", &target, "3"],
    ] {
        same(Peer::Snmpwalk, args);
    }
    same(Peer::Snmpbulkwalk, &["-v2c", "-c", "public", &target, "0"]);
}

/// `-CE` replaces the subtree rule: the walk goes past the root's subtree up to the end.
#[test]
fn end_past_the_subtree() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    let target = agent.target();
    same(
        Peer::Snmpwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-CE",
            SYS_DESCR_0,
            &target,
            "1.3.6.1.2.1.1.1",
        ],
    );
    same(
        Peer::Snmpwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-CE",
            "1.3.6.1.2.1.1.3",
            &target,
            SYS_DESCR_0,
        ],
    );
}
