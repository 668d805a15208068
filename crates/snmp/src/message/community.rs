//! The community-based message: SNMPv1 (RFC 1157 §4) and SNMPv2c (RFC 1901 §3).
//!
//! Both versions share one shape, `SEQUENCE { version INTEGER, community OCTET STRING,
//! data PDUs }`, and differ only in the version number and in which PDUs they may carry.

use crate::ber::tag::{INTEGER, OCTET_STRING, SEQUENCE};
use crate::ber::{Reader, Writer, integer_len, tlv_len};
use crate::error::DecodeError;
use crate::message::{CommunityMessage, Version};
use crate::pdu::AnyPdu;

impl CommunityMessage {
    /// Writes the message SEQUENCE.
    ///
    /// Written backwards into output grown once by an estimate of its size: each
    /// header is written after its contents, in final form, with no length pass. When the
    /// estimate is too small (many arcs of 2^14 or more), every length is computed first and
    /// the message is written forwards. Either way nothing is patched.
    pub fn write(&self, writer: &mut Writer<'_>) {
        let written = writer.fill_reverse(self.size_hint(), |w| {
            let end = w.pos();
            self.pdu.write_reverse(w);
            w.octets(OCTET_STRING, &self.community);
            w.integer(INTEGER, i64::from(self.version as u8));
            w.header(SEQUENCE, end);
        });
        if written {
            return;
        }
        let (pdu, list) = self.pdu.lengths();
        let content = self.fields_len() + tlv_len(pdu);
        writer.fill(tlv_len(content), |w| {
            w.header(SEQUENCE, content);
            w.integer(INTEGER, i64::from(self.version as u8));
            w.octets(OCTET_STRING, &self.community);
            self.pdu.write_to(w, pdu, list);
        });
    }

    /// The size of this message's BER encoding: exactly what [`write`](Self::write) appends.
    pub fn encoded_len(&self) -> usize {
        tlv_len(self.content_len())
    }

    fn content_len(&self) -> usize {
        self.fields_len() + self.pdu.encoded_len()
    }

    /// The version and community TLVs.
    fn fields_len(&self) -> usize {
        tlv_len(integer_len(i64::from(self.version as u8))) + tlv_len(self.community.len())
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

    /// An estimate of the encoded size (two octets per arc), the room [`write`](Self::write)
    /// writes backwards into. Not [`encoded_len`](Self::encoded_len): an exact pass over the
    /// OIDs is what writing backwards saves (about 5,000 instructions for 50 varbinds).
    pub(super) fn size_hint(&self) -> usize {
        16 + self.community.len() + self.pdu.size_hint()
    }
}
