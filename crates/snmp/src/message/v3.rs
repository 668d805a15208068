//! The SNMPv3 message (RFC 3412 §6) with the User-based Security Model's parameters
//! (RFC 3414 §2.4).
//!
//! ```text
//! SNMPv3Message ::= SEQUENCE {
//!     msgVersion INTEGER (3),
//!     msgGlobalData SEQUENCE { msgID, msgMaxSize, msgFlags OCTET STRING (SIZE(1)),
//!                              msgSecurityModel },
//!     msgSecurityParameters OCTET STRING,   -- a BER UsmSecurityParameters SEQUENCE
//!     msgData CHOICE { plaintext ScopedPDU, encryptedPDU OCTET STRING } }
//! ```
//!
//! The codec decodes and encodes the structure only: it neither authenticates nor decrypts.
//! [`crate::usm`] does both, with [`locate_auth_params`] to find the MAC in a datagram and
//! [`ScopedPdu::decode`] to read what decrypted.

use std::ops::Range;

use bytes::Bytes;

use crate::ber::tag::{INTEGER, OCTET_STRING, SEQUENCE};
use crate::ber::{Reader, Writer};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::pdu::AnyPdu;
use crate::security::{SecurityLevel, SecurityModel};
use crate::usm::EngineTime;

/// An SNMPv3 message (RFC 3412 §6) with the USM as its security model.
///
/// Decoding accepts the ranges RFC 3412 and RFC 3414 give (msgID and the engine's boots and
/// time in 0..2^31-1, msgMaxSize in 484..2^31-1) and rejects the rest with
/// `IntegerOutOfRange`; a msgFlags that is not one octet, or asks for privacy without
/// authentication, with `InvalidMsgFlags` (RFC 3412 §7.2 step 5); a security model other than
/// USM with `UnsupportedSecurityModel` (step 4); a msgData whose form does not match the
/// privacy flag with `UnexpectedTag`. The engine ID, user name and the authentication and
/// privacy parameters are carried as they came, of any length: whether they fit is for the
/// security model to say, with its own counters and Reports (RFC 3414 §3.2). The reserved
/// bits of msgFlags are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Message {
    /// msgGlobalData.
    pub header: HeaderData,
    /// msgSecurityParameters, decoded.
    pub security: UsmSecurityParameters,
    /// msgData: a `ScopedPDU`, encrypted when the header asks for privacy.
    pub data: ScopedPduData,
}

impl V3Message {
    /// Writes the message SEQUENCE.
    ///
    /// The fields are written as they are, except that numbers outside the ranges RFC 3412
    /// allows are brought inside them (msgMaxSize at least 484; msgID, boots and time at most
    /// 2^31-1), so that the output always decodes. A `data` whose form disagrees with
    /// `header.flags.level` is written as it is, and is then rejected by the decoder.
    pub fn write(&self, writer: &mut Writer<'_>) {
        let data = match &self.data {
            ScopedPduData::Plaintext(scoped) => DataRef::Plaintext(scoped),
            ScopedPduData::Encrypted(encrypted) => DataRef::Encrypted(encrypted),
        };
        write_message(writer, &self.header, &self.security, data);
    }

    /// Reads what follows msgVersion inside the message SEQUENCE.
    pub(super) fn read_rest(message: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let header = HeaderData::read(message)?;
        let security = UsmSecurityParameters::read(message)?;
        let data = if header.flags.level == SecurityLevel::AuthPriv {
            ScopedPduData::Encrypted(message.read(OCTET_STRING)?.octets())
        } else {
            ScopedPduData::Plaintext(ScopedPdu::read(message)?)
        };
        Ok(Self {
            header,
            security,
            data,
        })
    }

    /// A rough upper bound of the encoded size, to reserve buffer space in one go.
    pub(super) fn size_hint(&self) -> usize {
        let data = match &self.data {
            ScopedPduData::Plaintext(scoped) => scoped.size_hint(),
            ScopedPduData::Encrypted(encrypted) => 6 + encrypted.len(),
        };
        64 + self.security.size_hint() + data
    }
}

/// msgGlobalData (RFC 3412 §6.1–6.4), for the USM security model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderData {
    /// msgID: matches a response or Report to its request, 0..2^31-1.
    pub msg_id: u32,
    /// msgMaxSize: the largest message the sender can receive, 484..2^31-1.
    pub max_size: u32,
    /// msgFlags.
    pub flags: MsgFlags,
}

impl HeaderData {
    fn write(&self, writer: &mut Writer<'_>) {
        writer.constructed(SEQUENCE, |w| {
            w.integer(INTEGER, i64::from(self.msg_id.min(MAX_INT)));
            w.integer(
                INTEGER,
                i64::from(self.max_size.clamp(MIN_MAX_SIZE, MAX_INT)),
            );
            w.octets(OCTET_STRING, &[self.flags.octet()]);
            w.integer(INTEGER, i64::from(USM_SECURITY_MODEL));
        });
    }

