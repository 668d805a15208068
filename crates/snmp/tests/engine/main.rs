//! Simulation: a client engine and a tiny in-memory agent, with a fake clock.
//!
//! The agent is written here on top of the codec (`Message::decode`/`encode`); the network is
//! two queues the test steps by hand, so loss, duplication, spoofed sources and garbage are
//! all deterministic.

mod amplification;
mod keys;
mod notify;
mod replay;
mod v3;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_snmp::engine::{ClientConfig, ClientEngine, ClientEvent, Request, RetryPolicy, Transmit};
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Oid, Pdu, PduKind, RequestId, Value, VarBind,
    Version,
};

/// The engine, the agent's address and a clock that moves only when told.
struct Pair {
    engine: ClientEngine,
    agent: SocketAddr,
    start: Instant,
    now: Instant,
    /// Datagrams the engine sent, in order, with the time they left.
    sent: Vec<(Instant, Transmit)>,
}

impl Pair {
    fn new(timeout: Duration, retries: u32) -> Self {
        let start = clock_origin();
        Self {
            engine: ClientEngine::new(
                ClientConfig::new(RetryPolicy { timeout, retries }),
                [42; 32],
            ),
            agent: "192.0.2.10:161".parse().expect("a literal address"),
            start,
            now: start,
            sent: Vec::new(),
        }
    }

    fn get(&mut self, community: &'static [u8]) -> RequestId {
        let request = Request {
            version: Version::V2c,
            community: Bytes::from_static(community),
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::GetRequest,
                request_id: RequestId(0),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind::null(sys_descr())],
            }),
        };
        let id = self.engine.send(self.now, self.agent, request);
        self.collect();
        id
    }

    /// Moves the clock to the engine's next deadline and lets it act.
    fn advance_to_deadline(&mut self) -> bool {
        let Some(deadline) = self.engine.poll_timeout() else {
            return false;
        };
        assert!(deadline >= self.now, "deadlines never lie in the past");
        self.now = deadline;
        self.engine.handle_timeout(self.now);
        self.collect();
        true
    }

    fn deliver(&mut self, from: SocketAddr, datagram: Bytes) {
        self.engine.handle_datagram(self.now, from, datagram);
        self.collect();
    }

    fn collect(&mut self) {
        while let Some(transmit) = self.engine.poll_transmit() {
            self.sent.push((self.now, transmit));
        }
    }

    fn events(&mut self) -> Vec<ClientEvent> {
        std::iter::from_fn(|| self.engine.poll_event()).collect()
    }

    /// The agent's answer to the `index`th datagram sent.
    fn answer(&self, index: usize) -> Bytes {
        respond(&self.sent[index].1.contents, b"public")
    }
}

/// The agent: answers a GetRequest with sysDescr, echoing version and community, or with a
/// community of its own choosing.
fn respond(request: &[u8], community: &'static [u8]) -> Bytes {
    let Ok(Message::Community(message)) = Message::decode(Bytes::copy_from_slice(request)) else {
        panic!("the engine sent an undecodable request");
    };
    let AnyPdu::Pdu(pdu) = message.pdu else {
        panic!("expected a GetRequest, got {:?}", message.pdu);
    };
    assert_eq!(pdu.kind, PduKind::GetRequest);
    let response = Message::Community(CommunityMessage {
        version: message.version,
        community: Bytes::from_static(community),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::Response,
            request_id: pdu.request_id,
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind {
                name: sys_descr(),
                value: Value::OctetString(Bytes::from_static(b"vigie test agent")),
            }],
        }),
    });
    Bytes::from(response.to_vec())
}

fn sys_descr() -> Oid {
    "1.3.6.1.2.1.1.1.0".parse().expect("a literal OID")
}

/// The fake clock's origin: any instant will do, since only the test moves the clock after.
#[allow(clippy::disallowed_methods)] // the one reading of the real clock, as an arbitrary origin
fn clock_origin() -> Instant {
    Instant::now()
}

fn response_id(event: &ClientEvent) -> Option<RequestId> {
    match event {
        ClientEvent::Response { id, .. } => Some(*id),
        _ => None,
    }
}

#[test]
fn response_is_matched() {
    let mut pair = Pair::new(Duration::from_secs(1), 5);
    let id = pair.get(b"public");
    assert_eq!(pair.sent.len(), 1);
    assert_eq!(pair.sent[0].1.destination, pair.agent);
    let answer = pair.answer(0);
    pair.deliver(pair.agent, answer);
    let events = pair.events();
    let [ClientEvent::Response { id: answered, pdu }] = events.as_slice() else {
        panic!("expected one response, got {events:?}");
    };
    assert_eq!(*answered, id);
    assert_eq!(pdu.request_id, id);
    assert_eq!(
        pdu.varbinds[0].value,
        Value::OctetString(Bytes::from_static(b"vigie test agent"))
    );
    assert_eq!(pair.engine.poll_timeout(), None);
    assert_eq!(pair.engine.stats().responses, 1);
}

