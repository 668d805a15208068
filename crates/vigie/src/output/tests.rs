//! Expected texts are Net-SNMP 5.9.3's output for the same values (`snmpget -m ''` against an
//! agent answering with these encodings), copied byte for byte.

use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_snmp::{Value, VarBind};

use super::*;

fn options(flags: &str) -> OutputOptions {
    let mut options = OutputOptions::default();
    options.apply(flags, || None).unwrap();
    options
}

fn vb(oid: &str, value: Value) -> VarBind {
    VarBind {
        name: oid.parse().unwrap(),
        value,
    }
}

fn octets(bytes: &'static [u8]) -> Value {
    Value::OctetString(Bytes::from_static(bytes))
}

fn opaque(bytes: &'static [u8]) -> Value {
    Value::Opaque(Bytes::from_static(bytes))
}

fn line(flags: &str, value: Value) -> String {
    options(flags).varbind(&vb("1.3.6.1.1.1", value))
}

#[test]
fn every_type_in_the_default_format() {
    let cases: [(Value, &str); 22] = [
        (Value::Integer(-5), "iso.3.6.1.1.1 = INTEGER: -5"),
        (octets(b"hello"), "iso.3.6.1.1.1 = STRING: \"hello\""),
        (octets(b""), "iso.3.6.1.1.1 = \"\""),
        (
            octets(&[0, 1, 2, 3, 0xff]),
            "iso.3.6.1.1.1 = Hex-STRING: 00 01 02 03 FF ",
        ),
        (
            octets(b"quote\"back\\slash"),
            "iso.3.6.1.1.1 = STRING: \"quote\\\"back\\\\slash\"",
        ),
        (
            octets(b"line1\nline2"),
            "iso.3.6.1.1.1 = STRING: \"line1\nline2\"",
        ),
        (
            octets(b"hello\0"),
            "iso.3.6.1.1.1 = Hex-STRING: 68 65 6C 6C 6F 00 ",
        ),
        (
            octets(&[0x61, 0xa0, 0x62]),
            "iso.3.6.1.1.1 = Hex-STRING: 61 A0 62 ",
        ),
        (octets(&[0x7f]), "iso.3.6.1.1.1 = Hex-STRING: 7F "),
        (
            Value::ObjectIdentifier("1.3.6.1.4.1.8072".parse().unwrap()),
            "iso.3.6.1.1.1 = OID: iso.3.6.1.4.1.8072",
        ),
        (
            Value::ObjectIdentifier("0.0".parse().unwrap()),
            "iso.3.6.1.1.1 = OID: ccitt.0",
        ),
        (
            Value::IpAddress(Ipv4Addr::new(10, 1, 2, 3)),
            "iso.3.6.1.1.1 = IpAddress: 10.1.2.3",
        ),
        (
            Value::Counter32(u32::MAX),
            "iso.3.6.1.1.1 = Counter32: 4294967295",
        ),
        (Value::Gauge32(7), "iso.3.6.1.1.1 = Gauge32: 7"),
        (
            Value::TimeTicks(123_456_789),
            "iso.3.6.1.1.1 = Timeticks: (123456789) 14 days, 6:56:07.89",
        ),
        (
            Value::Counter64(u64::MAX),
            "iso.3.6.1.1.1 = Counter64: 18446744073709551615",
        ),
        (Value::Null, "iso.3.6.1.1.1 = NULL"),
        (
            Value::NsapAddress(Bytes::from_static(&[0x47])),
            "iso.3.6.1.1.1 = Variable has bad type",
        ),
        (
            Value::NoSuchObject,
            "iso.3.6.1.1.1 = No Such Object available on this agent at this OID",
        ),
        (
            Value::NoSuchInstance,
            "iso.3.6.1.1.1 = No Such Instance currently exists at this OID",
        ),
        (
            Value::EndOfMibView,
            "iso.3.6.1.1.1 = No more variables left in this MIB View (It is past the end of the MIB tree)",
        ),
        (opaque(&[0x01, 0x02]), "iso.3.6.1.1.1 = OPAQUE: 01 02 "),
    ];
    for (value, expected) in cases {
        assert_eq!(line("", value), expected);
    }
}

