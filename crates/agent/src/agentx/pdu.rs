//! The AgentX PDUs and their encoding, without I/O (RFC 2741 §5, §6).
//!
//! Every PDU starts with a 20-octet header; integers in the header and the payload are in the
//! byte order the header's `NETWORK_BYTE_ORDER` flag names. [`decode`] reads both orders and
//! [`Pdu::encode`] writes either, so a master answers each subagent in its own order
//! (RFC 2741 §5.1). A payload length over [`MAX_PAYLOAD`] is refused from the header alone,
//! before anything is allocated.

use bytes::Bytes;
use vigie_snmp::{Oid, Value, VarBind};

/// The length of the header (RFC 2741 §6.1).
pub const HEADER_LEN: usize = 20;
/// The largest payload accepted: a larger one closes the session (RFC 2741 §7.1.1 allows a
/// master to refuse what it cannot parse). Net-SNMP's own limit is about 1 MiB.
pub const MAX_PAYLOAD: u32 = 1 << 20;
/// The only version (RFC 2741 §6.1).
pub const VERSION: u8 = 1;

/// The header's flags (RFC 2741 §6.1).
pub mod flags {
    /// `INSTANCE_REGISTRATION`: the registered OID names one instance.
    pub const INSTANCE_REGISTRATION: u8 = 0x01;
    /// `NEW_INDEX`: allocate an index value never allocated before.
    pub const NEW_INDEX: u8 = 0x02;
    /// `ANY_INDEX`: allocate any index value not allocated now.
    pub const ANY_INDEX: u8 = 0x04;
    /// `NON_DEFAULT_CONTEXT`: a context octet string follows the header.
    pub const NON_DEFAULT_CONTEXT: u8 = 0x08;
    /// `NETWORK_BYTE_ORDER`: integers are big-endian.
    pub const NETWORK_BYTE_ORDER: u8 = 0x10;
}

/// The header of every PDU (RFC 2741 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The PDU type.
    pub kind: u8,
    /// The flags (see [`flags`]).
    pub flags: u8,
    /// The session, assigned by the master in the Open's response.
    pub session_id: u32,
    /// The SET transaction.
    pub transaction_id: u32,
    /// Matches a response to its request.
    pub packet_id: u32,
    /// The length of the payload after the header.
    pub payload_length: u32,
}

impl Header {
    /// Whether the integers are big-endian.
    pub fn big_endian(&self) -> bool {
        self.flags & flags::NETWORK_BYTE_ORDER != 0
    }

    /// Reads the header from the first 20 octets of `bytes`; refuses a bad version, an
    /// unknown type, a payload length not a multiple of 4 or over [`MAX_PAYLOAD`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let Some(head) = bytes.get(..HEADER_LEN) else {
            return Err(DecodeError::Truncated);
        };
        let [version, kind, flag_bits, ..] = *head else {
            return Err(DecodeError::Truncated);
        };
        if version != VERSION {
            return Err(DecodeError::Version(version));
        }
        if !(OPEN..=RESPONSE).contains(&kind) {
            return Err(DecodeError::UnknownType(kind));
        }
        let mut reader = Reader {
            bytes: head.get(4..).unwrap_or_default(),
            big: flag_bits & flags::NETWORK_BYTE_ORDER != 0,
        };
        let header = Self {
            kind,
            flags: flag_bits,
            session_id: reader.u32()?,
            transaction_id: reader.u32()?,
            packet_id: reader.u32()?,
            payload_length: reader.u32()?,
        };
        if header.payload_length > MAX_PAYLOAD {
            return Err(DecodeError::TooLong(header.payload_length));
        }
        if header.payload_length % 4 != 0 {
            return Err(DecodeError::Misaligned);
        }
        Ok(header)
    }
}

/// A decoded PDU: its header, its context and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// The header (its `payload_length` is recomputed by [`encode`](Self::encode)).
    pub header: Header,
    /// The non-default context, when the `NON_DEFAULT_CONTEXT` flag is set.
    pub context: Option<Bytes>,
    /// What the PDU carries.
    pub body: Body,
}

/// An OID with AgentX's `include` field (RFC 2741 §5.1); `None` is the null OID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRange {
    /// The start, included when `include` is set.
    pub start: Oid,
    /// Whether `start` itself may be answered.
    pub include: bool,
    /// The end, excluded; `None` for no bound.
    pub end: Option<Oid>,
}

/// A subtree or range registration (RFC 2741 §6.2.3, §6.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The timeout for this region in seconds, 0 for the session's (Register only).
    pub timeout: u8,
    /// The priority: lower values win (RFC 2741 §7.1.5.1).
    pub priority: u8,
    /// The 1-based index of the sub-identifier a range varies, 0 for none.
    pub range_subid: u8,
    /// The subtree (or the range's first OID).
    pub subtree: Oid,
    /// The range's last value of arc `range_subid`, present when `range_subid` is not 0.
    pub upper_bound: Option<u32>,
}

