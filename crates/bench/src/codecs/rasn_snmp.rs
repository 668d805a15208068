//! rasn-snmp: owned messages from rasn's derive-based generic BER codec; OIDs become owned
//! arc vectors, OCTET STRINGs `Bytes` copies, INTEGERs arbitrary-precision `Integer`s.

use bytes::Bytes;
use rasn::types::{Integer, ObjectIdentifier, OctetString};
use rasn_smi::{v1 as smi_v1, v2 as smi_v2};
use rasn_snmp::{v1, v2, v2c};

use super::{Codec, Failure};
use crate::fixture::{self, Content, Kind};

/// rasn-snmp's codec.
#[derive(Debug)]
pub enum RasnSnmp {}

/// A message of either version: rasn types each version's message separately.
#[derive(Debug)]
pub enum RasnMessage {
    /// An SNMPv1 message.
    V1(v1::Message<v1::Pdus>),
    /// An SNMPv2c message.
    V2c(v2c::Message<v2::Pdus>),
}

impl Codec for RasnSnmp {
    const NAME: &'static str = "rasn-snmp";
    type Message = RasnMessage;
    type Encoded = Vec<u8>;

    fn decode(kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        Ok(match kind {
            Kind::GetBulkResponse50 => {
                let message: v2c::Message<v2::Pdus> = rasn::ber::decode(datagram)?;
                match message.data {
                    v2::Pdus::Response(v2::Response(pdu)) => pdu.variable_bindings.len(),
                    _ => return Err(shape("not a Response-PDU")),
                }
            }
            Kind::TrapV1 => {
                let message: v1::Message<v1::Pdus> = rasn::ber::decode(datagram)?;
                match message.data {
                    v1::Pdus::Trap(trap) => trap.variable_bindings.len(),
                    _ => return Err(shape("not a Trap-PDU")),
                }
            }
        })
    }

    fn build(content: &Content) -> Result<RasnMessage, Failure> {
        let community = OctetString::from_static(content.community());
        Ok(match content {
            Content::Response(response) => {
                let variable_bindings = response
                    .varbinds
                    .iter()
                    .map(|varbind| {
                        Ok(v2::VarBind {
                            name: oid(&varbind.name)?,
                            value: v2::VarBindValue::Value(value_v2(&varbind.value)?),
                        })
                    })
                    .collect::<Result<_, Failure>>()?;
                RasnMessage::V2c(v2c::Message {
                    version: Integer::from(1),
                    community,
                    data: v2::Pdus::Response(v2::Response(v2::Pdu {
                        request_id: response.request_id,
                        error_status: v2::Pdu::ERROR_STATUS_NO_ERROR,
                        error_index: 0,
                        variable_bindings,
                    })),
                })
            }
            Content::TrapV1(trap) => {
                let variable_bindings = trap
                    .varbinds
                    .iter()
                    .map(|varbind| {
                        Ok(v1::VarBind {
                            name: oid(&varbind.name)?,
                            value: value_v1(&varbind.value)?,
                        })
                    })
                    .collect::<Result<_, Failure>>()?;
                RasnMessage::V1(v1::Message {
                    version: Integer::from(0),
                    community,
                    data: v1::Pdus::Trap(v1::Trap {
                        enterprise: oid(&trap.enterprise)?,
                        agent_addr: smi_v1::NetworkAddress::Internet(smi_v1::IpAddress(
                            trap.agent_addr.into(),
                        )),
                        generic_trap: Integer::from(trap.generic_trap),
                        specific_trap: Integer::from(trap.specific_trap),
                        time_stamp: smi_v1::TimeTicks(trap.time_stamp),
                        variable_bindings,
                    }),
                })
            }
        })
    }

    fn encode(message: &RasnMessage) -> Result<Vec<u8>, Failure> {
        Ok(match message {
            RasnMessage::V1(message) => rasn::ber::encode(message)?,
            RasnMessage::V2c(message) => rasn::ber::encode(message)?,
        })
    }
}

fn value_v2(value: &fixture::Value) -> Result<smi_v2::ObjectSyntax, Failure> {
    use smi_v2::{ApplicationSyntax, ObjectSyntax, SimpleSyntax};
    Ok(match value {
        fixture::Value::Integer(n) => {
            ObjectSyntax::Simple(SimpleSyntax::Integer(Integer::from(*n)))
        }
        fixture::Value::OctetString(bytes) => {
            ObjectSyntax::Simple(SimpleSyntax::String(OctetString::from(bytes.as_slice())))
        }
        fixture::Value::ObjectIdentifier(arcs) => {
            ObjectSyntax::Simple(SimpleSyntax::ObjectId(oid(arcs)?))
        }
        fixture::Value::IpAddress(octets) => ObjectSyntax::ApplicationWide(
            ApplicationSyntax::Address(smi_v1::IpAddress((*octets).into())),
        ),
        fixture::Value::Counter32(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Counter(smi_v1::Counter(*n)))
        }
        fixture::Value::Gauge32(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Unsigned(smi_v1::Gauge(*n)))
        }
        fixture::Value::TimeTicks(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Ticks(smi_v1::TimeTicks(*n)))
        }
        fixture::Value::Counter64(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::BigCounter(smi_v2::Counter64(*n)))
        }
    })
}

fn value_v1(value: &fixture::Value) -> Result<smi_v1::ObjectSyntax, Failure> {
    use smi_v1::{ApplicationSyntax, ObjectSyntax, SimpleSyntax};
    Ok(match value {
        fixture::Value::Integer(n) => ObjectSyntax::Simple(SimpleSyntax::Number(Integer::from(*n))),
        fixture::Value::OctetString(bytes) => {
            ObjectSyntax::Simple(SimpleSyntax::String(OctetString::from(bytes.as_slice())))
        }
        fixture::Value::ObjectIdentifier(arcs) => {
            ObjectSyntax::Simple(SimpleSyntax::Object(oid(arcs)?))
        }
        fixture::Value::IpAddress(octets) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Address(
                smi_v1::NetworkAddress::Internet(smi_v1::IpAddress((*octets).into())),
            ))
        }
        fixture::Value::Counter32(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Counter(smi_v1::Counter(*n)))
        }
        fixture::Value::Gauge32(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Gauge(smi_v1::Gauge(*n)))
        }
        fixture::Value::TimeTicks(n) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Ticks(smi_v1::TimeTicks(*n)))
        }
        fixture::Value::Counter64(_) => {
            return Err(Failure::Unsupported {
                library: RasnSnmp::NAME,
                operation: super::Operation::Encode,
                reason: "SNMPv1 has no Counter64",
            });
        }
    })
}

fn oid(arcs: &[u32]) -> Result<ObjectIdentifier, Failure> {
    ObjectIdentifier::new(arcs.to_vec()).ok_or_else(|| shape("fixture OID rejected"))
}

fn shape(what: &'static str) -> Failure {
    Failure::Shape {
        library: RasnSnmp::NAME,
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind() {
        for kind in Kind::ALL {
            check::decodes_every_varbind::<RasnSnmp>(kind);
        }
    }

    #[test]
    fn encodes_the_reference_bytes() {
        for kind in Kind::ALL {
            check::encodes_the_reference_bytes::<RasnSnmp>(kind);
        }
    }
}
