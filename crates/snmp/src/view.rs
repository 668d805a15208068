//! A borrowed, validating view of a community message (SNMPv1, RFC 1157 §4; SNMPv2c,
//! RFC 1901 §3), for the paths that only look at a datagram: a trap receiver filtering on
//! the community and the trap OID, an agent reading the OIDs a request names.
//!
//! [`MessageView::parse`] checks the whole datagram once, by the same rules as
//! [`Message::decode`](crate::Message::decode): every byte string that one accepts as a v1
//! or v2c message, the other accepts too, and both reject the same ones. It allocates
//! nothing and copies nothing. The varbinds are then read lazily, as [`VarBindView`]s whose
//! names are the OIDs' BER contents ([`OidView`]) and whose values borrow the datagram
//! ([`ValueView`]); each converts to the owned type when it must outlive the datagram.
//!
//! ```
//! use vigie_snmp::view::{MessageView, ValueView};
//!
//! // snmpget -v2c -c public 127.0.0.1 sysName.0, as the agent answered it.
//! let datagram = [
//!     0x30, 0x2d, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa2, 0x20,
//!     0x02, 0x02, 0x30, 0x39, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x14, 0x30, 0x12, 0x06,
//!     0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x04, 0x06, b'r', b'o', b'u', b't',
//!     b'e', b'r',
//! ];
//! let view = MessageView::parse(&datagram)?;
//! assert_eq!(view.community(), b"public");
//! let sys_name: vigie_snmp::Oid = "1.3.6.1.2.1.1.5.0".parse().unwrap();
//! let varbind = view.varbinds().next().unwrap();
//! assert!(varbind.name == sys_name);
//! assert_eq!(varbind.value, ValueView::OctetString(b"router"));
//! # Ok::<(), vigie_snmp::DecodeError>(())
//! ```

use core::cmp::Ordering;
use std::net::Ipv4Addr;

use bytes::Bytes;

use crate::ber::tag::{
    COUNTER32, COUNTER64, END_OF_MIB_VIEW, GAUGE32, HIGH_TAG_NUMBER, INTEGER, IP_ADDRESS,
    NO_SUCH_INSTANCE, NO_SUCH_OBJECT, NSAP_ADDRESS, NULL, OBJECT_IDENTIFIER, OCTET_STRING, OPAQUE,
    SEQUENCE, TIMETICKS,
};
use crate::ber::{integer, length, unsigned32, unsigned64};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::message::Version;
use crate::oid::Oid;
use crate::pdu::{
    ErrorStatus, GenericTrap, PduKind, RequestId, TAG_GET_BULK_REQUEST, TAG_TRAP_V1, VarBind,
};
use crate::value::Value;

/// A validated SNMPv1 or SNMPv2c message, borrowing the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    version: Version,
    community: &'a [u8],
    pdu: PduFields<'a>,
    varbinds: VarBinds<'a>,
}

/// The PDU's fields before its varbind list (RFC 3416 §3, RFC 1157 §4.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PduFields<'a> {
    /// Get, GetNext, Response, Set, Inform, SNMPv2-Trap and Report.
    Pdu {
        /// Which operation.
        kind: PduKind,
        /// Matches a response to its request.
        request_id: RequestId,
        /// The error-status.
        error_status: ErrorStatus,
        /// The 1-based error-index.
        error_index: u32,
    },
    /// GetBulkRequest, with its counts clamped as [`BulkPdu`](crate::BulkPdu)'s are.
    Bulk {
        /// Matches the response to this request.
        request_id: RequestId,
        /// non-repeaters.
        non_repeaters: u32,
        /// max-repetitions.
        max_repetitions: u32,
    },
    /// The v1 Trap-PDU.
    TrapV1 {
        /// The enterprise OID.
        enterprise: OidView<'a>,
        /// The agent address.
        agent_addr: Ipv4Addr,
        /// The generic-trap.
        generic_trap: GenericTrap,
        /// The specific-trap.
        specific_trap: i32,
        /// The time-stamp, in hundredths of a second.
        time_stamp: u32,
    },
}

