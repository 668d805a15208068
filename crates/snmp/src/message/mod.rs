//! SNMP messages: the version wrapper around a PDU (RFC 1157 §4, RFC 1901, RFC 3412 §6).

mod community;
mod v3;

use bytes::Bytes;

use crate::ber::tag::{INTEGER, SEQUENCE};
use crate::ber::{Reader, Writer};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::pdu::AnyPdu;

pub(crate) use v3::{DataRef, write_message};
pub use v3::{
    HeaderData, MIN_MAX_SIZE, MsgFlags, ScopedPdu, ScopedPduData, UsmSecurityParameters, V3Message,
    locate_auth_params,
};

/// A decoded SNMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A community-based message: SNMPv1 or SNMPv2c.
    Community(CommunityMessage),
    /// An SNMPv3 message with the User-based Security Model (RFC 3412 §6, RFC 3414 §2.4).
    V3(V3Message),
}

impl Message {
    /// Decodes one datagram. Never panics; allocates at most in proportion to the input.
    ///
    /// The community and OCTET STRING values are slices of `datagram`, not copies. A
    /// version other than 0 (v1), 1 (v2c) or 3 fails with `UnsupportedVersion`; what an
    /// SNMPv3 message may hold is described at [`V3Message`]. Bytes after
    /// the message SEQUENCE are ignored; what else is tolerated or rejected is described in
    /// [`crate::manual`].
    pub fn decode(datagram: Bytes) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(&datagram);
        let mut message = reader.read(SEQUENCE)?;
        let version = message.read(INTEGER)?;
        let at = version.offset();
        let version = match version.int32()? {
            0 => Version::V1,
            1 => Version::V2c,
            v3::VERSION_3 => {
                let v3 = V3Message::read_rest(&mut message)?;
                message.finish()?;
                return Ok(Self::V3(v3));
            }
            other => {
                return Err(DecodeError::new(
                    DecodeErrorKind::UnsupportedVersion(other),
                    at,
                ));
            }
        };
        let community = CommunityMessage::read_rest(version, &mut message)?;
        message.finish()?;
        // Bytes after the message SEQUENCE are ignored, as Net-SNMP's agent and tools do.
        Ok(Self::Community(community))
    }

    /// Appends the BER encoding of this message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            // `write` grows the output once, by its own estimate.
            Self::Community(message) => message.write(&mut Writer::new(out)),
            Self::V3(message) => {
                out.reserve(message.size_hint());
                message.write(&mut Writer::new(out));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{ErrorStatus, Pdu, PduKind, RequestId, VarBind};

    fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        Message::decode(Bytes::copy_from_slice(bytes))
    }

    fn get_request(version: Version) -> Message {
        Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(b"public"),
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::GetRequest,
                request_id: RequestId(1),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind::null("1.3.6.1.2.1.1.1.0".parse().unwrap())],
            }),
        })
    }

    const GET_V2C: [u8; 41] = [
        0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa0, 0x19,
        0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
        0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00, 0x00,
    ];

    #[test]
    fn encodes_and_decodes_a_get() {
        let message = get_request(Version::V2c);
        // The last octet of GET_V2C is a trailing byte, ignored by the decoder.
        assert_eq!(message.to_vec(), GET_V2C[..40]);
        assert_eq!(decode(&GET_V2C[..40]), Ok(message.clone()));
        assert_eq!(decode(&GET_V2C), Ok(message));
        let mut out = vec![0xee];
        get_request(Version::V1).encode(&mut out);
        assert_eq!(out[..5], [0xee, 0x30, 0x26, 0x02, 0x01]);
        assert_eq!(out[5], 0x00);
    }

    #[test]
    fn rejects_versions_other_than_1_2c_and_3() {
        for (version, code) in [(2, 2), (4, 4), (0xff, -1)] {
            let mut bytes = GET_V2C;
            bytes[4] = version;
            let error = DecodeError::new(DecodeErrorKind::UnsupportedVersion(code), 4);
            assert_eq!(decode(&bytes), Err(error));
        }
        // Version 3 is decoded as SNMPv3, whose msgGlobalData SEQUENCE is not there.
        let mut bytes = GET_V2C;
        bytes[4] = 3;
        let error = DecodeError::new(DecodeErrorKind::UnexpectedTag(0x04), 5);
        assert_eq!(decode(&bytes), Err(error));
    }

    #[test]
    fn reports_where_a_truncated_datagram_ends() {
        assert_eq!(
            decode(&[]),
            Err(DecodeError::new(DecodeErrorKind::Truncated, 0))
        );
        assert_eq!(
            decode(&GET_V2C[..39]),
            Err(DecodeError::new(DecodeErrorKind::Truncated, 1))
        );
        assert_eq!(
            decode(&[0x04, 0x00]),
            Err(DecodeError::new(DecodeErrorKind::UnexpectedTag(0x04), 0))
        );
    }

    #[test]
    fn rejects_data_after_the_pdu_inside_the_message() {
        let mut bytes = GET_V2C;
        bytes[1] += 1;
        assert_eq!(
            decode(&bytes),
            Err(DecodeError::new(DecodeErrorKind::TrailingData, 40))
        );
    }
}
