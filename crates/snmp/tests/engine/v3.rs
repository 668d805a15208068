//! SNMPv3 simulation: the client engine against a small in-memory USM agent with a fake
//! clock (RFC 3414 §3.2 and §4): discovery, keys derived once, the time window and its one
//! resynchronisation, Reports named, forged and stale responses dropped.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_snmp::engine::{
    ClientConfig, ClientEngine, ClientEvent, RemoteEngine, RetryPolicy, Transmit, UsmUser,
    V3Failure,
};
use vigie_snmp::message::{ScopedPdu, ScopedPduData, V3Message};
use vigie_snmp::usm::{
    self, AuthProtocol, Credentials, EngineId, EngineTime, KeyCache, KeyInput, LocalClock,
    Outgoing, PrivProtocol, SaltCounter,
};
use vigie_snmp::{
    AnyPdu, ErrorStatus, Message, Oid, Pdu, PduKind, RequestId, SecurityLevel, Value, VarBind,
};

use crate::{clock_origin, sys_descr};

const USER: &[u8] = b"alice";
const AGENT_BOOTS: u32 = 7;

fn credentials() -> Credentials {
    Credentials::new(AuthProtocol::Sha256, KeyInput::Password(b"maplesyrup"))
        .and_then(|c| c.with_privacy(PrivProtocol::Aes128, KeyInput::Password(b"maplesyrup")))
        .expect("valid passwords")
}

fn engine_id() -> EngineId {
    "0x80001f8880e9bd0c5a6a2bf65c00000000"
        .parse()
        .expect("a literal engine ID")
}

/// What the agent does with the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Answer,
    Report(&'static [u32]),
    /// Answer, with the MAC's first octet flipped.
    Forge,
    /// Answer with a clock this many seconds behind.
    Stale(u32),
}

/// A USM agent: knows `alice` (SHA-256 + AES-128), keeps its own clock.
struct Agent {
    clock: LocalClock,
    keys: KeyCache,
    salts: SaltCounter,
    behaviour: Behaviour,
}

impl Agent {
    fn new(now: Instant) -> Self {
        Self {
            clock: LocalClock::new(AGENT_BOOTS, now),
            keys: KeyCache::new(),
            salts: SaltCounter::new(AGENT_BOOTS, 99),
            behaviour: Behaviour::Answer,
        }
    }

