use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_snmp::Oid;

use super::*;
use crate::NamedNumber;

fn named(pairs: &[(&str, i64)]) -> Vec<NamedNumber> {
    pairs
        .iter()
        .map(|&(name, value)| NamedNumber {
            name: name.to_owned(),
            value,
        })
        .collect()
}

fn syntax(base: BaseType) -> Syntax {
    Syntax::base(base)
}

fn hinted(base: BaseType, hint: &str) -> Syntax {
    let mut s = Syntax::base(base);
    s.hint = Some(hint.to_owned());
    s
}

fn octets(bytes: &[u8]) -> Value {
    Value::OctetString(Bytes::copy_from_slice(bytes))
}

fn show(value: &Value, syntax: Option<&Syntax>, units: Option<&str>) -> String {
    format_value(value, syntax, units, &ValueOptions::new())
}

#[test]
fn enumerations_print_label_and_number() {
    let mut status = syntax(BaseType::Integer);
    status.enums = named(&[("up", 1), ("down", 2)]);
    assert_eq!(
        show(&Value::Integer(1), Some(&status), None),
        "INTEGER: up(1)"
    );
    // A value outside the enumeration prints as a number.
    assert_eq!(show(&Value::Integer(7), Some(&status), None), "INTEGER: 7");
    let numeric = ValueOptions {
        numeric_enums: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&Value::Integer(2), Some(&status), None, &numeric),
        "INTEGER: 2"
    );
    let quick = ValueOptions {
        quick: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&Value::Integer(2), Some(&status), None, &quick),
        "down"
    );
}

#[test]
fn strings_with_and_without_hints() {
    let display = hinted(BaseType::OctetString, "255a");
    assert_eq!(show(&octets(b"eth0"), Some(&display), None), "STRING: eth0");
    // With a hint, text is copied as is: no quotes, no escapes.
    assert_eq!(show(&octets(b"a\"b"), Some(&display), None), "STRING: a\"b");
    assert_eq!(show(&octets(b""), Some(&display), None), "STRING: ");
    assert_eq!(
        show(&octets(&[0xc3, 0xa9, 0x01]), Some(&display), None),
        "STRING: \u{e9}\u{1}"
    );
    // A NUL makes Net-SNMP 5.9 escape the text and show controls as dots.
    assert_eq!(
        show(&octets(b"a\"\0\\"), Some(&display), None),
        "STRING: a\\\".\\\\"
    );
    let plain = syntax(BaseType::OctetString);
    assert_eq!(
        show(&octets(b"eth0"), Some(&plain), None),
        "STRING: \"eth0\""
    );
    assert_eq!(
        show(&octets(b"a\"b\\"), Some(&plain), None),
        "STRING: \"a\\\"b\\\\\""
    );
    assert_eq!(show(&octets(b""), Some(&plain), None), "\"\"");
    assert_eq!(
        show(&octets(&[0x80, 0x00, 0x1f]), Some(&plain), None),
        "Hex-STRING: 80 00 1F "
    );
    // Tabs and newlines are text, not binary.
    assert_eq!(
        show(&octets(b"a\tb\n"), Some(&plain), None),
        "STRING: \"a\tb\n\""
    );
    let quick = ValueOptions {
        quick: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&octets(&[1, 2]), Some(&plain), None, &quick),
        "\"01 02 \""
    );
    assert_eq!(
        format_value(&octets(b"x"), Some(&plain), None, &quick),
        "\"x\""
    );
    let hex = ValueOptions {
        hex_strings: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&octets(b"AB"), Some(&plain), None, &hex),
        "Hex-STRING: 41 42 "
    );
}

#[test]
fn long_hex_strings_break_every_sixteen_octets() {
    let bytes: Vec<u8> = (0..20).collect();
    assert_eq!(
        show(&octets(&bytes), None, None),
        "Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 11 12 13 "
    );
}

#[test]
fn octet_string_hints_follow_rfc_2579() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "1x:",
            &[0x00, 0x1b, 0x21, 0xaa, 0x0b, 0xff],
            "0:1b:21:aa:b:ff",
        ),
        ("1d.1d.1d.1d", &[192, 168, 1, 10], "192.168.1.10"),
        (
            "2d-1d-1d,1d:1d:1d.1d,1a1d:1d",
            &[0x07, 0xe8, 1, 15, 10, 30, 5, 0, b'+', 1, 0],
            "2024-1-15,10:30:5.0,+1:0",
        ),
        // DateAndTime without its time zone: the data ends, so does the output.
        (
            "2d-1d-1d,1d:1d:1d.1d,1a1d:1d",
            &[0x07, 0xe8, 1, 15, 10, 30, 5, 0],
            "2024-1-15,10:30:5.0",
        ),
        ("255a", b"hello", "hello"),
        ("1a", b"abc", "abc"),
        ("2x:", &[0xfe, 0x80, 0x00, 0x01], "fe80:1"),
        // The repeat indicator: the first octet counts the repetitions. Net-SNMP writes
        // the separator after the last repetition too, before the terminator.
        ("*1x:/1x:", &[2, 0xaa, 0xbb, 0xcc, 0xdd], "aa:bb:/cc:dd"),
        ("1o", &[8, 9], "1011"),
        ("4d", &[0, 0, 1, 0], "256"),
        (
            "2x:2x:2x:2x:2x:2x:2x:2x%4d",
            &[
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3,
            ],
            "fe80:0:0:0:0:0:0:1%3",
        ),
        ("1d.1d.1d.1d/2d", &[10, 0, 0, 0, 0, 8], "10.0.0.0/8"),
    ];
    for &(hint, bytes, expected) in cases {
        assert_eq!(
            format_octets_with_hint(bytes, hint).as_deref(),
            Some(expected),
            "{hint}"
        );
    }
    assert_eq!(format_octets_with_hint(&[1], "1q"), None);
    let bad = hinted(BaseType::OctetString, "1q");
    assert_eq!(
        show(&octets(b"ok"), Some(&bad), None),
        "(Bad hint ignored: 1q) STRING: \"ok\""
    );
}

