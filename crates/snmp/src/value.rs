//! SNMP values: the SMI's application types and the v2 exceptions (RFC 2578 §7.1, RFC 3416 §3).

use std::net::Ipv4Addr;

use bytes::Bytes;

use crate::ber::tag::{
    COUNTER32, COUNTER64, END_OF_MIB_VIEW, GAUGE32, INTEGER, IP_ADDRESS, NO_SUCH_INSTANCE,
    NO_SUCH_OBJECT, NSAP_ADDRESS, NULL, OBJECT_IDENTIFIER, OCTET_STRING, OPAQUE, TIMETICKS,
};
use crate::ber::{
    Reader, ReverseWriter, SliceWriter, Writer, integer_len, oid_len, tlv_len, unsigned_len,
};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::oid::Oid;

/// A variable binding's value.
///
/// Unsigned32 shares Gauge32's tag (RFC 2578 §7.1.11) and so is `Gauge32` here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// INTEGER (Integer32), tag 0x02.
    Integer(i32),
    /// OCTET STRING, tag 0x04.
    OctetString(Bytes),
    /// NULL, tag 0x05: the value of every varbind in a request.
    Null,
    /// OBJECT IDENTIFIER, tag 0x06.
    ObjectIdentifier(Oid),
    /// IpAddress, [APPLICATION 0] 0x40.
    IpAddress(Ipv4Addr),
    /// Counter32, [APPLICATION 1] 0x41.
    Counter32(u32),
    /// Gauge32 and Unsigned32, [APPLICATION 2] 0x42.
    Gauge32(u32),
    /// TimeTicks in hundredths of a second, [APPLICATION 3] 0x43.
    TimeTicks(u32),
    /// Opaque, [APPLICATION 4] 0x44: BER of another value, carried as bytes.
    Opaque(Bytes),
    /// NsapAddress, [APPLICATION 5] 0x45 (SMIv1, RFC 1442).
    NsapAddress(Bytes),
    /// Counter64, [APPLICATION 6] 0x46 (never sent to a v1 manager, RFC 3584 §4.2.2).
    Counter64(u64),
    /// noSuchObject exception, [CONTEXT 0] 0x80.
    NoSuchObject,
    /// noSuchInstance exception, [CONTEXT 1] 0x81.
    NoSuchInstance,
    /// endOfMibView exception, [CONTEXT 2] 0x82.
    EndOfMibView,
}

impl Value {
    /// The BER tag this value is encoded with.
    pub fn tag(&self) -> u8 {
        match self {
            Self::Integer(_) => INTEGER,
            Self::OctetString(_) => OCTET_STRING,
            Self::Null => NULL,
            Self::ObjectIdentifier(_) => OBJECT_IDENTIFIER,
            Self::IpAddress(_) => IP_ADDRESS,
            Self::Counter32(_) => COUNTER32,
            Self::Gauge32(_) => GAUGE32,
            Self::TimeTicks(_) => TIMETICKS,
            Self::Opaque(_) => OPAQUE,
            Self::NsapAddress(_) => NSAP_ADDRESS,
            Self::Counter64(_) => COUNTER64,
            Self::NoSuchObject => NO_SUCH_OBJECT,
            Self::NoSuchInstance => NO_SUCH_INSTANCE,
            Self::EndOfMibView => END_OF_MIB_VIEW,
        }
    }

    /// True for the three v2 exceptions.
    pub fn is_exception(&self) -> bool {
        matches!(
            self,
            Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView
        )
    }

    /// Decodes one BER-encoded value that spans all of `ber`, such as the contents of an
    /// Opaque. OCTET STRING, Opaque and NsapAddress values slice `ber` without copying.
    pub fn decode(ber: Bytes) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(&ber);
        let value = Self::read(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }

    /// Reads one value TLV (RFC 3416 §3 `ObjectSyntax` or an exception).
    ///
    /// Fails with `UnexpectedTag` for a tag that is not a value's, `InvalidIpAddress` for an
    /// IpAddress that is not 4 octets, `NonEmptyNull` for a NULL or an exception with
    /// contents, and the integer and OID errors of [`Reader`].
    #[inline]
    pub fn read(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = reader.offset();
        let (tag, contents) = reader.read_any()?;
        Ok(match tag {
            INTEGER => Self::Integer(contents.int32()?),
            OCTET_STRING => Self::OctetString(contents.octets()),
            NULL => {
                contents.null()?;
                Self::Null
            }
            OBJECT_IDENTIFIER => Self::ObjectIdentifier(contents.oid()?),
            IP_ADDRESS => {
                let octets = <[u8; 4]>::try_from(contents.as_slice()).map_err(|_| {
                    DecodeError::new(DecodeErrorKind::InvalidIpAddress, contents.offset())
                })?;
                Self::IpAddress(Ipv4Addr::from(octets))
            }
            COUNTER32 => Self::Counter32(contents.unsigned32()?),
            GAUGE32 => Self::Gauge32(contents.unsigned32()?),
            TIMETICKS => Self::TimeTicks(contents.unsigned32()?),
            OPAQUE => Self::Opaque(contents.octets()),
            NSAP_ADDRESS => Self::NsapAddress(contents.octets()),
            COUNTER64 => Self::Counter64(contents.unsigned64()?),
            NO_SUCH_OBJECT => {
                contents.null()?;
                Self::NoSuchObject
            }
            NO_SUCH_INSTANCE => {
                contents.null()?;
                Self::NoSuchInstance
            }
            END_OF_MIB_VIEW => {
                contents.null()?;
                Self::EndOfMibView
            }
            _ => return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag(tag), at)),
        })
    }

    /// Appends the BER encoding of this value to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.write(&mut Writer::new(out));
    }

    /// The BER encoding of this value.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out
    }

    /// Writes this value's TLV.
    pub fn write(&self, writer: &mut Writer<'_>) {
        writer.fill(self.encoded_len(), |w| self.write_to(w));
    }

    /// Writes this value's TLV into room sized by [`encoded_len`](Self::encoded_len).
    #[inline]
    pub(crate) fn write_to(&self, writer: &mut SliceWriter<'_>) {
        let tag = self.tag();
        match self {
            Self::Integer(value) => writer.integer(tag, i64::from(*value)),
            Self::OctetString(bytes) | Self::Opaque(bytes) | Self::NsapAddress(bytes) => {
                writer.octets(tag, bytes);
            }
            Self::Null | Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView => {
                writer.null(tag);
            }
            Self::ObjectIdentifier(oid) => writer.oid(tag, oid, oid_len(oid)),
            Self::IpAddress(address) => writer.octets(tag, &address.octets()),
            Self::Counter32(value) | Self::Gauge32(value) | Self::TimeTicks(value) => {
                writer.unsigned(tag, u64::from(*value));
            }
            Self::Counter64(value) => writer.unsigned(tag, *value),
        }
    }

    /// Writes this value's TLV backwards, before what `writer` holds.
    #[inline]
    pub(crate) fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        let tag = self.tag();
        match self {
            Self::Integer(value) => writer.integer(tag, i64::from(*value)),
            Self::OctetString(bytes) | Self::Opaque(bytes) | Self::NsapAddress(bytes) => {
                writer.octets(tag, bytes);
            }
            Self::Null | Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView => {
                writer.null(tag);
            }
            Self::ObjectIdentifier(oid) => writer.oid(tag, oid),
            Self::IpAddress(address) => writer.octets(tag, &address.octets()),
            Self::Counter32(value) | Self::Gauge32(value) | Self::TimeTicks(value) => {
                writer.unsigned(tag, u64::from(*value));
            }
            Self::Counter64(value) => writer.unsigned(tag, *value),
        }
    }

    /// The size of this value's BER encoding, tag and length included: exactly what
    /// [`write`](Self::write) appends.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        tlv_len(self.content_len())
    }

    /// A rough upper bound of the encoded size, to reserve buffer space in one go.
    pub(crate) fn size_hint(&self) -> usize {
        match self {
            Self::OctetString(bytes) | Self::Opaque(bytes) | Self::NsapAddress(bytes) => {
                bytes.len() + 4
            }
            Self::ObjectIdentifier(oid) => oid.len() * 2 + 2,
            _ => 11,
        }
    }

    /// The size of this value's BER contents, without tag and length.
    #[inline]
    pub(crate) fn content_len(&self) -> usize {
        match self {
            Self::Integer(value) => integer_len(i64::from(*value)),
            Self::OctetString(bytes) | Self::Opaque(bytes) | Self::NsapAddress(bytes) => {
                bytes.len()
            }
            Self::Null | Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView => 0,
            Self::ObjectIdentifier(oid) => oid_len(oid),
            Self::IpAddress(_) => 4,
            Self::Counter32(value) | Self::Gauge32(value) | Self::TimeTicks(value) => {
                unsigned_len(u64::from(*value))
            }
            Self::Counter64(value) => unsigned_len(*value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeErrorKind::*;

    fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
        Value::decode(Bytes::copy_from_slice(bytes))
    }

    #[test]
    fn encodes_each_type_with_its_tag() {
        let cases: [(Value, &[u8]); 14] = [
            (Value::Integer(-2), &[0x02, 0x01, 0xfe]),
            (
                Value::OctetString(Bytes::from_static(b"ab")),
                &[0x04, 0x02, 0x61, 0x62],
            ),
            (Value::Null, &[0x05, 0x00]),
            (
                Value::ObjectIdentifier("1.3.6".parse().unwrap()),
                &[0x06, 0x02, 0x2b, 0x06],
            ),
            (
                Value::IpAddress(Ipv4Addr::new(192, 0, 2, 1)),
                &[0x40, 0x04, 0xc0, 0x00, 0x02, 0x01],
            ),
            (
                Value::Counter32(u32::MAX),
                &[0x41, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff],
            ),
            (
                Value::Gauge32(10_000_000),
                &[0x42, 0x04, 0x00, 0x98, 0x96, 0x80],
            ),
            (Value::TimeTicks(0), &[0x43, 0x01, 0x00]),
            (
                Value::Opaque(Bytes::from_static(&[
                    0x9f, 0x78, 0x04, 0x3f, 0x80, 0x00, 0x00,
                ])),
                &[0x44, 0x07, 0x9f, 0x78, 0x04, 0x3f, 0x80, 0x00, 0x00],
            ),
            (
                Value::NsapAddress(Bytes::from_static(&[0x47])),
                &[0x45, 0x01, 0x47],
            ),
            (
                Value::Counter64(1 << 63),
                &[0x46, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0],
            ),
            (Value::NoSuchObject, &[0x80, 0x00]),
            (Value::NoSuchInstance, &[0x81, 0x00]),
            (Value::EndOfMibView, &[0x82, 0x00]),
        ];
        for (value, expected) in cases {
            assert_eq!(value.to_vec(), expected, "{value:?}");
            assert_eq!(decode(expected), Ok(value));
        }
    }

    #[test]
    fn octet_strings_slice_the_input() {
        let input = Bytes::from_static(&[0x44, 0x02, 0xaa, 0xbb]);
        let Ok(Value::Opaque(contents)) = Value::decode(input.clone()) else {
            panic!("not an Opaque");
        };
        assert_eq!(contents.as_ptr(), input[2..].as_ptr());
    }

    #[test]
    fn exceptions_and_null_must_be_empty() {
        for tag in [NULL, NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW] {
            assert_eq!(
                decode(&[tag, 0x01, 0x00]),
                Err(DecodeError::new(NonEmptyNull, 2))
            );
        }
    }

    #[test]
    fn ip_addresses_are_four_octets() {
        assert_eq!(
            decode(&[0x40, 0x03, 1, 2, 3]),
            Err(DecodeError::new(InvalidIpAddress, 2))
        );
        assert_eq!(
            decode(&[0x40, 0x05, 1, 2, 3, 4, 5]),
            Err(DecodeError::new(InvalidIpAddress, 2))
        );
    }

    #[test]
    fn rejects_tags_that_are_not_values() {
        for tag in [0x01, 0x03, 0x30, 0x47, 0x83, 0xa0, 0x24] {
            assert_eq!(
                decode(&[tag, 0x00]),
                Err(DecodeError::new(UnexpectedTag(tag), 0))
            );
        }
    }

    #[test]
    fn integer32_range_is_enforced() {
        assert_eq!(
            decode(&[0x02, 0x05, 0x00, 0x80, 0, 0, 0]),
            Err(DecodeError::new(IntegerOutOfRange, 2))
        );
        assert_eq!(
            decode(&[0x02, 0x00]),
            Err(DecodeError::new(IntegerOutOfRange, 2))
        );
    }

    #[test]
    fn one_value_and_nothing_after_it() {
        assert_eq!(
            decode(&[0x05, 0x00, 0x05]),
            Err(DecodeError::new(TrailingData, 2))
        );
        assert_eq!(decode(&[]), Err(DecodeError::new(Truncated, 0)));
    }
}
