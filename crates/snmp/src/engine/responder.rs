//! The responder engine: the command responder's message processing, without I/O
//! (RFC 3412 §4.2, RFC 3584 §5.2 for the community-based model, RFC 3416 §4.2 for sizes).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use bytes::Bytes;

use crate::ber::Writer;
use crate::ber::tag::{INTEGER, OCTET_STRING, SEQUENCE};
use crate::community::{CommunityEntry, CommunityMiss, CommunityTable};
use crate::engine::Transmit;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::message::{CommunityMessage, Message, Version};
use crate::pdu::{AnyPdu, ErrorStatus, Pdu, PduKind, RequestId, VarBind};
use crate::security::{AdminString, SecurityLevel, SecurityModel};

use self::v3::Usm;
pub use self::v3::{MAX_REMOTE_ENGINES, TrapUser, UsmConfig};

/// The command-responder side of SNMP, without I/O.
///
/// [`handle_datagram`](Self::handle_datagram) authenticates a received datagram (the
/// community against the [`CommunityTable`], RFC 3584 §5.2.1; an SNMPv3 message through the
/// USM, RFC 3414 §3.2, once [`with_usm`](Self::with_usm) gave it users, answering discovery
/// and refusals with Reports) and hands back the request to process; the application computes the Response-PDU and gives it to
/// [`respond`](Self::respond), which sizes it to what the request allows (RFC 3416 §4.2.1,
/// §4.2.3: `tooBig`, GETBULK cut) and encodes it. Every step counts in the SNMPv2-MIB snmp
/// group ([`SnmpCounters`], RFC 3418), which the agent serves.
pub struct ResponderEngine {
    config: ResponderConfig,
    counters: Arc<SnmpCounters>,
    usm: Option<Usm>,
    amplification: Option<AmplificationLimit>,
    /// Where community responses are encoded before they are copied out at their exact
    /// size: the allocator then serves a small block from its fast path instead of a
    /// frame-sized one, and the `Bytes` sent owns its buffer without a second allocation.
    /// It keeps the capacity of the largest response sent, at most one datagram.
    scratch: Vec<u8>,
}

impl ResponderEngine {
    /// An engine with fresh counters.
    pub fn new(config: ResponderConfig) -> Self {
        Self {
            config,
            counters: Arc::new(SnmpCounters::default()),
            usm: None,
            amplification: None,
            scratch: Vec::new(),
        }
    }

    /// This engine with responses to unauthenticated requests bounded by `limit`
    /// ([`AmplificationLimit`]); without it, only the message sizes bound them.
    #[must_use]
    pub fn with_amplification_limit(mut self, limit: AmplificationLimit) -> Self {
        self.amplification = Some(limit);
        self
    }

    /// Replaces the bound on responses to unauthenticated requests (`None`: no bound).
    pub fn set_amplification_limit(&mut self, limit: Option<AmplificationLimit>) {
        self.amplification = limit;
    }

