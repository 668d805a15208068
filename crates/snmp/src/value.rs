//! SNMP values: the SMI's application types and the v2 exceptions (RFC 2578 §7.1, RFC 3416 §3).

use std::net::Ipv4Addr;

use bytes::Bytes;

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
            Self::Integer(_) => TAG_INTEGER,
            Self::OctetString(_) => TAG_OCTET_STRING,
            Self::Null => TAG_NULL,
            Self::ObjectIdentifier(_) => TAG_OBJECT_IDENTIFIER,
            Self::IpAddress(_) => TAG_IP_ADDRESS,
            Self::Counter32(_) => TAG_COUNTER32,
            Self::Gauge32(_) => TAG_GAUGE32,
            Self::TimeTicks(_) => TAG_TIMETICKS,
            Self::Opaque(_) => TAG_OPAQUE,
            Self::NsapAddress(_) => TAG_NSAP_ADDRESS,
            Self::Counter64(_) => TAG_COUNTER64,
            Self::NoSuchObject => TAG_NO_SUCH_OBJECT,
            Self::NoSuchInstance => TAG_NO_SUCH_INSTANCE,
            Self::EndOfMibView => TAG_END_OF_MIB_VIEW,
        }
    }

    /// True for the three v2 exceptions.
    pub fn is_exception(&self) -> bool {
        matches!(self, Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView)
    }
}

/// INTEGER (X.690 universal 2).
pub const TAG_INTEGER: u8 = 0x02;
/// OCTET STRING (universal 4).
pub const TAG_OCTET_STRING: u8 = 0x04;
/// NULL (universal 5).
pub const TAG_NULL: u8 = 0x05;
/// OBJECT IDENTIFIER (universal 6).
pub const TAG_OBJECT_IDENTIFIER: u8 = 0x06;
/// SEQUENCE, constructed (universal 16).
pub const TAG_SEQUENCE: u8 = 0x30;
/// IpAddress, [APPLICATION 0].
pub const TAG_IP_ADDRESS: u8 = 0x40;
/// Counter32, [APPLICATION 1].
pub const TAG_COUNTER32: u8 = 0x41;
/// Gauge32 / Unsigned32, [APPLICATION 2].
pub const TAG_GAUGE32: u8 = 0x42;
/// TimeTicks, [APPLICATION 3].
pub const TAG_TIMETICKS: u8 = 0x43;
/// Opaque, [APPLICATION 4].
pub const TAG_OPAQUE: u8 = 0x44;
/// NsapAddress, [APPLICATION 5].
pub const TAG_NSAP_ADDRESS: u8 = 0x45;
/// Counter64, [APPLICATION 6].
pub const TAG_COUNTER64: u8 = 0x46;
/// noSuchObject, [CONTEXT 0] primitive.
pub const TAG_NO_SUCH_OBJECT: u8 = 0x80;
/// noSuchInstance, [CONTEXT 1] primitive.
pub const TAG_NO_SUCH_INSTANCE: u8 = 0x81;
/// endOfMibView, [CONTEXT 2] primitive.
pub const TAG_END_OF_MIB_VIEW: u8 = 0x82;