    /// The agent's answer to one datagram, as RFC 3414 §3.2 has it.
    fn handle(&mut self, now: Instant, datagram: &Bytes) -> Bytes {
        let Ok(Message::V3(message)) = Message::decode(datagram.clone()) else {
            panic!("the engine sent something other than SNMPv3");
        };
        let engine_id = engine_id();
        let level = message.header.flags.level;
        if message.security.engine_id.is_empty() {
            assert_eq!(
                level,
                SecurityLevel::NoAuthNoPriv,
                "probes are noAuthNoPriv"
            );
            assert!(message.header.flags.reportable, "probes are reportable");
            return self.report(now, &message, USM_UNKNOWN_ENGINE_IDS, false);
        }
        assert_eq!(message.security.engine_id, engine_id.to_bytes());
        if message.security.user_name != USER {
            return self.report(now, &message, USM_UNKNOWN_USER_NAMES, false);
        }
        let keys = self.keys.keys(USER, &credentials(), &engine_id).clone();
        if usm::authenticate(keys.auth(), datagram).is_err() {
            return self.report(now, &message, USM_WRONG_DIGESTS, false);
        }
        if self.clock.check(now, message.security.engine_time).is_err() {
            return self.report(now, &message, USM_NOT_IN_TIME_WINDOWS, true);
        }
        let scoped = match &message.data {
            ScopedPduData::Plaintext(scoped) => scoped.clone(),
            ScopedPduData::Encrypted(encrypted) => {
                let privacy = keys.privacy().expect("authPriv keys");
                usm::decrypt_scoped_pdu(privacy, &message.security, encrypted)
                    .expect("the engine's encryption decrypts")
            }
        };
        if let Behaviour::Report(counter) = self.behaviour {
            return self.report(now, &message, counter, false);
        }
        let AnyPdu::Pdu(request) = scoped.pdu else {
            panic!("expected a GetRequest");
        };
        let response = ScopedPdu {
            context_engine_id: scoped.context_engine_id,
            context_name: scoped.context_name,
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::Response,
                request_id: request.request_id,
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind {
                    name: sys_descr(),
                    value: Value::OctetString(Bytes::from_static(b"v3 agent")),
                }],
            }),
        };
        let mut time = self.clock.at(now);
        if let Behaviour::Stale(behind) = self.behaviour {
            time.time -= behind;
        }
        let encoded = self.encode(&message, &response, level, time, Some(&keys));
        if self.behaviour == Behaviour::Forge {
            let range = vigie_snmp::message::locate_auth_params(&encoded).expect("a MAC");
            let mut forged = encoded.to_vec();
            forged[range.start] ^= 0x01;
            return Bytes::from(forged);
        }
        encoded
    }

    fn encode(
        &mut self,
        request: &V3Message,
        scoped_pdu: &ScopedPdu,
        level: SecurityLevel,
        time: EngineTime,
        keys: Option<&usm::LocalizedKeys>,
    ) -> Bytes {
        let outgoing = Outgoing {
            msg_id: request.header.msg_id,
            max_size: 1500,
            reportable: false,
            engine_id: engine_id().to_bytes(),
            engine_time: time,
            user_name: request.security.user_name.clone(),
            scoped_pdu,
        };
        usm::encode_message(&outgoing, level, keys, &mut self.salts).expect("keys for the level")
    }

    /// A Report of `counter`, signed (authNoPriv) when `signed`, as notInTimeWindow's is.
    fn report(
        &mut self,
        now: Instant,
        request: &V3Message,
        counter: &[u32],
        signed: bool,
    ) -> Bytes {
        let request_id = match &request.data {
            ScopedPduData::Plaintext(ScopedPdu {
                pdu: AnyPdu::Pdu(pdu),
                ..
            }) => pdu.request_id,
            _ => RequestId(0),
        };
        let report = ScopedPdu {
            context_engine_id: engine_id().to_bytes(),
            context_name: Bytes::new(),
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::Report,
                request_id,
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind {
                    name: Oid::new(counter).expect("a counter OID"),
                    value: Value::Counter32(1),
                }],
            }),
        };
        let time = self.clock.at(now);
        if signed {
            let keys = self.keys.keys(USER, &credentials(), &engine_id()).clone();
            return self.encode(
                request,
                &report,
                SecurityLevel::AuthNoPriv,
                time,
                Some(&keys),
            );
        }
        self.encode(request, &report, SecurityLevel::NoAuthNoPriv, time, None)
    }
}

const USM_NOT_IN_TIME_WINDOWS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0];
const USM_UNKNOWN_USER_NAMES: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0];
const USM_UNKNOWN_ENGINE_IDS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0];
const USM_WRONG_DIGESTS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0];
const USM_DECRYPTION_ERRORS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0];
const SNMP_UNKNOWN_CONTEXTS: &[u32] = &[1, 3, 6, 1, 6, 3, 12, 1, 5, 0];

/// The engine, the agent and a network the test steps: every datagram the engine sends is
/// handed to the agent and its answer back, unless the test drops it.
struct Net {
    engine: ClientEngine,
    agent: Agent,
    address: SocketAddr,
    now: Instant,
    sent: Vec<Transmit>,
    events: Vec<ClientEvent>,
}

