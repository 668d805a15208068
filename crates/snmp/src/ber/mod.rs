//! BER tag-length-value reading and writing (X.690 §8), for the subset SNMP uses.
//!
//! This module knows nothing of SNMP: it reads and writes TLVs, lengths and the primitive
//! contents (INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER). [`Reader`] decodes with bounds
//! that nest like the TLVs do; [`Writer`] encodes strictly. What the decoder tolerates and
//! what it rejects is explained in [`crate::manual`].
//!
//! ```
//! use bytes::Bytes;
//! use vigie_snmp::ber::{Reader, Writer, tag};
//!
//! let mut out = Vec::new();
//! let mut writer = Writer::new(&mut out);
//! writer.constructed(tag::SEQUENCE, |w| {
//!     w.integer(tag::INTEGER, 300);
//!     w.octets(tag::OCTET_STRING, b"public");
//! });
//! assert_eq!(out, [0x30, 0x0c, 0x02, 0x02, 0x01, 0x2c, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c']);
//!
//! let bytes = Bytes::from(out);
//! let mut reader = Reader::new(&bytes);
//! let mut sequence = reader.read(tag::SEQUENCE)?;
//! assert_eq!(sequence.read(tag::INTEGER)?.int32()?, 300);
//! assert_eq!(sequence.read(tag::OCTET_STRING)?.octets(), "public");
//! sequence.finish()?;
//! # Ok::<(), vigie_snmp::DecodeError>(())
//! ```

pub(crate) mod length;
mod reader;
pub mod tag;
mod writer;

pub use reader::Reader;
pub(crate) use reader::{integer, oid_arcs, unsigned32, unsigned64};
pub use writer::Writer;
pub(crate) use writer::{ReverseWriter, SliceWriter};
pub(crate) use writer::{integer_len, oid_len, tlv_len, unsigned_len};
