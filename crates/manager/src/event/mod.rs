//! A received notification in the one shape rules and storage see.
//!
//! v1 traps are translated to the SNMPv2 form (RFC 3584 §3.1) with
//! [`vigie_snmp::translate::trap_v1_to_v2`], so that a v1 linkDown and a v2c linkDown look the
//! same: a trap OID and varbinds. The community a notification came with is never kept: the
//! notification carries the security name it mapped to (RFC 3584 §5.1), and a
//! `snmpTrapCommunity.0` varbind has its value redacted.

mod classify;

use std::fmt::Write as _;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use vigie_snmp::translate::{self, SNMP_TRAP_COMMUNITY_0, SNMP_TRAP_OID_0, SYS_UP_TIME_0};
use vigie_snmp::{Oid, TrapV1Pdu, Value, VarBind, Version};

use crate::time::Timestamp;

pub use classify::{ClearingPair, TrapAlarms, TrapClass, alarm_events_from};

/// A stored notification (trap or inform), after v1→v2 translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// When vigie received it.
    pub received_at: Timestamp,
    /// The UDP source of the datagram.
    pub source: SocketAddr,
    /// The SNMP version it arrived in.
    pub version: SnmpVersion,
    /// Trap or inform.
    pub kind: NotificationKind,
    /// The security name its community mapped to, or its USM user; never the community.
    pub security_name: String,
    /// `snmpTrapOID.0` (RFC 3416 §4.2.6), or the v1 trap's translation of it.
    #[serde(with = "oid_text")]
    pub trap_oid: Oid,
    /// The trap OID's MIB name, e.g. `IF-MIB::linkDown`, when it was resolved on receipt
    /// ([`Notification::resolve_names`]); absent for events stored before names were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap_name: Option<String>,
    /// `sysUpTime.0` in hundredths of a second, when the notification carried it.
    pub uptime: Option<u32>,
    /// The varbinds after `sysUpTime.0` and `snmpTrapOID.0`.
    pub varbinds: Vec<StoredVarBind>,
}

/// The SNMP version of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnmpVersion {
    /// SNMPv1 (RFC 1157).
    V1,
    /// SNMPv2c (RFC 1901).
    V2c,
    /// SNMPv3 (RFC 3412).
    V3,
}

/// Whether the sender expects an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// v1 Trap-PDU or SNMPv2-Trap-PDU: unacknowledged.
    Trap,
    /// InformRequest-PDU: acknowledged once stored.
    Inform,
}

/// One varbind as stored: its OID, its type, its value as text and its BER encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVarBind {
    /// The object instance.
    #[serde(with = "oid_text")]
    pub oid: Oid,
    /// The OID's MIB name with its index, e.g. `IF-MIB::ifIndex.3`, when resolved on receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The SMI type as Net-SNMP names it: `INTEGER`, `STRING`, `Hex-STRING`, `OID`,
    /// `IpAddress`, `Counter32`, `Gauge32`, `Timeticks`, `Opaque`, `Counter64`, …
    #[serde(rename = "type")]
    pub type_name: String,
    /// The value as text, e.g. `3`, `eth0`, `(1234) 0:00:12.34`.
    pub value: String,
    /// The value's BER encoding in hexadecimal, so no information is lost.
    pub raw: String,
}

/// Why a notification could not be turned into a [`Notification`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// No `snmpTrapOID.0` varbind with an OID value (RFC 3416 §4.2.6).
    #[error("the notification has no snmpTrapOID.0")]
    MissingTrapOid,
    /// The v1 trap could not be translated (RFC 3584 §3.1).
    #[error("v1 trap translation failed: {0}")]
    Translate(#[from] translate::TranslateError),
}

/// The value of the `snmpTrapOID.0` varbind (RFC 3416 §4.2.6), wherever it is.
pub fn trap_oid_of(varbinds: &[VarBind]) -> Option<&Oid> {
    varbinds.iter().find_map(|varbind| match &varbind.value {
        Value::ObjectIdentifier(oid) if varbind.name.arcs() == SNMP_TRAP_OID_0 => Some(oid),
        _ => None,
    })
}

