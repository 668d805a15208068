//! vigie-snmp: owned messages; OCTET STRING values are zero-copy slices of the datagram.

use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, GenericTrap, Message, Oid, Pdu, PduKind, RequestId,
    TrapV1Pdu, Value, VarBind, Version,
};

use super::{Codec, Failure};
use crate::fixture::{self, Content, Kind};

/// vigie's codec.
#[derive(Debug)]
pub enum Vigie {}

impl Codec for Vigie {
    const NAME: &'static str = "vigie";
    type Message = Message;
    type Encoded = Vec<u8>;

    fn decode(_kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        match Message::decode(datagram.clone())? {
            Message::Community(message) => Ok(message.pdu.varbinds().len()),
            _ => Err(Failure::Shape {
                library: Self::NAME,
                what: "not a community message",
            }),
        }
    }

    fn build(content: &Content) -> Result<Message, Failure> {
        let (version, pdu) = match content {
            Content::Response(response) => {
                let pdu = Pdu {
                    kind: PduKind::Response,
                    request_id: RequestId(response.request_id),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds: varbinds(&response.varbinds)?,
                };
                (Version::V2c, AnyPdu::Pdu(pdu))
            }
            Content::TrapV1(trap) => {
                let pdu = TrapV1Pdu {
                    enterprise: oid(&trap.enterprise)?,
                    agent_addr: Ipv4Addr::from(trap.agent_addr),
                    generic_trap: GenericTrap::from_code(trap.generic_trap),
                    specific_trap: trap.specific_trap,
                    time_stamp: trap.time_stamp,
                    varbinds: varbinds(&trap.varbinds)?,
                };
                (Version::V1, AnyPdu::TrapV1(pdu))
            }
        };
        Ok(Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(content.community()),
            pdu,
        }))
    }

    fn encode(message: &Message) -> Result<Vec<u8>, Failure> {
        Ok(message.to_vec())
    }
}

fn varbinds(varbinds: &[fixture::VarBind]) -> Result<Vec<VarBind>, Failure> {
    varbinds
        .iter()
        .map(|varbind| {
            Ok(VarBind {
                name: oid(&varbind.name)?,
                value: value(&varbind.value)?,
            })
        })
        .collect()
}

fn value(value: &fixture::Value) -> Result<Value, Failure> {
    Ok(match value {
        fixture::Value::Integer(n) => Value::Integer(*n),
        fixture::Value::OctetString(bytes) => Value::OctetString(Bytes::copy_from_slice(bytes)),
        fixture::Value::ObjectIdentifier(arcs) => Value::ObjectIdentifier(oid(arcs)?),
        fixture::Value::IpAddress(octets) => Value::IpAddress(Ipv4Addr::from(*octets)),
        fixture::Value::Counter32(n) => Value::Counter32(*n),
        fixture::Value::Gauge32(n) => Value::Gauge32(*n),
        fixture::Value::TimeTicks(n) => Value::TimeTicks(*n),
        fixture::Value::Counter64(n) => Value::Counter64(*n),
    })
}

fn oid(arcs: &[u32]) -> Result<Oid, Failure> {
    Ok(Oid::new(arcs)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind() {
        for kind in Kind::ALL {
            check::decodes_every_varbind::<Vigie>(kind);
        }
    }

    #[test]
    fn decodes_the_content_it_was_built_from() {
        for kind in Kind::ALL {
            let content = kind.content();
            let built = Vigie::build(&content).expect("the fixture's OIDs are valid");
            let decoded = Message::decode(Bytes::from(content.to_ber()));
            assert_eq!(decoded, Ok(built), "{kind:?}");
        }
    }

    #[test]
    fn encodes_the_reference_bytes() {
        for kind in Kind::ALL {
            check::encodes_the_reference_bytes::<Vigie>(kind);
        }
    }
}