impl<'a> MessageView<'a> {
    /// Validates `datagram` as a v1 or v2c message, as [`Message::decode`] does, and returns
    /// a view of it. Never panics and never allocates.
    ///
    /// Fails with the same [`DecodeError`] as [`Message::decode`] for a malformed community
    /// message, and with `UnsupportedVersion(3)` for an SNMPv3 message, which this view
    /// does not cover (decode it with [`Message::decode`]).
    ///
    /// [`Message::decode`]: crate::Message::decode
    pub fn parse(datagram: &'a [u8]) -> Result<Self, DecodeError> {
        let mut reader = Cursor::new(datagram);
        let mut message = reader.read(SEQUENCE)?;
        let version = message.read(INTEGER)?;
        let at = version.pos;
        let version = match version.int32()? {
            0 => Version::V1,
            1 => Version::V2c,
            other => {
                return Err(DecodeError::new(
                    DecodeErrorKind::UnsupportedVersion(other),
                    at,
                ));
            }
        };
        let community = message.read(OCTET_STRING)?.rest();
        let pdu_at = message.pos;
        let (tag, mut contents) = message.read_any()?;
        let pdu = match tag {
            TAG_GET_BULK_REQUEST => {
                let request_id = RequestId(contents.read(INTEGER)?.int32()?);
                let non_repeaters = clamped(contents.read(INTEGER)?.integer()?);
                let max_repetitions = clamped(contents.read(INTEGER)?.integer()?);
                PduFields::Bulk {
                    request_id,
                    non_repeaters,
                    max_repetitions,
                }
            }
            TAG_TRAP_V1 => read_trap_fields(&mut contents)?,
            _ => {
                let Some(kind) = PduKind::from_tag(tag) else {
                    return Err(DecodeError::new(
                        DecodeErrorKind::UnexpectedTag(tag),
                        pdu_at,
                    ));
                };
                let request_id = RequestId(contents.read(INTEGER)?.int32()?);
                let status = contents.read(INTEGER)?;
                let at = status.pos;
                let status = status.int32()?;
                let error_status = ErrorStatus::from_i32(status).ok_or_else(|| {
                    DecodeError::new(DecodeErrorKind::InvalidErrorStatus(status), at)
                })?;
                let index = contents.read(INTEGER)?;
                let at = index.pos;
                let error_index = index
                    .integer()
                    .ok()
                    .and_then(|value| u32::try_from(value).ok())
                    .ok_or_else(|| DecodeError::new(DecodeErrorKind::IntegerOutOfRange, at))?;
                PduFields::Pdu {
                    kind,
                    request_id,
                    error_status,
                    error_index,
                }
            }
        };
        let varbinds = validate_varbinds(&mut contents)?;
        contents.finish()?;
        message.finish()?;
        // Bytes after the message SEQUENCE are ignored, as Message::decode does.
        Ok(Self {
            version,
            community,
            pdu,
            varbinds,
        })
    }

    /// `V1` or `V2c`.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The community string, a secret: never log it.
    pub fn community(&self) -> &'a [u8] {
        self.community
    }

    /// The PDU's BER tag.
    pub fn pdu_tag(&self) -> u8 {
        match self.pdu {
            PduFields::Pdu { kind, .. } => kind.tag(),
            PduFields::Bulk { .. } => TAG_GET_BULK_REQUEST,
            PduFields::TrapV1 { .. } => TAG_TRAP_V1,
        }
    }

    /// The PDU's fields before the varbind list.
    pub fn pdu(&self) -> &PduFields<'a> {
        &self.pdu
    }

    /// The request-id, for every PDU but the v1 trap.
    pub fn request_id(&self) -> Option<RequestId> {
        match self.pdu {
            PduFields::Pdu { request_id, .. } | PduFields::Bulk { request_id, .. } => {
                Some(request_id)
            }
            PduFields::TrapV1 { .. } => None,
        }
    }

    /// The variable bindings, in order, read as they are iterated.
    pub fn varbinds(&self) -> VarBinds<'a> {
        self.varbinds
    }
}

