//! The community-based message: SNMPv1 (RFC 1157 §4) and SNMPv2c (RFC 1901 §3).
//!
//! Both versions share one shape, `SEQUENCE { version INTEGER, community OCTET STRING,
//! data PDUs }`, and differ only in the version number and in which PDUs they may carry.

use crate::ber::tag::{INTEGER, OCTET_STRING, SEQUENCE};
use crate::ber::{Reader, Writer};
use crate::error::DecodeError;
use crate::message::{CommunityMessage, Version};
use crate::pdu::AnyPdu;

impl CommunityMessage {
    /// Writes the message SEQUENCE.
    pub fn write(&self, writer: &mut Writer<'_>) {
        writer.constructed(SEQUENCE, |w| {
            w.integer(INTEGER, i64::from(self.version as u8));
            w.octets(OCTET_STRING, &self.community);
            self.pdu.write(w);
        });
    }

    /// Reads what follows the version inside the message SEQUENCE: community and PDU.
    pub(super) fn read_rest(
        version: Version,
        message: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        let community = message.read(OCTET_STRING)?.octets();
        let pdu = AnyPdu::read(message)?;
        Ok(Self {
            version,
            community,
            pdu,
        })
    }

    /// A rough upper bound of the encoded size, to reserve buffer space in one go.
    pub(super) fn size_hint(&self) -> usize {
        16 + self.community.len() + self.pdu.size_hint()
    }
}
