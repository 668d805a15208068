use bytes::Bytes;

use super::*;
use crate::error::DecodeErrorKind::*;
use crate::oid::MAX_ARCS;

fn bytes(input: &[u8]) -> Bytes {
    Bytes::copy_from_slice(input)
}

/// Reads one TLV of `tag` from `input` and applies `f` to its contents.
fn contents<T>(
    input: &[u8],
    f: impl FnOnce(Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let input = bytes(input);
    let mut reader = Reader::new(&input);
    let (_, contents) = reader.read_any()?;
    reader.finish()?;
    f(contents)
}

fn err(kind: DecodeErrorKind, offset: usize) -> DecodeError {
    DecodeError::new(kind, offset)
}

#[test]
fn reads_nested_tlvs_with_absolute_offsets() {
    let input = bytes(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x61]);
    let mut reader = Reader::new(&input);
    let mut sequence = reader.read(0x30).unwrap();
    assert_eq!(sequence.offset(), 2);
    assert_eq!(sequence.remaining(), 6);
    assert_eq!(sequence.tlv_count(), 2);
    assert_eq!(sequence.peek_tag(), Some(0x02));
    let integer = sequence.read(0x02).unwrap();
    assert_eq!(integer.offset(), 4);
    assert_eq!(integer.int32(), Ok(5));
    assert_eq!(sequence.read(0x04).unwrap().octets(), "a");
    assert!(sequence.is_empty());
    assert_eq!(sequence.peek_tag(), None);
    assert_eq!(sequence.finish(), Ok(()));
    assert_eq!(reader.finish(), Ok(()));
}

#[test]
fn tells_truncation_from_overrun_of_the_enclosing_tlv() {
    // The datagram ends inside the outer SEQUENCE: truncated, at its length octet.
    let input = bytes(&[0x30, 0x05, 0x02, 0x01]);
    assert_eq!(
        Reader::new(&input).read(0x30).unwrap_err(),
        err(Truncated, 1)
    );
    // The inner INTEGER claims more than its SEQUENCE holds while the datagram goes on.
    let input = bytes(&[0x30, 0x03, 0x02, 0x02, 0x01, 0x00]);
    let mut reader = Reader::new(&input);
    let mut sequence = reader.read(0x30).unwrap();
    assert_eq!(sequence.read(0x02).unwrap_err(), err(InvalidLength, 3));
    // Truncated long-form length octets.
    let input = bytes(&[0x04, 0x82, 0x01]);
    assert_eq!(
        Reader::new(&input).read(0x04).unwrap_err(),
        err(Truncated, 1)
    );
    // Nothing at all where a TLV is required.
    let input = bytes(&[]);
    assert_eq!(
        Reader::new(&input).read(0x04).unwrap_err(),
        err(Truncated, 0)
    );
    let input = bytes(&[0x04]);
    assert_eq!(
        Reader::new(&input).read(0x04).unwrap_err(),
        err(Truncated, 1)
    );
}

#[test]
fn tolerates_long_form_lengths() {
    let input = bytes(&[0x04, 0x82, 0x00, 0x02, 0x61, 0x62]);
    assert_eq!(Reader::new(&input).read(0x04).unwrap().octets(), "ab");
    let input = bytes(&[0x04, 0x81, 0x01, 0x61]);
    assert_eq!(Reader::new(&input).read(0x04).unwrap().octets(), "a");
}

