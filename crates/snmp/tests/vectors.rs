//! Captured Net-SNMP 5.9.3 exchanges (`tests/vectors/*.hex`): each decodes to the fields the
//! tools printed, and re-encodes to the very same bytes.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use vigie_snmp::{
    AnyPdu, BulkPdu, CommunityMessage, ErrorStatus, GenericTrap, Message, Oid, Pdu, PduKind,
    TrapV1Pdu, Value, VarBind, Version,
};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The bytes of a vector: every non-comment line is hex octets separated by spaces.
fn load(name: &str) -> Bytes {
    let path = vectors_dir().join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_hex(&text)
}

fn parse_hex(text: &str) -> Bytes {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        for octet in line.split_whitespace() {
            out.push(u8::from_str_radix(octet, 16).expect("vector lines are hex octets"));
        }
    }
    Bytes::from(out)
}

/// Decodes a vector, checks it re-encodes identically, and returns the message.
fn decode(name: &str) -> CommunityMessage {
    let bytes = load(name);
    let message = Message::decode(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(message.to_vec(), bytes, "{name} re-encodes differently");
    let Message::Community(community) = message else {
        panic!("{name}: not a community message");
    };
    community
}

fn oid(text: &str) -> Oid {
    text.parse().expect("test OIDs are valid")
}

fn pdu(message: &CommunityMessage) -> &Pdu {
    match &message.pdu {
        AnyPdu::Pdu(pdu) => pdu,
        other => panic!("expected a Pdu, got {other:?}"),
    }
}

fn names(varbinds: &[VarBind]) -> Vec<String> {
    varbinds.iter().map(|vb| vb.name.to_string()).collect()
}

fn text(value: &str) -> Value {
    Value::OctetString(Bytes::copy_from_slice(value.as_bytes()))
}

#[test]
fn every_vector_round_trips_byte_for_byte() {
    let mut count = 0;
    for entry in fs::read_dir(vectors_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "hex") {
            // Any version: SNMPv3 vectors (`v3-*.hex`) are checked in detail in tests/v3.rs.
            let name = path.file_name().unwrap().to_str().unwrap();
            let bytes = load(name);
            let message = Message::decode(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(message.to_vec(), bytes, "{name} re-encodes differently");
            count += 1;
        }
    }
    assert!(count >= 22, "only {count} vectors found");
}

#[test]
fn v1_get_request_and_response() {
    let request = decode("v1-get-request.hex");
    assert_eq!(request.version, Version::V1);
    assert_eq!(request.community, "public");
    let get = pdu(&request);
    assert_eq!(get.kind, PduKind::GetRequest);
    assert_eq!(get.error_status, ErrorStatus::NoError);
    assert_eq!(get.error_index, 0);
    assert_eq!(
        names(&get.varbinds),
        ["1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0"]
    );
    assert!(get.varbinds.iter().all(|vb| vb.value == Value::Null));

    let response = decode("v1-get-response.hex");
    let answer = pdu(&response);
    assert_eq!(answer.kind, PduKind::Response);
    assert_eq!(answer.request_id, get.request_id);
    assert_eq!(answer.varbinds[0].value, text("vigie-codec"));
    assert_eq!(answer.varbinds[1].value, Value::TimeTicks(4_250));
}

#[test]
fn v1_no_such_name() {
    let response = decode("v1-get-nosuchname-response.hex");
    let answer = pdu(&response);
    assert_eq!(answer.error_status, ErrorStatus::NoSuchName);
    assert_eq!(answer.error_index, 2);
    // A v1 agent returns the request's varbinds unchanged with the error.
    assert_eq!(
        answer.varbinds,
        pdu(&decode("v1-get-nosuchname-request.hex")).varbinds
    );
}

#[test]
fn v1_getnext_oid_and_ip_address_values() {
    assert_eq!(
        pdu(&decode("v1-getnext-request.hex")).kind,
        PduKind::GetNextRequest
    );
    let response = decode("v1-getnext-response.hex");
    let answer = pdu(&response);
    assert_eq!(
        names(&answer.varbinds),
        ["1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.4.20.1.1.127.0.0.1"]
    );
    assert_eq!(
        answer.varbinds[0].value,
        Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.3.2.10"))
    );
    assert_eq!(
        answer.varbinds[1].value,
        Value::IpAddress(Ipv4Addr::LOCALHOST)
    );
}

#[test]
fn v1_set() {
    let request = decode("v1-set-request.hex");
    assert_eq!(request.community, "private");
    let set = pdu(&request);
    assert_eq!(set.kind, PduKind::SetRequest);
    assert_eq!(
        set.varbinds,
        [VarBind {
            name: oid("1.3.6.1.2.1.1.4.0"),
            value: text("noc@example.net")
        }]
    );
    let response = decode("v1-set-response.hex");
    assert_eq!(pdu(&response).error_status, ErrorStatus::NoError);
    assert_eq!(pdu(&response).varbinds, set.varbinds);
}

#[test]
fn v1_trap() {
    let message = decode("v1-trap.hex");
    assert_eq!(message.version, Version::V1);
    assert_eq!(message.pdu.request_id(), None);
    let AnyPdu::TrapV1(trap) = &message.pdu else {
        panic!("not a v1 trap: {:?}", message.pdu);
    };
    let expected = TrapV1Pdu {
        enterprise: oid("1.3.6.1.4.1.8072.2.3.1"),
        agent_addr: Ipv4Addr::new(192, 0, 2, 7),
        generic_trap: GenericTrap::EnterpriseSpecific,
        specific_trap: 17,
        time_stamp: 12_345,
        varbinds: vec![
            VarBind {
                name: oid("1.3.6.1.2.1.1.5.0"),
                value: text("vigie-codec"),
            },
            VarBind {
                name: oid("1.3.6.1.2.1.2.2.1.10.1"),
                value: Value::Counter32(u32::MAX),
            },
        ],
    };
    assert_eq!(*trap, expected);
}

#[test]
fn v2c_get_every_value_type_and_exceptions() {
    let request = decode("v2c-get-request.hex");
    assert_eq!(request.version, Version::V2c);
    assert_eq!(pdu(&request).varbinds.len(), 7);
    let response = decode("v2c-get-response.hex");
    let values: Vec<&Value> = pdu(&response).varbinds.iter().map(|vb| &vb.value).collect();
    assert_eq!(
        values,
        [
            &Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.3.2.10")),
            &Value::Gauge32(10_000_000),
            &Value::Counter32(411_052),
            &Value::Counter64(411_052),
            &Value::IpAddress(Ipv4Addr::LOCALHOST),
            &Value::NoSuchObject,
            &Value::NoSuchInstance,
        ]
    );
}

#[test]
fn v2c_getnext_end_of_mib_view() {
    let response = decode("v2c-getnext-end-response.hex");
    let answer = pdu(&response);
    assert_eq!(
        answer.varbinds[1],
        VarBind {
            name: oid("1.4"),
            value: Value::EndOfMibView
        }
    );
    assert!(answer.varbinds[1].value.is_exception());
    assert_eq!(
        answer.varbinds[0].value,
        Value::ObjectIdentifier(oid("1.3.6.1.6.3.10.3.1.1"))
    );
}

#[test]
fn v2c_bulkget() {
    let request = decode("v2c-bulkget-request.hex");
    let AnyPdu::Bulk(bulk) = &request.pdu else {
        panic!("not a GetBulk: {:?}", request.pdu);
    };
    let BulkPdu {
        non_repeaters,
        max_repetitions,
        varbinds,
        ..
    } = bulk;
    assert_eq!((*non_repeaters, *max_repetitions), (1, 6));
    assert_eq!(names(varbinds), ["1.3.6.1.2.1.1.3", "1.3.6.1.2.1.1.9.1.3"]);

    let response = decode("v2c-bulkget-response.hex");
    let answer = pdu(&response);
    assert_eq!(answer.request_id, bulk.request_id);
    assert_eq!(answer.varbinds.len(), 1 + 6);
    assert_eq!(answer.varbinds[0].value, Value::TimeTicks(4_260));
    assert_eq!(answer.varbinds[6].name, oid("1.3.6.1.2.1.1.9.1.3.6"));
    assert_eq!(
        answer.varbinds[6].value,
        text("The MIB module for managing TCP implementations")
    );
}

#[test]
fn v2c_not_writable() {
    let response = decode("v2c-set-notwritable-response.hex");
    assert_eq!(pdu(&response).error_status, ErrorStatus::NotWritable);
    assert_eq!(pdu(&response).error_index, 1);
    let response = decode("v2c-set-response.hex");
    assert_eq!(pdu(&response).error_status, ErrorStatus::NotWritable);
    assert_eq!(pdu(&response).error_index, 2);
    assert_eq!(pdu(&response).varbinds[1].value, text(""));
}

#[test]
fn v2c_trap() {
    let message = decode("v2c-trap.hex");
    let trap = pdu(&message);
    assert_eq!(trap.kind, PduKind::SnmpV2Trap);
    assert_eq!(
        trap.varbinds[0],
        VarBind {
            name: oid("1.3.6.1.2.1.1.3.0"),
            value: Value::TimeTicks(4_242)
        }
    );
    assert_eq!(
        trap.varbinds[1],
        VarBind {
            name: oid("1.3.6.1.6.3.1.1.4.1.0"),
            value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3"))
        }
    );
    assert_eq!(trap.varbinds[2].value, Value::Integer(2));
    assert_eq!(trap.varbinds.len(), 4);
}

#[test]
fn v2c_inform_and_its_acknowledgement() {
    let request = decode("v2c-inform-request.hex");
    let inform = pdu(&request);
    assert_eq!(inform.kind, PduKind::InformRequest);
    assert_eq!(inform.varbinds[5].value, Value::Counter32(0));
    assert_eq!(inform.varbinds[6].value, Value::Counter64(u64::MAX));
    let response = decode("v2c-inform-response.hex");
    let ack = pdu(&response);
    assert_eq!(ack.kind, PduKind::Response);
    assert_eq!(ack.request_id, inform.request_id);
    assert_eq!(ack.varbinds, inform.varbinds);
}

#[test]
fn tolerated_variants_of_a_captured_request_decode_to_the_same_message() {
    let original = load("v1-get-request.hex");
    let expected = Message::decode(original.clone()).unwrap();
    let body = &original[2..];
    let variants: Vec<Vec<u8>> = vec![
        // Long-form outer length, where short form would do.
        [&[0x30, 0x82, 0x00, 0x37][..], body].concat(),
        [&[0x30, 0x81, 0x37][..], body].concat(),
        // Bytes after the message, which Net-SNMP ignores too.
        [&original[..], &[0x00, 0x00, 0x05, 0x00][..]].concat(),
    ];
    for variant in variants {
        assert_eq!(
            Message::decode(Bytes::from(variant.clone())).as_ref(),
            Ok(&expected),
            "{variant:02x?}"
        );
    }
}
