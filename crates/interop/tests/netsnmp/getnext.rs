//! `vigie getnext` against `snmpgetnext`.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{PAST_THE_END, SYS_DESCR_0, SYSTEM, agent, pass, same};

#[test]
fn v2c_several_oids() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    same(
        Peer::Snmpgetnext,
        &[
            "-v2c",
            "-c",
            "public",
            &agent.target(),
            SYSTEM,
            SYS_DESCR_0,
            PASS_SUBTREE,
            &pass(9),
        ],
    );
}

#[test]
fn v1_several_oids() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    same(
        Peer::Snmpgetnext,
        &[
            "-v1",
            "-c",
            "public",
            &agent.target(),
            SYS_DESCR_0,
            PASS_SUBTREE,
            &pass(16),
        ],
    );
}

/// Past the last object: endOfMibView in v2c.
#[test]
fn v2c_end_of_mib_view() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    same(
        Peer::Snmpgetnext,
        &[
            "-v2c",
            "-c",
            "public",
            &agent.target(),
            PAST_THE_END,
            SYS_DESCR_0,
        ],
    );
}

/// Past the last object: noSuchName in v1.
#[test]
fn v1_no_such_name_past_the_end() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    same(
        Peer::Snmpgetnext,
        &["-v1", "-c", "public", &agent.target(), PAST_THE_END],
    );
}

/// v1 getnext skips the Counter64 object (RFC 3584 §4.2.2.1.2): 4.0 is followed by 6.0.
#[test]
fn v1_skips_counter64() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    same(
        Peer::Snmpgetnext,
        &["-v1", "-c", "public", &agent.target(), &pass(4)],
    );
}
