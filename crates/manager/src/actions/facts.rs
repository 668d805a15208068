//! A stored notification as rules and templates see it: MIB names and formatted values.

use bytes::Bytes;
use vigie_mib::{MibSet, ValueOptions};
use vigie_snmp::Value;

use crate::event::Notification;
use crate::rules::{NamedVarBind, NotificationFacts};

/// The facts of `notification`, named and formatted with `mib` as `snmptrapd` prints them.
pub fn facts(notification: &Notification, mib: &MibSet) -> NotificationFacts {
    let options = ValueOptions::new();
    let varbinds = notification
        .varbinds
        .iter()
        .map(|varbind| {
            // The stored BER keeps the exact value; the stored text is the fallback.
            let value = decode_hex(&varbind.raw)
                .and_then(|ber| Value::decode(Bytes::from(ber)).ok())
                .map_or_else(
                    || varbind.value.clone(),
                    |value| {
                        let text = mib.format_value(varbind.oid.arcs(), &value, &options);
                        without_type(&text).to_owned()
                    },
                );
            NamedVarBind {
                oid: varbind.oid.to_string(),
                name: mib.name_of(&varbind.oid),
                type_name: varbind.type_name.clone(),
                value,
            }
        })
        .collect();
    NotificationFacts {
        oid: notification.trap_oid.to_string(),
        name: mib.name_of(&notification.trap_oid),
        source: notification.source.to_string(),
        varbinds,
    }
}

/// The value without the type prefix `snmpwalk` puts before it (`INTEGER: down(2)` →
/// `down(2)`), as `snmptrapd -Oq` prints it, but with enumeration numbers kept.
fn without_type(text: &str) -> &str {
    TYPE_PREFIXES
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
        .unwrap_or(text)
}

/// Net-SNMP's type labels (`snmp_api.c`, `sprint_*`), each with its separator.
const TYPE_PREFIXES: &[&str] = &[
    "INTEGER: ",
    "STRING: ",
    "Hex-STRING: ",
    "OID: ",
    "IpAddress: ",
    "Network Address: ",
    "Counter32: ",
    "Gauge32: ",
    "Timeticks: ",
    "Opaque: ",
    "Counter64: ",
    "BITS: ",
    "UInteger32: ",
];

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use vigie_snmp::{Oid, VarBind, Version};

    use super::*;
    use crate::event::NotificationKind;
    use crate::time::Timestamp;

    #[test]
    fn varbinds_get_mib_names_and_enumeration_labels() {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        let notification = Notification::from_v2(
            Timestamp(1),
            "192.0.2.1:50000".parse().unwrap(),
            Version::V2c,
            NotificationKind::Trap,
            "netops",
            &[
                VarBind {
                    name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                    value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3")),
                },
                VarBind {
                    name: oid("1.3.6.1.2.1.2.2.1.1.3"),
                    value: Value::Integer(3),
                },
                VarBind {
                    name: oid("1.3.6.1.2.1.2.2.1.8.3"),
                    value: Value::Integer(2),
                },
            ],
        )
        .unwrap();
        let facts = facts(&notification, &MibSet::builtin());
        assert_eq!(facts.name, "IF-MIB::linkDown");
        assert_eq!(facts.varbinds[0].name, "IF-MIB::ifIndex.3");
        assert_eq!(facts.varbinds[0].value, "3");
        assert_eq!(facts.varbinds[1].name, "IF-MIB::ifOperStatus.3");
        assert_eq!(facts.varbinds[1].value, "down(2)");
        assert_eq!(decode_hex("0g"), None);
    }
}
