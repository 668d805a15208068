//! Protocol data units (RFC 1157 §4.1, RFC 3416 §3).

use std::net::Ipv4Addr;

use crate::oid::Oid;
use crate::value::Value;

/// Any PDU an SNMP message can carry (RFC 3416 `PDUs`, plus RFC 1157's Trap-PDU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyPdu {
    /// Get, GetNext, Response, Set, Inform, SNMPv2-Trap and Report share one shape.
    Pdu(Pdu),
    /// GetBulkRequest: its two integers mean non-repeaters and max-repetitions.
    Bulk(BulkPdu),
    /// The v1 Trap-PDU, with its own shape.
    TrapV1(TrapV1Pdu),
}

impl AnyPdu {
    /// The request-id, for every PDU but the v1 trap, which has none.
    pub fn request_id(&self) -> Option<RequestId> {
        match self {
            Self::Pdu(pdu) => Some(pdu.request_id),
            Self::Bulk(bulk) => Some(bulk.request_id),
            Self::TrapV1(_) => None,
        }
    }

    /// The variable bindings.
    pub fn varbinds(&self) -> &[VarBind] {
        match self {
            Self::Pdu(pdu) => &pdu.varbinds,
            Self::Bulk(bulk) => &bulk.varbinds,
            Self::TrapV1(trap) => &trap.varbinds,
        }
    }

    /// The PDU's BER tag.
    pub fn tag(&self) -> u8 {
        match self {
            Self::Pdu(pdu) => pdu.kind.tag(),
            Self::Bulk(_) => TAG_GET_BULK_REQUEST,
            Self::TrapV1(_) => TAG_TRAP_V1,
        }
    }
}

/// The PDUs that share RFC 3416's `PDU` shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// Which operation.
    pub kind: PduKind,
    /// Matches a response to its request.
    pub request_id: RequestId,
    /// `NoError` in requests.
    pub error_status: ErrorStatus,
    /// 1-based index of the varbind in error; 0 when none.
    pub error_index: u32,
    /// The variable bindings.
    pub varbinds: Vec<VarBind>,
}

/// GetBulkRequest-PDU (RFC 3416 §4.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPdu {
    /// Matches the response to this request.
    pub request_id: RequestId,
    /// How many leading varbinds get a single GETNEXT.
    pub non_repeaters: u32,
    /// How many GETNEXT steps for each of the remaining varbinds.
    pub max_repetitions: u32,
    /// The variable bindings (values are NULL).
    pub varbinds: Vec<VarBind>,
}

/// The SNMPv1 Trap-PDU (RFC 1157 §4.1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapV1Pdu {
    /// The sysObjectID of the entity generating the trap, or the enterprise of a specific trap.
    pub enterprise: Oid,
    /// The address of the agent.
    pub agent_addr: Ipv4Addr,
    /// coldStart(0) … enterpriseSpecific(6).
    pub generic_trap: GenericTrap,
    /// The specific code, meaningful with `EnterpriseSpecific`.
    pub specific_trap: i32,
    /// sysUpTime when the trap was generated, in hundredths of a second.
    pub time_stamp: u32,
    /// The variable bindings.
    pub varbinds: Vec<VarBind>,
}

/// A variable binding: an OID and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VarBind {
    /// The object instance.
    pub name: Oid,
    /// Its value, `Null` in requests.
    pub value: Value,
}

impl VarBind {
    /// A varbind with a NULL value, as requests carry.
    pub fn null(name: Oid) -> Self {
        Self { name, value: Value::Null }
    }
}

/// A request-id (RFC 3416 §3: -2^31 .. 2^31-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub i32);

/// Operations that share the `PDU` shape, with their context tags (RFC 3416 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PduKind {
    /// GetRequest-PDU, 0xa0.
    GetRequest,
    /// GetNextRequest-PDU, 0xa1.
    GetNextRequest,
    /// Response-PDU (GetResponse in v1), 0xa2.
    Response,
    /// SetRequest-PDU, 0xa3.
    SetRequest,
    /// InformRequest-PDU, 0xa6.
    InformRequest,
    /// SNMPv2-Trap-PDU, 0xa7.
    SnmpV2Trap,
    /// Report-PDU, 0xa8.
    Report,
}

impl PduKind {
    /// The PDU's BER tag.
    pub fn tag(self) -> u8 {
        match self {
            Self::GetRequest => TAG_GET_REQUEST,
            Self::GetNextRequest => TAG_GET_NEXT_REQUEST,
            Self::Response => TAG_RESPONSE,
            Self::SetRequest => TAG_SET_REQUEST,
            Self::InformRequest => TAG_INFORM_REQUEST,
            Self::SnmpV2Trap => TAG_SNMPV2_TRAP,
            Self::Report => TAG_REPORT,
        }
    }

    /// The kind carried under `tag`, if it is one of these seven.
    pub fn from_tag(tag: u8) -> Option<Self> {
        Some(match tag {
            TAG_GET_REQUEST => Self::GetRequest,
            TAG_GET_NEXT_REQUEST => Self::GetNextRequest,
            TAG_RESPONSE => Self::Response,
            TAG_SET_REQUEST => Self::SetRequest,
            TAG_INFORM_REQUEST => Self::InformRequest,
            TAG_SNMPV2_TRAP => Self::SnmpV2Trap,
            TAG_REPORT => Self::Report,
            _ => return None,
        })
    }
}

