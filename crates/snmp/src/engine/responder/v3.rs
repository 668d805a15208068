//! SNMPv3 in the responder: the USM's incoming steps and Reports (RFC 3414 §3.2, RFC 3412
//! §7.2), and the outgoing Response (RFC 3414 §3.1).

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use bytes::Bytes;

use crate::engine::Transmit;
use crate::engine::responder::{
    Incoming, RequestContext, ResponderEngine, SnmpCounter, UsmStat, V3Request,
};
use crate::message::{ScopedPdu, ScopedPduData, V3Message, Version};
use crate::oid::Oid;
use crate::pdu::{AnyPdu, ErrorStatus, Pdu, PduKind, RequestId, VarBind};
use crate::security::{AdminString, SecurityLevel, SecurityModel};
use crate::usm::{
    self, Credentials, EngineId, KeyCache, LocalClock, Outgoing, RemoteClock, SaltCounter, UsmError,
};
use crate::value::Value;

/// The users and identity of the agent's USM (RFC 3414 §2.2, §5 `usmUserTable`).
#[derive(Debug, Clone)]
pub struct UsmConfig {
    /// snmpEngineID.
    pub engine_id: EngineId,
    /// snmpEngineBoots, this start included.
    pub boots: u32,
    /// The users: name and credentials (keys are localized to `engine_id` once).
    pub users: Vec<(Bytes, Credentials)>,
}

/// A user this engine accepts SNMPv3 traps from, the sender being the authoritative engine
/// (RFC 3414 §3.2, RFC 3412 §7.2; Net-SNMP's `createUser -e ENGINEID` in `snmptrapd.conf`).
#[derive(Debug, Clone)]
pub struct TrapUser {
    /// The user name (msgUserName).
    pub name: Bytes,
    /// The sender's snmpEngineID the keys are localized to; `None` accepts the user from
    /// any sender, localizing its master keys to whatever authoritative engine ID arrives.
    pub engine_id: Option<EngineId>,
    /// The user's protocols and master keys.
    pub credentials: Credentials,
}

/// The USM's state in a running engine.
#[derive(Debug)]
pub(super) struct Usm {
    config: UsmConfig,
    clock: LocalClock,
    keys: KeyCache,
    salts: SaltCounter,
    /// Users for traps from authoritative senders.
    trap_users: Vec<TrapUser>,
    /// Their keys per sender engine, apart from `keys` so that evicting a sender never
    /// touches this engine's own users.
    trap_keys: KeyCache,
    /// The sender engines in `trap_keys` and `remote_clocks`, oldest first, at most
    /// [`MAX_REMOTE_ENGINES`].
    trap_engines: VecDeque<EngineId>,
    /// Each sender's clock as its authentic traps gave it (RFC 3414 §3.2 step 7b).
    remote_clocks: BTreeMap<EngineId, RemoteClock>,
}

impl Usm {
    pub(super) fn new(config: UsmConfig, now: Instant, salt_seed: u64) -> Self {
        Self {
            clock: LocalClock::new(config.boots, now),
            salts: SaltCounter::new(config.boots, salt_seed),
            keys: KeyCache::new(),
            config,
            trap_users: Vec::new(),
            trap_keys: KeyCache::new(),
            trap_engines: VecDeque::new(),
            remote_clocks: BTreeMap::new(),
        }
    }

    pub(super) fn set_users(&mut self, users: Vec<(Bytes, Credentials)>) {
        self.config.users = users;
    }

    pub(super) fn engine_id(&self) -> &EngineId {
        &self.config.engine_id
    }

    /// Localizations made, for this engine's users and for trap senders'.
    pub(super) fn key_derivations(&self) -> u64 {
        self.keys.derivations() + self.trap_keys.derivations()
    }

    pub(super) fn set_trap_users(&mut self, users: Vec<TrapUser>) {
        for old in &self.trap_users {
            self.trap_keys.forget_user(&old.name);
        }
        self.trap_users = users;
    }

