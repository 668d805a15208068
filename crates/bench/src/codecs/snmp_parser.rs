//! snmp-parser (Rusticata): decode only. Borrowed messages: OIDs stay BER bytes, OCTET
//! STRINGs slices of the datagram; the varbind list is an owned `Vec` and the community an
//! owned `String`.

use bytes::Bytes;
use snmp_parser::{SnmpGenericMessage, parse_snmp_generic_message};

use super::{Codec, Failure, Operation};
use crate::fixture::{Content, Kind};

/// snmp-parser's decoder.
#[derive(Debug)]
pub enum SnmpParser {}

impl Codec for SnmpParser {
    const NAME: &'static str = "snmp-parser";
    type Message = ();
    type Encoded = Vec<u8>;

    fn decode(_kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        let (_rest, message) = parse_snmp_generic_message(datagram)?;
        match message {
            SnmpGenericMessage::V1(message) | SnmpGenericMessage::V2(message) => {
                Ok(message.vars_iter().count())
            }
            SnmpGenericMessage::V3(_) => Err(Failure::Shape {
                library: Self::NAME,
                what: "an SNMPv3 message",
            }),
        }
    }

    fn build(_content: &Content) -> Result<(), Failure> {
        Err(Failure::Unsupported {
            library: Self::NAME,
            operation: Operation::Encode,
            reason: "a parser only: it has no encoder",
        })
    }

    fn encode((): &()) -> Result<Vec<u8>, Failure> {
        Err(Failure::Unsupported {
            library: Self::NAME,
            operation: Operation::Encode,
            reason: "a parser only: it has no encoder",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind() {
        for kind in Kind::ALL {
            check::decodes_every_varbind::<SnmpParser>(kind);
        }
    }

    #[test]
    fn has_no_encoder() {
        for kind in Kind::ALL {
            check::cannot::<SnmpParser>(Operation::Encode, kind);
        }
    }
}
