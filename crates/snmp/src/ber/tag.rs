//! The BER identifier octets SNMP uses (X.690 §8.1.2, RFC 2578 §7.1, RFC 3416 §3).
//!
//! SNMP only ever uses single-octet tags: the low five bits of every tag below are under 31.
//! The PDU tags live next to the PDUs, in [`crate::pdu`].

/// INTEGER (X.690 universal 2).
pub const INTEGER: u8 = 0x02;
/// OCTET STRING (universal 4), primitive form.
pub const OCTET_STRING: u8 = 0x04;
/// NULL (universal 5).
pub const NULL: u8 = 0x05;
/// OBJECT IDENTIFIER (universal 6).
pub const OBJECT_IDENTIFIER: u8 = 0x06;
/// SEQUENCE and SEQUENCE OF, constructed (universal 16).
pub const SEQUENCE: u8 = 0x30;
/// IpAddress, [APPLICATION 0] (RFC 2578 §7.1.5).
pub const IP_ADDRESS: u8 = 0x40;
/// Counter32, [APPLICATION 1] (RFC 2578 §7.1.6).
pub const COUNTER32: u8 = 0x41;
/// Gauge32 and Unsigned32, [APPLICATION 2] (RFC 2578 §7.1.7, §7.1.11).
pub const GAUGE32: u8 = 0x42;
/// TimeTicks, [APPLICATION 3] (RFC 2578 §7.1.8).
pub const TIMETICKS: u8 = 0x43;
/// Opaque, [APPLICATION 4] (RFC 2578 §7.1.9).
pub const OPAQUE: u8 = 0x44;
/// NsapAddress, [APPLICATION 5] (RFC 1442 §7.1.7).
pub const NSAP_ADDRESS: u8 = 0x45;
/// Counter64, [APPLICATION 6] (RFC 2578 §7.1.10).
pub const COUNTER64: u8 = 0x46;
/// noSuchObject exception, [CONTEXT 0] primitive (RFC 3416 §3).
pub const NO_SUCH_OBJECT: u8 = 0x80;
/// noSuchInstance exception, [CONTEXT 1] primitive (RFC 3416 §3).
pub const NO_SUCH_INSTANCE: u8 = 0x81;
/// endOfMibView exception, [CONTEXT 2] primitive (RFC 3416 §3).
pub const END_OF_MIB_VIEW: u8 = 0x82;

/// The constructed bit of an identifier octet (X.690 §8.1.2.5).
pub const CONSTRUCTED: u8 = 0x20;
/// The low five bits all set: a multi-octet tag follows (X.690 §8.1.2.4), which SNMP never uses.
pub const HIGH_TAG_NUMBER: u8 = 0x1f;
