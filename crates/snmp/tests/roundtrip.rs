//! Property tests: `decode(encode(x)) == x` for every codec type, and the decoder never
//! panics, whatever the bytes (arbitrary, or a valid message with bytes flipped or cut).

use std::net::Ipv4Addr;

use bytes::Bytes;
use proptest::prelude::*;
use vigie_snmp::ber::{Reader, Writer, tag};
use vigie_snmp::{
    AnyPdu, BulkPdu, CommunityMessage, ErrorStatus, GenericTrap, MAX_ARCS, Message, Oid, Pdu,
    PduKind, RequestId, TrapV1Pdu, Value, VarBind, Version,
};

fn arc() -> impl Strategy<Value = u32> {
    // Mostly the small arcs real OIDs have, but every width of base-128 encoding too.
    prop_oneof![4 => 0u32..200, 1 => any::<u32>(), 1 => Just(u32::MAX)]
}

fn oid() -> impl Strategy<Value = Oid> {
    let head = prop_oneof![(0u32..2, 0u32..40), (Just(2u32), arc())];
    let tail = prop_oneof![8 => prop::collection::vec(arc(), 0..20), 1 => prop::collection::vec(arc(), 0..=MAX_ARCS - 2)];
    (head, tail).prop_map(|((first, second), tail)| {
        let mut arcs = vec![first, second];
        arcs.extend(tail);
        Oid::new(&arcs).expect("the strategy only builds valid first arcs and at most 128 arcs")
    })
}

fn octets(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Integer),
        octets(300).prop_map(Value::OctetString),
        Just(Value::Null),
        oid().prop_map(Value::ObjectIdentifier),
        any::<[u8; 4]>().prop_map(|a| Value::IpAddress(Ipv4Addr::from(a))),
        any::<u32>().prop_map(Value::Counter32),
        any::<u32>().prop_map(Value::Gauge32),
        any::<u32>().prop_map(Value::TimeTicks),
        octets(40).prop_map(Value::Opaque),
        octets(20).prop_map(Value::NsapAddress),
        any::<u64>().prop_map(Value::Counter64),
        Just(Value::NoSuchObject),
        Just(Value::NoSuchInstance),
        Just(Value::EndOfMibView),
    ]
}

fn varbind() -> impl Strategy<Value = VarBind> {
    (oid(), value()).prop_map(|(name, value)| VarBind { name, value })
}

fn varbinds() -> impl Strategy<Value = Vec<VarBind>> {
    prop::collection::vec(varbind(), 0..12)
}

fn pdu_kind() -> impl Strategy<Value = PduKind> {
    prop::sample::select(vec![
        PduKind::GetRequest,
        PduKind::GetNextRequest,
        PduKind::Response,
        PduKind::SetRequest,
        PduKind::InformRequest,
        PduKind::SnmpV2Trap,
        PduKind::Report,
    ])
}

fn any_pdu() -> impl Strategy<Value = AnyPdu> {
    let pdu = (
        pdu_kind(),
        any::<i32>(),
        prop::sample::select(ErrorStatus::ALL.to_vec()),
        any::<u32>(),
        varbinds(),
    )
        .prop_map(|(kind, id, error_status, error_index, varbinds)| {
            AnyPdu::Pdu(Pdu {
                kind,
                request_id: RequestId(id),
                error_status,
                error_index,
                varbinds,
            })
        });
    let bulk =
        (any::<i32>(), any::<u32>(), any::<u32>(), varbinds()).prop_map(|(id, n, m, varbinds)| {
            AnyPdu::Bulk(BulkPdu {
                request_id: RequestId(id),
                non_repeaters: n,
                max_repetitions: m,
                varbinds,
            })
        });
    let trap = (
        oid(),
        any::<[u8; 4]>(),
        any::<i32>().prop_map(GenericTrap::from_code),
        any::<i32>(),
        any::<u32>(),
        varbinds(),
    )
        .prop_map(
            |(enterprise, addr, generic_trap, specific_trap, time_stamp, varbinds)| {
                AnyPdu::TrapV1(TrapV1Pdu {
                    enterprise,
                    agent_addr: Ipv4Addr::from(addr),
                    generic_trap,
                    specific_trap,
                    time_stamp,
                    varbinds,
                })
            },
        );
    prop_oneof![3 => pdu, 1 => bulk, 1 => trap]
}

