//! Protocol data units (RFC 1157 §4.1, RFC 3416 §3).

use std::net::Ipv4Addr;

use crate::ber::tag::{INTEGER, IP_ADDRESS, OBJECT_IDENTIFIER, SEQUENCE, TIMETICKS};
use crate::ber::{
    Reader, ReverseWriter, SliceWriter, Writer, integer_len, oid_len, tlv_len, unsigned_len,
};
use crate::error::{DecodeError, DecodeErrorKind};
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

    /// Reads one PDU TLV, of any of the nine PDU tags (RFC 3416 §3, RFC 1157 §4.1).
    ///
    /// The PDU is decoded whatever the message version: whether a v1 message may carry a
    /// GetBulk is for the engine to decide (RFC 3584 §4.1), not the codec.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = reader.offset();
        let (tag, mut contents) = reader.read_any()?;
        let pdu = match tag {
            TAG_GET_BULK_REQUEST => Self::Bulk(BulkPdu::read_contents(&mut contents)?),
            TAG_TRAP_V1 => Self::TrapV1(TrapV1Pdu::read_contents(&mut contents)?),
            _ => {
                let Some(kind) = PduKind::from_tag(tag) else {
                    return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag(tag), at));
                };
                Self::Pdu(Pdu::read_contents(kind, &mut contents)?)
            }
        };
        contents.finish()?;
        Ok(pdu)
    }

    /// Writes this PDU's TLV.
    pub fn write(&self, writer: &mut Writer<'_>) {
        let (content, list) = self.lengths();
        writer.fill(tlv_len(content), |w| self.write_to(w, content, list));
    }

    /// The PDU's content length and its varbind list's, computed in one pass.
    pub(crate) fn lengths(&self) -> (usize, usize) {
        match self {
            Self::Pdu(pdu) => pdu.lengths(),
            Self::Bulk(bulk) => bulk.lengths(),
            Self::TrapV1(trap) => trap.lengths(),
        }
    }

    /// Writes the PDU TLV backwards, before what `writer` holds.
    pub(crate) fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        match self {
            Self::Pdu(pdu) => pdu.write_reverse(writer),
            Self::Bulk(bulk) => bulk.write_reverse(writer),
            Self::TrapV1(trap) => trap.write_reverse(writer),
        }
    }

    /// Writes the PDU TLV, given [`lengths`](Self::lengths).
    pub(crate) fn write_to(&self, writer: &mut SliceWriter<'_>, content: usize, list: usize) {
        match self {
            Self::Pdu(pdu) => pdu.write_to(writer, content, list),
            Self::Bulk(bulk) => bulk.write_to(writer, content, list),
            Self::TrapV1(trap) => trap.write_to(writer, content, list),
        }
    }

    /// The size of this PDU's BER encoding, tag and length included: exactly what
    /// [`write`](Self::write) appends.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Pdu(pdu) => pdu.encoded_len(),
            Self::Bulk(bulk) => bulk.encoded_len(),
            Self::TrapV1(trap) => trap.encoded_len(),
        }
    }

    /// A rough upper bound of the encoded size, to reserve buffer space in one go: cheaper
    /// than [`encoded_len`](Self::encoded_len), which computes every OID's length.
    pub(crate) fn size_hint(&self) -> usize {
        let varbinds: usize = self.varbinds().iter().map(VarBind::size_hint).sum();
        let enterprise = match self {
            Self::TrapV1(trap) => 2 + trap.enterprise.len() * 2,
            Self::Pdu(_) | Self::Bulk(_) => 0,
        };
        32 + enterprise + varbinds
    }
}

impl Pdu {
    /// Writes this PDU's TLV (RFC 3416 §3 `PDU`).
    pub fn write(&self, writer: &mut Writer<'_>) {
        let (content, list) = self.lengths();
        writer.fill(tlv_len(content), |w| self.write_to(w, content, list));
    }

    fn lengths(&self) -> (usize, usize) {
        let list = varbinds_len(&self.varbinds);
        (self.fields_len() + tlv_len(list), list)
    }

    fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        let end = writer.pos();
        write_varbinds_reverse(writer, &self.varbinds);
        writer.integer(INTEGER, i64::from(self.error_index));
        writer.integer(INTEGER, i64::from(self.error_status.code()));
        writer.integer(INTEGER, i64::from(self.request_id.0));
        writer.header(self.kind.tag(), end);
    }

    fn write_to(&self, writer: &mut SliceWriter<'_>, content: usize, list: usize) {
        writer.header(self.kind.tag(), content);
        writer.integer(INTEGER, i64::from(self.request_id.0));
        writer.integer(INTEGER, i64::from(self.error_status.code()));
        writer.integer(INTEGER, i64::from(self.error_index));
        write_varbinds(writer, &self.varbinds, list);
    }

    /// The size of this PDU's BER encoding, tag and length included.
    pub fn encoded_len(&self) -> usize {
        tlv_len(self.fields_len() + tlv_len(varbinds_len(&self.varbinds)))
    }

    /// The three INTEGER TLVs before the varbind list.
    fn fields_len(&self) -> usize {
        tlv_len(integer_len(i64::from(self.request_id.0)))
            + tlv_len(integer_len(i64::from(self.error_status.code())))
            + tlv_len(integer_len(i64::from(self.error_index)))
    }

    fn read_contents(kind: PduKind, contents: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let request_id = RequestId(contents.read(INTEGER)?.int32()?);
        let status = contents.read(INTEGER)?;
        let at = status.offset();
        let status = status.int32()?;
        let error_status = ErrorStatus::from_i32(status)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::InvalidErrorStatus(status), at))?;
        let error_index = non_negative(contents.read(INTEGER)?)?;
        let varbinds = read_varbinds(contents)?;
        Ok(Self {
            kind,
            request_id,
            error_status,
            error_index,
            varbinds,
        })
    }
}

impl BulkPdu {
    /// Writes this PDU's TLV (RFC 3416 §3 `BulkPDU`).
    pub fn write(&self, writer: &mut Writer<'_>) {
        let (content, list) = self.lengths();
        writer.fill(tlv_len(content), |w| self.write_to(w, content, list));
    }

    fn lengths(&self) -> (usize, usize) {
        let list = varbinds_len(&self.varbinds);
        (self.fields_len() + tlv_len(list), list)
    }

    fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        let end = writer.pos();
        write_varbinds_reverse(writer, &self.varbinds);
        writer.integer(INTEGER, i64::from(self.max_repetitions));
        writer.integer(INTEGER, i64::from(self.non_repeaters));
        writer.integer(INTEGER, i64::from(self.request_id.0));
        writer.header(TAG_GET_BULK_REQUEST, end);
    }

    fn write_to(&self, writer: &mut SliceWriter<'_>, content: usize, list: usize) {
        writer.header(TAG_GET_BULK_REQUEST, content);
        writer.integer(INTEGER, i64::from(self.request_id.0));
        writer.integer(INTEGER, i64::from(self.non_repeaters));
        writer.integer(INTEGER, i64::from(self.max_repetitions));
        write_varbinds(writer, &self.varbinds, list);
    }

    /// The size of this PDU's BER encoding, tag and length included.
    pub fn encoded_len(&self) -> usize {
        tlv_len(self.fields_len() + tlv_len(varbinds_len(&self.varbinds)))
    }

    /// The three INTEGER TLVs before the varbind list.
    fn fields_len(&self) -> usize {
        tlv_len(integer_len(i64::from(self.request_id.0)))
            + tlv_len(integer_len(i64::from(self.non_repeaters)))
            + tlv_len(integer_len(i64::from(self.max_repetitions)))
    }

    fn read_contents(contents: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let request_id = RequestId(contents.read(INTEGER)?.int32()?);
        // RFC 3416 §4.2.3: a negative non-repeaters or max-repetitions counts as zero.
        let non_repeaters = clamped(contents.read(INTEGER)?.integer()?);
        let max_repetitions = clamped(contents.read(INTEGER)?.integer()?);
        let varbinds = read_varbinds(contents)?;
        Ok(Self {
            request_id,
            non_repeaters,
            max_repetitions,
            varbinds,
        })
    }
}

impl TrapV1Pdu {
    /// Writes this PDU's TLV (RFC 1157 §4.1.6 `Trap-PDU`).
    pub fn write(&self, writer: &mut Writer<'_>) {
        let (content, list) = self.lengths();
        writer.fill(tlv_len(content), |w| self.write_to(w, content, list));
    }

