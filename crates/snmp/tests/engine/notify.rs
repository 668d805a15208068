//! SNMPv3 notifications into the responder engine (RFC 3414 §3.2, RFC 3412 §7.2): traps from
//! an authoritative sender (users by sender engine ID, or localized to whatever engine ID
//! arrives), the sender's clock, and informs with discovery against the receiver's own
//! engine ID.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_snmp::engine::{
    ClientConfig, ClientEngine, ClientEvent, DropReason, Incoming, ResponderConfig,
    ResponderEngine, RetryPolicy, TrapUser, UsmConfig, UsmStat, UsmUser,
};
use vigie_snmp::usm::{AuthProtocol, Credentials, EngineId, EngineTime, KeyInput, PrivProtocol};
use vigie_snmp::{AnyPdu, ErrorStatus, Pdu, PduKind, RequestId, SecurityLevel, Value, VarBind};

use crate::clock_origin;

fn credentials(password: &[u8]) -> Credentials {
    Credentials::new(AuthProtocol::Sha1, KeyInput::Password(password))
        .and_then(|c| c.with_privacy(PrivProtocol::Aes128, KeyInput::Password(password)))
        .expect("valid passwords")
}

fn engine(text: &str) -> EngineId {
    text.parse().expect("a literal engine ID")
}

fn receiver_id() -> EngineId {
    engine("0x80007e5904aabbccdd")
}

fn sender_id() -> EngineId {
    engine("0x8000000001020304")
}

fn sender() -> SocketAddr {
    "192.0.2.30:50000".parse().expect("a literal address")
}

fn receiver(now: Instant) -> ResponderEngine {
    let mut engine = ResponderEngine::new(ResponderConfig::default()).with_usm(
        UsmConfig {
            engine_id: receiver_id(),
            boots: 1,
            users: vec![(Bytes::from_static(b"informer"), credentials(b"informpass"))],
        },
        now,
        5,
    );
    engine.set_trap_users(vec![
        TrapUser {
            name: Bytes::from_static(b"pinned"),
            engine_id: Some(sender_id()),
            credentials: credentials(b"pinnedpass"),
        },
        TrapUser {
            name: Bytes::from_static(b"roaming"),
            engine_id: None,
            credentials: credentials(b"roamingpass"),
        },
    ]);
    engine
}

fn client() -> ClientEngine {
    ClientEngine::new(
        ClientConfig::new(RetryPolicy {
            timeout: Duration::from_secs(1),
            retries: 1,
        }),
        [3; 32],
    )
}

fn notification(kind: PduKind) -> AnyPdu {
    AnyPdu::Pdu(Pdu {
        kind,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: vec![
            VarBind {
                name: "1.3.6.1.2.1.1.3.0".parse().expect("sysUpTime.0"),
                value: Value::TimeTicks(100),
            },
            VarBind {
                name: "1.3.6.1.6.3.1.1.4.1.0".parse().expect("snmpTrapOID.0"),
                value: Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.3".parse().expect("linkDown")),
            },
        ],
    })
}

/// One v3 trap from `user` (password `password`) as the engine `engine_id` at `time`.
fn trap(user: &'static [u8], password: &[u8], engine_id: EngineId, time: EngineTime) -> Bytes {
    let mut client = client();
    let mut user = UsmUser::new(
        Bytes::from_static(user),
        SecurityLevel::AuthPriv,
        Some(credentials(password)),
    )
    .expect("authPriv keys");
    user.engine_id = Some(engine_id);
    user.engine_time = Some(time);
    client
        .send_v3_unacknowledged(
            clock_origin(),
            sender(),
            &user,
            notification(PduKind::SnmpV2Trap),
        )
        .expect("a trap");
    client.poll_transmit().expect("the trap datagram").contents
}

#[test]
fn traps_from_pinned_and_roaming_users_are_accepted() {
    let now = clock_origin();
    let mut receiver = receiver(now);
    let datagram = trap(
        b"pinned",
        b"pinnedpass",
        sender_id(),
        EngineTime::new(4, 1000),
    );
    let Incoming::Notification(ctx, AnyPdu::Pdu(pdu)) =
        receiver.handle_datagram(now, sender(), datagram)
    else {
        panic!("the pinned user's trap is accepted");
    };
    assert_eq!(ctx.security_name.as_bytes(), b"pinned");
    assert_eq!(ctx.security_level, SecurityLevel::AuthPriv);
    assert_eq!(ctx.security_engine_id(), Some(&sender_id().to_bytes()));
    assert_eq!(pdu.varbinds.len(), 2);
    // A trap is never answered.
    assert!(receiver.respond(&ctx, pdu).is_none());

    // The roaming user from two different engines: keys localized to each.
    for engine_id in [engine("0x8000000005060708"), engine("0x80000000090a0b0c")] {
        let datagram = trap(
            b"roaming",
            b"roamingpass",
            engine_id.clone(),
            EngineTime::new(1, 5),
        );
        let Incoming::Notification(ctx, _) = receiver.handle_datagram(now, sender(), datagram)
        else {
            panic!("the roaming user's trap is accepted");
        };
        assert_eq!(ctx.security_engine_id(), Some(&engine_id.to_bytes()));
    }
}

