//! A strict BER writer: definite minimal lengths, minimal integers (X.690 §8.3.2, §10.1).

use crate::ber::length;
use crate::oid::Oid;

/// Appends TLVs to a `Vec<u8>`, in one pass and without intermediate buffers.
///
/// Two ways to write a constructed value. [`header`](Self::header) writes the identifier and
/// a length the caller has computed, in final form: the SNMP PDUs and varbinds of this crate
/// are written so, with every length known beforehand (their `encoded_len`), so nothing is
/// patched or moved (community messages are written backwards instead, by a
/// `ReverseWriter`, which needs no length beforehand). [`constructed`](Self::constructed) writes a one-octet length
/// placeholder, then the contents, then patches the length in, moving the contents once
/// when they reach 128 bytes and need the long form: simpler for rarely written structures.
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Writer<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out }
    }

    /// Writes an identifier and a length (X.690 §8.1.2, §8.1.3), shortest form.
    #[inline]
    pub fn header(&mut self, tag: u8, len: usize) {
        // Most lengths are under 128: one octet, no buffer.
        if let Ok(short) = u8::try_from(len)
            && short < 0x80
        {
            self.out.extend_from_slice(&[tag, short]);
            return;
        }
        self.out.push(tag);
        let mut buf = [0; 1 + size_of::<usize>()];
        let n = length::encode(len, &mut buf);
        self.out.extend_from_slice(buf.get(..n).unwrap_or_default());
    }

    /// Writes a constructed TLV whose contents `contents` writes.
    pub fn constructed(&mut self, tag: u8, contents: impl FnOnce(&mut Self)) {
        self.out.push(tag);
        self.out.push(0);
        let start = self.out.len();
        contents(self);
        self.patch_length(start);
    }

    /// Writes an INTEGER-like TLV (INTEGER, or any tag with INTEGER contents) in the fewest
    /// octets of two's complement (X.690 §8.3.2).
    pub fn integer(&mut self, tag: u8, value: i64) {
        // One octet per 8 bits of magnitude, plus room for the sign bit.
        let magnitude = if value < 0 { !value } else { value };
        let bits = i64::BITS - magnitude.leading_zeros();
        let count = usize::try_from(bits / 8 + 1).unwrap_or(size_of::<i64>());
        let octets = value.to_be_bytes();
        self.out.push(tag);
        self.out.push(short_length(count));
        self.out
            .extend_from_slice(octets.get(octets.len() - count..).unwrap_or(&octets));
    }

    /// Writes an unsigned value (Counter32, Gauge32, TimeTicks, Counter64) as a minimal
    /// non-negative INTEGER: a leading `0x00` when the high bit of the first octet is set
    /// (RFC 2578 §7.1.6, X.690 §8.3.3).
    pub fn unsigned(&mut self, tag: u8, value: u64) {
        let bits = u64::BITS - value.leading_zeros();
        let significant = usize::try_from(bits.div_ceil(8))
            .unwrap_or(size_of::<u64>())
            .max(1);
        let octets = value.to_be_bytes();
        let digits = octets.get(octets.len() - significant..).unwrap_or(&octets);
        let pad = digits.first().is_some_and(|&first| first & 0x80 != 0);
        self.out.push(tag);
        self.out.push(short_length(significant + usize::from(pad)));
        if pad {
            self.out.push(0x00);
        }
        self.out.extend_from_slice(digits);
    }

    /// Writes a primitive TLV with `contents` as they are (OCTET STRING, Opaque…).
    pub fn octets(&mut self, tag: u8, contents: &[u8]) {
        self.header(tag, contents.len());
        self.out.extend_from_slice(contents);
    }

    /// Writes a TLV with empty contents (NULL, the v2 exceptions).
    pub fn null(&mut self, tag: u8) {
        self.out.push(tag);
        self.out.push(0x00);
    }

    /// Writes an OBJECT IDENTIFIER (X.690 §8.19): the first two arcs combined into one
    /// subidentifier, then each arc in base 128 without padding.
    pub fn oid(&mut self, tag: u8, oid: &Oid) {
        let len = oid_len(oid);
        self.fill(tlv_len(len), |w| w.oid(tag, oid, len));
    }

    /// Appends exactly `len` bytes, which `contents` writes through a [`SliceWriter`]: the
    /// output grows once, and every write is a store into it, with no capacity check.
    /// `len` must be what `contents` writes (the `encoded_len` of what it encodes).
    #[inline]
    pub(crate) fn fill(&mut self, len: usize, contents: impl FnOnce(&mut SliceWriter<'_>)) {
        let start = self.out.len();
        self.out.resize(start + len, 0);
        let mut writer = SliceWriter {
            buf: self.out.get_mut(start..).unwrap_or_default(),
            pos: 0,
        };
        contents(&mut writer);
        debug_assert_eq!(
            writer.pos, len,
            "encoded_len disagrees with what was written"
        );
    }

    /// Appends what `contents` writes backwards through a [`ReverseWriter`] into `room`
    /// octets, grown once: the encoding is then moved to the start of that room. Returns
    /// false, with the output as it was, when `room` was too small.
    #[inline]
    pub(crate) fn fill_reverse(
        &mut self,
        room: usize,
        contents: impl FnOnce(&mut ReverseWriter<'_>),
    ) -> bool {
        let start = self.out.len();
        self.out.resize(start + room, 0);
        let mut writer = ReverseWriter::new(self.out.get_mut(start..).unwrap_or_default());
        contents(&mut writer);
        let (pos, overflowed) = (writer.pos(), writer.overflowed());
        if overflowed {
            self.out.truncate(start);
            return false;
        }
        self.out.copy_within(start + pos.., start);
        self.out.truncate(start + room - pos);
        true
    }

    /// Appends bytes that are already BER, such as a pre-encoded value.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Number of bytes in the output buffer, including what was there before this writer.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// True when the output buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Fixes the one-octet placeholder before `start` to the length of what follows it,
    /// moving the contents when the long form needs more octets.
    fn patch_length(&mut self, start: usize) {
        let len = self.out.len() - start;
        let mut buf = [0; 1 + size_of::<usize>()];
        let n = length::encode(len, &mut buf);
        let encoded = buf.get(..n).unwrap_or_default();
        if n > 1 {
            let extra = n - 1;
            self.out.resize(self.out.len() + extra, 0);
            self.out.copy_within(start..start + len, start + extra);
        }
        if let Some(slot) = self.out.get_mut(start - 1..start - 1 + n) {
            slot.copy_from_slice(encoded);
        }
    }
}

/// Writes TLVs into a slice sized beforehand by [`Writer::fill`]: the same encodings as
/// [`Writer`]'s, with every length known before its header is written.
///
/// A write past the end of the slice is dropped rather than a panic: it can only come from a
/// wrong `encoded_len`, which the tests' `debug_assert` in [`Writer::fill`] catches.
#[derive(Debug)]
pub(crate) struct SliceWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl SliceWriter<'_> {
    #[inline]
    fn byte(&mut self, octet: u8) {
        if let Some(slot) = self.buf.get_mut(self.pos) {
            *slot = octet;
        }
        self.pos += 1;
    }

    #[inline]
    fn bytes(&mut self, src: &[u8]) {
        let end = self.pos + src.len();
        if let Some(slot) = self.buf.get_mut(self.pos..end) {
            slot.copy_from_slice(src);
        }
        self.pos = end;
    }

    /// [`Writer::header`].
    #[inline]
    pub(crate) fn header(&mut self, tag: u8, len: usize) {
        self.byte(tag);
        if let Ok(short) = u8::try_from(len)
            && short < 0x80
        {
            self.byte(short);
            return;
        }
        let mut buf = [0; 1 + size_of::<usize>()];
        let n = length::encode(len, &mut buf);
        self.bytes(buf.get(..n).unwrap_or_default());
    }

    /// [`Writer::integer`].
    #[inline]
    pub(crate) fn integer(&mut self, tag: u8, value: i64) {
        let count = integer_len(value);
        self.byte(tag);
        self.byte(short_length(count));
        for i in (0..count).rev() {
            self.byte(low_octet(
                u64::from_be_bytes(value.to_be_bytes()) >> (8 * i),
            ));
        }
    }

    /// [`Writer::unsigned`].
    #[inline]
    pub(crate) fn unsigned(&mut self, tag: u8, value: u64) {
        let count = unsigned_len(value);
        self.byte(tag);
        self.byte(short_length(count));
        for i in (0..count).rev() {
            // The ninth octet, when there is one, is the leading 0x00.
            self.byte(low_octet(value.checked_shr(8 * low_u32(i)).unwrap_or(0)));
        }
    }

    /// [`Writer::octets`].
    #[inline]
    pub(crate) fn octets(&mut self, tag: u8, contents: &[u8]) {
        self.header(tag, contents.len());
        self.bytes(contents);
    }

    /// [`Writer::null`].
    #[inline]
    pub(crate) fn null(&mut self, tag: u8) {
        self.byte(tag);
        self.byte(0);
    }

    /// [`Writer::oid`], with the content length already computed by [`oid_len`].
    #[inline(always)]
    pub(crate) fn oid(&mut self, tag: u8, oid: &Oid, len: usize) {
        self.header(tag, len);
        let start = self.pos;
        self.pos += len;
        // A local slice and index: stores through `self` would make the compiler reload
        // `self.pos` after every octet, since a `u8` store may alias anything.
        let Some(contents) = self.buf.get_mut(start..start + len) else {
            return;
        };
        let [first, second, rest @ ..] = oid.arcs() else {
            return;
        };
        let combined = u64::from(*first) * 40 + u64::from(*second);
        // One octet per subidentifier, the usual case: the arcs are the octets.
        if len == rest.len() + 1
            && combined < 0x80
            && let Some((head, tail)) = contents.split_first_mut()
        {
            *head = low_octet(combined);
            for (slot, &arc) in tail.iter_mut().zip(rest) {
                *slot = low_octet(u64::from(arc));
            }
            return;
        }
        let mut at = put_base128(contents, 0, combined);
        for &arc in rest {
            match u8::try_from(arc) {
                Ok(octet) if octet < 0x80 => {
                    if let Some(slot) = contents.get_mut(at) {
                        *slot = octet;
                    }
                    at += 1;
                }
                _ => at = put_base128(contents, at, u64::from(arc)),
            }
        }
    }
}