/// The v1 Trap-PDU's fields (RFC 1157 §4.1.6), by the rules of [`crate::TrapV1Pdu`]'s decoder.
fn read_trap_fields<'a>(contents: &mut Cursor<'a>) -> Result<PduFields<'a>, DecodeError> {
    let enterprise = contents.read(OBJECT_IDENTIFIER)?.oid()?;
    let address = contents.read(IP_ADDRESS)?;
    let agent_addr = <[u8; 4]>::try_from(address.rest())
        .map(Ipv4Addr::from)
        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidIpAddress, address.pos))?;
    let generic = contents.read(INTEGER)?;
    let at = generic.pos;
    let generic = generic.int32()?;
    let generic_trap = GenericTrap::from_i32(generic)
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::InvalidGenericTrap(generic), at))?;
    let specific_trap = contents.read(INTEGER)?.int32()?;
    let time_stamp = contents.read(TIMETICKS)?.unsigned32()?;
    Ok(PduFields::TrapV1 {
        enterprise,
        agent_addr,
        generic_trap,
        specific_trap,
        time_stamp,
    })
}

/// Validates the `VarBindList` (RFC 3416 §3) and returns its lazy iterator.
fn validate_varbinds<'a>(reader: &mut Cursor<'a>) -> Result<VarBinds<'a>, DecodeError> {
    let mut list = reader.read(SEQUENCE)?;
    let contents = list.rest();
    let mut count = 0;
    while !list.is_empty() {
        let mut varbind = list.read(SEQUENCE)?;
        varbind.read(OBJECT_IDENTIFIER)?.oid()?;
        let at = varbind.pos;
        let (tag, value) = varbind.read_any()?;
        ValueView::read(tag, value.rest(), value.pos, at)?;
        varbind.finish()?;
        count += 1;
    }
    Ok(VarBinds {
        rest: contents,
        remaining: count,
    })
}

/// A GetBulk count clamped to 0..2^32-1, as [`crate::BulkPdu`]'s decoder does.
fn clamped(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// The varbinds of a [`MessageView`], validated by [`MessageView::parse`], read one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarBinds<'a> {
    rest: &'a [u8],
    remaining: usize,
}

impl<'a> Iterator for VarBinds<'a> {
    type Item = VarBindView<'a>;

    fn next(&mut self) -> Option<VarBindView<'a>> {
        // The list was validated whole: every split succeeds. Should one not, the iterator
        // ends rather than panic.
        let (_, varbind, rest) = split_tlv(self.rest)?;
        self.rest = rest;
        let (_, name, after_name) = split_tlv(varbind)?;
        let (tag, value, _) = split_tlv(after_name)?;
        let value = ValueView::read_valid(tag, value)?;
        self.remaining = self.remaining.saturating_sub(1);
        Some(VarBindView {
            name: OidView { contents: name },
            value,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for VarBinds<'_> {}

/// Splits one TLV off the front of already validated bytes: its tag, its contents and
/// what follows it.
#[inline]
fn split_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, after_tag) = input.split_first()?;
    let (len, octets) = match after_tag.first() {
        Some(&short) if short < 0x80 => (usize::from(short), 1),
        _ => length::decode(after_tag)?,
    };
    let after_length = after_tag.get(octets..)?;
    if len > after_length.len() {
        return None;
    }
    let (contents, rest) = after_length.split_at(len);
    Some((tag, contents, rest))
}

/// A variable binding borrowed from a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarBindView<'a> {
    /// The object instance, as BER contents.
    pub name: OidView<'a>,
    /// Its value.
    pub value: ValueView<'a>,
}

impl VarBindView<'_> {
    /// The owned varbind; byte strings are copied.
    pub fn to_varbind(&self) -> VarBind {
        VarBind {
            name: self.name.to_oid(),
            value: self.value.to_value(),
        }
    }
}

/// A validated OBJECT IDENTIFIER's BER contents (X.690 §8.19), borrowed from a datagram.
///
/// Compares with an [`Oid`] arc by arc, without decoding to one: `view == oid`,
/// `view.cmp_oid(&oid)`, [`starts_with`](Self::starts_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OidView<'a> {
    contents: &'a [u8],
}

