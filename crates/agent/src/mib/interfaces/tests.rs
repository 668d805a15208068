use std::net::Ipv4Addr;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering as AtomicOrdering;

use vigie_snmp::VarBind;
use vigie_snmp::Version;

use super::*;
use crate::host::interfaces::AdminStatus;
use crate::host::interfaces::IanaIfType;
use crate::host::interfaces::LinkChange;
use crate::host::interfaces::NetDevCounters;
use crate::host::interfaces::OperStatus;
use crate::mib::RequestCtx;

fn ctx(now: Instant) -> RequestCtx {
    RequestCtx {
        now,
        version: Version::V2c,
        from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
    }
}

fn memory_state() -> Arc<State> {
    Arc::new(State::in_memory())
}

fn fixture_interfaces(started: Instant) -> Arc<Interfaces> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host");
    Interfaces::new(
        HostPaths::new(root.join("proc"), root.join("sys"), root.join("utmp")),
        started,
        memory_state(),
    )
}

fn walk(handlers: &[Box<dyn Mib>], ctx: &RequestCtx) -> Vec<VarBind> {
    let mut seen = Vec::new();
    for handler in handlers {
        let mut at = handler.root().clone();
        while let Some(varbind) = handler.get_next(ctx, &at) {
            assert!(varbind.name > at, "{} after {}", varbind.name, at);
            assert!(varbind.name.starts_with(handler.root()));
            at = varbind.name.clone();
            seen.push(varbind);
        }
    }
    seen
}

fn value(handlers: &[Box<dyn Mib>], ctx: &RequestCtx, name: &str) -> Value {
    let name: Oid = name.parse().unwrap();
    let handler = handlers
        .iter()
        .find(|h| name.starts_with(h.root()))
        .unwrap();
    handler.get(ctx, &name)
}

fn eth(index: u32, up: bool, rx_bytes: u64) -> Interface {
    Interface {
        index,
        name: format!("eth{index}"),
        if_type: IanaIfType::ETHERNET_CSMACD,
        mtu: 1500,
        address: vec![2, 0, 0, 0, 0, 1],
        flags: 1,
        operstate: if up { OperStatus::Up } else { OperStatus::Down },
        speed_mbps: Some(10_000),
        alias: String::new(),
        counters: NetDevCounters {
            rx_bytes,
            tx_bytes: rx_bytes,
            ..NetDevCounters::default()
        },
    }
}

#[test]
fn walks_if_mib_in_order_with_snmpd_columns() {
    let now = Instant::now();
    let handlers = fixture_interfaces(now).handlers();
    let ctx = ctx(now);
    let names: Vec<String> = walk(&handlers, &ctx)
        .iter()
        .map(|vb| vb.name.to_string())
        .collect();
    assert_eq!(names.first().map(String::as_str), Some("1.3.6.1.2.1.2.1.0"));
    assert_eq!(
        names.get(1).map(String::as_str),
        Some("1.3.6.1.2.1.2.2.1.1.1")
    );
    // ifNumber, 22 ifTable columns and 18 ifXTable columns of 4 rows, ifTableLastChange.
    assert_eq!(names.len(), 1 + 22 * 4 + 18 * 4 + 1);
    assert_eq!(
        names.last().map(String::as_str),
        Some("1.3.6.1.2.1.31.1.5.0")
    );
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("1.3.6.1.2.1.31.1.1.1.14."))
    );
}

