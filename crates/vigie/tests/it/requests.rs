//! get, getnext, bulkget and set against snmpd.

use vigie_interop::{Peer, run_as_shell};

use crate::support::{agent, same, vigie};

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
const SYS_CONTACT: &str = "1.3.6.1.2.1.1.4.0";
const NO_SUCH_OBJECT: &str = "1.3.6.1.2.1.1.99.0";

#[test]
fn get_prints_values_and_v2_exceptions() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let outcome = same(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            a,
            SYS_DESCR,
            SYS_OBJECT_ID,
            NO_SUCH_OBJECT,
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
        Peer::Snmpget,
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
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let outcome = same(
        Peer::Snmpget,
        &["-v1", "-c", "public", a, SYS_DESCR, NO_SUCH_OBJECT],
    );
    assert_eq!(outcome.status, Some(2));
    assert!(
        outcome
            .stderr
            .starts_with("Error in packet\nReason: (noSuchName)")
    );
    let outcome = same(
        Peer::Snmpget,
        &["-v1", "-c", "public", "-Cf", a, SYS_DESCR, NO_SUCH_OBJECT],
    );
    assert_eq!(outcome.stdout, "");
    same(
        Peer::Snmpget,
        &[
            "-v1",
            "-c",
            "public",
            a,
            NO_SUCH_OBJECT,
            SYS_DESCR,
            "1.3.6.1.2.1.1.98.0",
        ],
    );
}

