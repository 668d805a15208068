//! Definite lengths (X.690 §8.1.3).
//!
//! The decoder accepts the long form even where the short form would do (`0x81 0x05`,
//! `0x82 0x00 0x05`), because agents in the field send it and it is unambiguous. It rejects
//! the indefinite form (`0x80`, X.690 §8.1.3.6: BER allows it for constructed values, but
//! SNMP's datagrams are always definite, RFC 3417 §8), the reserved `0xff` (X.690
//! §8.1.3.5 c), and more than [`MAX_LENGTH_OCTETS`] length octets. The encoder always writes
//! the shortest form (X.690 §10.1, DER).

/// Decodes the length octets at the start of `input`.
///
/// Returns the length and the number of octets it took, or `None` when the length is
/// indefinite, reserved, longer than [`MAX_LENGTH_OCTETS`], does not fit a `usize`, or when
/// `input` ends inside the length octets; [`is_truncated`] tells the last case apart.
pub(crate) fn decode(input: &[u8]) -> Option<(usize, usize)> {
    let (&first, rest) = input.split_first()?;
    if first < LONG_FORM {
        return Some((usize::from(first), 1));
    }
    let count = usize::from(first & !LONG_FORM);
    if count == 0 || count > MAX_LENGTH_OCTETS {
        return None;
    }
    let octets = rest.get(..count)?;
    let mut length: u64 = 0;
    for &octet in octets {
        length = (length << 8) | u64::from(octet);
    }
    let length = usize::try_from(length).ok()?;
    Some((length, count + 1))
}

/// True when `input` is too short to hold the length octets its first octet announces,
/// so that a failed [`decode`] means "truncated" rather than "malformed".
pub(crate) fn is_truncated(input: &[u8]) -> bool {
    let Some(&first) = input.first() else {
        return true;
    };
    let count = usize::from(first & !LONG_FORM);
    first > LONG_FORM && first != RESERVED && count <= MAX_LENGTH_OCTETS && input.len() <= count
}

/// Writes the shortest encoding of `length` into the front of `buf`; returns the octet count.
pub(crate) fn encode(length: usize, buf: &mut [u8; 1 + size_of::<usize>()]) -> usize {
    let Ok(short) = u8::try_from(length) else {
        return encode_long(length, buf);
    };
    if short < LONG_FORM {
        buf[0] = short;
        return 1;
    }
    encode_long(length, buf)
}

fn encode_long(length: usize, buf: &mut [u8; 1 + size_of::<usize>()]) -> usize {
    let count = significant_octets(length);
    let be = length.to_be_bytes();
    let skip = be.len() - count;
    // `count` is at most size_of::<usize>(), so it fits in the seven low bits.
    buf[0] = LONG_FORM | u8::try_from(count).unwrap_or(0);
    for (dst, src) in buf.iter_mut().skip(1).zip(be.iter().skip(skip)) {
        *dst = *src;
    }
    count + 1
}

fn significant_octets(value: usize) -> usize {
    let bits = usize::BITS - value.leading_zeros();
    usize::try_from(bits.div_ceil(8))
        .unwrap_or(size_of::<usize>())
        .max(1)
}

/// The most length octets the decoder accepts after a long-form initial octet. Net-SNMP
/// accepts up to `sizeof(long)`; more would only encode leading zeros.
pub(crate) const MAX_LENGTH_OCTETS: usize = 8;
const LONG_FORM: u8 = 0x80;
const RESERVED: u8 = 0xff;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_short_and_long_forms() {
        assert_eq!(decode(&[0x00]), Some((0, 1)));
        assert_eq!(decode(&[0x7f]), Some((127, 1)));
        assert_eq!(decode(&[0x81, 0x80]), Some((128, 2)));
        assert_eq!(decode(&[0x82, 0x01, 0x00]), Some((256, 3)));
    }

    #[test]
    fn tolerates_non_minimal_long_forms() {
        assert_eq!(decode(&[0x81, 0x05]), Some((5, 2)));
        assert_eq!(decode(&[0x82, 0x00, 0x05]), Some((5, 3)));
        assert_eq!(decode(&[0x88, 0, 0, 0, 0, 0, 0, 0, 0x05]), Some((5, 9)));
    }

    #[test]
    fn rejects_indefinite_reserved_and_oversized() {
        assert_eq!(decode(&[0x80]), None);
        assert!(!is_truncated(&[0x80]));
        assert_eq!(decode(&[0xff, 1, 2, 3]), None);
        assert!(!is_truncated(&[0xff]));
        assert_eq!(decode(&[0x89, 0, 0, 0, 0, 0, 0, 0, 0, 5]), None);
        assert!(!is_truncated(&[0x89, 0]));
    }

    #[test]
    fn tells_truncated_length_octets() {
        assert_eq!(decode(&[]), None);
        assert!(is_truncated(&[]));
        assert_eq!(decode(&[0x82, 0x01]), None);
        assert!(is_truncated(&[0x82, 0x01]));
        assert!(!is_truncated(&[0x82, 0x01, 0x00]));
    }

    #[test]
    fn encodes_shortest_form() {
        let mut buf = [0; 9];
        let cases: [(usize, &[u8]); 6] = [
            (0, &[0x00]),
            (0x7f, &[0x7f]),
            (0x80, &[0x81, 0x80]),
            (0xff, &[0x81, 0xff]),
            (0x100, &[0x82, 0x01, 0x00]),
            (0x01_0000, &[0x83, 0x01, 0x00, 0x00]),
        ];
        for (length, expected) in cases {
            let n = encode(length, &mut buf);
            assert_eq!(&buf[..n], expected, "length {length}");
            assert_eq!(decode(&buf[..n]), Some((length, n)));
        }
    }
}
