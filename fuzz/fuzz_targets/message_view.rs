//! Differential: the borrowed `MessageView::parse` against the owned `Message::decode` on
//! arbitrary datagrams. Both accept exactly the same v1/v2c messages and reject the rest with
//! the same error (an SNMPv3 message, which the view does not cover, with
//! `UnsupportedVersion(3)`, where the owned decoder may fail later in the v3 fields), and what
//! the view reads converts to what the decoder built.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use vigie_snmp::message::CommunityMessage;
use vigie_snmp::view::{MessageView, PduFields};
use vigie_snmp::{AnyPdu, DecodeErrorKind, Message, VarBind};

fuzz_target!(|data: &[u8]| {
    let owned = Message::decode(Bytes::copy_from_slice(data));
    let view = MessageView::parse(data);
    match (owned, view) {
        (Ok(Message::Community(message)), Ok(view)) => same(&message, &view),
        (Ok(Message::V3(_)), Err(error)) => {
            assert_eq!(error.kind, DecodeErrorKind::UnsupportedVersion(3));
        }
        // The view stops at version 3; the owned decoder may fail further in.
        (Err(owned), Err(view)) if view.kind == DecodeErrorKind::UnsupportedVersion(3) => {
            assert!(owned.offset >= view.offset, "{owned:?} before {view:?}");
        }
        (Err(owned), Err(view)) => assert_eq!(owned, view),
        (owned, view) => panic!("the decoders disagree: {owned:?} and {view:?}"),
    }
});

fn same(message: &CommunityMessage, view: &MessageView<'_>) {
    assert_eq!(message.version, view.version());
    assert_eq!(&message.community[..], view.community());
    assert_eq!(message.pdu.request_id(), view.request_id());
    match (&message.pdu, view.pdu()) {
        (
            AnyPdu::Pdu(pdu),
            &PduFields::Pdu {
                kind,
                request_id,
                error_status,
                error_index,
            },
        ) => {
            assert_eq!(pdu.kind, kind);
            assert_eq!(pdu.request_id, request_id);
            assert_eq!(pdu.error_status, error_status);
            assert_eq!(pdu.error_index, error_index);
        }
        (
            AnyPdu::Bulk(bulk),
            &PduFields::Bulk {
                request_id,
                non_repeaters,
                max_repetitions,
            },
        ) => {
            assert_eq!(bulk.request_id, request_id);
            assert_eq!(bulk.non_repeaters, non_repeaters);
            assert_eq!(bulk.max_repetitions, max_repetitions);
        }
        (
            AnyPdu::TrapV1(trap),
            PduFields::TrapV1 {
                enterprise,
                agent_addr,
                generic_trap,
                specific_trap,
                time_stamp,
            },
        ) => {
            assert_eq!(trap.enterprise, enterprise.to_oid());
            assert!(*enterprise == trap.enterprise);
            assert_eq!(trap.agent_addr, *agent_addr);
            assert_eq!(trap.generic_trap, *generic_trap);
            assert_eq!(trap.specific_trap, *specific_trap);
            assert_eq!(trap.time_stamp, *time_stamp);
        }
        (pdu, fields) => panic!("different PDUs: {pdu:?} and {fields:?}"),
    }
    let varbinds = view.varbinds();
    assert_eq!(varbinds.len(), message.pdu.varbinds().len());
    let viewed: Vec<VarBind> = varbinds.map(|varbind| varbind.to_varbind()).collect();
    assert_eq!(viewed, message.pdu.varbinds());
    for (varbind, owned) in view.varbinds().zip(message.pdu.varbinds()) {
        assert!(varbind.name == owned.name);
        assert_eq!(varbind.name.cmp_oid(&owned.name), std::cmp::Ordering::Equal);
        assert!(varbind.name.starts_with(&owned.name));
    }
}
