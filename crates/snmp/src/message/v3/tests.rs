use super::*;
use crate::Message;
use crate::pdu::{ErrorStatus, Pdu, PduKind, RequestId, VarBind};

/// snmpget's discovery probe (Net-SNMP 5.9.3): noAuthNoPriv, reportable, empty engine ID and
/// user, an empty GetRequest.
const PROBE: [u8; 64] = [
    0x30, 0x3e, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x56, 0xb1, 0xf4, 0xa2, 0x02, 0x03, 0x00,
    0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01,
    0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x14, 0x04, 0x00, 0x04, 0x00,
    0xa0, 0x0e, 0x02, 0x04, 0x25, 0xfb, 0x16, 0x24, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
];
const FLAGS_AT: usize = 20;
const MODEL_AT: usize = 23;

fn decode(bytes: &[u8]) -> Result<V3Message, DecodeError> {
    match Message::decode(Bytes::copy_from_slice(bytes))? {
        Message::V3(message) => Ok(message),
        other => panic!("not v3: {other:?}"),
    }
}

fn error(kind: DecodeErrorKind, offset: usize) -> Result<V3Message, DecodeError> {
    Err(DecodeError::new(kind, offset))
}

fn scoped_get() -> ScopedPdu {
    ScopedPdu {
        context_engine_id: Bytes::from_static(b"\x80\x00\x1f\x88\x04ctx"),
        context_name: Bytes::from_static(b"bridge1"),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(7),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![VarBind::null("1.3.6.1.2.1.1.1.0".parse().unwrap())],
        }),
    }
}

#[test]
fn decodes_net_snmps_discovery_probe_and_re_encodes_it() {
    let message = decode(&PROBE).unwrap();
    assert_eq!(message.header.msg_id, 0x56b1_f4a2);
    assert_eq!(message.header.max_size, 65_507);
    assert_eq!(
        message.header.flags,
        MsgFlags {
            level: SecurityLevel::NoAuthNoPriv,
            reportable: true
        }
    );
    assert_eq!(message.security, UsmSecurityParameters::default());
    let ScopedPduData::Plaintext(scoped) = &message.data else {
        panic!("plaintext expected");
    };
    assert!(scoped.context_engine_id.is_empty() && scoped.context_name.is_empty());
    assert_eq!(scoped.pdu.request_id(), Some(RequestId(0x25fb_1624)));
    assert!(scoped.pdu.varbinds().is_empty());
    assert_eq!(Message::V3(message).to_vec(), PROBE);
}

#[test]
fn encrypted_and_plaintext_messages_round_trip() {
    let security = UsmSecurityParameters {
        engine_id: Bytes::from_static(b"\x80\x00\x1f\x88\x04vigie3"),
        engine_time: EngineTime::new(3, 1_234_567),
        user_name: Bytes::from_static(b"alice"),
        auth_params: Bytes::from_static(&[0xaa; 12]),
        priv_params: Bytes::from_static(&[0xbb; 8]),
    };
    for (level, data) in [
        (
            SecurityLevel::AuthNoPriv,
            ScopedPduData::Plaintext(scoped_get()),
        ),
        (
            SecurityLevel::AuthPriv,
            ScopedPduData::Encrypted(Bytes::from(vec![0x5a; 300])),
        ),
    ] {
        let message = V3Message {
            header: HeaderData {
                msg_id: i32::MAX as u32,
                max_size: 1_500,
                flags: MsgFlags {
                    level,
                    reportable: false,
                },
            },
            security: security.clone(),
            data,
        };
        let bytes = Message::V3(message.clone()).to_vec();
        assert_eq!(decode(&bytes), Ok(message));
        let range = locate_auth_params(&Bytes::from(bytes.clone())).unwrap();
        assert_eq!(bytes[range], [0xaa; 12]);
    }
}

#[test]
fn flags_give_level_and_reportable_and_ignore_reserved_bits() {
    let cases = [
        (0x00, Some((SecurityLevel::NoAuthNoPriv, false))),
        (0x01, Some((SecurityLevel::AuthNoPriv, false))),
        (0x02, None),
        (0x03, Some((SecurityLevel::AuthPriv, false))),
        (0x04, Some((SecurityLevel::NoAuthNoPriv, true))),
        (0x05, Some((SecurityLevel::AuthNoPriv, true))),
        (0x06, None),
        (0x07, Some((SecurityLevel::AuthPriv, true))),
        (0xf9, Some((SecurityLevel::AuthNoPriv, false))),
    ];
    for (octet, expected) in cases {
        let flags = MsgFlags::from_octet(octet);
        assert_eq!(
            flags.map(|f| (f.level, f.reportable)),
            expected,
            "{octet:#04x}"
        );
        if let Some(flags) = flags {
            assert_eq!(flags.octet(), octet & 0x07);
        }
    }
}