impl Net {
    fn new() -> Self {
        let now = clock_origin();
        Self {
            engine: ClientEngine::new(
                ClientConfig::new(RetryPolicy {
                    timeout: Duration::from_secs(1),
                    retries: 1,
                }),
                [7; 32],
            ),
            agent: Agent::new(now),
            address: "192.0.2.20:161".parse().expect("a literal address"),
            now,
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    fn user(level: SecurityLevel) -> UsmUser {
        let credentials = (level != SecurityLevel::NoAuthNoPriv).then(credentials);
        UsmUser::new(Bytes::from_static(USER), level, credentials).expect("keys for the level")
    }

    fn get(&mut self, user: &UsmUser) -> RequestId {
        let pdu = AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(0),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind::null(sys_descr())],
        });
        self.engine.send_v3(self.now, self.address, user, pdu)
    }

    /// Delivers every queued datagram to the agent and its answers back, until quiet.
    fn run(&mut self) {
        while let Some(transmit) = self.engine.poll_transmit() {
            let answer = self.agent.handle(self.now, &transmit.contents);
            self.sent.push(transmit);
            self.engine.handle_datagram(self.now, self.address, answer);
        }
        self.events
            .extend(std::iter::from_fn(|| self.engine.poll_event()));
    }

    fn responses(&self) -> Vec<RequestId> {
        self.events
            .iter()
            .filter_map(|event| match event {
                ClientEvent::Response { id, .. } => Some(*id),
                _ => None,
            })
            .collect()
    }

    fn failures(&self) -> Vec<(RequestId, V3Failure)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                ClientEvent::Failed { id, failure } => Some((*id, failure.clone())),
                _ => None,
            })
            .collect()
    }

    fn decode(&self, index: usize) -> V3Message {
        match Message::decode(self.sent[index].contents.clone()) {
            Ok(Message::V3(message)) => message,
            other => panic!("not SNMPv3: {other:?}"),
        }
    }
}

#[test]
fn discovery_then_auth_priv_request_with_keys_derived_once() {
    let mut net = Net::new();
    net.now += Duration::from_secs(500);
    let user = Net::user(SecurityLevel::AuthPriv);
    let id = net.get(&user);
    net.run();
    assert_eq!(net.sent.len(), 2, "the probe, then the request");
    let probe = net.decode(0);
    assert!(probe.security.engine_id.is_empty());
    assert!(probe.security.user_name.is_empty());
    let request = net.decode(1);
    assert_eq!(request.header.flags.level, SecurityLevel::AuthPriv);
    assert_eq!(request.security.engine_id, engine_id().to_bytes());
    assert_eq!(
        request.security.engine_time,
        EngineTime::new(AGENT_BOOTS, 500)
    );
    assert_ne!(
        probe.header.msg_id, request.header.msg_id,
        "one msgID per message"
    );
    assert_eq!(net.responses(), [id]);
    let learned = net.events.iter().find_map(|event| match event {
        ClientEvent::EngineLearned { target, engine } => Some((*target, engine.clone())),
        _ => None,
    });
    assert_eq!(
        learned,
        Some((
            net.address,
            RemoteEngine {
                engine_id: engine_id(),
                engine_time: EngineTime::new(AGENT_BOOTS, 500),
                max_size: 1500,
            }
        ))
    );

    // The engine is known now: one datagram per request, and no new derivation.
    net.now += Duration::from_secs(30);
    let second = net.get(&user);
    net.run();
    assert_eq!(net.sent.len(), 3);
    assert_eq!(
        net.decode(2).security.engine_time,
        EngineTime::new(AGENT_BOOTS, 530)
    );
    assert_eq!(net.responses(), [id, second]);
    assert_eq!(net.engine.key_derivations(), 1);
    assert_eq!(net.engine.outstanding(), 0);
}

#[test]
fn msg_id_is_not_the_request_id() {
    let mut net = Net::new();
    let user = Net::user(SecurityLevel::AuthNoPriv);
    let id = net.get(&user);
    net.run();
    let request = net.decode(1);
    let ScopedPduData::Plaintext(scoped) = &request.data else {
        panic!("authNoPriv is plaintext");
    };
    assert_eq!(scoped.pdu.request_id(), Some(id));
    assert_ne!(i64::from(request.header.msg_id), i64::from(id.0));
}

