//! The benchmark inputs: two messages as logical content, and their reference BER bytes.
//!
//! The bytes come from a small encoder of our own in this module, independent of every codec
//! under test, so that no library is measured on bytes shaped by its own encoder. Its output is
//! DER-minimal (shortest lengths and integers), as Net-SNMP sends (X.690 §10.1, §8.3.2).

/// Which of the two benchmark messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A v2c Response to a GetBulkRequest: 50 varbinds of an ifTable walk.
    GetBulkResponse50,
    /// A v1 Trap-PDU (RFC 1157 §4.1.6) with four varbinds.
    TrapV1,
}

impl Kind {
    /// Both kinds, in the order the benchmark groups are reported.
    pub const ALL: [Self; 2] = [Self::GetBulkResponse50, Self::TrapV1];

    /// The benchmark-group suffix: `decode/<name>`, `encode/<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Self::GetBulkResponse50 => "getbulk_response_50",
            Self::TrapV1 => "trap_v1",
        }
    }

    /// The logical content of this message.
    pub fn content(self) -> Content {
        match self {
            Self::GetBulkResponse50 => Content::Response(getbulk_response_50()),
            Self::TrapV1 => Content::TrapV1(trap_v1()),
        }
    }
}

/// The logical content of a message, from which every library builds its own message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// An SNMPv2c Response-PDU (RFC 3416 §4.2.4).
    Response(Response),
    /// An SNMPv1 Trap-PDU (RFC 1157 §4.1.6).
    TrapV1(TrapV1),
}

impl Content {
    /// The community string.
    pub fn community(&self) -> &'static [u8] {
        match self {
            Self::Response(response) => response.community,
            Self::TrapV1(trap) => trap.community,
        }
    }

    /// The variable bindings.
    pub fn varbinds(&self) -> &[VarBind] {
        match self {
            Self::Response(response) => &response.varbinds,
            Self::TrapV1(trap) => &trap.varbinds,
        }
    }

    /// The reference BER encoding of this message.
    pub fn to_ber(&self) -> Vec<u8> {
        let (version, pdu) = match self {
            Self::Response(response) => (VERSION_V2C, response.pdu_ber()),
            Self::TrapV1(trap) => (VERSION_V1, trap.pdu_ber()),
        };
        let mut body = integer(version);
        body.extend(tlv(TAG_OCTET_STRING, self.community()));
        body.extend(pdu);
        tlv(TAG_SEQUENCE, &body)
    }
}

/// A Response-PDU's fields, in an SNMPv2c message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The community string.
    pub community: &'static [u8],
    /// The request-id.
    pub request_id: i32,
    /// The variable bindings (error-status and error-index are zero).
    pub varbinds: Vec<VarBind>,
}

impl Response {
    fn pdu_ber(&self) -> Vec<u8> {
        let mut body = integer(i64::from(self.request_id));
        body.extend(integer(0));
        body.extend(integer(0));
        body.extend(varbind_list(&self.varbinds));
        tlv(TAG_RESPONSE, &body)
    }
}

/// A v1 Trap-PDU's fields, in an SNMPv1 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapV1 {
    /// The community string.
    pub community: &'static [u8],
    /// The enterprise OID's arcs.
    pub enterprise: Vec<u32>,
    /// The agent's IPv4 address.
    pub agent_addr: [u8; 4],
    /// generic-trap, 0–6.
    pub generic_trap: i32,
    /// specific-trap.
    pub specific_trap: i32,
    /// time-stamp, in hundredths of a second.
    pub time_stamp: u32,
    /// The variable bindings.
    pub varbinds: Vec<VarBind>,
}

impl TrapV1 {
    fn pdu_ber(&self) -> Vec<u8> {
        let mut body = tlv(TAG_OBJECT_IDENTIFIER, &oid_content(&self.enterprise));
        body.extend(tlv(TAG_IP_ADDRESS, &self.agent_addr));
        body.extend(integer(i64::from(self.generic_trap)));
        body.extend(integer(i64::from(self.specific_trap)));
        body.extend(tlv(
            TAG_TIMETICKS,
            &unsigned_content(u64::from(self.time_stamp)),
        ));
        body.extend(varbind_list(&self.varbinds));
        tlv(TAG_TRAP_V1, &body)
    }
}

