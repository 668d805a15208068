use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Mutex;

use bytes::Bytes;
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{Incoming, ResponderConfig, ResponderEngine};
use vigie_snmp::vacm::{Permission, Shorthand, ViewScope};
use vigie_snmp::{CommunityMessage, Message};

use super::*;
use crate::RegistryError;
use crate::mib::{Mib, Scalar, ScalarGroup};

/// A handler whose commits fail for one OID, and whose undo can be made to fail.
struct Flaky {
    root: Oid,
    values: Mutex<Vec<(Oid, Value)>>,
    fail_commit: Oid,
    fail_undo: bool,
}

impl Mib for Flaky {
    fn root(&self) -> &Oid {
        &self.root
    }
    fn get(&self, _ctx: &RequestCtx, oid: &Oid) -> Value {
        let values = self.values.lock().unwrap();
        values
            .iter()
            .find(|(name, _)| name == oid)
            .map_or(Value::NoSuchInstance, |(_, v)| v.clone())
    }
    fn get_next(&self, _ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        let values = self.values.lock().unwrap();
        values
            .iter()
            .find(|(name, _)| name > oid)
            .map(|(name, value)| VarBind {
                name: name.clone(),
                value: value.clone(),
            })
    }
    fn test_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        match varbind.value {
            Value::Integer(_) => Ok(()),
            _ => Err(SetError::WrongType),
        }
    }
    fn commit_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        if varbind.name == self.fail_commit {
            return Err(SetError::CommitFailed);
        }
        let previous = self.get(ctx, &varbind.name);
        self.store(&varbind.name, &varbind.value);
        Ok(previous)
    }
    fn undo_set(&self, _ctx: &RequestCtx, name: &Oid, previous: &Value) -> Result<(), SetError> {
        if self.fail_undo {
            return Err(SetError::UndoFailed);
        }
        self.store(name, previous);
        Ok(())
    }
}

impl Flaky {
    fn store(&self, name: &Oid, value: &Value) {
        let mut values = self.values.lock().unwrap();
        if let Some(slot) = values.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value.clone();
        }
    }
}

fn oid(text: &str) -> Oid {
    text.parse().unwrap()
}

struct Fixture {
    agent: Agent,
    engine: ResponderEngine,
}

fn fixture(fail_undo: bool) -> Fixture {
    fixture_with(fail_undo, Vec::new())
}

/// [`fixture`] with `extra` handlers registered too.
fn fixture_with(fail_undo: bool, extra: Vec<Box<dyn Mib>>) -> Fixture {
    let mut registry = Registry::new();
    for handler in extra {
        registry.register(handler).unwrap();
    }
    registry
        .register(Box::new(ScalarGroup::new(
            oid("1.3.6.1.2.1.1"),
            vec![
                Scalar::constant(1, Value::OctetString("descr".into())),
                Scalar::constant(3, Value::TimeTicks(5)),
            ],
        )))
        .unwrap();
    registry
        .register(Box::new(ScalarGroup::new(
            oid("1.3.6.1.2.1.31"),
            vec![
                Scalar::constant(1, Value::Counter64(1 << 40)),
                Scalar::constant(2, Value::Integer(2)),
            ],
        )))
        .unwrap();
    registry
        .register(Box::new(Flaky {
            root: oid("1.3.6.1.4.1.99"),
            values: Mutex::new(
                (1..=3)
                    .map(|i| (oid(&format!("1.3.6.1.4.1.99.{i}.0")), Value::Integer(i)))
                    .collect(),
            ),
            fail_commit: oid("1.3.6.1.4.1.99.3.0"),
            fail_undo,
        }))
        .unwrap();
    let mut vacm = Vacm::new();
    let mut communities = CommunityTable::new();
    let mut shorthand = Shorthand::new();
    shorthand
        .community(
            &mut vacm,
            &mut communities,
            Permission::ReadOnly,
            "public",
            None,
            ViewScope::All,
            None,
        )
        .unwrap();
    shorthand
        .community(
            &mut vacm,
            &mut communities,
            Permission::ReadWrite,
            "private",
            None,
            ViewScope::All,
            None,
        )
        .unwrap();
    Fixture {
        agent: Agent::new(registry, vacm, AgentConfig { max_repetitions: 3 }),
        engine: ResponderEngine::new(ResponderConfig {
            communities,
            max_message_size: 0,
        }),
    }
}

