//! SNMP messages: the version wrapper around a PDU (RFC 1157 §4, RFC 1901, RFC 3412 §6).

use bytes::Bytes;

use crate::error::{DecodeError, DecodeErrorKind};
use crate::pdu::AnyPdu;

/// A decoded SNMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A community-based message: SNMPv1 or SNMPv2c.
    Community(CommunityMessage),
}

impl Message {
    /// Decodes one datagram. Never panics; allocates at most in proportion to the input.
    pub fn decode(datagram: Bytes) -> Result<Self, DecodeError> {
        let _ = datagram;
        Err(DecodeError::new(DecodeErrorKind::Truncated, 0))
    }

    /// Appends the BER encoding of this message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let _ = out;
    }

    /// The BER encoding of this message.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// An SNMPv1 or SNMPv2c message: version, community, PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityMessage {
    /// `V1` or `V2c`.
    pub version: Version,
    /// The community string, a secret: never log it.
    pub community: Bytes,
    /// The PDU.
    pub pdu: AnyPdu,
}

/// The msgVersion field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Version {
    /// SNMPv1, version 0 on the wire.
    V1 = 0,
    /// SNMPv2c, version 1 on the wire.
    V2c = 1,
    /// SNMPv3, version 3 on the wire.
    V3 = 3,
}