    /// This engine with SNMPv3 (RFC 3414): `usm`'s engine ID and users, its clock starting
    /// at `now`, privacy salts from `salt_seed` (pass fresh randomness).
    #[must_use]
    pub fn with_usm(mut self, usm: UsmConfig, now: Instant, salt_seed: u64) -> Self {
        self.usm = Some(Usm::new(usm, now, salt_seed));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &ResponderConfig {
        &self.config
    }

    /// Replaces the community table (a configuration reload); counters are kept.
    pub fn set_communities(&mut self, communities: CommunityTable) {
        self.config.communities = communities;
    }

    /// Replaces the USM users (a configuration reload); engine ID, boots and clock stay.
    /// Without SNMPv3 enabled ([`with_usm`](Self::with_usm)), does nothing.
    pub fn set_users(&mut self, users: Vec<(Bytes, crate::usm::Credentials)>) {
        if let Some(usm) = self.usm.as_mut() {
            usm.set_users(users);
        }
    }

    /// Replaces the users SNMPv3 traps are accepted from, the sender being authoritative
    /// (RFC 3414 §3.2; a configuration reload). Without SNMPv3 enabled
    /// ([`with_usm`](Self::with_usm)), does nothing; with no such user, a trap for another
    /// engine ID is refused as `usmStatsUnknownEngineIDs`.
    pub fn set_trap_users(&mut self, users: Vec<TrapUser>) {
        if let Some(usm) = self.usm.as_mut() {
            usm.set_trap_users(users);
        }
    }

    /// This engine's snmpEngineID, when SNMPv3 is enabled: the one informs must carry.
    pub fn engine_id(&self) -> Option<&crate::usm::EngineId> {
        self.usm.as_ref().map(Usm::engine_id)
    }

    /// How many times USM keys were localized, for this engine's users and for trap
    /// senders' engines: once per (user, engine) unless credentials change (RFC 3414 §2.6
    /// derivations are slow on purpose, so they are cached). 0 without SNMPv3.
    pub fn key_derivations(&self) -> u64 {
        self.usm.as_ref().map_or(0, Usm::key_derivations)
    }

    /// The snmp group counters, shared with whoever serves them.
    pub fn counters(&self) -> &Arc<SnmpCounters> {
        &self.counters
    }

    /// Processes one received datagram from `from`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: Bytes) -> Incoming {
        self.counters.increment(SnmpCounter::InPkts);
        let message = match Message::decode(datagram.clone()) {
            Ok(message) => message,
            Err(error) => {
                // RFC 3412 §7.2 steps 4 and 5 count in SNMP-MPD-MIB, the rest in the snmp group.
                match error.kind {
                    DecodeErrorKind::UnsupportedVersion(_) => {
                        self.counters.increment(SnmpCounter::InBadVersions);
                    }
                    DecodeErrorKind::UnsupportedSecurityModel(_) => {
                        self.counters.count_mpd(MpdStat::UnknownSecurityModels);
                    }
                    DecodeErrorKind::InvalidMsgFlags => {
                        self.counters.count_mpd(MpdStat::InvalidMsgs);
                    }
                    _ => self.counters.increment(SnmpCounter::InAsnParseErrs),
                }
                return Incoming::Drop(DropReason::Malformed(error));
            }
        };
        let counters = &self.counters;
        let message = match message {
            Message::Community(message) => message,
            Message::V3(message) => {
                let mut incoming = self.handle_v3(now, from, &datagram, message);
                if let (Incoming::Request(ctx, _), Some(limit)) =
                    (&mut incoming, self.amplification)
                {
                    if ctx.security_level == SecurityLevel::NoAuthNoPriv {
                        ctx.max_size = ctx.max_size.min(limit.bound(datagram.len()));
                    }
                }
                return incoming;
            }
        };
        let CommunityMessage {
            version,
            community,
            pdu,
        } = message;
        let entry = match self.config.communities.lookup(&community, from.ip()) {
            Ok(entry) => entry,
            Err(miss) => {
                counters.increment(SnmpCounter::InBadCommunityNames);
                return Incoming::Drop(DropReason::BadCommunity(miss));
            }
        };
        let kind = match &pdu {
            AnyPdu::Pdu(pdu) => pdu.kind,
            // RFC 3584 §4.1: a GetBulk in an SNMPv1 message is a parse error.
            AnyPdu::Bulk(_) if version == Version::V1 => {
                counters.increment(SnmpCounter::InAsnParseErrs);
                return Incoming::Drop(DropReason::UnexpectedPdu);
            }
            AnyPdu::Bulk(_) => PduKind::GetRequest,
            AnyPdu::TrapV1(_) => {
                counters.increment(SnmpCounter::InTraps);
                return Incoming::Notification(
                    self.context(from, version, community, entry, &pdu),
                    pdu,
                );
            }
        };
        let counter = match (&pdu, kind) {
            (AnyPdu::Bulk(_), _) => None,
            (_, PduKind::GetRequest) => Some(SnmpCounter::InGetRequests),
            (_, PduKind::GetNextRequest) => Some(SnmpCounter::InGetNexts),
            (_, PduKind::SetRequest) => Some(SnmpCounter::InSetRequests),
            (_, PduKind::SnmpV2Trap | PduKind::InformRequest) => {
                counters.increment(SnmpCounter::InTraps);
                return Incoming::Notification(
                    self.context(from, version, community, entry, &pdu),
                    pdu,
                );
            }
            (AnyPdu::Pdu(response), PduKind::Response) => {
                counters.increment(SnmpCounter::InGetResponses);
                count_received_error(counters, response.error_status);
                return Incoming::Drop(DropReason::UnexpectedPdu);
            }
            (_, PduKind::Response | PduKind::Report) => {
                return Incoming::Drop(DropReason::UnexpectedPdu);
            }
        };
        if let Some(counter) = counter {
            counters.increment(counter);
        }
        let mut ctx = self.context(from, version, community, entry, &pdu);
        if let Some(limit) = self.amplification {
            ctx.max_size = ctx.max_size.min(limit.bound(datagram.len()));
        }
        Incoming::Request(ctx, pdu)
    }

