//! vigie-snmp: the SNMP protocol core, without I/O.
//!
//! This crate encodes and decodes SNMP messages (v1, RFC 1157; v2c, RFC 1901/3416; v3,
//! RFC 3412) with a strict BER encoder and a decoder that never panics and never allocates
//! more than the datagram warrants, and drives the request/response exchange in sans-IO
//! engines: bytes, time and randomness come in as arguments, datagrams and deadlines go out
//! as values. It holds the User-based Security Model's keys, digests, ciphers and time
//! window ([`usm`], RFC 3414, 3826, 7860), access control ([`vacm`], RFC 3415), the
//! community table and v1/v2 translation ([`community`], [`translate`], RFC 3584).
//!
//! It never opens a socket, reads a clock or a file, or sets up logging. `vigie-net` drives
//! the engines over UDP; the agent, the tools and the manager all use the same engines.
//!
//! # Decoding and encoding
//!
//! [`Message::decode`] takes a datagram as [`bytes::Bytes`] and returns the message, with the
//! community and every OCTET STRING value sliced from the datagram rather than copied;
//! [`Message::encode`] appends the strict BER encoding to a `Vec<u8>`. [`Value`],
//! [`VarBind`] and [`AnyPdu`] can be decoded and encoded on their own, and [`ber`] gives
//! the TLV [`Reader`](ber::Reader) and [`Writer`](ber::Writer) they are built on, for other
//! BER structures (SNMPv3 headers, Opaque contents). [`manual`] explains what the decoder
//! tolerates from real devices and what it rejects.
//!
//! ```
//! use bytes::Bytes;
//! use vigie_snmp::{AnyPdu, Message, Value};
//!
//! // snmpget -v2c -c public 127.0.0.1 sysName.0, as the agent answered it.
//! let datagram = Bytes::from_static(&[
//!     0x30, 0x2d, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa2, 0x20,
//!     0x02, 0x02, 0x30, 0x39, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x14, 0x30, 0x12, 0x06,
//!     0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x04, 0x06, b'r', b'o', b'u', b't',
//!     b'e', b'r',
//! ]);
//! let Message::Community(message) = Message::decode(datagram.clone())? else {
//!     unreachable!("a v2c datagram");
//! };
//! assert_eq!(message.community, "public");
//! let AnyPdu::Pdu(response) = &message.pdu else { unreachable!() };
//! assert_eq!(response.varbinds[0].name.to_string(), "1.3.6.1.2.1.1.5.0");
//! assert_eq!(response.varbinds[0].value, Value::OctetString(Bytes::from_static(b"router")));
//! assert_eq!(Message::Community(message).to_vec(), datagram);
//! # Ok::<(), vigie_snmp::DecodeError>(())
//! ```
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

pub mod ber;
pub mod community;
pub mod engine;
mod error;
pub mod manual;
pub mod message;
mod oid;
pub mod pdu;
mod security;
pub mod translate;
pub mod usm;
pub mod vacm;
mod value;
pub mod view;

pub use error::{DecodeError, DecodeErrorKind, Error};
pub use message::{CommunityMessage, Message, Version};
pub use oid::{MAX_ARCS, Oid, OidError};
pub use pdu::{
    AnyPdu, BulkPdu, ErrorStatus, GenericTrap, Pdu, PduKind, RequestId, TrapV1Pdu, VarBind,
};
pub use security::{AdminString, SecurityLevel, SecurityModel, UnknownSecurityName};
pub use value::Value;