impl Fixture {
    fn ask(&mut self, version: Version, community: &'static [u8], pdu: AnyPdu) -> Pdu {
        let datagram = Message::Community(CommunityMessage {
            version,
            community: Bytes::from_static(community),
            pdu,
        })
        .to_vec();
        let from = SocketAddr::from((Ipv4Addr::LOCALHOST, 5000));
        let now = Instant::now();
        let Incoming::Request(ctx, pdu) =
            self.engine
                .handle_datagram(now, from, Bytes::from(datagram))
        else {
            panic!("not a request");
        };
        let response = self.agent.process(now, &ctx, &pdu, self.engine.counters());
        let transmit = self.engine.respond(&ctx, response).unwrap();
        let Message::Community(message) = Message::decode(transmit.contents).unwrap() else {
            panic!()
        };
        let AnyPdu::Pdu(pdu) = message.pdu else {
            panic!()
        };
        pdu
    }
}

fn request(kind: PduKind, varbinds: &[(&str, Value)]) -> AnyPdu {
    AnyPdu::Pdu(Pdu {
        kind,
        request_id: RequestId(9),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds: varbinds
            .iter()
            .map(|(name, value)| VarBind {
                name: oid(name),
                value: value.clone(),
            })
            .collect(),
    })
}

fn names(pdu: &Pdu) -> Vec<String> {
    pdu.varbinds
        .iter()
        .map(|varbind| varbind.name.to_string())
        .collect()
}

#[test]
fn getnext_crosses_handlers_in_order_and_ends_in_end_of_mib_view() {
    let mut f = fixture(false);
    let response = f.ask(
        Version::V2c,
        b"public",
        request(
            PduKind::GetNextRequest,
            &[
                ("1.3.6.1.2.1.1.3.0", Value::Null),
                ("1.3.6.1.2.1.31.2.0", Value::Null),
                ("1.3.6.1.4.1.99.3.0", Value::Null),
                ("1.3", Value::Null),
            ],
        ),
    );
    assert_eq!(response.error_status, ErrorStatus::NoError);
    assert_eq!(
        names(&response),
        [
            "1.3.6.1.2.1.31.1.0",
            "1.3.6.1.4.1.99.1.0",
            "1.3.6.1.4.1.99.3.0",
            "1.3.6.1.2.1.1.1.0"
        ]
    );
    assert_eq!(response.varbinds[2].value, Value::EndOfMibView);
}

#[test]
fn get_gives_rfc_3416_exceptions_and_v1_gives_nosuchname() {
    let mut f = fixture(false);
    let varbinds = [
        ("1.3.6.1.2.1.1.1.0", Value::Null),
        ("1.3.6.1.2.1.1.1.1", Value::Null),
        ("1.3.6.1.2.1.2.1.0", Value::Null),
    ];
    let response = f.ask(
        Version::V2c,
        b"public",
        request(PduKind::GetRequest, &varbinds),
    );
    let values: Vec<_> = response
        .varbinds
        .iter()
        .map(|varbind| varbind.value.clone())
        .collect();
    assert_eq!(
        values,
        [
            Value::OctetString("descr".into()),
            Value::NoSuchInstance,
            Value::NoSuchObject
        ]
    );
    let response = f.ask(
        Version::V1,
        b"public",
        request(PduKind::GetRequest, &varbinds),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NoSuchName, 2)
    );
    // v1: a Counter64 does not exist for GET, and GETNEXT steps over it.
    let response = f.ask(
        Version::V1,
        b"public",
        request(PduKind::GetRequest, &[("1.3.6.1.2.1.31.1.0", Value::Null)]),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NoSuchName, 1)
    );
    let response = f.ask(
        Version::V1,
        b"public",
        request(
            PduKind::GetNextRequest,
            &[("1.3.6.1.2.1.1.3.0", Value::Null)],
        ),
    );
    assert_eq!(names(&response), ["1.3.6.1.2.1.31.2.0"]);
    // v1: the end of the MIB is noSuchName.
    let response = f.ask(
        Version::V1,
        b"public",
        request(
            PduKind::GetNextRequest,
            &[("1.3.6.1.4.1.99.3.0", Value::Null)],
        ),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NoSuchName, 1)
    );
}