    /// Remembers `engine_id` as a sender, evicting the oldest one beyond the bound.
    fn note_sender(&mut self, engine_id: &EngineId) {
        if self.trap_engines.contains(engine_id) {
            return;
        }
        while self.trap_engines.len() >= MAX_REMOTE_ENGINES {
            let Some(oldest) = self.trap_engines.pop_front() else {
                break;
            };
            self.trap_keys.forget_engine(&oldest);
            self.remote_clocks.remove(&oldest);
        }
        self.trap_engines.push_back(engine_id.clone());
    }
}

impl ResponderEngine {
    /// RFC 3414 §3.2 for one received message: engine ID, user, level, digest, time window,
    /// decryption, each failure counted and reported when the message is reportable.
    pub(super) fn handle_v3(
        &mut self,
        now: Instant,
        from: std::net::SocketAddr,
        datagram: &Bytes,
        message: V3Message,
    ) -> Incoming {
        let Some(usm) = self.usm.as_mut() else {
            self.counters.increment(SnmpCounter::InBadVersions);
            return Incoming::Drop(super::DropReason::UnsupportedVersion);
        };
        let header = message.header;
        let security = message.security;
        let level = header.flags.level;
        let report = |engine: &mut Self, stat: UsmStat, level: SecurityLevel| {
            let value = engine.counters.count_usm(stat);
            if !header.flags.reportable {
                return Incoming::Drop(super::DropReason::Usm(stat));
            }
            engine
                .report(
                    now,
                    from,
                    header.msg_id,
                    &security.user_name,
                    stat,
                    value,
                    level,
                )
                .map_or(
                    Incoming::Drop(super::DropReason::Usm(stat)),
                    Incoming::Report,
                )
        };
        // RFC 3412 §7.2 step 3: an unconfirmed-class message (not reportable) with another
        // engine's ID comes from an authoritative sender, a trap: its own engine ID and
        // clock apply.
        if security.engine_id.as_ref() != usm.config.engine_id.as_bytes()
            && !header.flags.reportable
            && !security.engine_id.is_empty()
            && !usm.trap_users.is_empty()
        {
            return self.handle_v3_trap(now, from, datagram, header, security, message.data);
        }
        // Step 3: discovery, or a message for another engine.
        if security.engine_id.as_ref() != usm.config.engine_id.as_bytes() {
            return report(self, UsmStat::UnknownEngineIds, SecurityLevel::NoAuthNoPriv);
        }
        // Step 4: the user.
        let Some(credentials) = usm
            .config
            .users
            .iter()
            .find(|(name, _)| *name == security.user_name)
            .map(|(_, credentials)| credentials.clone())
        else {
            return report(self, UsmStat::UnknownUserNames, SecurityLevel::NoAuthNoPriv);
        };
        // Step 5: the level the user can do.
        if level > credentials.level() {
            return report(
                self,
                UsmStat::UnsupportedSecLevels,
                SecurityLevel::NoAuthNoPriv,
            );
        }
        let engine_id = usm.config.engine_id.clone();
        let keys = usm
            .keys
            .keys(&security.user_name, &credentials, &engine_id)
            .clone();
        if level != SecurityLevel::NoAuthNoPriv {
            // Step 6: the digest.
            if usm::authenticate(keys.auth(), datagram).is_err() {
                return report(self, UsmStat::WrongDigests, SecurityLevel::NoAuthNoPriv);
            }
            // Step 7: the time window; the Report is authenticated so that the manager can
            // trust the time it carries.
            if usm.clock.check(now, security.engine_time).is_err() {
                return report(self, UsmStat::NotInTimeWindows, SecurityLevel::AuthNoPriv);
            }
        }
        // Step 8: the ScopedPDU.
        let scoped = match message.data {
            ScopedPduData::Plaintext(scoped) => scoped,
            ScopedPduData::Encrypted(encrypted) => {
                let decrypted = keys
                    .privacy()
                    .ok_or(UsmError::UnsupportedSecurityLevel(level))
                    .and_then(|key| usm::decrypt_scoped_pdu(key, &security, &encrypted));
                match decrypted {
                    Ok(scoped) => scoped,
                    Err(_) => {
                        return report(
                            self,
                            UsmStat::DecryptionErrors,
                            SecurityLevel::NoAuthNoPriv,
                        );
                    }
                }
            }
        };
        let ScopedPdu {
            context_engine_id,
            context_name,
            pdu,
        } = scoped;
        let kind = match &pdu {
            AnyPdu::Pdu(pdu) => Some(pdu.kind),
            AnyPdu::Bulk(_) => None,
            AnyPdu::TrapV1(_) => {
                self.counters.increment(SnmpCounter::InAsnParseErrs);
                return Incoming::Drop(super::DropReason::UnexpectedPdu);
            }
        };
        let counter = match kind {
            // An inform, or a trap sent to this engine's ID: a notification (RFC 3416 §4.2.7).
            Some(PduKind::InformRequest | PduKind::SnmpV2Trap) => {
                self.counters.increment(SnmpCounter::InTraps);
                None
            }
            Some(PduKind::GetRequest) => Some(SnmpCounter::InGetRequests),
            Some(PduKind::GetNextRequest) => Some(SnmpCounter::InGetNexts),
            Some(PduKind::SetRequest) => Some(SnmpCounter::InSetRequests),
            // GetBulk has no counter of its own in SNMPv2-MIB.
            None => None,
            Some(_) => return Incoming::Drop(super::DropReason::UnexpectedPdu),
        };
        if let Some(counter) = counter {
            self.counters.increment(counter);
        }
        // The response must fit the manager's msgMaxSize and ours.
        let max_size = usize::try_from(header.max_size)
            .unwrap_or(usize::MAX)
            .min(self.config.max_message_size());
        let ctx = RequestContext {
            from,
            version: Version::V3,
            community: Bytes::new(),
            security_model: SecurityModel::Usm,
            security_level: level,
            security_name: AdminString::from(security.user_name.clone()),
            context_name: AdminString::from(context_name.clone()),
            request_id: pdu.request_id().unwrap_or(RequestId(0)),
            bulk: matches!(pdu, AnyPdu::Bulk(_)),
            request_varbinds: Vec::new(),
            max_size,
            kind,
            v3: Some(V3Request {
                msg_id: header.msg_id,
                user_name: security.user_name,
                context_name,
                received: now,
                engine_id: security.engine_id,
                context_engine_id,
            }),
        };
        if matches!(kind, Some(PduKind::InformRequest | PduKind::SnmpV2Trap)) {
            return Incoming::Notification(ctx, pdu);
        }
        Incoming::Request(ctx, pdu)
    }

