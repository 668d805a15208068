//! The JSON document of `--json` / `-Oj`: one object per command.
//!
//! ```json
//! {"varbinds":[{"oid":".1.3.6.1.2.1.1.5.0","type":"STRING","value":"router1"}],
//!  "error":{"kind":"errorStatus","status":"noSuchName","code":2,"index":1,
//!           "oid":".1.3.6.1.2.1.1.99.0","message":"(noSuchName) …"}}
//! ```
//!
//! `type` is Net-SNMP's label (`INTEGER`, `STRING`, `Hex-STRING`, `OID`, `IpAddress`,
//! `Counter32`, `Gauge32`, `Timeticks`, `Opaque`, `Float`, `Double`, `Int64`, `UInt64`,
//! `Counter64`, `NULL`, `NsapAddress`, `noSuchObject`, `noSuchInstance`, `endOfMibView`).
//! Numbers are JSON numbers (Timeticks in hundredths of a second); strings that pass
//! Net-SNMP's printable test are text, other octet strings are `Hex-STRING` with their octets
//! as uppercase hex pairs separated by spaces; exceptions and NULL have a `null` value.
//! `error` appears only when the command failed, and holds the first error.
//!
//! With MIB modules loaded, a varbind whose OID falls under a named node also has `name`, the
//! OID as Net-SNMP prints it by default (`IF-MIB::ifDescr.1`), and an INTEGER whose object
//! has an enumeration also has `label` (`up`):
//!
//! ```json
//! {"label":"up","name":"IF-MIB::ifOperStatus.1","oid":".1.3.6.1.2.1.2.2.1.8.1","type":"INTEGER","value":1}
//! ```
//!
//! Keys come in alphabetical order; without a known name (no modules, `-m ""`, or an OID
//! outside every loaded module) `name` is absent:
//!
//! ```json
//! {"oid":".1.3.6.1.4.1.99999.1","type":"INTEGER","value":7}
//! ```

use serde_json::{Map, Value as Json, json};
use vigie_mib::{MibSet, OidOptions};
use vigie_snmp::{Oid, Pdu, Value, VarBind};

use crate::output::{OidFormat, OpaqueValue, is_print_or_space, oid_text};

/// The document being built.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// The result varbinds, in order.
    pub(crate) varbinds: Vec<Json>,
    /// Counters such as `variablesFound`.
    pub(crate) fields: Vec<(&'static str, u64)>,
    error: Option<Json>,
}

impl Document {
    /// Records `error` unless one is already recorded.
    pub(crate) fn set_error(&mut self, error: Json) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// The document as one line of JSON: `varbinds` first, then the counters, then `error`.
    pub(crate) fn render(self) -> String {
        // Built by hand to keep this key order; serde_json's map would sort the keys.
        let mut out = format!("{{\"varbinds\":{}", Json::Array(self.varbinds));
        for (name, value) in self.fields {
            out.push_str(&format!(",{}:{value}", Json::String(name.to_owned())));
        }
        if let Some(error) = self.error {
            out.push_str(&format!(",\"error\":{error}"));
        }
        out.push('}');
        out
    }
}

/// One varbind as `{"oid", "type", "value"}`.
pub(crate) fn varbind(varbind: &VarBind) -> Json {
    varbind_with(crate::mibs::current(), varbind)
}

/// [`varbind`], with names and labels from `mib` when given.
pub(crate) fn varbind_with(mib: Option<&MibSet>, varbind: &VarBind) -> Json {
    let (kind, value) = typed_value(&varbind.value);
    let mut object = Map::new();
    object.insert("oid".to_owned(), json!(numeric(&varbind.name)));
    let described = mib.and_then(|mib| Some((mib, mib.describe(varbind.name.arcs())?)));
    if let Some((mib, _)) = described {
        object.insert(
            "name".to_owned(),
            json!(mib.format_oid(&varbind.name, &OidOptions::new())),
        );
    }
    object.insert("type".to_owned(), json!(kind));
    object.insert("value".to_owned(), value);
    if let (Some((_, instance)), Value::Integer(number)) = (&described, &varbind.value)
        && let Some(label) = instance
            .node
            .object()
            .and_then(|object| object.syntax.as_ref())
            .and_then(|syntax| syntax.enum_label(i64::from(*number)))
    {
        object.insert("label".to_owned(), json!(label));
    }
    Json::Object(object)
}