#[test]
fn getbulk_honours_non_repeaters_and_caps_repetitions() {
    let mut f = fixture(false);
    let bulk = |non_repeaters, max_repetitions| {
        AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(3),
            non_repeaters,
            max_repetitions,
            varbinds: vec![
                VarBind::null(oid("1.3.6.1.2.1.1")),
                VarBind::null(oid("1.3.6.1.2.1.31")),
            ],
        })
    };
    let response = f.ask(Version::V2c, b"public", bulk(1, 2));
    assert_eq!(
        names(&response),
        [
            "1.3.6.1.2.1.1.1.0",
            "1.3.6.1.2.1.31.1.0",
            "1.3.6.1.2.1.31.2.0"
        ]
    );
    // max-repetitions is capped at 3.
    let response = f.ask(Version::V2c, b"public", bulk(0, 1_000));
    assert_eq!(
        names(&response),
        [
            "1.3.6.1.2.1.1.1.0",
            "1.3.6.1.2.1.31.1.0",
            "1.3.6.1.2.1.1.3.0",
            "1.3.6.1.2.1.31.2.0",
            "1.3.6.1.2.1.31.1.0",
            "1.3.6.1.4.1.99.1.0"
        ]
    );
    // Repeats stop once every repeater is at the end of the MIB.
    let response = f.ask(
        Version::V2c,
        b"public",
        AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(4),
            non_repeaters: 0,
            max_repetitions: 1_000,
            varbinds: vec![VarBind::null(oid("1.3.6.1.4.1.99.3"))],
        }),
    );
    assert_eq!(
        names(&response),
        ["1.3.6.1.4.1.99.3.0", "1.3.6.1.4.1.99.3.0"]
    );
    assert_eq!(response.varbinds[1].value, Value::EndOfMibView);
}

#[test]
fn set_tests_all_then_commits_all_and_undoes_on_failure() {
    let mut f = fixture(false);
    let get_all = |f: &mut Fixture| {
        let response = f.ask(
            Version::V2c,
            b"public",
            request(
                PduKind::GetRequest,
                &[
                    ("1.3.6.1.4.1.99.1.0", Value::Null),
                    ("1.3.6.1.4.1.99.2.0", Value::Null),
                ],
            ),
        );
        response
            .varbinds
            .into_iter()
            .map(|varbind| varbind.value)
            .collect::<Vec<_>>()
    };
    // Accepted.
    let response = f.ask(
        Version::V2c,
        b"private",
        request(
            PduKind::SetRequest,
            &[("1.3.6.1.4.1.99.1.0", Value::Integer(10))],
        ),
    );
    assert_eq!(response.error_status, ErrorStatus::NoError);
    assert_eq!(get_all(&mut f), [Value::Integer(10), Value::Integer(2)]);
    // A wrong type in the second varbind: nothing is written.
    let response = f.ask(
        Version::V2c,
        b"private",
        request(
            PduKind::SetRequest,
            &[
                ("1.3.6.1.4.1.99.1.0", Value::Integer(20)),
                ("1.3.6.1.4.1.99.2.0", Value::Null),
            ],
        ),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::WrongType, 2)
    );
    assert_eq!(get_all(&mut f), [Value::Integer(10), Value::Integer(2)]);
    // The third commit fails: the first two are undone.
    let varbinds = [
        ("1.3.6.1.4.1.99.1.0", Value::Integer(30)),
        ("1.3.6.1.4.1.99.2.0", Value::Integer(30)),
        ("1.3.6.1.4.1.99.3.0", Value::Integer(30)),
    ];
    let response = f.ask(
        Version::V2c,
        b"private",
        request(PduKind::SetRequest, &varbinds),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::CommitFailed, 3)
    );
    assert_eq!(get_all(&mut f), [Value::Integer(10), Value::Integer(2)]);
    // v1 sees commitFailed as genErr.
    let response = f.ask(
        Version::V1,
        b"private",
        request(PduKind::SetRequest, &varbinds),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::GenErr, 3)
    );
    // An undo that fails: undoFailed.
    let mut f = fixture(true);
    let response = f.ask(
        Version::V2c,
        b"private",
        request(PduKind::SetRequest, &varbinds),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::UndoFailed, 3)
    );
}