    /// Encodes `response` to the request `ctx` describes, sized to fit (RFC 3416 §4.2.1,
    /// §4.2.3): a GETBULK response loses trailing varbinds until it fits; any other response,
    /// or a GETBULK response that cannot carry even one varbind, becomes `tooBig` with no
    /// varbind (with the request's varbinds for SNMPv1, RFC 1157 §4.1.2, when they fit).
    /// `None` when not even that fits, counted in `snmpSilentDrops`.
    ///
    /// The request-id and the PDU type are set here: the caller fills in the status, index
    /// and varbinds.
    pub fn respond(&mut self, ctx: &RequestContext, mut response: Pdu) -> Option<Transmit> {
        // A trap is never answered (RFC 3416 §4.2.6), and an SNMPv3 trap's keys are the
        // sender's, not this engine's.
        if ctx.kind == Some(PduKind::SnmpV2Trap) {
            return None;
        }
        response.kind = PduKind::Response;
        response.request_id = ctx.request_id;
        let limit = ctx.max_size;
        let mut contents = self.encode(ctx, &mut response)?;
        let mut cut_to_nothing = false;
        if contents.len() > limit && ctx.bulk && response.error_status == ErrorStatus::NoError {
            // Cut trailing varbinds worth the excess, then check again: length octets and
            // privacy padding make the first cut an estimate.
            while contents.len() > limit && !response.varbinds.is_empty() {
                let mut excess = contents.len() - limit;
                while excess > 0 {
                    let Some(varbind) = response.varbinds.pop() else {
                        break;
                    };
                    excess = excess.saturating_sub(varbind_size(&varbind));
                }
                if response.varbinds.is_empty() {
                    cut_to_nothing = true;
                    break;
                }
                contents = self.encode(ctx, &mut response)?;
            }
        }
        if contents.len() > limit || cut_to_nothing {
            response.error_status = ErrorStatus::TooBig;
            response.error_index = 0;
            response.varbinds = match ctx.version {
                Version::V1 => ctx.request_varbinds.clone(),
                _ => Vec::new(),
            };
            contents = self.encode(ctx, &mut response)?;
            if contents.len() > limit {
                response.varbinds.clear();
                contents = self.encode(ctx, &mut response)?;
            }
            if contents.len() > limit {
                self.counters.increment(SnmpCounter::SilentDrops);
                return None;
            }
        }
        self.count_response(ctx, &response);
        Some(Transmit {
            destination: ctx.from,
            contents: Bytes::from(contents),
            request: None,
        })
    }

    fn context(
        &self,
        from: SocketAddr,
        version: Version,
        community: Bytes,
        entry: &CommunityEntry,
        pdu: &AnyPdu,
    ) -> RequestContext {
        RequestContext {
            from,
            version,
            community,
            security_model: match version {
                Version::V1 => SecurityModel::V1,
                _ => SecurityModel::V2c,
            },
            security_level: SecurityLevel::NoAuthNoPriv,
            security_name: entry.security_name().clone(),
            context_name: entry.context_name().clone(),
            request_id: pdu.request_id().unwrap_or(RequestId(0)),
            bulk: matches!(pdu, AnyPdu::Bulk(_)),
            // Only a v1 tooBig repeats them (RFC 1157 §4.1.2): v2c requests do not pay the copy.
            request_varbinds: match version {
                Version::V1 => pdu.varbinds().to_vec(),
                _ => Vec::new(),
            },
            max_size: self.config.max_message_size(),
            kind: match pdu {
                AnyPdu::Pdu(pdu) => Some(pdu.kind),
                AnyPdu::Bulk(_) | AnyPdu::TrapV1(_) => None,
            },
            v3: None,
        }
    }

    /// The response message: community-based, or through the USM for v3.
    fn encode(&mut self, ctx: &RequestContext, response: &mut Pdu) -> Option<Vec<u8>> {
        match ctx.version {
            Version::V3 => self.encode_v3(ctx, response),
            _ => {
                self.scratch.clear();
                encode(&mut self.scratch, ctx, response);
                Some(self.scratch.as_slice().to_vec())
            }
        }
    }

