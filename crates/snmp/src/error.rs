//! Errors of the SNMP core.

use crate::oid::OidError;
use crate::usm::UsmError;

/// Any error of the SNMP core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A datagram or value could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An object identifier was invalid.
    #[error(transparent)]
    Oid(#[from] OidError),
    /// The User-based Security Model refused a key, a message or a password.
    #[error(transparent)]
    Usm(#[from] UsmError),
}

/// A decoding failure, with the byte offset in the datagram where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at offset {offset}")]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// Offset of the offending byte from the start of the datagram.
    pub offset: usize,
}

impl DecodeError {
    /// Builds an error of `kind` found at `offset`.
    pub fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

/// What a decoder found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended inside a TLV.
    #[error("truncated input")]
    Truncated,
    /// A tag other than the one the grammar requires at this place.
    #[error("unexpected tag 0x{0:02x}")]
    UnexpectedTag(u8),
    /// A length that is indefinite, too long, or larger than what encloses it.
    #[error("invalid length")]
    InvalidLength,
    /// An INTEGER that does not fit the type it is decoded into, or is empty.
    #[error("integer out of range")]
    IntegerOutOfRange,
    /// An OBJECT IDENTIFIER that ends inside a subidentifier, has an arc over 2^32-1, or
    /// more than 128 arcs.
    #[error("invalid object identifier")]
    InvalidOid,
    /// An IpAddress whose length is not 4.
    #[error("invalid IpAddress length")]
    InvalidIpAddress,
    /// A NULL or exception value with content.
    #[error("NULL with content")]
    NonEmptyNull,
    /// A version number vigie does not speak.
    #[error("unsupported SNMP version {0}")]
    UnsupportedVersion(i32),
    /// An error-status outside 0–18.
    #[error("invalid error-status {0}")]
    InvalidErrorStatus(i32),
    /// Bytes left after the outermost SEQUENCE or inside a closed constructed value.
    #[error("trailing data")]
    TrailingData,
    /// An SNMPv3 msgFlags that is not one octet, or asks for privacy without authentication
    /// (RFC 3412 §7.2 step 5: snmpInvalidMsgs).
    #[error("invalid msgFlags")]
    InvalidMsgFlags,
    /// An SNMPv3 msgSecurityModel other than the USM (RFC 3412 §7.2 step 4:
    /// snmpUnknownSecurityModels).
    #[error("unsupported security model {0}")]
    UnsupportedSecurityModel(i32),
}
