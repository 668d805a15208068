//! A bounded BER reader: nothing can read past the TLV it was given, nothing can panic.

use bytes::Bytes;

use crate::ber::{length, tag};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::oid::Oid;

/// A cursor over a window of a datagram, in the style of rustls' `Reader::sub`.
///
/// [`read`](Self::read) consumes one TLV and returns a new `Reader` bounded to its contents,
/// so a length can never make a later read run past the TLV that encloses it. Offsets are
/// counted from the start of the whole datagram, so that every [`DecodeError`] points at
/// the offending byte. The content accessors ([`int32`](Self::int32),
/// [`octets`](Self::octets), [`oid`](Self::oid)…) consume the reader and interpret all of
/// its remaining bytes as the contents of one primitive value.
///
/// OCTET STRING contents are returned as slices of the datagram's [`Bytes`], without copying.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a Bytes,
    pos: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the whole of `bytes`.
    pub fn new(bytes: &'a Bytes) -> Self {
        Self {
            bytes,
            pos: 0,
            end: bytes.len(),
        }
    }

    /// Offset of the next byte to read, from the start of the datagram.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Number of bytes left in this window.
    pub fn remaining(&self) -> usize {
        self.end - self.pos
    }

    /// True when this window has been read to its end.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// The tag of the next TLV, without consuming it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    /// Reads one TLV of any tag; returns its tag and a reader over its contents.
    ///
    /// Fails with `Truncated` when the datagram ends inside the TLV, `InvalidLength` when
    /// its length is malformed or runs past the enclosing TLV, and `UnexpectedTag` for a
    /// multi-octet tag (SNMP has none).
    #[inline]
    pub fn read_any(&mut self) -> Result<(u8, Self), DecodeError> {
        let rest = self.rest();
        let Some((&tag, after_tag)) = rest.split_first() else {
            return Err(DecodeError::new(DecodeErrorKind::Truncated, self.pos));
        };
        if tag & tag::HIGH_TAG_NUMBER == tag::HIGH_TAG_NUMBER {
            return Err(DecodeError::new(
                DecodeErrorKind::UnexpectedTag(tag),
                self.pos,
            ));
        }
        let length_at = self.pos + 1;
        let Some((len, length_octets)) = length::decode(after_tag) else {
            let kind = if length::is_truncated(after_tag) {
                self.overrun_kind()
            } else {
                DecodeErrorKind::InvalidLength
            };
            return Err(DecodeError::new(kind, length_at));
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

    /// Reads one TLV that must carry `expected`; returns a reader over its contents.
    #[inline]
    pub fn read(&mut self, expected: u8) -> Result<Self, DecodeError> {
        let at = self.pos;
        let (tag, contents) = self.read_any()?;
        if tag != expected {
            return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag(tag), at));
        }
        Ok(contents)
    }

    /// Takes the next `len` bytes as a reader of their own.
    pub fn sub(&mut self, len: usize) -> Result<Self, DecodeError> {
        if len > self.remaining() {
            return Err(DecodeError::new(self.overrun_kind(), self.pos));
        }
        let sub = Self {
            bytes: self.bytes,
            pos: self.pos,
            end: self.pos + len,
        };
        self.pos += len;
        Ok(sub)
    }

    /// Succeeds when the window has been read to its end; `TrailingData` otherwise.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(DecodeErrorKind::TrailingData, self.pos))
        }
    }

    /// Number of well-formed TLVs from here, stopping at the first malformed one.
    ///
    /// Used to size a `Vec` before decoding a SEQUENCE OF: the count can never exceed half
    /// the remaining bytes, so it is bounded by the datagram.
    pub fn tlv_count(&self) -> usize {
        let mut probe = self.clone();
        let mut count = 0;
        while !probe.is_empty() && probe.read_any().is_ok() {
            count += 1;
        }
        count
    }

    /// The remaining bytes of the window, borrowed from the datagram.
    pub fn as_slice(&self) -> &'a [u8] {
        self.rest()
    }

    /// The remaining bytes as a slice of the datagram's `Bytes` (no copy): OCTET STRING
    /// contents.
    pub fn octets(self) -> Bytes {
        if self.is_empty() {
            return Bytes::new();
        }
        self.bytes.slice(self.pos..self.end)
    }

    /// Checks that the contents are empty, as NULL and the v2 exceptions require
    /// (X.690 §8.8.2); `NonEmptyNull` otherwise.
    pub fn null(self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(DecodeErrorKind::NonEmptyNull, self.pos))
        }
    }

    /// The contents as a two's-complement INTEGER (X.690 §8.3) of at most 64 bits.
    ///
    /// Redundant leading `0x00`/`0xff` octets are tolerated; empty contents and values
    /// needing more than 8 octets fail with `IntegerOutOfRange`.
    pub fn integer(self) -> Result<i64, DecodeError> {
        integer(self.rest()).ok_or_else(|| self.out_of_range())
    }

    /// The contents as an Integer32 (RFC 2578 §7.1.1); `IntegerOutOfRange` outside
    /// -2^31..2^31-1.
    pub fn int32(self) -> Result<i32, DecodeError> {
        integer(self.rest())
            .and_then(|value| i32::try_from(value).ok())
            .ok_or_else(|| self.out_of_range())
    }

    /// The contents as a 32-bit unsigned value: Counter32, Gauge32, TimeTicks
    /// (RFC 2578 §7.1.6–7.1.8).
    ///
    /// A negative value from -2^31 to -1 is read modulo 2^32, as Net-SNMP's
    /// `asn_parse_unsigned_int` does: agents that encode a counter as a signed 32-bit
    /// integer (`41 04 ff ff ff ff` for 4294967295) mean the unsigned value. A value above
    /// 2^32-1 or below -2^31 fails with `IntegerOutOfRange` rather than being truncated as
    /// Net-SNMP does, since a silently wrapped counter corrupts every rate computed from it.
    pub fn unsigned32(self) -> Result<u32, DecodeError> {
        unsigned32(self.rest()).ok_or_else(|| self.out_of_range())
    }

    /// The contents as a 64-bit unsigned value: Counter64 (RFC 2578 §7.1.10).
    ///
    /// Up to 9 octets when the first is `0x00`; a negative value of at most 8 octets is read
    /// modulo 2^64, by the same reasoning as [`unsigned32`](Self::unsigned32).
    pub fn unsigned64(self) -> Result<u64, DecodeError> {
        unsigned64(self.rest()).ok_or_else(|| self.out_of_range())
    }

    /// The contents as an OBJECT IDENTIFIER (X.690 §8.19) within SNMP's limits
    /// (RFC 2578 §3.5: 2 to 128 arcs, each at most 2^32-1).
    ///
    /// Fails with `InvalidOid`, at the offending subidentifier, when the contents end inside
    /// a subidentifier or break a limit. Two malformations are tolerated, as Net-SNMP's
    /// `asn_parse_objid` does: subidentifiers padded with leading `0x80` octets (the value
    /// is unambiguous), and empty contents, read as `0.0` (zeroDotZero, the conventional
    /// "no OID", which is what agents that send `06 00` mean).
    #[inline]
    pub fn oid(self) -> Result<Oid, DecodeError> {
        Oid::from_ber(self.rest())
            .map_err(|at| DecodeError::new(DecodeErrorKind::InvalidOid, self.pos + at))
    }

    fn rest(&self) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes;
        bytes.get(self.pos..self.end).unwrap_or_default()
    }

    /// A length that overruns: `Truncated` when the datagram itself ends first,
    /// `InvalidLength` when only the enclosing TLV does.
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