    fn lengths(&self) -> (usize, usize) {
        let list = varbinds_len(&self.varbinds);
        (
            self.fields_len(oid_len(&self.enterprise)) + tlv_len(list),
            list,
        )
    }

    fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        let end = writer.pos();
        write_varbinds_reverse(writer, &self.varbinds);
        writer.unsigned(TIMETICKS, u64::from(self.time_stamp));
        writer.integer(INTEGER, i64::from(self.specific_trap));
        writer.integer(INTEGER, i64::from(self.generic_trap.code()));
        writer.octets(IP_ADDRESS, &self.agent_addr.octets());
        writer.oid(OBJECT_IDENTIFIER, &self.enterprise);
        writer.header(TAG_TRAP_V1, end);
    }

    fn write_to(&self, writer: &mut SliceWriter<'_>, content: usize, list: usize) {
        writer.header(TAG_TRAP_V1, content);
        writer.oid(
            OBJECT_IDENTIFIER,
            &self.enterprise,
            oid_len(&self.enterprise),
        );
        writer.octets(IP_ADDRESS, &self.agent_addr.octets());
        writer.integer(INTEGER, i64::from(self.generic_trap.code()));
        writer.integer(INTEGER, i64::from(self.specific_trap));
        writer.unsigned(TIMETICKS, u64::from(self.time_stamp));
        write_varbinds(writer, &self.varbinds, list);
    }

    /// The size of this PDU's BER encoding, tag and length included.
    pub fn encoded_len(&self) -> usize {
        let fields = self.fields_len(oid_len(&self.enterprise));
        tlv_len(fields + tlv_len(varbinds_len(&self.varbinds)))
    }

    /// The five TLVs before the varbind list, given the enterprise OID's content length.
    fn fields_len(&self, enterprise: usize) -> usize {
        tlv_len(enterprise)
            + tlv_len(4)
            + tlv_len(integer_len(i64::from(self.generic_trap.code())))
            + tlv_len(integer_len(i64::from(self.specific_trap)))
            + tlv_len(unsigned_len(u64::from(self.time_stamp)))
    }

    fn read_contents(contents: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let enterprise = contents.read(OBJECT_IDENTIFIER)?.oid()?;
        let address = contents.read(IP_ADDRESS)?;
        let agent_addr = <[u8; 4]>::try_from(address.as_slice())
            .map(Ipv4Addr::from)
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidIpAddress, address.offset()))?;
        let generic_trap = GenericTrap::from_code(contents.read(INTEGER)?.int32()?);
        let specific_trap = contents.read(INTEGER)?.int32()?;
        let time_stamp = contents.read(TIMETICKS)?.unsigned32()?;
        let varbinds = read_varbinds(contents)?;
        Ok(Self {
            enterprise,
            agent_addr,
            generic_trap,
            specific_trap,
            time_stamp,
            varbinds,
        })
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
        Self {
            name,
            value: Value::Null,
        }
    }

    /// Reads one `VarBind` SEQUENCE (RFC 3416 §3): a name and a value, nothing after them.
    #[inline]
    pub fn read(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut contents = reader.read(SEQUENCE)?;
        let name = contents.read(OBJECT_IDENTIFIER)?.oid()?;
        let value = Value::read(&mut contents)?;
        contents.finish()?;
        Ok(Self { name, value })
    }

    /// Writes this varbind's SEQUENCE.
    pub fn write(&self, writer: &mut Writer<'_>) {
        writer.fill(self.encoded_len(), |w| self.write_to(w));
    }

    #[inline]
    fn write_to(&self, writer: &mut SliceWriter<'_>) {
        let name = oid_len(&self.name);
        writer.header(SEQUENCE, tlv_len(name) + self.value.encoded_len());
        writer.oid(OBJECT_IDENTIFIER, &self.name, name);
        self.value.write_to(writer);
    }

    #[inline]
    fn write_reverse(&self, writer: &mut ReverseWriter<'_>) {
        let end = writer.pos();
        self.value.write_reverse(writer);
        writer.oid(OBJECT_IDENTIFIER, &self.name);
        writer.header(SEQUENCE, end);
    }

    fn size_hint(&self) -> usize {
        // Two headers of up to 3 octets, and an arc rarely needs more than 2 octets.
        6 + 2 + self.name.len() * 2 + self.value.size_hint()
    }

    /// The size of this varbind's BER encoding, tag and length included: exactly what
    /// [`write`](Self::write) appends.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        tlv_len(tlv_len(oid_len(&self.name)) + self.value.encoded_len())
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
        usize::try_from(n)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
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
pub enum GenericTrap {
    /// coldStart(0)
    ColdStart,
    /// warmStart(1)
    WarmStart,
    /// linkDown(2)
    LinkDown,
    /// linkUp(3)
    LinkUp,
    /// authenticationFailure(4)
    AuthenticationFailure,
    /// egpNeighborLoss(5)
    EgpNeighborLoss,
    /// enterpriseSpecific(6)
    EnterpriseSpecific,
    /// A value outside 0–6: RFC 1157 defines none, but Net-SNMP's `snmptrap` sends any
    /// integer and `snmptrapd` receives it, so vigie keeps it rather than drop the trap.
    Other(i32),
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

