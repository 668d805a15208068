//! `vigie bulkget` and `vigie bulkwalk` against `snmpbulkget` and `snmpbulkwalk`.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{SYSTEM, agent, pass, same, same_masked};

/// One non-repeater and five repetitions of the pass subtree.
#[test]
fn bulkget_one_non_repeater_five_repetitions() {
    let Some(agent) = agent(&[Peer::Snmpbulkget]) else {
        return;
    };
    same(
        Peer::Snmpbulkget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn1",
            "-Cr5",
            &agent.target(),
            ".1.3.6.1.2.1.1.1",
            PASS_SUBTREE,
        ],
    );
}

/// Two repeaters interleave in the response.
#[test]
fn bulkget_two_repeaters() {
    let Some(agent) = agent(&[Peer::Snmpbulkget]) else {
        return;
    };
    same(
        Peer::Snmpbulkget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn0",
            "-Cr4",
            &agent.target(),
            PASS_SUBTREE,
            &pass(10),
        ],
    );
}

#[test]
fn bulkwalk_pass_subtree() {
    let Some(agent) = agent(&[Peer::Snmpbulkwalk]) else {
        return;
    };
    same(
        Peer::Snmpbulkwalk,
        &["-v2c", "-c", "public", &agent.target(), PASS_SUBTREE],
    );
}

/// Few repetitions per request: the walk needs several round trips.
#[test]
fn bulkwalk_pass_subtree_small_steps() {
    let Some(agent) = agent(&[Peer::Snmpbulkwalk]) else {
        return;
    };
    same(
        Peer::Snmpbulkwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cr3",
            &agent.target(),
            PASS_SUBTREE,
        ],
    );
}

#[test]
fn bulkwalk_system() {
    let Some(agent) = agent(&[Peer::Snmpbulkwalk]) else {
        return;
    };
    same_masked(
        Peer::Snmpbulkwalk,
        &["-v2c", "-c", "public", &agent.target(), SYSTEM],
    );
}

/// No repetitions asked: only the non-repeaters are answered (here none).
#[test]
fn bulkget_zero_repetitions() {
    let Some(agent) = agent(&[Peer::Snmpbulkget]) else {
        return;
    };
    same(
        Peer::Snmpbulkget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn0",
            "-Cr0",
            &agent.target(),
            PASS_SUBTREE,
        ],
    );
}

/// More non-repeaters than OIDs is a usage error in Net-SNMP ("need more objects than
/// <nonrep>"), not a request.
#[test]
fn bulkget_more_non_repeaters_than_oids() {
    let Some(agent) = agent(&[Peer::Snmpbulkget]) else {
        return;
    };
    same(
        Peer::Snmpbulkget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn3",
            "-Cr2",
            &agent.target(),
            &pass(1),
            &pass(2),
        ],
    );
}

/// Enough repetitions to run past the end of the subtree in one request.
#[test]
fn bulkwalk_pass_subtree_one_big_step() {
    let Some(agent) = agent(&[Peer::Snmpbulkwalk]) else {
        return;
    };
    same(
        Peer::Snmpbulkwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn0",
            "-Cr50",
            &agent.target(),
            PASS_SUBTREE,
        ],
    );
}