    fn count_response(&self, ctx: &RequestContext, response: &Pdu) {
        let counters = &self.counters;
        counters.increment(SnmpCounter::OutPkts);
        counters.increment(SnmpCounter::OutGetResponses);
        let counter = match response.error_status {
            ErrorStatus::NoError => {
                let vars = u32::try_from(response.varbinds.len()).unwrap_or(u32::MAX);
                counters.add(
                    if ctx.kind == Some(PduKind::SetRequest) {
                        SnmpCounter::InTotalSetVars
                    } else {
                        SnmpCounter::InTotalReqVars
                    },
                    vars,
                );
                return;
            }
            ErrorStatus::TooBig => SnmpCounter::OutTooBigs,
            ErrorStatus::NoSuchName => SnmpCounter::OutNoSuchNames,
            ErrorStatus::BadValue => SnmpCounter::OutBadValues,
            ErrorStatus::GenErr => SnmpCounter::OutGenErrs,
            _ => return,
        };
        counters.increment(counter);
    }
}

impl fmt::Debug for ResponderEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderEngine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// How a [`ResponderEngine`] authenticates and sizes.
#[derive(Debug, Clone, Default)]
pub struct ResponderConfig {
    /// Which communities are accepted from where (RFC 3584 §5.1).
    pub communities: CommunityTable,
    /// The largest response message this agent sends to v1 and v2c requests (which carry no
    /// size of their own), clamped to 484..=65 507; 0 means the maximum.
    pub max_message_size: usize,
}

impl ResponderConfig {
    /// The effective maximum response size (RFC 3417 §3.2: at least 484 octets; a UDP/IPv4
    /// datagram carries at most 65 507).
    pub fn max_message_size(&self) -> usize {
        match self.max_message_size {
            0 => MAX_MESSAGE_SIZE,
            size => size.clamp(MIN_MESSAGE_SIZE, MAX_MESSAGE_SIZE),
        }
    }
}

/// What a received datagram turned out to be.
#[derive(Debug)]
#[non_exhaustive]
pub enum Incoming {
    /// A request (Get, GetNext, GetBulk, Set) to process and answer with
    /// [`ResponderEngine::respond`].
    Request(RequestContext, AnyPdu),
    /// A notification (v1 Trap, SNMPv2-Trap, InformRequest): an inform is acknowledged with
    /// [`ResponderEngine::respond`].
    Notification(RequestContext, AnyPdu),
    /// A datagram to send straight back (an SNMPv3 discovery report).
    Report(Transmit),
    /// Nothing to do; the reason was counted.
    Drop(DropReason),
}

/// Why a datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// It did not decode (`snmpInASNParseErrs`, or `snmpInBadVersions` for an unknown
    /// version).
    Malformed(DecodeError),
    /// A message of a version this engine does not process (`snmpInBadVersions`).
    UnsupportedVersion,
    /// The community is unknown, or not accepted from this source
    /// (`snmpInBadCommunityNames`).
    BadCommunity(CommunityMiss),
    /// A PDU a command responder does not take: a Response, a Report, a GetBulk in SNMPv1.
    UnexpectedPdu,
    /// The USM refused the message (RFC 3414 §3.2), counted in this usmStats counter; a
    /// Report was sent instead when the message was reportable.
    Usm(UsmStat),
}

/// What the engine knows of a request, to be handed back to [`ResponderEngine::respond`].
#[derive(Clone)]
pub struct RequestContext {
    /// The manager's address.
    pub from: SocketAddr,
    /// The message version, which is also the security model (RFC 3584 §5.2.1).
    pub version: Version,
    /// The community the request came with: a secret, never logged.
    pub community: Bytes,
    /// The security model: SNMPv1 or SNMPv2c for community messages (RFC 3584 §5.2.1).
    pub security_model: SecurityModel,
    /// The security level: noAuthNoPriv for community messages.
    pub security_level: SecurityLevel,
    /// The security name the community maps to, for access control (RFC 3584 §5.2.1).
    pub security_name: AdminString,
    /// The context the community maps to.
    pub context_name: AdminString,
    /// The request-id to answer with.
    pub request_id: RequestId,
    /// Whether the request is a GetBulk, whose response may be cut to fit.
    pub bulk: bool,
    /// The request's varbinds, which v1 error responses repeat: empty for the other
    /// versions, whose responses never carry them.
    pub request_varbinds: Vec<VarBind>,
    /// The largest response the manager accepts.
    pub max_size: usize,
    kind: Option<PduKind>,
    v3: Option<V3Request>,
}

