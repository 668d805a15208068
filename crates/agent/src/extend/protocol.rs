//! Net-SNMP's `pass` line protocol (snmpd.conf(5), "pass"): the three lines a script answers
//! a GET or GETNEXT with (OID, type, value, or `NONE`), the `TYPE VALUE` a SET hands it, and
//! the error words it answers a SET with. Parsed as snmpd 5.9 parses them
//! (`agent/mibgroup/util_funcs/pass_common.c`): types by case-insensitive prefix, numbers as
//! `strtol`/`strtoul` read them, `octet` and `opaque` as hexadecimal bytes.

use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_snmp::{Oid, Value, VarBind};

use crate::mib::SetError;

/// A script's answer to `get` or `getnext`: the instance and its value, or `None` (`NONE`,
/// nothing, an unreadable OID or an unknown type).
pub fn parse_reply(text: &str) -> Option<VarBind> {
    let mut lines = text.split_inclusive('\n');
    let name = parse_oid(lines.next()?.trim())?;
    let kind = lines.next()?.trim();
    let value = lines.next()?;
    let value = parse_value(kind, value)?;
    Some(VarBind { name, value })
}

/// An OID as `parse_miboid` reads it: dotted decimal, the leading dot optional.
pub fn parse_oid(text: &str) -> Option<Oid> {
    if text.is_empty() || text.eq_ignore_ascii_case("NONE") {
        return None;
    }
    text.parse().ok()
}

/// A value line of type `kind` (snmpd's `netsnmp_internal_pass_parse`). `line` may end with
/// its newline.
pub fn parse_value(kind: &str, line: &str) -> Option<Value> {
    let starts = |word: &str| {
        kind.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    };
    let text = line.strip_suffix('\n').unwrap_or(line);
    // The order matters: snmpd compares prefixes, so `counter64` before `counter`.
    if starts("string") {
        Some(Value::OctetString(Bytes::copy_from_slice(text.as_bytes())))
    } else if starts("integer64") {
        // Net-SNMP's opaque special types, not built into Debian's snmpd.
        None
    } else if starts("integer") {
        Some(Value::Integer(to_i32(strtol(text, 10))))
    } else if starts("unsigned") || starts("gauge") {
        Some(Value::Gauge32(to_u32(strtol(text, 10))))
    } else if starts("counter64") {
        Some(Value::Counter64(to_u64(strtol(text, 10))))
    } else if starts("counter") {
        Some(Value::Counter32(to_u32(strtol(text, 10))))
    } else if starts("octet") {
        Some(Value::OctetString(Bytes::from(hex_bytes(text))))
    } else if starts("opaque") {
        Some(Value::Opaque(Bytes::from(hex_bytes(text))))
    } else if starts("objectid") {
        parse_oid(text.trim().trim_matches('"')).map(Value::ObjectIdentifier)
    } else if starts("timetick") {
        Some(Value::TimeTicks(to_u32(strtol(text, 10))))
    } else if starts("ipaddress") {
        // Four dotted numbers (read with `parse_miboid`, whose OID rules do not apply).
        let text = text.trim();
        let octets: Vec<u8> = text
            .strip_prefix('.')
            .unwrap_or(text)
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [a, b, c, d] = octets[..] else {
            return None;
        };
        Some(Value::IpAddress(Ipv4Addr::new(a, b, c, d)))
    } else {
        None
    }
}