#[test]
fn retries_after_timeout_with_the_same_bytes() {
    let mut pair = Pair::new(Duration::from_millis(500), 5);
    let id = pair.get(b"public");
    // The first datagram is lost; the retransmission is answered.
    assert!(pair.advance_to_deadline());
    assert_eq!(pair.sent.len(), 2);
    assert_eq!(pair.sent[1].0 - pair.start, Duration::from_millis(500));
    assert_eq!(pair.sent[0].1.contents, pair.sent[1].1.contents);
    let answer = pair.answer(1);
    pair.deliver(pair.agent, answer);
    let events = pair.events();
    assert_eq!(
        events.iter().filter_map(response_id).collect::<Vec<_>>(),
        [id]
    );
    assert_eq!(pair.engine.stats().retransmissions, 1);
}

#[test]
fn times_out_after_all_retries() {
    let retries = 3;
    let mut pair = Pair::new(Duration::from_millis(200), retries);
    let id = pair.get(b"public");
    while pair.advance_to_deadline() {}
    let expected_transmissions = 1 + usize::try_from(retries).unwrap();
    assert_eq!(pair.sent.len(), expected_transmissions);
    for (n, (at, _)) in pair.sent.iter().enumerate() {
        assert_eq!(
            *at - pair.start,
            Duration::from_millis(200) * u32::try_from(n).unwrap()
        );
    }
    assert_eq!(pair.now - pair.start, Duration::from_millis(800));
    assert_eq!(
        pair.events(),
        [ClientEvent::TimedOut {
            id,
            last_malformed: None
        }]
    );
    let stats = pair.engine.stats();
    assert_eq!(stats.timeouts, 1);
    assert_eq!(stats.retransmissions, 3);

    // An answer after the timeout is late, not a response.
    let answer = pair.answer(0);
    pair.deliver(pair.agent, answer);
    assert!(pair.events().is_empty());
    assert_eq!(pair.engine.stats().late, 1);
}

#[test]
fn strays_duplicates_and_wrong_sources_are_counted_and_dropped() {
    let mut pair = Pair::new(Duration::from_secs(1), 1);
    let id = pair.get(b"public");
    let answer = pair.answer(0);

    // From another address: dropped, and the request stays outstanding.
    let spoofer: SocketAddr = "192.0.2.66:161".parse().unwrap();
    pair.deliver(spoofer, answer.clone());
    // Same host, other port: also another address.
    let other_port: SocketAddr = "192.0.2.10:1161".parse().unwrap();
    pair.deliver(other_port, answer.clone());
    assert!(pair.events().is_empty());
    assert_eq!(pair.engine.stats().wrong_source, 2);

    // Wrong community from the right address: dropped.
    let wrong_community = respond(&pair.sent[0].1.contents, b"private");
    pair.deliver(pair.agent, wrong_community);
    assert!(pair.events().is_empty());
    assert_eq!(pair.engine.stats().mismatched, 1);

    // The genuine answer, then the same answer again (the agent saw a retransmission).
    pair.deliver(pair.agent, answer.clone());
    pair.deliver(pair.agent, answer);
    assert_eq!(
        pair.events()
            .iter()
            .filter_map(response_id)
            .collect::<Vec<_>>(),
        [id]
    );
    assert_eq!(pair.engine.stats().duplicates, 1);

    // A response to a request never sent.
    let other = pair.get(b"public");
    let mut stray = Message::decode(pair.answer(1)).unwrap();
    let Message::Community(CommunityMessage {
        pdu: AnyPdu::Pdu(pdu),
        ..
    }) = &mut stray
    else {
        panic!("the agent answers with a Response-PDU");
    };
    pdu.request_id = RequestId(other.0.wrapping_add(1_000));
    pair.deliver(pair.agent, Bytes::from(stray.to_vec()));
    assert!(pair.events().is_empty());
    let stats = pair.engine.stats();
    assert_eq!(stats.strays, 1);
    assert_eq!(stats.responses, 1);
    assert_eq!(pair.engine.outstanding(), 1);
}

#[test]
fn a_malformed_reply_is_reported_in_the_timeout() {
    let mut pair = Pair::new(Duration::from_millis(100), 1);
    let id = pair.get(b"public");
    let answer = pair.answer(0);
    // The agent's reply loses its last bytes on the way.
    let truncated = answer.slice(..answer.len() - 3);
    pair.deliver(pair.agent, truncated);
    while pair.advance_to_deadline() {}
    let events = pair.events();
    let [
        ClientEvent::TimedOut {
            id: failed,
            last_malformed: Some(error),
        },
    ] = events.as_slice()
    else {
        panic!("expected a timeout naming the malformed reply, got {events:?}");
    };
    assert_eq!(*failed, id);
    assert_eq!(
        *error,
        Message::decode(answer.slice(..answer.len() - 3)).unwrap_err()
    );
    assert_eq!(pair.engine.stats().malformed, 1);
}

#[test]
fn concurrent_requests_are_matched_independently() {
    let mut pair = Pair::new(Duration::from_secs(1), 0);
    let first = pair.get(b"public");
    let second = pair.get(b"public");
    assert_ne!(first, second);
    // Answers arrive in the reverse order.
    let (a1, a0) = (pair.answer(1), pair.answer(0));
    pair.deliver(pair.agent, a1);
    pair.deliver(pair.agent, a0);
    assert_eq!(
        pair.events()
            .iter()
            .filter_map(response_id)
            .collect::<Vec<_>>(),
        [second, first]
    );
}