#[test]
fn not_in_time_window_resynchronises_and_resends_once() {
    let mut net = Net::new();
    net.now += Duration::from_secs(1_000);
    // A clock learnt long ago, now 400 s off: the agent reports notInTimeWindow.
    net.engine.set_remote_engine(
        net.now,
        net.address,
        RemoteEngine {
            engine_id: engine_id(),
            engine_time: EngineTime::new(AGENT_BOOTS, 600),
            max_size: 1500,
        },
    );
    let user = Net::user(SecurityLevel::AuthPriv);
    let id = net.get(&user);
    net.run();
    assert_eq!(
        net.sent.len(),
        2,
        "the request, then once more after the Report"
    );
    assert_eq!(net.decode(0).security.engine_time.time, 600);
    assert_eq!(net.decode(1).security.engine_time.time, 1_000);
    assert_eq!(net.responses(), [id]);
}

#[test]
fn not_in_time_window_twice_fails() {
    let mut net = Net::new();
    net.now += Duration::from_secs(1_000);
    let user = Net::user(SecurityLevel::AuthNoPriv);
    net.engine.set_remote_engine(
        net.now,
        net.address,
        RemoteEngine {
            engine_id: engine_id(),
            engine_time: EngineTime::new(AGENT_BOOTS, 0),
            max_size: 1500,
        },
    );
    // The agent reboots between the Report and the resend: boots moves on.
    let id = net.get(&user);
    let first = net.engine.poll_transmit().expect("the request");
    let report = net.agent.handle(net.now, &first.contents);
    net.agent.clock = LocalClock::new(AGENT_BOOTS + 1, net.now);
    net.engine.handle_datagram(net.now, net.address, report);
    net.run();
    assert_eq!(net.failures(), [(id, V3Failure::NotInTimeWindow)]);
}

#[test]
fn reports_end_requests_with_their_names() {
    for (counter, expected) in [
        (USM_WRONG_DIGESTS, V3Failure::WrongDigest),
        (USM_DECRYPTION_ERRORS, V3Failure::DecryptionError),
        (SNMP_UNKNOWN_CONTEXTS, V3Failure::UnknownContext),
        (USM_UNKNOWN_ENGINE_IDS, V3Failure::UnknownEngineId),
    ] {
        let mut net = Net::new();
        net.agent.behaviour = Behaviour::Report(counter);
        let id = net.get(&Net::user(SecurityLevel::AuthPriv));
        net.run();
        assert_eq!(net.failures(), [(id, expected)]);
        assert_eq!(net.engine.outstanding(), 0);
        assert_eq!(net.engine.poll_timeout(), None);
    }
}

#[test]
fn unknown_user_is_named() {
    let mut net = Net::new();
    let mut user = Net::user(SecurityLevel::AuthNoPriv);
    user.user_name = Bytes::from_static(b"mallory");
    let id = net.get(&user);
    net.run();
    assert_eq!(net.failures(), [(id, V3Failure::UnknownUserName)]);
}

#[test]
fn forged_response_is_dropped_and_counted() {
    let mut net = Net::new();
    let user = Net::user(SecurityLevel::AuthPriv);
    net.agent.behaviour = Behaviour::Forge;
    let id = net.get(&user);
    net.run();
    assert!(net.responses().is_empty());
    assert_eq!(net.engine.stats().wrong_digests, 1);
    // The retransmission is answered honestly.
    net.agent.behaviour = Behaviour::Answer;
    net.now += Duration::from_secs(1);
    net.engine.handle_timeout(net.now);
    net.run();
    assert_eq!(net.responses(), [id]);
}

