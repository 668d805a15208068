//! Against a fake agent that misbehaves on purpose.

use std::time::Duration;

use bytes::Bytes;
use vigie_net::{Client, NetError, RequestError, WalkEnd, WalkError, WalkOptions};
use vigie_snmp::{
    AnyPdu, CommunityMessage, DecodeErrorKind, ErrorStatus, Message, Oid, Pdu, PduKind, RequestId,
    Value, VarBind, Version,
};

use crate::support::{FakeAgent, oid, request_varbinds, response};

const ROOT: &str = "1.3.6.1.4.1.99999";
/// More varbinds than any walk here returns: reaching it means the walk would never end.
const WALK_LIMIT: usize = 1_000;

fn leaf(n: u32) -> Oid {
    oid(ROOT).child(n).expect("ROOT is short")
}

fn integer(name: Oid, n: i32) -> VarBind {
    VarBind {
        name,
        value: Value::Integer(n),
    }
}

/// A GETNEXT over a fake MIB of `ROOT.1` … `ROOT.count`, then out of the subtree.
fn next_in_table(request: &CommunityMessage, count: u32) -> Vec<VarBind> {
    let (_, varbinds) = request_varbinds(request);
    let asked = &varbinds[0].name;
    let next = match asked.suffix(&oid(ROOT)) {
        None | Some([]) => 1,
        Some([n, ..]) => n + 1,
    };
    if next > count {
        return vec![integer(oid("1.3.6.1.4.1.100000.1"), 0)];
    }
    vec![integer(
        leaf(next),
        i32::try_from(next).expect("count is small"),
    )]
}

async fn walk_all(client: &Client, options: WalkOptions) -> (Vec<VarBind>, Option<WalkError>) {
    let mut walk = client.walk(oid(ROOT), options);
    let mut varbinds = Vec::new();
    while let Some(item) = walk.next().await {
        match item {
            Ok(varbind) => {
                varbinds.push(varbind);
                assert!(varbinds.len() < WALK_LIMIT, "the walk does not end");
            }
            Err(error) => {
                assert!(walk.next().await.is_none(), "a walk ends after an error");
                return (varbinds, Some(error));
            }
        }
    }
    (varbinds, None)
}

fn getnext(check_increasing: bool) -> WalkOptions {
    WalkOptions {
        max_repetitions: None,
        check_increasing,
    }
}