/// The body of each PDU type (RFC 2741 §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// agentx-Open-PDU.
    Open {
        /// The session's default timeout in seconds, 0 for the master's.
        timeout: u8,
        /// The subagent's identifier, `None` for the null OID.
        id: Option<Oid>,
        /// Its description.
        descr: Bytes,
    },
    /// agentx-Close-PDU.
    Close {
        /// Why.
        reason: CloseReason,
    },
    /// agentx-Register-PDU.
    Register(Registration),
    /// agentx-Unregister-PDU (its `timeout` is not encoded and reads as 0).
    Unregister(Registration),
    /// agentx-Get-PDU.
    Get(Vec<SearchRange>),
    /// agentx-GetNext-PDU.
    GetNext(Vec<SearchRange>),
    /// agentx-GetBulk-PDU.
    GetBulk {
        /// Non-repeaters.
        non_repeaters: u16,
        /// Max-repetitions.
        max_repetitions: u16,
        /// The ranges.
        ranges: Vec<SearchRange>,
    },
    /// agentx-TestSet-PDU.
    TestSet(Vec<VarBind>),
    /// agentx-CommitSet-PDU.
    CommitSet,
    /// agentx-UndoSet-PDU.
    UndoSet,
    /// agentx-CleanupSet-PDU.
    CleanupSet,
    /// agentx-Notify-PDU: sysUpTime.0 (optional), snmpTrapOID.0, then the objects.
    Notify(Vec<VarBind>),
    /// agentx-Ping-PDU.
    Ping,
    /// agentx-IndexAllocate-PDU.
    IndexAllocate(Vec<VarBind>),
    /// agentx-IndexDeallocate-PDU.
    IndexDeallocate(Vec<VarBind>),
    /// agentx-AddAgentCaps-PDU.
    AddAgentCaps {
        /// sysORID.
        id: Oid,
        /// sysORDescr.
        descr: Bytes,
    },
    /// agentx-RemoveAgentCaps-PDU.
    RemoveAgentCaps {
        /// sysORID.
        id: Oid,
    },
    /// agentx-Response-PDU.
    Response(Response),
}

/// agentx-Response-PDU's fields (RFC 2741 §6.2.16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The master's sysUpTime, in hundredths of a second.
    pub sys_up_time: u32,
    /// `res.error`: an SNMP error-status (0–18) or an AgentX error (256–268).
    pub error: u16,
    /// `res.index`: the 1-based varbind the error is about.
    pub index: u16,
    /// The varbinds.
    pub varbinds: Vec<VarBind>,
}

/// Why a session closes (RFC 2741 §6.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// reasonOther(1).
    Other,
    /// reasonParseError(2).
    ParseError,
    /// reasonProtocolError(3).
    ProtocolError,
    /// reasonTimeouts(4).
    Timeouts,
    /// reasonShutdown(5).
    Shutdown,
    /// reasonByManager(6).
    ByManager,
}

impl CloseReason {
    fn code(self) -> u8 {
        match self {
            Self::Other => 1,
            Self::ParseError => 2,
            Self::ProtocolError => 3,
            Self::Timeouts => 4,
            Self::Shutdown => 5,
            Self::ByManager => 6,
        }
    }

    fn from_code(code: u8) -> Result<Self, DecodeError> {
        Ok(match code {
            1 => Self::Other,
            2 => Self::ParseError,
            3 => Self::ProtocolError,
            4 => Self::Timeouts,
            5 => Self::Shutdown,
            6 => Self::ByManager,
            other => return Err(DecodeError::CloseReason(other)),
        })
    }
}

/// The AgentX errors of a Response's `res.error` (RFC 2741 §6.2.16).
pub mod error {
    /// noAgentXError.
    pub const NO_ERROR: u16 = 0;
    /// genErr, the SNMP error a subagent uses for a failure of its own.
    pub const GEN_ERR: u16 = 5;
    /// openFailed.
    pub const OPEN_FAILED: u16 = 256;
    /// notOpen.
    pub const NOT_OPEN: u16 = 257;
    /// indexWrongType.
    pub const INDEX_WRONG_TYPE: u16 = 258;
    /// indexAlreadyAllocated.
    pub const INDEX_ALREADY_ALLOCATED: u16 = 259;
    /// indexNonAvailable.
    pub const INDEX_NONE_AVAILABLE: u16 = 260;
    /// indexNotAllocated.
    pub const INDEX_NOT_ALLOCATED: u16 = 261;
    /// unsupportedContext.
    pub const UNSUPPORTED_CONTEXT: u16 = 262;
    /// duplicateRegistration.
    pub const DUPLICATE_REGISTRATION: u16 = 263;
    /// unknownRegistration.
    pub const UNKNOWN_REGISTRATION: u16 = 264;
    /// unknownAgentCaps.
    pub const UNKNOWN_AGENT_CAPS: u16 = 265;
    /// parseError.
    pub const PARSE_ERROR: u16 = 266;
    /// requestDenied.
    pub const REQUEST_DENIED: u16 = 267;
    /// processingError.
    pub const PROCESSING_ERROR: u16 = 268;
}