    /// RFC 3414 §3.2 for a trap whose sender is the authoritative engine: the user by name
    /// and sender engine ID, the digest, the sender's clock (step 7b), the decryption. No
    /// Report is ever sent (a trap is not reportable); each refusal is counted.
    fn handle_v3_trap(
        &mut self,
        now: Instant,
        from: std::net::SocketAddr,
        datagram: &Bytes,
        header: crate::message::HeaderData,
        security: crate::message::UsmSecurityParameters,
        data: ScopedPduData,
    ) -> Incoming {
        let drop = |engine: &mut Self, stat: UsmStat| {
            engine.counters.count_usm(stat);
            Incoming::Drop(super::DropReason::Usm(stat))
        };
        let Ok(engine_id) = EngineId::new(security.engine_id.clone()) else {
            return drop(self, UsmStat::UnknownEngineIds);
        };
        let Some(usm) = self.usm.as_mut() else {
            return Incoming::Drop(super::DropReason::UnsupportedVersion);
        };
        let level = header.flags.level;
        // A user configured for this sender wins over one accepted from any sender.
        let user = usm
            .trap_users
            .iter()
            .filter(|user| user.name == security.user_name)
            .find(|user| user.engine_id.as_ref() == Some(&engine_id))
            .or_else(|| {
                usm.trap_users
                    .iter()
                    .find(|user| user.name == security.user_name && user.engine_id.is_none())
            })
            .map(|user| user.credentials.clone());
        let Some(credentials) = user else {
            return drop(self, UsmStat::UnknownUserNames);
        };
        if level > credentials.level() {
            return drop(self, UsmStat::UnsupportedSecLevels);
        }
        usm.note_sender(&engine_id);
        let keys = usm
            .trap_keys
            .keys(&security.user_name, &credentials, &engine_id)
            .clone();
        if level != SecurityLevel::NoAuthNoPriv {
            if usm::authenticate(keys.auth(), datagram).is_err() {
                return drop(self, UsmStat::WrongDigests);
            }
            // Step 7b: the first authentic message sets the sender's clock; later ones move
            // it forward and must fall in the window.
            let in_window = match usm.remote_clocks.get_mut(&engine_id) {
                Some(clock) => clock.handle_authentic(now, security.engine_time).is_ok(),
                None => {
                    usm.remote_clocks.insert(
                        engine_id.clone(),
                        RemoteClock::new(now, security.engine_time),
                    );
                    true
                }
            };
            if !in_window {
                return drop(self, UsmStat::NotInTimeWindows);
            }
        }
        let scoped = match data {
            ScopedPduData::Plaintext(scoped) => scoped,
            ScopedPduData::Encrypted(encrypted) => {
                let decrypted = keys
                    .privacy()
                    .ok_or(UsmError::UnsupportedSecurityLevel(level))
                    .and_then(|key| usm::decrypt_scoped_pdu(key, &security, &encrypted));
                match decrypted {
                    Ok(scoped) => scoped,
                    Err(_) => return drop(self, UsmStat::DecryptionErrors),
                }
            }
        };
        let ScopedPdu {
            context_engine_id,
            context_name,
            pdu,
        } = scoped;
        // Only an SNMPv2-Trap has the sender authoritative (RFC 3412 §7.2 step 7): an inform
        // or a request must carry this engine's ID.
        let kind = match &pdu {
            AnyPdu::Pdu(pdu) if pdu.kind == PduKind::SnmpV2Trap => Some(pdu.kind),
            _ => return Incoming::Drop(super::DropReason::UnexpectedPdu),
        };
        self.counters.increment(SnmpCounter::InTraps);
        let ctx = RequestContext {
            from,
            version: Version::V3,
            community: Bytes::new(),
            security_model: SecurityModel::Usm,
            security_level: level,
            security_name: AdminString::from(security.user_name.clone()),
            context_name: AdminString::from(context_name.clone()),
            request_id: pdu.request_id().unwrap_or(RequestId(0)),
            bulk: false,
            request_varbinds: Vec::new(),
            max_size: self.config.max_message_size(),
            kind,
            v3: Some(V3Request {
                msg_id: header.msg_id,
                user_name: security.user_name,
                context_name,
                received: now,
                engine_id: security.engine_id,
                context_engine_id,
            }),
        };
        Incoming::Notification(ctx, pdu)
    }

