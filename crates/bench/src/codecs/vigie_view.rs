//! vigie-snmp's borrowed view: `MessageView::parse` validates the whole datagram as
//! `Message::decode` does, then the varbinds are read lazily, which this adapter does to the
//! end (values become `ValueView<'_>`, OIDs stay BER bytes). Like snmp2 and snmp-parser, and
//! unlike the owned decoders, it builds no owned message: compare it with those two.
//!
//! Encoding is n/a: a view only reads; the owned `vigie` entry encodes.

use std::hint::black_box;

use bytes::Bytes;
use vigie_snmp::view::MessageView;

use super::{Codec, Failure, Operation};
use crate::fixture::{Content, Kind};

/// vigie's borrowed, validating view.
#[derive(Debug)]
pub enum VigieView {}

impl Codec for VigieView {
    const NAME: &'static str = "vigie-view";
    type Message = ();
    type Encoded = Vec<u8>;

    fn decode(_kind: Kind, datagram: &Bytes) -> Result<usize, Failure> {
        let view = MessageView::parse(datagram)?;
        // Each varbind is materialised, as snmp2's iterator materialises its values.
        Ok(view.varbinds().map(black_box).count())
    }

    fn build(_content: &Content) -> Result<(), Failure> {
        Err(Failure::Unsupported {
            library: Self::NAME,
            operation: Operation::Encode,
            reason: "a view only reads; the owned vigie entry encodes",
        })
    }

    fn encode((): &()) -> Result<Vec<u8>, Failure> {
        Err(Failure::Unsupported {
            library: Self::NAME,
            operation: Operation::Encode,
            reason: "a view only reads; the owned vigie entry encodes",
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
            check::decodes_every_varbind::<VigieView>(kind);
        }
    }

    #[test]
    fn sees_what_the_owned_decoder_decodes() {
        for kind in Kind::ALL {
            let datagram = Bytes::from(kind.content().to_ber());
            let view = MessageView::parse(&datagram).expect("the fixture is valid");
            let Ok(vigie_snmp::Message::Community(owned)) =
                vigie_snmp::Message::decode(datagram.clone())
            else {
                panic!("the fixture is a community message");
            };
            let viewed: Vec<_> = view.varbinds().map(|v| v.to_varbind()).collect();
            assert_eq!(viewed, owned.pdu.varbinds(), "{kind:?}");
        }
    }

    #[test]
    fn has_no_encoder() {
        for kind in Kind::ALL {
            check::cannot::<VigieView>(Operation::Encode, kind);
        }
    }
}
