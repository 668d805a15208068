//! A strict BER writer: definite minimal lengths, minimal integers (X.690 §8.3.2, §10.1).

use crate::ber::length;
use crate::oid::Oid;

/// Appends TLVs to a `Vec<u8>`, in one pass and without intermediate buffers.
///
/// A constructed value is written with a one-octet length placeholder, its contents are
/// written straight after it, and the length is patched in at the end. Only when the
/// contents reach 128 bytes are they moved, once, to make room for the long form: a varbind
/// is rarely that big, so a message moves its bytes about three times in all (message, PDU,
/// varbind list), which costs less than computing every length beforehand would.
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
    pub fn header(&mut self, tag: u8, len: usize) {
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
        let arcs = oid.arcs();
        // An arc takes at most 5 octets: one reservation, then pushes that never reallocate.
        self.out.reserve(2 + 5 * arcs.len());
        self.out.push(tag);
        self.out.push(0);
        let start = self.out.len();
        if let [first, second, rest @ ..] = arcs {
            self.base128(u64::from(*first) * 40 + u64::from(*second));
            for &arc in rest {
                match u8::try_from(arc) {
                    Ok(octet) if octet < 0x80 => self.out.push(octet),
                    _ => self.base128(u64::from(arc)),
                }
            }
        }
        self.patch_length(start);
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

    fn base128(&mut self, value: u64) {
        if value < 0x80 {
            self.out.push(low_octet(value));
            return;
        }
        let bits = u64::BITS - value.leading_zeros();
        let groups = bits.div_ceil(7);
        for group in (1..groups).rev() {
            self.out
                .push(0x80 | low_octet((value >> (7 * group)) & 0x7f));
        }
        self.out.push(low_octet(value & 0x7f));
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
