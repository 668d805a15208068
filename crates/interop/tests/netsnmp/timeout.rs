//! No agent: every tool times out with Net-SNMP's message and exit status.

use vigie_interop::{PASS_SUBTREE, Peer, free_udp_port, require};

use crate::{SYS_DESCR_0, same};

/// A loopback port where nothing listens.
fn silent_target() -> String {
    format!("127.0.0.1:{}", free_udp_port())
}

#[test]
fn get() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let target = silent_target();
    for version in ["-v1", "-v2c"] {
        same(
            Peer::Snmpget,
            &[
                version,
                "-c",
                "public",
                "-t",
                "0.2",
                "-r",
                "0",
                &target,
                SYS_DESCR_0,
            ],
        );
    }
}

#[test]
fn getnext() {
    if !require(&[Peer::Snmpgetnext]) {
        return;
    }
    same(
        Peer::Snmpgetnext,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "0",
            &silent_target(),
            SYS_DESCR_0,
        ],
    );
}

#[test]
fn bulkget() {
    if !require(&[Peer::Snmpbulkget]) {
        return;
    }
    same(
        Peer::Snmpbulkget,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "0",
            &silent_target(),
            PASS_SUBTREE,
        ],
    );
}

#[test]
fn walk() {
    if !require(&[Peer::Snmpwalk]) {
        return;
    }
    same(
        Peer::Snmpwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "0",
            &silent_target(),
            PASS_SUBTREE,
        ],
    );
}

#[test]
fn bulkwalk() {
    if !require(&[Peer::Snmpbulkwalk]) {
        return;
    }
    same(
        Peer::Snmpbulkwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "0",
            &silent_target(),
            PASS_SUBTREE,
        ],
    );
}

#[test]
fn set() {
    if !require(&[Peer::Snmpset]) {
        return;
    }
    same(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-t",
            "0.2",
            "-r",
            "0",
            &silent_target(),
            SYS_DESCR_0,
            "s",
            "x",
        ],
    );
}

/// One retry doubles the wait but not the message.
#[test]
fn get_with_one_retry() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    same(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "1",
            &silent_target(),
            SYS_DESCR_0,
        ],
    );
}