/// Writes TLVs backwards, from the end of a slice towards its start: each constructed
/// value's contents are written before its header, so every length is known when its
/// header is written, with no length pass and nothing patched or moved.
///
/// The room is an estimate. A write that does not fit is dropped and marks the writer as
/// [`overflowed`](Self::overflowed), and the caller then encodes forwards instead.
#[derive(Debug)]
pub(crate) struct ReverseWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
    overflowed: bool,
}

impl<'a> ReverseWriter<'a> {
    /// A writer filling `buf` from its end.
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        let pos = buf.len();
        Self {
            buf,
            pos,
            overflowed: false,
        }
    }

    /// Index of the first octet written: the encoding is `buf[pos..]`.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// True when some write did not fit, and the output is incomplete.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// The room left before the first octet written, marking the writer as overflowed
    /// when it is less than `n` octets.
    #[inline]
    fn take(&mut self, n: usize) -> Option<&mut [u8]> {
        let Some(start) = self.pos.checked_sub(n) else {
            self.overflowed = true;
            return None;
        };
        let slot = self.buf.get_mut(start..self.pos);
        self.pos = start;
        slot
    }

    #[inline]
    fn byte(&mut self, octet: u8) {
        if let Some([slot]) = self.take(1) {
            *slot = octet;
        }
    }

    /// Writes `src` before what is already written.
    #[inline]
    pub(crate) fn bytes(&mut self, src: &[u8]) {
        if let Some(slot) = self.take(src.len()) {
            slot.copy_from_slice(src);
        }
    }

    /// Writes the identifier and length of a TLV whose contents end at `end` (a
    /// [`pos`](Self::pos) taken before they were written) and start at the current position.
    #[inline]
    pub(crate) fn header(&mut self, tag: u8, end: usize) {
        let len = end.saturating_sub(self.pos);
        if let Ok(short) = u8::try_from(len)
            && short < 0x80
        {
            self.bytes(&[tag, short]);
            return;
        }
        let mut buf = [0; 1 + size_of::<usize>()];
        let n = length::encode(len, &mut buf);
        self.bytes(buf.get(..n).unwrap_or_default());
        self.byte(tag);
    }

    /// [`Writer::integer`]: the contents are stored as one 8-octet word when there is room
    /// (the octets before them are not written yet, so overwriting them is harmless).
    #[inline]
    pub(crate) fn integer(&mut self, tag: u8, value: i64) {
        self.word(tag, value.to_be_bytes(), integer_len(value));
    }

    /// [`Writer::unsigned`].
    #[inline]
    pub(crate) fn unsigned(&mut self, tag: u8, value: u64) {
        let count = unsigned_len(value);
        if count > size_of::<u64>() {
            // The leading 0x00 of a value with its 64th bit set.
            self.bytes(&value.to_be_bytes());
            self.bytes(&[tag, short_length(count), 0x00]);
            return;
        }
        self.word(tag, value.to_be_bytes(), count);
    }

    /// Writes tag, length and the last `count` (1 to 8) octets of `octets`.
    #[inline]
    fn word(&mut self, tag: u8, octets: [u8; 8], count: usize) {
        let end = self.pos;
        if let Some(start) = end.checked_sub(size_of::<u64>() + 2)
            && let Some(slot) = self.buf.get_mut(start + 2..end)
        {
            slot.copy_from_slice(&octets);
            let header = end - count - 2;
            if let Some(slot) = self.buf.get_mut(header..header + 2) {
                slot.copy_from_slice(&[tag, short_length(count)]);
            }
            self.pos = header;
            return;
        }
        self.bytes(octets.get(octets.len() - count..).unwrap_or(&octets));
        self.bytes(&[tag, short_length(count)]);
    }

    /// [`Writer::octets`].
    #[inline]
    pub(crate) fn octets(&mut self, tag: u8, contents: &[u8]) {
        let end = self.pos;
        self.bytes(contents);
        self.header(tag, end);
    }

    /// [`Writer::null`].
    #[inline]
    pub(crate) fn null(&mut self, tag: u8) {
        self.bytes(&[tag, 0]);
    }

    /// [`Writer::oid`].
    #[inline]
    pub(crate) fn oid(&mut self, tag: u8, oid: &Oid) {
        let end = self.pos;
        let [first, second, rest @ ..] = oid.arcs() else {
            self.null(tag);
            return;
        };
        let combined = u64::from(*first) * 40 + u64::from(*second);
        // One octet per subidentifier, the usual case: the arcs are the octets. They are
        // stored as such while their OR tells whether any needed more; if one did, the
        // octets are written again, in base 128, over the same room.
        if combined < 0x80
            && let Some(start) = end.checked_sub(rest.len() + 1)
            && let Some((head, tail)) = self
                .buf
                .get_mut(start..end)
                .and_then(|slot| slot.split_first_mut())
        {
            *head = low_octet(combined);
            let mut all = 0;
            for (slot, &arc) in tail.iter_mut().zip(rest) {
                *slot = low_octet(u64::from(arc));
                all |= arc;
            }
            if all < 0x80 {
                self.pos = start;
                self.header(tag, end);
                return;
            }
        }
        for &arc in rest.iter().rev() {
            self.base128(u64::from(arc));
        }
        self.base128(combined);
        self.header(tag, end);
    }

    /// Writes `value` in base 128 (X.690 §8.19.2), most significant group first.
    #[inline]
    fn base128(&mut self, mut value: u64) {
        let mut more = 0;
        loop {
            self.byte(more | low_octet(value & 0x7f));
            value >>= 7;
            more = 0x80;
            if value == 0 {
                return;
            }
        }
    }
}

