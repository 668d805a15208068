//! snmp2: a lazy, borrowed decoder. `Pdu::from_bytes` splits the header; each varbind is
//! parsed when its iterator is driven, which this adapter does to the end (values become
//! `snmp2::Value<'_>`, OIDs stay BER bytes).
//!
//! Encoding is n/a: the public `Pdu` cannot be built from values (its `version` field is
//! private and its varbinds are only readable from BER bytes), and the message builders
//! behind the sessions are crate-private.

use bytes::Bytes;
use snmp2::Pdu;

use super::{Codec, Failure, Operation};
use crate::fixture::{Content, Kind};

/// snmp2's decoder.
#[derive(Debug)]
pub enum Snmp2 {}

impl Codec for Snmp2 {
    const NAME: &'static str = "snmp2";
    type Message = ();
    type Encoded = Vec<u8>;

    fn decode(_kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        let pdu = Pdu::from_bytes(datagram)?;
        // The iterator stops at the first varbind it cannot parse: the count exposes that.
        Ok(pdu.varbinds.count())
    }

    fn build(_content: &Content) -> Result<(), Failure> {
        Err(unsupported())
    }

    fn encode((): &()) -> Result<Vec<u8>, Failure> {
        Err(unsupported())
    }
}

fn unsupported() -> Failure {
    Failure::Unsupported {
        library: Snmp2::NAME,
        operation: Operation::Encode,
        reason: "no public way to build a message from values",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::check;

    #[test]
    fn decodes_every_varbind() {
        for kind in Kind::ALL {
            check::decodes_every_varbind::<Snmp2>(kind);
        }
    }

    #[test]
    fn has_no_encoder() {
        for kind in Kind::ALL {
            check::cannot::<Snmp2>(Operation::Encode, kind);
        }
    }
}