/// A variable binding as logical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarBind {
    /// The object instance's arcs.
    pub name: Vec<u32>,
    /// Its value.
    pub value: Value,
}

/// The value types the two messages carry (RFC 2578 §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// INTEGER.
    Integer(i32),
    /// OCTET STRING.
    OctetString(Vec<u8>),
    /// OBJECT IDENTIFIER, as arcs.
    ObjectIdentifier(Vec<u32>),
    /// IpAddress.
    IpAddress([u8; 4]),
    /// Counter32.
    Counter32(u32),
    /// Gauge32.
    Gauge32(u32),
    /// TimeTicks.
    TimeTicks(u32),
    /// Counter64.
    Counter64(u64),
}

impl Value {
    fn to_ber(&self) -> Vec<u8> {
        match self {
            Self::Integer(n) => integer(i64::from(*n)),
            Self::OctetString(bytes) => tlv(TAG_OCTET_STRING, bytes),
            Self::ObjectIdentifier(arcs) => tlv(TAG_OBJECT_IDENTIFIER, &oid_content(arcs)),
            Self::IpAddress(octets) => tlv(TAG_IP_ADDRESS, octets),
            Self::Counter32(n) => tlv(TAG_COUNTER32, &unsigned_content(u64::from(*n))),
            Self::Gauge32(n) => tlv(TAG_GAUGE32, &unsigned_content(u64::from(*n))),
            Self::TimeTicks(n) => tlv(TAG_TIMETICKS, &unsigned_content(u64::from(*n))),
            Self::Counter64(n) => tlv(TAG_COUNTER64, &unsigned_content(*n)),
        }
    }
}

/// The answer to `snmpbulkget -v2c -Cn2 -Cr8` for sysUpTime.0, sysObjectID.0 and six columns
/// (ifDescr, ifType, ifSpeed, ifInOctets, ifHCInOctets, ipAdEntAddr) of a switch: 2 + 6 × 8
/// = 50 varbinds, in the row-by-row order RFC 3416 §4.2.3 prescribes.
pub fn getbulk_response_50() -> Response {
    let mut varbinds = vec![
        VarBind {
            name: vec![1, 3, 6, 1, 2, 1, 1, 3, 0],
            value: Value::TimeTicks(123_456_789),
        },
        VarBind {
            name: vec![1, 3, 6, 1, 2, 1, 1, 2, 0],
            value: Value::ObjectIdentifier(vec![1, 3, 6, 1, 4, 1, 9, 1, 1_745]),
        },
    ];
    for row in 1..=8_u8 {
        let index = u32::from(row);
        let column = |column: u32| vec![1, 3, 6, 1, 2, 1, 2, 2, 1, column, index];
        varbinds.extend([
            VarBind {
                name: column(IF_DESCR),
                value: Value::OctetString(format!("GigabitEthernet1/0/{row}").into_bytes()),
            },
            VarBind {
                name: column(IF_TYPE),
                value: Value::Integer(IF_TYPE_ETHERNET_CSMACD),
            },
            VarBind {
                name: column(IF_SPEED),
                // A 10 Gb/s port saturates ifSpeed (RFC 2863 §3.1.6): a five-byte encoding.
                value: Value::Gauge32(if row % 2 == 0 {
                    u32::MAX
                } else {
                    1_000_000_000
                }),
            },
            VarBind {
                name: column(IF_IN_OCTETS),
                value: Value::Counter32(3_000_000_000 + index * 123_457),
            },
            VarBind {
                name: vec![1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, index],
                value: Value::Counter64(987_654_321_012 * u64::from(index)),
            },
            VarBind {
                name: vec![1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 192, 0, 2, index],
                value: Value::IpAddress([192, 0, 2, row]),
            },
        ]);
    }
    Response {
        community: COMMUNITY,
        request_id: 0x1a2b_3c4d,
        varbinds,
    }
}