#[test]
fn rejects_indefinite_and_reserved_lengths() {
    let input = bytes(&[0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00]);
    assert_eq!(
        Reader::new(&input).read(0x30).unwrap_err(),
        err(InvalidLength, 1)
    );
    let input = bytes(&[0x04, 0xff, 0x00]);
    assert_eq!(
        Reader::new(&input).read(0x04).unwrap_err(),
        err(InvalidLength, 1)
    );
    // Nine length octets: more than any datagram needs.
    let input = bytes(&[0x04, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x61]);
    assert_eq!(
        Reader::new(&input).read(0x04).unwrap_err(),
        err(InvalidLength, 1)
    );
    // A length that does not fit in memory is an overrun, not an allocation.
    let input = bytes(&[0x04, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(Reader::new(&input).read(0x04).unwrap_err().offset, 1);
}

#[test]
fn rejects_unexpected_and_multi_octet_tags() {
    let input = bytes(&[0x04, 0x00]);
    assert_eq!(
        Reader::new(&input).read(0x02).unwrap_err(),
        err(UnexpectedTag(0x04), 0)
    );
    let input = bytes(&[0x1f, 0x81, 0x00, 0x00]);
    assert_eq!(
        Reader::new(&input).read_any().unwrap_err(),
        err(UnexpectedTag(0x1f), 0)
    );
    let input = bytes(&[0x9f, 0x78, 0x00]);
    assert_eq!(
        Reader::new(&input).read_any().unwrap_err(),
        err(UnexpectedTag(0x9f), 0)
    );
}

#[test]
fn rejects_trailing_data() {
    let input = bytes(&[0x05, 0x00, 0x00]);
    let mut reader = Reader::new(&input);
    reader.read(0x05).unwrap().null().unwrap();
    assert_eq!(reader.finish(), Err(err(TrailingData, 2)));
}

#[test]
fn sub_is_bounded() {
    let input = bytes(&[1, 2, 3]);
    let mut reader = Reader::new(&input);
    let sub = reader.sub(2).unwrap();
    assert_eq!(sub.as_slice(), [1, 2]);
    assert_eq!(reader.offset(), 2);
    assert_eq!(reader.sub(2).unwrap_err(), err(Truncated, 2));
}

#[test]
fn integers_tolerate_redundant_sign_octets() {
    let cases: [(&[u8], i64); 10] = [
        (&[0x02, 0x01, 0x00], 0),
        (&[0x02, 0x01, 0x7f], 127),
        (&[0x02, 0x02, 0x00, 0x80], 128),
        (&[0x02, 0x01, 0x80], -128),
        (&[0x02, 0x01, 0xff], -1),
        (&[0x02, 0x04, 0xff, 0xff, 0xff, 0xff], -1),
        (&[0x02, 0x05, 0x00, 0x00, 0x00, 0x00, 0x2a], 42),
        (&[0x02, 0x03, 0xff, 0xff, 0x7f], -129),
        (
            &[0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            i64::MAX,
        ),
        (
            &[
                0x02, 0x0a, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
            i64::MAX,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            contents(input, |r| r.integer()),
            Ok(expected),
            "{input:02x?}"
        );
    }
}

#[test]
fn integers_reject_empty_and_oversized_contents() {
    assert_eq!(
        contents(&[0x02, 0x00], |r| r.integer()),
        Err(err(IntegerOutOfRange, 2))
    );
    let nine = [0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        contents(&nine, |r| r.integer()),
        Err(err(IntegerOutOfRange, 2))
    );
}

#[test]
fn int32_accepts_exactly_its_range() {
    let max = [0x02, 0x04, 0x7f, 0xff, 0xff, 0xff];
    assert_eq!(contents(&max, |r| r.int32()), Ok(i32::MAX));
    let min = [0x02, 0x04, 0x80, 0x00, 0x00, 0x00];
    assert_eq!(contents(&min, |r| r.int32()), Ok(i32::MIN));
    // A request-id of more than four significant octets.
    let over = [0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00];
    assert_eq!(
        contents(&over, |r| r.int32()),
        Err(err(IntegerOutOfRange, 2))
    );
    let under = [0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff];
    assert_eq!(
        contents(&under, |r| r.int32()),
        Err(err(IntegerOutOfRange, 2))
    );
    // Redundant leading zeros are no reason to reject.
    let padded = [0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07];
    assert_eq!(contents(&padded, |r| r.int32()), Ok(7));
}

#[test]
fn unsigned32_reads_counters_as_devices_send_them() {
    let cases: [(&[u8], u32); 7] = [
        (&[0x41, 0x01, 0x00], 0),
        (&[0x41, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff], u32::MAX),
        (
            &[0x41, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff],
            u32::MAX,
        ),
        (&[0x41, 0x02, 0x00, 0x80], 128),
        // Signed encodings of the unsigned value, as buggy agents send: read modulo 2^32.
        (&[0x41, 0x04, 0xff, 0xff, 0xff, 0xff], u32::MAX),
        (&[0x41, 0x01, 0x80], 0xffff_ff80),
        (&[0x41, 0x04, 0x80, 0x00, 0x00, 0x00], 0x8000_0000),
    ];
    for (input, expected) in cases {
        assert_eq!(
            contents(input, |r| r.unsigned32()),
            Ok(expected),
            "{input:02x?}"
        );
    }
}

#[test]
fn unsigned32_rejects_what_does_not_fit_32_bits() {
    let over = [0x41, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(
        contents(&over, |r| r.unsigned32()),
        Err(err(IntegerOutOfRange, 2))
    );
    let under = [0x41, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff];
    assert_eq!(
        contents(&under, |r| r.unsigned32()),
        Err(err(IntegerOutOfRange, 2))
    );
    assert_eq!(
        contents(&[0x43, 0x00], |r| r.unsigned32()),
        Err(err(IntegerOutOfRange, 2))
    );
}

#[test]
fn unsigned64_takes_nine_octets_with_a_leading_zero() {
    let max = [
        0x46, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    assert_eq!(contents(&max, |r| r.unsigned64()), Ok(u64::MAX));
    let padded = [
        0x46, 0x0a, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    assert_eq!(contents(&padded, |r| r.unsigned64()), Ok(u64::MAX));
    let signed = [0x46, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe];
    assert_eq!(contents(&signed, |r| r.unsigned64()), Ok(u64::MAX - 1));
    assert_eq!(contents(&[0x46, 0x01, 0x05], |r| r.unsigned64()), Ok(5));
    let over = [0x46, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        contents(&over, |r| r.unsigned64()),
        Err(err(IntegerOutOfRange, 2))
    );
    assert_eq!(
        contents(&[0x46, 0x00], |r| r.unsigned64()),
        Err(err(IntegerOutOfRange, 2))
    );
}

#[test]
fn null_must_be_empty() {
    assert_eq!(contents(&[0x05, 0x00], |r| r.null()), Ok(()));
    assert_eq!(
        contents(&[0x05, 0x01, 0x00], |r| r.null()),
        Err(err(NonEmptyNull, 2))
    );
}

#[test]
fn octets_slice_the_datagram() {
    let input = bytes(&[0x04, 0x03, 0x61, 0x62, 0x63]);
    let octets = Reader::new(&input).read(0x04).unwrap().octets();
    assert_eq!(octets, "abc");
    // Same memory: a slice, not a copy.
    assert_eq!(octets.as_ptr(), input[2..].as_ptr());
    assert_eq!(
        contents(&[0x04, 0x00], |r| Ok(r.octets())),
        Ok(Bytes::new())
    );
}

#[test]
fn oids_decode_the_combined_first_subidentifier() {
    let oid = |input: &[u8]| contents(input, |r| r.oid()).map(|oid| oid.to_string());
    assert_eq!(
        oid(&[0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0]).unwrap(),
        "1.3.6.1.2.1.1.1.0"
    );
    assert_eq!(oid(&[0x06, 0x01, 0x00]).unwrap(), "0.0");
    assert_eq!(oid(&[0x06, 0x01, 0x27]).unwrap(), "0.39");
    assert_eq!(oid(&[0x06, 0x01, 0x28]).unwrap(), "1.0");
    assert_eq!(oid(&[0x06, 0x01, 0x50]).unwrap(), "2.0");
    assert_eq!(oid(&[0x06, 0x02, 0x88, 0x37]).unwrap(), "2.999");
    assert_eq!(
        oid(&[0x06, 0x05, 0x90, 0x80, 0x80, 0x80, 0x4f]).unwrap(),
        "2.4294967295"
    );
    assert_eq!(
        oid(&[0x06, 0x06, 0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f]).unwrap(),
        "1.3.4294967295"
    );
    // Padded subidentifiers are unambiguous and tolerated.
    assert_eq!(oid(&[0x06, 0x04, 0x2b, 0x80, 0x80, 0x06]).unwrap(), "1.3.6");
    // Empty contents mean zeroDotZero, as Net-SNMP reads them.
    assert_eq!(oid(&[0x06, 0x00]).unwrap(), "0.0");
}

#[test]
fn oids_reject_what_breaks_the_limits() {
    let oid = |input: &[u8]| contents(input, |r| r.oid());
    // Ends inside a subidentifier.
    assert_eq!(
        oid(&[0x06, 0x03, 0x2b, 0x06, 0x81]),
        Err(err(InvalidOid, 4))
    );
    // An arc of 2^32.
    assert_eq!(
        oid(&[0x06, 0x06, 0x2b, 0x90, 0x80, 0x80, 0x80, 0x00]),
        Err(err(InvalidOid, 3))
    );
    // A first subidentifier of 2.2^32.
    assert_eq!(
        oid(&[0x06, 0x05, 0x90, 0x80, 0x80, 0x80, 0x50]),
        Err(err(InvalidOid, 2))
    );
    // A very long padded arc is still read without overflow, and rejected once too big.
    let mut long = vec![0x06, 0x0c, 0x2b];
    long.extend([0xff; 10]);
    long.push(0x7f);
    assert_eq!(oid(&long), Err(err(InvalidOid, 3)));
}

#[test]
fn oids_have_at_most_128_arcs() {
    // The first subidentifier carries two arcs: 127 octets give 128 arcs.
    let mut max = vec![0x06, 0x7f, 0x2b];
    max.extend([0x01; 126]);
    assert_eq!(contents(&max, |r| r.oid()).unwrap().len(), MAX_ARCS);
    let mut over = vec![0x06, 0x81, 0x80, 0x2b];
    over.extend([0x01; 127]);
    assert_eq!(contents(&over, |r| r.oid()), Err(err(InvalidOid, 3 + 127)));
}