impl<'a> OidView<'a> {
    /// The BER contents, as they were in the datagram.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.contents
    }

    /// The arcs, decoded one at a time.
    pub fn arcs(&self) -> Arcs<'a> {
        Arcs::new(self.contents)
    }

    /// The owned OID.
    pub fn to_oid(&self) -> Oid {
        // Validated when the message was parsed, so this cannot fail; zeroDotZero is the
        // decoder's own reading of empty contents, should it ever.
        Oid::from_ber(self.contents).unwrap_or_else(|_| Oid::zero_dot_zero())
    }

    /// Lexicographic order against an owned OID, the order GETNEXT walks the MIB in.
    pub fn cmp_oid(&self, other: &Oid) -> Ordering {
        self.arcs().cmp(other.arcs().iter().copied())
    }

    /// True when `prefix` is this OID or one of its ancestors.
    pub fn starts_with(&self, prefix: &Oid) -> bool {
        let mut arcs = self.arcs();
        prefix.arcs().iter().all(|&arc| arcs.next() == Some(arc))
    }
}

impl PartialEq<Oid> for OidView<'_> {
    fn eq(&self, other: &Oid) -> bool {
        self.cmp_oid(other) == Ordering::Equal
    }
}

impl PartialOrd<Oid> for OidView<'_> {
    fn partial_cmp(&self, other: &Oid) -> Option<Ordering> {
        Some(self.cmp_oid(other))
    }
}

/// The arcs of an [`OidView`], from the root.
#[derive(Debug, Clone)]
pub struct Arcs<'a> {
    rest: &'a [u8],
    /// The second arc of the first subidentifier, not yet returned.
    pending: Option<u32>,
    /// True until the first subidentifier, which packs two arcs, has been read.
    first: bool,
}

impl<'a> Arcs<'a> {
    fn new(contents: &'a [u8]) -> Self {
        // Empty contents read as zeroDotZero, as the owned decoder reads them.
        let rest = if contents.is_empty() {
            ZERO_DOT_ZERO
        } else {
            contents
        };
        Self {
            rest,
            pending: None,
            first: true,
        }
    }
}

/// The BER contents of `0.0`.
const ZERO_DOT_ZERO: &[u8] = &[0];

impl Iterator for Arcs<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if let Some(arc) = self.pending.take() {
            return Some(arc);
        }
        let mut value: u64 = 0;
        loop {
            let (&octet, tail) = self.rest.split_first()?;
            self.rest = tail;
            // Validated: at most 2^32-1+80, so the accumulator never overflows here.
            value = (value << 7) | u64::from(octet & 0x7f);
            if octet & 0x80 == 0 {
                break;
            }
        }
        if !self.first {
            return Some(u32::try_from(value).unwrap_or(u32::MAX));
        }
        // The first subidentifier packs the first two arcs (X.690 §8.19.4).
        self.first = false;
        let (arc1, arc2) = match value {
            0..40 => (0, value),
            40..80 => (1, value - 40),
            _ => (2, value - 80),
        };
        self.pending = Some(u32::try_from(arc2).unwrap_or(u32::MAX));
        Some(arc1)
    }
}

