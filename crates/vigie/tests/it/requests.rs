//! get, getnext, bulkget and set against snmpd.

use crate::support::{Daemon, net_snmp, peers_available, same, vigie};

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
const SYS_CONTACT: &str = "1.3.6.1.2.1.1.4.0";

#[test]
fn get_prints_values_and_v2_exceptions() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    let outcome = same(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            a,
            SYS_DESCR,
            SYS_OBJECT_ID,
            "1.3.6.1.2.1.1.99.0",
            "1.3.6.1.2.1.1.1.7",
        ],
    );
    assert_eq!(outcome.status, Some(0));
    assert!(
        outcome
            .stdout
            .contains("iso.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.8072.3.2.10\n")
    );
    assert!(
        outcome
            .stdout
            .contains("= No Such Object available on this agent at this OID\n")
    );
    same(
        "get",
        &[
            "-v",
            "2c",
            "-cpublic",
            a,
            ".1.3.6.1.2.1.1.1.0",
            "iso.3.6.1.2.1.1.2.0",
        ],
    );
}

#[test]
fn get_v1_error_is_reported_then_fixed() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    let outcome = same(
        "get",
        &["-v1", "-c", "public", a, SYS_DESCR, "1.3.6.1.2.1.1.99.0"],
    );
    assert_eq!(outcome.status, Some(2));
    assert!(
        outcome
            .stderr
            .starts_with("Error in packet\nReason: (noSuchName)")
    );
    let outcome = same(
        "get",
        &[
            "-v1",
            "-c",
            "public",
            "-Cf",
            a,
            SYS_DESCR,
            "1.3.6.1.2.1.1.99.0",
        ],
    );
    assert_eq!(outcome.stdout, "");
    same(
        "get",
        &[
            "-v1",
            "-c",
            "public",
            a,
            "1.3.6.1.2.1.1.99.0",
            SYS_DESCR,
            "1.3.6.1.2.1.1.98.0",
        ],
    );
}

#[test]
fn getnext_and_end_of_mib() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    same(
        "getnext",
        &["-v2c", "-c", "public", a, SYS_DESCR, "1.3.6.1.2.1.1.9.1.2"],
    );
    same("getnext", &["-v2c", "-c", "public", a, "1.4"]);
    let outcome = same("getnext", &["-v1", "-c", "public", a, "1.4", SYS_DESCR]);
    assert!(outcome.stderr.starts_with("Error in packet.\n"));
    same(
        "getnext",
        &["-v1", "-c", "public", "-Cf", a, "1.4", SYS_DESCR],
    );
}

#[test]
fn bulkget_parameters() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    same(
        "bulkget",
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn1",
            "-Cr3",
            a,
            SYS_DESCR,
            "1.3.6.1.2.1.1.9.1.2",
        ],
    );
    same(
        "bulkget",
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn1r4",
            a,
            SYS_DESCR,
            "1.3.6.1.2.1.1.9.1.3",
        ],
    );
    same("bulkget", &["-v2c", "-c", "public", "-Cr2", a, "1.4"]);
    same("bulkget", &["-v1", "-c", "public", a, SYS_DESCR]);
    same("bulkget", &["-v2c", "-c", "public", "-Cx", a, SYS_DESCR]);
    same("bulkget", &["-v2c", "-c", "public", "-Cn", a, SYS_DESCR]);
}

