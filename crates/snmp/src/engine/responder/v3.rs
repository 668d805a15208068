//! SNMPv3 in the responder: the USM's incoming steps and Reports (RFC 3414 §3.2, RFC 3412
//! §7.2), and the outgoing Response (RFC 3414 §3.1).

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
    self, Credentials, EngineId, KeyCache, LocalClock, Outgoing, SaltCounter, UsmError,
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

/// The USM's state in a running engine.
#[derive(Debug)]
pub(super) struct Usm {
    config: UsmConfig,
    clock: LocalClock,
    keys: KeyCache,
    salts: SaltCounter,
}

impl Usm {
    pub(super) fn new(config: UsmConfig, now: Instant, salt_seed: u64) -> Self {
        Self {
            clock: LocalClock::new(config.boots, now),
            salts: SaltCounter::new(config.boots, salt_seed),
            keys: KeyCache::new(),
            config,
        }
    }

    pub(super) fn set_users(&mut self, users: Vec<(Bytes, Credentials)>) {
        self.config.users = users;
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
            context_name, pdu, ..
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
            security_name: AdminString::from(security.user_name.to_vec()),
            context_name: AdminString::from(context_name.to_vec()),
            request_id: pdu.request_id().unwrap_or(RequestId(0)),
            bulk: matches!(pdu, AnyPdu::Bulk(_)),
            request_varbinds: pdu.varbinds().to_vec(),
            max_size,
            kind,
            v3: Some(V3Request {
                msg_id: header.msg_id,
                user_name: security.user_name,
                context_name,
                received: now,
            }),
        };
        Incoming::Request(ctx, pdu)
    }

    /// The encoded v3 response to `ctx`, at the request's level.
    pub(super) fn encode_v3(&mut self, ctx: &RequestContext, response: &Pdu) -> Option<Vec<u8>> {
        let v3 = ctx.v3.as_ref()?;
        let usm = self.usm.as_mut()?;
        let engine_id = usm.config.engine_id.clone();
        let credentials = usm
            .config
            .users
            .iter()
            .find(|(name, _)| *name == v3.user_name)
            .map(|(_, credentials)| credentials.clone());
        let keys = credentials.as_ref().map(|credentials| {
            usm.keys
                .keys(&v3.user_name, credentials, &engine_id)
                .clone()
        });
        let scoped_pdu = ScopedPdu {
            context_engine_id: engine_id.to_bytes(),
            context_name: v3.context_name.clone(),
            pdu: AnyPdu::Pdu(response.clone()),
        };
        let outgoing = Outgoing {
            msg_id: v3.msg_id,
            max_size: MAX_SIZE,
            reportable: false,
            engine_id: engine_id.to_bytes(),
            engine_time: usm.clock.at(v3.received),
            user_name: v3.user_name.clone(),
            scoped_pdu: &scoped_pdu,
        };
        usm::encode_message(&outgoing, ctx.security_level, keys.as_ref(), &mut usm.salts)
            .ok()
            .map(Vec::from)
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