    /// The encoded v3 response to `ctx`, at the request's level.
    pub(super) fn encode_v3(
        &mut self,
        ctx: &RequestContext,
        response: &mut Pdu,
    ) -> Option<Vec<u8>> {
        let v3 = ctx.v3.as_ref()?;
        let Usm {
            config,
            clock,
            keys,
            salts,
            ..
        } = self.usm.as_mut()?;
        // The user's keys are borrowed from the cache, not copied: each message needs them
        // for its MAC and cipher, and nothing else.
        let keys = config
            .users
            .iter()
            .find(|(name, _)| *name == v3.user_name)
            .map(|(_, credentials)| keys.keys(&v3.user_name, credentials, &config.engine_id));
        // The Response-PDU moves into the ScopedPDU for the encoding and back out after it,
        // so that its varbinds are not copied.
        let placeholder = Pdu {
            kind: response.kind,
            request_id: response.request_id,
            error_status: response.error_status,
            error_index: response.error_index,
            varbinds: Vec::new(),
        };
        let scoped_pdu = ScopedPdu {
            context_engine_id: v3.context_engine_id.clone(),
            context_name: v3.context_name.clone(),
            pdu: AnyPdu::Pdu(std::mem::replace(response, placeholder)),
        };
        let outgoing = Outgoing {
            msg_id: v3.msg_id,
            max_size: MAX_SIZE,
            reportable: false,
            engine_id: config.engine_id.to_bytes(),
            engine_time: clock.at(v3.received),
            user_name: v3.user_name.clone(),
            scoped_pdu: &scoped_pdu,
        };
        let encoded = usm::encode_message(&outgoing, ctx.security_level, keys, salts);
        if let AnyPdu::Pdu(pdu) = scoped_pdu.pdu {
            *response = pdu;
        }
        encoded.ok().map(Vec::from)
    }