    /// The generic trap with this number, if it is one of RFC 1157's seven (0–6).
    pub fn from_i32(n: i32) -> Option<Self> {
        usize::try_from(n)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The generic trap with this number as it arrives on the wire: [`Other`](Self::Other)
    /// outside 0–6.
    pub fn from_code(n: i32) -> Self {
        Self::from_i32(n).unwrap_or(Self::Other(n))
    }

    /// Its number on the wire.
    pub fn code(self) -> i32 {
        match self {
            Self::ColdStart => 0,
            Self::WarmStart => 1,
            Self::LinkDown => 2,
            Self::LinkUp => 3,
            Self::AuthenticationFailure => 4,
            Self::EgpNeighborLoss => 5,
            Self::EnterpriseSpecific => 6,
            Self::Other(n) => n,
        }
    }
}

/// Reads the `VarBindList` SEQUENCE OF (RFC 3416 §3).
fn read_varbinds(reader: &mut Reader<'_>) -> Result<Vec<VarBind>, DecodeError> {
    let mut list = reader.read(SEQUENCE)?;
    // Sized by a first pass over the headers: exact, and bounded by the datagram.
    let mut varbinds = Vec::with_capacity(list.tlv_count());
    while !list.is_empty() {
        varbinds.push(VarBind::read(&mut list)?);
    }
    Ok(varbinds)
}

/// Content octets of the `VarBindList` SEQUENCE OF.
fn varbinds_len(varbinds: &[VarBind]) -> usize {
    varbinds.iter().map(VarBind::encoded_len).sum()
}

/// Writes the `VarBindList`, whose content length `len` is [`varbinds_len`]'s.
fn write_varbinds(writer: &mut SliceWriter<'_>, varbinds: &[VarBind], len: usize) {
    writer.header(SEQUENCE, len);
    for varbind in varbinds {
        varbind.write_to(writer);
    }
}

/// Writes the `VarBindList` backwards, its last varbind first.
fn write_varbinds_reverse(writer: &mut ReverseWriter<'_>, varbinds: &[VarBind]) {
    let end = writer.pos();
    for varbind in varbinds.iter().rev() {
        varbind.write_reverse(writer);
    }
    writer.header(SEQUENCE, end);
}

/// An INTEGER that must be 0..2^32-1, such as error-index.
fn non_negative(contents: Reader<'_>) -> Result<u32, DecodeError> {
    let at = contents.offset();
    contents
        .integer()
        .ok()
        .and_then(|value| u32::try_from(value).ok())
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::IntegerOutOfRange, at))
}