/// Why bytes are not an AgentX PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Fewer octets than the header or a field needs.
    #[error("truncated PDU")]
    Truncated,
    /// A version other than 1.
    #[error("AgentX version {0} is not supported")]
    Version(u8),
    /// A PDU type outside 1–18.
    #[error("unknown AgentX PDU type {0}")]
    UnknownType(u8),
    /// A payload longer than [`MAX_PAYLOAD`].
    #[error("payload of {0} octets is over the limit")]
    TooLong(u32),
    /// A payload length not a multiple of 4 (RFC 2741 §5).
    #[error("payload length is not a multiple of 4")]
    Misaligned,
    /// An OID of more than 128 sub-identifiers, or not a valid SNMP OID.
    #[error("invalid object identifier")]
    Oid,
    /// A null OID where one is required.
    #[error("null object identifier where one is required")]
    NullOid,
    /// A varbind type AgentX does not define.
    #[error("unknown varbind type {0}")]
    ValueType(u16),
    /// An IpAddress not of 4 octets.
    #[error("IpAddress of a length other than 4")]
    IpAddress,
    /// A Close reason outside 1–6.
    #[error("unknown close reason {0}")]
    CloseReason(u8),
    /// Octets after the last field of the payload.
    #[error("trailing octets in the payload")]
    Trailing,
    /// A `range_subid` beyond the subtree's sub-identifiers.
    #[error("range_subid beyond the subtree")]
    RangeSubid,
}

/// Decodes one complete PDU (header and payload) from `bytes`, which hold exactly one.
pub fn decode(bytes: &[u8]) -> Result<Pdu, DecodeError> {
    let header = Header::decode(bytes)?;
    let payload_len = usize::try_from(header.payload_length)
        .map_err(|_| DecodeError::TooLong(header.payload_length))?;
    let payload = bytes
        .get(HEADER_LEN..HEADER_LEN + payload_len)
        .ok_or(DecodeError::Truncated)?;
    if bytes.len() != HEADER_LEN + payload_len {
        return Err(DecodeError::Trailing);
    }
    decode_payload(header, payload)
}

/// Decodes the payload of a PDU whose header is `header`.
pub fn decode_payload(header: Header, payload: &[u8]) -> Result<Pdu, DecodeError> {
    let mut reader = Reader {
        bytes: payload,
        big: header.big_endian(),
    };
    let context = if header.flags & flags::NON_DEFAULT_CONTEXT != 0 && has_context(header.kind) {
        Some(reader.octets()?)
    } else {
        None
    };
    let body = match header.kind {
        OPEN => {
            let timeout = reader.u8()?;
            reader.skip(3)?;
            let id = reader.oid()?.0;
            let descr = reader.octets()?;
            Body::Open { timeout, id, descr }
        }
        CLOSE => {
            let reason = CloseReason::from_code(reader.u8()?)?;
            reader.skip(3)?;
            Body::Close { reason }
        }
        REGISTER | UNREGISTER => {
            let timeout = reader.u8()?;
            let priority = reader.u8()?;
            let range_subid = reader.u8()?;
            reader.skip(1)?;
            let subtree = reader.oid()?.0.ok_or(DecodeError::NullOid)?;
            let upper_bound = if range_subid == 0 {
                None
            } else {
                if usize::from(range_subid) > subtree.len() {
                    return Err(DecodeError::RangeSubid);
                }
                Some(reader.u32()?)
            };
            let registration = Registration {
                timeout: if header.kind == REGISTER { timeout } else { 0 },
                priority,
                range_subid,
                subtree,
                upper_bound,
            };
            if header.kind == REGISTER {
                Body::Register(registration)
            } else {
                Body::Unregister(registration)
            }
        }
        GET => Body::Get(reader.ranges()?),
        GET_NEXT => Body::GetNext(reader.ranges()?),
        GET_BULK => {
            let non_repeaters = reader.u16()?;
            let max_repetitions = reader.u16()?;
            Body::GetBulk {
                non_repeaters,
                max_repetitions,
                ranges: reader.ranges()?,
            }
        }
        TEST_SET => Body::TestSet(reader.varbinds()?),
        COMMIT_SET => Body::CommitSet,
        UNDO_SET => Body::UndoSet,
        CLEANUP_SET => Body::CleanupSet,
        NOTIFY => Body::Notify(reader.varbinds()?),
        PING => Body::Ping,
        INDEX_ALLOCATE => Body::IndexAllocate(reader.varbinds()?),
        INDEX_DEALLOCATE => Body::IndexDeallocate(reader.varbinds()?),
        ADD_AGENT_CAPS => {
            let id = reader.oid()?.0.ok_or(DecodeError::NullOid)?;
            let descr = reader.octets()?;
            Body::AddAgentCaps { id, descr }
        }
        REMOVE_AGENT_CAPS => Body::RemoveAgentCaps {
            id: reader.oid()?.0.ok_or(DecodeError::NullOid)?,
        },
        _ => {
            let sys_up_time = reader.u32()?;
            let error = reader.u16()?;
            let index = reader.u16()?;
            Body::Response(Response {
                sys_up_time,
                error,
                index,
                varbinds: reader.varbinds()?,
            })
        }
    };
    if !reader.bytes.is_empty() {
        return Err(DecodeError::Trailing);
    }
    Ok(Pdu {
        header,
        context,
        body,
    })
}

