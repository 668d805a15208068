//! SNMPv3 in the client engine: engine discovery, Reports, and the User-based Security Model
//! applied to requests and responses (RFC 3412 §7.1, RFC 3414 §3 and §4).
//!
//! A v3 request goes through at most three phases, each a transmission with its own retries;
//! every transmission, retransmissions included, is a new message with its own msgID (and, at
//! authPriv, its own salt), and an answer to any transmission of the current phase counts:
//!
//! 1. discovery, when the target's authoritative engine ID is unknown: an empty GetRequest,
//!    noAuthNoPriv, reportable, with an empty engine ID and user name (RFC 3414 §4), answered by
//!    a `usmStatsUnknownEngineIDs` Report that carries the engine ID, boots and time;
//! 2. the request itself, secured with the keys localized for that engine;
//! 3. once only, the same request again after an authentic `usmStatsNotInTimeWindows` Report
//!    resynchronised the target's clock.
//!
//! Any other Report ends the request with a [`V3Failure`] naming it.

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

use crate::message::{ScopedPdu, ScopedPduData, V3Message};
use crate::oid::Oid;
use crate::pdu::{AnyPdu, ErrorStatus, Pdu, PduKind, RequestId};
use crate::security::SecurityLevel;
use crate::usm::{
    self, Credentials, EngineId, EngineTime, LocalizedKeys, Outgoing, PrivProtocol, RemoteClock,
    UsmError,
};

use super::{ClientEngine, ClientEvent, Outstanding};

/// Who sends SNMPv3 messages to one target, and how (Net-SNMP's `-u -l -a -A -x -X -e -E -n
/// -Z`).
///
/// Build it with [`UsmUser::new`] and set the optional fields. `Debug` shows the protocols,
/// never the keys.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsmUser {
    /// msgUserName, the security name (`-u`).
    pub user_name: Bytes,
    /// The security level of the requests (`-l`).
    pub level: SecurityLevel,
    /// The keys: `None` for noAuthNoPriv; with privacy for authPriv.
    pub credentials: Option<Credentials>,
    /// contextName (`-n`), empty for the default context.
    pub context_name: Bytes,
    /// contextEngineID (`-E`); `None` uses the authoritative engine's ID.
    pub context_engine_id: Option<Bytes>,
    /// The authoritative engine ID when already known (`-e`): no discovery is made. For
    /// traps, this engine's own ID, which is the authoritative one (RFC 3412 §7.1 step 9b).
    pub engine_id: Option<EngineId>,
    /// The authoritative engine's boots and time when already known (`-Z`). For traps, this
    /// engine's own.
    pub engine_time: Option<EngineTime>,
}

impl UsmUser {
    /// A user at `level`. Fails with [`UsmError::UnsupportedSecurityLevel`] when `credentials`
    /// lack the keys the level needs.
    pub fn new(
        user_name: impl Into<Bytes>,
        level: SecurityLevel,
        credentials: Option<Credentials>,
    ) -> Result<Self, UsmError> {
        let allowed = credentials
            .as_ref()
            .map_or(SecurityLevel::NoAuthNoPriv, Credentials::level);
        if level_rank(level) > level_rank(allowed) {
            return Err(UsmError::UnsupportedSecurityLevel(level));
        }
        Ok(Self {
            user_name: user_name.into(),
            level,
            credentials,
            context_name: Bytes::new(),
            context_engine_id: None,
            engine_id: None,
            engine_time: None,
        })
    }

    /// The privacy protocol in use at this level, if any.
    pub fn priv_protocol(&self) -> Option<PrivProtocol> {
        if self.level != SecurityLevel::AuthPriv {
            return None;
        }
        self.credentials
            .as_ref()
            .and_then(Credentials::priv_protocol)
    }
}

impl fmt::Debug for UsmUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsmUser")
            .field("user_name", &String::from_utf8_lossy(&self.user_name))
            .field("level", &self.level)
            .field("credentials", &self.credentials)
            .field("context_name", &String::from_utf8_lossy(&self.context_name))
            .field("context_engine_id", &self.context_engine_id)
            .field("engine_id", &self.engine_id)
            .field("engine_time", &self.engine_time)
            .finish()
    }
}