/// A value borrowed from a datagram (RFC 2578 §7.1, RFC 3416 §3): integers decoded, byte
/// strings and OIDs left in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueView<'a> {
    /// INTEGER (Integer32).
    Integer(i32),
    /// OCTET STRING.
    OctetString(&'a [u8]),
    /// NULL.
    Null,
    /// OBJECT IDENTIFIER.
    ObjectIdentifier(OidView<'a>),
    /// IpAddress.
    IpAddress(Ipv4Addr),
    /// Counter32.
    Counter32(u32),
    /// Gauge32 and Unsigned32.
    Gauge32(u32),
    /// TimeTicks.
    TimeTicks(u32),
    /// Opaque.
    Opaque(&'a [u8]),
    /// NsapAddress.
    NsapAddress(&'a [u8]),
    /// Counter64.
    Counter64(u64),
    /// noSuchObject.
    NoSuchObject,
    /// noSuchInstance.
    NoSuchInstance,
    /// endOfMibView.
    EndOfMibView,
}

impl<'a> ValueView<'a> {
    /// Reads a value's contents by [`Value::read`]'s rules; `at` is the contents' offset and
    /// `tag_at` the tag's, for the errors.
    #[inline(always)]
    fn read(tag: u8, contents: &'a [u8], at: usize, tag_at: usize) -> Result<Self, DecodeError> {
        let error = |kind| DecodeError::new(kind, at);
        let out_of_range = || error(DecodeErrorKind::IntegerOutOfRange);
        let empty = |value| {
            if contents.is_empty() {
                Ok(value)
            } else {
                Err(error(DecodeErrorKind::NonEmptyNull))
            }
        };
        Ok(match tag {
            INTEGER => Self::Integer(
                integer(contents)
                    .and_then(|value| i32::try_from(value).ok())
                    .ok_or_else(out_of_range)?,
            ),
            OCTET_STRING => Self::OctetString(contents),
            NULL => empty(Self::Null)?,
            OBJECT_IDENTIFIER => Self::ObjectIdentifier(OidView::validate(contents, at)?),
            IP_ADDRESS => Self::IpAddress(Ipv4Addr::from(
                <[u8; 4]>::try_from(contents)
                    .map_err(|_| error(DecodeErrorKind::InvalidIpAddress))?,
            )),
            COUNTER32 => Self::Counter32(unsigned32(contents).ok_or_else(out_of_range)?),
            GAUGE32 => Self::Gauge32(unsigned32(contents).ok_or_else(out_of_range)?),
            TIMETICKS => Self::TimeTicks(unsigned32(contents).ok_or_else(out_of_range)?),
            OPAQUE => Self::Opaque(contents),
            NSAP_ADDRESS => Self::NsapAddress(contents),
            COUNTER64 => Self::Counter64(unsigned64(contents).ok_or_else(out_of_range)?),
            NO_SUCH_OBJECT => empty(Self::NoSuchObject)?,
            NO_SUCH_INSTANCE => empty(Self::NoSuchInstance)?,
            END_OF_MIB_VIEW => empty(Self::EndOfMibView)?,
            _ => {
                return Err(DecodeError::new(
                    DecodeErrorKind::UnexpectedTag(tag),
                    tag_at,
                ));
            }
        })
    }

    /// Reads a value that [`read`](Self::read) has already accepted: the same result,
    /// without checking again (an OBJECT IDENTIFIER is not re-scanned). `None` only if the
    /// value was not validated, which the iterator takes as its end.
    #[inline]
    fn read_valid(tag: u8, contents: &'a [u8]) -> Option<Self> {
        Some(match tag {
            INTEGER => Self::Integer(i32::try_from(integer(contents)?).ok()?),
            OCTET_STRING => Self::OctetString(contents),
            OBJECT_IDENTIFIER => Self::ObjectIdentifier(OidView { contents }),
            COUNTER32 => Self::Counter32(unsigned32(contents)?),
            GAUGE32 => Self::Gauge32(unsigned32(contents)?),
            TIMETICKS => Self::TimeTicks(unsigned32(contents)?),
            COUNTER64 => Self::Counter64(unsigned64(contents)?),
            _ => return Self::read(tag, contents, 0, 0).ok(),
        })
    }

    /// The owned value; byte strings are copied.
    pub fn to_value(&self) -> Value {
        match *self {
            Self::Integer(value) => Value::Integer(value),
            Self::OctetString(bytes) => Value::OctetString(Bytes::copy_from_slice(bytes)),
            Self::Null => Value::Null,
            Self::ObjectIdentifier(oid) => Value::ObjectIdentifier(oid.to_oid()),
            Self::IpAddress(address) => Value::IpAddress(address),
            Self::Counter32(value) => Value::Counter32(value),
            Self::Gauge32(value) => Value::Gauge32(value),
            Self::TimeTicks(value) => Value::TimeTicks(value),
            Self::Opaque(bytes) => Value::Opaque(Bytes::copy_from_slice(bytes)),
            Self::NsapAddress(bytes) => Value::NsapAddress(Bytes::copy_from_slice(bytes)),
            Self::Counter64(value) => Value::Counter64(value),
            Self::NoSuchObject => Value::NoSuchObject,
            Self::NoSuchInstance => Value::NoSuchInstance,
            Self::EndOfMibView => Value::EndOfMibView,
        }
    }
}

impl<'a> OidView<'a> {
    /// Checks OBJECT IDENTIFIER contents by [`crate::ber::Reader::oid`]'s rules; `at` is
    /// their offset in the datagram.
    #[inline]
    fn validate(contents: &'a [u8], at: usize) -> Result<Self, DecodeError> {
        // Contents under 128 octets of one-octet subidentifiers, the common case, are valid
        // as they are: at most 128 arcs, each under 128.
        let simple =
            contents.len() < 128 && contents.iter().fold(0, |all, &octet| all | octet) < 0x80;
        if !simple && !contents.is_empty() {
            let mut arcs = [0u32; crate::oid::MAX_ARCS];
            crate::ber::oid_arcs(contents, &mut arcs)
                .map_err(|offset| DecodeError::new(DecodeErrorKind::InvalidOid, at + offset))?;
        }
        Ok(Self { contents })
    }
}

/// A bounded cursor over a window of the datagram: [`crate::ber::Reader`]'s rules, over a
/// borrowed slice instead of [`Bytes`].
#[derive(Debug, Clone, Copy)]
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            end: bytes.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..self.end).unwrap_or_default()
    }

    /// [`crate::ber::Reader::read_any`].
    #[inline]
    fn read_any(&mut self) -> Result<(u8, Self), DecodeError> {
        let rest = self.rest();
        let Some((&tag, after_tag)) = rest.split_first() else {
            return Err(DecodeError::new(DecodeErrorKind::Truncated, self.pos));
        };
        if tag & HIGH_TAG_NUMBER == HIGH_TAG_NUMBER {
            return Err(DecodeError::new(
                DecodeErrorKind::UnexpectedTag(tag),
                self.pos,
            ));
        }
        let length_at = self.pos + 1;
        let (len, length_octets) = match after_tag.first() {
            Some(&short) if short < 0x80 => (usize::from(short), 1),
            _ => {
                let Some(decoded) = length::decode(after_tag) else {
                    let kind = if length::is_truncated(after_tag) {
                        self.overrun_kind()
                    } else {
                        DecodeErrorKind::InvalidLength
                    };
                    return Err(DecodeError::new(kind, length_at));
                };
                decoded
            }
        };
        let start = length_at + length_octets;
        if len > self.end - start {
            return Err(DecodeError::new(self.overrun_kind(), length_at));
        }
        self.pos = start + len;
        Ok((
            tag,
            Self {
                bytes: self.bytes,
                pos: start,
                end: start + len,
            },
        ))
    }

    /// [`crate::ber::Reader::read`].
    #[inline]
    fn read(&mut self, expected: u8) -> Result<Self, DecodeError> {
        let at = self.pos;
        let (tag, contents) = self.read_any()?;
        if tag != expected {
            return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag(tag), at));
        }
        Ok(contents)
    }

    fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(DecodeErrorKind::TrailingData, self.pos))
        }
    }

    fn integer(self) -> Result<i64, DecodeError> {
        integer(self.rest()).ok_or_else(|| self.out_of_range())
    }

    fn int32(self) -> Result<i32, DecodeError> {
        integer(self.rest())
            .and_then(|value| i32::try_from(value).ok())
            .ok_or_else(|| self.out_of_range())
    }

    fn unsigned32(self) -> Result<u32, DecodeError> {
        unsigned32(self.rest()).ok_or_else(|| self.out_of_range())
    }

    fn oid(self) -> Result<OidView<'a>, DecodeError> {
        OidView::validate(self.rest(), self.pos)
    }

    fn overrun_kind(&self) -> DecodeErrorKind {
        if self.end == self.bytes.len() {
            DecodeErrorKind::Truncated
        } else {
            DecodeErrorKind::InvalidLength
        }
    }

    fn out_of_range(&self) -> DecodeError {
        DecodeError::new(DecodeErrorKind::IntegerOutOfRange, self.pos)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::message::{CommunityMessage, Message};
    use crate::pdu::{AnyPdu, BulkPdu, Pdu, TrapV1Pdu};

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn sample_varbinds() -> Vec<VarBind> {
        vec![
            VarBind {
                name: oid("1.3.6.1.2.1.1.3.0"),
                value: Value::TimeTicks(123_456),
            },
            VarBind {
                name: oid("1.3.6.1.2.1.4.20.1.1.192.0.2.1"),
                value: Value::IpAddress(Ipv4Addr::new(192, 0, 2, 1)),
            },
            VarBind {
                name: oid("1.3.6.1.2.1.1.2.0"),
                value: Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.3.2.10")),
            },
            VarBind {
                name: oid("1.3.6.1.2.1.31.1.1.1.6.4294967295"),
                value: Value::Counter64(u64::MAX),
            },
            VarBind {
                name: oid("2.999.1"),
                value: Value::OctetString(Bytes::from_static(b"eth0")),
            },
            VarBind::null(oid("1.3.6.1.2.1.1.5.0")),
            VarBind {
                name: oid("1.3.6.1.2.1.1.6.0"),
                value: Value::EndOfMibView,
            },
        ]
    }

    fn messages() -> Vec<Message> {
        let community = |version, pdu| {
            Message::Community(CommunityMessage {
                version,
                community: Bytes::from_static(b"public"),
                pdu,
            })
        };
        vec![
            community(
                Version::V2c,
                AnyPdu::Pdu(Pdu {
                    kind: PduKind::Response,
                    request_id: RequestId(-7),
                    error_status: ErrorStatus::NoSuchName,
                    error_index: 2,
                    varbinds: sample_varbinds(),
                }),
            ),
            community(
                Version::V2c,
                AnyPdu::Bulk(BulkPdu {
                    request_id: RequestId(9),
                    non_repeaters: 1,
                    max_repetitions: 10,
                    varbinds: sample_varbinds(),
                }),
            ),
            community(
                Version::V1,
                AnyPdu::TrapV1(TrapV1Pdu {
                    enterprise: oid("1.3.6.1.4.1.8072.3.2.10"),
                    agent_addr: Ipv4Addr::new(192, 0, 2, 7),
                    generic_trap: GenericTrap::LinkDown,
                    specific_trap: 0,
                    time_stamp: 42,
                    varbinds: sample_varbinds(),
                }),
            ),
        ]
    }

    /// The view and the owned decoder agree on `bytes`: both accept it as a community
    /// message, with the same content, or both reject it with the same error.
    fn assert_agree(bytes: &[u8]) {
        let decoded = Message::decode(Bytes::copy_from_slice(bytes));
        let viewed = MessageView::parse(bytes);
        match (&decoded, &viewed) {
            (Ok(Message::Community(message)), Ok(view)) => {
                assert_eq!(view.version(), message.version);
                assert_eq!(view.community(), &message.community[..]);
                assert_eq!(view.pdu_tag(), message.pdu.tag());
                assert_eq!(view.request_id(), message.pdu.request_id());
                let varbinds: Vec<VarBind> = view.varbinds().map(|v| v.to_varbind()).collect();
                assert_eq!(varbinds, message.pdu.varbinds());
                assert_eq!(view.varbinds().len(), varbinds.len());
                for (view, owned) in view.varbinds().zip(message.pdu.varbinds()) {
                    assert!(view.name == owned.name);
                    assert_eq!(view.name.cmp_oid(&owned.name), Ordering::Equal);
                    assert!(view.name.arcs().eq(owned.name.arcs().iter().copied()));
                }
            }
            // A v3 message is the owned decoder's alone; the view says so.
            (Ok(Message::V3(_)), Err(error)) => {
                assert_eq!(error.kind, DecodeErrorKind::UnsupportedVersion(3));
            }
            (Err(expected), Err(error)) => {
                let v3 = matches!(error.kind, DecodeErrorKind::UnsupportedVersion(3));
                assert!(v3 || error == expected, "{error} vs {expected}");
            }
            _ => panic!("decode: {decoded:?}\nview: {viewed:?}"),
        }
    }

    #[test]
    fn views_what_the_owned_decoder_decodes() {
        for message in messages() {
            let bytes = message.to_vec();
            assert_agree(&bytes);
            let view = MessageView::parse(&bytes).unwrap();
            assert_eq!(view.varbinds().count(), sample_varbinds().len());
        }
    }

    #[test]
    fn exposes_the_pdu_fields() {
        let bytes: Vec<Vec<u8>> = messages().iter().map(Message::to_vec).collect();
        let [response, bulk, trap] = <[Vec<u8>; 3]>::try_from(bytes).unwrap();
        let view = MessageView::parse(&response).unwrap();
        assert_eq!(view.version(), Version::V2c);
        assert_eq!(
            *view.pdu(),
            PduFields::Pdu {
                kind: PduKind::Response,
                request_id: RequestId(-7),
                error_status: ErrorStatus::NoSuchName,
                error_index: 2,
            }
        );
        let view = MessageView::parse(&bulk).unwrap();
        assert_eq!(view.request_id(), Some(RequestId(9)));
        assert!(matches!(
            view.pdu(),
            PduFields::Bulk {
                non_repeaters: 1,
                max_repetitions: 10,
                ..
            }
        ));
        let view = MessageView::parse(&trap).unwrap();
        assert_eq!(view.request_id(), None);
        let PduFields::TrapV1 {
            enterprise,
            generic_trap,
            time_stamp,
            ..
        } = *view.pdu()
        else {
            panic!("not a trap");
        };
        assert_eq!(enterprise.to_oid(), oid("1.3.6.1.4.1.8072.3.2.10"));
        assert!(enterprise.starts_with(&oid("1.3.6.1.4.1")));
        assert!(!enterprise.starts_with(&oid("1.3.6.1.2")));
        assert!(enterprise < oid("1.3.6.1.4.1.8072.3.2.11"));
        assert!(enterprise > oid("1.3.6.1.4.1.8072.3.2"));
        assert_eq!(generic_trap, GenericTrap::LinkDown);
        assert_eq!(time_stamp, 42);
    }

    #[test]
    fn reads_empty_oid_contents_as_zero_dot_zero() {
        let view = OidView { contents: &[] };
        assert_eq!(view.arcs().collect::<Vec<_>>(), [0, 0]);
        assert_eq!(view.to_oid(), oid("0.0"));
        let view = OidView {
            contents: &[0x88, 0x37, 0x80, 0x01],
        };
        assert_eq!(view.arcs().collect::<Vec<_>>(), [2, 999, 1]);
    }

    #[test]
    fn rejects_what_the_owned_decoder_rejects() {
        let bytes = messages()[0].to_vec();
        // Truncated anywhere, and the version set to 2, 3 or 4.
        for end in 0..bytes.len() {
            assert_agree(&bytes[..end]);
        }
        for version in [2, 3, 4] {
            let mut wrong = bytes.clone();
            wrong[4] = version;
            assert!(MessageView::parse(&wrong).is_err());
            assert_agree(&wrong);
        }
    }

    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        let messages = messages();
        (
            0..messages.len(),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
            any::<prop::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(move |(which, flips, cut, truncate)| {
                let mut bytes = messages[which].to_vec();
                for (at, byte) in flips {
                    let at = at.index(bytes.len());
                    bytes[at] = byte;
                }
                if truncate {
                    bytes.truncate(cut.index(bytes.len() + 1));
                }
                bytes
            })
    }

    proptest! {
        #[test]
        fn accepts_and_rejects_what_message_decode_does(bytes in mutated()) {
            assert_agree(&bytes);
        }

        #[test]
        fn agrees_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            assert_agree(&bytes);
        }

        #[test]
        fn agrees_on_arbitrary_bodies(
            body in prop::collection::vec(any::<u8>(), 0..120),
            version in 0u8..2,
        ) {
            // A well-formed message header around arbitrary PDU bytes: the PDU and varbind
            // rules get exercised rather than the outer SEQUENCE's.
            let mut bytes = vec![0x30, 0x81, 0x00, 0x02, 0x01, version, 0x04, 0x01, b'p'];
            bytes.extend(&body);
            bytes[2] = u8::try_from(bytes.len() - 3).unwrap();
            assert_agree(&bytes);
        }
    }
}