impl Pdu {
    /// The PDU type of this body.
    pub fn kind(&self) -> u8 {
        self.body.kind()
    }

    /// Encodes header and payload in the byte order of `header.flags`, with the
    /// `NON_DEFAULT_CONTEXT` flag set when a context is present and the payload length
    /// computed.
    pub fn encode(&self) -> Vec<u8> {
        let big = self.header.big_endian();
        let mut writer = Writer {
            bytes: Vec::with_capacity(64),
            big,
        };
        let mut flag_bits = self.header.flags & !flags::NON_DEFAULT_CONTEXT;
        let kind = self.body.kind();
        writer.bytes.extend_from_slice(&[VERSION, kind, 0, 0]);
        writer.u32(self.header.session_id);
        writer.u32(self.header.transaction_id);
        writer.u32(self.header.packet_id);
        writer.u32(0);
        if let Some(context) = self.context.as_ref().filter(|_| has_context(kind)) {
            flag_bits |= flags::NON_DEFAULT_CONTEXT;
            writer.octets(context);
        }
        match &self.body {
            Body::Open { timeout, id, descr } => {
                writer.bytes.extend_from_slice(&[*timeout, 0, 0, 0]);
                writer.oid(id.as_ref(), false);
                writer.octets(descr);
            }
            Body::Close { reason } => writer.bytes.extend_from_slice(&[reason.code(), 0, 0, 0]),
            Body::Register(registration) | Body::Unregister(registration) => {
                let timeout = if kind == REGISTER {
                    registration.timeout
                } else {
                    0
                };
                writer.bytes.extend_from_slice(&[
                    timeout,
                    registration.priority,
                    registration.range_subid,
                    0,
                ]);
                writer.oid(Some(&registration.subtree), false);
                if registration.range_subid != 0 {
                    writer.u32(registration.upper_bound.unwrap_or(0));
                }
            }
            Body::Get(ranges) | Body::GetNext(ranges) => writer.ranges(ranges),
            Body::GetBulk {
                non_repeaters,
                max_repetitions,
                ranges,
            } => {
                writer.u16(*non_repeaters);
                writer.u16(*max_repetitions);
                writer.ranges(ranges);
            }
            Body::TestSet(varbinds)
            | Body::Notify(varbinds)
            | Body::IndexAllocate(varbinds)
            | Body::IndexDeallocate(varbinds) => writer.varbinds(varbinds),
            Body::CommitSet | Body::UndoSet | Body::CleanupSet | Body::Ping => {}
            Body::AddAgentCaps { id, descr } => {
                writer.oid(Some(id), false);
                writer.octets(descr);
            }
            Body::RemoveAgentCaps { id } => writer.oid(Some(id), false),
            Body::Response(response) => {
                writer.u32(response.sys_up_time);
                writer.u16(response.error);
                writer.u16(response.index);
                writer.varbinds(&response.varbinds);
            }
        }
        let mut bytes = writer.bytes;
        if let Some(flag_byte) = bytes.get_mut(2) {
            *flag_byte = flag_bits;
        }
        let payload = u32::try_from(bytes.len() - HEADER_LEN).unwrap_or(u32::MAX);
        let length = if big {
            payload.to_be_bytes()
        } else {
            payload.to_le_bytes()
        };
        if let Some(field) = bytes.get_mut(16..HEADER_LEN) {
            field.copy_from_slice(&length);
        }
        bytes
    }
}