/// What the engine knows of a target's authoritative SNMP engine, learnt by discovery or
/// from authentic messages; callers may keep it and hand it to a later engine with
/// [`ClientEngine::set_remote_engine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEngine {
    /// snmpEngineID.
    pub engine_id: EngineId,
    /// snmpEngineBoots and snmpEngineTime as last learnt.
    pub engine_time: EngineTime,
    /// The largest message the engine accepts (its msgMaxSize).
    pub max_size: u32,
}

/// Why an SNMPv3 request failed, other than a timeout: the Report the agent sent (RFC 3414
/// §3.2, RFC 3412 §7.2, RFC 3413 §3.2), or what this engine could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum V3Failure {
    /// usmStatsUnknownUserNames: the agent has no such user.
    #[error("unknown user name")]
    UnknownUserName,
    /// usmStatsWrongDigests: the agent could not verify the MAC: a wrong authentication
    /// password, key or protocol.
    #[error("wrong digest (wrong authentication password or protocol)")]
    WrongDigest,
    /// usmStatsDecryptionErrors: the agent could not decrypt: a wrong privacy password, key or
    /// protocol.
    #[error("decryption error (wrong privacy password or protocol)")]
    DecryptionError,
    /// usmStatsNotInTimeWindows after the one resynchronisation allowed, or not authentic.
    #[error("not in time window")]
    NotInTimeWindow,
    /// usmStatsUnknownEngineIDs for a request that used a known engine ID.
    #[error("unknown engine ID")]
    UnknownEngineId,
    /// usmStatsUnsupportedSecLevels: the user does not exist at this security level.
    #[error("unsupported security level")]
    UnsupportedSecurityLevel,
    /// snmpUnknownContexts (RFC 3413 §3.2 step 4).
    #[error("unknown context")]
    UnknownContext,
    /// snmpUnavailableContexts (RFC 3413 §3.2 step 4).
    #[error("unavailable context")]
    UnavailableContext,
    /// snmpUnknownSecurityModels (RFC 3412 §7.2 step 4).
    #[error("unknown security model")]
    UnknownSecurityModel,
    /// snmpInvalidMsgs (RFC 3412 §7.2 step 5).
    #[error("invalid message")]
    InvalidMessage,
    /// snmpUnknownPDUHandlers (RFC 3412 §7.2 step 13).
    #[error("unknown PDU handler")]
    UnknownPduHandler,
    /// A Report whose first variable is none of the above (`None`: it had no variable).
    #[error("report of {}", .0.as_ref().map_or_else(|| "nothing".to_owned(), Oid::to_string))]
    UnrecognizedReport(Option<Oid>),
    /// The discovery Report carried no usable engine ID.
    #[error("the discovery report carried no valid engine ID")]
    InvalidEngineId,
    /// A trap was to be sent with no engine ID of this engine's own.
    #[error("an SNMPv3 trap needs the sender's engine ID")]
    MissingEngineId,
    /// The request is larger than the agent's msgMaxSize (RFC 3412 §7.1 step 10).
    #[error("the request takes {size} octets, more than the agent's msgMaxSize of {max}")]
    TooBig {
        /// The encoded size.
        size: usize,
        /// The agent's msgMaxSize.
        max: u32,
    },
    /// The message could not be secured (missing keys for the level).
    #[error(transparent)]
    Usm(#[from] UsmError),
}