/// A shift count: `i` is at most 8 here.
fn low_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Writes `value` in base 128 into `buf` from `at`; returns the index after it. The caller
/// sized `buf` with [`oid_len`]: octets past its end are dropped, never written out of bounds.
#[inline]
fn put_base128(buf: &mut [u8], at: usize, value: u64) -> usize {
    if value < 0x80 {
        if let Some(slot) = buf.get_mut(at) {
            *slot = low_octet(value);
        }
        return at + 1;
    }
    let groups = base128_len(value);
    for (i, slot) in buf.iter_mut().skip(at).take(groups).enumerate() {
        let shift = 7 * (groups - 1 - i);
        let more = if i + 1 < groups { 0x80 } else { 0 };
        *slot = more | low_octet((value >> shift) & 0x7f);
    }
    at + groups
}

/// Octets of the shortest definite encoding of the length `len` (X.690 §8.1.3).
#[inline]
pub(crate) fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        let bits = usize::BITS - len.leading_zeros();
        1 + usize::try_from(bits.div_ceil(8)).unwrap_or(size_of::<usize>())
    }
}

/// Octets of a whole TLV with `len` octets of contents and a one-octet tag.
#[inline]
pub(crate) fn tlv_len(len: usize) -> usize {
    1 + length_len(len) + len
}