#[test]
fn rejects_invalid_flags_and_other_security_models() {
    let mut bytes = PROBE;
    bytes[FLAGS_AT] = 0x06;
    assert_eq!(
        decode(&bytes),
        error(DecodeErrorKind::InvalidMsgFlags, FLAGS_AT)
    );
    let mut bytes = PROBE;
    bytes[FLAGS_AT - 1] = 0x00;
    bytes[FLAGS_AT - 3] = 0x02;
    // An empty msgFlags: the header is then one octet shorter than its length says.
    assert!(decode(&bytes).is_err());
    let mut bytes = PROBE;
    bytes[MODEL_AT] = 0x02;
    assert_eq!(
        decode(&bytes),
        error(DecodeErrorKind::UnsupportedSecurityModel(2), MODEL_AT)
    );
}

#[test]
fn rejects_numbers_out_of_rfc_ranges() {
    // msgMaxSize 483, one under the minimum.
    let mut bytes = PROBE;
    bytes[15..18].copy_from_slice(&[0x00, 0x01, 0xe3]);
    assert_eq!(
        decode(&bytes),
        error(DecodeErrorKind::IntegerOutOfRange, 15)
    );
    bytes[17] = 0xe4;
    assert_eq!(decode(&bytes).unwrap().header.max_size, 484);
    // A negative msgID.
    let mut bytes = PROBE;
    bytes[9] = 0xd6;
    assert_eq!(decode(&bytes), error(DecodeErrorKind::IntegerOutOfRange, 9));
    // A negative boots.
    let mut bytes = PROBE;
    bytes[32] = 0xff;
    assert_eq!(
        decode(&bytes),
        error(DecodeErrorKind::IntegerOutOfRange, 32)
    );
}

#[test]
fn privacy_flag_requires_an_encrypted_pdu() {
    let mut bytes = PROBE;
    bytes[FLAGS_AT] = 0x07;
    assert_eq!(
        decode(&bytes),
        error(DecodeErrorKind::UnexpectedTag(0x30), 42)
    );
}

#[test]
fn security_parameters_must_hold_exactly_one_sequence() {
    // Stretch the OCTET STRING wrapper over the ScopedPDU's first octet… which makes the
    // ScopedPDU start inside it: trailing data in the wrapper.
    let mut bytes = PROBE;
    bytes[25] = 0x11;
    assert!(matches!(
        decode(&bytes),
        Err(DecodeError {
            kind: DecodeErrorKind::TrailingData,
            offset: 42
        })
    ));
}

#[test]
fn encoding_brings_numbers_into_range() {
    let message = V3Message {
        header: HeaderData {
            msg_id: u32::MAX,
            max_size: 100,
            flags: MsgFlags {
                level: SecurityLevel::NoAuthNoPriv,
                reportable: true,
            },
        },
        security: UsmSecurityParameters {
            engine_time: EngineTime::new(u32::MAX, u32::MAX),
            ..UsmSecurityParameters::default()
        },
        data: ScopedPduData::Plaintext(scoped_get()),
    };
    let decoded = decode(&Message::V3(message).to_vec()).unwrap();
    assert_eq!(decoded.header.msg_id, MAX_INT);
    assert_eq!(decoded.header.max_size, MIN_MAX_SIZE);
    assert_eq!(
        decoded.security.engine_time,
        EngineTime::new(MAX_INT, MAX_INT)
    );
}

#[test]
fn a_decrypted_scoped_pdu_may_carry_padding() {
    let mut plaintext = Vec::new();
    scoped_get().encode(&mut plaintext);
    plaintext.extend_from_slice(&[0; 5]);
    assert_eq!(ScopedPdu::decode(Bytes::from(plaintext)), Ok(scoped_get()));
    assert!(ScopedPdu::decode(Bytes::from_static(&[0x30, 0x05, 0x04])).is_err());
}

#[test]
fn locating_the_mac_needs_a_v3_message() {
    let v2c = Bytes::from_static(&[0x30, 0x05, 0x02, 0x01, 0x01, 0x04, 0x00]);
    assert_eq!(
        locate_auth_params(&v2c),
        Err(DecodeError::new(DecodeErrorKind::UnsupportedVersion(1), 4))
    );
    let probe = Bytes::copy_from_slice(&PROBE);
    assert_eq!(locate_auth_params(&probe), Ok(40..40));
}