/// What a v3 response repeats of its request.
#[derive(Clone)]
struct V3Request {
    msg_id: u32,
    user_name: Bytes,
    context_name: Bytes,
    received: Instant,
    /// msgAuthoritativeEngineID: this engine's, or a trap sender's.
    engine_id: Bytes,
    /// The request's contextEngineID, which the Response repeats (RFC 3412 §7.1 step 3:
    /// an inform's sender may name its own engine there).
    context_engine_id: Bytes,
}

impl RequestContext {
    /// The request's PDU kind, `None` for a GetBulk or a v1 Trap.
    pub fn kind(&self) -> Option<PduKind> {
        self.kind
    }

    /// For SNMPv3, msgAuthoritativeEngineID: this engine's for a request or an inform, the
    /// sender's for a trap (RFC 3412 §7.2); `None` for v1 and v2c.
    pub fn security_engine_id(&self) -> Option<&Bytes> {
        self.v3.as_ref().map(|v3| &v3.engine_id)
    }
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("from", &self.from)
            .field("version", &self.version)
            .field("community", &"***")
            .field("security_name", &self.security_name)
            .field("request_id", &self.request_id)
            .field("bulk", &self.bulk)
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

/// The snmp group counters of SNMPv2-MIB (RFC 3418 §2, and the SNMPv1-era ones RFC 1213
/// defined, which Net-SNMP still serves), each at `1.3.6.1.2.1.11.<arc>`.
#[derive(Debug)]
pub struct SnmpCounters {
    values: [AtomicU32; COUNTER_SLOTS],
    usm: [AtomicU32; USM_SLOTS],
    mpd: [AtomicU32; MPD_SLOTS],
}

impl Default for SnmpCounters {
    /// Every counter at zero.
    fn default() -> Self {
        Self {
            values: std::array::from_fn(|_| AtomicU32::new(0)),
            usm: std::array::from_fn(|_| AtomicU32::new(0)),
            mpd: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

impl SnmpCounters {
    /// A usmStats counter (RFC 3414 §5, `1.3.6.1.6.3.15.1.1.<arc>`).
    pub fn usm(&self, stat: UsmStat) -> u32 {
        self.usm
            .get(usize::from(stat.arc()))
            .map_or(0, |slot| slot.load(Ordering::Relaxed))
    }

    /// An snmpMPDStats counter (RFC 3412 §5, `1.3.6.1.6.3.11.2.1.<arc>`).
    pub fn mpd(&self, stat: MpdStat) -> u32 {
        self.mpd
            .get(usize::from(stat.arc()))
            .map_or(0, |slot| slot.load(Ordering::Relaxed))
    }

    fn count_mpd(&self, stat: MpdStat) {
        if let Some(slot) = self.mpd.get(usize::from(stat.arc())) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Adds one to a usmStats counter and returns its new value, for the Report.
    fn count_usm(&self, stat: UsmStat) -> u32 {
        self.usm.get(usize::from(stat.arc())).map_or(0, |slot| {
            slot.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
        })
    }

    /// The counter's value (a Counter32: it wraps).
    pub fn get(&self, counter: SnmpCounter) -> u32 {
        self.slot(counter)
            .map_or(0, |slot| slot.load(Ordering::Relaxed))
    }

    /// Adds one.
    pub fn increment(&self, counter: SnmpCounter) {
        self.add(counter, 1);
    }

    /// Adds `n`, wrapping as Counter32 does.
    pub fn add(&self, counter: SnmpCounter, n: u32) {
        if let Some(slot) = self.slot(counter) {
            slot.fetch_add(n, Ordering::Relaxed);
        }
    }

    fn slot(&self, counter: SnmpCounter) -> Option<&AtomicU32> {
        self.values.get(usize::from(counter.arc()))
    }
}

/// One counter of the snmp group, named as SNMPv2-MIB names it, its discriminant being its
/// arc under `snmp` (1.3.6.1.2.1.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SnmpCounter {
    /// snmpInPkts(1)
    InPkts = 1,
    /// snmpOutPkts(2)
    OutPkts = 2,
    /// snmpInBadVersions(3)
    InBadVersions = 3,
    /// snmpInBadCommunityNames(4)
    InBadCommunityNames = 4,
    /// snmpInBadCommunityUses(5)
    InBadCommunityUses = 5,
    /// snmpInASNParseErrs(6)
    InAsnParseErrs = 6,
    /// snmpInTooBigs(8)
    InTooBigs = 8,
    /// snmpInNoSuchNames(9)
    InNoSuchNames = 9,
    /// snmpInBadValues(10)
    InBadValues = 10,
    /// snmpInReadOnlys(11)
    InReadOnlys = 11,
    /// snmpInGenErrs(12)
    InGenErrs = 12,
    /// snmpInTotalReqVars(13)
    InTotalReqVars = 13,
    /// snmpInTotalSetVars(14)
    InTotalSetVars = 14,
    /// snmpInGetRequests(15)
    InGetRequests = 15,
    /// snmpInGetNexts(16)
    InGetNexts = 16,
    /// snmpInSetRequests(17)
    InSetRequests = 17,
    /// snmpInGetResponses(18)
    InGetResponses = 18,
    /// snmpInTraps(19)
    InTraps = 19,
    /// snmpOutTooBigs(20)
    OutTooBigs = 20,
    /// snmpOutNoSuchNames(21)
    OutNoSuchNames = 21,
    /// snmpOutBadValues(22)
    OutBadValues = 22,
    /// snmpOutGenErrs(24)
    OutGenErrs = 24,
    /// snmpOutGetRequests(25)
    OutGetRequests = 25,
    /// snmpOutGetNexts(26)
    OutGetNexts = 26,
    /// snmpOutSetRequests(27)
    OutSetRequests = 27,
    /// snmpOutGetResponses(28)
    OutGetResponses = 28,
    /// snmpOutTraps(29)
    OutTraps = 29,
    /// snmpSilentDrops(31)
    SilentDrops = 31,
    /// snmpProxyDrops(32)
    ProxyDrops = 32,
}

impl SnmpCounter {
    /// Every counter, in arc order (snmpEnableAuthenTraps, arc 30, is not a counter).
    pub const ALL: [Self; 29] = [
        Self::InPkts,
        Self::OutPkts,
        Self::InBadVersions,
        Self::InBadCommunityNames,
        Self::InBadCommunityUses,
        Self::InAsnParseErrs,
        Self::InTooBigs,
        Self::InNoSuchNames,
        Self::InBadValues,
        Self::InReadOnlys,
        Self::InGenErrs,
        Self::InTotalReqVars,
        Self::InTotalSetVars,
        Self::InGetRequests,
        Self::InGetNexts,
        Self::InSetRequests,
        Self::InGetResponses,
        Self::InTraps,
        Self::OutTooBigs,
        Self::OutNoSuchNames,
        Self::OutBadValues,
        Self::OutGenErrs,
        Self::OutGetRequests,
        Self::OutGetNexts,
        Self::OutSetRequests,
        Self::OutGetResponses,
        Self::OutTraps,
        Self::SilentDrops,
        Self::ProxyDrops,
    ];

    /// Its arc under `snmp` (1.3.6.1.2.1.11).
    pub fn arc(self) -> u8 {
        self as u8
    }
}

/// The usmStats counters of SNMP-USER-BASED-SM-MIB (RFC 3414 §5), each at
/// `1.3.6.1.6.3.15.1.1.<arc>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum UsmStat {
    /// usmStatsUnsupportedSecLevels(1)
    UnsupportedSecLevels = 1,
    /// usmStatsNotInTimeWindows(2)
    NotInTimeWindows = 2,
    /// usmStatsUnknownUserNames(3)
    UnknownUserNames = 3,
    /// usmStatsUnknownEngineIDs(4)
    UnknownEngineIds = 4,
    /// usmStatsWrongDigests(5)
    WrongDigests = 5,
    /// usmStatsDecryptionErrors(6)
    DecryptionErrors = 6,
}

impl UsmStat {
    /// Every counter, in arc order.
    pub const ALL: [Self; 6] = [
        Self::UnsupportedSecLevels,
        Self::NotInTimeWindows,
        Self::UnknownUserNames,
        Self::UnknownEngineIds,
        Self::WrongDigests,
        Self::DecryptionErrors,
    ];

    /// Its arc under usmStats.
    pub fn arc(self) -> u8 {
        self as u8
    }
}

/// The snmpMPDStats counters of SNMP-MPD-MIB (RFC 3412 §5), each at
/// `1.3.6.1.6.3.11.2.1.<arc>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MpdStat {
    /// snmpUnknownSecurityModels(1): a v3 message for a security model other than the USM.
    UnknownSecurityModels = 1,
    /// snmpInvalidMsgs(2): inconsistent msgFlags (privacy without authentication).
    InvalidMsgs = 2,
    /// snmpUnknownPDUHandlers(3): no application for the PDU (always 0 here: the agent
    /// takes every request type).
    UnknownPduHandlers = 3,
}

impl MpdStat {
    /// Every counter, in arc order.
    pub const ALL: [Self; 3] = [
        Self::UnknownSecurityModels,
        Self::InvalidMsgs,
        Self::UnknownPduHandlers,
    ];