#[test]
fn set_errors_match_snmpd() {
    let mut f = fixture(false);
    let contact = [("1.3.6.1.2.1.1.4.0", Value::OctetString("x".into()))];
    // Read-only community: noAccess in v2c, noSuchName in v1, counted as a bad use.
    let response = f.ask(
        Version::V2c,
        b"public",
        request(PduKind::SetRequest, &contact),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NoAccess, 1)
    );
    let response = f.ask(
        Version::V1,
        b"public",
        request(PduKind::SetRequest, &contact),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NoSuchName, 1)
    );
    assert_eq!(f.engine.counters().get(SnmpCounter::InBadCommunityUses), 2);
    // Read-only object and unknown object: notWritable (v1: noSuchName).
    let response = f.ask(
        Version::V2c,
        b"private",
        request(
            PduKind::SetRequest,
            &[
                ("1.3.6.1.4.1.99.1.0", Value::Integer(1)),
                ("1.3.6.1.2.1.1.1.0", Value::Null),
            ],
        ),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NotWritable, 2)
    );
    let response = f.ask(
        Version::V2c,
        b"private",
        request(PduKind::SetRequest, &[("1.3.6.1.5.0", Value::Integer(1))]),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::NotWritable, 1)
    );
    let response = f.ask(
        Version::V1,
        b"private",
        request(
            PduKind::SetRequest,
            &[("1.3.6.1.4.1.99.1.0", Value::OctetString("x".into()))],
        ),
    );
    assert_eq!(
        (response.error_status, response.error_index),
        (ErrorStatus::BadValue, 1)
    );
    // The error response carries the request's varbinds.
    assert_eq!(response.varbinds[0].value, Value::OctetString("x".into()));
}

#[test]
fn a_restricted_view_hides_objects_from_get_and_getnext() {
    let mut f = fixture(false);
    let mut communities = CommunityTable::new();
    let mut vacm = Vacm::new();
    let subtree = vigie_snmp::vacm::ViewSubtree::new(&[1, 3, 6, 1, 2, 1, 31]).unwrap();
    Shorthand::new()
        .community(
            &mut vacm,
            &mut communities,
            Permission::ReadOnly,
            "narrow",
            None,
            ViewScope::Subtree(subtree),
            None,
        )
        .unwrap();
    f.agent.set_vacm(vacm);
    f.engine.set_communities(communities);
    let response = f.ask(
        Version::V2c,
        b"narrow",
        request(
            PduKind::GetRequest,
            &[
                ("1.3.6.1.2.1.1.1.0", Value::Null),
                ("1.3.6.1.2.1.31.2.0", Value::Null),
            ],
        ),
    );
    assert_eq!(response.varbinds[0].value, Value::NoSuchObject);
    assert_eq!(response.varbinds[1].value, Value::Integer(2));
    let response = f.ask(
        Version::V2c,
        b"narrow",
        request(
            PduKind::GetNextRequest,
            &[("1.3", Value::Null), ("1.3.6.1.2.1.31.2.0", Value::Null)],
        ),
    );
    assert_eq!(
        names(&response),
        ["1.3.6.1.2.1.31.1.0", "1.3.6.1.2.1.31.2.0"]
    );
    assert_eq!(response.varbinds[1].value, Value::EndOfMibView);
}

