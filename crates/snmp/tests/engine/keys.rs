//! Password-to-key derivation is paid once per (user, engine) (RFC 3414 §2.6, A.2): a
//! thousand authPriv requests from a client engine to a responder engine, through the
//! discovery, localize the user's keys once on each side.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{
    ClientConfig, ClientEngine, ClientEvent, Incoming, ResponderConfig, ResponderEngine,
    RetryPolicy, UsmConfig, UsmUser,
};
use vigie_snmp::usm::{AuthProtocol, Credentials, EngineId, KeyInput, PrivProtocol};
use vigie_snmp::{AnyPdu, ErrorStatus, Pdu, PduKind, RequestId, SecurityLevel, Value, VarBind};

use crate::{clock_origin, sys_descr};

const REQUESTS: usize = 1_000;

fn credentials() -> Credentials {
    Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"derive-once-auth"))
        .and_then(|c| {
            c.with_privacy(
                PrivProtocol::Aes128,
                KeyInput::Password(b"derive-once-priv"),
            )
        })
        .expect("valid passwords")
}

#[test]
fn a_thousand_requests_derive_the_keys_once_on_each_side() {
    let start = clock_origin();
    let manager: SocketAddr = "192.0.2.30:40000".parse().expect("a literal address");
    let agent_address: SocketAddr = "192.0.2.31:161".parse().expect("a literal address");
    let engine_id: EngineId = "0x80007ed9030a0b0c0d0e"
        .parse()
        .expect("a literal engine ID");
    let mut agent = ResponderEngine::new(ResponderConfig {
        communities: CommunityTable::new(),
        max_message_size: 0,
    })
    .with_usm(
        UsmConfig {
            engine_id,
            boots: 1,
            users: vec![(Bytes::from_static(b"carol"), credentials())],
        },
        start,
        11,
    );
    let mut client = ClientEngine::new(
        ClientConfig::new(RetryPolicy {
            timeout: Duration::from_secs(1),
            retries: 0,
        }),
        [3; 32],
    );
    let user = UsmUser::new(
        Bytes::from_static(b"carol"),
        SecurityLevel::AuthPriv,
        Some(credentials()),
    )
    .expect("authPriv credentials");

    let mut now = start;
    let mut answered = 0;
    for _ in 0..REQUESTS {
        now += Duration::from_millis(10);
        let pdu = AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(0),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind::null(sys_descr())],
        });
        let id = client.send_v3(now, agent_address, &user, pdu);
        while let Some(transmit) = client.poll_transmit() {
            let reply = match agent.handle_datagram(now, manager, transmit.contents) {
                // The discovery probe of the first request.
                Incoming::Report(report) => report,
                Incoming::Request(ctx, AnyPdu::Pdu(request)) => {
                    let response = Pdu {
                        kind: PduKind::Response,
                        varbinds: vec![VarBind {
                            name: sys_descr(),
                            value: Value::OctetString(Bytes::from_static(b"derived once")),
                        }],
                        ..request
                    };
                    agent.respond(&ctx, response).expect("a response fits")
                }
                other => panic!("the agent refused the request: {other:?}"),
            };
            client.handle_datagram(now, agent_address, reply.contents);
        }
        match client.poll_event() {
            Some(ClientEvent::EngineLearned { .. }) => {}
            Some(ClientEvent::Response { id: answer, .. }) => {
                assert_eq!(answer, id);
                answered += 1;
                continue;
            }
            other => panic!("unexpected {other:?}"),
        }
        let Some(ClientEvent::Response { id: answer, .. }) = client.poll_event() else {
            panic!("the first request is answered after the discovery");
        };
        assert_eq!(answer, id);
        answered += 1;
    }
    assert_eq!(answered, REQUESTS);
    assert_eq!(client.key_derivations(), 1, "the manager's side");
    assert_eq!(agent.key_derivations(), 1, "the agent's side");
}
