//! Instance names with their indexes broken down, compared with `snmptranslate` for each
//! `-O` form, and read back into OIDs.

use std::process::Command;

use vigie_mib::{IndexError, IndexValue, LookupError, OidFormat, OidOptions};
use vigie_snmp::Oid;

use crate::{netsnmp, shared_mibs};

/// OIDs whose names exercise every index encoding and the ways decoding stops.
const OIDS: &[&str] = &[
    // Integer index; an extra arc after it.
    ".1.3.6.1.2.1.2.2.1.2.3",
    ".1.3.6.1.2.1.2.2.1.2.3.4",
    // Integer + length-prefixed string: printable, empty, non-printable, quotes, dots.
    ".1.3.6.1.6.3.16.1.2.1.3.3.6.112.117.98.108.105.99",
    ".1.3.6.1.6.3.16.1.2.1.3.3.0",
    ".1.3.6.1.6.3.16.1.2.1.3.3.3.1.2.3",
    ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.34.98",
    ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.92.98",
    ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.46.98",
    ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.126.127",
    // A length longer than what follows: the rest prints as numbers.
    ".1.3.6.1.6.3.16.1.2.1.3.3.7.112.117.98",
    // IMPLIED string, fixed-size string.
    ".1.3.6.1.6.3.12.1.2.1.2.102.111.111",
    ".1.3.6.1.6.3.12.1.2.1.2.102.0.111",
    ".1.3.6.1.2.1.17.4.3.1.2.0.17.34.51.68.85",
    ".1.3.6.1.2.1.17.4.3.1.2.97.98.99.100.101.102",
    // IpAddress, complete and short.
    ".1.3.6.1.2.1.4.20.1.1.127.0.0.1",
    ".1.3.6.1.2.1.4.20.1.1.127.0.0",
    // InetAddressType + InetAddress, in every address family and size.
    ".1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1",
    ".1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.2.1.2.3.4.5.6.7",
    ".1.3.6.1.2.1.4.34.1.3.3.8.254.128.0.0.0.0.0.1",
    ".1.3.6.1.2.1.4.34.1.3.4.20.254.128.0.0.0.0.0.0.2.1.2.3.4.5.6.7.0.0.0.2",
    ".1.3.6.1.2.1.4.34.1.3.1.3.1.2.3",
    ".1.3.6.1.2.1.4.34.1.3.16.4.1.2.3.4",
    ".1.3.6.1.2.1.4.34.1.3.0.0",
    ".1.3.6.1.2.1.4.35.1.4.2.1.4.10.0.0.1",
    ".1.3.6.1.2.1.4.24.7.1.7.1.4.10.0.0.0.8.2.0.0.1.4.10.0.0.1",
    // OBJECT IDENTIFIER index after a string.
    ".1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.3.1.3.6",
    ".1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.4.1.3.6",
    // Enumerated integer index after a string.
    ".1.3.6.1.6.3.16.1.4.1.4.8.103.114.112.99.111.109.109.49.0.3.1",
    // Empty string then integer.
    ".1.3.6.1.2.1.92.1.3.1.1.2.0.3",
    // No index, unknown arcs, roots.
    ".1.3.6.1.2.1.1.1.0",
    ".1.3.6.1.2.1.99.5.6",
    ".1.3.6.1.4.1.99999.1.2",
    ".1.3.6.1.2.1.25.4.2.1.2.1",
    ".2.5",
    ".1.3",
];

const FORMS: &[&str] = &[
    "", "-Os", "-Of", "-Ou", "-On", "-Ob", "-OX", "-Os -OX", "-Of -OX",
];