    /// A Report-PDU carrying one usmStats counter (RFC 3414 §3.2, RFC 3412 §7.1 step 3).
    #[allow(clippy::too_many_arguments, reason = "the fields of one Report")]
    fn report(
        &mut self,
        now: Instant,
        from: std::net::SocketAddr,
        msg_id: u32,
        user_name: &Bytes,
        stat: UsmStat,
        value: u32,
        level: SecurityLevel,
    ) -> Option<Transmit> {
        let usm = self.usm.as_mut()?;
        let engine_id = usm.config.engine_id.clone();
        let name = Oid::new(&[1, 3, 6, 1, 6, 3, 15, 1, 1, u32::from(stat.arc()), 0]).ok()?;
        let scoped_pdu = ScopedPdu {
            context_engine_id: engine_id.to_bytes(),
            context_name: Bytes::new(),
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::Report,
                request_id: RequestId(0),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind {
                    name,
                    value: Value::Counter32(value),
                }],
            }),
        };
        let keys = match level {
            SecurityLevel::NoAuthNoPriv => None,
            _ => {
                let credentials = usm
                    .config
                    .users
                    .iter()
                    .find(|(name, _)| name == user_name)
                    .map(|(_, credentials)| credentials.clone())?;
                Some(usm.keys.keys(user_name, &credentials, &engine_id).clone())
            }
        };
        let outgoing = Outgoing {
            msg_id,
            max_size: MAX_SIZE,
            reportable: false,
            engine_id: engine_id.to_bytes(),
            engine_time: usm.clock.at(now),
            user_name: match level {
                SecurityLevel::NoAuthNoPriv => Bytes::new(),
                _ => user_name.clone(),
            },
            scoped_pdu: &scoped_pdu,
        };
        let contents = usm::encode_message(&outgoing, level, keys.as_ref(), &mut usm.salts).ok()?;
        self.counters.increment(SnmpCounter::OutPkts);
        Some(Transmit {
            destination: from,
            contents,
            request: None,
        })
    }
}

/// The msgMaxSize this engine announces.
const MAX_SIZE: u32 = 65_507;
/// The most trap senders whose keys and clocks are kept; beyond it the oldest is forgotten
/// (and learnt again from its next trap), so that forged engine IDs cannot grow memory.
pub const MAX_REMOTE_ENGINES: usize = 1_024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usm::{AuthProtocol, KeyInput};

    #[allow(clippy::disallowed_methods)] // an arbitrary origin for the engine's clock
    fn origin() -> Instant {
        Instant::now()
    }

    #[test]
    fn trap_senders_are_bounded_oldest_first() {
        let credentials =
            Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"trappassword")).unwrap();
        let mut usm = Usm::new(
            UsmConfig {
                engine_id: EngineId::from_text(32473, "receiver").unwrap(),
                boots: 1,
                users: Vec::new(),
            },
            origin(),
            1,
        );
        let sender = |n: usize| EngineId::from_text(32473, &format!("sender{n}")).unwrap();
        for n in 0..MAX_REMOTE_ENGINES + 10 {
            let engine_id = sender(n);
            usm.note_sender(&engine_id);
            usm.trap_keys.keys(b"u", &credentials, &engine_id);
            usm.remote_clocks.insert(
                engine_id,
                RemoteClock::new(origin(), usm::EngineTime::new(1, 1)),
            );
        }
        assert_eq!(usm.trap_engines.len(), MAX_REMOTE_ENGINES);
        assert_eq!(usm.trap_keys.len(), MAX_REMOTE_ENGINES);
        assert_eq!(usm.remote_clocks.len(), MAX_REMOTE_ENGINES);
        assert!(!usm.remote_clocks.contains_key(&sender(0)));
        assert!(
            usm.remote_clocks
                .contains_key(&sender(MAX_REMOTE_ENGINES + 9))
        );
        // A sender seen again is not added twice.
        usm.note_sender(&sender(MAX_REMOTE_ENGINES + 9));
        assert_eq!(usm.trap_engines.len(), MAX_REMOTE_ENGINES);
    }
}
