//! Expected results and error texts are `snmpset`'s (Net-SNMP 5.9.3) for the same input.

use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_snmp::Value;

use super::*;

fn value(kind: char, text: &str) -> Value {
    parse_value(kind, text).unwrap().value
}

fn error(kind: char, text: &str) -> String {
    parse_value(kind, text).unwrap_err().to_string()
}

fn octets(bytes: &[u8]) -> Value {
    Value::OctetString(Bytes::copy_from_slice(bytes))
}

#[test]
fn oid_text_as_read_objid() {
    assert_eq!(parse_oid_arcs("1.3.6.1").unwrap(), [1, 3, 6, 1]);
    assert_eq!(parse_oid_arcs(".1.3.6.1").unwrap(), [1, 3, 6, 1]);
    assert_eq!(parse_oid_arcs("iso.3.6").unwrap(), [1, 3, 6]);
    assert_eq!(parse_oid_arcs(".iso.3").unwrap(), [1, 3]);
    assert_eq!(parse_oid_arcs("joint-iso-ccitt.5").unwrap(), [2, 5]);
    assert_eq!(parse_oid_arcs("1").unwrap(), [1]);
    // Arcs wrap at 2^32, as Net-SNMP's do: 99999999999999 mod 2^32.
    assert_eq!(
        parse_oid_arcs("1.3.6.99999999999999").unwrap(),
        [1, 3, 6, 276_447_231]
    );
}

#[test]
fn oid_text_errors() {
    let message = |text: &str| parse_oid_arcs(text).unwrap_err().to_string();
    assert_eq!(
        message("foo"),
        "Unknown Object Identifier (Sub-id not found: (top) -> foo)"
    );
    assert_eq!(
        message("foo.3"),
        "Unknown Object Identifier (Sub-id not found: (top) -> foo)"
    );
    assert_eq!(
        message(""),
        "Unknown Object Identifier (Sub-id not found: (top) -> )"
    );
    assert_eq!(
        message("ISO.3"),
        "Unknown Object Identifier (Sub-id not found: (top) -> ISO)"
    );
    assert_eq!(message("iso.foo"), "Unknown Object Identifier (foo)");
    assert_eq!(message("1.3.6.1.x"), "Unknown Object Identifier (x)");
    assert_eq!(message(".1.3.-6"), "Unknown Object Identifier (-6)");
    assert_eq!(message("1..3"), "Unknown Object Identifier (.3)");
    assert_eq!(message("1.3."), "Unknown Object Identifier ()");
    // One arc: Net-SNMP's encoding of `1` is `06 01 01`, the BER of 0.1.
    assert_eq!(build_oid(&[1]).unwrap().to_string(), "0.1");
    assert_eq!(build_oid(&[0]).unwrap().to_string(), "0.0");
    assert_eq!(build_oid(&[2]).unwrap().to_string(), "0.2");
    assert!(build_oid(&[3]).is_err());
    assert!(build_oid(&[]).is_err());
    assert!(build_oid(&[1, 99, 1]).is_err());
    assert!(build_oid(&[1, 3]).is_ok());
}

#[test]
fn integers() {
    assert_eq!(value('i', "-5"), Value::Integer(-5));
    assert_eq!(value('i', " 5"), Value::Integer(5));
    assert_eq!(value('i', "010"), Value::Integer(10));
    assert_eq!(error('i', "abc"), "Value out of range (abc)");
    assert_eq!(error('i', "5x"), "Value out of range (5x)");
    assert_eq!(error('i', "0x10"), "Value out of range (0x10)");
    assert_eq!(error('i', ""), "Bad value notation ()");
    let wide = parse_value('i', "99999999999").unwrap();
    assert!(wide.truncated);
    assert_eq!(wide.value, Value::Integer(1_215_752_191));
    assert!(!parse_value('i', "2147483647").unwrap().truncated);
}

#[test]
fn unsigned_and_timeticks() {
    assert_eq!(value('u', "4294967295"), Value::Gauge32(u32::MAX));
    assert_eq!(value('3', "7"), Value::Gauge32(7));
    assert_eq!(value('t', "7"), Value::TimeTicks(7));
    assert_eq!(value('c', "7"), Value::Counter32(7));
    assert_eq!(
        value('C', "18446744073709551615"),
        Value::Counter64(u64::MAX)
    );
    let negative = parse_value('u', "-1").unwrap();
    assert_eq!(negative.value, Value::Gauge32(u32::MAX));
    assert!(!negative.truncated);
    assert!(parse_value('u', "4294967296").unwrap().truncated);
    assert_eq!(error('u', "x"), "Bad value notation (x)");
    assert_eq!(error('u', "0x10"), "Bad value notation (0x10)");
    assert_eq!(error('t', "1.5"), "Bad value notation (1.5)");
    assert_eq!(error('u', ""), "Bad value notation ()");
}