#[test]
fn time_window_edges_on_responses() {
    // 150 s behind the engine's notion is still in the window; 151 s is not.
    for (behind, accepted) in [(150, true), (151, false)] {
        let mut net = Net::new();
        net.now += Duration::from_secs(1_000);
        let user = Net::user(SecurityLevel::AuthNoPriv);
        let first = net.get(&user);
        net.run();
        assert_eq!(net.responses(), [first]);
        net.agent.behaviour = Behaviour::Stale(behind);
        let id = net.get(&user);
        net.run();
        assert_eq!(net.responses().contains(&id), accepted, "{behind} s behind");
        assert_eq!(
            net.engine.stats().not_in_time_window,
            u64::from(!accepted),
            "{behind} s behind"
        );
    }
}

#[test]
fn lost_discovery_report_is_retried_then_times_out() {
    let mut net = Net::new();
    let id = net.get(&Net::user(SecurityLevel::NoAuthNoPriv));
    // Drop everything: the probe and its one retry.
    while let Some(deadline) = net.engine.poll_timeout() {
        while net.engine.poll_transmit().is_some() {}
        net.now = deadline;
        net.engine.handle_timeout(net.now);
    }
    let events: Vec<_> = std::iter::from_fn(|| net.engine.poll_event()).collect();
    assert_eq!(
        events,
        [ClientEvent::TimedOut {
            id,
            last_malformed: None
        }]
    );
    assert_eq!(net.engine.stats().retransmissions, 1);
}

#[test]
fn trap_uses_the_senders_engine() {
    let mut net = Net::new();
    let mut user = Net::user(SecurityLevel::AuthPriv);
    let own: EngineId = "0x8000000001020304".parse().expect("a literal engine ID");
    let pdu = AnyPdu::Pdu(Pdu {
        kind: PduKind::SnmpV2Trap,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: Vec::new(),
    });
    assert_eq!(
        net.engine
            .send_v3_unacknowledged(net.now, net.address, &user, pdu.clone()),
        Err(V3Failure::MissingEngineId)
    );
    user.engine_id = Some(own.clone());
    user.engine_time = Some(EngineTime::new(3, 42));
    net.engine
        .send_v3_unacknowledged(net.now, net.address, &user, pdu)
        .expect("a trap");
    let trap = net.engine.poll_transmit().expect("the trap");
    let Ok(Message::V3(message)) = Message::decode(trap.contents) else {
        panic!("not SNMPv3");
    };
    assert_eq!(message.security.engine_id, own.to_bytes());
    assert_eq!(message.security.engine_time, EngineTime::new(3, 42));
    assert!(!message.header.flags.reportable);
    assert_eq!(net.engine.poll_timeout(), None, "nothing awaited");
}

/// The request-id inside an authPriv request the engine sent, decrypted as the agent would.
fn request_id_of(transmit: &Transmit) -> RequestId {
    let Ok(Message::V3(message)) = Message::decode(transmit.contents.clone()) else {
        panic!("not SNMPv3");
    };
    let ScopedPduData::Encrypted(encrypted) = &message.data else {
        panic!("authPriv is encrypted");
    };
    let mut cache = KeyCache::new();
    let keys = cache.keys(USER, &credentials(), &engine_id()).clone();
    let privacy = keys.privacy().expect("authPriv keys");
    let scoped = usm::decrypt_scoped_pdu(privacy, &message.security, encrypted)
        .expect("the engine's encryption decrypts");
    scoped
        .pdu
        .request_id()
        .expect("a GetRequest has a request-id")
}