    fn read(message: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut header = message.read(SEQUENCE)?;
        let msg_id = bounded(header.read(INTEGER)?, 0)?;
        let max_size = bounded(header.read(INTEGER)?, MIN_MAX_SIZE)?;
        let flags = header.read(OCTET_STRING)?;
        let at = flags.offset();
        let flags = match flags.as_slice() {
            [octet] => MsgFlags::from_octet(*octet),
            _ => None,
        }
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::InvalidMsgFlags, at))?;
        let model = header.read(INTEGER)?;
        let at = model.offset();
        let model = model.int32()?;
        if model != USM_SECURITY_MODEL {
            return Err(DecodeError::new(
                DecodeErrorKind::UnsupportedSecurityModel(model),
                at,
            ));
        }
        header.finish()?;
        Ok(Self {
            msg_id,
            max_size,
            flags,
        })
    }
}

/// msgFlags (RFC 3412 §6.4): the security level and the reportable flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MsgFlags {
    /// authFlag and privFlag.
    pub level: SecurityLevel,
    /// reportableFlag: a Report may be sent back when processing fails (set in requests
    /// and informs, clear in responses, traps and Reports, RFC 3412 §6.4).
    pub reportable: bool,
}

impl MsgFlags {
    /// The flags octet.
    pub fn octet(self) -> u8 {
        let level = match self.level {
            SecurityLevel::NoAuthNoPriv => 0,
            SecurityLevel::AuthNoPriv => FLAG_AUTH,
            SecurityLevel::AuthPriv => FLAG_AUTH | FLAG_PRIV,
        };
        level | if self.reportable { FLAG_REPORTABLE } else { 0 }
    }

    /// The flags of an octet; `None` for privacy without authentication, the one invalid
    /// combination (RFC 3412 §7.2 step 5). Reserved bits are ignored.
    pub fn from_octet(octet: u8) -> Option<Self> {
        let level = SecurityLevel::from_flags(octet & FLAG_AUTH != 0, octet & FLAG_PRIV != 0)?;
        Some(Self {
            level,
            reportable: octet & FLAG_REPORTABLE != 0,
        })
    }
}

/// `UsmSecurityParameters` (RFC 3414 §2.4), the contents of msgSecurityParameters.
///
/// The octet strings are slices of the datagram when decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsmSecurityParameters {
    /// msgAuthoritativeEngineID: empty in a discovery probe.
    pub engine_id: Bytes,
    /// msgAuthoritativeEngineBoots and msgAuthoritativeEngineTime, each 0..2^31-1.
    pub engine_time: EngineTime,
    /// msgUserName.
    pub user_name: Bytes,
    /// msgAuthenticationParameters: the MAC, or empty without authentication.
    pub auth_params: Bytes,
    /// msgPrivacyParameters: the salt, or empty without privacy.
    pub priv_params: Bytes,
}

impl UsmSecurityParameters {
    fn write(&self, writer: &mut Writer<'_>) {
        writer.constructed(OCTET_STRING, |w| {
            w.constructed(SEQUENCE, |w| {
                w.octets(OCTET_STRING, &self.engine_id);
                w.integer(INTEGER, i64::from(self.engine_time.boots.min(MAX_INT)));
                w.integer(INTEGER, i64::from(self.engine_time.time.min(MAX_INT)));
                w.octets(OCTET_STRING, &self.user_name);
                w.octets(OCTET_STRING, &self.auth_params);
                w.octets(OCTET_STRING, &self.priv_params);
            });
        });
    }

    fn read(message: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut wrapper = message.read(OCTET_STRING)?;
        let mut usm = wrapper.read(SEQUENCE)?;
        wrapper.finish()?;
        let engine_id = usm.read(OCTET_STRING)?.octets();
        let boots = bounded(usm.read(INTEGER)?, 0)?;
        let time = bounded(usm.read(INTEGER)?, 0)?;
        let user_name = usm.read(OCTET_STRING)?.octets();
        let auth_params = usm.read(OCTET_STRING)?.octets();
        let priv_params = usm.read(OCTET_STRING)?.octets();
        usm.finish()?;
        Ok(Self {
            engine_id,
            engine_time: EngineTime::new(boots, time),
            user_name,
            auth_params,
            priv_params,
        })
    }

    fn size_hint(&self) -> usize {
        32 + self.engine_id.len()
            + self.user_name.len()
            + self.auth_params.len()
            + self.priv_params.len()
    }
}

/// msgData (RFC 3412 §6): the `ScopedPDU` in clear, or encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopedPduData {
    /// plaintext: the message is not private.
    Plaintext(ScopedPdu),
    /// encryptedPDU: the encrypted encoding of a `ScopedPDU` (RFC 3414 §3.1 step 4).
    Encrypted(Bytes),
}