#[test]
fn addresses_and_oids() {
    assert_eq!(
        value('a', "10.0.0.1"),
        Value::IpAddress(Ipv4Addr::new(10, 0, 0, 1))
    );
    // inet_aton: the last part fills the remaining octets.
    assert_eq!(
        value('a', "1.2.3"),
        Value::IpAddress(Ipv4Addr::new(1, 2, 0, 3))
    );
    assert_eq!(error('a', "x"), "Bad value notation (x)");
    assert_eq!(error('a', "1.2.3.4.5"), "Bad value notation (1.2.3.4.5)");
    assert_eq!(error('a', "256.1.1.1"), "Bad value notation (256.1.1.1)");
    assert_eq!(
        value('o', ".1.3.6"),
        Value::ObjectIdentifier("1.3.6".parse().unwrap())
    );
    assert_eq!(
        error('o', "foo"),
        "Unknown Object Identifier (Sub-id not found: (top) -> foo)"
    );
    assert_eq!(error('o', "1.3.6.x"), "Unknown Object Identifier (x)");
}

#[test]
fn strings_hex_decimal_and_bits() {
    assert_eq!(value('s', "-5"), octets(b"-5"));
    assert_eq!(value('s', ""), octets(b""));
    assert_eq!(value('x', "41 42"), octets(b"AB"));
    assert_eq!(value('x', "0x4142"), octets(b"AB"));
    assert_eq!(value('x', ""), octets(b""));
    assert_eq!(error('x', "414"), "Bad value notation (414)");
    assert_eq!(error('x', "4g"), "Bad value notation (4g)");
    assert_eq!(error('x', "41:42"), "Bad value notation (41:42)");
    assert_eq!(value('d', "65.66.67"), octets(b"ABC"));
    assert_eq!(value('d', "65 66"), octets(b"AB"));
    assert_eq!(error('d', "1.300"), "Bad value notation (1.300)");
    assert_eq!(value('b', "0 3 9"), octets(&[0x90, 0x40]));
    assert_eq!(value('b', "0,3,9"), octets(&[0x90, 0x40]));
    assert_eq!(value('b', ""), octets(b""));
    assert_eq!(error('b', "3,x"), "Value out of range (x)");
    assert_eq!(value('n', "anything"), Value::Null);
}

#[test]
fn opaque_numbers() {
    let bytes = |kind, text| match value(kind, text) {
        Value::Opaque(bytes) => bytes.to_vec(),
        other => panic!("not an Opaque: {other:?}"),
    };
    assert_eq!(bytes('U', "5"), [0x9f, 0x7b, 0x01, 0x05]);
    assert_eq!(bytes('I', "-5"), [0x9f, 0x7a, 0x01, 0xfb]);
    assert_eq!(
        bytes('F', "1.5"),
        [0x9f, 0x78, 0x04, 0x3f, 0xc0, 0x00, 0x00]
    );
    assert_eq!(
        bytes('F', "1e3"),
        [0x9f, 0x78, 0x04, 0x44, 0x7a, 0x00, 0x00]
    );
    assert_eq!(
        bytes('D', "-0.5"),
        [0x9f, 0x79, 0x08, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0]
    );
    // read64 wraps: -1 is 2^64-1.
    assert_eq!(
        bytes('U', "-1"),
        [
            0x9f, 0x7b, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ]
    );
    assert_eq!(error('U', "x"), "Bad value notation (x)");
    assert_eq!(error('I', "+5"), "Bad value notation (+5)");
    assert_eq!(error('F', "x"), "Bad value notation (x)");
    assert_eq!(error('D', "x"), "Bad value notation (x)");
}

#[test]
fn unknown_types() {
    assert_eq!(error('z', "x"), "Bad variable type (\"z\")");
    assert_eq!(error('=', "x"), "Bad variable type (\"=\")");
    assert!(is_set_type('i'));
    assert!(is_set_type('='));
    assert!(!is_set_type('q'));
}

#[test]
fn c_number_parsers() {
    assert_eq!(strtol("-9223372036854775809"), Some(i64::MIN));
    assert_eq!(strtol("9223372036854775808"), Some(i64::MAX));
    assert_eq!(strtoul("18446744073709551616"), Some(u64::MAX));
    assert_eq!(strtoul("-1"), Some(u64::MAX));
    assert_eq!(strtol("+"), None);
}