#[test]
fn refused_traps_are_counted() {
    let now = clock_origin();
    let mut receiver = receiver(now);
    let cases = [
        // The pinned user from another engine.
        (
            trap(
                b"pinned",
                b"pinnedpass",
                engine("0x8000000099999999"),
                EngineTime::new(1, 1),
            ),
            UsmStat::UnknownUserNames,
        ),
        (
            trap(b"nobody", b"nobodypass", sender_id(), EngineTime::new(1, 1)),
            UsmStat::UnknownUserNames,
        ),
        (
            trap(
                b"pinned",
                b"wrongpassword",
                sender_id(),
                EngineTime::new(1, 1),
            ),
            UsmStat::WrongDigests,
        ),
    ];
    for (datagram, stat) in cases {
        let incoming = receiver.handle_datagram(now, sender(), datagram);
        assert!(
            matches!(incoming, Incoming::Drop(DropReason::Usm(s)) if s == stat),
            "{stat:?}: {incoming:?}"
        );
        assert!(receiver.counters().usm(stat) >= 1, "{stat:?} counted");
    }
}

#[test]
fn the_senders_clock_rejects_replays() {
    let now = clock_origin();
    let mut receiver = receiver(now);
    let fresh = trap(
        b"pinned",
        b"pinnedpass",
        sender_id(),
        EngineTime::new(4, 1000),
    );
    let old = trap(
        b"pinned",
        b"pinnedpass",
        sender_id(),
        EngineTime::new(4, 600),
    );
    let earlier_boot = trap(
        b"pinned",
        b"pinnedpass",
        sender_id(),
        EngineTime::new(3, 2000),
    );
    assert!(matches!(
        receiver.handle_datagram(now, sender(), fresh.clone()),
        Incoming::Notification(..)
    ));
    // A replay within the window is accepted again (USM has no replay cache); older
    // than the window or from an earlier boot is not.
    assert!(matches!(
        receiver.handle_datagram(now, sender(), fresh),
        Incoming::Notification(..)
    ));
    for datagram in [old, earlier_boot] {
        assert!(matches!(
            receiver.handle_datagram(now, sender(), datagram),
            Incoming::Drop(DropReason::Usm(UsmStat::NotInTimeWindows))
        ));
    }
}

#[test]
fn an_inform_discovers_the_receiver_and_is_acknowledged() {
    let now = clock_origin() + Duration::from_secs(30);
    let mut receiver = receiver(clock_origin());
    let mut client = client();
    let user = UsmUser::new(
        Bytes::from_static(b"informer"),
        SecurityLevel::AuthPriv,
        Some(credentials(b"informpass")),
    )
    .expect("authPriv keys");
    let id = client.send_v3(now, sender(), &user, notification(PduKind::InformRequest));
    let mut notifications = 0;
    let mut reports = 0;
    while let Some(transmit) = client.poll_transmit() {
        let answer = match receiver.handle_datagram(now, sender(), transmit.contents) {
            Incoming::Report(report) => {
                reports += 1;
                report
            }
            Incoming::Notification(ctx, AnyPdu::Pdu(pdu)) => {
                notifications += 1;
                assert_eq!(ctx.kind(), Some(PduKind::InformRequest));
                assert_eq!(ctx.security_engine_id(), Some(&receiver_id().to_bytes()));
                let response = Pdu {
                    varbinds: pdu.varbinds.clone(),
                    ..pdu
                };
                receiver
                    .respond(&ctx, response)
                    .expect("the acknowledgement")
            }
            other => panic!("unexpected {other:?}"),
        };
        client.handle_datagram(now, sender(), answer.contents);
    }
    assert_eq!(
        (reports, notifications),
        (1, 1),
        "discovery, then the inform"
    );
    let events: Vec<ClientEvent> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(
        events
            .iter()
            .any(|event| matches!(event, ClientEvent::Response { id: got, .. } if *got == id)),
        "{events:?}"
    );
}