#[test]
fn a_registry_refuses_overlapping_subtrees() {
    let mut registry = Registry::new();
    registry
        .register(Box::new(ScalarGroup::new(oid("1.3.6.1.2.1.1"), vec![])))
        .unwrap();
    let nested = registry.register(Box::new(ScalarGroup::new(oid("1.3.6.1.2.1.1.9"), vec![])));
    assert!(matches!(nested, Err(RegistryError::Overlap { .. })));
}

/// A handler whose answers all fail, as a proxied agent that does not answer.
struct Unreachable(Oid);

impl Mib for Unreachable {
    fn root(&self) -> &Oid {
        &self.0
    }
    fn get(&self, _ctx: &RequestCtx, _oid: &Oid) -> Value {
        Value::NoSuchInstance
    }
    fn try_get(&self, _ctx: &RequestCtx, _oid: &Oid) -> Result<Value, ErrorStatus> {
        Err(ErrorStatus::GenErr)
    }
    fn get_next(&self, _ctx: &RequestCtx, _oid: &Oid) -> Option<VarBind> {
        None
    }
}

#[test]
fn a_get_that_fails_as_a_whole_answers_gen_err_with_its_index() {
    let mut fixture = fixture_with(false, vec![Box::new(Unreachable(oid("1.3.6.1.4.1.98")))]);
    let asked = [
        ("1.3.6.1.2.1.1.1.0", Value::Null),
        ("1.3.6.1.4.1.98.1.0", Value::Null),
    ];
    let response = fixture.ask(
        Version::V2c,
        b"public",
        request(PduKind::GetRequest, &asked),
    );
    assert_eq!(response.error_status, ErrorStatus::GenErr);
    assert_eq!(response.error_index, 2);
    // RFC 3416 §4.2.1: the request's varbinds, unchanged.
    assert_eq!(
        names(&response),
        ["1.3.6.1.2.1.1.1.0", "1.3.6.1.4.1.98.1.0"]
    );
    assert!(
        response
            .varbinds
            .iter()
            .all(|varbind| varbind.value == Value::Null)
    );
    // The handlers that did answer still serve a request without the failing varbind.
    let response = fixture.ask(
        Version::V2c,
        b"public",
        request(PduKind::GetRequest, &asked[..1]),
    );
    assert_eq!(response.error_status, ErrorStatus::NoError);
}

/// A handler that breaks the contract: its GETNEXT answers an OID before the one asked.
struct Backwards(Oid);

impl Mib for Backwards {
    fn root(&self) -> &Oid {
        &self.0
    }
    fn get(&self, _ctx: &RequestCtx, _oid: &Oid) -> Value {
        Value::NoSuchObject
    }
    fn get_next(&self, _ctx: &RequestCtx, _oid: &Oid) -> Option<VarBind> {
        Some(VarBind {
            name: self.0.child(1).unwrap(),
            value: Value::Integer(1),
        })
    }
}

#[test]
fn a_handler_that_answers_backwards_cannot_loop_a_walk() {
    let mut registry = Registry::new();
    registry
        .register(Box::new(Backwards(oid("1.3.6.1.2.1.5"))))
        .unwrap();
    registry
        .register(Box::new(ScalarGroup::new(
            oid("1.3.6.1.2.1.6"),
            vec![Scalar::constant(1, Value::Integer(6))],
        )))
        .unwrap();
    let ctx = RequestCtx {
        now: Instant::now(),
        version: Version::V2c,
        from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
    };
    // From inside the broken subtree, past its one answer: on to the next handler.
    let next = registry.get_next(&ctx, &oid("1.3.6.1.2.1.5.1")).unwrap();
    assert_eq!(next.name, oid("1.3.6.1.2.1.6.1.0"));
    assert_eq!(registry.get_next(&ctx, &oid("1.3.6.1.2.1.6.1.0")), None);
}

