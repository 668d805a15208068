//! A borrowed, validating view of a community message (SNMPv1, RFC 1157 §4; SNMPv2c,
//! RFC 1901 §3), for the paths that only look at a datagram: a trap receiver filtering on
//! the community and the trap OID, an agent reading the OIDs a request names.
//!
//! [`MessageView::parse`] checks the whole datagram before it returns, by the same rules as
//! [`Message::decode`](crate::Message::decode): every byte string that one accepts as a v1
//! or v2c message, the other accepts too, and both reject the same ones, with the same
//! error. A lean pass accepts a valid datagram; only a rejected one is walked again, to name
//! its first fault and where it is. It allocates nothing and copies nothing. The varbinds are then read lazily, as [`VarBindView`]s whose
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
        // One lean pass accepts what is valid; only a rejected datagram pays for the second,
        // which walks it again with positions to name the first fault exactly as
        // `Message::decode` does.
        match Self::accept(datagram) {
            Some(view) => Ok(view),
            None => Self::diagnose(datagram),
        }
    }

    /// The validating pass without diagnostics: `Some` exactly when [`diagnose`] accepts
    /// `datagram`, with the same view, and `None` when it rejects it. Slices and `Option`
    /// instead of a positioned cursor and `Result` keep it to a few instructions per TLV.
    ///
    /// [`diagnose`]: Self::diagnose
    #[inline]
    fn accept(datagram: &'a [u8]) -> Option<Self> {
        let (message, _) = take_outer(datagram, SEQUENCE)?;
        let (version, message) = take(message, INTEGER)?;
        let version = match int32(version)? {
            0 => Version::V1,
            1 => Version::V2c,
            _ => return None,
        };
        let (community, message) = take(message, OCTET_STRING)?;
        let (&tag, _) = message.split_first()?;
        let (contents, trailing) = take_outer(message, tag)?;
        if !trailing.is_empty() {
            return None;
        }
        let (pdu, contents) = match tag {
            TAG_GET_BULK_REQUEST => {
                let (request_id, contents) = take(contents, INTEGER)?;
                let (non_repeaters, contents) = take(contents, INTEGER)?;
                let (max_repetitions, contents) = take(contents, INTEGER)?;
                let pdu = PduFields::Bulk {
                    request_id: RequestId(int32(request_id)?),
                    non_repeaters: clamped(integer(non_repeaters)?),
                    max_repetitions: clamped(integer(max_repetitions)?),
                };
                (pdu, contents)
            }
            TAG_TRAP_V1 => accept_trap_fields(contents)?,
            _ => {
                let kind = PduKind::from_tag(tag)?;
                let (request_id, contents) = take(contents, INTEGER)?;
                let (error_status, contents) = take(contents, INTEGER)?;
                let (error_index, contents) = take(contents, INTEGER)?;
                let pdu = PduFields::Pdu {
                    kind,
                    request_id: RequestId(int32(request_id)?),
                    error_status: ErrorStatus::from_i32(int32(error_status)?)?,
                    error_index: u32::try_from(integer(error_index)?).ok()?,
                };
                (pdu, contents)
            }
        };
        let (list, trailing) = take_outer(contents, SEQUENCE)?;
        if !trailing.is_empty() {
            return None;
        }
        let mut rest = list;
        let mut count = 0;
        while !rest.is_empty() {
            rest = accept_varbind(rest)?;
            count += 1;
        }
        Some(Self {
            version,
            community,
            pdu,
            varbinds: VarBinds {
                rest: list,
                remaining: count,
            },
        })
    }

    /// The validating pass with diagnostics: [`Message::decode`]'s walk and errors.
    ///
    /// [`Message::decode`]: crate::Message::decode
    #[cold]
    #[inline(never)]
    fn diagnose(datagram: &'a [u8]) -> Result<Self, DecodeError> {
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
    let generic_trap = GenericTrap::from_code(contents.read(INTEGER)?.int32()?);
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

/// [`read_trap_fields`] without diagnostics; also returns what follows the time-stamp.
#[inline]
fn accept_trap_fields(contents: &[u8]) -> Option<(PduFields<'_>, &[u8])> {
    let (enterprise, contents) = take(contents, OBJECT_IDENTIFIER)?;
    let (address, contents) = take(contents, IP_ADDRESS)?;
    let (generic, contents) = take(contents, INTEGER)?;
    let (specific, contents) = take(contents, INTEGER)?;
    let (time_stamp, contents) = take(contents, TIMETICKS)?;
    if !oid_is_valid(enterprise) {
        return None;
    }
    let pdu = PduFields::TrapV1 {
        enterprise: OidView {
            contents: enterprise,
        },
        agent_addr: Ipv4Addr::from(<[u8; 4]>::try_from(address).ok()?),
        generic_trap: GenericTrap::from_code(int32(generic)?),
        specific_trap: int32(specific)?,
        time_stamp: unsigned32(time_stamp)?,
    };
    Some((pdu, contents))
}

/// Accepts one `VarBind` (RFC 3416 §3) by [`validate_varbinds`]' rules, and returns what
/// follows it: one walk over its three headers, the OID's octets and the value's.
#[inline(always)]
fn accept_varbind(input: &[u8]) -> Option<&[u8]> {
    if let Some(short) = ShortVarBind::split_checked(input) {
        return (oid_is_valid(short.name) && value_is_valid(short.tag, short.contents))
            .then_some(short.rest);
    }
    accept_any_varbind(input)
}

/// [`accept_varbind`] for lengths in any form.
#[inline(never)]
fn accept_any_varbind(input: &[u8]) -> Option<&[u8]> {
    let (varbind, rest) = take(input, SEQUENCE)?;
    let (name, value) = take(varbind, OBJECT_IDENTIFIER)?;
    let (&tag, _) = value.split_first()?;
    let (contents, trailing) = take(value, tag)?;
    (trailing.is_empty() && oid_is_valid(name) && value_is_valid(tag, contents)).then_some(rest)
}

/// A `VarBind` whose three lengths are in the short form (X.690 §8.1.3.4), as agents
/// send every varbind under 128 octets: cut at its SEQUENCE's length, then at its name's.
struct ShortVarBind<'a> {
    /// The whole varbind, which ends where the value's contents end.
    varbind: &'a [u8],
    /// The name's contents.
    name: &'a [u8],
    /// The value's tag.
    tag: u8,
    /// The value's length octet, as sent.
    value_len: u8,
    /// The value's contents: what follows its tag and length in the varbind.
    contents: &'a [u8],
    /// What follows the varbind.
    rest: &'a [u8],
}