/// Content octets of an INTEGER written by [`Writer::integer`].
#[inline]
pub(crate) fn integer_len(value: i64) -> usize {
    let magnitude = if value < 0 { !value } else { value };
    let bits = i64::BITS - magnitude.leading_zeros();
    usize::try_from(bits / 8 + 1).unwrap_or(size_of::<i64>())
}

/// Content octets of an unsigned value written by [`Writer::unsigned`]: one more than the
/// significant octets when the high bit of the first is set.
#[inline]
pub(crate) fn unsigned_len(value: u64) -> usize {
    let bits = u64::BITS - value.leading_zeros();
    usize::try_from(bits / 8 + 1).unwrap_or(size_of::<u64>() + 1)
}

/// Content octets of an OBJECT IDENTIFIER written by [`Writer::oid`] (X.690 §8.19).
#[inline]
pub(crate) fn oid_len(oid: &Oid) -> usize {
    let [first, second, rest @ ..] = oid.arcs() else {
        return 0;
    };
    let first = base128_len(u64::from(*first) * 40 + u64::from(*second));
    // Usually every arc is under 128, one octet each: an OR over the arcs (which
    // vectorises) tells so without looking at each arc's size.
    if rest.iter().fold(0, |all, &arc| all | arc) < 0x80 {
        return first + rest.len();
    }
    // Per arc, one octet plus one per further started group of 7 bits: (bits - 1) / 7,
    // branch-free (`| 1` gives 0 the bit length of 1).
    let mut extra: u32 = 0;
    for &arc in rest {
        extra += (u32::BITS - 1 - (arc | 1).leading_zeros()) / 7;
    }
    let extra = usize::try_from(extra).unwrap_or(usize::MAX);
    first + rest.len() + extra
}