#[tokio::test]
async fn timeout_when_nobody_answers() {
    let agent = FakeAgent::silent().await;
    let mut session = agent.session(Version::V2c);
    session.timeout = Duration::from_millis(50);
    session.retries = 2;
    let client = Client::new(session).await.unwrap();
    let error = client.get(&[leaf(1)]).await.unwrap_err();
    assert!(
        matches!(
            error,
            RequestError::Timeout {
                last_malformed: None
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "Timeout: No Response");
    assert_eq!(agent.received(), 3);
    let stats = client.stats();
    assert_eq!(
        (stats.sent, stats.retransmissions, stats.timeouts),
        (3, 2, 1)
    );
}

#[tokio::test]
async fn garbage_is_reported_with_the_timeout() {
    let agent = FakeAgent::start(|_| vec![Bytes::from_static(b"\x30\x03\x02\x01")]).await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let error = client.get(&[leaf(1)]).await.unwrap_err();
    let RequestError::Timeout {
        last_malformed: Some(_),
    } = &error
    else {
        panic!("expected a timeout naming the garbage, got {error:?}");
    };
    assert!(
        error.to_string().contains("could not be decoded"),
        "{error}"
    );
    assert_eq!(client.stats().malformed, 2);
}

#[tokio::test]
async fn a_truncated_reply_is_reported_with_the_timeout() {
    let agent = FakeAgent::start(|request| {
        let whole = response(request, ErrorStatus::NoError, vec![integer(leaf(1), 1)]);
        vec![whole.slice(..whole.len() - 2)]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let error = client.get(&[leaf(1)]).await.unwrap_err();
    let RequestError::Timeout {
        last_malformed: Some(decode),
    } = error
    else {
        panic!("expected a timeout naming the truncation, got {error:?}");
    };
    assert_eq!(decode.kind, DecodeErrorKind::Truncated);
}

#[tokio::test]
async fn a_wrong_request_id_is_a_stray() {
    let agent = FakeAgent::start(|request| {
        let (id, varbinds) = request_varbinds(request);
        let message = Message::Community(CommunityMessage {
            version: request.version,
            community: request.community.clone(),
            pdu: AnyPdu::Pdu(Pdu {
                kind: PduKind::Response,
                request_id: RequestId(id.0.wrapping_add(7)),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds,
            }),
        });
        vec![Bytes::from(message.to_vec())]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let error = client.get(&[leaf(1)]).await.unwrap_err();
    assert!(
        matches!(
            error,
            RequestError::Timeout {
                last_malformed: None
            }
        ),
        "{error:?}"
    );
    assert_eq!(client.stats().strays, 2);
}

#[tokio::test]
async fn duplicates_are_counted_not_delivered_twice() {
    let agent = FakeAgent::start(|request| {
        let answer = response(request, ErrorStatus::NoError, vec![integer(leaf(1), 1)]);
        vec![answer.clone(), answer]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let pdu = client.get(&[leaf(1)]).await.unwrap();
    assert_eq!(pdu.varbinds, [integer(leaf(1), 1)]);
    // Let the duplicate arrive, then make the task publish its counters.
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.get(&[leaf(1)]).await.unwrap();
    assert!(client.stats().duplicates >= 1, "{:?}", client.stats());
}

#[tokio::test]
async fn getnext_walk_ends_when_leaving_the_subtree() {
    let agent = FakeAgent::start(|request| {
        vec![response(
            request,
            ErrorStatus::NoError,
            next_in_table(request, 4),
        )]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let (varbinds, error) = walk_all(&client, getnext(true)).await;
    assert!(error.is_none(), "{error:?}");
    let expected: Vec<VarBind> = (1..=4)
        .map(|n| integer(leaf(n), i32::try_from(n).unwrap()))
        .collect();
    assert_eq!(varbinds, expected);
}

#[tokio::test]
async fn v1_walk_ends_on_no_such_name() {
    let agent = FakeAgent::start(|request| {
        let (_, varbinds) = request_varbinds(request);
        if varbinds[0].name == leaf(2) {
            return vec![response(request, ErrorStatus::NoSuchName, varbinds)];
        }
        vec![response(
            request,
            ErrorStatus::NoError,
            next_in_table(request, 9),
        )]
    })
    .await;
    let client = Client::new(agent.session(Version::V1)).await.unwrap();
    let mut walk = client.walk(oid(ROOT), getnext(true));
    assert_eq!(walk.next().await.unwrap().unwrap().name, leaf(1));
    assert_eq!(walk.next().await.unwrap().unwrap().name, leaf(2));
    assert!(walk.next().await.is_none());
    assert_eq!(walk.end(), Some(&WalkEnd::NoSuchName));
}

#[tokio::test]
async fn walk_ends_on_end_of_mib_view() {
    let agent = FakeAgent::start(|request| {
        let (_, varbinds) = request_varbinds(request);
        if varbinds[0].name == leaf(1) {
            let end = VarBind {
                name: leaf(1),
                value: Value::EndOfMibView,
            };
            return vec![response(request, ErrorStatus::NoError, vec![end])];
        }
        vec![response(
            request,
            ErrorStatus::NoError,
            next_in_table(request, 9),
        )]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let mut walk = client.walk(oid(ROOT), getnext(true));
    assert_eq!(walk.next().await.unwrap().unwrap().name, leaf(1));
    assert!(walk.next().await.is_none());
    assert!(matches!(walk.end(), Some(WalkEnd::Exception(vb)) if vb.value == Value::EndOfMibView));
}

#[tokio::test]
async fn walk_reports_other_error_statuses() {
    let agent = FakeAgent::start(|request| {
        let (_, varbinds) = request_varbinds(request);
        vec![response(request, ErrorStatus::GenErr, varbinds)]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let (varbinds, error) = walk_all(&client, getnext(true)).await;
    assert!(varbinds.is_empty());
    let Some(WalkError::ErrorStatus { pdu }) = error else {
        panic!("expected an error-status, got {error:?}");
    };
    assert_eq!(pdu.error_status, ErrorStatus::GenErr);
}

#[tokio::test]
async fn a_non_increasing_oid_stops_the_walk() {
    // ROOT.1, ROOT.3, then ROOT.2: going backwards.
    let agent = FakeAgent::start(|request| {
        let (_, varbinds) = request_varbinds(request);
        let next = match varbinds[0].name.suffix(&oid(ROOT)) {
            None | Some([]) => leaf(1),
            Some([1]) => leaf(3),
            Some(_) => leaf(2),
        };
        vec![response(
            request,
            ErrorStatus::NoError,
            vec![integer(next, 0)],
        )]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let (varbinds, error) = walk_all(&client, getnext(true)).await;
    assert_eq!(varbinds.len(), 2);
    let Some(WalkError::NotIncreasing { previous, received }) = error else {
        panic!("expected NotIncreasing, got {error:?}");
    };
    assert_eq!((previous, received), (leaf(3), leaf(2)));
}

#[tokio::test]
async fn a_loop_is_detected_without_the_increasing_check() {
    // ROOT.1 → ROOT.2 → ROOT.3 → ROOT.1 → …, forever.
    let agent = FakeAgent::start(|request| {
        let (_, varbinds) = request_varbinds(request);
        let next = match varbinds[0].name.suffix(&oid(ROOT)) {
            Some([1]) => leaf(2),
            Some([2]) => leaf(3),
            _ => leaf(1),
        };
        vec![response(
            request,
            ErrorStatus::NoError,
            vec![integer(next, 0)],
        )]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let (varbinds, error) = walk_all(&client, getnext(false)).await;
    assert_eq!(varbinds.len(), 3);
    let Some(WalkError::Loop { oid: repeated }) = error else {
        panic!("expected Loop, got {error:?}");
    };
    assert_eq!(repeated, leaf(1));
}

#[tokio::test]
async fn bulk_walk_copes_with_short_and_empty_responses() {
    // Two varbinds per response whatever max-repetitions asks, and nothing after ROOT.5.
    let agent = FakeAgent::start(|request| {
        let AnyPdu::Bulk(bulk) = &request.pdu else {
            panic!("a bulk walk sends GetBulk, got {:?}", request.pdu);
        };
        assert_eq!(bulk.max_repetitions, 10);
        let from = match bulk.varbinds[0].name.suffix(&oid(ROOT)) {
            None | Some([]) => 0,
            Some([n, ..]) => *n,
        };
        let varbinds = (from + 1..=5)
            .take(2)
            .map(|n| integer(leaf(n), 0))
            .collect();
        vec![response(request, ErrorStatus::NoError, varbinds)]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let options = WalkOptions {
        max_repetitions: Some(10),
        check_increasing: true,
    };
    let mut walk = client.walk(oid(ROOT), options);
    let mut names = Vec::new();
    while let Some(varbind) = walk.next().await {
        names.push(varbind.unwrap().name);
    }
    assert_eq!(names, (1..=5).map(leaf).collect::<Vec<_>>());
    assert_eq!(walk.end(), Some(&WalkEnd::EmptyResponse));
    // Requests from 0, 2, 4 and the empty one after 5.
    assert_eq!(agent.received(), 4);
}

#[tokio::test]
async fn bulk_walk_stops_at_the_first_varbind_outside_the_subtree() {
    let agent = FakeAgent::start(|request| {
        let varbinds = vec![
            integer(leaf(1), 1),
            integer(leaf(2), 2),
            integer(oid("1.3.6.1.4.1.100000"), 3),
            integer(leaf(3), 4),
        ];
        vec![response(request, ErrorStatus::NoError, varbinds)]
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let options = WalkOptions {
        max_repetitions: Some(4),
        check_increasing: true,
    };
    let (varbinds, error) = walk_all(&client, options).await;
    assert!(error.is_none());
    assert_eq!(varbinds, [integer(leaf(1), 1), integer(leaf(2), 2)]);
}

#[tokio::test]
async fn inform_and_traps() {
    let agent = FakeAgent::start(|request| match &request.pdu {
        AnyPdu::Pdu(pdu) if pdu.kind == PduKind::InformRequest => {
            vec![response(
                request,
                ErrorStatus::NoError,
                pdu.varbinds.clone(),
            )]
        }
        _ => Vec::new(),
    })
    .await;
    let client = Client::new(agent.session(Version::V2c)).await.unwrap();
    let varbinds = vec![
        VarBind {
            name: oid("1.3.6.1.2.1.1.3.0"),
            value: Value::TimeTicks(42),
        },
        VarBind {
            name: oid("1.3.6.1.6.3.1.1.4.1.0"),
            value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.1")),
        },
    ];
    let pdu = client.inform(varbinds.clone()).await.unwrap();
    assert_eq!(pdu.kind, PduKind::Response);
    assert_eq!(pdu.varbinds, varbinds);

    let notification = |kind| {
        AnyPdu::Pdu(Pdu {
            kind,
            request_id: RequestId(0),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: varbinds.clone(),
        })
    };
    client
        .send_trap(notification(PduKind::SnmpV2Trap))
        .await
        .unwrap();
    let get = notification(PduKind::GetRequest);
    assert!(matches!(
        client.send_trap(get).await,
        Err(NetError::InvalidTrap(Version::V2c))
    ));
    // The inform and the trap reached the agent; the refused one did not.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(agent.received(), 2);

    let v1 = Client::new(agent.session(Version::V1)).await.unwrap();
    assert!(matches!(
        v1.inform(Vec::new()).await,
        Err(RequestError::NotInV1 { .. })
    ));
}

#[tokio::test]
async fn dropping_a_request_stops_its_retransmissions() {
    let agent = FakeAgent::silent().await;
    let mut session = agent.session(Version::V2c);
    session.timeout = Duration::from_millis(30);
    session.retries = 20;
    let client = Client::new(session).await.unwrap();
    let abandoned = tokio::time::timeout(Duration::from_millis(45), client.get(&[leaf(1)])).await;
    assert!(abandoned.is_err(), "nobody answers");
    // The driver notices the abandoned request on its next turn at the latest.
    tokio::time::sleep(Duration::from_millis(40)).await;
    let after_abandon = agent.received();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(agent.received(), after_abandon);
    assert!(after_abandon <= 3, "{after_abandon}");
}

#[tokio::test]
async fn version_three_is_refused() {
    let session = vigie_net::Session::new("127.0.0.1:9".parse().unwrap(), Version::V3, "x");
    assert!(matches!(
        Client::new(session).await,
        Err(NetError::UnsupportedVersion(Version::V3))
    ));
}