impl<'a> ShortVarBind<'a> {
    /// For the validating pass: `None` unless the tags are SEQUENCE then OBJECT
    /// IDENTIFIER, the lengths short, and the name and value fill the SEQUENCE exactly.
    /// (The value's length then is short too: it is below the SEQUENCE's.)
    #[inline(always)]
    fn split_checked(input: &'a [u8]) -> Option<Self> {
        let short = match *input {
            [SEQUENCE, _, OBJECT_IDENTIFIER, ..] => Self::split(input)?,
            _ => return None,
        };
        (usize::from(short.value_len) == short.contents.len()).then_some(short)
    }

    /// For a list the validating pass accepted, where every length is known to match what
    /// it holds: the tags are not looked at again.
    #[inline(always)]
    fn split_accepted(input: &'a [u8]) -> Option<Self> {
        let short = Self::split(input)?;
        // A long-form value length may hide in a short varbind; the general path reads it.
        (short.value_len < 0x80).then_some(short)
    }

    /// Cuts `input` at the SEQUENCE's length and the name's, whatever the tags.
    #[inline(always)]
    fn split(input: &'a [u8]) -> Option<Self> {
        let [_, declared, _, name_len, ..] = *input else {
            return None;
        };
        if (declared | name_len) >= 0x80 {
            return None;
        }
        let (varbind, rest) = input.split_at_checked(usize::from(declared) + 2)?;
        let (name, value) = varbind.get(4..)?.split_at_checked(usize::from(name_len))?;
        let [tag, value_len, ref contents @ ..] = *value else {
            return None;
        };
        Some(Self {
            varbind,
            name,
            tag,
            value_len,
            contents,
            rest,
        })
    }
}