impl V3Failure {
    /// The failure a Report names by its first variable (RFC 3414 §5 usmStats, RFC 3412 §5
    /// snmpMPDStats, RFC 3413 §4.1 snmpUnavailableContexts and snmpUnknownContexts).
    pub fn from_report(oid: Option<&Oid>) -> Self {
        let arcs = oid.map_or(&[][..], Oid::arcs);
        match arcs {
            [1, 3, 6, 1, 6, 3, 15, 1, 1, counter, 0] => match counter {
                1 => Self::UnsupportedSecurityLevel,
                2 => Self::NotInTimeWindow,
                3 => Self::UnknownUserName,
                4 => Self::UnknownEngineId,
                5 => Self::WrongDigest,
                6 => Self::DecryptionError,
                _ => Self::UnrecognizedReport(oid.cloned()),
            },
            [1, 3, 6, 1, 6, 3, 11, 2, 1, counter, 0] => match counter {
                1 => Self::UnknownSecurityModel,
                2 => Self::InvalidMessage,
                3 => Self::UnknownPduHandler,
                _ => Self::UnrecognizedReport(oid.cloned()),
            },
            [1, 3, 6, 1, 6, 3, 12, 1, 4, 0] => Self::UnavailableContext,
            [1, 3, 6, 1, 6, 3, 12, 1, 5, 0] => Self::UnknownContext,
            _ => Self::UnrecognizedReport(oid.cloned()),
        }
    }
}

/// The v3 part of an outstanding request.
pub(super) struct V3Outstanding {
    pub(super) user: UsmUser,
    /// The PDU to send, request-id set.
    pub(super) pdu: AnyPdu,
    /// The msgIDs of this phase's transmissions, the latest last: each message has its own
    /// (RFC 3412 §7.1 step 4), and an answer to any of them answers the request.
    pub(super) msg_ids: Vec<u32>,
    pub(super) phase: Phase,
}

/// Where a v3 request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The discovery probe is out.
    Discovery,
    /// The request is out; `resynchronized` once a notInTimeWindow Report was acted on.
    Request { resynchronized: bool },
}

/// What the engine knows of one target.
pub(super) struct Remote {
    pub(super) engine_id: EngineId,
    pub(super) clock: RemoteClock,
    pub(super) max_size: u32,
}

impl ClientEngine {
    /// Sends a confirmed-class request (Get, GetNext, GetBulk, Set, Inform) in SNMPv3 as
    /// `user`, discovering the target's engine first when its ID is unknown, and tracks it
    /// until a [`ClientEvent::Response`], [`ClientEvent::TimedOut`] or
    /// [`ClientEvent::Failed`].
    ///
    /// The engine chooses the request-id and the msgIDs; the request-id in `pdu` is ignored.
    /// Each retransmission is a new message: a new msgID, a fresh salt at authPriv, the
    /// clock estimate of its time; the request-id stays, and an answer to any transmission
    /// of the current phase is accepted (RFC 3412 §7.1, as Net-SNMP does).
    pub fn send_v3(
        &mut self,
        now: Instant,
        target: SocketAddr,
        user: &UsmUser,
        pdu: AnyPdu,
    ) -> RequestId {
        let id = self.allocate_id();
        let pdu = super::with_request_id(pdu, id);
        let known = self.remotes.contains_key(&target) || user.engine_id.is_some();
        let phase = if known {
            Phase::Request {
                resynchronized: false,
            }
        } else {
            Phase::Discovery
        };
        let policy = self.config.retry;
        self.outstanding.insert(
            id,
            Outstanding {
                target,
                version: crate::message::Version::V3,
                community: Bytes::new(),
                datagram: Bytes::new(),
                deadline: now + policy.timeout,
                retries_left: policy.retries,
                last_malformed: None,
                v3: Some(V3Outstanding {
                    user: user.clone(),
                    pdu,
                    msg_ids: Vec::new(),
                    phase,
                }),
            },
        );
        self.transmit_phase(now, id, phase);
        id
    }

    /// Sends an SNMPv2-Trap in SNMPv3 as `user` (RFC 3412 §7.1 step 9b): this engine is the
    /// authoritative one, so `user.engine_id` is this engine's ID and `user.engine_time` its
    /// boots and time; nothing is discovered and nothing is awaited.
    pub fn send_v3_unacknowledged(
        &mut self,
        now: Instant,
        target: SocketAddr,
        user: &UsmUser,
        pdu: AnyPdu,
    ) -> Result<RequestId, V3Failure> {
        let _ = now;
        let engine_id = user.engine_id.clone().ok_or(V3Failure::MissingEngineId)?;
        let id = self.allocate_id();
        let msg_id = self.allocate_msg_id();
        let pdu = super::with_request_id(pdu, id);
        let time = user.engine_time.unwrap_or_default();
        let datagram = self.encode_v3(msg_id, false, user, &engine_id, time, pdu)?;
        self.queue_transmit(target, datagram, None);
        Ok(id)
    }

