use std::net::{Ipv4Addr, SocketAddr};

use super::*;
use crate::Value;
use crate::community::{CommunityEntry, SourceNetwork};
use crate::pdu::BulkPdu;

/// The fake clock's origin: the responder does not look at the time for v1/v2c, any instant
/// will do.
#[allow(clippy::disallowed_methods)] // the one reading of the real clock, as an origin
fn origin() -> Instant {
    Instant::now()
}

fn engine(max: usize) -> ResponderEngine {
    let mut communities = CommunityTable::new();
    communities
        .add(
            CommunityEntry::new("public", "comm1")
                .source(SourceNetwork::host(Ipv4Addr::LOCALHOST.into())),
        )
        .unwrap();
    ResponderEngine::new(ResponderConfig {
        communities,
        max_message_size: max,
    })
}

fn from() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 40_000))
}

fn datagram(version: Version, community: &'static [u8], pdu: AnyPdu) -> Bytes {
    Bytes::from(
        Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(community),
            pdu,
        })
        .to_vec(),
    )
}

fn get(oids: usize) -> AnyPdu {
    AnyPdu::Pdu(Pdu {
        kind: PduKind::GetRequest,
        request_id: RequestId(77),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: (0..oids)
            .map(|i| VarBind::null(format!("1.3.6.1.2.1.1.{i}.0").parse().unwrap()))
            .collect(),
    })
}

fn bulk() -> AnyPdu {
    AnyPdu::Bulk(BulkPdu {
        request_id: RequestId(78),
        non_repeaters: 0,
        max_repetitions: 100,
        varbinds: vec![VarBind::null("1.3.6.1".parse().unwrap())],
    })
}

fn response(varbinds: usize, value_len: usize) -> Pdu {
    Pdu {
        kind: PduKind::Response,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: (0..varbinds)
            .map(|i| VarBind {
                name: format!("1.3.6.1.2.1.1.{i}.0").parse().unwrap(),
                value: Value::OctetString(Bytes::from(vec![b'x'; value_len])),
            })
            .collect(),
    }
}

fn decode_response(transmit: &Transmit) -> (Version, Pdu) {
    let Message::Community(message) = Message::decode(transmit.contents.clone()).unwrap() else {
        panic!("not a community message");
    };
    let AnyPdu::Pdu(pdu) = message.pdu else {
        panic!("not a response");
    };
    (message.version, pdu)
}

#[test]
fn accepts_a_known_community_and_answers_with_the_request_id() {
    let mut engine = engine(0);
    let now = origin();
    let Incoming::Request(ctx, pdu) =
        engine.handle_datagram(now, from(), datagram(Version::V2c, b"public", get(1)))
    else {
        panic!("expected a request");
    };
    assert_eq!(ctx.security_name.as_bytes(), b"comm1");
    assert_eq!(ctx.request_id, RequestId(77));
    assert_eq!(pdu.varbinds().len(), 1);
    let transmit = engine.respond(&ctx, response(1, 3)).unwrap();
    assert_eq!(transmit.destination, from());
    let (version, pdu) = decode_response(&transmit);
    assert_eq!(
        (version, pdu.kind, pdu.request_id),
        (Version::V2c, PduKind::Response, RequestId(77))
    );
    let counters = engine.counters();
    assert_eq!(counters.get(SnmpCounter::InPkts), 1);
    assert_eq!(counters.get(SnmpCounter::InGetRequests), 1);
    assert_eq!(counters.get(SnmpCounter::OutPkts), 1);
    assert_eq!(counters.get(SnmpCounter::OutGetResponses), 1);
    assert_eq!(counters.get(SnmpCounter::InTotalReqVars), 1);
}

