//! Tests of the view against the owned decoder.

use proptest::prelude::*;

use super::*;
use crate::message::{CommunityMessage, Message};
use crate::pdu::{AnyPdu, BulkPdu, Pdu, TrapV1Pdu};

fn oid(text: &str) -> Oid {
    text.parse().unwrap()
}

fn sample_varbinds() -> Vec<VarBind> {
    vec![
        VarBind {
            name: oid("1.3.6.1.2.1.1.3.0"),
            value: Value::TimeTicks(123_456),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.4.20.1.1.192.0.2.1"),
            value: Value::IpAddress(Ipv4Addr::new(192, 0, 2, 1)),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.2.0"),
            value: Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.3.2.10")),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.31.1.1.1.6.4294967295"),
            value: Value::Counter64(u64::MAX),
        },
        VarBind {
            name: oid("2.999.1"),
            value: Value::OctetString(Bytes::from_static(b"eth0")),
        },
        VarBind::null(oid("1.3.6.1.2.1.1.5.0")),
        VarBind {
            name: oid("1.3.6.1.2.1.1.6.0"),
            value: Value::EndOfMibView,
        },
        VarBind {
            // Over 16 octets, with two- and five-octet subidentifiers.
            name: oid("1.3.6.1.4.1.8072.9999.4294967295.1.2.3.4.5.6.7.8.9.10.11.12.13"),
            value: Value::Gauge32(u32::MAX),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.4.20.1.1.192.168.200.254"),
            value: Value::Integer(i32::MIN),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.1.0"),
            value: Value::Opaque(Bytes::from_static(&[0x9f, 0x78, 0x04, 0x3f, 0x80, 0, 0])),
        },
        VarBind::null(oid("1.3.6.1.2.1.1.7.0")),
        VarBind {
            name: oid("1.3.6.1.2.1.1.8.0"),
            value: Value::NoSuchObject,
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.9.0"),
            value: Value::NoSuchInstance,
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.10.0"),
            value: Value::Counter32(0),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.11.0"),
            value: Value::Counter64(0x80),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.1.12.0"),
            value: Value::NsapAddress(Bytes::from_static(&[0x47, 0x00, 0x05])),
        },
    ]
}

fn messages() -> Vec<Message> {
    let community = |version, pdu| {
        Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(b"public"),
            pdu,
        })
    };
    vec![
        community(
            Version::V2c,
            AnyPdu::Pdu(Pdu {
                kind: PduKind::Response,
                request_id: RequestId(-7),
                error_status: ErrorStatus::NoSuchName,
                error_index: 2,
                varbinds: sample_varbinds(),
            }),
        ),
        community(
            Version::V2c,
            AnyPdu::Bulk(BulkPdu {
                request_id: RequestId(9),
                non_repeaters: 1,
                max_repetitions: 10,
                varbinds: sample_varbinds(),
            }),
        ),
        community(
            Version::V1,
            AnyPdu::TrapV1(TrapV1Pdu {
                enterprise: oid("1.3.6.1.4.1.8072.3.2.10"),
                agent_addr: Ipv4Addr::new(192, 0, 2, 7),
                generic_trap: GenericTrap::LinkDown,
                specific_trap: 0,
                time_stamp: 42,
                varbinds: sample_varbinds(),
            }),
        ),
    ]
}

/// The view and the owned decoder agree on `bytes`: both accept it as a community
/// message, with the same content, or both reject it with the same error.
fn assert_agree(bytes: &[u8]) {
    let decoded = Message::decode(Bytes::copy_from_slice(bytes));
    let viewed = MessageView::parse(bytes);
    // The lean pass accepts exactly what the diagnosing pass accepts, with the same view.
    assert_eq!(
        MessageView::accept(bytes),
        MessageView::diagnose(bytes).ok()
    );
    match (&decoded, &viewed) {
        (Ok(Message::Community(message)), Ok(view)) => {
            assert_eq!(view.version(), message.version);
            assert_eq!(view.community(), &message.community[..]);
            assert_eq!(view.pdu_tag(), message.pdu.tag());
            assert_eq!(view.request_id(), message.pdu.request_id());
            let varbinds: Vec<VarBind> = view.varbinds().map(|v| v.to_varbind()).collect();
            assert_eq!(varbinds, message.pdu.varbinds());
            assert_eq!(view.varbinds().len(), varbinds.len());
            for (view, owned) in view.varbinds().zip(message.pdu.varbinds()) {
                assert!(view.name == owned.name);
                assert_eq!(view.name.cmp_oid(&owned.name), Ordering::Equal);
                assert!(view.name.arcs().eq(owned.name.arcs().iter().copied()));
            }
        }
        // A v3 message is the owned decoder's alone; the view says so.
        (Ok(Message::V3(_)), Err(error)) => {
            assert_eq!(error.kind, DecodeErrorKind::UnsupportedVersion(3));
        }
        (Err(expected), Err(error)) => {
            let v3 = matches!(error.kind, DecodeErrorKind::UnsupportedVersion(3));
            assert!(v3 || error == expected, "{error} vs {expected}");
        }
        _ => panic!("decode: {decoded:?}\nview: {viewed:?}"),
    }
}