#[test]
fn retransmissions_are_new_messages_and_any_of_them_is_answered() {
    let mut net = Net::new();
    net.engine = ClientEngine::new(
        ClientConfig::new(RetryPolicy {
            timeout: Duration::from_secs(1),
            retries: 2,
        }),
        [7; 32],
    );
    let user = Net::user(SecurityLevel::AuthPriv);
    // Discovery and a first request: the agent's engine is known from then on.
    let first = net.get(&user);
    net.run();
    assert_eq!(net.responses(), [first]);

    // The request and both its retransmissions are lost on the way.
    let id = net.get(&user);
    let mut attempts = Vec::new();
    for attempt in 0..3 {
        attempts.push(net.engine.poll_transmit().expect("one transmission"));
        assert!(net.engine.poll_transmit().is_none());
        if attempt < 2 {
            net.now += Duration::from_secs(1);
            net.engine.handle_timeout(net.now);
        }
    }
    assert_eq!(net.engine.stats().retransmissions, 2);
    let messages: Vec<V3Message> = attempts
        .iter()
        .map(
            |transmit| match Message::decode(transmit.contents.clone()) {
                Ok(Message::V3(message)) => message,
                other => panic!("not SNMPv3: {other:?}"),
            },
        )
        .collect();
    for (n, message) in messages.iter().enumerate() {
        for earlier in &messages[..n] {
            // RFC 3412 §7.1: each message its own msgID; RFC 3826 §3.1.2.1: never a salt
            // twice with one key.
            assert_ne!(message.header.msg_id, earlier.header.msg_id);
            assert_ne!(message.security.priv_params, earlier.security.priv_params);
            assert_ne!(message.data, earlier.data, "encrypted again");
        }
        assert_eq!(message.header.flags.level, SecurityLevel::AuthPriv);
        // The clock estimate moves with the fake clock: 1 s per attempt.
        assert_eq!(
            message.security.engine_time.time,
            messages[0].security.engine_time.time + u32::try_from(n).unwrap()
        );
    }
    // The request-id, inside the encrypted PDU, is the same in every attempt.
    for transmit in &attempts {
        assert_eq!(request_id_of(transmit), id);
    }

    // The agent's answer to the first attempt arrives last, after the third went out: it
    // answers the request, as Net-SNMP takes it.
    let answers: Vec<Bytes> = attempts
        .iter()
        .map(|transmit| net.agent.handle(net.now, &transmit.contents))
        .collect();
    net.engine
        .handle_datagram(net.now, net.address, answers[0].clone());
    net.events
        .extend(std::iter::from_fn(|| net.engine.poll_event()));
    assert_eq!(net.responses(), [first, id]);
    assert_eq!(net.engine.outstanding(), 0);

    // The answers to the other attempts are late duplicates: dropped, no second event.
    let strays = net.engine.stats().strays;
    for answer in &answers[1..] {
        net.engine
            .handle_datagram(net.now, net.address, answer.clone());
    }
    assert!(net.engine.poll_event().is_none());
    assert_eq!(net.engine.stats().strays, strays + 2);
    // No timer is left for the answered request.
    assert_eq!(net.engine.poll_timeout(), None);
}

#[test]
fn retransmitted_discovery_probes_are_new_messages_too() {
    let mut net = Net::new();
    let user = Net::user(SecurityLevel::AuthNoPriv);
    let id = net.get(&user);
    // The first probe's Report is slow: the engine resends the probe meanwhile.
    let probe = net.engine.poll_transmit().expect("the probe");
    net.now += Duration::from_secs(1);
    net.engine.handle_timeout(net.now);
    let again = net.engine.poll_transmit().expect("the probe again");
    let msg_id = |transmit: &Transmit| match Message::decode(transmit.contents.clone()) {
        Ok(Message::V3(message)) => message.header.msg_id,
        other => panic!("not SNMPv3: {other:?}"),
    };
    assert_ne!(msg_id(&probe), msg_id(&again));

    // The Report to the first probe still completes the discovery; the request follows.
    let report = net.agent.handle(net.now, &probe.contents);
    net.engine.handle_datagram(net.now, net.address, report);
    net.run();
    assert_eq!(net.responses(), [id]);
    // The late Report to the second probe belongs to a finished phase: a stray, not a
    // failure of the request.
    let report = net.agent.handle(net.now, &again.contents);
    let strays = net.engine.stats().strays;
    net.engine.handle_datagram(net.now, net.address, report);
    assert!(net.engine.poll_event().is_none());
    assert_eq!(net.engine.stats().strays, strays + 1);
    assert!(net.failures().is_empty());
}