#[test]
fn drops_and_counts_bad_communities_sources_and_parse_errors() {
    let mut engine = engine(0);
    let now = origin();
    assert!(matches!(
        engine.handle_datagram(now, from(), datagram(Version::V2c, b"wrong", get(1))),
        Incoming::Drop(DropReason::BadCommunity(CommunityMiss::UnknownCommunity))
    ));
    let remote = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 161));
    assert!(matches!(
        engine.handle_datagram(now, remote, datagram(Version::V2c, b"public", get(1))),
        Incoming::Drop(DropReason::BadCommunity(CommunityMiss::SourceNotAllowed))
    ));
    assert!(matches!(
        engine.handle_datagram(now, from(), Bytes::from_static(&[0x30, 0x03, 0x02, 0x01])),
        Incoming::Drop(DropReason::Malformed(_))
    ));
    let mut v5 = datagram(Version::V2c, b"public", get(1)).to_vec();
    v5[4] = 5;
    assert!(matches!(
        engine.handle_datagram(now, from(), Bytes::from(v5)),
        Incoming::Drop(DropReason::Malformed(_))
    ));
    // RFC 3584 §4.1: a GetBulk in a v1 message is a parse error.
    assert!(matches!(
        engine.handle_datagram(now, from(), datagram(Version::V1, b"public", bulk())),
        Incoming::Drop(DropReason::UnexpectedPdu)
    ));
    let counters = engine.counters();
    assert_eq!(counters.get(SnmpCounter::InPkts), 5);
    assert_eq!(counters.get(SnmpCounter::InBadCommunityNames), 2);
    assert_eq!(counters.get(SnmpCounter::InAsnParseErrs), 2);
    assert_eq!(counters.get(SnmpCounter::InBadVersions), 1);
    assert_eq!(counters.get(SnmpCounter::OutPkts), 0);
}

#[test]
fn cuts_a_getbulk_response_to_fit() {
    let mut engine = engine(484);
    let Incoming::Request(ctx, _) =
        engine.handle_datagram(origin(), from(), datagram(Version::V2c, b"public", bulk()))
    else {
        panic!("expected a request");
    };
    let transmit = engine.respond(&ctx, response(40, 20)).unwrap();
    assert!(transmit.contents.len() <= 484);
    let (_, pdu) = decode_response(&transmit);
    assert_eq!(pdu.error_status, ErrorStatus::NoError);
    assert!(
        pdu.varbinds.len() > 5 && pdu.varbinds.len() < 40,
        "{}",
        pdu.varbinds.len()
    );
    // One more varbind would not have fitted.
    let mut longer = pdu.clone();
    longer.varbinds = response(pdu.varbinds.len() + 1, 20).varbinds;
    let mut encoded = Vec::new();
    encode(&mut encoded, &ctx, &longer);
    assert!(encoded.len() > 484);
    // A single varbind too big for the limit: tooBig.
    let transmit = engine.respond(&ctx, response(1, 600)).unwrap();
    let (_, pdu) = decode_response(&transmit);
    assert_eq!(
        (pdu.error_status, pdu.varbinds.len()),
        (ErrorStatus::TooBig, 0)
    );
}

#[test]
fn answers_toobig_to_a_get_that_does_not_fit() {
    let mut engine = engine(484);
    let Incoming::Request(ctx, _) =
        engine.handle_datagram(origin(), from(), datagram(Version::V1, b"public", get(2)))
    else {
        panic!("expected a request");
    };
    let transmit = engine.respond(&ctx, response(2, 400)).unwrap();
    let (version, pdu) = decode_response(&transmit);
    assert_eq!(version, Version::V1);
    assert_eq!(
        (pdu.error_status, pdu.error_index),
        (ErrorStatus::TooBig, 0)
    );
    // SNMPv1 repeats the request's varbinds (RFC 1157 §4.1.2).
    assert_eq!(pdu.varbinds, ctx.request_varbinds);
    assert_eq!(engine.counters().get(SnmpCounter::OutTooBigs), 1);
}

#[test]
fn the_configured_size_is_clamped() {
    let size = |max_message_size| {
        ResponderConfig {
            communities: CommunityTable::new(),
            max_message_size,
        }
        .max_message_size()
    };
    assert_eq!(size(0), 65_507);
    assert_eq!(size(100), 484);
    assert_eq!(size(1_500), 1_500);
    assert_eq!(size(100_000), 65_507);
}