    /// What this engine learnt of `target`'s authoritative engine, with its clock estimated
    /// at `now`.
    pub fn remote_engine(&self, target: SocketAddr, now: Instant) -> Option<RemoteEngine> {
        self.remotes.get(&target).map(|remote| RemoteEngine {
            engine_id: remote.engine_id.clone(),
            engine_time: remote.clock.estimate(now),
            max_size: remote.max_size,
        })
    }

    /// Tells the engine what `target`'s authoritative engine is, as learnt earlier (a
    /// [`ClientEvent::EngineLearned`] of another engine), so that no discovery is made.
    pub fn set_remote_engine(&mut self, now: Instant, target: SocketAddr, engine: RemoteEngine) {
        self.remotes.insert(
            target,
            Remote {
                engine_id: engine.engine_id,
                clock: RemoteClock::new(now, engine.engine_time),
                max_size: engine.max_size,
            },
        );
    }

    /// How many times keys were localized: once per (user, engine).
    pub fn key_derivations(&self) -> u64 {
        self.keys.derivations()
    }

    /// Encodes and queues the transmission of `phase` for request `id`, with a fresh msgID
    /// and fresh retries; ends the request with a failure when it cannot be encoded.
    fn transmit_phase(&mut self, now: Instant, id: RequestId, phase: Phase) {
        let msg_id = self.allocate_msg_id();
        let Some((target, encoded)) = self.encode_phase(now, id, phase, msg_id) else {
            return;
        };
        let datagram = match encoded {
            Ok(datagram) => datagram,
            Err(failure) => {
                self.fail(id, failure);
                return;
            }
        };
        let policy = self.config.retry;
        let Some(request) = self.outstanding.get_mut(&id) else {
            return;
        };
        let Some(v3) = request.v3.as_mut() else {
            return;
        };
        // A late answer to the previous phase must not be taken for one to this phase.
        let old = std::mem::replace(&mut v3.msg_ids, vec![msg_id]);
        v3.phase = phase;
        request.datagram = datagram.clone();
        request.deadline = now + policy.timeout;
        request.retries_left = policy.retries;
        for old in old {
            self.msg_ids.remove(&old);
        }
        self.msg_ids.insert(msg_id, id);
        self.queue_transmit(target, datagram, Some(id));
    }

    /// Resends request `id`'s current phase as a new message: a new msgID (RFC 3412 §7.1
    /// step 4 gives every message its own) and, at authPriv, a fresh salt, since a salt is
    /// never used twice with one key (RFC 3826 §3.1.2.1, RFC 3414 §8.1.1.1). The request-id
    /// stays, and the earlier msgIDs stay matched to the request: a late answer to any
    /// attempt is accepted, as Net-SNMP accepts it. Retries and the deadline are the
    /// caller's.
    pub(super) fn retransmit_v3(&mut self, now: Instant, id: RequestId) {
        let Some(phase) = self
            .outstanding
            .get(&id)
            .and_then(|request| request.v3.as_ref())
            .map(|v3| v3.phase)
        else {
            return;
        };
        let msg_id = self.allocate_msg_id();
        let Some((target, encoded)) = self.encode_phase(now, id, phase, msg_id) else {
            return;
        };
        let datagram = match encoded {
            Ok(datagram) => datagram,
            Err(failure) => {
                self.fail(id, failure);
                return;
            }
        };
        let Some(request) = self.outstanding.get_mut(&id) else {
            return;
        };
        let Some(v3) = request.v3.as_mut() else {
            return;
        };
        v3.msg_ids.push(msg_id);
        request.datagram = datagram.clone();
        self.msg_ids.insert(msg_id, id);
        self.queue_transmit(target, datagram, Some(id));
    }