/// True when [`ValueView::read`] accepts these contents for this tag. The common encodings
/// are decided by their length alone; the others by the reference decoders.
#[inline(always)]
fn value_is_valid(tag: u8, contents: &[u8]) -> bool {
    match tag {
        OCTET_STRING | OPAQUE | NSAP_ADDRESS => true,
        // Up to four octets always fit an Integer32.
        INTEGER => {
            matches!(contents.len(), 1..=4)
                || integer(contents).is_some_and(|value| i32::try_from(value).is_ok())
        }
        // Up to four octets fit i32::MIN..=u32::MAX; so do five with a zero sign octet.
        COUNTER32 | GAUGE32 | TIMETICKS => {
            matches!(contents.len(), 1..=4)
                || matches!(contents, [0x00, _, _, _, _])
                || unsigned32(contents).is_some()
        }
        COUNTER64 => {
            matches!(contents.len(), 1..=8)
                || matches!(contents, [0x00, _, _, _, _, _, _, _, _])
                || unsigned64(contents).is_some()
        }
        IP_ADDRESS => contents.len() == 4,
        OBJECT_IDENTIFIER => oid_is_valid(contents),
        NULL | NO_SUCH_OBJECT | NO_SUCH_INSTANCE | END_OF_MIB_VIEW => contents.is_empty(),
        _ => false,
    }
}

/// True when [`crate::ber::oid_arcs`] accepts these OBJECT IDENTIFIER contents (empty ones
/// read as zeroDotZero).
#[inline(always)]
fn oid_is_valid(contents: &[u8]) -> bool {
    // From 8 to 16 octets, the first eight and the last eight cover them all: when none has
    // its high bit set, every subidentifier is one octet, and there are at most 17 arcs.
    if let (Some(head), Some(tail)) = (contents.first_chunk::<8>(), contents.last_chunk::<8>())
        && contents.len() <= 16
        && (u64::from_le_bytes(*head) | u64::from_le_bytes(*tail)) & HIGH_BITS == 0
    {
        return true;
    }
    oid_is_valid_by_words(contents)
}

/// [`oid_is_valid`] for multi-octet subidentifiers and other lengths. Under 128 octets
/// there are at most 128 arcs, and a subidentifier of at most four octets is under 2^28:
/// then only the last octet's termination and the absence of four continuation octets in
/// a row matter. Eight octets at a time, from windows five octets apart and the last
/// eight, see every run of four; anything else is checked arc by arc.
#[inline(never)]
fn oid_is_valid_by_words(contents: &[u8]) -> bool {
    let Some(tail) = contents.last_chunk::<8>() else {
        return oid_subidentifiers_are_valid(contents);
    };
    if contents.len() >= 128 {
        return oid_subidentifiers_are_valid(contents);
    }
    let mut runs = continuation_runs(*tail);
    if let Some(head) = contents.first_chunk::<8>()
        && contents.len() <= 16
    {
        // Windows at 0, 4 and len-8 hold every run of four octets of up to 16; under 12
        // octets, the first and the last eight alone do.
        let middle = contents
            .get(4..)
            .and_then(<[u8]>::first_chunk::<8>)
            .unwrap_or(head);
        runs |= continuation_runs(*head) | continuation_runs(*middle);
        if runs != 0 {
            return oid_subidentifiers_are_valid(contents);
        }
        return u64::from_le_bytes(*tail) & (1 << 63) == 0;
    }
    let mut offset = 0;
    while let Some(word) = contents.get(offset..).and_then(<[u8]>::first_chunk::<8>) {
        runs |= continuation_runs(*word);
        offset += 5;
    }
    if runs != 0 {
        return oid_subidentifiers_are_valid(contents);
    }
    u64::from_le_bytes(*tail) & (1 << 63) == 0
}