/// Octets of `value` in base 128: one per started group of 7 bits, at least one.
#[inline]
fn base128_len(value: u64) -> usize {
    let bits = u64::BITS - value.leading_zeros();
    usize::try_from(bits.div_ceil(7).max(1)).unwrap_or(10)
}

/// A length under 128, known from the caller's arithmetic, as its single octet.
fn short_length(len: usize) -> u8 {
    debug_assert!(len < 0x80);
    u8::try_from(len).unwrap_or(0x7f)
}

fn low_octet(value: u64) -> u8 {
    (value & 0xff) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut Writer::new(&mut out));
        out
    }

    #[test]
    fn integers_are_minimal_twos_complement() {
        let cases: [(i64, &[u8]); 12] = [
            (0, &[0x02, 0x01, 0x00]),
            (1, &[0x02, 0x01, 0x01]),
            (127, &[0x02, 0x01, 0x7f]),
            (128, &[0x02, 0x02, 0x00, 0x80]),
            (255, &[0x02, 0x02, 0x00, 0xff]),
            (256, &[0x02, 0x02, 0x01, 0x00]),
            (-1, &[0x02, 0x01, 0xff]),
            (-128, &[0x02, 0x01, 0x80]),
            (-129, &[0x02, 0x02, 0xff, 0x7f]),
            (i64::from(i32::MAX), &[0x02, 0x04, 0x7f, 0xff, 0xff, 0xff]),
            (i64::from(i32::MIN), &[0x02, 0x04, 0x80, 0x00, 0x00, 0x00]),
            (i64::MIN, &[0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (value, expected) in cases {
            assert_eq!(written(|w| w.integer(0x02, value)), expected, "{value}");
        }
    }

    #[test]
    fn unsigned_values_get_a_leading_zero_when_the_high_bit_is_set() {
        let cases: [(u64, &[u8]); 7] = [
            (0, &[0x41, 0x01, 0x00]),
            (0x7f, &[0x41, 0x01, 0x7f]),
            (0x80, &[0x41, 0x02, 0x00, 0x80]),
            (0xffff, &[0x41, 0x03, 0x00, 0xff, 0xff]),
            (
                u64::from(u32::MAX),
                &[0x41, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff],
            ),
            (0x0100_0000, &[0x41, 0x04, 0x01, 0x00, 0x00, 0x00]),
            (
                u64::MAX,
                &[
                    0x41, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                ],
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(written(|w| w.unsigned(0x41, value)), expected, "{value}");
        }
    }

    #[test]
    fn oids_combine_the_first_two_arcs() {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        assert_eq!(
            written(|w| w.oid(0x06, &oid("1.3.6.1.2.1.1.1.0"))),
            [0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00]
        );
        assert_eq!(written(|w| w.oid(0x06, &oid("0.0"))), [0x06, 0x01, 0x00]);
        assert_eq!(
            written(|w| w.oid(0x06, &oid("2.999"))),
            [0x06, 0x02, 0x88, 0x37]
        );
        assert_eq!(
            written(|w| w.oid(0x06, &oid("1.3.4294967295"))),
            [0x06, 0x06, 0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f]
        );
        // 2 * 40 + (2^32 - 1) needs 33 bits: five base-128 groups.
        assert_eq!(
            written(|w| w.oid(0x06, &oid("2.4294967295"))),
            [0x06, 0x05, 0x90, 0x80, 0x80, 0x80, 0x4f]
        );
        assert_eq!(
            written(|w| w.oid(0x06, &oid("1.3.128"))),
            [0x06, 0x03, 0x2b, 0x81, 0x00]
        );
    }

    #[test]
    fn computed_lengths_match_what_is_written() {
        for text in [
            "0.0",
            "1.3.6.1.2.1.1.1.0",
            "2.999",
            "1.3.4294967295",
            "2.4294967295",
            "1.3.127.128.16383.16384.2097151.2097152.268435455.268435456",
        ] {
            let oid: Oid = text.parse().unwrap();
            assert_eq!(
                written(|w| w.oid(0x06, &oid)).len(),
                tlv_len(oid_len(&oid)),
                "{text}"
            );
        }
        for value in [0, 1, 127, 128, -128, -129, i64::MIN, i64::MAX] {
            assert_eq!(
                written(|w| w.integer(0x02, value)).len(),
                2 + integer_len(value)
            );
        }
        for value in [0, 0x7f, 0x80, 0xffff, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(
                written(|w| w.unsigned(0x41, value)).len(),
                2 + unsigned_len(value)
            );
        }
        for len in [0, 0x7f, 0x80, 0xff, 0x100, 0x1_0000] {
            let mut out = Vec::new();
            Writer::new(&mut out).header(0x04, len);
            assert_eq!(out.len(), 1 + length_len(len), "{len}");
        }
    }

    /// What `f` writes backwards into `room` octets, through [`Writer::fill_reverse`].
    fn written_reverse(room: usize, f: impl FnOnce(&mut ReverseWriter<'_>)) -> Option<Vec<u8>> {
        let mut out = vec![0xee];
        Writer::new(&mut out).fill_reverse(room, f).then_some(out)
    }

    #[test]
    fn reverse_writes_match_forward_writes() {
        let oids = [
            "0.0",
            "1.3.6.1.2.1.1.1.0",
            "2.999",
            "1.3.4294967295",
            "2.4294967295",
            "1.3.127.128.16383.16384.2097151.2097152.268435455.268435456",
        ];
        for text in oids {
            let oid: Oid = text.parse().unwrap();
            let mut expected = vec![0xee];
            Writer::new(&mut expected).oid(0x06, &oid);
            assert_eq!(
                written_reverse(64, |w| w.oid(0x06, &oid)),
                Some(expected),
                "{text}"
            );
        }
        for value in [0, 1, 127, 128, -128, -129, i64::MIN, i64::MAX] {
            let expected: Vec<u8> = [0xee]
                .into_iter()
                .chain(written(|w| w.integer(0x02, value)))
                .collect();
            // Room for the 8-octet store, and exactly the TLV's size (octet by octet).
            assert_eq!(
                written_reverse(16, |w| w.integer(0x02, value)),
                Some(expected.clone())
            );
            assert_eq!(
                written_reverse(expected.len() - 1, |w| w.integer(0x02, value)),
                Some(expected),
                "{value}"
            );
        }
        for value in [0, 0x7f, 0x80, 0xffff, u64::from(u32::MAX), u64::MAX] {
            let expected: Vec<u8> = [0xee]
                .into_iter()
                .chain(written(|w| w.unsigned(0x41, value)))
                .collect();
            assert_eq!(
                written_reverse(16, |w| w.unsigned(0x41, value)),
                Some(expected),
                "{value}"
            );
        }
    }

    #[test]
    fn reverse_headers_take_the_length_of_what_follows() {
        let out = written_reverse(400, |w| {
            let end = w.pos();
            w.null(0x05);
            let inner = w.pos();
            w.octets(0x04, &[0x11; 200]);
            w.header(0x30, inner);
            w.header(0x30, end);
        });
        let expected = written(|w| {
            w.raw(&[0xee]);
            w.constructed(0x30, |w| {
                w.constructed(0x30, |w| w.octets(0x04, &[0x11; 200]));
                w.null(0x05);
            });
        });
        assert_eq!(out, Some(expected));
    }

    #[test]
    fn reverse_writes_that_do_not_fit_leave_the_output_as_it_was() {
        assert_eq!(written_reverse(3, |w| w.octets(0x04, b"public")), None);
        let oid: Oid = "1.3.6.1.2.1.1.1.0".parse().unwrap();
        assert_eq!(written_reverse(9, |w| w.oid(0x06, &oid)), None);
        assert_eq!(written_reverse(2, |w| w.integer(0x02, 300)), None);
        let mut out = vec![0xee];
        assert!(!Writer::new(&mut out).fill_reverse(1, |w| w.null(0x05)));
        assert_eq!(out, [0xee]);
    }

    #[test]
    fn constructed_lengths_are_patched_minimally() {
        assert_eq!(written(|w| w.constructed(0x30, |_| {})), [0x30, 0x00]);
        let short = written(|w| w.constructed(0x30, |w| w.octets(0x04, &[0xaa; 125])));
        assert_eq!(&short[..4], [0x30, 0x7f, 0x04, 0x7d]);
        assert_eq!(short.len(), 2 + 127);
        let long = written(|w| w.constructed(0x30, |w| w.octets(0x04, &[0xaa; 126])));
        assert_eq!(&long[..5], [0x30, 0x81, 0x80, 0x04, 0x7e]);
        assert_eq!(long.len(), 3 + 128);
        let longer = written(|w| w.constructed(0x30, |w| w.octets(0x04, &[0xbb; 300])));
        assert_eq!(
            &longer[..8],
            [0x30, 0x82, 0x01, 0x30, 0x04, 0x82, 0x01, 0x2c]
        );
        assert!(longer[8..].iter().all(|&b| b == 0xbb));
        assert_eq!(longer.len(), 4 + 4 + 300);
    }

    #[test]
    fn nested_patches_keep_earlier_bytes() {
        let out = written(|w| {
            w.raw(&[0xee]);
            w.constructed(0x30, |w| {
                w.constructed(0x30, |w| w.octets(0x04, &[0x11; 200]));
                w.null(0x05);
            });
        });
        assert_eq!(&out[..7], [0xee, 0x30, 0x81, 0xd0, 0x30, 0x81, 0xcb]);
        assert_eq!(&out[7..10], [0x04, 0x81, 0xc8]);
        assert_eq!(&out[out.len() - 2..], [0x05, 0x00]);
        assert_eq!(out.len(), 1 + 3 + 3 + 3 + 200 + 2);
    }
}