    /// The datagram of `phase` for request `id` under `msg_id`, and its target; `None` when
    /// `id` is not an outstanding v3 request.
    fn encode_phase(
        &mut self,
        now: Instant,
        id: RequestId,
        phase: Phase,
        msg_id: u32,
    ) -> Option<(SocketAddr, Result<Bytes, V3Failure>)> {
        let request = self.outstanding.get(&id)?;
        let v3 = request.v3.as_ref()?;
        let target = request.target;
        let encoded = match phase {
            Phase::Discovery => Ok(discovery_probe(msg_id, &v3.pdu)),
            Phase::Request { .. } => {
                let (user, pdu) = (v3.user.clone(), v3.pdu.clone());
                self.encode_request(target, msg_id, &user, pdu, now)
            }
        };
        Some((target, encoded))
    }

    /// The request secured for the target's engine, known by discovery or given.
    fn encode_request(
        &mut self,
        target: SocketAddr,
        msg_id: u32,
        user: &UsmUser,
        pdu: AnyPdu,
        now: Instant,
    ) -> Result<Bytes, V3Failure> {
        let (engine_id, time, max_size) = match self.remotes.get(&target) {
            Some(remote) => (
                remote.engine_id.clone(),
                remote.clock.estimate(now),
                Some(remote.max_size),
            ),
            None => {
                let engine_id = user.engine_id.clone().ok_or(V3Failure::InvalidEngineId)?;
                (engine_id, user.engine_time.unwrap_or_default(), None)
            }
        };
        let datagram = self.encode_v3(msg_id, true, user, &engine_id, time, pdu)?;
        if let Some(max) = max_size {
            let fits = u32::try_from(datagram.len()).is_ok_and(|size| size <= max);
            if !fits {
                return Err(V3Failure::TooBig {
                    size: datagram.len(),
                    max,
                });
            }
        }
        Ok(datagram)
    }

    fn encode_v3(
        &mut self,
        msg_id: u32,
        reportable: bool,
        user: &UsmUser,
        engine_id: &EngineId,
        time: EngineTime,
        pdu: AnyPdu,
    ) -> Result<Bytes, V3Failure> {
        let scoped_pdu = ScopedPdu {
            context_engine_id: user
                .context_engine_id
                .clone()
                .unwrap_or_else(|| engine_id.to_bytes()),
            context_name: user.context_name.clone(),
            pdu,
        };
        let outgoing = Outgoing {
            msg_id,
            max_size: self.config.max_message_size,
            reportable,
            engine_id: engine_id.to_bytes(),
            engine_time: time,
            user_name: user.user_name.clone(),
            scoped_pdu: &scoped_pdu,
        };
        let keys = match (&user.credentials, user.level.is_authenticated()) {
            (Some(credentials), true) => {
                Some(self.keys.keys(&user.user_name, credentials, engine_id))
            }
            _ => None,
        };
        Ok(usm::encode_message(
            &outgoing,
            user.level,
            keys,
            &mut self.salts,
        )?)
    }

    /// Processes a received SNMPv3 message (RFC 3412 §7.2, RFC 3414 §3.2 on the
    /// non-authoritative side).
    pub(super) fn handle_v3(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &Bytes,
        message: V3Message,
    ) {
        let Some(&id) = self.msg_ids.get(&message.header.msg_id) else {
            self.stats.strays += 1;
            return;
        };
        let Some(request) = self.outstanding.get(&id) else {
            self.msg_ids.remove(&message.header.msg_id);
            self.stats.strays += 1;
            return;
        };
        if request.target != from {
            self.stats.wrong_source += 1;
            return;
        }
        let Some(v3) = &request.v3 else {
            self.stats.mismatched += 1;
            return;
        };
        let (user, phase) = (v3.user.clone(), v3.phase);
        let level = message.header.flags.level;
        let keys = if level.is_authenticated() {
            match self.authenticate(now, from, &user, datagram, &message) {
                Ok(keys) => Some(keys),
                Err(()) => return,
            }
        } else {
            None
        };
        let scoped = match &message.data {
            ScopedPduData::Plaintext(scoped) => scoped.clone(),
            ScopedPduData::Encrypted(encrypted) => {
                let Some(privacy) = keys.as_ref().and_then(LocalizedKeys::privacy) else {
                    self.stats.mismatched += 1;
                    return;
                };
                match usm::decrypt_scoped_pdu(privacy, &message.security, encrypted) {
                    Ok(scoped) => scoped,
                    Err(_) => {
                        self.stats.decryption_errors += 1;
                        return;
                    }
                }
            }
        };
        let AnyPdu::Pdu(pdu) = scoped.pdu else {
            self.stats.strays += 1;
            return;
        };
        match pdu.kind {
            PduKind::Response => {
                // RFC 3412 §7.2 step 12: a response comes at the request's security level.
                let expected = matches!(phase, Phase::Request { .. });
                if !expected || level != user.level || pdu.request_id != id {
                    self.stats.mismatched += 1;
                    return;
                }
                self.complete(id, from);
                self.stats.responses += 1;
                self.events.push_back(ClientEvent::Response { id, pdu });
            }
            PduKind::Report => {
                self.stats.reports += 1;
                self.handle_report(now, from, id, phase, &message, &pdu);
            }
            _ => self.stats.strays += 1,
        }
    }