/// Non-zero when four consecutive octets of `word` have their high bit (base-128
/// continuation) set.
#[inline(always)]
fn continuation_runs(word: [u8; 8]) -> u64 {
    let high = u64::from_le_bytes(word) & HIGH_BITS;
    high & (high >> 8) & (high >> 16) & (high >> 24)
}

/// [`crate::ber::oid_arcs`]' rules without storing the arcs: every subidentifier
/// terminated, the first at most 2.(2^32-1) (X.690 §8.19.4), the others at most 2^32-1,
/// and no more than [`MAX_ARCS`](crate::oid::MAX_ARCS) arcs.
#[inline(never)]
fn oid_subidentifiers_are_valid(contents: &[u8]) -> bool {
    let Some(&last) = contents.last() else {
        return true;
    };
    let mut limit = FIRST_SUBIDENTIFIER_MAX;
    let mut value: u64 = 0;
    // The first subidentifier packs two arcs.
    let mut arcs = 1;
    for &octet in contents {
        // The limit is checked at each octet, so the accumulator cannot overflow however
        // many 0x80 octets pad a subidentifier.
        value = (value << 7) | u64::from(octet & 0x7f);
        if value > limit {
            return false;
        }
        if octet & 0x80 == 0 {
            arcs += 1;
            value = 0;
            limit = u64::from(u32::MAX);
        }
    }
    last & 0x80 == 0 && arcs <= crate::oid::MAX_ARCS
}

/// Splits a TLV whose tag is `tag` off the front of `input`: its contents and what follows.
/// Lengths follow [`crate::ber::length`]; a short one is read inline.
#[inline(always)]
fn take(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    match input {
        [first, short, rest @ ..] if *first == tag && *short < 0x80 => {
            rest.split_at_checked(usize::from(*short))
        }
        [first, rest @ ..] if *first == tag => take_long(rest),
        _ => None,
    }
}

/// [`take`] for the message, PDU and varbind list SEQUENCEs, which often need one or two
/// length octets (X.690 §8.1.3.5).
#[inline(always)]
fn take_outer(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    match *input {
        [first, 0x81, len, ref rest @ ..] if first == tag => {
            rest.split_at_checked(usize::from(len))
        }
        [first, 0x82, high, low, ref rest @ ..] if first == tag => {
            rest.split_at_checked(usize::from(u16::from_be_bytes([high, low])))
        }
        _ => take(input, tag),
    }
}

/// The long-form half of [`take`] and [`split`]: `after_tag` starts with the length octets.
#[inline(never)]
fn take_long(after_tag: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, octets) = length::decode(after_tag)?;
    after_tag.get(octets..)?.split_at_checked(len)
}

/// Splits an already validated TLV off the front of `input`, whatever its tag.
#[inline(always)]
fn split(input: &[u8]) -> Option<(&[u8], &[u8])> {
    match input {
        [_, short, rest @ ..] if *short < 0x80 => rest.split_at_checked(usize::from(*short)),
        [_, rest @ ..] => take_long(rest),
        [] => None,
    }
}

/// An INTEGER's contents as an Integer32, by [`crate::ber::Reader::int32`]'s rules.
#[inline(always)]
fn int32(contents: &[u8]) -> Option<i32> {
    // One to four octets always fit; read them without a loop.
    match *contents {
        [a] => Some(i32::from(i8::from_be_bytes([a]))),
        [a, b] => Some(i32::from(i16::from_be_bytes([a, b]))),
        [a, b, c, d] => Some(i32::from_be_bytes([a, b, c, d])),
        _ => integer(contents).and_then(|value| i32::try_from(value).ok()),
    }
}