/// A `ScopedPDU` (RFC 3412 §6.8): a PDU and the context it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedPdu {
    /// contextEngineID: the engine that holds the context, usually the agent's.
    pub context_engine_id: Bytes,
    /// contextName: empty for the default context.
    pub context_name: Bytes,
    /// The PDU.
    pub pdu: AnyPdu,
}

impl ScopedPdu {
    /// Decodes a `ScopedPDU` on its own, as a decrypted encryptedPDU holds it. Octets after its
    /// SEQUENCE are ignored: DES and 3DES pad to a whole block (RFC 3414 §8.1.1.2).
    pub fn decode(plaintext: Bytes) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(&plaintext);
        Self::read(&mut reader)
    }

    /// Appends the BER encoding of this `ScopedPDU` to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.size_hint());
        self.write(&mut Writer::new(out));
    }

    /// Writes the `ScopedPDU` SEQUENCE.
    pub fn write(&self, writer: &mut Writer<'_>) {
        writer.constructed(SEQUENCE, |w| {
            w.octets(OCTET_STRING, &self.context_engine_id);
            w.octets(OCTET_STRING, &self.context_name);
            self.pdu.write(w);
        });
    }

    /// Reads one `ScopedPDU` SEQUENCE.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut scoped = reader.read(SEQUENCE)?;
        let context_engine_id = scoped.read(OCTET_STRING)?.octets();
        let context_name = scoped.read(OCTET_STRING)?.octets();
        let pdu = AnyPdu::read(&mut scoped)?;
        scoped.finish()?;
        Ok(Self {
            context_engine_id,
            context_name,
            pdu,
        })
    }

    pub(crate) fn size_hint(&self) -> usize {
        12 + self.context_engine_id.len() + self.context_name.len() + self.pdu.size_hint()
    }
}

/// msgData borrowed, to write a message without building a [`V3Message`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum DataRef<'a> {
    Plaintext(&'a ScopedPdu),
    Encrypted(&'a [u8]),
}

/// Writes an SNMPv3 message SEQUENCE from its parts.
pub(crate) fn write_message(
    writer: &mut Writer<'_>,
    header: &HeaderData,
    security: &UsmSecurityParameters,
    data: DataRef<'_>,
) {
    writer.constructed(SEQUENCE, |w| {
        w.integer(INTEGER, i64::from(VERSION_3));
        header.write(w);
        security.write(w);
        match data {
            DataRef::Plaintext(scoped) => scoped.write(w),
            DataRef::Encrypted(encrypted) => w.octets(OCTET_STRING, encrypted),
        }
    });
}

/// Where msgAuthenticationParameters lies in an encoded SNMPv3 message: the range of its
/// contents, to be zeroed for the MAC and compared with it (RFC 3414 §3.1 step 7, §3.2
/// step 6).
///
/// Reads only as far as the parameters, so it costs a handful of TLV headers; it checks the
/// message structure up to there as [`Message::decode`](crate::Message::decode) does.
pub fn locate_auth_params(datagram: &Bytes) -> Result<Range<usize>, DecodeError> {
    let mut reader = Reader::new(datagram);
    let mut message = reader.read(SEQUENCE)?;
    let version = message.read(INTEGER)?;
    let at = version.offset();
    let version = version.int32()?;
    if version != VERSION_3 {
        return Err(DecodeError::new(
            DecodeErrorKind::UnsupportedVersion(version),
            at,
        ));
    }
    HeaderData::read(&mut message)?;
    let mut wrapper = message.read(OCTET_STRING)?;
    let mut usm = wrapper.read(SEQUENCE)?;
    for tag in [OCTET_STRING, INTEGER, INTEGER, OCTET_STRING] {
        usm.read(tag)?;
    }
    let auth_params = usm.read(OCTET_STRING)?;
    let start = auth_params.offset();
    Ok(start..start + auth_params.remaining())
}

/// A msgID, boots or time, or msgMaxSize: an INTEGER in `min..=2^31-1`.
fn bounded(reader: Reader<'_>, min: u32) -> Result<u32, DecodeError> {
    let at = reader.offset();
    let value = reader.integer()?;
    u32::try_from(value)
        .ok()
        .filter(|value| (min..=MAX_INT).contains(value))
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::IntegerOutOfRange, at))
}

/// msgVersion of SNMPv3 (RFC 3412 §6.1).
pub(super) const VERSION_3: i32 = 3;
/// The User-based Security Model's number in msgSecurityModel (RFC 3411 §5).
const USM_SECURITY_MODEL: i32 = SecurityModel::Usm as i32;
/// The smallest msgMaxSize (RFC 3412 §6.2).
pub const MIN_MAX_SIZE: u32 = 484;
/// The largest msgID, msgMaxSize, boots and time: `INTEGER (0..2147483647)`.
const MAX_INT: u32 = 2_147_483_647;
const FLAG_AUTH: u8 = 0x01;
const FLAG_PRIV: u8 = 0x02;
const FLAG_REPORTABLE: u8 = 0x04;

#[cfg(test)]
mod tests;