/// An error-status error.
pub(crate) fn error_status(pdu: &Pdu, message: &str, failed: Option<&VarBind>) -> Json {
    let mut error = json!({
        "kind": "errorStatus",
        "status": pdu.error_status.name(),
        "code": pdu.error_status.code(),
        "index": pdu.error_index,
        "message": message,
    });
    if let (Some(varbind), Some(object)) = (failed, error.as_object_mut()) {
        object.insert("oid".to_owned(), json!(numeric(&varbind.name)));
    }
    error
}

/// A walk that stopped on a non-increasing OID.
pub(crate) fn not_increasing(previous: &[u32], received: &Oid) -> Json {
    json!({
        "kind": "notIncreasing",
        "previous": oid_text(previous, OidFormat::Numeric),
        "received": numeric(received),
        "message": "OID not increasing",
    })
}

/// Any other error, with Net-SNMP's text as `message`.
pub(crate) fn error(kind: &str, message: &str) -> Json {
    json!({ "kind": kind, "message": message })
}

fn numeric(oid: &Oid) -> String {
    oid_text(oid.arcs(), OidFormat::Numeric)
}

fn typed_value(value: &Value) -> (&'static str, Json) {
    match value {
        Value::Integer(n) => ("INTEGER", json!(n)),
        Value::OctetString(bytes) => {
            let printable = bytes.iter().copied().all(is_print_or_space);
            match std::str::from_utf8(bytes) {
                Ok(text) if printable => ("STRING", json!(text)),
                _ => ("Hex-STRING", json!(hex(bytes))),
            }
        }
        Value::Null => ("NULL", Json::Null),
        Value::ObjectIdentifier(oid) => ("OID", json!(numeric(oid))),
        Value::IpAddress(ip) => ("IpAddress", json!(ip.to_string())),
        Value::Counter32(n) => ("Counter32", json!(n)),
        Value::Gauge32(n) => ("Gauge32", json!(n)),
        Value::TimeTicks(n) => ("Timeticks", json!(n)),
        Value::Opaque(bytes) => match OpaqueValue::decode(bytes) {
            Some(OpaqueValue::Float(f)) => ("Float", float(f64::from(f))),
            Some(OpaqueValue::Double(d)) => ("Double", float(d)),
            Some(OpaqueValue::Int64(n)) => ("Int64", json!(n)),
            Some(OpaqueValue::UInt64(n)) => ("UInt64", json!(n)),
            Some(OpaqueValue::Counter64(n)) => ("Counter64", json!(n)),
            None => ("Opaque", json!(hex(bytes))),
        },
        Value::NsapAddress(bytes) => ("NsapAddress", json!(hex(bytes))),
        Value::Counter64(n) => ("Counter64", json!(n)),
        Value::NoSuchObject => ("noSuchObject", Json::Null),
        Value::NoSuchInstance => ("noSuchInstance", Json::Null),
        Value::EndOfMibView => ("endOfMibView", Json::Null),
    }
}