impl Notification {
    /// A notification from the varbinds of an SNMPv2-Trap or InformRequest.
    ///
    /// RFC 3416 §4.2.6 puts `sysUpTime.0` first and `snmpTrapOID.0` second; senders that
    /// put them elsewhere are still understood, since the trap OID is what matters.
    pub fn from_v2(
        received_at: Timestamp,
        source: SocketAddr,
        version: Version,
        kind: NotificationKind,
        security_name: &str,
        varbinds: &[VarBind],
    ) -> Result<Self, EventError> {
        let trap_oid = trap_oid_of(varbinds)
            .cloned()
            .ok_or(EventError::MissingTrapOid)?;
        let uptime = varbinds.iter().find_map(|varbind| match varbind.value {
            Value::TimeTicks(ticks) if varbind.name.arcs() == SYS_UP_TIME_0 => Some(ticks),
            _ => None,
        });
        let varbinds = varbinds
            .iter()
            .filter(|varbind| {
                let name = varbind.name.arcs();
                name != SYS_UP_TIME_0 && name != SNMP_TRAP_OID_0
            })
            .map(StoredVarBind::new)
            .collect();
        Ok(Self {
            received_at,
            source,
            version: SnmpVersion::from(version),
            kind,
            security_name: security_name.to_owned(),
            trap_oid,
            trap_name: None,
            uptime,
            varbinds,
        })
    }

    /// A notification from a v1 Trap-PDU, translated to the SNMPv2 form (RFC 3584 §3.1).
    ///
    /// The community is not passed to the translation, so no `snmpTrapCommunity.0` is added.
    pub fn from_v1(
        received_at: Timestamp,
        source: SocketAddr,
        security_name: &str,
        trap: &TrapV1Pdu,
    ) -> Result<Self, EventError> {
        let varbinds = translate::trap_v1_to_v2(trap, None)?;
        Self::from_v2(
            received_at,
            source,
            Version::V1,
            NotificationKind::Trap,
            security_name,
            &varbinds,
        )
    }

    /// Names the trap OID and each varbind's OID with `mibs` (Net-SNMP's default form:
    /// `IF-MIB::linkDown`, `IF-MIB::ifIndex.3`); an OID no loaded module knows keeps no name.
    pub fn resolve_names(&mut self, mibs: &vigie_mib::MibSet) {
        self.trap_name = mib_name(mibs, &self.trap_oid);
        for varbind in &mut self.varbinds {
            varbind.name = mib_name(mibs, &varbind.oid);
        }
    }

    /// The first varbind whose OID is `prefix` or below it.
    pub fn varbind_under(&self, prefix: &Oid) -> Option<&StoredVarBind> {
        self.varbinds
            .iter()
            .find(|varbind| varbind.oid.starts_with(prefix))
    }
}

impl StoredVarBind {
    /// The stored form of `varbind`; a `snmpTrapCommunity.0` value is redacted.
    pub fn new(varbind: &VarBind) -> Self {
        if varbind.name.arcs() == SNMP_TRAP_COMMUNITY_0 {
            return Self {
                oid: varbind.name.clone(),
                name: None,
                type_name: "STRING".to_owned(),
                value: REDACTED.to_owned(),
                raw: String::new(),
            };
        }
        let (type_name, value) = value_text(&varbind.value);
        Self {
            oid: varbind.name.clone(),
            name: None,
            type_name: type_name.to_owned(),
            value,
            raw: hex(&varbind.value.to_vec(), ""),
        }
    }
}

impl From<Version> for SnmpVersion {
    fn from(version: Version) -> Self {
        match version {
            Version::V1 => Self::V1,
            Version::V2c => Self::V2c,
            Version::V3 => Self::V3,
        }
    }
}

impl SnmpVersion {
    /// The lowercase name used in the API and the store.
    pub fn name(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2c => "v2c",
            Self::V3 => "v3",
        }
    }
}

impl NotificationKind {
    /// The lowercase name used in the API and the store.
    pub fn name(self) -> &'static str {
        match self {
            Self::Trap => "trap",
            Self::Inform => "inform",
        }
    }
}

/// `MODULE::name.index`, or `None` when no module names any arc of `oid` (Net-SNMP would
/// print the numbers, which the OID field already holds).
fn mib_name(mibs: &vigie_mib::MibSet, oid: &Oid) -> Option<String> {
    mibs.describe(oid.arcs())?;
    Some(mibs.name_of(oid))
}