impl Body {
    /// The PDU type number (RFC 2741 §6.1).
    pub fn kind(&self) -> u8 {
        match self {
            Self::Open { .. } => OPEN,
            Self::Close { .. } => CLOSE,
            Self::Register(_) => REGISTER,
            Self::Unregister(_) => UNREGISTER,
            Self::Get(_) => GET,
            Self::GetNext(_) => GET_NEXT,
            Self::GetBulk { .. } => GET_BULK,
            Self::TestSet(_) => TEST_SET,
            Self::CommitSet => COMMIT_SET,
            Self::UndoSet => UNDO_SET,
            Self::CleanupSet => CLEANUP_SET,
            Self::Notify(_) => NOTIFY,
            Self::Ping => PING,
            Self::IndexAllocate(_) => INDEX_ALLOCATE,
            Self::IndexDeallocate(_) => INDEX_DEALLOCATE,
            Self::AddAgentCaps { .. } => ADD_AGENT_CAPS,
            Self::RemoveAgentCaps { .. } => REMOVE_AGENT_CAPS,
            Self::Response(_) => RESPONSE,
        }
    }
}

/// Whether PDUs of type `kind` may carry a context (RFC 2741 §6.1.1).
fn has_context(kind: u8) -> bool {
    !matches!(
        kind,
        OPEN | CLOSE | COMMIT_SET | UNDO_SET | CLEANUP_SET | RESPONSE
    )
}

/// A bounded cursor over a payload: every read checks the length first.
struct Reader<'a> {
    bytes: &'a [u8],
    big: bool,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        self.take(n).map(|_| ())
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        let [byte] = *self.take(1)? else {
            return Err(DecodeError::Truncated);
        };
        Ok(byte)
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let [a, b] = *self.take(2)? else {
            return Err(DecodeError::Truncated);
        };
        Ok(if self.big {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        })
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let [a, b, c, d] = *self.take(4)? else {
            return Err(DecodeError::Truncated);
        };
        Ok(if self.big {
            u32::from_be_bytes([a, b, c, d])
        } else {
            u32::from_le_bytes([a, b, c, d])
        })
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let high = u64::from(self.u32()?);
        let low = u64::from(self.u32()?);
        // RFC 2741 §5.4: one 64-bit integer in the PDU's byte order, so a little-endian
        // PDU has its low word first.
        Ok(if self.big {
            (high << 32) | low
        } else {
            (low << 32) | high
        })
    }

    /// An octet string, padded to a multiple of 4 (RFC 2741 §5.3).
    fn octets(&mut self) -> Result<Bytes, DecodeError> {
        let len = usize::try_from(self.u32()?).map_err(|_| DecodeError::Truncated)?;
        let data = self.take(len)?;
        self.skip(padding(len))?;
        Ok(Bytes::copy_from_slice(data))
    }

    /// An OID and its include field; `None` for the null OID (RFC 2741 §5.1).
    fn oid(&mut self) -> Result<(Option<Oid>, bool), DecodeError> {
        let n_subid = self.u8()?;
        let prefix = self.u8()?;
        let include = self.u8()? != 0;
        self.skip(1)?;
        let mut arcs: Vec<u32> = Vec::with_capacity(usize::from(n_subid) + 5);
        if prefix != 0 {
            arcs.extend_from_slice(&[1, 3, 6, 1, u32::from(prefix)]);
        }
        for _ in 0..n_subid {
            arcs.push(self.u32()?);
        }
        if arcs.is_empty() {
            return Ok((None, include));
        }
        Oid::new(&arcs)
            .map(|oid| (Some(oid), include))
            .map_err(|_| DecodeError::Oid)
    }

    fn ranges(&mut self) -> Result<Vec<SearchRange>, DecodeError> {
        let mut ranges = Vec::new();
        while !self.bytes.is_empty() {
            let (start, include) = self.oid()?;
            let (end, _) = self.oid()?;
            ranges.push(SearchRange {
                start: start.ok_or(DecodeError::NullOid)?,
                include,
                end,
            });
        }
        Ok(ranges)
    }

    fn varbinds(&mut self) -> Result<Vec<VarBind>, DecodeError> {
        let mut varbinds = Vec::new();
        while !self.bytes.is_empty() {
            let kind = self.u16()?;
            self.skip(2)?;
            let name = self.oid()?.0.ok_or(DecodeError::NullOid)?;
            let value = match kind {
                2 => Value::Integer(i32::from_ne_bytes(self.u32()?.to_ne_bytes())),
                4 => Value::OctetString(self.octets()?),
                5 => Value::Null,
                6 => Value::ObjectIdentifier(self.oid()?.0.ok_or(DecodeError::NullOid)?),
                64 => {
                    let octets = self.octets()?;
                    let [a, b, c, d] = *octets else {
                        return Err(DecodeError::IpAddress);
                    };
                    Value::IpAddress(std::net::Ipv4Addr::new(a, b, c, d))
                }
                65 => Value::Counter32(self.u32()?),
                66 => Value::Gauge32(self.u32()?),
                67 => Value::TimeTicks(self.u32()?),
                68 => Value::Opaque(self.octets()?),
                70 => Value::Counter64(self.u64()?),
                128 => Value::NoSuchObject,
                129 => Value::NoSuchInstance,
                130 => Value::EndOfMibView,
                other => return Err(DecodeError::ValueType(other)),
            };
            varbinds.push(VarBind { name, value });
        }
        Ok(varbinds)
    }
}