#[test]
fn serves_snmpd_values_for_the_captured_host() {
    let now = Instant::now();
    let handlers = fixture_interfaces(now).handlers();
    let ctx = ctx(now);
    let get = |name: &str| value(&handlers, &ctx, name);
    assert_eq!(get("1.3.6.1.2.1.2.1.0"), Value::Integer(4));
    assert_eq!(
        get("1.3.6.1.2.1.2.2.1.2.1"),
        Value::OctetString("lo".into())
    );
    assert_eq!(get("1.3.6.1.2.1.2.2.1.3.1"), Value::Integer(24));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.3.4"), Value::Integer(6));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.4.4"), Value::Integer(1400));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.5.1"), Value::Gauge32(10_000_000));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.5.4"), Value::Gauge32(0));
    assert_eq!(
        get("1.3.6.1.2.1.2.2.1.6.1"),
        Value::OctetString(Bytes::new())
    );
    assert_eq!(
        get("1.3.6.1.2.1.2.2.1.6.4"),
        Value::OctetString(Bytes::from_static(&[0x02, 0xfc, 0, 0, 0, 1]))
    );
    assert_eq!(get("1.3.6.1.2.1.2.2.1.7.2"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.8.1"), Value::Integer(1));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.8.2"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.2.2.1.10.4"), Value::Counter32(91_190_865));
    assert_eq!(
        get("1.3.6.1.2.1.2.2.1.22.1"),
        Value::ObjectIdentifier("0.0".parse().unwrap())
    );
    assert_eq!(
        get("1.3.6.1.2.1.31.1.1.1.1.4"),
        Value::OctetString("eth0".into())
    );
    assert_eq!(
        get("1.3.6.1.2.1.31.1.1.1.6.4"),
        Value::Counter64(91_190_865)
    );
    assert_eq!(get("1.3.6.1.2.1.31.1.1.1.15.1"), Value::Gauge32(10));
    assert_eq!(get("1.3.6.1.2.1.31.1.1.1.16.1"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.31.1.1.1.17.1"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.31.1.1.1.17.4"), Value::Integer(1));
    assert_eq!(
        get("1.3.6.1.2.1.31.1.1.1.18.4"),
        Value::OctetString(Bytes::new())
    );
    assert_eq!(get("1.3.6.1.2.1.31.1.5.0"), Value::TimeTicks(0));
    // Exceptions: a missing row, a column not served, a scalar's non-instance.
    assert_eq!(get("1.3.6.1.2.1.2.2.1.2.9"), Value::NoSuchInstance);
    assert_eq!(get("1.3.6.1.2.1.31.1.1.1.14.1"), Value::NoSuchObject);
    assert_eq!(get("1.3.6.1.2.1.2.1.1"), Value::NoSuchInstance);
    assert_eq!(get("1.3.6.1.2.1.2.3.0"), Value::NoSuchObject);
}

#[test]
fn counters_wrap_to_32_bits_and_keep_64() {
    let now = Instant::now();
    let big = (1_u64 << 32) + 5;
    let interfaces = Interfaces::with_reader(move || vec![eth(3, true, big)], now, memory_state());
    let handlers = interfaces.handlers();
    let ctx = ctx(now);
    assert_eq!(
        value(&handlers, &ctx, "1.3.6.1.2.1.2.2.1.10.3"),
        Value::Counter32(5)
    );
    assert_eq!(
        value(&handlers, &ctx, "1.3.6.1.2.1.31.1.1.1.6.3"),
        Value::Counter64(big)
    );
    let max =
        Interfaces::with_reader(|| vec![eth(1, true, u64::MAX)], now, memory_state()).handlers();
    assert_eq!(
        value(&max, &ctx, "1.3.6.1.2.1.2.2.1.16.1"),
        Value::Counter32(u32::MAX)
    );
    assert_eq!(
        value(&max, &ctx, "1.3.6.1.2.1.31.1.1.1.10.1"),
        Value::Counter64(u64::MAX)
    );
    // 10 Gb/s: ifSpeed is capped, ifHighSpeed is not.
    assert_eq!(
        value(&max, &ctx, "1.3.6.1.2.1.2.2.1.5.1"),
        Value::Gauge32(u32::MAX)
    );
    assert_eq!(
        value(&max, &ctx, "1.3.6.1.2.1.31.1.1.1.15.1"),
        Value::Gauge32(10_000)
    );
}

#[test]
fn rows_follow_if_index_order() {
    let now = Instant::now();
    let interfaces = Interfaces::with_reader(
        || vec![eth(10, true, 0), eth(2, true, 0), eth(1, true, 0)],
        now,
        memory_state(),
    );
    let handlers = interfaces.handlers();
    let names: Vec<String> = walk(&handlers, &ctx(now))
        .iter()
        .map(|vb| vb.name.to_string())
        .filter(|n| n.starts_with("1.3.6.1.2.1.2.2.1.1."))
        .collect();
    assert_eq!(
        names,
        [
            "1.3.6.1.2.1.2.2.1.1.1",
            "1.3.6.1.2.1.2.2.1.1.2",
            "1.3.6.1.2.1.2.2.1.1.10"
        ]
    );
}

#[test]
fn link_changes_become_events_and_last_change_times() {
    let start = Instant::now();
    let state = Arc::new(AtomicU32::new(0));
    let reader_state = Arc::clone(&state);
    let interfaces = Interfaces::with_reader(
        move || {
            let step = reader_state.load(AtomicOrdering::Relaxed);
            let mut list = vec![eth(1, step != 1, 0), eth(2, true, 0)];
            if step >= 2 {
                list.push(eth(3, true, 0));
            }
            list
        },
        start,
        memory_state(),
    );
    assert!(interfaces.poll_link_events(start).is_empty());
    state.store(1, AtomicOrdering::Relaxed);
    let at = start + Duration::from_secs(5);
    // A request notices the change first; the poll still reports it.
    let snapshot = interfaces.snapshot(at);
    assert_eq!(snapshot.last_change.get(&1), Some(&500));
    let events = interfaces.poll_link_events(at + Duration::from_millis(10));
    assert_eq!(
        events,
        [LinkEvent {
            change: LinkChange::Down,
            if_index: 1,
            admin_status: AdminStatus::Up,
            oper_status: OperStatus::Down,
        }]
    );
    state.store(2, AtomicOrdering::Relaxed);
    let later = start + Duration::from_secs(10);
    let events = interfaces.poll_link_events(later);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].change, LinkChange::Up);
    let snapshot = interfaces.snapshot(later);
    assert_eq!(snapshot.last_change.get(&1), Some(&1000));
    assert_eq!(snapshot.last_change.get(&2), None);
    // Interface 3 appeared: the table changed.
    assert_eq!(snapshot.table_last_change, 1000);
    assert!(interfaces.poll_link_events(later).is_empty());
}