/// The low 64 bits of validated two's-complement contents, which is the value of an
/// Integer32, Counter32, Gauge32, TimeTicks or Counter64 that the validating pass accepted
/// (a Counter32 read from a negative INTEGER is its value modulo 2^32, as
/// [`crate::ber::Reader::unsigned32`] reads it). `through` ends where `contents` ends.
#[inline(always)]
fn low_bits(contents: &[u8], through: &[u8]) -> u64 {
    let len = contents.len();
    let Some(window) = through.last_chunk::<8>() else {
        return low_bits_by_octet(contents);
    };
    // The last eight octets are the low 64 bits; fewer contents octets than that are
    // sign-extended from the first of them.
    let raw = u64::from_be_bytes(*window);
    match len {
        1..8 => {
            let shift = u32::try_from(64 - 8 * len).unwrap_or(0);
            let signed = i64::from_be_bytes((raw << shift).to_be_bytes()) >> shift;
            u64::from_be_bytes(signed.to_be_bytes())
        }
        0 => 0,
        _ => raw,
    }
}

/// [`low_bits`] an octet at a time, when there are not eight octets to load.
#[inline(never)]
fn low_bits_by_octet(contents: &[u8]) -> u64 {
    let sign = match contents.first() {
        Some(&first) if first >= 0x80 => u64::MAX,
        _ => 0,
    };
    // A left shift drops the high bits without overflow checks: redundant sign octets
    // beyond eight leave the low 64 bits as they are.
    contents
        .iter()
        .fold(sign, |value, &octet| (value << 8) | u64::from(octet))
}

/// The low 32 bits of [`low_bits`].
#[inline(always)]
fn low_bits_32(contents: &[u8], through: &[u8]) -> u32 {
    let [a, b, c, d, ..] = low_bits(contents, through).to_le_bytes();
    u32::from_le_bytes([a, b, c, d])
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

    #[inline]
    fn next(&mut self) -> Option<VarBindView<'a>> {
        // The list was validated whole: every split succeeds. Should one not, the iterator
        // ends rather than panic.
        let (name, value) = if let Some(short) = ShortVarBind::split_accepted(self.rest) {
            self.rest = short.rest;
            let value = ValueView::read_valid(short.tag, short.contents, short.varbind)?;
            (short.name, value)
        } else {
            let (varbind, rest) = split(self.rest)?;
            self.rest = rest;
            let (name, value) = split(varbind)?;
            let (&tag, _) = value.split_first()?;
            let (contents, _) = split(value)?;
            (name, ValueView::read_valid(tag, contents, value)?)
        };
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

/// The high bit of each of eight octets read as a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The BER contents of `0.0`.
const ZERO_DOT_ZERO: &[u8] = &[0];

/// The largest first subidentifier, `2.(2^32-1)` packed as `80 + arc2` (X.690 §8.19.4), as
/// [`crate::ber::oid_arcs`] bounds it.
const FIRST_SUBIDENTIFIER_MAX: u64 = 0xffff_ffff + 80;

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
    ///
    /// `through` is any slice of the datagram that ends where `contents` ends: its last
    /// eight octets, when it has them, read an integer in one load.
    #[inline(always)]
    fn read_valid(tag: u8, contents: &'a [u8], through: &[u8]) -> Option<Self> {
        Some(match tag {
            INTEGER => Self::Integer(i32::from_le_bytes(
                low_bits_32(contents, through).to_le_bytes(),
            )),
            OCTET_STRING => Self::OctetString(contents),
            OBJECT_IDENTIFIER => Self::ObjectIdentifier(OidView { contents }),
            COUNTER32 => Self::Counter32(low_bits_32(contents, through)),
            GAUGE32 => Self::Gauge32(low_bits_32(contents, through)),
            TIMETICKS => Self::TimeTicks(low_bits_32(contents, through)),
            COUNTER64 => Self::Counter64(low_bits(contents, through)),
            IP_ADDRESS => Self::IpAddress(Ipv4Addr::from(<[u8; 4]>::try_from(contents).ok()?)),
            NULL => Self::Null,
            OPAQUE => Self::Opaque(contents),
            NSAP_ADDRESS => Self::NsapAddress(contents),
            NO_SUCH_OBJECT => Self::NoSuchObject,
            NO_SUCH_INSTANCE => Self::NoSuchInstance,
            END_OF_MIB_VIEW => Self::EndOfMibView,
            _ => return None,
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
mod tests;