/// A table of many rows that counts the lookups made in it.
struct Counted {
    root: Oid,
    rows: u32,
    lookups: std::sync::atomic::AtomicUsize,
}

impl Counted {
    fn row(&self, index: u32) -> Oid {
        let mut arcs = self.root.arcs().to_vec();
        arcs.extend([1, 1, index]);
        Oid::new(&arcs).unwrap()
    }
}

impl Mib for Counted {
    fn root(&self) -> &Oid {
        &self.root
    }
    fn get(&self, _ctx: &RequestCtx, oid: &Oid) -> Value {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match (1..=self.rows).find(|&i| self.row(i) == *oid) {
            Some(i) => Value::Integer(i32::try_from(i).unwrap()),
            None => Value::NoSuchInstance,
        }
    }
    fn get_next(&self, _ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (1..=self.rows)
            .map(|i| self.row(i))
            .find(|name| name > oid)
            .map(|name| VarBind {
                value: Value::Integer(1),
                name,
            })
    }
}

#[test]
fn getnext_and_getbulk_jump_over_a_subtree_the_view_excludes() {
    use vigie_snmp::community::CommunityEntry;
    use vigie_snmp::vacm::{AccessEntry, ViewFamily, ViewSubtree};

    let table = std::sync::Arc::new(Counted {
        root: oid("1.3.6.1.2.1.2"),
        rows: 10_000,
        lookups: std::sync::atomic::AtomicUsize::new(0),
    });
    struct Shared(std::sync::Arc<Counted>);
    impl Mib for Shared {
        fn root(&self) -> &Oid {
            self.0.root()
        }
        fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
            self.0.get(ctx, oid)
        }
        fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
            self.0.get_next(ctx, oid)
        }
    }
    let mut registry = Registry::new();
    for root in ["1.3.6.1.2.1.1", "1.3.6.1.2.1.3"] {
        registry
            .register(Box::new(ScalarGroup::new(
                oid(root),
                vec![Scalar::constant(1, Value::Integer(7))],
            )))
            .unwrap();
    }
    registry
        .register(Box::new(Shared(std::sync::Arc::clone(&table))))
        .unwrap();
    let mut vacm = Vacm::new();
    vacm.add_group("walkers", SecurityModel::V2c, "walker")
        .unwrap();
    vacm.add_access(
        AccessEntry::new("walkers", SecurityModel::V2c, SecurityLevel::NoAuthNoPriv)
            .with_read_view("most"),
    )
    .unwrap();
    let subtree = |text: &str| ViewSubtree::new(oid(text).arcs()).unwrap();
    vacm.add_view("most", ViewFamily::included(subtree("1.3")))
        .unwrap();
    vacm.add_view("most", ViewFamily::excluded(subtree("1.3.6.1.2.1.2")))
        .unwrap();
    let mut communities = CommunityTable::new();
    communities
        .add(CommunityEntry::new("walker", "walker"))
        .unwrap();
    let mut f = Fixture {
        agent: Agent::new(registry, vacm, AgentConfig { max_repetitions: 3 }),
        engine: ResponderEngine::new(ResponderConfig {
            communities,
            max_message_size: 0,
        }),
    };
    let response = f.ask(
        Version::V2c,
        b"walker",
        request(
            PduKind::GetNextRequest,
            &[("1.3.6.1.2.1.1.1.0", Value::Null)],
        ),
    );
    assert_eq!(names(&response), ["1.3.6.1.2.1.3.1.0"]);
    // The first row is found, seen outside the view, and the table left in one jump: two
    // lookups (a GETNEXT, then a GET at the subtree's successor), not ten thousand.
    let lookups = table.lookups.swap(0, std::sync::atomic::Ordering::Relaxed);
    assert!(lookups <= 2, "{lookups} lookups in the excluded table");

    let response = f.ask(
        Version::V2c,
        b"walker",
        AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(10),
            non_repeaters: 0,
            max_repetitions: 3,
            varbinds: vec![VarBind::null(oid("1.3.6.1.2.1.1"))],
        }),
    );
    assert_eq!(
        names(&response),
        [
            "1.3.6.1.2.1.1.1.0",
            "1.3.6.1.2.1.3.1.0",
            "1.3.6.1.2.1.3.1.0"
        ]
    );
    assert_eq!(response.varbinds[2].value, Value::EndOfMibView);
    let lookups = table.lookups.load(std::sync::atomic::Ordering::Relaxed);
    assert!(lookups <= 2, "{lookups} lookups in the excluded table");
}

