//! Command-line parsing and its errors, which must read as Net-SNMP's.

use vigie_interop::{Peer, free_udp_port};

use crate::support::{agent, same};

#[test]
fn usage_errors() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let oid = "1.3.6.1.2.1.1.1.0";
    let cases: &[&[&str]] = &[
        &[a, oid],
        &["-c", "public", a, oid],
        &["-v1", a, oid],
        &["-v2c", "-c", "public", a],
        &["-v2c", "-c", "public"],
        &["-v2c", "-c"],
        &["-v", "4", "-c", "public", a, oid],
        &["-v2c", "-c", "public", "-Q", a, oid],
        &["-v2c", "-c", "public", a, oid, "-5"],
        &["-v2c", "-c", "public", "-OZ", a, oid],
        &["-v2c", "-c", "public", "-r", "x", a, oid],
        &["-v2c", "-c", "public", "-t", "0", a, oid],
        &["-v2c", "-c", "public", "-Cx", a, oid],
        &["-v3", a, oid],
    ];
    for args in cases {
        let outcome = same(Peer::Snmpget, args);
        assert_eq!(outcome.status, Some(1), "{args:?}");
    }
}

#[test]
fn accepted_option_forms() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let oid = "1.3.6.1.2.1.1.2.0";
    let cases: &[&[&str]] = &[
        &["-v", "2c", "-c", "public", a, oid],
        &["-v2c", "-cpublic", "-r3", "-t2.5", "-Onq", a, oid],
        &["-v", "2C", "-c", "public", "-r", "1x", a, oid],
        &[
            "-v2c",
            "-c",
            "public",
            "-m",
            "",
            "-M",
            "/nonexistent",
            "-Ob",
            a,
            oid,
        ],
        &[a, oid, "-v2c", "-c", "public", "-Ov"],
        &["-v2c", "-c", "public", "--", a, oid],
        &["-v2c", "-c", "public", "-O", "", "-C", "", a, oid],
        &["-v1", "-c", "public", "-Oqv", a, oid],
    ];
    for args in cases {
        let outcome = same(Peer::Snmpget, args);
        assert_eq!(outcome.status, Some(0), "{args:?}");
    }
}

#[test]
fn oid_and_host_errors() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let cases: &[&[&str]] = &[
        &[
            "-v2c", "-c", "public", a, "foo", "iso.foo", "1..3", "1.3.", "", ".1.3.-6",
        ],
        &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.x"],
        &["-v2c", "-c", "public", a, "3.6.1"],
        &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.99999999999"],
        &["-v2c", "-c", "public", a, "ccitt.5", "joint-iso-ccitt.5"],
        &[
            "-v2c",
            "-c",
            "public",
            "nosuchhost.invalid",
            "1.3.6.1.2.1.1.1.0",
        ],
    ];
    for args in cases {
        same(Peer::Snmpget, args);
    }
    let silent = format!("localhost:{}", free_udp_port());
    let outcome = same(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "1",
            &silent,
            "1.3.6.1.2.1.1.1.0",
        ],
    );
    assert_eq!(
        outcome.stderr,
        format!("Timeout: No Response from {silent}.\n")
    );
}