/// A linkDown trap as Net-SNMP's agent sends it for port 3 (RFC 1157 §4.1.6, IF-MIB
/// linkDown's varbinds: ifIndex, ifAdminStatus, ifOperStatus, plus ifDescr).
pub fn trap_v1() -> TrapV1 {
    let if_entry = |column: u32| vec![1, 3, 6, 1, 2, 1, 2, 2, 1, column, 3];
    TrapV1 {
        community: COMMUNITY,
        enterprise: vec![1, 3, 6, 1, 4, 1, 8_072, 3, 2, 10],
        agent_addr: [192, 0, 2, 10],
        generic_trap: GENERIC_TRAP_LINK_DOWN,
        specific_trap: 0,
        time_stamp: 123_456_789,
        varbinds: vec![
            VarBind {
                name: if_entry(IF_INDEX),
                value: Value::Integer(3),
            },
            VarBind {
                name: if_entry(IF_ADMIN_STATUS),
                value: Value::Integer(1),
            },
            VarBind {
                name: if_entry(IF_OPER_STATUS),
                value: Value::Integer(2),
            },
            VarBind {
                name: if_entry(IF_DESCR),
                value: Value::OctetString(b"GigabitEthernet1/0/3".to_vec()),
            },
        ],
    }
}

fn varbind_list(varbinds: &[VarBind]) -> Vec<u8> {
    let mut list = Vec::new();
    for varbind in varbinds {
        let mut pair = tlv(TAG_OBJECT_IDENTIFIER, &oid_content(&varbind.name));
        pair.extend(varbind.value.to_ber());
        list.extend(tlv(TAG_SEQUENCE, &pair));
    }
    tlv(TAG_SEQUENCE, &list)
}

/// A tag, a definite length in the shortest form (X.690 §8.1.3, §10.1), the content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len().to_be_bytes();
    let significant = length.iter().skip_while(|&&byte| byte == 0).count();
    match content.len() {
        0..=0x7f => out.extend(length.get(length.len() - 1..).unwrap_or_default()),
        _ => {
            // Long form: 0x80 | number of length octets, then the length big-endian.
            out.push(0x80 | u8::try_from(significant).unwrap_or(u8::MAX));
            out.extend(length.get(length.len() - significant..).unwrap_or_default());
        }
    }
    out.extend_from_slice(content);
    out
}