#[test]
fn answers_discovery_and_requests_over_the_usm() {
    use crate::message::{ScopedPdu, ScopedPduData};
    use crate::security::SecurityLevel;
    use crate::usm::{
        self, AuthProtocol, Credentials, EngineId, EngineTime, KeyCache, KeyInput, Outgoing,
        SaltCounter,
    };

    let engine_id =
        EngineId::new(Bytes::from_static(&[0x80, 0, 0x7e, 0xd9, 5, 1, 2, 3, 4])).unwrap();
    let credentials =
        Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"alicepassword")).unwrap();
    let start = origin();
    let mut engine = engine(0).with_usm(
        UsmConfig {
            engine_id: engine_id.clone(),
            boots: 3,
            users: vec![(Bytes::from_static(b"alice"), credentials.clone())],
        },
        start,
        7,
    );
    let scoped = |context_engine_id: Bytes| ScopedPdu {
        context_engine_id,
        context_name: Bytes::new(),
        pdu: get(1),
    };
    let mut salts = SaltCounter::new(0, 1);
    // Discovery: no engine ID, no user; the Report carries the engine ID, boots and the
    // usmStatsUnknownEngineIDs counter.
    let probe = scoped(Bytes::new());
    let discovery = usm::encode_message(
        &Outgoing {
            msg_id: 11,
            max_size: 65_507,
            reportable: true,
            engine_id: Bytes::new(),
            engine_time: EngineTime::new(0, 0),
            user_name: Bytes::new(),
            scoped_pdu: &probe,
        },
        SecurityLevel::NoAuthNoPriv,
        None,
        &mut salts,
    )
    .unwrap();
    // RFC 3412 §7.2 steps 4 and 5: another security model, privacy without authentication.
    let patched = |from: &[u8], to: &[u8]| {
        let mut bytes = discovery.to_vec();
        let at = bytes
            .windows(from.len())
            .position(|window| window == from)
            .unwrap();
        bytes[at..at + to.len()].copy_from_slice(to);
        Bytes::from(bytes)
    };
    let other_model = patched(
        &[0x04, 0x01, 0x04, 0x02, 0x01, 0x03],
        &[0x04, 0x01, 0x04, 0x02, 0x01, 0x09],
    );
    let bad_flags = patched(&[0x04, 0x01, 0x04], &[0x04, 0x01, 0x06]);
    for datagram in [other_model, bad_flags] {
        assert!(matches!(
            engine.handle_datagram(start, from(), datagram),
            Incoming::Drop(DropReason::Malformed(_))
        ));
    }
    assert_eq!(engine.counters().mpd(MpdStat::UnknownSecurityModels), 1);
    assert_eq!(engine.counters().mpd(MpdStat::InvalidMsgs), 1);
    let Incoming::Report(report) = engine.handle_datagram(start, from(), discovery) else {
        panic!("expected a Report");
    };
    let Message::V3(report) = Message::decode(report.contents).unwrap() else {
        panic!("not a v3 message");
    };
    assert_eq!(report.header.msg_id, 11);
    assert_eq!(report.security.engine_id, engine_id.to_bytes());
    assert_eq!(report.security.engine_time.boots, 3);
    let ScopedPduData::Plaintext(report) = report.data else {
        panic!("a discovery Report is not encrypted");
    };
    let AnyPdu::Pdu(report) = report.pdu else {
        panic!("not a Report-PDU");
    };
    assert_eq!(report.kind, PduKind::Report);
    assert_eq!(
        report.varbinds[0].name.to_string(),
        "1.3.6.1.6.3.15.1.1.4.0"
    );
    assert_eq!(engine.counters().usm(UsmStat::UnknownEngineIds), 1);

    // An authenticated request in the time window is handed over, and answered signed.
    let mut keys = KeyCache::new();
    let keys = keys.keys(b"alice", &credentials, &engine_id).clone();
    let request = scoped(engine_id.to_bytes());
    let datagram = usm::encode_message(
        &Outgoing {
            msg_id: 12,
            max_size: 1_500,
            reportable: true,
            engine_id: engine_id.to_bytes(),
            engine_time: EngineTime::new(3, 0),
            user_name: Bytes::from_static(b"alice"),
            scoped_pdu: &request,
        },
        SecurityLevel::AuthNoPriv,
        Some(&keys),
        &mut salts,
    )
    .unwrap();
    let Incoming::Request(ctx, _) = engine.handle_datagram(start, from(), datagram.clone()) else {
        panic!("expected a request");
    };
    assert_eq!(ctx.security_name.as_bytes(), b"alice");
    assert_eq!(ctx.security_level, SecurityLevel::AuthNoPriv);
    assert_eq!(ctx.max_size, 1_500);
    let transmit = engine.respond(&ctx, response(1, 3)).unwrap();
    usm::authenticate(keys.auth(), &transmit.contents).unwrap();
    // The same request 200 s later is outside the time window.
    let late = start + std::time::Duration::from_secs(200);
    assert!(matches!(
        engine.handle_datagram(late, from(), datagram),
        Incoming::Report(_)
    ));
    assert_eq!(engine.counters().usm(UsmStat::NotInTimeWindows), 1);
}
