//! csnmp: SNMPv2c only, on top of the generic `simple_asn1` codec, which first turns the
//! datagram into a tree of owned `ASN1Block`s (with a `BigUint` per tag) and then maps that
//! tree into owned messages (`Vec<u8>` strings, arc-vector OIDs).

use std::net::Ipv4Addr;

use bytes::Bytes;
use csnmp::ObjectValue;
use csnmp::message::{
    BindingValue, ErrorStatus, InnerPdu, Snmp2cMessage, Snmp2cPdu, VERSION_VALUE, VariableBinding,
};

use super::{Codec, Failure, Operation};
use crate::fixture::{self, Content, Kind};

/// csnmp's codec.
#[derive(Debug)]
pub enum Csnmp {}

impl Codec for Csnmp {
    const NAME: &'static str = "csnmp";
    type Message = Snmp2cMessage;
    type Encoded = Vec<u8>;

    fn decode(kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        if kind == Kind::TrapV1 {
            return Err(v1_unsupported(Operation::Decode));
        }
        let message = Snmp2cMessage::try_from_bytes(datagram)?;
        match message.pdu {
            Snmp2cPdu::Response(pdu) => Ok(pdu.variable_bindings.len()),
            _ => Err(Failure::Shape {
                library: Self::NAME,
                what: "not a Response-PDU",
            }),
        }
    }

    fn build(content: &Content) -> Result<Snmp2cMessage, Failure> {
        let Content::Response(response) = content else {
            return Err(v1_unsupported(Operation::Encode));
        };
        let variable_bindings = response
            .varbinds
            .iter()
            .map(|varbind| {
                Ok(VariableBinding {
                    name: oid(&varbind.name)?,
                    value: BindingValue::Value(value(&varbind.value)?),
                })
            })
            .collect::<Result<_, Failure>>()?;
        Ok(Snmp2cMessage {
            version: VERSION_VALUE,
            community: response.community.to_vec(),
            pdu: Snmp2cPdu::Response(InnerPdu {
                request_id: response.request_id,
                error_status: ErrorStatus::NoError,
                error_index: 0,
                variable_bindings,
            }),
        })
    }

    fn encode(message: &Snmp2cMessage) -> Result<Vec<u8>, Failure> {
        Ok(message.to_bytes()?)
    }
}

fn value(value: &fixture::Value) -> Result<ObjectValue, Failure> {
    Ok(match value {
        fixture::Value::Integer(n) => ObjectValue::Integer(*n),
        fixture::Value::OctetString(bytes) => ObjectValue::String(bytes.clone()),
        fixture::Value::ObjectIdentifier(arcs) => ObjectValue::ObjectId(oid(arcs)?),
        fixture::Value::IpAddress(octets) => ObjectValue::IpAddress(Ipv4Addr::from(*octets)),
        fixture::Value::Counter32(n) => ObjectValue::Counter32(*n),
        fixture::Value::Gauge32(n) => ObjectValue::Unsigned32(*n),
        fixture::Value::TimeTicks(n) => ObjectValue::TimeTicks(*n),
        fixture::Value::Counter64(n) => ObjectValue::Counter64(*n),
    })
}

fn oid(arcs: &[u32]) -> Result<csnmp::ObjectIdentifier, Failure> {
    csnmp::ObjectIdentifier::try_from(arcs).map_err(|_| Failure::Shape {
        library: Csnmp::NAME,
        what: "fixture OID rejected",
    })
}

fn v1_unsupported(operation: Operation) -> Failure {
    Failure::Unsupported {
        library: Csnmp::NAME,
        operation,
        reason: "SNMPv2c only: no SNMPv1 Trap-PDU",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind_of_the_v2c_response() {
        check::decodes_every_varbind::<Csnmp>(Kind::GetBulkResponse50);
    }

    #[test]
    fn encodes_the_reference_bytes_of_the_v2c_response() {
        check::encodes_the_reference_bytes::<Csnmp>(Kind::GetBulkResponse50);
    }

    #[test]
    fn has_no_v1_trap() {
        check::cannot::<Csnmp>(Operation::Decode, Kind::TrapV1);
        check::cannot::<Csnmp>(Operation::Encode, Kind::TrapV1);
    }
}