fn message() -> impl Strategy<Value = Message> {
    (
        prop::sample::select(vec![Version::V1, Version::V2c]),
        octets(40),
        any_pdu(),
    )
        .prop_map(|(version, community, pdu)| {
            Message::Community(CommunityMessage {
                version,
                community,
                pdu,
            })
        })
}

/// How a valid message gets damaged before decoding.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: prop::sample::Index, mask: u8 },
    Truncate(prop::sample::Index),
    Insert { at: prop::sample::Index, byte: u8 },
    Remove(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), 1u8..).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Remove),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::Flip { at, mask } => {
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
        }
        Mutation::Truncate(at) => bytes.truncate(at.index(bytes.len())),
        Mutation::Insert { at, byte } => bytes.insert(at.index(bytes.len() + 1), *byte),
        Mutation::Remove(at) => {
            bytes.remove(at.index(bytes.len()));
        }
    }
}

/// Whatever decodes must re-encode to something that decodes to the same message.
fn assert_stable(decoded: &Message) {
    let encoded = decoded.to_vec();
    let again = Message::decode(Bytes::from(encoded.clone())).expect("re-encoded message decodes");
    assert_eq!(&again, decoded);
    assert_eq!(again.to_vec(), encoded, "encoding is canonical");
}

proptest! {
    #[test]
    fn oid_round_trips(oid in oid()) {
        let mut out = Vec::new();
        Writer::new(&mut out).oid(tag::OBJECT_IDENTIFIER, &oid);
        let bytes = Bytes::from(out);
        let mut reader = Reader::new(&bytes);
        prop_assert_eq!(reader.read(tag::OBJECT_IDENTIFIER).unwrap().oid(), Ok(oid));
        prop_assert!(reader.is_empty());
    }

    #[test]
    fn value_round_trips(value in value()) {
        let encoded = value.to_vec();
        prop_assert_eq!(encoded[0], value.tag());
        prop_assert_eq!(Value::decode(Bytes::from(encoded)), Ok(value));
    }

    #[test]
    fn integer_and_unsigned_round_trip(signed in any::<i64>(), unsigned in any::<u64>()) {
        let mut out = Vec::new();
        let mut writer = Writer::new(&mut out);
        writer.integer(tag::INTEGER, signed);
        writer.unsigned(tag::COUNTER64, unsigned);
        let bytes = Bytes::from(out);
        let mut reader = Reader::new(&bytes);
        prop_assert_eq!(reader.read(tag::INTEGER).unwrap().integer(), Ok(signed));
        prop_assert_eq!(reader.read(tag::COUNTER64).unwrap().unsigned64(), Ok(unsigned));
    }

    #[test]
    fn varbind_round_trips(varbind in varbind()) {
        let mut out = Vec::new();
        varbind.write(&mut Writer::new(&mut out));
        let bytes = Bytes::from(out);
        let mut reader = Reader::new(&bytes);
        prop_assert_eq!(VarBind::read(&mut reader), Ok(varbind));
        prop_assert!(reader.is_empty());
    }

    #[test]
    fn pdu_round_trips(pdu in any_pdu()) {
        let mut out = Vec::new();
        pdu.write(&mut Writer::new(&mut out));
        prop_assert_eq!(out[0], pdu.tag());
        let bytes = Bytes::from(out);
        let mut reader = Reader::new(&bytes);
        prop_assert_eq!(AnyPdu::read(&mut reader), Ok(pdu));
        prop_assert!(reader.is_empty());
    }

    #[test]
    fn message_round_trips(message in message()) {
        let encoded = message.to_vec();
        let decoded = Message::decode(Bytes::from(encoded.clone()));
        prop_assert_eq!(decoded.as_ref(), Ok(&message));
        prop_assert_eq!(message.to_vec(), encoded);
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(message) = Message::decode(Bytes::from(bytes)) {
            assert_stable(&message);
        }
    }

    #[test]
    fn decode_never_panics_on_damaged_messages(
        message in message(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut bytes = message.to_vec();
        for mutation in &mutations {
            if bytes.is_empty() {
                break;
            }
            mutate(&mut bytes, mutation);
        }
        if let Ok(message) = Message::decode(Bytes::from(bytes)) {
            assert_stable(&message);
        }
    }

    #[test]
    fn value_decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(value) = Value::decode(Bytes::from(bytes)) {
            prop_assert_eq!(Value::decode(Bytes::from(value.to_vec())), Ok(value));
        }
    }
}
