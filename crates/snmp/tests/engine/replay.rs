//! Replay of a captured SNMPv3 request (RFC 3414 §3.2 step 7, §2.2.3): the responder accepts
//! an authenticated message again while its msgAuthoritativeEngineTime is within 150 s of the
//! local notion of time — RFC 3414 allows this, the window being its replay protection — and
//! rejects it past the window with an authenticated notInTimeWindow Report, counting
//! `usmStatsNotInTimeWindows`.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{Incoming, ResponderConfig, ResponderEngine, UsmConfig, UsmStat};
use vigie_snmp::message::{ScopedPdu, ScopedPduData};
use vigie_snmp::usm::{
    self, AuthProtocol, Credentials, EngineId, EngineTime, KeyCache, KeyInput, Outgoing,
    PrivProtocol, SaltCounter, TIME_WINDOW,
};
use vigie_snmp::{AnyPdu, ErrorStatus, Message, Pdu, PduKind, RequestId, SecurityLevel, VarBind};

use crate::{clock_origin, sys_descr};

const BOOTS: u32 = 4;

fn credentials() -> Credentials {
    Credentials::new(
        AuthProtocol::Sha256,
        KeyInput::Password(b"replay-auth-pass"),
    )
    .and_then(|c| {
        c.with_privacy(
            PrivProtocol::Aes128,
            KeyInput::Password(b"replay-priv-pass"),
        )
    })
    .expect("valid passwords")
}

fn engine_id() -> EngineId {
    "0x80007ed9030102030405"
        .parse()
        .expect("a literal engine ID")
}

fn manager() -> SocketAddr {
    "192.0.2.20:40000".parse().expect("a literal address")
}

/// An authPriv GET of sysDescr.0 as a manager synchronised at `engine_time` sends it: the
/// datagram an attacker on the path would capture.
fn captured_get(engine_time: u32) -> Bytes {
    let mut cache = KeyCache::new();
    let keys = cache.keys(b"alice", &credentials(), &engine_id()).clone();
    let scoped = ScopedPdu {
        context_engine_id: engine_id().to_bytes(),
        context_name: Bytes::new(),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(4242),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind::null(sys_descr())],
        }),
    };
    let mut salts = SaltCounter::new(0, 9);
    usm::encode_message(
        &Outgoing {
            msg_id: 31,
            max_size: 1_500,
            reportable: true,
            engine_id: engine_id().to_bytes(),
            engine_time: EngineTime::new(BOOTS, engine_time),
            user_name: Bytes::from_static(b"alice"),
            scoped_pdu: &scoped,
        },
        SecurityLevel::AuthPriv,
        Some(&keys),
        &mut salts,
    )
    .expect("the request encodes")
}

/// The name of the first varbind of a Report, and its security level.
fn report_of(incoming: Incoming) -> (String, SecurityLevel) {
    let Incoming::Report(transmit) = incoming else {
        panic!("expected a Report, got {incoming:?}");
    };
    let Message::V3(message) = Message::decode(transmit.contents).expect("a v3 message") else {
        panic!("not a v3 message");
    };
    let level = message.header.flags.level;
    let ScopedPduData::Plaintext(scoped) = message.data else {
        panic!("a notInTimeWindow Report is authNoPriv, not encrypted");
    };
    let AnyPdu::Pdu(pdu) = scoped.pdu else {
        panic!("not a Report-PDU");
    };
    assert_eq!(pdu.kind, PduKind::Report);
    (pdu.varbinds[0].name.to_string(), level)
}

#[test]
fn a_captured_request_is_accepted_within_the_window_and_rejected_after_150_s() {
    let start = clock_origin();
    let mut agent = ResponderEngine::new(ResponderConfig {
        communities: CommunityTable::new(),
        max_message_size: 0,
    })
    .with_usm(
        UsmConfig {
            engine_id: engine_id(),
            boots: BOOTS,
            users: vec![(Bytes::from_static(b"alice"), credentials())],
        },
        start,
        3,
    );
    // The manager is synchronised: engine time 0 at `start`.
    let captured = captured_get(0);
    let accepted = |incoming: Incoming| match incoming {
        Incoming::Request(ctx, AnyPdu::Pdu(pdu)) => {
            assert_eq!(ctx.security_name.as_bytes(), b"alice");
            assert_eq!(ctx.security_level, SecurityLevel::AuthPriv);
            assert_eq!(pdu.request_id, RequestId(4242));
        }
        other => panic!("expected the request, got {other:?}"),
    };
    // The original, then a replay 10 s and 150 s later: inside the window (RFC 3414 §3.2
    // step 7b: rejected only when the times differ by more than 150 s).
    accepted(agent.handle_datagram(start, manager(), captured.clone()));
    accepted(agent.handle_datagram(start + Duration::from_secs(10), manager(), captured.clone()));
    accepted(agent.handle_datagram(start + TIME_WINDOW, manager(), captured.clone()));
    assert_eq!(agent.counters().usm(UsmStat::NotInTimeWindows), 0);

    // 151 s and an hour later: a notInTimeWindow Report, authenticated so that a genuine
    // manager can resynchronise from it, and the counter moves each time.
    for (n, late) in [151_u64, 3_600].into_iter().enumerate() {
        let at = start + Duration::from_secs(late);
        let (name, level) = report_of(agent.handle_datagram(at, manager(), captured.clone()));
        assert_eq!(name, "1.3.6.1.6.3.15.1.1.2.0", "usmStatsNotInTimeWindows.0");
        assert_eq!(level, SecurityLevel::AuthNoPriv);
        assert_eq!(
            agent.counters().usm(UsmStat::NotInTimeWindows),
            u32::try_from(n + 1).expect("two iterations")
        );
    }

    // A request the manager builds fresh at that time is accepted: the window rejects the
    // old capture, not the user.
    let later = start + Duration::from_secs(3_600);
    accepted(agent.handle_datagram(later, manager(), captured_get(3_600)));
}

#[test]
fn a_replay_with_a_forged_time_fails_its_digest_first() {
    let start = clock_origin();
    let mut agent = ResponderEngine::new(ResponderConfig {
        communities: CommunityTable::new(),
        max_message_size: 0,
    })
    .with_usm(
        UsmConfig {
            engine_id: engine_id(),
            boots: BOOTS,
            users: vec![(Bytes::from_static(b"alice"), credentials())],
        },
        start,
        3,
    );
    // An attacker rewrites msgAuthoritativeEngineTime of a capture taken at engine time 200
    // to look fresh at 1000: the digest covers the whole message, so it is a wrongDigest.
    // Both times encode in two octets, and the encodings first differ there (the MAC and the
    // encrypted part come after).
    let captured = captured_get(200);
    let fresh = captured_get(1_000);
    let mut forged = captured.to_vec();
    let at = forged
        .iter()
        .zip(fresh.iter())
        .position(|(a, b)| a != b)
        .expect("the encodings differ");
    forged[at..at + 2].copy_from_slice(&fresh[at..at + 2]);
    let later = start + Duration::from_secs(1_000);
    let incoming = agent.handle_datagram(later, manager(), Bytes::from(forged));
    assert!(
        !matches!(incoming, Incoming::Request(..)),
        "a forged time is never accepted"
    );
    assert_eq!(agent.counters().usm(UsmStat::WrongDigests), 1);
    assert_eq!(agent.counters().usm(UsmStat::NotInTimeWindows), 0);
}