/// An INTEGER TLV, in the fewest two's-complement octets (X.690 §8.3.2).
fn integer(n: i64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut start = 0;
    // Drop a leading octet while it and the next octet's top bit are all zeros or all ones.
    while start + 1 < bytes.len() {
        let (Some(&first), Some(&next)) = (bytes.get(start), bytes.get(start + 1)) else {
            break;
        };
        let redundant = (first == 0x00 && next & 0x80 == 0) || (first == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    tlv(TAG_INTEGER, bytes.get(start..).unwrap_or_default())
}

/// The content octets of an unsigned value: Counter32, Gauge32, TimeTicks and Counter64 are
/// INTEGERs, so a value with its top bit set gets a leading zero octet (RFC 2578 §7.1).
fn unsigned_content(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = Vec::with_capacity(9);
    if bytes.get(first).is_some_and(|&byte| byte & 0x80 != 0) {
        out.push(0);
    }
    out.extend(bytes.get(first..).unwrap_or_default());
    out
}

/// The content octets of an OBJECT IDENTIFIER (X.690 §8.19): the first two arcs merged, then
/// each arc in base 128, high bit set on every octet but the last.
fn oid_content(arcs: &[u32]) -> Vec<u8> {
    let [first, second, rest @ ..] = arcs else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let subidentifiers = std::iter::once(first * 40 + second).chain(rest.iter().copied());
    for arc in subidentifiers {
        // A u32 needs at most five septets; emit from the most significant non-zero one.
        let width = (1..5_u32)
            .rev()
            .find(|&i| arc >> (7 * i) != 0)
            .map_or(1, |i| i + 1);
        for i in (0..width).rev() {
            let septet = u8::try_from((arc >> (7 * i)) & 0x7f).unwrap_or_default();
            out.push(if i == 0 { septet } else { septet | 0x80 });
        }
    }
    out
}

const COMMUNITY: &[u8] = b"public";
const VERSION_V1: i64 = 0;
const VERSION_V2C: i64 = 1;
const GENERIC_TRAP_LINK_DOWN: i32 = 2;
const IF_TYPE_ETHERNET_CSMACD: i32 = 6;

// ifEntry columns (RFC 2863 §6).
const IF_INDEX: u32 = 1;
const IF_DESCR: u32 = 2;
const IF_TYPE: u32 = 3;
const IF_SPEED: u32 = 5;
const IF_ADMIN_STATUS: u32 = 7;
const IF_OPER_STATUS: u32 = 8;
const IF_IN_OCTETS: u32 = 10;

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OBJECT_IDENTIFIER: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_IP_ADDRESS: u8 = 0x40;
const TAG_COUNTER32: u8 = 0x41;
const TAG_GAUGE32: u8 = 0x42;
const TAG_TIMETICKS: u8 = 0x43;
const TAG_COUNTER64: u8 = 0x46;
const TAG_RESPONSE: u8 = 0xa2;
const TAG_TRAP_V1: u8 = 0xa4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getbulk_response_has_fifty_varbinds() {
        assert_eq!(getbulk_response_50().varbinds.len(), 50);
    }

    #[test]
    fn lengths_use_the_shortest_form() {
        assert_eq!(tlv(0x04, &[0; 0x7f])[..2], [0x04, 0x7f]);
        assert_eq!(tlv(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x04, &[0; 0x1234])[..4], [0x04, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn integers_use_the_fewest_octets() {
        assert_eq!(integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer(127), [0x02, 0x01, 0x7f]);
        assert_eq!(integer(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(integer(-1), [0x02, 0x01, 0xff]);
        assert_eq!(integer(-129), [0x02, 0x02, 0xff, 0x7f]);
        assert_eq!(integer(0x1a2b_3c4d), [0x02, 0x04, 0x1a, 0x2b, 0x3c, 0x4d]);
    }

    #[test]
    fn unsigned_values_get_a_leading_zero_when_the_top_bit_is_set() {
        assert_eq!(unsigned_content(0), [0x00]);
        assert_eq!(unsigned_content(0x7f), [0x7f]);
        assert_eq!(
            unsigned_content(u64::from(u32::MAX)),
            [0x00, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(
            unsigned_content(u64::MAX),
            [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn oid_arcs_are_base_128() {
        // 1.3.6.1.4.1.8072: 8072 = 0x1f88 = 63 * 128 + 8.
        assert_eq!(
            oid_content(&[1, 3, 6, 1, 4, 1, 8_072]),
            [0x2b, 6, 1, 4, 1, 0xbf, 0x08]
        );
        assert_eq!(oid_content(&[2, 999]), [0x88, 0x37]);
    }

    #[test]
    fn trap_is_byte_for_byte_what_net_snmp_sends() {
        // scripts/bench-vectors.sh: `snmptrap -v1 -d` with the same content, Net-SNMP 5.9.3.
        let net_snmp = include_bytes!("../vectors/netsnmp_trap_v1.der");
        assert_eq!(Kind::TrapV1.content().to_ber(), net_snmp);
    }

    #[test]
    fn getbulk_varbinds_are_byte_for_byte_what_net_snmp_sends() {
        // scripts/bench-vectors.sh: `snmptrap -v2c -d` with the same 50 varbinds, Net-SNMP
        // 5.9.3. Its list has snmpTrapOID.0 second, and its request-id is random, so compare
        // the varbind lists without that varbind.
        let net_snmp = include_bytes!("../vectors/netsnmp_v2trap_50.der");
        let ours = Kind::GetBulkResponse50.content().to_ber();
        // Both messages: SEQUENCE (4 header bytes), version (3), "public" (8), PDU header
        // (4), request-id (6), error-status (3), error-index (3), list header (4) = 35.
        let list_start = 35;
        let trap_oid_varbind = 53..78;
        let mut expected = net_snmp[list_start..trap_oid_varbind.start].to_vec();
        expected.extend_from_slice(&net_snmp[trap_oid_varbind.end..]);
        assert_eq!(ours[list_start..], expected[..]);
    }
}