    /// Its arc under snmpMPDStats.
    pub fn arc(self) -> u8 {
        self as u8
    }
}

fn count_received_error(counters: &SnmpCounters, status: ErrorStatus) {
    let counter = match status {
        ErrorStatus::TooBig => SnmpCounter::InTooBigs,
        ErrorStatus::NoSuchName => SnmpCounter::InNoSuchNames,
        ErrorStatus::BadValue => SnmpCounter::InBadValues,
        ErrorStatus::ReadOnly => SnmpCounter::InReadOnlys,
        ErrorStatus::GenErr => SnmpCounter::InGenErrs,
        _ => return,
    };
    counters.increment(counter);
}

/// The response message into `out`, written straight from the borrowed PDU (no copy of the
/// varbinds).
fn encode(out: &mut Vec<u8>, ctx: &RequestContext, response: &Pdu) {
    out.reserve(ENCODE_CAPACITY);
    Writer::new(out).constructed(SEQUENCE, |w| {
        w.integer(INTEGER, i64::from(ctx.version as u8));
        w.octets(OCTET_STRING, &ctx.community);
        response.write(w);
    });
}

/// A varbind's encoded size.
fn varbind_size(varbind: &VarBind) -> usize {
    let mut out = Vec::new();
    varbind.write(&mut Writer::new(&mut out));
    out.len()
}

/// The smallest message size every SNMP entity accepts (RFC 3417 §3.2).
pub const MIN_MESSAGE_SIZE: usize = 484;

/// A bound on the size of a response relative to its request, for requests whose source is
/// not authenticated: community-based (v1, v2c) and noAuthNoPriv SNMPv3 messages.
///
/// A UDP source address can be forged, so an agent that answers a 40-byte GETBULK with a
/// 65 KB response is a reflection amplifier aimed at whoever the forged address names
/// (US-CERT TA14-017A lists SNMP at up to 650×). The response's size is capped at
/// `max(floor, factor × request size)`: a GETBULK response is cut to fit and any other
/// becomes `tooBig` (RFC 3416 §4.2.1, §4.2.3), which managers handle by asking again with
/// fewer varbinds. Discovery and error Reports are small and fixed in size already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmplificationLimit {
    /// How many times the request's size a response may be.
    pub factor: usize,
    /// The size every response may have, whatever the request's: one Ethernet frame and
    /// some, so that small GETs of long values are answered.
    pub floor: usize,
}

impl AmplificationLimit {
    /// 32 times the request, at least 2048 bytes: Net-SNMP's `snmpd` answers a 58-byte
    /// GETBULK of three varbinds with 3554 bytes (its 100-varbind cap, 61×).
    pub const DEFAULT: Self = Self {
        factor: 32,
        floor: 2_048,
    };

    /// The largest response to a request of `request` bytes.
    pub fn bound(self, request: usize) -> usize {
        request.saturating_mul(self.factor).max(self.floor)
    }
}

impl Default for AmplificationLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}
/// The largest UDP payload over IPv4.
pub const MAX_MESSAGE_SIZE: usize = 65_507;
const COUNTER_SLOTS: usize = 33;
const USM_SLOTS: usize = 7;
const MPD_SLOTS: usize = 4;
/// A first allocation that holds most responses (an Ethernet frame's worth).
const ENCODE_CAPACITY: usize = 1_500;

#[cfg(test)]
mod tests;
mod v3;