#[test]
fn the_successor_of_a_subtree_carries_over_maximal_arcs() {
    assert_eq!(
        subtree_successor(&oid("1.3.6.1.2.1.2")),
        Some(oid("1.3.6.1.2.1.3"))
    );
    assert_eq!(
        subtree_successor(&oid("1.3.6.4294967295")),
        Some(oid("1.3.7"))
    );
    assert_eq!(subtree_successor(&oid("1.39")), Some(oid("2.0")));
    assert_eq!(subtree_successor(&oid("2.4294967295")), None);
}

#[test]
fn a_community_mapped_to_a_context_sees_only_that_context() {
    let mut fixture = fixture(false);
    fixture
        .agent
        .registry_mut()
        .register_in(
            b"far",
            Box::new(ScalarGroup::new(
                oid("1.3.6.1.2.1.1"),
                vec![Scalar::constant(1, Value::OctetString("far descr".into()))],
            )),
        )
        .unwrap();
    // `farside` is in the context `far`, which only the registry knows (no
    // vacmContextTable row): the registry's contexts exist for VACM too.
    let mut vacm = Vacm::new();
    let mut communities = CommunityTable::new();
    let mut shorthand = Shorthand::new();
    for (name, context) in [("public", None), ("farside", Some(&b"far"[..]))] {
        shorthand
            .community(
                &mut vacm,
                &mut communities,
                Permission::ReadOnly,
                name,
                None,
                ViewScope::All,
                context,
            )
            .unwrap();
    }
    fixture.agent.set_vacm(vacm);
    fixture.engine = ResponderEngine::new(ResponderConfig {
        communities,
        max_message_size: 0,
    });
    let get = request(PduKind::GetRequest, &[("1.3.6.1.2.1.1.1.0", Value::Null)]);
    let far = fixture.ask(Version::V2c, b"farside", get.clone());
    assert_eq!(far.error_status, ErrorStatus::NoError);
    assert_eq!(
        far.varbinds[0].value,
        Value::OctetString("far descr".into())
    );
    let default = fixture.ask(Version::V2c, b"public", get);
    assert_eq!(
        default.varbinds[0].value,
        Value::OctetString("descr".into())
    );
    // The context holds nothing else: a walk of it ends after its one object.
    let next = fixture.ask(
        Version::V2c,
        b"farside",
        request(
            PduKind::GetNextRequest,
            &[("1.3.6.1.2.1.1.1.0", Value::Null)],
        ),
    );
    assert_eq!(next.varbinds[0].value, Value::EndOfMibView);
    // Once nothing is registered in it, the context is unknown: authorizationError.
    fixture
        .agent
        .registry_mut()
        .replace(&[(b"far".to_vec(), oid("1.3.6.1.2.1.1"))], Vec::new())
        .unwrap();
    let gone = fixture.ask(
        Version::V2c,
        b"farside",
        request(PduKind::GetRequest, &[("1.3.6.1.2.1.1.1.0", Value::Null)]),
    );
    assert_eq!(gone.error_status, ErrorStatus::AuthorizationError);
}