/// Clamps a GetBulk count to 0..2^32-1: negative means zero (RFC 3416 §4.2.3), and past the
/// ASN.1 range (2^31-1) nothing changes for an agent that caps repetitions anyway.
fn clamped(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
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

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::error::DecodeErrorKind::*;

    fn read(bytes: &[u8]) -> Result<AnyPdu, DecodeError> {
        let bytes = Bytes::copy_from_slice(bytes);
        let mut reader = Reader::new(&bytes);
        let pdu = AnyPdu::read(&mut reader)?;
        reader.finish()?;
        Ok(pdu)
    }

    fn written(pdu: &AnyPdu) -> Vec<u8> {
        let mut out = Vec::new();
        pdu.write(&mut Writer::new(&mut out));
        out
    }

    /// A GetRequest's contents around the given error-status and error-index octets.
    fn get_with(status: &[u8], index: &[u8]) -> Vec<u8> {
        let mut contents = vec![0x02, 0x01, 0x07];
        contents.extend(status);
        contents.extend(index);
        contents.extend([0x30, 0x00]);
        let mut out = vec![TAG_GET_REQUEST, u8::try_from(contents.len()).unwrap()];
        out.extend(contents);
        out
    }

    #[test]
    fn empty_varbind_list() {
        let pdu = AnyPdu::Pdu(Pdu {
            kind: PduKind::Report,
            request_id: RequestId(-1),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: Vec::new(),
        });
        let bytes = [
            0xa8, 0x0b, 0x02, 0x01, 0xff, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
        ];
        assert_eq!(written(&pdu), bytes);
        assert_eq!(read(&bytes), Ok(pdu));
    }

    #[test]
    fn every_error_status_round_trips_and_19_is_rejected() {
        for status in ErrorStatus::ALL {
            let bytes = get_with(&[0x02, 0x01, status.code()], &[0x02, 0x01, 0x00]);
            let Ok(AnyPdu::Pdu(pdu)) = read(&bytes) else {
                panic!("{status:?} does not decode");
            };
            assert_eq!(pdu.error_status, status);
            assert_eq!(written(&AnyPdu::Pdu(pdu)), bytes);
        }
        let bytes = get_with(&[0x02, 0x01, 19], &[0x02, 0x01, 0x00]);
        assert_eq!(
            read(&bytes),
            Err(DecodeError::new(InvalidErrorStatus(19), 7))
        );
        let bytes = get_with(&[0x02, 0x01, 0xff], &[0x02, 0x01, 0x00]);
        assert_eq!(
            read(&bytes),
            Err(DecodeError::new(InvalidErrorStatus(-1), 7))
        );
    }

    #[test]
    fn error_index_is_non_negative() {
        let bytes = get_with(&[0x02, 0x01, 0x05], &[0x02, 0x01, 0xff]);
        assert_eq!(read(&bytes), Err(DecodeError::new(IntegerOutOfRange, 10)));
        let bytes = get_with(
            &[0x02, 0x01, 0x05],
            &[0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff],
        );
        let Ok(AnyPdu::Pdu(pdu)) = read(&bytes) else {
            panic!("error-index 2^32-1 does not decode");
        };
        assert_eq!(pdu.error_index, u32::MAX);
    }

    #[test]
    fn bulk_counts_clamp_negative_to_zero() {
        let bytes = [
            0xa5, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x01, 0xff, 0x02, 0x01, 0x80, 0x30, 0x00,
        ];
        let Ok(AnyPdu::Bulk(bulk)) = read(&bytes) else {
            panic!("not a bulk");
        };
        assert_eq!((bulk.non_repeaters, bulk.max_repetitions), (0, 0));
        let huge = [
            0xa5, 0x0d, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x03, 0x01, 0x00, 0x00, 0x30,
            0x00,
        ];
        let Ok(AnyPdu::Bulk(bulk)) = read(&huge) else {
            panic!("not a bulk");
        };
        assert_eq!(bulk.max_repetitions, 0x01_0000);
    }

    #[test]
    fn generic_trap_outside_0_to_6_is_kept() {
        let mut bytes = vec![
            0xa4, 0x16, 0x06, 0x03, 0x2b, 0x06, 0x01, 0x40, 0x04, 10, 0, 0, 1,
        ];
        bytes.extend([
            0x02, 0x01, 0x07, 0x02, 0x01, 0x00, 0x43, 0x01, 0x00, 0x30, 0x00,
        ]);
        for (code, expected) in [
            (0x07, GenericTrap::Other(7)),
            (0xff, GenericTrap::Other(-1)),
            (0x06, GenericTrap::EnterpriseSpecific),
        ] {
            bytes[15] = code;
            let Ok(AnyPdu::TrapV1(trap)) = read(&bytes) else {
                panic!("not a trap");
            };
            assert_eq!(trap.generic_trap, expected);
            assert_eq!(trap.agent_addr, Ipv4Addr::new(10, 0, 0, 1));
            assert_eq!(written(&AnyPdu::TrapV1(trap)), bytes);
        }
    }

    #[test]
    fn rejects_unknown_pdu_tags_and_trailing_contents() {
        assert_eq!(
            read(&[0xa9, 0x00]),
            Err(DecodeError::new(UnexpectedTag(0xa9), 0))
        );
        assert_eq!(
            read(&[0x80, 0x00]),
            Err(DecodeError::new(UnexpectedTag(0x80), 0))
        );
        // A varbind with a third element.
        let mut bytes = get_with(&[0x02, 0x01, 0x00], &[0x02, 0x01, 0x00]);
        bytes.truncate(bytes.len() - 2);
        bytes.extend([
            0x30, 0x09, 0x30, 0x07, 0x06, 0x01, 0x2b, 0x05, 0x00, 0x05, 0x00,
        ]);
        bytes[1] = u8::try_from(bytes.len() - 2).unwrap();
        assert_eq!(read(&bytes), Err(DecodeError::new(TrailingData, 20)));
        // Something after the varbind list, inside the PDU.
        let mut bytes = get_with(&[0x02, 0x01, 0x00], &[0x02, 0x01, 0x00]);
        bytes.extend([0x05, 0x00]);
        bytes[1] += 2;
        assert_eq!(read(&bytes), Err(DecodeError::new(TrailingData, 13)));
    }

    #[test]
    fn encoded_lengths_are_exact() {
        let varbinds: Vec<VarBind> = [
            Value::Integer(-1),
            Value::OctetString(Bytes::from(vec![0xaa; 300])),
            Value::ObjectIdentifier("1.3.6.1.4.1.8072.3.2.10".parse().unwrap()),
            Value::Counter64(u64::MAX),
            Value::EndOfMibView,
        ]
        .into_iter()
        .map(|value| VarBind {
            name: "1.3.6.1.2.1.4.20.1.1.192.0.2.200".parse().unwrap(),
            value,
        })
        .collect();
        for varbind in &varbinds {
            let mut out = Vec::new();
            varbind.write(&mut Writer::new(&mut out));
            assert_eq!(out.len(), varbind.encoded_len());
            assert_eq!(varbind.value.to_vec().len(), varbind.value.encoded_len());
        }
        let pdus = [
            AnyPdu::Pdu(Pdu {
                kind: PduKind::Response,
                request_id: RequestId(i32::MIN),
                error_status: ErrorStatus::GenErr,
                error_index: 3,
                varbinds: varbinds.clone(),
            }),
            AnyPdu::Bulk(BulkPdu {
                request_id: RequestId(1),
                non_repeaters: 0,
                max_repetitions: u32::MAX,
                varbinds: varbinds.clone(),
            }),
            AnyPdu::TrapV1(TrapV1Pdu {
                enterprise: "1.3.6.1.4.1.8072".parse().unwrap(),
                agent_addr: Ipv4Addr::new(192, 0, 2, 1),
                generic_trap: GenericTrap::EnterpriseSpecific,
                specific_trap: -5,
                time_stamp: u32::MAX,
                varbinds,
            }),
        ];
        for pdu in pdus {
            let bytes = written(&pdu);
            assert_eq!(bytes.len(), pdu.encoded_len());
            // Backwards, the same bytes; with too little room, nothing.
            let mut reverse = Vec::new();
            assert!(
                Writer::new(&mut reverse).fill_reverse(bytes.len() + 9, |w| pdu.write_reverse(w))
            );
            assert_eq!(reverse, bytes);
            let mut short = vec![0xee];
            assert!(
                !Writer::new(&mut short).fill_reverse(bytes.len() - 1, |w| pdu.write_reverse(w))
            );
            assert_eq!(short, [0xee]);
            assert_eq!(read(&bytes), Ok(pdu));
        }
    }

    #[test]
    fn varbind_list_capacity_is_exact() {
        let mut bytes = get_with(&[0x02, 0x01, 0x00], &[0x02, 0x01, 0x00]);
        bytes.truncate(bytes.len() - 2);
        let varbind = [0x30, 0x05, 0x06, 0x01, 0x2b, 0x05, 0x00];
        bytes.extend([0x30, 3 * 7]);
        for _ in 0..3 {
            bytes.extend(varbind);
        }
        bytes[1] = u8::try_from(bytes.len() - 2).unwrap();
        let Ok(AnyPdu::Pdu(pdu)) = read(&bytes) else {
            panic!("does not decode");
        };
        assert_eq!(pdu.varbinds.len(), 3);
        assert_eq!(pdu.varbinds.capacity(), 3);
    }
}
