//! Command-line parsing and its errors, which must read as Net-SNMP's.

use crate::support::{Daemon, free_port, peers_available, same};

#[test]
fn usage_errors() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
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
        let outcome = same("get", args);
        assert_eq!(outcome.status, Some(1), "{args:?}");
    }
}

#[test]
fn accepted_option_forms() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
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
        let outcome = same("get", args);
        assert_eq!(outcome.status, Some(0), "{args:?}");
    }
}

#[test]
fn oid_and_host_errors() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    same(
        "get",
        &[
            "-v2c", "-c", "public", a, "foo", "iso.foo", "1..3", "1.3.", "", ".1.3.-6",
        ],
    );
    same("get", &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.x"]);
    same("get", &["-v2c", "-c", "public", a, "3.6.1"]);
    same(
        "get",
        &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.99999999999"],
    );
    same(
        "get",
        &["-v2c", "-c", "public", a, "ccitt.5", "joint-iso-ccitt.5"],
    );
    same(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            "nosuchhost.invalid",
            "1.3.6.1.2.1.1.1.0",
        ],
    );
    let silent = format!("localhost:{}", free_port());
    let outcome = same(
        "get",
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