/// The Net-SNMP type name and the text of a value, as `snmptrapd` prints them.
fn value_text(value: &Value) -> (&'static str, String) {
    match value {
        Value::Integer(n) => ("INTEGER", n.to_string()),
        Value::OctetString(bytes) if is_printable(bytes) => {
            ("STRING", String::from_utf8_lossy(bytes).into_owned())
        }
        Value::OctetString(bytes) => ("Hex-STRING", hex(bytes, " ")),
        Value::Null => ("NULL", String::new()),
        Value::ObjectIdentifier(oid) => ("OID", format!(".{oid}")),
        Value::IpAddress(address) => ("IpAddress", address.to_string()),
        Value::Counter32(n) => ("Counter32", n.to_string()),
        Value::Gauge32(n) => ("Gauge32", n.to_string()),
        Value::TimeTicks(ticks) => ("Timeticks", timeticks(*ticks)),
        Value::Opaque(bytes) => ("Opaque", hex(bytes, " ")),
        Value::NsapAddress(bytes) => ("NsapAddress", hex(bytes, " ")),
        Value::Counter64(n) => ("Counter64", n.to_string()),
        Value::NoSuchObject => (
            "noSuchObject",
            "No Such Object available on this agent at this OID".to_owned(),
        ),
        Value::NoSuchInstance => (
            "noSuchInstance",
            "No Such Instance currently exists at this OID".to_owned(),
        ),
        Value::EndOfMibView => (
            "endOfMibView",
            "No more variables left in this MIB View (It is past the end of the MIB tree)"
                .to_owned(),
        ),
    }
}

/// Whether an OCTET STRING reads as text: printable ASCII, tabs and line ends, as Net-SNMP
/// decides between `STRING` and `Hex-STRING`.
fn is_printable(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\r' | b'\n'))
}

/// `(1234) 0:00:12.34`: hundredths of a second, then days, hours, minutes, seconds.
fn timeticks(ticks: u32) -> String {
    let (days, rest) = (ticks / 8_640_000, ticks % 8_640_000);
    let (hours, rest) = (rest / 360_000, rest % 360_000);
    let (minutes, rest) = (rest / 6_000, rest % 6_000);
    let (seconds, hundredths) = (rest / 100, rest % 100);
    let days = match days {
        0 => String::new(),
        1 => "1 day, ".to_owned(),
        n => format!("{n} days, "),
    };
    format!("({ticks}) {days}{hours}:{minutes:02}:{seconds:02}.{hundredths:02}")
}

/// Upper-case hexadecimal, bytes separated by `separator`.
fn hex(bytes: &[u8], separator: &str) -> String {
    let mut out = String::with_capacity(bytes.len() * (2 + separator.len()));
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02X}");
    }
    out
}