#[test]
fn integer_hints_place_the_decimal_point() {
    assert_eq!(format_integer_with_hint(1234, "d-2"), "12.34");
    assert_eq!(format_integer_with_hint(5, "d-2"), ".05");
    assert_eq!(format_integer_with_hint(12, "d-2"), ".12");
    assert_eq!(format_integer_with_hint(255, "x"), "ff");
    assert_eq!(format_integer_with_hint(8, "o"), "10");
    assert_eq!(format_integer_with_hint(5, "b"), "101");
    assert_eq!(format_integer_with_hint(42, "d"), "42");
    let tenths = hinted(BaseType::Integer32, "d-1");
    assert_eq!(
        show(&Value::Integer(215), Some(&tenths), Some("degrees")),
        "INTEGER: 21.5 degrees"
    );
    let gauge = hinted(BaseType::Gauge32, "d-3");
    assert_eq!(
        show(&Value::Gauge32(1500), Some(&gauge), None),
        "Gauge32: 1.500"
    );
}

#[test]
fn bits_print_hex_then_labels() {
    let mut days = syntax(BaseType::Bits);
    days.bits = named(&[("sunday", 0), ("monday", 1), ("saturday", 6)]);
    assert_eq!(
        show(&octets(&[0x80]), Some(&days), None),
        "BITS: 80 sunday(0) "
    );
    assert_eq!(
        show(&octets(&[0xc2, 0x01]), Some(&days), None),
        "BITS: C2 01 sunday(0) monday(1) saturday(6) 15 "
    );
    assert_eq!(show(&octets(&[]), Some(&days), None), "BITS: ");
    let numeric = ValueOptions {
        numeric_enums: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&octets(&[0x40]), Some(&days), None, &numeric),
        "BITS: 40 1 "
    );
}

#[test]
fn timeticks_counters_and_units() {
    let ticks = syntax(BaseType::TimeTicks);
    assert_eq!(
        show(&Value::TimeTicks(123), Some(&ticks), None),
        "Timeticks: (123) 0:00:01.23"
    );
    assert_eq!(
        show(&Value::TimeTicks(8_640_000 + 366_100), Some(&ticks), None),
        "Timeticks: (9006100) 1 day, 1:01:01.00"
    );
    assert_eq!(
        show(&Value::TimeTicks(4_294_967_295), Some(&ticks), None),
        "Timeticks: (4294967295) 497 days, 2:27:52.95"
    );
    let raw = ValueOptions {
        numeric_timeticks: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&Value::TimeTicks(123), Some(&ticks), None, &raw),
        "123"
    );
    let quick = ValueOptions {
        quick: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(&Value::TimeTicks(123), Some(&ticks), None, &quick),
        "0:0:00:01.23"
    );
    let gauge = syntax(BaseType::Gauge32);
    assert_eq!(
        show(&Value::Gauge32(100), Some(&gauge), Some("Mbits/s")),
        "Gauge32: 100 Mbits/s"
    );
    let no_units = ValueOptions {
        no_units: true,
        ..ValueOptions::new()
    };
    assert_eq!(
        format_value(
            &Value::Gauge32(100),
            Some(&gauge),
            Some("Mbits/s"),
            &no_units
        ),
        "Gauge32: 100"
    );
    assert_eq!(
        show(&Value::Counter64(18_446_744_073_709_551_615), None, None),
        "Counter64: 18446744073709551615"
    );
    assert_eq!(show(&Value::Counter32(7), None, None), "Counter32: 7");
}

#[test]
fn other_types_and_exceptions() {
    let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
    assert_eq!(
        show(&Value::ObjectIdentifier(oid), None, None),
        "OID: .1.3.6.1.4.1.8072.3.2.10"
    );
    assert_eq!(
        show(&Value::IpAddress(Ipv4Addr::new(127, 0, 0, 1)), None, None),
        "IpAddress: 127.0.0.1"
    );
    assert_eq!(show(&Value::Null, None, None), "NULL");
    assert_eq!(
        show(&Value::NoSuchObject, Some(&syntax(BaseType::Integer)), None),
        "No Such Object available on this agent at this OID"
    );
    assert_eq!(
        show(&Value::NoSuchInstance, None, None),
        "No Such Instance currently exists at this OID"
    );
    assert_eq!(
        show(&Value::EndOfMibView, None, None),
        "No more variables left in this MIB View (It is past the end of the MIB tree)"
    );
    assert_eq!(
        show(
            &Value::Opaque(Bytes::from_static(&[0x9f, 0x78])),
            None,
            None
        ),
        "OPAQUE: 9F 78 "
    );
}

#[test]
fn a_value_of_the_wrong_type_says_so() {
    let mut status = syntax(BaseType::Integer);
    status.enums = named(&[("up", 1)]);
    assert_eq!(
        show(&octets(b"x"), Some(&status), None),
        "Wrong Type (should be INTEGER): STRING: \"x\""
    );
    assert_eq!(
        show(
            &Value::Integer(1),
            Some(&syntax(BaseType::Counter32)),
            Some("octets")
        ),
        "Wrong Type (should be Counter32): INTEGER: 1"
    );
    assert_eq!(
        show(&Value::Gauge32(1), Some(&syntax(BaseType::Bits)), None),
        "Wrong Type (should be BITS): Gauge32: 1"
    );
}