/// Contents of a Counter32, Gauge32 or TimeTicks, by [`Reader::unsigned32`]'s rules.
pub(crate) fn unsigned32(contents: &[u8]) -> Option<u32> {
    integer(contents)
        .filter(|value| (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(value))
        .and_then(|value| u32::try_from(value.rem_euclid(1 << 32)).ok())
}

/// Contents of a Counter64, by [`Reader::unsigned64`]'s rules.
pub(crate) fn unsigned64(contents: &[u8]) -> Option<u64> {
    let contents = strip_sign_octets(contents);
    if let [0x00, rest @ ..] = contents
        && let Ok(octets) = <[u8; 8]>::try_from(rest)
    {
        return Some(u64::from_be_bytes(octets));
    }
    integer(contents).map(|value| u64::from_be_bytes(value.to_be_bytes()))
}

/// Two's-complement contents of at most 8 significant octets.
#[inline]
pub(crate) fn integer(contents: &[u8]) -> Option<i64> {
    // Redundant sign octets do not change a two's-complement value: up to 8 octets, read
    // them as they are; only longer contents need stripping to see whether they fit.
    let contents = if contents.len() <= size_of::<i64>() {
        contents
    } else {
        strip_sign_octets(contents)
    };
    let (&first, _) = contents.split_first()?;
    if contents.len() > size_of::<i64>() {
        return None;
    }
    let mut value: i64 = if first & 0x80 == 0 { 0 } else { -1 };
    for &octet in contents {
        value = (value << 8) | i64::from(octet);
    }
    Some(value)
}

/// Decodes non-empty OBJECT IDENTIFIER contents (X.690 §8.19) into `arcs`; returns the
/// number of arcs, or the index in `contents` of the subidentifier that ends inside the
/// contents, exceeds 2^32-1 (the first: 2.2^32-1), or has no room left in `arcs` (the
/// caller passes [`MAX_ARCS`] slots, or as many as `contents` can hold).
///
/// Padding `0x80` octets are read without overflow: the limit is checked at each octet.
#[inline]
pub(crate) fn oid_arcs(contents: &[u8], arcs: &mut [u32]) -> Result<usize, usize> {
    let at = |rest: &[u8]| contents.len() - rest.len();
    // X.690 §8.19.4: the first subidentifier packs the first two arcs.
    let (first, mut rest) = subidentifier(contents, FIRST_SUBIDENTIFIER_MAX).ok_or(0usize)?;
    let (arc1, arc2) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    let [slot1, slot2, ..] = arcs else {
        return Err(0);
    };
    *slot1 = arc1;
    *slot2 = u32::try_from(arc2).map_err(|_| 0usize)?;
    let mut count = 2;
    while let [octet, tail @ ..] = rest {
        let Some(slot) = arcs.get_mut(count) else {
            return Err(at(rest));
        };
        // Most arcs are below 128: one octet, no accumulation.
        if *octet < 0x80 {
            *slot = u32::from(*octet);
            rest = tail;
        } else {
            let (value, tail) = subidentifier(rest, u64::from(u32::MAX)).ok_or_else(|| at(rest))?;
            *slot = u32::try_from(value).map_err(|_| at(rest))?;
            rest = tail;
        }
        count += 1;
    }
    Ok(count)
}

/// One base-128 subidentifier at the start of `contents`, and what follows it; `None` when it
/// exceeds `limit` or is not terminated. Checking the limit at each octet keeps the
/// accumulator far from overflow however many `0x80` octets pad it.
fn subidentifier(contents: &[u8], limit: u64) -> Option<(u64, &[u8])> {
    let mut value: u64 = 0;
    let mut rest = contents;
    while let [octet, tail @ ..] = rest {
        value = (value << 7) | u64::from(octet & 0x7f);
        if value > limit {
            return None;
        }
        rest = tail;
        if octet & 0x80 == 0 {
            return Some((value, rest));
        }
    }
    None
}

/// Drops leading octets that only repeat the sign (X.690 §8.3.2 forbids them; devices send
/// them), keeping at least one.
fn strip_sign_octets(mut contents: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = contents {
        let Some(&next) = rest.first() else {
            break;
        };
        let redundant =
            (*first == 0x00 && next & 0x80 == 0) || (*first == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        contents = rest;
    }
    contents
}

/// The largest first subidentifier: arc 2 followed by 2^32-1 (X.690 §8.19.4).
const FIRST_SUBIDENTIFIER_MAX: u64 = 0xffff_ffff + 80;

#[cfg(test)]
mod tests;