/// Writes integers in one byte order.
struct Writer {
    bytes: Vec<u8>,
    big: bool,
}

impl Writer {
    fn u16(&mut self, value: u16) {
        let bytes = if self.big {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes.extend_from_slice(&bytes);
    }

    fn u32(&mut self, value: u32) {
        let bytes = if self.big {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes.extend_from_slice(&bytes);
    }

    fn octets(&mut self, data: &[u8]) {
        self.u32(u32::try_from(data.len()).unwrap_or(u32::MAX));
        self.bytes.extend_from_slice(data);
        self.bytes
            .extend(std::iter::repeat_n(0, padding(data.len())));
    }

    /// An OID, with the `1.3.6.1.X` prefix compressed when it applies (RFC 2741 §5.1).
    fn oid(&mut self, oid: Option<&Oid>, include: bool) {
        let arcs = oid.map_or(&[][..], Oid::arcs);
        let (prefix, rest) = match arcs {
            [1, 3, 6, 1, prefix @ 1..=255, rest @ ..] => (u8::try_from(*prefix).unwrap_or(0), rest),
            _ => (0, arcs),
        };
        // An Oid holds at most 128 arcs, which fits n_subid.
        let n_subid = u8::try_from(rest.len()).unwrap_or(u8::MAX);
        self.bytes
            .extend_from_slice(&[n_subid, prefix, u8::from(include), 0]);
        for arc in rest {
            self.u32(*arc);
        }
    }

    fn ranges(&mut self, ranges: &[SearchRange]) {
        for range in ranges {
            self.oid(Some(&range.start), range.include);
            self.oid(range.end.as_ref(), false);
        }
    }

    fn varbinds(&mut self, varbinds: &[VarBind]) {
        for varbind in varbinds {
            let kind: u16 = match &varbind.value {
                Value::Integer(_) => 2,
                Value::OctetString(_) => 4,
                Value::Null => 5,
                Value::ObjectIdentifier(_) => 6,
                Value::IpAddress(_) => 64,
                Value::Counter32(_) => 65,
                Value::Gauge32(_) => 66,
                Value::TimeTicks(_) => 67,
                Value::Opaque(_) | Value::NsapAddress(_) => 68,
                Value::Counter64(_) => 70,
                Value::NoSuchObject => 128,
                Value::NoSuchInstance => 129,
                Value::EndOfMibView => 130,
            };
            self.u16(kind);
            self.u16(0);
            self.oid(Some(&varbind.name), false);
            match &varbind.value {
                Value::Integer(value) => self.u32(u32::from_ne_bytes(value.to_ne_bytes())),
                Value::OctetString(bytes) | Value::Opaque(bytes) | Value::NsapAddress(bytes) => {
                    self.octets(bytes);
                }
                Value::ObjectIdentifier(oid) => self.oid(Some(oid), false),
                Value::IpAddress(address) => self.octets(&address.octets()),
                Value::Counter32(value) | Value::Gauge32(value) | Value::TimeTicks(value) => {
                    self.u32(*value);
                }
                Value::Counter64(value) => {
                    let high = u32::try_from(value >> 32).unwrap_or(u32::MAX);
                    let low = u32::try_from(value & 0xffff_ffff).unwrap_or(u32::MAX);
                    // RFC 2741 §5.3: the word order follows the byte order.
                    if self.big {
                        self.u32(high);
                        self.u32(low);
                    } else {
                        self.u32(low);
                        self.u32(high);
                    }
                }
                Value::Null | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => {
                }
            }
        }
    }
}

/// The padding after `len` octets, to the next multiple of 4.
fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// The PDU types (RFC 2741 §6.1).
pub const OPEN: u8 = 1;
/// agentx-Close-PDU.
pub const CLOSE: u8 = 2;
/// agentx-Register-PDU.
pub const REGISTER: u8 = 3;
/// agentx-Unregister-PDU.
pub const UNREGISTER: u8 = 4;
/// agentx-Get-PDU.
pub const GET: u8 = 5;
/// agentx-GetNext-PDU.
pub const GET_NEXT: u8 = 6;
/// agentx-GetBulk-PDU.
pub const GET_BULK: u8 = 7;
/// agentx-TestSet-PDU.
pub const TEST_SET: u8 = 8;
/// agentx-CommitSet-PDU.
pub const COMMIT_SET: u8 = 9;
/// agentx-UndoSet-PDU.
pub const UNDO_SET: u8 = 10;
/// agentx-CleanupSet-PDU.
pub const CLEANUP_SET: u8 = 11;
/// agentx-Notify-PDU.
pub const NOTIFY: u8 = 12;
/// agentx-Ping-PDU.
pub const PING: u8 = 13;
/// agentx-IndexAllocate-PDU.
pub const INDEX_ALLOCATE: u8 = 14;
/// agentx-IndexDeallocate-PDU.
pub const INDEX_DEALLOCATE: u8 = 15;
/// agentx-AddAgentCaps-PDU.
pub const ADD_AGENT_CAPS: u8 = 16;
/// agentx-RemoveAgentCaps-PDU.
pub const REMOVE_AGENT_CAPS: u8 = 17;
/// agentx-Response-PDU.
pub const RESPONSE: u8 = 18;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse()
            .unwrap_or_else(|_| panic!("bad test OID {text}"))
    }