#[test]
fn views_what_the_owned_decoder_decodes() {
    for message in messages() {
        let bytes = message.to_vec();
        assert_agree(&bytes);
        let view = MessageView::parse(&bytes).unwrap();
        assert_eq!(view.varbinds().count(), sample_varbinds().len());
    }
}

#[test]
fn exposes_the_pdu_fields() {
    let bytes: Vec<Vec<u8>> = messages().iter().map(Message::to_vec).collect();
    let [response, bulk, trap] = <[Vec<u8>; 3]>::try_from(bytes).unwrap();
    let view = MessageView::parse(&response).unwrap();
    assert_eq!(view.version(), Version::V2c);
    assert_eq!(
        *view.pdu(),
        PduFields::Pdu {
            kind: PduKind::Response,
            request_id: RequestId(-7),
            error_status: ErrorStatus::NoSuchName,
            error_index: 2,
        }
    );
    let view = MessageView::parse(&bulk).unwrap();
    assert_eq!(view.request_id(), Some(RequestId(9)));
    assert!(matches!(
        view.pdu(),
        PduFields::Bulk {
            non_repeaters: 1,
            max_repetitions: 10,
            ..
        }
    ));
    let view = MessageView::parse(&trap).unwrap();
    assert_eq!(view.request_id(), None);
    let PduFields::TrapV1 {
        enterprise,
        generic_trap,
        time_stamp,
        ..
    } = *view.pdu()
    else {
        panic!("not a trap");
    };
    assert_eq!(enterprise.to_oid(), oid("1.3.6.1.4.1.8072.3.2.10"));
    assert!(enterprise.starts_with(&oid("1.3.6.1.4.1")));
    assert!(!enterprise.starts_with(&oid("1.3.6.1.2")));
    assert!(enterprise < oid("1.3.6.1.4.1.8072.3.2.11"));
    assert!(enterprise > oid("1.3.6.1.4.1.8072.3.2"));
    assert_eq!(generic_trap, GenericTrap::LinkDown);
    assert_eq!(time_stamp, 42);
}

#[test]
fn reads_empty_oid_contents_as_zero_dot_zero() {
    let view = OidView { contents: &[] };
    assert_eq!(view.arcs().collect::<Vec<_>>(), [0, 0]);
    assert_eq!(view.to_oid(), oid("0.0"));
    let view = OidView {
        contents: &[0x88, 0x37, 0x80, 0x01],
    };
    assert_eq!(view.arcs().collect::<Vec<_>>(), [2, 999, 1]);
}