/// The `TYPE VALUE` words a SET hands the script (snmpd's `netsnmp_internal_pass_set_format`),
/// each a separate word: `integer 5`, `string good one`, `octet 01 ff`. `None` for the types
/// snmpd does not pass on (Counter64, Opaque, NsapAddress): the SET is then wrongType.
pub fn set_words(value: &Value) -> Option<(&'static str, String)> {
    Some(match value {
        Value::Integer(v) => ("integer", v.to_string()),
        // snmpd prints these with `%d` of a C long cut to int.
        Value::Counter32(v) => ("counter", i32::from_ne_bytes(v.to_ne_bytes()).to_string()),
        Value::Gauge32(v) => ("gauge", i32::from_ne_bytes(v.to_ne_bytes()).to_string()),
        Value::TimeTicks(v) => ("timeticks", i32::from_ne_bytes(v.to_ne_bytes()).to_string()),
        Value::IpAddress(ip) => ("ipaddress", ip.to_string()),
        Value::OctetString(bytes) => {
            if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
                ("string", String::from_utf8_lossy(bytes).into_owned())
            } else {
                (
                    "octet",
                    bytes
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
        }
        Value::ObjectIdentifier(oid) => ("objectid", dotted(oid)),
        _ => return None,
    })
}

/// The `pass_persist` value line of a SET: `TYPE VALUE`, the value quoted for strings, octets
/// and OIDs as snmpd writes it (`string "good one"`).
pub fn set_line(value: &Value) -> Option<String> {
    let (kind, text) = set_words(value)?;
    Some(match kind {
        "string" | "octet" | "objectid" => format!("{kind} \"{text}\""),
        _ => format!("{kind} {text}"),
    })
}

/// The outcome of a script's answer to a SET: the error its first line names
/// (`not-writable`, `wrong-type`, …), or success for anything else, as snmpd
/// (`netsnmp_internal_pass_str_to_errno`). The SNMPv1 words map to their SNMPv2
/// counterparts (RFC 3584 §4.3); `too-big`, which the agent's SET phases cannot carry,
/// becomes commitFailed (which a v1 manager sees as genErr).
pub fn set_outcome(reply: &str) -> Result<(), SetError> {
    let line = reply.lines().next().unwrap_or("").trim_start();
    let starts = |word: &str| {
        line.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    };
    const WORDS: &[(&str, SetError)] = &[
        ("too-big", SetError::CommitFailed),
        ("no-such-name", SetError::NoCreation),
        ("bad-value", SetError::WrongValue),
        ("read-only", SetError::NotWritable),
        ("gen-error", SetError::GenErr),
        ("no-access", SetError::NoAccess),
        ("wrong-type", SetError::WrongType),
        ("wrong-length", SetError::WrongLength),
        ("wrong-encoding", SetError::WrongEncoding),
        ("wrong-value", SetError::WrongValue),
        ("no-creation", SetError::NoCreation),
        ("inconsistent-value", SetError::InconsistentValue),
        ("resource-unavailable", SetError::ResourceUnavailable),
        ("commit-failed", SetError::CommitFailed),
        ("undo-failed", SetError::UndoFailed),
        ("authorization-error", SetError::NoAccess),
        ("not-writable", SetError::NotWritable),
        ("inconsistent-name", SetError::InconsistentName),
    ];
    match WORDS.iter().find(|(word, _)| starts(word)) {
        Some((_, error)) => Err(*error),
        None => Ok(()),
    }
}

/// An OID as snmpd hands it to scripts: dotted decimal with a leading dot.
pub fn dotted(oid: &Oid) -> String {
    format!(".{oid}")
}

/// `strtol`: leading blanks, a sign, digits up to the first other character; 0 when there
/// are none. Saturates instead of overflowing.
fn strtol(text: &str, radix: u32) -> i128 {
    let text = text.trim_start();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or("")),
        Some(b'+') => (false, text.get(1..).unwrap_or("")),
        _ => (false, text),
    };
    let mut value: i128 = 0;
    for c in digits.chars() {
        let Some(digit) = c.to_digit(radix) else {
            break;
        };
        value = value
            .saturating_mul(i128::from(radix))
            .saturating_add(i128::from(digit));
        // Anything this large is past every SNMP type already.
        value = value.min(i128::from(u64::MAX) + 1);
    }
    if negative { -value } else { value }
}

/// A C `long` (64 bits here) stored in an INTEGER: clamped to its range.
fn to_i32(value: i128) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}

/// An `unsigned long` from `strtoul` (negatives wrap) kept to its low 32 bits, as snmpd
/// stores a Counter32, Gauge32 or TimeTicks.
fn to_u32(value: i128) -> u32 {
    u32::try_from(to_u64(value) & u64::from(u32::MAX)).unwrap_or(u32::MAX)
}

/// `strtoull`: negatives wrap, larger values saturate.
fn to_u64(value: i128) -> u64 {
    if value < 0 {
        u64::try_from(value.rem_euclid(i128::from(u64::MAX) + 1)).unwrap_or(0)
    } else {
        u64::try_from(value).unwrap_or(u64::MAX)
    }
}