    fn header(kind: u8, flag_bits: u8) -> Header {
        Header {
            kind,
            flags: flag_bits,
            session_id: 1,
            transaction_id: 2,
            packet_id: 3,
            payload_length: 0,
        }
    }

    #[test]
    fn encodes_the_rfc_oid_example_with_its_prefix() {
        // RFC 2741 §5.1: 1.3.6.1.2.1.1.1.0 is n_subid 4, prefix 2, then 1.1.1.0.
        let pdu = Pdu {
            header: header(UNREGISTER, flags::NETWORK_BYTE_ORDER),
            context: None,
            body: Body::Unregister(Registration {
                timeout: 0,
                priority: 127,
                range_subid: 0,
                subtree: oid("1.3.6.1.2.1.1.1.0"),
                upper_bound: None,
            }),
        };
        let bytes = pdu.encode();
        assert_eq!(
            bytes.get(..HEADER_LEN),
            Some(
                &[
                    1, 4, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 24
                ][..]
            )
        );
        assert_eq!(
            bytes.get(HEADER_LEN..),
            Some(
                &[
                    0, 127, 0, 0, 4, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0
                ][..]
            )
        );
        assert_eq!(
            decode(&bytes),
            Ok(Pdu {
                header: Header {
                    payload_length: 24,
                    ..pdu.header
                },
                ..pdu
            })
        );
    }

    #[test]
    fn reads_little_endian_and_pads_octet_strings() {
        // An Open from a little-endian subagent: timeout 5, null id, description "ab".
        let bytes = [
            1, 1, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 16, 0, 0, 0, // header
            5, 0, 0, 0, // timeout
            0, 0, 0, 0, // null OID
            2, 0, 0, 0, b'a', b'b', 0, 0, // "ab" padded
        ];
        let pdu = decode(&bytes).expect("a valid Open");
        assert_eq!(pdu.header.session_id, 7);
        assert_eq!(pdu.header.packet_id, 9);
        assert_eq!(
            pdu.body,
            Body::Open {
                timeout: 5,
                id: None,
                descr: Bytes::from_static(b"ab"),
            }
        );
        assert_eq!(pdu.encode(), bytes);
    }

    #[test]
    fn refuses_long_payloads_from_the_header_alone() {
        let mut bytes = [
            1, 13, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0, 0,
        ];
        assert_eq!(
            Header::decode(&bytes),
            Err(DecodeError::TooLong(0x1000_0000))
        );
        bytes[16] = 0;
        bytes[19] = 3;
        assert_eq!(Header::decode(&bytes), Err(DecodeError::Misaligned));
        bytes[0] = 2;
        assert_eq!(Header::decode(&bytes), Err(DecodeError::Version(2)));
    }

    #[test]
    fn reads_a_context_and_a_range_registration() {
        let pdu = Pdu {
            header: header(REGISTER, 0),
            context: Some(Bytes::from_static(b"ctx")),
            body: Body::Register(Registration {
                timeout: 3,
                priority: 100,
                range_subid: 10,
                subtree: oid("1.3.6.1.2.1.2.2.1.1.7"),
                upper_bound: Some(22),
            }),
        };
        let bytes = pdu.encode();
        assert_eq!(bytes.get(2), Some(&flags::NON_DEFAULT_CONTEXT));
        let decoded = decode(&bytes).expect("valid");
        assert_eq!(decoded.context, pdu.context);
        assert_eq!(decoded.body, pdu.body);
    }