#[test]
fn names_with_the_builtin_modules() {
    let mib = MibSet::builtin();
    let arcs = |text: &str| parse_named_oid(&mib, text).unwrap();
    let error = |text: &str| parse_named_oid(&mib, text).unwrap_err().to_string();
    assert_eq!(arcs("SNMPv2-MIB::sysDescr.0"), [1, 3, 6, 1, 2, 1, 1, 1, 0]);
    assert_eq!(arcs("sysDescr.0"), [1, 3, 6, 1, 2, 1, 1, 1, 0]);
    assert_eq!(arcs("iso.org.dod.internet.mgmt"), [1, 3, 6, 1, 2]);
    assert_eq!(arcs("IF-MIB::ifDescr.3"), [1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 3]);
    assert_eq!(arcs(".1.3.6.1.2.1.1.5.0"), [1, 3, 6, 1, 2, 1, 1, 5, 0]);
    assert_eq!(
        arcs("vacmGroupName.2.\"public\""),
        [
            1, 3, 6, 1, 6, 3, 16, 1, 2, 1, 3, 2, 6, 112, 117, 98, 108, 105, 99
        ]
    );
    // Net-SNMP 5.9.3's `snmpget` texts for the same input.
    assert_eq!(
        error("foo"),
        "Unknown Object Identifier (Sub-id not found: (top) -> foo)"
    );
    assert_eq!(error("SNMPv2-MIB::foo"), "Unknown Object Identifier");
    assert_eq!(error("FOO-MIB::sysDescr"), "Unknown Object Identifier");
    assert_eq!(
        error("iso.org.foo"),
        "Unknown Object Identifier (Sub-id not found: org -> foo)"
    );
    assert_eq!(
        error("system.x"),
        "Unknown Object Identifier (Sub-id not found: system -> x)"
    );
    assert_eq!(error("sysDescr.x"), "Unknown Object Identifier (x)");
    assert_eq!(
        error("ifDescr.abc"),
        "Unknown Object Identifier (Index out of range: abc (ifIndex))"
    );
    assert_eq!(
        error("ifDescr.3.x"),
        "Unknown Object Identifier (Sub-id not found: ifIndex -> x)"
    );
    assert_eq!(
        error("vacmGroupName.3.x"),
        "Unknown Object Identifier (Index out of range: x (vacmSecurityName))"
    );
    assert_eq!(
        error("ifDescr.0"),
        "Unknown Object Identifier (Index out of range: 0 (ifIndex))"
    );
}

fn mib_value(oid: &str, kind: char, text: &str) -> Result<Value, String> {
    let mib = MibSet::builtin();
    let arcs = parse_named_oid(&mib, oid).unwrap();
    parse_value_for(Some(&mib), &arcs, kind, text)
        .map(|parsed| parsed.value)
        .map_err(|error| error.to_string())
}

#[test]
fn equals_takes_the_type_from_the_mib() {
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", '=', "down"),
        Ok(Value::Integer(2))
    );
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", '=', "2"),
        Ok(Value::Integer(2))
    );
    assert_eq!(
        mib_value("SNMPv2-MIB::sysName.0", '=', "hello"),
        Ok(octets(b"hello"))
    );
    assert_eq!(
        mib_value("SNMPv2-MIB::sysUpTime.0", '=', "5"),
        Ok(Value::TimeTicks(5))
    );
    assert_eq!(
        mib_value("SNMPv2-MIB::sysObjectID.0", '=', "1.3.6.1.4.1"),
        Ok(Value::ObjectIdentifier("1.3.6.1.4.1".parse().unwrap()))
    );
    // No object, no type: snmpset's "Bad variable type" with the letter.
    assert_eq!(
        mib_value("1.3.6.1.4.1.99.1", '=', "5"),
        Err("Bad variable type (\"=\")".to_owned())
    );
}

#[test]
fn enumeration_labels_are_taken_exactly() {
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", 'i', "down"),
        Ok(Value::Integer(2))
    );
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", 'i', "down(2)"),
        Err("Value out of range (down(2))".to_owned())
    );
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", 'i', "bogus"),
        Err("Value out of range (bogus)".to_owned())
    );
    // Values outside the enumeration go out as typed, as snmpset sends them.
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", 'i', "9"),
        Ok(Value::Integer(9))
    );
}

#[test]
fn letters_must_fit_the_syntax() {
    assert_eq!(
        mib_value("SNMPv2-MIB::sysName.0", 'i', "5"),
        Err("Bad variable type (Type of attribute is OCTET STRING, not INTEGER)".to_owned())
    );
    assert_eq!(
        mib_value("IF-MIB::ifAdminStatus.1", 'u', "2"),
        Err("Bad variable type (Type of attribute is INTEGER, not Unsigned32)".to_owned())
    );
    assert_eq!(
        mib_value("SNMPv2-MIB::sysName.0", 'x', "41 42"),
        Ok(octets(b"AB"))
    );
}

#[test]
fn ranges_and_sizes_are_checked() {
    let long = "x".repeat(256);
    assert_eq!(
        mib_value("SNMPv2-MIB::sysName.0", 's', &long),
        Err("Value out of range (Value does not match DISPLAY-HINT :: {(0..255)})".to_owned())
    );
    assert_eq!(
        mib_value("SNMPv2-MIB::sysName.0", 'x', &"41 ".repeat(256)),
        Err("Value out of range (Bad string length :: {(0..255)})".to_owned())
    );
    assert_eq!(
        mib_value("IF-MIB::ifIndex.1", 'i', "0"),
        Err("Value out of range (0 :: {(1..2147483647)})".to_owned())
    );
}
