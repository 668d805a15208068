//! Unit tests of the client engine: request-ids, timers, cancellation, undecodable input.

use super::*;
use crate::{ErrorStatus, Oid, VarBind};

fn target() -> SocketAddr {
    "192.0.2.1:161".parse().unwrap()
}

fn get_request() -> Request {
    Request {
        version: Version::V2c,
        community: Bytes::from_static(b"public"),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(0),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind::null(
                Oid::new(&[1, 3, 6, 1, 2, 1, 1, 1, 0]).unwrap(),
            )],
        }),
    }
}

/// The fake clock's origin: any instant will do, since only the tests move it after.
#[allow(clippy::disallowed_methods)] // the one reading of the real clock, as an origin
fn origin() -> Instant {
    Instant::now()
}

fn engine(timeout_ms: u64, retries: u32) -> ClientEngine {
    let policy = RetryPolicy {
        timeout: Duration::from_millis(timeout_ms),
        retries,
    };
    ClientEngine::new(ClientConfig::new(policy), [7; 32])
}

#[test]
fn default_policy_is_net_snmp_s() {
    let policy = ClientConfig::default().retry;
    assert_eq!(policy.timeout, Duration::from_secs(1));
    assert_eq!(policy.retries, 5);
}

#[test]
fn request_ids_are_seeded_positive_and_increasing() {
    let mut a = ClientEngine::new(ClientConfig::default(), [1; 32]);
    let mut b = ClientEngine::new(ClientConfig::default(), [2; 32]);
    let now = origin();
    let first = a.send(now, target(), get_request());
    let second = a.send(now, target(), get_request());
    assert!(first.0 > 0);
    let after_first = first.0.checked_add(1).unwrap_or(1);
    assert_eq!(second.0, after_first);
    assert_ne!(b.send(now, target(), get_request()), first);
}

#[test]
fn request_ids_wrap_within_positive_and_skip_outstanding() {
    let mut engine = engine(1_000, 0);
    let now = origin();
    engine.next_id = 1;
    let one = engine.send(now, target(), get_request());
    assert_eq!(one, RequestId(1));
    engine.next_id = i32::MAX;
    assert_eq!(
        engine.send(now, target(), get_request()),
        RequestId(i32::MAX)
    );
    // 1 is still outstanding: the next id after the wrap is 2.
    assert_eq!(engine.send(now, target(), get_request()), RequestId(2));
}

#[test]
fn first_request_id_is_never_zero_or_negative() {
    let ids: Vec<i32> = (0..=255_u8)
        .map(|byte| first_request_id(&[byte; 32]))
        .collect();
    assert!(ids.iter().all(|id| *id >= 1));
    // Different seeds give different starts, spread over the range.
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len());
    assert!(ids.iter().any(|id| *id > 0x4000_0000));
    assert!(ids.iter().any(|id| *id < 0x4000_0000));
}

#[test]
fn retransmits_same_bytes_then_times_out() {
    let mut engine = engine(1_000, 2);
    let start = origin();
    let id = engine.send(start, target(), get_request());
    let first = engine.poll_transmit().unwrap();
    assert_eq!(first.destination, target());
    assert_eq!(first.request, Some(id));
    assert_eq!(engine.poll_timeout(), Some(start + Duration::from_secs(1)));

    // Nothing happens before the deadline.
    engine.handle_timeout(start + Duration::from_millis(999));
    assert!(engine.poll_transmit().is_none());

    let mut now = start;
    for _ in 0..2 {
        now += Duration::from_secs(1);
        engine.handle_timeout(now);
        let again = engine.poll_transmit().unwrap();
        assert_eq!(again.contents, first.contents);
        assert!(engine.poll_event().is_none());
    }
    now += Duration::from_secs(1);
    engine.handle_timeout(now);
    assert!(engine.poll_transmit().is_none());
    assert_eq!(
        engine.poll_event(),
        Some(ClientEvent::TimedOut {
            id,
            last_malformed: None
        })
    );
    assert_eq!(engine.poll_timeout(), None);
    let stats = engine.stats();
    assert_eq!(
        (stats.sent, stats.retransmissions, stats.timeouts),
        (3, 2, 1)
    );
}

#[test]
fn cancel_stops_retransmissions() {
    let mut engine = engine(10, 3);
    let now = origin();
    let id = engine.send(now, target(), get_request());
    let kept = engine.send(now, target(), get_request());
    assert!(engine.cancel(id));
    // The cancelled request's datagram is withdrawn; the other one stays queued.
    assert_eq!(engine.poll_transmit().and_then(|t| t.request), Some(kept));
    assert!(engine.poll_transmit().is_none());
    assert!(engine.cancel(kept));
    assert!(!engine.cancel(id));
    assert_eq!(engine.poll_timeout(), None);
    engine.handle_timeout(now + Duration::from_secs(1));
    assert!(engine.poll_event().is_none());
    assert_eq!(engine.outstanding(), 0);
}

#[test]
fn garbage_is_counted_and_remembered_for_the_target_only() {
    let mut engine = engine(10, 0);
    let now = origin();
    let other: SocketAddr = "192.0.2.2:161".parse().unwrap();
    let mine = engine.send(now, target(), get_request());
    let theirs = engine.send(now, other, get_request());
    engine.handle_datagram(now, target(), Bytes::from_static(&[0x30, 0x05, 0x02]));
    assert_eq!(engine.stats().malformed, 1);
    engine.handle_timeout(now + Duration::from_millis(10));
    let mut events = Vec::new();
    while let Some(event) = engine.poll_event() {
        events.push(event);
    }
    let malformed_of = |wanted: RequestId| {
        events.iter().find_map(|event| match event {
            ClientEvent::TimedOut { id, last_malformed } if *id == wanted => Some(*last_malformed),
            _ => None,
        })
    };
    assert!(malformed_of(mine).unwrap().is_some());
    assert_eq!(malformed_of(theirs), Some(None));
}

#[test]
fn traps_are_sent_once_and_not_tracked() {
    let mut engine = engine(10, 5);
    let now = origin();
    let mut trap = get_request();
    if let AnyPdu::Pdu(pdu) = &mut trap.pdu {
        pdu.kind = PduKind::SnmpV2Trap;
    }
    assert!(engine.send_unacknowledged(now, target(), trap).is_some());
    assert!(engine.poll_transmit().is_some());
    assert!(engine.poll_transmit().is_none());
    assert_eq!(engine.poll_timeout(), None);
    assert_eq!(engine.outstanding(), 0);
}

#[test]
fn debug_hides_communities() {
    let mut engine = engine(10, 0);
    let request = get_request();
    assert!(!format!("{request:?}").contains("public"));
    engine.send(origin(), target(), request);
    assert!(!format!("{engine:?}").contains("public"));
}
