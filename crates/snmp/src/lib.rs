//! vigie-snmp: the SNMP protocol core, without I/O.
//!
//! This crate encodes and decodes SNMP messages (v1, RFC 1157; v2c, RFC 1901/3416) with a
//! strict BER encoder and a decoder that never panics and never allocates more than the
//! datagram warrants, and drives the request/response exchange in sans-IO engines: bytes,
//! time and randomness come in as arguments, datagrams and deadlines go out as values.
//!
//! It never opens a socket, reads a clock or a file, or sets up logging. `vigie-net` drives
//! the engines over UDP; the agent, the tools and the manager all use the same engines.
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

pub mod ber;
pub mod engine;
mod error;
pub mod message;
mod oid;
pub mod pdu;
mod value;

pub use error::{DecodeError, DecodeErrorKind, Error};
pub use message::{CommunityMessage, Message, Version};
pub use oid::{Oid, OidError};
pub use pdu::{AnyPdu, BulkPdu, ErrorStatus, GenericTrap, Pdu, PduKind, RequestId, TrapV1Pdu, VarBind};
pub use value::Value;
