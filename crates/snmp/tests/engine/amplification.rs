//! The responder's bound on responses to unauthenticated requests
//! ([`AmplificationLimit`]): a GETBULK asking for 65535 repetitions is answered with at most
//! `max(floor, factor × request)` bytes, cut to fit; an authenticated request is not bound by
//! it, since its source is not anyone's to forge without the keys.

use std::net::SocketAddr;

use bytes::Bytes;
use vigie_snmp::community::{CommunityEntry, CommunityTable};
use vigie_snmp::engine::{AmplificationLimit, Incoming, ResponderConfig, ResponderEngine};
use vigie_snmp::pdu::BulkPdu;
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Pdu, PduKind, RequestId, Value, VarBind,
    Version,
};

use crate::clock_origin;

fn engine(limit: Option<AmplificationLimit>) -> ResponderEngine {
    let mut communities = CommunityTable::new();
    communities
        .add(CommunityEntry::new("public", "comm1"))
        .expect("a valid entry");
    let mut engine = ResponderEngine::new(ResponderConfig {
        communities,
        max_message_size: 0,
    });
    engine.set_amplification_limit(limit);
    engine
}

fn bulk(version: Version, repeaters: usize) -> Bytes {
    Bytes::from(
        Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(b"public"),
            pdu: AnyPdu::Bulk(BulkPdu {
                request_id: RequestId(5),
                non_repeaters: 0,
                max_repetitions: 65_535,
                varbinds: (0..repeaters)
                    .map(|i| VarBind::null(format!("1.3.6.1.{i}").parse().expect("an OID")))
                    .collect(),
            }),
        })
        .to_vec(),
    )
}

/// What an agent would put in the answer before sizing: 5000 varbinds of 40-octet values.
fn huge() -> Pdu {
    Pdu {
        kind: PduKind::Response,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: (0..5_000_u32)
            .map(|i| VarBind {
                name: format!("1.3.6.1.2.1.25.4.2.1.2.{i}")
                    .parse()
                    .expect("an OID"),
                value: Value::OctetString(Bytes::from(vec![b'x'; 40])),
            })
            .collect(),
    }
}

fn answer(engine: &mut ResponderEngine, request: Bytes) -> usize {
    let from: SocketAddr = "192.0.2.66:40000".parse().expect("a literal address");
    let Incoming::Request(ctx, _) = engine.handle_datagram(clock_origin(), from, request) else {
        panic!("expected a request");
    };
    engine
        .respond(&ctx, huge())
        .expect("a cut GETBULK response is sent")
        .contents
        .len()
}

#[test]
fn getbulk_responses_to_community_requests_are_bounded_by_the_request() {
    let limit = AmplificationLimit::DEFAULT;
    for repeaters in [1, 10, 100] {
        let request = bulk(Version::V2c, repeaters);
        let size = request.len();
        let bounded = answer(&mut engine(Some(limit)), request.clone());
        assert!(
            bounded <= limit.bound(size),
            "{repeaters} varbinds: {size} → {bounded} bytes"
        );
        // Cut to the bound, not below it by more than one varbind.
        assert!(bounded + 80 > limit.bound(size).min(65_507), "{bounded}");
        // Without the bound, the same request is answered with a full UDP datagram.
        let unbounded = answer(&mut engine(None), request);
        assert!(unbounded > 60_000, "{unbounded}");
    }
    // The worst ratio: the smallest request, at the floor.
    let small = bulk(Version::V2c, 1);
    let ratio = answer(&mut engine(Some(limit)), small.clone()) / small.len();
    assert!(ratio <= limit.floor / small.len(), "{ratio}×");
}

#[test]
fn the_bound_is_the_floor_or_a_multiple_of_the_request() {
    let limit = AmplificationLimit {
        factor: 10,
        floor: 1_000,
    };
    assert_eq!(limit.bound(40), 1_000);
    assert_eq!(limit.bound(400), 4_000);
    assert_eq!(limit.bound(usize::MAX), usize::MAX);
}