/// error-status values, in RFC 3416 §3 order (0–5 are also RFC 1157's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorStatus {
    /// noError(0)
    NoError = 0,
    /// tooBig(1)
    TooBig = 1,
    /// noSuchName(2), v1 only
    NoSuchName = 2,
    /// badValue(3), v1 only
    BadValue = 3,
    /// readOnly(4), v1 only
    ReadOnly = 4,
    /// genErr(5)
    GenErr = 5,
    /// noAccess(6)
    NoAccess = 6,
    /// wrongType(7)
    WrongType = 7,
    /// wrongLength(8)
    WrongLength = 8,
    /// wrongEncoding(9)
    WrongEncoding = 9,
    /// wrongValue(10)
    WrongValue = 10,
    /// noCreation(11)
    NoCreation = 11,
    /// inconsistentValue(12)
    InconsistentValue = 12,
    /// resourceUnavailable(13)
    ResourceUnavailable = 13,
    /// commitFailed(14)
    CommitFailed = 14,
    /// undoFailed(15)
    UndoFailed = 15,
    /// authorizationError(16)
    AuthorizationError = 16,
    /// notWritable(17)
    NotWritable = 17,
    /// inconsistentName(18)
    InconsistentName = 18,
}

impl ErrorStatus {
    /// Every status, in numeric order.
    pub const ALL: [Self; 19] = [
        Self::NoError,
        Self::TooBig,
        Self::NoSuchName,
        Self::BadValue,
        Self::ReadOnly,
        Self::GenErr,
        Self::NoAccess,
        Self::WrongType,
        Self::WrongLength,
        Self::WrongEncoding,
        Self::WrongValue,
        Self::NoCreation,
        Self::InconsistentValue,
        Self::ResourceUnavailable,
        Self::CommitFailed,
        Self::UndoFailed,
        Self::AuthorizationError,
        Self::NotWritable,
        Self::InconsistentName,
    ];

    /// The status with this number, if it is 0–18.
    pub fn from_i32(n: i32) -> Option<Self> {
        usize::try_from(n).ok().and_then(|i| Self::ALL.get(i).copied())
    }

    /// Its number on the wire.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The RFC's name, as `snmp_errstring` spells it: `noSuchName`, `notWritable`…
    pub fn name(self) -> &'static str {
        match self {
            Self::NoError => "noError",
            Self::TooBig => "tooBig",
            Self::NoSuchName => "noSuchName",
            Self::BadValue => "badValue",
            Self::ReadOnly => "readOnly",
            Self::GenErr => "genErr",
            Self::NoAccess => "noAccess",
            Self::WrongType => "wrongType",
            Self::WrongLength => "wrongLength",
            Self::WrongEncoding => "wrongEncoding",
            Self::WrongValue => "wrongValue",
            Self::NoCreation => "noCreation",
            Self::InconsistentValue => "inconsistentValue",
            Self::ResourceUnavailable => "resourceUnavailable",
            Self::CommitFailed => "commitFailed",
            Self::UndoFailed => "undoFailed",
            Self::AuthorizationError => "authorizationError",
            Self::NotWritable => "notWritable",
            Self::InconsistentName => "inconsistentName",
        }
    }
}

/// generic-trap values of the v1 Trap-PDU (RFC 1157 §4.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum GenericTrap {
    /// coldStart(0)
    ColdStart = 0,
    /// warmStart(1)
    WarmStart = 1,
    /// linkDown(2)
    LinkDown = 2,
    /// linkUp(3)
    LinkUp = 3,
    /// authenticationFailure(4)
    AuthenticationFailure = 4,
    /// egpNeighborLoss(5)
    EgpNeighborLoss = 5,
    /// enterpriseSpecific(6)
    EnterpriseSpecific = 6,
}

impl GenericTrap {
    /// Every generic trap, in numeric order.
    pub const ALL: [Self; 7] = [
        Self::ColdStart,
        Self::WarmStart,
        Self::LinkDown,
        Self::LinkUp,
        Self::AuthenticationFailure,
        Self::EgpNeighborLoss,
        Self::EnterpriseSpecific,
    ];

    /// The generic trap with this number, if it is 0–6.
    pub fn from_i32(n: i32) -> Option<Self> {
        usize::try_from(n).ok().and_then(|i| Self::ALL.get(i).copied())
    }

    /// Its number on the wire.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// GetRequest-PDU tag, [CONTEXT 0] constructed.
pub const TAG_GET_REQUEST: u8 = 0xa0;
/// GetNextRequest-PDU tag.
pub const TAG_GET_NEXT_REQUEST: u8 = 0xa1;
/// Response-PDU tag.
pub const TAG_RESPONSE: u8 = 0xa2;
/// SetRequest-PDU tag.
pub const TAG_SET_REQUEST: u8 = 0xa3;
/// Trap-PDU (v1) tag.
pub const TAG_TRAP_V1: u8 = 0xa4;
/// GetBulkRequest-PDU tag.
pub const TAG_GET_BULK_REQUEST: u8 = 0xa5;
/// InformRequest-PDU tag.
pub const TAG_INFORM_REQUEST: u8 = 0xa6;
/// SNMPv2-Trap-PDU tag.
pub const TAG_SNMPV2_TRAP: u8 = 0xa7;
/// Report-PDU tag.
pub const TAG_REPORT: u8 = 0xa8;