#[test]
fn set_success_quiet_and_errors() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    let outcome = same("set", &["-v2c", "-c", "private", a, SYS_CONTACT, "s", "-5"]);
    assert_eq!(outcome.stdout, "iso.3.6.1.2.1.1.4.0 = STRING: \"-5\"\n");
    same(
        "set",
        &[
            "-v2c",
            "-c",
            "private",
            a,
            SYS_CONTACT,
            "x",
            "41 42",
            "1.3.6.1.2.1.1.6.0",
            "d",
            "65.66",
        ],
    );
    same(
        "set",
        &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, "b", "0,3,9"],
    );
    same(
        "set",
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            a,
            SYS_CONTACT,
            "string",
            "admin",
        ],
    );
    let outcome = same("set", &["-v2c", "-c", "private", a, SYS_DESCR, "s", "x"]);
    assert_eq!(outcome.status, Some(2));
    same("set", &["-v2c", "-c", "private", a, SYS_CONTACT, "i", "5"]);
    same("set", &["-v1", "-c", "private", a, SYS_CONTACT, "i", "5"]);
    same("set", &["-v2c", "-c", "public", a, SYS_CONTACT, "s", "x"]);
    same("set", &["-v1", "-c", "public", a, SYS_CONTACT, "s", "x"]);
    // The value is checked locally; these never reach the agent.
    for (kind, value) in [
        ("i", "abc"),
        ("i", ""),
        ("x", "414"),
        ("d", "1.300"),
        ("a", "x"),
        ("o", "foo"),
        ("b", "3,x"),
        ("U", "x"),
        ("I", "+5"),
        ("F", "x"),
    ] {
        same(
            "set",
            &["-v2c", "-c", "private", a, SYS_CONTACT, kind, value],
        );
    }
    same(
        "set",
        &["-v2c", "-c", "private", a, SYS_CONTACT, "i", "99999999999"],
    );
    same("set", &["-v2c", "-c", "private", a, SYS_CONTACT, "q", "x"]);
    same("set", &["-v2c", "-c", "private", a, SYS_CONTACT, "=", "x"]);
    same("set", &["-v2c", "-c", "private", a, SYS_CONTACT, "s"]);
    same("set", &["-v2c", "-c", "private", a, SYS_CONTACT]);
    same("set", &["-v2c", "-c", "private", a]);
    same(
        "set",
        &[
            "-v2c",
            "-c",
            "private",
            a,
            "foo",
            "s",
            "x",
            "bar",
            "i",
            "abc",
            SYS_CONTACT,
            "a",
            "x",
        ],
    );
    // snmpset stops reading options at the agent: these are operands.
    same(
        "set",
        &[
            "-v2c",
            "-c",
            "private",
            a,
            SYS_CONTACT,
            "s",
            "hello",
            "-Onq",
        ],
    );
    same(
        "set",
        &["-v2c", "-c", "private", a, "-On", SYS_CONTACT, "s", "x"],
    );
}

#[test]
fn set_sends_what_snmpset_sends() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    // Each value is stored by the agent and read back; both tools must leave the same bytes.
    for (kind, value) in [
        ("x", "7f 41 42"),
        ("x", "0x4344"),
        ("d", "1.2.3"),
        ("b", "1 15"),
        ("s", "text with \"quotes\""),
    ] {
        let sent = net_snmp(
            "set",
            &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, kind, value],
        );
        assert!(sent.status.success(), "snmpset {kind} {value}: {sent:?}");
        let expected = net_snmp("get", &["-v2c", "-c", "public", a, SYS_CONTACT]).stdout;
        assert!(
            vigie(
                "set",
                &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, "s", "reset"]
            )
            .status
            .success()
        );
        assert!(
            vigie(
                "set",
                &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, kind, value]
            )
            .status
            .success()
        );
        let actual = net_snmp("get", &["-v2c", "-c", "public", a, SYS_CONTACT]).stdout;
        assert_eq!(actual, expected, "set {kind} {value}");
    }
}

#[test]
fn json_document() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    let output = vigie(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            "--json",
            a,
            SYS_OBJECT_ID,
            "1.3.6.1.2.1.1.99.0",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(
        document,
        serde_json::json!({"varbinds": [
            {"oid": ".1.3.6.1.2.1.1.2.0", "type": "OID", "value": ".1.3.6.1.4.1.8072.3.2.10"},
            {"oid": ".1.3.6.1.2.1.1.99.0", "type": "noSuchObject", "value": null},
        ]})
    );
    let output = vigie(
        "get",
        &["-v1", "-c", "public", "-Oj", a, "1.3.6.1.2.1.1.99.0"],
    );
    assert_eq!(output.status.code(), Some(2));
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(document["error"]["kind"], "errorStatus");
    assert_eq!(document["error"]["status"], "noSuchName");
    assert_eq!(document["error"]["oid"], ".1.3.6.1.2.1.1.99.0");
    assert!(output.stderr.is_empty());
}