#[test]
fn rejects_what_the_owned_decoder_rejects() {
    let bytes = messages()[0].to_vec();
    // Truncated anywhere, and the version set to 2, 3 or 4.
    for end in 0..bytes.len() {
        assert_agree(&bytes[..end]);
    }
    // The version's one contents octet follows the message's tag and length, then the
    // INTEGER's tag and length.
    let version_at = match bytes[1] {
        0..0x80 => 4,
        long => usize::from(long & 0x7f) + 4,
    };
    assert_eq!(bytes[version_at - 2..=version_at], [INTEGER, 1, 1]);
    for version in [2, 3, 4] {
        let mut wrong = bytes.clone();
        wrong[version_at] = version;
        assert!(MessageView::parse(&wrong).is_err());
        assert_agree(&wrong);
    }
}

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let messages = messages();
    (
        0..messages.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(move |(which, flips, cut, truncate)| {
            let mut bytes = messages[which].to_vec();
            for (at, byte) in flips {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

/// Re-encodes a BER tree the way lenient agents do: each length in a random long form
/// (`0x81`, `0x82`, `0x84`, or a useless `0x89` nine-octet form the decoder rejects),
/// and integers with redundant sign octets, chosen by `choices`.
fn reencode(bytes: &[u8], choices: &mut impl Iterator<Item = u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some((tag, contents, tail)) = tlv(rest) {
        rest = tail;
        let choice = choices.next().unwrap_or(0);
        let constructed = tag == SEQUENCE || (0xa0..=0xa8).contains(&tag);
        let mut body = if constructed {
            reencode(contents, choices)
        } else {
            contents.to_vec()
        };
        let integer = matches!(tag, INTEGER | COUNTER32 | GAUGE32 | TIMETICKS | COUNTER64);
        if integer && choice & 0x30 == 0x30 {
            let sign = if body.first().is_some_and(|&first| first >= 0x80) {
                0xff
            } else {
                0x00
            };
            for _ in 0..=(choice >> 6) {
                body.insert(0, sign);
            }
        }
        out.push(tag);
        let len = body.len();
        match choice & 0x07 {
            1 if len < 0x100 => out.extend([0x81, u8::try_from(len).unwrap()]),
            2 if len < 0x1_0000 => {
                out.push(0x82);
                out.extend(u16::try_from(len).unwrap().to_be_bytes());
            }
            3 => {
                out.push(0x84);
                out.extend(u32::try_from(len).unwrap().to_be_bytes());
            }
            4 if choice & 0x08 != 0 => {
                out.push(0x89);
                out.extend([0; 9]);
            }
            _ if len < 0x80 => out.push(u8::try_from(len).unwrap()),
            _ => {
                out.push(0x82);
                out.extend(u16::try_from(len).unwrap().to_be_bytes());
            }
        }
        out.extend(body);
    }
    out.extend(rest);
    out
}

/// Splits one definite-length TLV off the front of `bytes`.
fn tlv(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (len, octets) = length::decode(rest)?;
    let (contents, tail) = rest.get(octets..)?.split_at_checked(len)?;
    Some((tag, contents, tail))
}

fn reencoded() -> impl Strategy<Value = Vec<u8>> {
    let messages = messages();
    (
        0..messages.len(),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..2),
    )
        .prop_map(move |(which, choices, flips)| {
            let mut bytes = reencode(&messages[which].to_vec(), &mut choices.into_iter());
            for (at, byte) in flips {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            bytes
        })
}

#[test]
fn reencoding_keeps_the_message() {
    for message in messages() {
        let bytes = message.to_vec();
        assert_eq!(reencode(&bytes, &mut std::iter::empty()), bytes);
        let long = reencode(&bytes, &mut std::iter::repeat(0x33));
        assert_ne!(long, bytes);
        assert_eq!(Message::decode(Bytes::from(long.clone())).unwrap(), message);
        assert_agree(&long);
    }
}

#[test]
fn checks_oid_subidentifiers_as_the_owned_decoder_does() {
    let five_octets = [0x8f, 0xff, 0xff, 0xff, 0x7f];
    let too_large = [0x90, 0x80, 0x80, 0x80, 0x00];
    let padded = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    let unterminated = [0x2b, 0x06, 0x81];
    let first_max = [0x8f, 0xff, 0xff, 0xff, 0x7f + 80 - 0x80 + 0x80, 0x00];
    for contents in [
        &five_octets[..],
        &too_large,
        &padded,
        &unterminated,
        &first_max,
        &[0x2b; 127],
        &[0x2b; 128],
        &[0x81; 20],
        &[],
    ] {
        let mut arcs = [0u32; crate::oid::MAX_ARCS];
        let owned = contents.is_empty() || crate::ber::oid_arcs(contents, &mut arcs).is_ok();
        assert_eq!(oid_is_valid(contents), owned, "{contents:02x?}");
    }
}

proptest! {
    #[test]
    fn accepts_and_rejects_what_message_decode_does(bytes in mutated()) {
        assert_agree(&bytes);
    }

    #[test]
    fn agrees_on_lenient_encodings(bytes in reencoded()) {
        assert_agree(&bytes);
    }

    #[test]
    fn agrees_on_oid_contents(
        contents in prop::collection::vec(
            prop_oneof![0u8..0x80, 0x80u8..=0xff, Just(0x80u8), Just(0xffu8)],
            0..140,
        ),
    ) {
        let mut arcs = [0u32; crate::oid::MAX_ARCS];
        let owned = contents.is_empty() || crate::ber::oid_arcs(&contents, &mut arcs).is_ok();
        prop_assert_eq!(oid_is_valid(&contents), owned);
    }

    #[test]
    fn agrees_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        assert_agree(&bytes);
    }

    #[test]
    fn agrees_on_arbitrary_bodies(
        body in prop::collection::vec(any::<u8>(), 0..120),
        version in 0u8..2,
    ) {
        // A well-formed message header around arbitrary PDU bytes: the PDU and varbind
        // rules get exercised rather than the outer SEQUENCE's.
        let mut bytes = vec![0x30, 0x81, 0x00, 0x02, 0x01, version, 0x04, 0x01, b'p'];
        bytes.extend(&body);
        bytes[2] = u8::try_from(bytes.len() - 3).unwrap();
        assert_agree(&bytes);
    }
}