#[test]
fn opaque_wrapped_numbers() {
    let cases: [(&'static [u8], &str); 8] = [
        (
            &[0x9f, 0x78, 0x04, 0x41, 0x20, 0x00, 0x00],
            "Opaque: Float: 10.000000",
        ),
        (
            &[0x9f, 0x78, 0x04, 0xc0, 0x49, 0x0f, 0xdb],
            "Opaque: Float: -3.141593",
        ),
        // Net-SNMP labels a double "Float" too.
        (
            &[0x9f, 0x79, 0x08, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
            "Opaque: Float: 1.500000",
        ),
        (
            &[
                0x9f, 0x79, 0x08, 0x44, 0x15, 0xaf, 0x1d, 0x78, 0xb5, 0x8c, 0x40,
            ],
            "Opaque: Float: 100000000000000000000.000000",
        ),
        (&[0x9f, 0x7a, 0x01, 0xfb], "Opaque: Int64: -5"),
        (
            &[0x9f, 0x7b, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff],
            "Opaque: UInt64: 4294967295",
        ),
        // A wrong inner length is not a wrapped value: raw hex.
        (&[0x9f, 0x78, 0x02, 0x3f, 0x80], "OPAQUE: 9F 78 02 3F 80 "),
        (&[], "OPAQUE: "),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            options("v").value(&Value::Opaque(Bytes::from_static(bytes))),
            expected
        );
    }
    assert_eq!(options("q").value(&opaque(&[0x9f, 0x7a, 0x01, 0xfb])), "-5");
}

#[test]
fn long_hex_wraps_every_16_octets() {
    let bytes: Vec<u8> = (0..34).collect();
    assert_eq!(
        hex_lines(&bytes, false),
        "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F \n20 21 "
    );
    let sixteen: Vec<u8> = (0..16).collect();
    assert!(!hex_lines(&sixteen, false).contains('\n'));
    assert_eq!(
        hex_lines(&[0, 1, 2, 3, 0xff], true),
        "00 01 02 03 FF   [.....]"
    );
    assert_eq!(hex_lines(&[], true), "  []");
}

#[test]
fn oid_formats() {
    assert_eq!(line("n", Value::Null), ".1.3.6.1.1.1 = NULL");
    assert_eq!(line("f", Value::Null), ".iso.3.6.1.1.1 = NULL");
    assert_eq!(line("u", Value::Null), ".iso.3.6.1.1.1 = NULL");
    assert_eq!(line("s", Value::Null), "iso.3.6.1.1.1 = NULL");
    assert_eq!(line("S", Value::Null), "iso.3.6.1.1.1 = NULL");
    // The last of n/f/s wins.
    assert_eq!(line("sn", Value::Null), ".1.3.6.1.1.1 = NULL");
    assert_eq!(line("ns", Value::Null), "iso.3.6.1.1.1 = NULL");
    assert_eq!(line("nf", Value::Null), ".iso.3.6.1.1.1 = NULL");
    assert_eq!(
        oid_text(&[2, 5, 1], OidFormat::Module),
        "joint-iso-ccitt.5.1"
    );
    assert_eq!(oid_text(&[0, 1], OidFormat::Numeric), ".0.1");
}

#[test]
fn decimal_arcs_match_display() {
    // Every digit count from 1 to 10, the powers of ten and their neighbours, and the extremes.
    let mut samples = vec![0, 1, 9, u32::MAX, u32::MAX - 1];
    let mut power = 10u32;
    while let Some(next) = power.checked_mul(10) {
        samples.extend([power - 1, power, power + 1]);
        power = next;
    }
    samples.extend([power - 1, power, power + 1]);
    for n in samples {
        let mut text = String::from("x");
        push_decimal(&mut text, n);
        assert_eq!(text, format!("x{n}"));
    }
    assert_eq!(
        oid_text(
            &[1, 3, 6, 1, 4, 1, 8072, 4_294_967_295, 0],
            OidFormat::Numeric
        ),
        ".1.3.6.1.4.1.8072.4294967295.0"
    );
    assert_eq!(
        oid_text(&[3, 10, 200], OidFormat::Full),
        ".3.10.200",
        "an arc with no root name is printed as digits"
    );
    // As snmptranslate -m '' prints `3.1`: with the leading dot in every format.
    assert_eq!(oid_text(&[3, 1], OidFormat::Module), ".3.1");
    assert_eq!(oid_text(&[3, 1], OidFormat::Suffix), ".3.1");
    assert_eq!(oid_text(&[1, 3, 6], OidFormat::Full), ".iso.3.6");
    assert_eq!(oid_text(&[], OidFormat::Numeric), "");
}

#[test]
fn quick_print_and_values_only() {
    assert_eq!(line("q", octets(b"hello")), "iso.3.6.1.1.1 \"hello\"");
    assert_eq!(line("Q", octets(b"hello")), "iso.3.6.1.1.1 = \"hello\"");
    assert_eq!(line("v", octets(b"hello")), "STRING: \"hello\"");
    assert_eq!(line("vq", octets(b"hello")), "\"hello\"");
    assert_eq!(line("q", octets(&[0, 0xff])), "iso.3.6.1.1.1 \"00 FF \"");
    assert_eq!(
        line("q", Value::TimeTicks(123_456_789)),
        "iso.3.6.1.1.1 14:6:56:07.89"
    );
    assert_eq!(line("q", Value::TimeTicks(0)), "iso.3.6.1.1.1 0:0:00:00.00");
    assert_eq!(line("q", opaque(&[1, 2])), "iso.3.6.1.1.1 01 02 ");
    assert_eq!(
        line("q", Value::IpAddress(Ipv4Addr::new(10, 1, 2, 3))),
        "iso.3.6.1.1.1 10.1.2.3"
    );
    assert_eq!(
        line("q", Value::NoSuchObject),
        "iso.3.6.1.1.1 No Such Object available on this agent at this OID"
    );
}

#[test]
fn flags_toggle_as_net_snmp_does() {
    // q then Q: Q turns quick-equals on and quick off, so the line is printed in full.
    assert_eq!(line("qQ", octets(b"x")), "iso.3.6.1.1.1 = STRING: \"x\"");
    assert_eq!(line("Qq", octets(b"x")), "iso.3.6.1.1.1 = STRING: \"x\"");
    assert_eq!(line("qq", octets(b"x")), "iso.3.6.1.1.1 = STRING: \"x\"");
    assert_eq!(line("vv", octets(b"x")), "iso.3.6.1.1.1 = STRING: \"x\"");
}

#[test]
fn string_formats() {
    assert_eq!(
        line("x", octets(b"hello")),
        "iso.3.6.1.1.1 = Hex-STRING: 68 65 6C 6C 6F "
    );
    assert_eq!(line("x", octets(b"")), "iso.3.6.1.1.1 = \"\"");
    assert_eq!(
        line("a", octets(&[0, 1, 2, 3, 0xff])),
        "iso.3.6.1.1.1 = STRING: \".....\""
    );
    assert_eq!(
        line("a", octets(&[0x08, 0x09, 0x0a, 0x0d, 0x0e])),
        "iso.3.6.1.1.1 = STRING: \".\t\n\r.\""
    );
    assert_eq!(
        line("T", octets(&[0x41, 0x00])),
        "iso.3.6.1.1.1 = Hex-STRING: 41 00   [A.]"
    );
    assert_eq!(
        line("Tq", octets(&[0x41, 0x00])),
        "iso.3.6.1.1.1 \"41 00   [A.]\""
    );
}

#[test]
fn timeticks_forms() {
    assert_eq!(uptime_text(0, false), "0:00:00.00");
    assert_eq!(uptime_text(8_640_000, false), "1 day, 0:00:00.00");
    assert_eq!(uptime_text(17_280_001, false), "2 days, 0:00:00.01");
    assert_eq!(line("t", Value::TimeTicks(1234)), "iso.3.6.1.1.1 = 1234");
    assert_eq!(line("qt", Value::TimeTicks(1234)), "iso.3.6.1.1.1 1234");
}

#[test]
fn precision_follows_printf() {
    let mut options = OutputOptions::default();
    let float = opaque(&[0x9f, 0x78, 0x04, 0x41, 0x20, 0x00, 0x00]);
    options.apply("p", || Some(".2".to_owned())).unwrap();
    assert_eq!(options.value(&float), "Opaque: Float: 10.00");
    options.apply("p12.1", || None).unwrap();
    assert_eq!(options.value(&float), "Opaque: Float:         10.0");
    // "%%.2ff" prints itself without a number, as Net-SNMP's printf does.
    options.apply("p%.2f", || None).unwrap();
    assert_eq!(options.value(&float), "Opaque: Float: %.2ff");
}

#[test]
fn mib_only_flags_change_nothing_and_unknown_letters_fail() {
    for flags in ["0", "b", "e", "E", "U", "X", "s", "S"] {
        assert_eq!(
            line(flags, Value::Integer(1)),
            "iso.3.6.1.1.1 = INTEGER: 1",
            "-O{flags}"
        );
    }
    let mut options = OutputOptions::default();
    assert_eq!(options.apply("nZ", || None), Err(UnknownOutputOption('Z')));
    assert_eq!(
        UnknownOutputOption('Z').to_string(),
        "Unknown output option passed to -O: Z."
    );
    assert!(!options.json);
    options.apply("j", || None).unwrap();
    assert!(options.json);
}

#[test]
fn opaque_values_encode_as_snmpset_does() {
    // Bytes from `snmpset -d` for U 5, I -5, I 128, F 1.5, D 1.5, U 2^64-1.
    assert_eq!(OpaqueValue::UInt64(5).encode(), [0x9f, 0x7b, 0x01, 0x05]);
    assert_eq!(OpaqueValue::Int64(-5).encode(), [0x9f, 0x7a, 0x01, 0xfb]);
    assert_eq!(
        OpaqueValue::Int64(128).encode(),
        [0x9f, 0x7a, 0x02, 0x00, 0x80]
    );
    assert_eq!(
        OpaqueValue::Float(1.5).encode(),
        [0x9f, 0x78, 0x04, 0x3f, 0xc0, 0x00, 0x00]
    );
    assert_eq!(
        OpaqueValue::Double(1.5).encode(),
        [0x9f, 0x79, 0x08, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        OpaqueValue::UInt64(u64::MAX).encode(),
        [
            0x9f, 0x7b, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ]
    );
    for value in [
        OpaqueValue::Int64(i64::MIN),
        OpaqueValue::Int64(-1),
        OpaqueValue::UInt64(0),
        OpaqueValue::Counter64(1 << 63),
    ] {
        assert_eq!(OpaqueValue::decode(&value.encode()), Some(value));
    }
}

#[test]
fn names_and_values_with_the_builtin_modules() {
    // Expected texts: `snmpget -M …/netsnmp -m ALL` against snmpd (Net-SNMP 5.9.3).
    let mib = MibSet::builtin();
    let mib = Some(&mib);
    let status = vb(".1.3.6.1.2.1.2.2.1.8.1", Value::Integer(1));
    assert_eq!(
        options("").varbind_with(mib, &status),
        "IF-MIB::ifOperStatus.1 = INTEGER: up(1)"
    );
    assert_eq!(
        options("se").varbind_with(mib, &status),
        "ifOperStatus.1 = INTEGER: 1"
    );
    assert_eq!(
        options("q").varbind_with(mib, &status),
        "IF-MIB::ifOperStatus.1 up"
    );
    assert_eq!(
        options("f").varbind_with(mib, &status),
        ".iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifOperStatus.1 = INTEGER: up(1)"
    );
    assert_eq!(
        options("n").varbind_with(mib, &status),
        ".1.3.6.1.2.1.2.2.1.8.1 = INTEGER: up(1)"
    );
    let descr = vb(
        ".1.3.6.1.2.1.1.1.0",
        Value::OctetString(Bytes::from_static(b"Linux")),
    );
    assert_eq!(
        options("").varbind_with(mib, &descr),
        "SNMPv2-MIB::sysDescr.0 = STRING: Linux"
    );
    let units = vb(".1.3.6.1.2.1.25.2.3.1.4.1", Value::Integer(1024));
    assert_eq!(
        options("").varbind_with(mib, &units),
        "HOST-RESOURCES-MIB::hrStorageAllocationUnits.1 = INTEGER: 1024 Bytes"
    );
    assert_eq!(
        options("U").varbind_with(mib, &units),
        "HOST-RESOURCES-MIB::hrStorageAllocationUnits.1 = INTEGER: 1024"
    );
    // Without modules, the no-MIB forms.
    assert_eq!(
        options("").varbind_with(None, &status),
        "iso.3.6.1.2.1.2.2.1.8.1 = INTEGER: 1"
    );
}