    #[test]
    fn counter64_words_follow_the_byte_order() {
        for order in [0, flags::NETWORK_BYTE_ORDER] {
            let pdu = Pdu {
                header: header(RESPONSE, order),
                context: None,
                body: Body::Response(Response {
                    sys_up_time: 1,
                    error: 0,
                    index: 0,
                    varbinds: vec![VarBind {
                        name: oid("1.3.6.1.2.1.31.1.1.1.6.1"),
                        value: Value::Counter64(0x0102_0304_0506_0708),
                    }],
                }),
            };
            let decoded = decode(&pdu.encode()).expect("valid");
            assert_eq!(decoded.body, pdu.body);
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert_eq!(decode(&[]), Err(DecodeError::Truncated));
        let mut bytes = vec![
            1, 5, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4,
        ];
        bytes.extend_from_slice(&[200, 0, 0, 0]);
        assert_eq!(decode(&bytes), Err(DecodeError::Truncated));
    }

    #[test]
    fn the_fuzz_seeds_decode_and_round_trip() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/agentx_pdu");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("the seed corpus") {
            let bytes = std::fs::read(entry.expect("an entry").path()).expect("a seed");
            let pdu = decode(&bytes).unwrap_or_else(|error| panic!("{error}: {bytes:02x?}"));
            assert_eq!(pdu.encode(), bytes);
            seen += 1;
        }
        assert!(seen >= 10, "{seen} seeds");
    }

    fn arb_oid() -> impl Strategy<Value = Oid> {
        (
            0u32..3,
            0u32..40,
            proptest::collection::vec(any::<u32>(), 0..20),
        )
            .prop_map(|(first, second, rest)| {
                let mut arcs = vec![first, second];
                arcs.extend(rest);
                Oid::new(&arcs).unwrap_or_else(|_| oid("1.3"))
            })
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i32>().prop_map(Value::Integer),
            proptest::collection::vec(any::<u8>(), 0..20)
                .prop_map(|bytes| Value::OctetString(Bytes::from(bytes))),
            Just(Value::Null),
            arb_oid().prop_map(Value::ObjectIdentifier),
            any::<[u8; 4]>().prop_map(|octets| Value::IpAddress(octets.into())),
            any::<u32>().prop_map(Value::Counter32),
            any::<u32>().prop_map(Value::Gauge32),
            any::<u32>().prop_map(Value::TimeTicks),
            any::<u64>().prop_map(Value::Counter64),
            Just(Value::NoSuchObject),
            Just(Value::NoSuchInstance),
            Just(Value::EndOfMibView),
        ]
    }

    fn arb_varbinds() -> impl Strategy<Value = Vec<VarBind>> {
        proptest::collection::vec(
            (arb_oid(), arb_value()).prop_map(|(name, value)| VarBind { name, value }),
            0..5,
        )
    }

    fn arb_ranges() -> impl Strategy<Value = Vec<SearchRange>> {
        proptest::collection::vec(
            (arb_oid(), any::<bool>(), proptest::option::of(arb_oid())).prop_map(
                |(start, include, end)| SearchRange {
                    start,
                    include,
                    end,
                },
            ),
            0..4,
        )
    }

    fn arb_body() -> impl Strategy<Value = Body> {
        prop_oneof![
            arb_varbinds().prop_map(Body::TestSet),
            arb_varbinds().prop_map(Body::Notify),
            arb_ranges().prop_map(Body::GetNext),
            (any::<u16>(), any::<u16>(), arb_ranges()).prop_map(|(n, m, ranges)| Body::GetBulk {
                non_repeaters: n,
                max_repetitions: m,
                ranges
            }),
            (any::<u32>(), any::<u16>(), any::<u16>(), arb_varbinds()).prop_map(
                |(sys_up_time, error, index, varbinds)| Body::Response(Response {
                    sys_up_time,
                    error,
                    index,
                    varbinds
                })
            ),
            (any::<u8>(), any::<u8>(), arb_oid()).prop_map(|(timeout, priority, subtree)| {
                Body::Register(Registration {
                    timeout,
                    priority,
                    range_subid: 0,
                    subtree,
                    upper_bound: None,
                })
            }),
            Just(Body::Ping),
            Just(Body::CleanupSet),
        ]
    }

    proptest! {
        #[test]
        fn round_trips(body in arb_body(), big in any::<bool>(), context in proptest::option::of("[a-z]{0,7}")) {
            let context = context.map(Bytes::from).filter(|_| has_context(body.kind()));
            let mut flag_bits = if big { flags::NETWORK_BYTE_ORDER } else { 0 };
            if context.is_some() {
                flag_bits |= flags::NON_DEFAULT_CONTEXT;
            }
            let pdu = Pdu { header: header(body.kind(), flag_bits), context, body };
            let bytes = pdu.encode();
            let decoded = decode(&bytes).map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(&decoded.body, &pdu.body);
            prop_assert_eq!(&decoded.context, &pdu.context);
            prop_assert_eq!(decoded.encode(), bytes);
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }
}