    /// RFC 3414 §3.2 steps 6 and 7 for an authenticated message: the keys for its engine,
    /// the MAC, the time window. Counts and drops what fails.
    fn authenticate(
        &mut self,
        now: Instant,
        from: SocketAddr,
        user: &UsmUser,
        datagram: &Bytes,
        message: &V3Message,
    ) -> Result<LocalizedKeys, ()> {
        let Some(credentials) = user.credentials.as_ref() else {
            self.stats.mismatched += 1;
            return Err(());
        };
        if message.security.user_name != user.user_name {
            self.stats.mismatched += 1;
            return Err(());
        }
        let Ok(engine_id) = EngineId::new(message.security.engine_id.clone()) else {
            self.stats.mismatched += 1;
            return Err(());
        };
        let keys = self
            .keys
            .keys(&user.user_name, credentials, &engine_id)
            .clone();
        if usm::authenticate(keys.auth(), datagram).is_err() {
            self.stats.wrong_digests += 1;
            return Err(());
        }
        let reported = message.security.engine_time;
        let is_report = matches!(
            &message.data,
            ScopedPduData::Plaintext(ScopedPdu {
                pdu: AnyPdu::Pdu(Pdu {
                    kind: PduKind::Report,
                    ..
                }),
                ..
            })
        );
        match self.remotes.get_mut(&from) {
            Some(remote) if remote.engine_id == engine_id => {
                // An authentic notInTimeWindow Report carries the clock to resynchronise to:
                // it is the one message that may be out of the window.
                if remote.clock.handle_authentic(now, reported).is_err() && !is_report {
                    self.stats.not_in_time_window += 1;
                    return Err(());
                }
            }
            _ => {
                self.remotes.insert(
                    from,
                    Remote {
                        engine_id,
                        clock: RemoteClock::new(now, reported),
                        max_size: message.header.max_size,
                    },
                );
            }
        }
        Ok(keys)
    }

    /// A Report to request `id` in `phase`: discovery and resynchronisation go on, the
    /// rest end the request.
    fn handle_report(
        &mut self,
        now: Instant,
        from: SocketAddr,
        id: RequestId,
        phase: Phase,
        message: &V3Message,
        pdu: &Pdu,
    ) {
        let level = message.header.flags.level;
        let failure = V3Failure::from_report(pdu.varbinds.first().map(|varbind| &varbind.name));
        match (&failure, phase) {
            (V3Failure::UnknownEngineId, Phase::Discovery) => {
                let Ok(engine_id) = EngineId::new(message.security.engine_id.clone()) else {
                    self.fail(id, V3Failure::InvalidEngineId);
                    return;
                };
                self.learn(now, from, engine_id, message);
                self.transmit_phase(
                    now,
                    id,
                    Phase::Request {
                        resynchronized: false,
                    },
                );
            }
            (
                V3Failure::NotInTimeWindow,
                Phase::Request {
                    resynchronized: false,
                },
            ) if level.is_authenticated() => {
                let Ok(engine_id) = EngineId::new(message.security.engine_id.clone()) else {
                    self.fail(id, V3Failure::InvalidEngineId);
                    return;
                };
                self.learn(now, from, engine_id, message);
                self.transmit_phase(
                    now,
                    id,
                    Phase::Request {
                        resynchronized: true,
                    },
                );
            }
            _ => self.fail(id, failure),
        }
    }