#[test]
fn snapshot_is_reused_within_its_ttl() {
    let start = Instant::now();
    let reads = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&reads);
    let interfaces = Interfaces::with_reader(
        move || {
            counter.fetch_add(1, AtomicOrdering::Relaxed);
            vec![eth(1, true, 0)]
        },
        start,
        memory_state(),
    );
    let handlers = interfaces.handlers();
    walk(&handlers, &ctx(start));
    assert_eq!(reads.load(AtomicOrdering::Relaxed), 1);
    interfaces.snapshot(start + SNAPSHOT_TTL);
    assert_eq!(reads.load(AtomicOrdering::Relaxed), 2);
}

#[test]
fn if_alias_is_writable_and_checked() {
    let now = Instant::now();
    let interfaces = Interfaces::with_reader(|| vec![eth(1, true, 0)], now, memory_state());
    let handlers = interfaces.handlers();
    let ctx = ctx(now);
    let x = handlers
        .iter()
        .find(|h| h.root().to_string() == "1.3.6.1.2.1.31.1")
        .unwrap();
    let set = |name: &str, value: Value| VarBind {
        name: name.parse().unwrap(),
        value,
    };
    let alias = set(
        "1.3.6.1.2.1.31.1.1.1.18.1",
        Value::OctetString("uplink".into()),
    );
    assert_eq!(x.test_set(&ctx, &alias), Ok(()));
    assert_eq!(
        x.test_set(&ctx, &set("1.3.6.1.2.1.31.1.1.1.18.1", Value::Integer(1))),
        Err(SetError::WrongType)
    );
    assert_eq!(
        x.test_set(
            &ctx,
            &set(
                "1.3.6.1.2.1.31.1.1.1.18.1",
                Value::OctetString(vec![b'a'; 65].into())
            )
        ),
        Err(SetError::WrongLength)
    );
    assert_eq!(
        x.test_set(
            &ctx,
            &set("1.3.6.1.2.1.31.1.1.1.18.9", Value::OctetString("x".into()))
        ),
        Err(SetError::NoCreation)
    );
    assert_eq!(
        x.test_set(
            &ctx,
            &set("1.3.6.1.2.1.31.1.1.1.1.1", Value::OctetString("x".into()))
        ),
        Err(SetError::NotWritable)
    );
    assert_eq!(
        x.test_set(&ctx, &set("1.3.6.1.2.1.31.1.5.0", Value::TimeTicks(1))),
        Err(SetError::NotWritable)
    );
    let previous = x.commit_set(&ctx, &alias).unwrap();
    assert_eq!(previous, Value::OctetString(Bytes::new()));
    assert_eq!(x.get(&ctx, &alias.name), alias.value);
    assert_eq!(
        interfaces.aliases().get("eth1"),
        Some(Bytes::from_static(b"uplink"))
    );
    x.undo_set(&ctx, &alias.name, &previous).unwrap();
    assert_eq!(x.get(&ctx, &alias.name), Value::OctetString(Bytes::new()));
}

#[test]
fn if_alias_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let now = Instant::now();
    let ctx = ctx(now);
    let set = VarBind {
        name: "1.3.6.1.2.1.31.1.1.1.18.1".parse().unwrap(),
        value: Value::OctetString("core uplink".into()),
    };
    {
        let state = Arc::new(State::open(dir.path()).unwrap());
        let handlers = Interfaces::with_reader(|| vec![eth(1, true, 0)], now, state).handlers();
        handlers[1].commit_set(&ctx, &set).unwrap();
    }
    let state = Arc::new(State::open(dir.path()).unwrap());
    // The interface is now at another index: the alias follows its name.
    let moved = || {
        let mut interface = eth(1, true, 0);
        interface.index = 7;
        vec![interface]
    };
    let handlers = Interfaces::with_reader(moved, now, state).handlers();
    let moved_name: Oid = "1.3.6.1.2.1.31.1.1.1.18.7".parse().unwrap();
    assert_eq!(handlers[1].get(&ctx, &moved_name), set.value);
}

#[test]
fn no_host_no_rows() {
    let now = Instant::now();
    let interfaces = Interfaces::new(
        HostPaths::new("/nonexistent", "/nonexistent", "/nonexistent"),
        now,
        memory_state(),
    );
    let handlers = interfaces.handlers();
    let names: Vec<String> = walk(&handlers, &ctx(now))
        .iter()
        .map(|vb| vb.name.to_string())
        .collect();
    assert_eq!(names, ["1.3.6.1.2.1.2.1.0", "1.3.6.1.2.1.31.1.5.0"]);
}