/// Hexadecimal bytes as `netsnmp_internal_asc2bin` reads them: `strtol(…, 16)` again and
/// again until it reads nothing, each number's low byte kept.
fn hex_bytes(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        let (negative, body) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, trimmed.get(1..).unwrap_or("")),
            Some(b'+') => (false, trimmed.get(1..).unwrap_or("")),
            _ => (false, trimmed),
        };
        let body = body
            .strip_prefix("0x")
            .or_else(|| body.strip_prefix("0X"))
            .filter(|after| after.starts_with(|c: char| c.is_ascii_hexdigit()))
            .unwrap_or(body);
        let count = body.chars().take_while(char::is_ascii_hexdigit).count();
        if count == 0 {
            return bytes;
        }
        let consumed = trimmed.len() - body.len() + count;
        let magnitude = strtol(body.get(..count).unwrap_or(""), 16);
        let number = if negative { -magnitude } else { magnitude };
        let low = u8::try_from(to_u64(number) & 0xff).unwrap_or(0);
        bytes.push(low);
        rest = trimmed.get(consumed..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    #[test]
    fn parses_each_type_as_snmpd() {
        let cases: &[(&str, &str, Value)] = &[
            ("integer", "42\n", Value::Integer(42)),
            ("INTEGER", " -7 apples\n", Value::Integer(-7)),
            ("gauge", "4294967297\n", Value::Gauge32(1)),
            ("unsigned", "12\n", Value::Gauge32(12)),
            ("counter", "-1\n", Value::Counter32(u32::MAX)),
            (
                "counter64",
                "12345678901\n",
                Value::Counter64(12_345_678_901),
            ),
            ("timeticks", "55\n", Value::TimeTicks(55)),
            (
                "ipaddress",
                "10.1.2.3\n",
                Value::IpAddress(Ipv4Addr::new(10, 1, 2, 3)),
            ),
            (
                "objectid",
                ".1.3.6.1\n",
                Value::ObjectIdentifier(oid("1.3.6.1")),
            ),
            (
                "string",
                "hello world \n",
                Value::OctetString(Bytes::from_static(b"hello world ")),
            ),
            (
                "octet",
                "01 ff 0x10\n",
                Value::OctetString(Bytes::from_static(&[1, 0xff, 0x10])),
            ),
            ("opaque", "ab\n", Value::Opaque(Bytes::from_static(&[0xab]))),
        ];
        for (kind, line, value) in cases {
            assert_eq!(
                parse_value(kind, line).as_ref(),
                Some(value),
                "{kind} {line}"
            );
        }
        assert_eq!(parse_value("ipaddress", "1.2.3\n"), None);
        assert_eq!(parse_value("float", "1.5\n"), None);
    }

    #[test]
    fn reads_a_reply_or_none() {
        let reply = parse_reply(".1.3.6.1.4.1.99999.1.0\ninteger\n42\n").unwrap();
        assert_eq!(reply.name, oid("1.3.6.1.4.1.99999.1.0"));
        assert_eq!(reply.value, Value::Integer(42));
        assert_eq!(parse_reply("NONE\n"), None);
        assert_eq!(parse_reply(""), None);
        assert_eq!(parse_reply(".1.3.6.1.4\ninteger\n"), None);
        assert_eq!(parse_reply("garbage\ninteger\n1\n"), None);
    }

    #[test]
    fn formats_set_values_as_snmpd() {
        assert_eq!(set_line(&Value::Integer(5)).unwrap(), "integer 5");
        assert_eq!(
            set_line(&Value::OctetString(Bytes::from_static(b"good one"))).unwrap(),
            "string \"good one\""
        );
        assert_eq!(
            set_line(&Value::OctetString(Bytes::from_static(&[1, 0xff]))).unwrap(),
            "octet \"01 ff\""
        );
        assert_eq!(
            set_line(&Value::ObjectIdentifier(oid("1.3.6.1.4"))).unwrap(),
            "objectid \".1.3.6.1.4\""
        );
        assert_eq!(set_words(&Value::Counter64(1)), None);
    }

    #[test]
    fn maps_set_errors() {
        assert_eq!(set_outcome("wrong-value\n"), Err(SetError::WrongValue));
        assert_eq!(set_outcome("NOT-WRITABLE"), Err(SetError::NotWritable));
        assert_eq!(set_outcome("gen-error\n"), Err(SetError::GenErr));
        assert_eq!(set_outcome("too-big"), Err(SetError::CommitFailed));
        assert_eq!(set_outcome("DONE\n"), Ok(()));
        assert_eq!(set_outcome(""), Ok(()));
    }
}