/// Serde for OIDs as dotted text.
mod oid_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use vigie_snmp::Oid;

    pub(super) fn serialize<S: Serializer>(oid: &Oid, serializer: S) -> Result<S::Ok, S::Error> {
        // One string, escaped once, rather than a fragment per arc.
        serializer.serialize_str(&oid.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Oid, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

const REDACTED: &str = "<redacted>";

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use bytes::Bytes;
    use vigie_snmp::GenericTrap;

    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn source() -> SocketAddr {
        "192.0.2.1:40000".parse().unwrap()
    }

    fn link_down_v2() -> Vec<VarBind> {
        vec![
            VarBind {
                name: oid("1.3.6.1.2.1.1.3.0"),
                value: Value::TimeTicks(1234),
            },
            VarBind {
                name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3")),
            },
            VarBind {
                name: oid("1.3.6.1.2.1.2.2.1.1.3"),
                value: Value::Integer(3),
            },
        ]
    }

    #[test]
    fn v2_notification_separates_header_varbinds() {
        let n = Notification::from_v2(
            Timestamp(5),
            source(),
            Version::V2c,
            NotificationKind::Inform,
            "netops",
            &link_down_v2(),
        )
        .unwrap();
        assert_eq!(n.trap_oid, oid("1.3.6.1.6.3.1.1.5.3"));
        assert_eq!(n.uptime, Some(1234));
        assert_eq!(n.varbinds.len(), 1);
        assert_eq!(n.varbinds[0].type_name, "INTEGER");
        assert_eq!(n.varbinds[0].value, "3");
        assert_eq!(n.varbinds[0].raw, "020103");
        assert_eq!(n.version, SnmpVersion::V2c);
    }

    #[test]
    fn missing_trap_oid_is_an_error() {
        let mut varbinds = link_down_v2();
        varbinds.remove(1);
        assert_eq!(
            Notification::from_v2(
                Timestamp(5),
                source(),
                Version::V2c,
                NotificationKind::Trap,
                "netops",
                &varbinds
            ),
            Err(EventError::MissingTrapOid)
        );
    }

    #[test]
    fn v1_trap_is_translated_and_keeps_no_community() {
        let trap = TrapV1Pdu {
            enterprise: oid("1.3.6.1.4.1.8072.3.2.10"),
            agent_addr: Ipv4Addr::new(192, 0, 2, 7),
            generic_trap: GenericTrap::LinkDown,
            specific_trap: 0,
            time_stamp: 99,
            varbinds: vec![VarBind {
                name: oid("1.3.6.1.2.1.2.2.1.1.2"),
                value: Value::Integer(2),
            }],
        };
        let n = Notification::from_v1(Timestamp(1), source(), "public-sec", &trap).unwrap();
        assert_eq!(n.trap_oid, oid("1.3.6.1.6.3.1.1.5.3"));
        assert_eq!(n.version, SnmpVersion::V1);
        assert_eq!(n.uptime, Some(99));
        let names: Vec<String> = n.varbinds.iter().map(|v| v.oid.to_string()).collect();
        assert_eq!(
            names,
            [
                "1.3.6.1.2.1.2.2.1.1.2",
                "1.3.6.1.6.3.18.1.3.0",
                "1.3.6.1.6.3.1.1.4.3.0"
            ]
        );
        assert_eq!(n.varbinds[1].value, "192.0.2.7");
    }

    #[test]
    fn a_community_varbind_is_redacted() {
        let mut varbinds = link_down_v2();
        varbinds.push(VarBind {
            name: Oid::new(&SNMP_TRAP_COMMUNITY_0).unwrap(),
            value: Value::OctetString(Bytes::from_static(b"s3cret")),
        });
        let n = Notification::from_v2(
            Timestamp(5),
            source(),
            Version::V2c,
            NotificationKind::Trap,
            "netops",
            &varbinds,
        )
        .unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert!(!json.contains("s3cret"));
        assert!(!json.contains(&hex(b"s3cret", "")));
        assert!(json.contains(REDACTED));
    }

    #[test]
    fn values_read_as_net_snmp_prints_them() {
        assert_eq!(
            value_text(&Value::OctetString(Bytes::from_static(b"eth0"))),
            ("STRING", "eth0".to_owned())
        );
        assert_eq!(
            value_text(&Value::OctetString(Bytes::from_static(&[0x00, 0x1b]))),
            ("Hex-STRING", "00 1B".to_owned())
        );
        assert_eq!(timeticks(1234), "(1234) 0:00:12.34");
        assert_eq!(
            timeticks(8_640_000 + 360_000),
            "(9000000) 1 day, 1:00:00.00"
        );
        assert_eq!(
            value_text(&Value::ObjectIdentifier(oid("1.3.6.1"))),
            ("OID", ".1.3.6.1".to_owned())
        );
    }

    #[test]
    fn names_resolve_with_the_builtin_mibs_and_old_json_still_reads() {
        let mut n = Notification::from_v2(
            Timestamp(5),
            source(),
            Version::V2c,
            NotificationKind::Trap,
            "netops",
            &link_down_v2(),
        )
        .unwrap();
        n.resolve_names(&vigie_mib::MibSet::builtin());
        assert_eq!(n.trap_name.as_deref(), Some("IF-MIB::linkDown"));
        assert_eq!(n.varbinds[0].name.as_deref(), Some("IF-MIB::ifIndex.3"));
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"trap_name\":\"IF-MIB::linkDown\""));
        // A row written before names were kept has neither field.
        let old = r#"{"oid":"1.3.6.1.2.1.2.2.1.1.3","type":"INTEGER","value":"3","raw":"020103"}"#;
        let varbind: StoredVarBind = serde_json::from_str(old).unwrap();
        assert_eq!(varbind.name, None);
    }

    #[test]
    fn serde_round_trip() {
        let n = Notification::from_v2(
            Timestamp(5),
            source(),
            Version::V3,
            NotificationKind::Trap,
            "alice",
            &link_down_v2(),
        )
        .unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"trap_oid\":\"1.3.6.1.6.3.1.1.5.3\""));
        let back: Notification = serde_json::from_str(&json).unwrap();
        assert_eq!(back, n);
    }
}