/// A float as a JSON number; NaN and infinities, which JSON cannot carry, as C prints them.
fn float(value: f64) -> Json {
    serde_json::Number::from_f64(value).map_or_else(|| json!(format!("{value}")), Json::Number)
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{byte:02X}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use bytes::Bytes;
    use vigie_snmp::ErrorStatus;

    use super::*;

    fn vb(oid: &str, value: Value) -> VarBind {
        VarBind {
            name: oid.parse().unwrap(),
            value,
        }
    }

    #[test]
    fn varbinds_carry_mib_name_and_enum_label() {
        let mib = MibSet::builtin();
        let oper = vb("1.3.6.1.2.1.2.2.1.8.1", Value::Integer(1));
        assert_eq!(
            varbind_with(Some(&mib), &oper).to_string(),
            r#"{"label":"up","name":"IF-MIB::ifOperStatus.1","oid":".1.3.6.1.2.1.2.2.1.8.1","type":"INTEGER","value":1}"#
        );
        let descr = vb(
            "1.3.6.1.2.1.2.2.1.2.3",
            Value::OctetString(Bytes::from_static(b"eth0")),
        );
        assert_eq!(
            varbind_with(Some(&mib), &descr).to_string(),
            r#"{"name":"IF-MIB::ifDescr.3","oid":".1.3.6.1.2.1.2.2.1.2.3","type":"STRING","value":"eth0"}"#
        );
        // A value outside the enumeration has no label.
        let odd = vb("1.3.6.1.2.1.2.2.1.8.1", Value::Integer(42));
        assert!(varbind_with(Some(&mib), &odd).get("label").is_none());
        // Without modules, no name.
        assert_eq!(
            varbind_with(None, &oper).to_string(),
            r#"{"oid":".1.3.6.1.2.1.2.2.1.8.1","type":"INTEGER","value":1}"#
        );
    }

    #[test]
    fn varbinds_carry_type_and_typed_value() {
        let cases = [
            (
                Value::Integer(-5),
                r#"{"oid":".1.3.6.1","type":"INTEGER","value":-5}"#,
            ),
            (
                Value::OctetString(Bytes::from_static(b"a\"b")),
                r#"{"oid":".1.3.6.1","type":"STRING","value":"a\"b"}"#,
            ),
            (
                Value::OctetString(Bytes::from_static(&[0, 0xff])),
                r#"{"oid":".1.3.6.1","type":"Hex-STRING","value":"00 FF"}"#,
            ),
            (
                Value::IpAddress(Ipv4Addr::new(10, 0, 0, 1)),
                r#"{"oid":".1.3.6.1","type":"IpAddress","value":"10.0.0.1"}"#,
            ),
            (
                Value::TimeTicks(1234),
                r#"{"oid":".1.3.6.1","type":"Timeticks","value":1234}"#,
            ),
            (
                Value::Counter64(u64::MAX),
                r#"{"oid":".1.3.6.1","type":"Counter64","value":18446744073709551615}"#,
            ),
            (
                Value::EndOfMibView,
                r#"{"oid":".1.3.6.1","type":"endOfMibView","value":null}"#,
            ),
            (
                Value::Opaque(Bytes::from_static(&[
                    0x9f, 0x78, 0x04, 0x3f, 0xc0, 0x00, 0x00,
                ])),
                r#"{"oid":".1.3.6.1","type":"Float","value":1.5}"#,
            ),
            (
                Value::ObjectIdentifier("1.3.6.1.4".parse().unwrap()),
                r#"{"oid":".1.3.6.1","type":"OID","value":".1.3.6.1.4"}"#,
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(
                varbind_with(None, &vb("1.3.6.1", value)).to_string(),
                expected
            );
        }
    }

    #[test]
    fn document_has_varbinds_and_first_error() {
        let mut document = Document::default();
        document
            .varbinds
            .push(varbind_with(None, &vb("1.3.6.1", Value::Null)));
        let pdu = Pdu {
            kind: vigie_snmp::PduKind::Response,
            request_id: vigie_snmp::RequestId(1),
            error_status: ErrorStatus::NoSuchName,
            error_index: 1,
            varbinds: vec![vb("1.3.6.1.2", Value::Null)],
        };
        document.set_error(error_status(&pdu, "(noSuchName) x", pdu.varbinds.first()));
        document.set_error(error("timeout", "later errors are dropped"));
        assert_eq!(
            document.render(),
            r#"{"varbinds":[{"oid":".1.3.6.1","type":"NULL","value":null}],"error":{"code":2,"index":1,"kind":"errorStatus","message":"(noSuchName) x","oid":".1.3.6.1.2","status":"noSuchName"}}"#
        );
    }
}
