//! `vigie set` against `snmpset`.

use vigie_interop::{Peer, Snmpd, run, run_netsnmp, vigie_bin};

use crate::{
    SYS_CONTACT_0, SYS_DESCR_0, SYS_LOCATION_0, TARGET, agent, agent_case, at, pass, same,
    writable_agent, writable_agent_case,
};

cases!(writable_agent_case {
    v1_sets_contact: Snmpset ["-v1", "-c", "private", TARGET, SYS_CONTACT_0, "s", "v1 contact"];
});

cases!(agent_case {
    /// A value fixed in snmpd.conf cannot be set: notWritable in v2c.
    v2c_fixed_contact_is_not_writable: Snmpset [
        "-v2c", "-c", "private", TARGET, SYS_CONTACT_0, "s", "x",
    ];
    /// The same failure in v1 is noSuchName.
    v1_fixed_contact_is_no_such_name: Snmpset [
        "-v1", "-c", "private", TARGET, SYS_CONTACT_0, "s", "x",
    ];
});

/// Both tools set the same values; the agent then holds what vigie wrote.
#[test]
fn v2c_sets_contact_and_location() {
    let Some(agent) = writable_agent(&[Peer::Snmpset, Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    same(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            &target,
            SYS_CONTACT_0,
            "s",
            "noc@example.net",
            SYS_LOCATION_0,
            "s",
            "Room 101, \"B\" wing",
        ],
    );

    let out = run(
        &vigie_bin(),
        &[
            "set",
            "-v2c",
            "-c",
            "private",
            &target,
            SYS_CONTACT_0,
            "s",
            "written by vigie",
        ],
    );
    assert_eq!(
        out.stdout, "iso.3.6.1.2.1.1.4.0 = STRING: \"written by vigie\"\n",
        "{out}"
    );
    assert!(out.success(), "{out}");
    let check = run_netsnmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Oqv",
            &target,
            SYS_CONTACT_0,
            SYS_LOCATION_0,
        ],
    );
    assert_eq!(
        check.stdout,
        "\"written by vigie\"\n\"Room 101, \\\"B\\\" wing\"\n"
    );
}

/// Runs `snmpset` and `vigie set` with `-v2c`, then `-v1`, followed by `args` (in which
/// [`TARGET`] stands for `agent`'s address); nothing when a peer is missing.
fn v2c_then_v1(agent: Option<Snmpd>, args: &[&str]) {
    let Some(agent) = agent else {
        return;
    };
    let target = agent.target();
    for version in ["-v2c", "-v1"] {
        same(
            Peer::Snmpset,
            &[&[version][..], &at(args, &target)].concat(),
        );
    }
}

/// An INTEGER for a `DisplayString`: wrongType in v2c, badValue in v1.
#[test]
fn wrong_type() {
    v2c_then_v1(
        writable_agent(&[Peer::Snmpset]),
        &["-c", "private", TARGET, SYS_CONTACT_0, "i", "5"],
    );
}

/// The read-only community cannot write: noAccess in v2c, noSuchName in v1.
#[test]
fn read_only_community() {
    v2c_then_v1(
        agent(&[Peer::Snmpset]),
        &["-c", "public", TARGET, SYS_DESCR_0, "s", "x"],
    );
}

/// Every snmpset type letter reaches the agent (which refuses all of them).
#[test]
fn every_value_type_to_a_read_only_object() {
    let Some(agent) = agent(&[Peer::Snmpset]) else {
        return;
    };
    let target = agent.target();
    let oid = pass(1);
    for (kind, value) in [
        ("i", "-5"),
        ("u", "4294967295"),
        ("t", "8640000"),
        ("a", "192.0.2.9"),
        ("o", ".1.3.6.1.4.1.99999.7"),
        ("s", "text with spaces"),
        ("x", "0A0B0C"),
        ("d", "1.2.3"),
    ] {
        same(
            Peer::Snmpset,
            &["-v2c", "-c", "private", &target, &oid, kind, value],
        );
    }
}

/// Two varbinds, the second refused: nothing is written and the error names varbind 2.
#[test]
fn second_varbind_fails() {
    let Some(agent) = writable_agent(&[Peer::Snmpset, Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    let contact = || {
        run_netsnmp(
            Peer::Snmpget,
            &["-v2c", "-c", "public", "-Oqv", &target, SYS_CONTACT_0],
        )
        .stdout
    };
    let before = contact();
    for version in ["-v2c", "-v1"] {
        same(
            Peer::Snmpset,
            &[
                version,
                "-c",
                "private",
                &target,
                SYS_CONTACT_0,
                "s",
                "half",
                &pass(1),
                "i",
                "5",
            ],
        );
    }
    // All or nothing (RFC 3416 §4.2.5): sysContact kept its value.
    assert_eq!(contact(), before);
}

/// Values snmpset refuses before sending: unknown type letter, unparsable value, missing
/// value.
#[test]
fn invalid_values() {
    let Some(agent) = agent(&[Peer::Snmpset]) else {
        return;
    };
    let target = agent.target();
    let oid = pass(1);
    for tail in [&["z", "5"][..], &["i", "abc"][..], &["i"][..]] {
        let mut args = vec!["-v2c", "-c", "private", target.as_str(), oid.as_str()];
        args.extend_from_slice(tail);
        same(Peer::Snmpset, &args);
    }
}

/// With MIB modules (the shared directory, `-m ALL`), `=` takes the type from the object's
/// SYNTAX, `i` takes enumeration labels, and a letter that does not fit the SYNTAX, a label
/// that is not one, or a value outside the ranges is refused before anything is sent: the
/// same output and exit status as `snmpset`, and the agent then holds what `=` wrote.
#[test]
fn mib_typed_values() {
    let Some(dir) = crate::mibs::mib_dir() else {
        return;
    };
    let Some(agent) = writable_agent(&[Peer::Snmpset, Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    let dir = dir.to_string_lossy().into_owned();
    let cases: &[&[&str]] = &[
        &["SNMPv2-MIB::sysLocation.0", "=", "located by ="],
        &["SNMPv2-MIB::sysName.0", "i", "5"],
        &["SNMPv2-MIB::sysName.0", "x", "41 42 43"],
        &["IF-MIB::ifAdminStatus.1", "i", "bogus"],
        &["IF-MIB::ifAdminStatus.1", "i", "down(2)"],
        &["IF-MIB::ifAdminStatus.1", "u", "2"],
        &["IF-MIB::ifIndex.1", "i", "0"],
        &["1.3.6.1.4.1.99.1", "=", "5"],
        // Read-only in snmpd: both print the agent's refusal.
        &["SNMPv2-MIB::sysUpTime.0", "=", "5"],
    ];
    for case in cases {
        let args = [
            &["-v2c", "-c", "private", "-M", &dir, "-m", "ALL", &target][..],
            case,
        ]
        .concat();
        same(Peer::Snmpset, &args);
    }
    let out = run(
        &vigie_bin(),
        &[
            "set",
            "-v2c",
            "-c",
            "private",
            "-M",
            &dir,
            "-m",
            "ALL",
            &target,
            "SNMPv2-MIB::sysLocation.0",
            "=",
            "vigie by =",
        ],
    );
    assert_eq!(
        out.stdout, "SNMPv2-MIB::sysLocation.0 = STRING: vigie by =\n",
        "{out}"
    );
    let check = run_netsnmp(
        Peer::Snmpget,
        &["-v2c", "-c", "public", "-Oqv", &target, SYS_LOCATION_0],
    );
    assert_eq!(check.stdout, "\"vigie by =\"\n");
}
