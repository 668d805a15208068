//! One adapter per SNMP codec under test, behind the same [`Codec`] trait.
//!
//! Each adapter does the whole job a caller of that library would do: decoding turns every
//! varbind into the library's own value type (a lazy decoder is driven to the end), and
//! encoding produces the complete datagram. The adapters report what a library cannot do as
//! [`Failure::Unsupported`], which the benchmark lists as "n/a".

use bytes::Bytes;

use crate::fixture::{Content, Kind};

pub mod async_snmp;
pub mod csnmp;
pub mod rasn_snmp;
pub mod snmp2;
pub mod snmp_parser;
pub mod vigie;
pub mod vigie_view;

/// An SNMP codec under test.
pub trait Codec {
    /// The name in the benchmark report and in docs/benchmarks.md.
    const NAME: &'static str;
    /// The library's own message type, built from [`Content`] outside the timed loop.
    type Message;
    /// What the library's encoder returns.
    type Encoded: AsRef<[u8]>;

    /// Decodes `datagram`, a message of `kind`, converting every value, and returns the number
    /// of varbinds decoded.
    ///
    /// `kind` is a hint only libraries without version dispatch use (rasn-snmp is generic over
    /// the message type, so the caller must name it).
    fn decode(kind: Kind, datagram: &Bytes) -> Result<usize, Failure>;

    /// Builds the library's message from the logical content.
    fn build(content: &Content) -> Result<Self::Message, Failure>;

    /// Encodes a message built by [`Codec::build`].
    fn encode(message: &Self::Message) -> Result<Self::Encoded, Failure>;
}

/// The two operations benchmarked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Bytes to the library's message.
    Decode,
    /// The library's message to bytes.
    Encode,
}

impl Operation {
    /// The benchmark-group prefix.
    pub fn name(self) -> &'static str {
        match self {
            Self::Decode => "decode",
            Self::Encode => "encode",
        }
    }
}

impl core::fmt::Display for Operation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a codec did not decode or encode a benchmark message.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The library has no public API for this operation on this message.
    #[error("{library} cannot {operation} this message: {reason}")]
    Unsupported {
        /// The library.
        library: &'static str,
        /// The operation.
        operation: Operation,
        /// Why, in a few words, for the docs table.
        reason: &'static str,
    },
    /// The library decoded the bytes into a message of another shape than expected.
    #[error("{library} decoded an unexpected message: {what}")]
    Shape {
        /// The library.
        library: &'static str,
        /// What was unexpected.
        what: &'static str,
    },
    /// vigie rejected the input.
    #[error("vigie: {0}")]
    Vigie(#[from] vigie_snmp::DecodeError),
    /// vigie's User-based Security Model refused a key, a MAC or a ciphertext.
    #[error("vigie: {0}")]
    Usm(#[from] vigie_snmp::usm::UsmError),
    /// vigie rejected a fixture OID.
    #[error("vigie: {0}")]
    VigieOid(#[from] vigie_snmp::OidError),
    /// rasn rejected the input.
    #[error("rasn-snmp: {0}")]
    RasnDecode(#[from] ::rasn::error::DecodeError),
    /// rasn could not encode the message.
    #[error("rasn-snmp: {0}")]
    RasnEncode(#[from] ::rasn::error::EncodeError),
    /// snmp-parser rejected the input.
    #[error("snmp-parser: {0}")]
    SnmpParser(#[from] ::snmp_parser::asn1_rs::nom::Err<::snmp_parser::error::SnmpError>),
    /// snmp2 rejected the input.
    #[error("snmp2: {0}")]
    Snmp2(#[from] ::snmp2::Error),
    /// async-snmp rejected the input or the message.
    #[error("async-snmp: {0}")]
    AsyncSnmp(#[from] Box<::async_snmp::Error>),
    /// csnmp rejected the input or the message (boxed: the error is over 500 bytes).
    #[error("csnmp: {0}")]
    Csnmp(Box<::csnmp::message::SnmpMessageError>),
}

impl From<::csnmp::message::SnmpMessageError> for Failure {
    fn from(error: ::csnmp::message::SnmpMessageError) -> Self {
        Self::Csnmp(Box::new(error))
    }
}

/// Checks shared by every adapter's tests.
#[cfg(test)]
mod check {
    use bytes::Bytes;

    use super::{Codec, Failure, Operation};
    use crate::fixture::Kind;

    /// The codec decodes the reference bytes of `kind` and finds every varbind.
    pub(super) fn decodes_every_varbind<C: Codec>(kind: Kind) {
        let content = kind.content();
        let datagram = Bytes::from(content.to_ber());
        let decoded = C::decode(kind, &datagram);
        assert_eq!(
            decoded.ok(),
            Some(content.varbinds().len()),
            "{} decoding {kind:?}",
            C::NAME
        );
    }

    /// The codec's encoding of `kind`'s content is the reference encoding, byte for byte.
    pub(super) fn encodes_the_reference_bytes<C: Codec>(kind: Kind) {
        let content = kind.content();
        let message = C::build(&content).unwrap_or_else(|e| panic!("{e}"));
        let encoded = C::encode(&message).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            encoded.as_ref(),
            content.to_ber(),
            "{} encoding {kind:?}",
            C::NAME
        );
    }

    /// The codec reports `operation` on `kind` as unsupported, which the bench lists as n/a.
    pub(super) fn cannot<C: Codec>(operation: Operation, kind: Kind) {
        let content = kind.content();
        let result = match operation {
            Operation::Decode => C::decode(kind, &Bytes::from(content.to_ber())).map(drop),
            Operation::Encode => C::build(&content).map(drop),
        };
        assert!(
            matches!(result, Err(Failure::Unsupported { operation: o, .. }) if o == operation),
            "{} {operation} {kind:?}: {result:?}",
            C::NAME
        );
    }
}
