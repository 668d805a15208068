//! async-snmp: owned messages, the design closest to vigie's (OIDs as inline arc vectors,
//! OCTET STRINGs zero-copy `Bytes` slices of the datagram). Decoded with its default,
//! Net-SNMP-compatible `DecodeConfig`, which also records accepted anomalies.

use async_snmp::message::{CommunityMessage, CommunityPdu, Message};
use async_snmp::{
    DecodeConfig, GenericTrap, Oid, Pdu, PduBody, StandardPduType, TrapV1Pdu, Value, VarBind,
};
use bytes::Bytes;

use super::{Codec, Failure};
use crate::fixture::{self, Content, Kind};

/// async-snmp's codec.
#[derive(Debug)]
pub enum AsyncSnmp {}

impl Codec for AsyncSnmp {
    const NAME: &'static str = "async-snmp";
    type Message = CommunityMessage;
    type Encoded = Bytes;

    fn decode(_kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        let outcome = Message::decode(datagram.clone(), DecodeConfig::default())?;
        match outcome.value {
            Message::Community(message) => Ok(match message.pdu() {
                CommunityPdu::Standard(pdu) => pdu.varbinds().len(),
                CommunityPdu::TrapV1(trap) => trap.varbinds().len(),
            }),
            Message::V3(_) => Err(Failure::Shape {
                library: Self::NAME,
                what: "an SNMPv3 message",
            }),
        }
    }

    fn build(content: &Content) -> Result<CommunityMessage, Failure> {
        let community = Bytes::from_static(content.community());
        Ok(match content {
            Content::Response(response) => {
                let body = PduBody::Standard {
                    pdu_type: StandardPduType::Response,
                    error_status: 0,
                    error_index: 0,
                };
                let pdu =
                    Pdu::from_raw_parts(response.request_id, body, varbinds(&response.varbinds));
                CommunityMessage::v2c(community, pdu)?
            }
            Content::TrapV1(trap) => {
                let trap = TrapV1Pdu::from_raw_parts(
                    Oid::from_slice(&trap.enterprise),
                    trap.agent_addr,
                    generic_trap(trap.generic_trap),
                    trap.specific_trap,
                    trap.time_stamp,
                    varbinds(&trap.varbinds),
                );
                CommunityMessage::v1_trap(community, trap)?
            }
        })
    }

    fn encode(message: &CommunityMessage) -> Result<Bytes, Failure> {
        Ok(message.encode()?)
    }
}

fn varbinds(varbinds: &[fixture::VarBind]) -> Vec<VarBind> {
    varbinds
        .iter()
        .map(|varbind| VarBind::new(Oid::from_slice(&varbind.name), value(&varbind.value)))
        .collect()
}

fn value(value: &fixture::Value) -> Value {
    match value {
        fixture::Value::Integer(n) => Value::Integer(*n),
        fixture::Value::OctetString(bytes) => Value::OctetString(Bytes::copy_from_slice(bytes)),
        fixture::Value::ObjectIdentifier(arcs) => Value::ObjectIdentifier(Oid::from_slice(arcs)),
        fixture::Value::IpAddress(octets) => Value::IpAddress(*octets),
        fixture::Value::Counter32(n) => Value::Counter32(*n),
        fixture::Value::Gauge32(n) => Value::Gauge32(*n),
        fixture::Value::TimeTicks(n) => Value::TimeTicks(*n),
        fixture::Value::Counter64(n) => Value::Counter64(*n),
    }
}

fn generic_trap(code: i32) -> GenericTrap {
    match code {
        0 => GenericTrap::ColdStart,
        1 => GenericTrap::WarmStart,
        2 => GenericTrap::LinkDown,
        3 => GenericTrap::LinkUp,
        4 => GenericTrap::AuthenticationFailure,
        5 => GenericTrap::EgpNeighborLoss,
        6 => GenericTrap::EnterpriseSpecific,
        other => GenericTrap::Unknown(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind() {
        for kind in Kind::ALL {
            check::decodes_every_varbind::<AsyncSnmp>(kind);
        }
    }

    #[test]
    fn encodes_the_reference_bytes() {
        for kind in Kind::ALL {
            check::encodes_the_reference_bytes::<AsyncSnmp>(kind);
        }
    }
}