#[test]
fn instance_names_agree_with_snmptranslate() {
    let test = "instance_names_agree_with_snmptranslate";
    let (Some(root), Some(mib)) = (shared_mibs(test), netsnmp(test)) else {
        return;
    };
    if Command::new("snmptranslate").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("VIGIE_REQUIRE_PEERS").is_none(),
            "{test}: snmptranslate is missing and VIGIE_REQUIRE_PEERS is set"
        );
        eprintln!("skipping {test}: snmptranslate is not installed");
        return;
    }
    let dir = root.join("netsnmp");
    let mut mismatches = Vec::new();
    for form in FORMS {
        let output = Command::new("snmptranslate")
            .args(["-M"])
            .arg(&dir)
            .args(["-m", "ALL"])
            .args(form.split_whitespace())
            .args(OIDS)
            .output()
            .expect("snmptranslate runs");
        // snmptranslate separates names by blank lines for some forms; keep the names.
        let stdout = String::from_utf8_lossy(&output.stdout);
        let theirs: Vec<&str> = stdout.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(theirs.len(), OIDS.len(), "{form}: one name per OID");
        let options = options(form);
        for (oid, theirs) in OIDS.iter().zip(theirs) {
            let arcs: Vec<u32> = oid
                .trim_start_matches('.')
                .split('.')
                .map(|a| a.parse().expect("test OIDs are numeric"))
                .collect();
            let ours = mib.format_arcs(&arcs, &options);
            if ours != theirs {
                mismatches.push(format!("{form} {oid}: ours {ours}, snmptranslate {theirs}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

fn options(form: &str) -> OidOptions {
    let mut options = OidOptions::new();
    for flag in form.split_whitespace() {
        match flag {
            "-Os" => options.format = OidFormat::Suffix,
            "-Of" => options.format = OidFormat::Full,
            "-Ou" => options.format = OidFormat::Ucd,
            "-On" => options.format = OidFormat::Numeric,
            "-Ob" => options.numeric_index = true,
            "-OX" => options.extended_index = true,
            other => panic!("form {other} is not handled by this test"),
        }
    }
    options
}

fn oid(text: &str) -> Oid {
    text.parse().expect("test OIDs are valid")
}

#[test]
fn printed_names_read_back_to_the_same_oid() {
    let Some(mib) = netsnmp("printed_names_read_back_to_the_same_oid") else {
        return;
    };
    let extended = OidOptions {
        extended_index: true,
        ..OidOptions::new()
    };
    let round_trips = [
        ".1.3.6.1.2.1.2.2.1.2.3",
        ".1.3.6.1.6.3.16.1.2.1.3.3.6.112.117.98.108.105.99",
        ".1.3.6.1.6.3.16.1.2.1.3.3.0",
        ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.34.98",
        ".1.3.6.1.6.3.16.1.2.1.3.3.3.97.46.98",
        ".1.3.6.1.6.3.12.1.2.1.2.102.111.111",
        ".1.3.6.1.2.1.4.20.1.1.127.0.0.1",
        ".1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1",
        ".1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.2.1.2.3.4.5.6.7",
        ".1.3.6.1.2.1.4.34.1.3.3.8.254.128.0.0.0.0.0.1",
        ".1.3.6.1.2.1.4.24.7.1.7.1.4.10.0.0.0.8.2.0.0.1.4.10.0.0.1",
        ".1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.3.1.3.6",
        ".1.3.6.1.6.3.16.1.4.1.4.8.103.114.112.99.111.109.109.49.0.3.1",
        ".1.3.6.1.2.1.92.1.3.1.1.2.0.3",
    ];
    for text in round_trips {
        let expected = oid(text);
        for options in [OidOptions::new(), extended] {
            let name = mib.format_oid(&expected, &options);
            assert_eq!(mib.resolve(&name), Ok(expected.clone()), "{text} as {name}");
        }
    }
    // `-OX` prints a hinted string index through its DISPLAY-HINT; only text hints read
    // back (`[STRING: 61:62:63:64:65:66]` for a MacAddress does not).
    let mac = oid(".1.3.6.1.2.1.17.4.3.1.2.97.98.99.100.101.102");
    assert_eq!(mib.resolve(&mib.name_of(&mac)), Ok(mac.clone()));
    assert!(mib.resolve(&mib.format_oid(&mac, &extended)).is_err());
}

#[test]
fn index_forms_net_snmp_accepts_read_as_it_reads_them() {
    let Some(mib) = netsnmp("index_forms_net_snmp_accepts_read_as_it_reads_them") else {
        return;
    };
    let cases = [
        // Checked with `snmptranslate -IR -On` (Net-SNMP 5.9.3).
        (
            "vacmGroupName.3.\"pu.b\"",
            "1.3.6.1.6.3.16.1.2.1.3.3.4.112.117.46.98",
        ),
        (
            "vacmGroupName.3.\"a\\\"b\"",
            "1.3.6.1.6.3.16.1.2.1.3.3.3.97.34.98",
        ),
        (
            "snmpTargetAddrTDomain.'foo'",
            "1.3.6.1.6.3.12.1.2.1.2.102.111.111",
        ),
        (
            "vacmViewTreeFamilyType.\"all\".3.1.3.6",
            "1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.3.1.3.6",
        ),
        (
            "IP-MIB::ipAddressIfIndex.ipv4.4.127.0.0.1",
            "1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1",
        ),
        ("sysDescr.0.\"\"", "1.3.6.1.2.1.1.1.0.0"),
        ("ifDescr.3.\"a.b\".4", "1.3.6.1.2.1.2.2.1.2.3.3.97.46.98.4"),
        // The bracketed forms `-OX` prints, which vigie reads too.
        ("IF-MIB::ifDescr[3]", "1.3.6.1.2.1.2.2.1.2.3"),
        (
            "vacmGroupName[3][\"public\"]",
            "1.3.6.1.6.3.16.1.2.1.3.3.6.112.117.98.108.105.99",
        ),
        (
            "vacmGroupName[3][STRING: public]",
            "1.3.6.1.6.3.16.1.2.1.3.3.6.112.117.98.108.105.99",
        ),
        ("ipAdEntAddr[127.0.0.1]", "1.3.6.1.2.1.4.20.1.1.127.0.0.1"),
        (
            "ipAddressIfIndex[ipv4][\"127.0.0.1\"]",
            "1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1",
        ),
        (
            "ipAddressIfIndex[ipv6][\"fe80::1\"]",
            "1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1",
        ),
        (
            "vacmViewTreeFamilyType[\"all\"][SNMPv2-SMI::dod]",
            "1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.3.1.3.6",
        ),
        (
            "vacmViewTreeFamilyType[\"all\"][.1.3.6]",
            "1.3.6.1.6.3.16.1.5.2.1.4.3.97.108.108.3.1.3.6",
        ),
        ("ifDescr[3].4", "1.3.6.1.2.1.2.2.1.2.3.4"),
    ];
    for (name, expected) in cases {
        assert_eq!(mib.resolve(name), Ok(oid(expected)), "{name}");
    }
}

#[test]
fn malformed_index_forms_are_errors() {
    let Some(mib) = netsnmp("malformed_index_forms_are_errors") else {
        return;
    };
    let invalid = [
        "vacmGroupName.3.\"abc",
        "vacmGroupName[3][",
        "vacmGroupName.3.\"a\"b",
        "ifDescr[x]",
        "ifDescr.\"a\"",
        "sysUpTime.[3]",
    ];
    for name in invalid {
        assert!(mib.resolve(name).is_err(), "{name} must not resolve");
    }
    // A fixed-size string of the wrong size.
    assert!(matches!(
        mib.resolve("dot1dTpFdbStatus[\"abc\"]"),
        Err(LookupError::Index(IndexError::ValueMismatch {
            position: 0,
            ..
        }))
    ));
    // Brackets after a node with no INDEX.
    assert!(matches!(
        mib.resolve("sysDescr[0]"),
        Err(LookupError::Index(IndexError::NoIndex(_)))
    ));
}

#[test]
fn row_indexes_decode_and_encode() {
    let Some(mib) = netsnmp("row_indexes_decode_and_encode") else {
        return;
    };
    let column = |name: &str| mib.find(name).expect("known column").id();
    // ifXEntry AUGMENTS ifEntry: its INDEX is ifIndex.
    let if_x = mib
        .row_index(column("IF-MIB::ifName"))
        .expect("ifXEntry has an INDEX");
    assert_eq!(if_x.fields.len(), 1);
    assert_eq!(if_x.fields[0].name, "ifIndex");
    assert_eq!(if_x.decode(&[7]), Ok(vec![IndexValue::Integer(7)]));
    let target = mib
        .row_index(column("SNMP-TARGET-MIB::snmpTargetAddrTDomain"))
        .expect("snmpTargetAddrEntry has an INDEX");
    assert_eq!(
        target.decode(&[102, 111, 111]),
        Ok(vec![IndexValue::String(b"foo".to_vec())])
    );
    let access = mib
        .row_index(column("SNMP-VIEW-BASED-ACM-MIB::vacmAccessContextMatch"))
        .expect("vacmAccessEntry has an INDEX");
    let arcs = [3, 97, 98, 99, 0, 3, 1];
    let values = access
        .decode(&arcs)
        .expect("a complete vacmAccessEntry index");
    assert_eq!(
        values,
        vec![
            IndexValue::String(b"abc".to_vec()),
            IndexValue::String(Vec::new()),
            IndexValue::Integer(3),
            IndexValue::Integer(1),
        ]
    );
    assert_eq!(access.encode(&values), Ok(arcs.to_vec()));
    assert!(matches!(
        mib.row_index(column("SNMPv2-MIB::sysDescr")),
        Err(IndexError::NoIndex(_))
    ));
}