#[test]
fn getnext_and_end_of_mib() {
    let Some(agent) = agent(&[Peer::Snmpgetnext]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let cases: &[&[&str]] = &[
        &["-v2c", "-c", "public", a, SYS_DESCR, "1.3.6.1.2.1.1.9.1.2"],
        &["-v2c", "-c", "public", a, "1.4"],
        &["-v1", "-c", "public", "-Cf", a, "1.4", SYS_DESCR],
    ];
    for args in cases {
        same(Peer::Snmpgetnext, args);
    }
    let outcome = same(
        Peer::Snmpgetnext,
        &["-v1", "-c", "public", a, "1.4", SYS_DESCR],
    );
    assert!(outcome.stderr.starts_with("Error in packet.\n"));
}

#[test]
fn bulkget_parameters() {
    let Some(agent) = agent(&[Peer::Snmpbulkget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let cases: &[&[&str]] = &[
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
        &[
            "-v2c",
            "-c",
            "public",
            "-Cn1r4",
            a,
            SYS_DESCR,
            "1.3.6.1.2.1.1.9.1.3",
        ],
        &["-v2c", "-c", "public", "-Cr2", a, "1.4"],
        &["-v1", "-c", "public", a, SYS_DESCR],
        &["-v2c", "-c", "public", "-Cx", a, SYS_DESCR],
        &["-v2c", "-c", "public", "-Cn", a, SYS_DESCR],
    ];
    for args in cases {
        same(Peer::Snmpbulkget, args);
    }
}

#[test]
fn set_success_quiet_and_errors() {
    let Some(agent) = agent(&[Peer::Snmpset]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let outcome = same(
        Peer::Snmpset,
        &["-v2c", "-c", "private", a, SYS_CONTACT, "s", "-5"],
    );
    assert_eq!(outcome.stdout, "iso.3.6.1.2.1.1.4.0 = STRING: \"-5\"\n");
    let cases: &[&[&str]] = &[
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
        &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, "b", "0,3,9"],
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
    ];
    for args in cases {
        same(Peer::Snmpset, args);
    }
    let outcome = same(
        Peer::Snmpset,
        &["-v2c", "-c", "private", a, SYS_DESCR, "s", "x"],
    );
    assert_eq!(outcome.status, Some(2));
    let cases: &[&[&str]] = &[
        &["-v2c", "-c", "private", a, SYS_CONTACT, "i", "5"],
        &["-v1", "-c", "private", a, SYS_CONTACT, "i", "5"],
        &["-v2c", "-c", "public", a, SYS_CONTACT, "s", "x"],
        &["-v1", "-c", "public", a, SYS_CONTACT, "s", "x"],
        // The value is checked locally; these never reach the agent.
        &["-v2c", "-c", "private", a, SYS_CONTACT, "i", "abc"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "i", ""],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "x", "414"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "d", "1.300"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "a", "x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "o", "foo"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "b", "3,x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "U", "x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "I", "+5"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "F", "x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "i", "99999999999"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "q", "x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "=", "x"],
        &["-v2c", "-c", "private", a, SYS_CONTACT, "s"],
        &["-v2c", "-c", "private", a, SYS_CONTACT],
        &["-v2c", "-c", "private", a],
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
        // snmpset stops reading options at the agent: these are operands.
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
        &["-v2c", "-c", "private", a, "-On", SYS_CONTACT, "s", "x"],
    ];
    for args in cases {
        same(Peer::Snmpset, args);
    }
}

#[test]
fn set_sends_what_snmpset_sends() {
    let Some(agent) = agent(&[Peer::Snmpset, Peer::Snmpget]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let read_contact =
        || run_as_shell(Peer::Snmpget, &["-v2c", "-c", "public", a, SYS_CONTACT]).stdout;
    // Each value is stored by the agent and read back; both tools must leave the same bytes.
    for (kind, value) in [
        ("x", "7f 41 42"),
        ("x", "0x4344"),
        ("d", "1.2.3"),
        ("b", "1 15"),
        ("s", "text with \"quotes\""),
    ] {
        let set = ["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, kind, value];
        let sent = run_as_shell(Peer::Snmpset, &set);
        assert!(sent.success(), "snmpset {kind} {value}: {sent}");
        let expected = read_contact();
        let reset = vigie(
            "set",
            &["-v2c", "-c", "private", "-Cq", a, SYS_CONTACT, "s", "reset"],
        );
        assert!(reset.success(), "{reset}");
        let written = vigie("set", &set);
        assert!(written.success(), "{written}");
        assert_eq!(read_contact(), expected, "set {kind} {value}");
    }
}

#[test]
fn json_document() {
    let Some(agent) = agent(&[]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let output = vigie(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            "--json",
            a,
            SYS_OBJECT_ID,
            NO_SUCH_OBJECT,
        ],
    );
    assert_eq!(output.status, Some(0));
    let document: serde_json::Value =
        serde_json::from_str(&output.stdout).expect("one JSON document");
    assert_eq!(
        document,
        serde_json::json!({"varbinds": [
            {"oid": ".1.3.6.1.2.1.1.2.0", "type": "OID", "value": ".1.3.6.1.4.1.8072.3.2.10"},
            {"oid": ".1.3.6.1.2.1.1.99.0", "type": "noSuchObject", "value": null},
        ]})
    );
    let output = vigie("get", &["-v1", "-c", "public", "-Oj", a, NO_SUCH_OBJECT]);
    assert_eq!(output.status, Some(2));
    let document: serde_json::Value =
        serde_json::from_str(&output.stdout).expect("one JSON document");
    assert_eq!(document["error"]["kind"], "errorStatus");
    assert_eq!(document["error"]["status"], "noSuchName");
    assert_eq!(document["error"]["oid"], ".1.3.6.1.2.1.1.99.0");
    assert!(output.stderr.is_empty());
    // With modules, each varbind also has its name and an enumeration its label.
    let output = vigie(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            "--json",
            "-m",
            "IF-MIB",
            a,
            SYS_OBJECT_ID,
            "IF-MIB::ifAdminStatus.1",
        ],
    );
    assert_eq!(output.status, Some(0), "{output}");
    let document: serde_json::Value =
        serde_json::from_str(&output.stdout).expect("one JSON document");
    assert_eq!(
        document,
        serde_json::json!({"varbinds": [
            {"name": "SNMPv2-MIB::sysObjectID.0", "oid": ".1.3.6.1.2.1.1.2.0", "type": "OID",
             "value": ".1.3.6.1.4.1.8072.3.2.10"},
            {"label": "up", "name": "IF-MIB::ifAdminStatus.1", "oid": ".1.3.6.1.2.1.2.2.1.7.1",
             "type": "INTEGER", "value": 1},
        ]})
    );
}

/// `s` values read through the object's DISPLAY-HINT as snmpset reads them, against an
/// snmpd whose `pass` script accepts every SET of two columns with hinted syntaxes
/// (`ifPhysAddress`, `PhysAddress` `1x:`; `hrSWInstalledDate`, `DateAndTime`), so the agent
/// echoes the octets sent and both tools print them back through the hint. Values the hint
/// does not read go as typed; the size checks say which reading failed.
#[test]
fn set_reads_string_values_through_display_hints() {
    let mibs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/mibs/netsnmp");
    if !std::path::Path::new(mibs).is_dir() {
        eprintln!("skipping: {mibs} is absent");
        return;
    }
    if !vigie_interop::require(&[Peer::Snmpset, Peer::Snmpd]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let script = dir.path().join("accept.sh");
    // The pass protocol: no output to `-s` is a successful SET; nothing to GET or GETNEXT.
    std::fs::write(&script, "#!/bin/sh\nexit 0\n")
        .unwrap_or_else(|e| panic!("cannot write the pass script: {e}"));
    let conf = format!(
        "pass .1.3.6.1.2.1.2.2.1.6 /bin/sh {0}\npass .1.3.6.1.2.1.25.6.3.1.5 /bin/sh {0}\n",
        script.display()
    );
    let Some(agent) = vigie_interop::Snmpd::start_netsnmp_system(&conf) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let mac = "IF-MIB::ifPhysAddress.1";
    let date = "HOST-RESOURCES-MIB::hrSWInstalledDate.1";
    let cases: &[&[&str]] = &[
        &[mac, "s", "00:11:22:33:44:55"],
        &[mac, "s", "a:b:c"],
        &[mac, "s", "0011"],
        &[mac, "s", "-1:+2:0x3: 4"],
        &[mac, "s", "1:2:"],
        &[mac, "s", ""],
        &[mac, "s", "00-11-22"],
        &[mac, "s", "1::2"],
        &[mac, "x", "001122"],
        &[mac, "d", "1.2.3"],
        &[date, "s", "2026-11-24,4:50:00.0,+1:0"],
        &[date, "s", "2026-1-2,3:4:5.6"],
        &[date, "s", "2026-11-24"],
        &[date, "s", "x"],
        &[date, "s", "2026-11-24,4:50:00.0,+1:0:7"],
        &[date, "x", "07 EA 0B 18 04 32 00 00"],
        &[mac, "s", "1:2:3", date, "s", "2026-11-24,4:50:00.0"],
    ];
    for case in cases {
        let mut args = vec!["-M", mibs, "-m", "ALL", "-v2c", "-c", "private", a];
        args.extend_from_slice(case);
        same(Peer::Snmpset, &args);
    }
    let mut args = vec!["-M", mibs, "-m", "ALL", "-v2c", "-c", "private", a];
    args.extend_from_slice(&[mac, "s", "00:11:22:33:44:55"]);
    assert_eq!(
        same(Peer::Snmpset, &args).stdout,
        "IF-MIB::ifPhysAddress.1 = STRING: 0:11:22:33:44:55\n"
    );
    let mut args = vec!["-M", mibs, "-m", "ALL", "-v2c", "-c", "private", a];
    args.extend_from_slice(&[date, "s", "2026-11-24"]);
    let outcome = same(Peer::Snmpset, &args);
    assert_eq!(
        outcome.stderr,
        "HOST-RESOURCES-MIB::hrSWInstalledDate.1: Value out of range (Value does not match DISPLAY-HINT :: {(8), (11)})\n"
    );
    assert_eq!(outcome.status, Some(1));
}