    /// Records the engine ID, boots and time a Report gave, and says so in an event.
    fn learn(&mut self, now: Instant, from: SocketAddr, engine_id: EngineId, message: &V3Message) {
        let engine_time = message.security.engine_time;
        let max_size = message.header.max_size;
        self.remotes.insert(
            from,
            Remote {
                engine_id: engine_id.clone(),
                clock: RemoteClock::new(now, engine_time),
                max_size,
            },
        );
        self.events.push_back(ClientEvent::EngineLearned {
            target: from,
            engine: RemoteEngine {
                engine_id,
                engine_time,
                max_size,
            },
        });
    }

    /// Ends request `id` with `failure`.
    fn fail(&mut self, id: RequestId, failure: V3Failure) {
        let Some(request) = self.outstanding.get(&id) else {
            return;
        };
        let target = request.target;
        self.complete(id, target);
        self.stats.failures += 1;
        self.events.push_back(ClientEvent::Failed { id, failure });
    }

    /// Forgets an answered request and any retransmission of it still queued.
    fn complete(&mut self, id: RequestId, target: SocketAddr) {
        if let Some(request) = self.outstanding.remove(&id) {
            if let Some(v3) = request.v3 {
                self.forget_msg_ids(&v3);
            }
        }
        self.transmits
            .retain(|transmit| transmit.request != Some(id));
        self.remember(id, target, super::Completion::Answered);
    }

    /// Unmatches every msgID of `v3`'s transmissions.
    pub(super) fn forget_msg_ids(&mut self, v3: &V3Outstanding) {
        for msg_id in &v3.msg_ids {
            self.msg_ids.remove(msg_id);
        }
    }

    /// The next msgID: increasing from the seeded start, within 1..=2^31-1.
    fn allocate_msg_id(&mut self) -> u32 {
        loop {
            let id = self.next_msg_id;
            self.next_msg_id = if id >= MAX_MSG_ID { 1 } else { id + 1 };
            if !self.msg_ids.contains_key(&id) {
                return id;
            }
        }
    }
}

/// The discovery probe (RFC 3414 §4): noAuthNoPriv, reportable, empty engine ID, user name and
/// context, an empty GetRequest with the request's id.
fn discovery_probe(msg_id: u32, pdu: &AnyPdu) -> Bytes {
    let request_id = pdu.request_id().unwrap_or(RequestId(0));
    let scoped_pdu = ScopedPdu {
        context_engine_id: Bytes::new(),
        context_name: Bytes::new(),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id,
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: Vec::new(),
        }),
    };
    let outgoing = Outgoing {
        msg_id,
        max_size: super::DEFAULT_MAX_MESSAGE_SIZE,
        reportable: true,
        engine_id: Bytes::new(),
        engine_time: EngineTime::default(),
        user_name: Bytes::new(),
        scoped_pdu: &scoped_pdu,
    };
    let mut unused = usm::SaltCounter::new(0, 0);
    // noAuthNoPriv needs no keys, so encoding cannot fail; an empty datagram would only time
    // out.
    usm::encode_message(&outgoing, SecurityLevel::NoAuthNoPriv, None, &mut unused)
        .unwrap_or_default()
}

/// Orders levels: noAuthNoPriv < authNoPriv < authPriv.
fn level_rank(level: SecurityLevel) -> u8 {
    match level {
        SecurityLevel::NoAuthNoPriv => 0,
        SecurityLevel::AuthNoPriv => 1,
        SecurityLevel::AuthPriv => 2,
    }
}

/// The largest msgID (RFC 3412 §6.2: `INTEGER (0..2147483647)`).
const MAX_MSG_ID: u32 = 2_147_483_647;
