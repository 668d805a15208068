//! The trap and inform receiver against Net-SNMP's `snmptrap` and `snmpinform` on loopback:
//! v1, v2c and v3 traps, v2c and v3 informs acknowledged only once journaled, unauthorised
//! senders counted and dropped, names resolved, linkUp clearing linkDown, and a burst where
//! every datagram read is stored or counted as dropped.

// Test helpers outside `#[test]` functions start the receiver and read the store: a failure
// there is a test failure, which is what `unwrap` reports.
#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vigie_interop::{Outcome, Peer, require, run_netsnmp};
use vigie_manager::alarm::AlarmState;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::TrapAlarms;
use vigie_manager::intake::Intake;
use vigie_manager::metrics::Metrics;
use vigie_manager::receiver::{Receiver, ReceiverConfig, ReceiverParts, ReceiverUser};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{Durability, EventFilter, Store, StoredEvent};
use vigie_net::{ListenerDrop, ListenerStats};
use vigie_snmp::engine::UsmStat;
use vigie_snmp::usm::{AuthProtocol, Credentials, EngineId, KeyInput, PrivProtocol};
use vigie_snmp::{AnyPdu, CommunityMessage, ErrorStatus, Message, Pdu, PduKind, RequestId};
use vigie_snmp::{Value, VarBind, Version};

const TRAP_SENDER_ENGINE: &str = "0x8000000001020304";

/// A receiver on a free loopback port, its store, metrics and counters.
struct Running {
    address: SocketAddr,
    store: Store,
    metrics: Arc<Metrics>,
    stats: Arc<ListenerStats>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start(configure: impl FnOnce(&mut ReceiverConfig)) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), configure).await
    }

    /// A receiver on the database and journal in `dir`, which may hold earlier ones.
    async fn start_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut ReceiverConfig)) -> Self {
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let metrics = Arc::new(Metrics::default());
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        let intake = Intake::new(
            store.clone(),
            desk,
            Arc::clone(&metrics),
            Arc::new(TrapAlarms::standard()),
        );
        let mut config = ReceiverConfig {
            listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
            users: users(),
            ..ReceiverConfig::default()
        };
        configure(&mut config);
        let parts = ReceiverParts {
            intake,
            metrics: Arc::clone(&metrics),
            store: store.clone(),
            mibs: Arc::new(vigie_mib::MibSet::builtin()),
            journal: dir.path().join("journal"),
        };
        let receiver = Receiver::bind(config, parts).await.unwrap();
        let address = receiver.local_addrs()[0];
        let stats = receiver.stats();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = receiver.spawn(async {
            let _ = stopped.await;
        });
        Self {
            address,
            store,
            metrics,
            stats,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    fn target(&self) -> String {
        format!("udp:{}", self.address)
    }

    /// Runs a Net-SNMP tool off the runtime (an inform blocks until the receiver answers).
    async fn tool(&self, tool: Peer, args: &[&str]) -> Outcome {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        // The target goes after the options, before the trap's own arguments.
        let position = all.iter().position(|a| a == "TARGET").unwrap();
        all[position] = self.target();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = all.iter().map(String::as_str).collect();
            run_netsnmp(tool, &args)
        })
        .await
        .unwrap()
    }

    async fn wait_for_events(&self, count: u64) {
        for _ in 0..1_000 {
            if self.store.event_count().await.unwrap() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!(
            "{} events stored, {count} expected",
            self.store.event_count().await.unwrap()
        );
    }

    async fn wait_for_datagrams(&self, count: u64) {
        for _ in 0..1_000 {
            if self.stats.received() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("{} datagrams read, {count} expected", self.stats.received());
    }

    async fn events(&self) -> Vec<StoredEvent> {
        self.store
            .events(&EventFilter {
                limit: 1_000,
                ..EventFilter::default()
            })
            .await
            .unwrap()
            .items
    }

    fn metric(&self, line: &str) -> bool {
        self.metrics
            .render(&[], &StatusRegistry::new())
            .lines()
            .any(|l| l == line)
    }

    /// Stops it and gives back its directory (database and journal).
    async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        self.store.close().await;
        self._dir
    }
}

fn credentials(password: &[u8]) -> Credentials {
    Credentials::new(AuthProtocol::Sha1, KeyInput::Password(password))
        .and_then(|c| c.with_privacy(PrivProtocol::Aes128, KeyInput::Password(password)))
        .unwrap()
}

fn users() -> Vec<ReceiverUser> {
    vec![
        ReceiverUser {
            name: "trapuser".to_owned(),
            engine_id: Some(TRAP_SENDER_ENGINE.parse::<EngineId>().unwrap()),
            credentials: credentials(b"trappassword"),
        },
        ReceiverUser {
            name: "informer".to_owned(),
            engine_id: None,
            credentials: credentials(b"informpassword"),
        },
    ]
}

/// `snmptrap`/`snmpinform` options that fail fast.
const FAST: [&str; 4] = ["-r", "1", "-t", "2"];

const LINK_DOWN: &str = ".1.3.6.1.6.3.1.1.5.3";
const LINK_UP: &str = ".1.3.6.1.6.3.1.1.5.4";
const IF_INDEX_3: &str = ".1.3.6.1.2.1.2.2.1.1.3";

fn args<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    let mut all = head.to_vec();
    all.extend_from_slice(&FAST);
    all.push("TARGET");
    all.extend_from_slice(tail);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_traps_and_informs_are_stored_named_and_cleared() {
    if !require(&[Peer::Snmptrap, Peer::Snmpinform]) {
        return;
    }
    let receiver = Running::start(|_| {}).await;

    // A v1 linkDown generic trap, stored in its v2 form with names; an alarm is raised.
    let out = receiver
        .tool(
            Peer::Snmptrap,
            &args(
                &["-v", "1", "-c", "public"],
                &[
                    ".1.3.6.1.4.1.8072.3.2.10",
                    "127.0.0.1",
                    "2",
                    "0",
                    "",
                    IF_INDEX_3,
                    "i",
                    "3",
                ],
            ),
        )
        .await;
    assert!(out.success(), "{out:?}");
    receiver.wait_for_events(1).await;
    let event = &receiver.events().await[0];
    let n = &event.notification;
    assert_eq!(n.trap_oid.to_string(), "1.3.6.1.6.3.1.1.5.3");
    assert_eq!(n.trap_name.as_deref(), Some("IF-MIB::linkDown"));
    assert_eq!(n.security_name, "comm1");
    assert_eq!(n.varbinds[0].name.as_deref(), Some("IF-MIB::ifIndex.3"));
    assert_eq!(n.varbinds[0].value, "3");
    let open = receiver.store.open_alarms().await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");

    // A v2c trap of another kind is stored as it came.
    let out = receiver
        .tool(
            Peer::Snmptrap,
            &args(&["-v", "2c", "-c", "public"], &["", ".1.3.6.1.6.3.1.1.5.1"]),
        )
        .await;
    assert!(out.success(), "{out:?}");
    receiver.wait_for_events(2).await;
    assert_eq!(
        receiver.events().await[0].notification.trap_name.as_deref(),
        Some("SNMPv2-MIB::coldStart")
    );

    // A v2c inform: snmpinform exits 0 only when acknowledged, and the event is stored by
    // then. It is the linkUp of ifIndex 3: the linkDown alarm clears.
    let out = receiver
        .tool(
            Peer::Snmpinform,
            &args(
                &["-v", "2c", "-c", "public"],
                &["", LINK_UP, IF_INDEX_3, "i", "3"],
            ),
        )
        .await;
    assert!(out.success(), "{out:?}");
    assert_eq!(receiver.store.event_count().await.unwrap(), 3);
    let latest = &receiver.events().await[0].notification;
    assert_eq!(latest.trap_name.as_deref(), Some("IF-MIB::linkUp"));
    assert_eq!(latest.kind.name(), "inform");
    let alarms = receiver.store.alarms(&Default::default()).await.unwrap();
    let link_down = alarms
        .iter()
        .find(|a| a.text.starts_with("linkDown"))
        .unwrap();
    assert_eq!(link_down.state, AlarmState::Cleared, "{alarms:?}");
    // The coldStart's own alarm stays.
    assert_eq!(receiver.store.open_alarms().await.unwrap().len(), 1);

    // A wrong community: counted, dropped, nothing stored; an inform with it fails.
    let out = receiver
        .tool(
            Peer::Snmptrap,
            &args(&["-v", "2c", "-c", "wrong"], &["", LINK_DOWN]),
        )
        .await;
    assert!(out.success(), "{out:?}");
    receiver.wait_for_datagrams(4).await;
    assert_eq!(receiver.stats.dropped(ListenerDrop::BadCommunity), 1);
    assert_eq!(receiver.store.event_count().await.unwrap(), 3);
    assert!(receiver.metric("vigie_notifications_dropped_total{reason=\"unauthorised\"} 1"));
    assert!(receiver.metric("vigie_notifications_received_total{version=\"v1\"} 1"));
    assert!(receiver.metric("vigie_notifications_received_total{version=\"v2c\"} 2"));
    assert!(receiver.metric("vigie_events_stored_total 3"));
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_traps_and_informs_from_configured_users() {
    if !require(&[Peer::Snmptrap, Peer::Snmpinform]) {
        return;
    }
    let receiver = Running::start(|_| {}).await;
    let v3 = |user: &'static str, password: &'static str| {
        [
            "-v", "3", "-u", user, "-l", "authPriv", "-a", "SHA", "-A", password, "-x", "AES",
            "-X", password,
        ]
    };

    // A v3 trap from the user configured with the sender's engine ID (snmptrap -e).
    let mut head = v3("trapuser", "trappassword").to_vec();
    head.extend_from_slice(&["-e", TRAP_SENDER_ENGINE]);
    let out = receiver
        .tool(
            Peer::Snmptrap,
            &args(&head, &["", LINK_DOWN, IF_INDEX_3, "i", "3"]),
        )
        .await;
    assert!(out.success(), "{out:?}");
    receiver.wait_for_events(1).await;
    let n = receiver.events().await[0].notification.clone();
    assert_eq!(n.security_name, "trapuser");
    assert_eq!(n.version.name(), "v3");
    assert_eq!(n.trap_name.as_deref(), Some("IF-MIB::linkDown"));

    // A v3 inform: discovery of this receiver's engine ID, then acknowledged once stored.
    let out = receiver
        .tool(
            Peer::Snmpinform,
            &args(
                &v3("informer", "informpassword"),
                &["", LINK_UP, IF_INDEX_3, "i", "3"],
            ),
        )
        .await;
    assert!(out.success(), "{out:?}");
    assert_eq!(receiver.store.event_count().await.unwrap(), 2);
    let n = &receiver.events().await[0].notification;
    assert_eq!(
        (n.security_name.as_str(), n.kind.name()),
        ("informer", "inform")
    );
    assert!(receiver.store.open_alarms().await.unwrap().is_empty());

    // The trap user from another engine, and an unknown user: counted, dropped.
    let mut head = v3("trapuser", "trappassword").to_vec();
    head.extend_from_slice(&["-e", "0x8000000009090909"]);
    let out = receiver
        .tool(Peer::Snmptrap, &args(&head, &["", LINK_DOWN]))
        .await;
    assert!(out.success(), "{out:?}");
    let mut head = v3("stranger", "strangerpassword").to_vec();
    head.extend_from_slice(&["-e", TRAP_SENDER_ENGINE]);
    let out = receiver
        .tool(Peer::Snmptrap, &args(&head, &["", LINK_DOWN]))
        .await;
    assert!(out.success(), "{out:?}");
    for _ in 0..400 {
        if receiver
            .stats
            .dropped(ListenerDrop::Usm(UsmStat::UnknownUserNames))
            >= 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        receiver
            .stats
            .dropped(ListenerDrop::Usm(UsmStat::UnknownUserNames)),
        2
    );
    assert_eq!(receiver.store.event_count().await.unwrap(), 2);
    assert!(receiver.metric("vigie_notifications_dropped_total{reason=\"unauthorised\"} 2"));
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notify_view_drops_what_it_does_not_contain() {
    use vigie_snmp::vacm::{AccessEntry, Vacm, ViewFamily, ViewSubtree};
    use vigie_snmp::{SecurityLevel, SecurityModel};

    let receiver = Running::start(|config| {
        let mut vacm = Vacm::new();
        vacm.add_group("traps", SecurityModel::V2c, "comm1")
            .unwrap();
        vacm.add_access(
            AccessEntry::new("traps", SecurityModel::Any, SecurityLevel::NoAuthNoPriv)
                .with_notify_view("linkonly"),
        )
        .unwrap();
        // Only the linkDown/linkUp subtree of snmpTraps.
        let subtree = ViewSubtree::new(&[1, 3, 6, 1, 6, 3, 1, 1, 5]).unwrap();
        vacm.add_view("linkonly", ViewFamily::included(subtree))
            .unwrap();
        config.vacm = Some(vacm);
    })
    .await;
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for trap in ["1.3.6.1.6.3.1.1.5.3", "1.3.6.1.4.1.99999.0.1"] {
        sender
            .send_to(&v2c_trap(1, trap), receiver.address)
            .await
            .unwrap();
    }
    receiver.wait_for_events(1).await;
    for _ in 0..400 {
        if receiver.metric("vigie_notifications_dropped_total{reason=\"unauthorised\"} 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(receiver.metric("vigie_notifications_dropped_total{reason=\"unauthorised\"} 1"));
    assert_eq!(receiver.store.event_count().await.unwrap(), 1);
    receiver.stop().await;
}

/// A v2c trap with community `public`.
fn v2c_trap(id: i32, trap: &str) -> Vec<u8> {
    Message::Community(CommunityMessage {
        version: Version::V2c,
        community: bytes::Bytes::from_static(b"public"),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::SnmpV2Trap,
            request_id: RequestId(id),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![
                VarBind {
                    name: "1.3.6.1.2.1.1.3.0".parse().unwrap(),
                    value: Value::TimeTicks(1),
                },
                VarBind {
                    name: "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                    value: Value::ObjectIdentifier(trap.parse().unwrap()),
                },
                VarBind {
                    name: "1.3.6.1.2.1.2.2.1.1.7".parse().unwrap(),
                    value: Value::Integer(id),
                },
            ],
        }),
    })
    .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_stored_or_counted_never_silently_lost() {
    // A small queue so that the burst overflows it.
    let receiver = Running::start(|config| config.queue = 64).await;
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let total: u64 = 5_000;
    // coldStart traps: one de-duplicated alarm, so storage is most of the work.
    for id in 0..total {
        let datagram = v2c_trap(i32::try_from(id).unwrap(), "1.3.6.1.6.3.1.1.5.1");
        sender.send_to(&datagram, receiver.address).await.unwrap();
    }
    // What the kernel delivered is read; it may have dropped some of the burst itself
    // (its counters, not ours), so wait for the reading to settle.
    let mut last = 0;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let now = receiver.stats.received();
        if now == last && now > 0 {
            break;
        }
        last = now;
    }
    let received = receiver.stats.received();
    let queue_full = receiver.stats.dropped(ListenerDrop::QueueFull);
    receiver.wait_for_events(received - queue_full).await;
    let stored = receiver.store.event_count().await.unwrap();
    assert_eq!(
        received,
        stored + receiver.stats.dropped_total(),
        "read {received}, stored {stored}, dropped {queue_full}"
    );
    assert!(receiver.metric(&format!(
        "vigie_notifications_dropped_total{{reason=\"queue_full\"}} {queue_full}"
    )));
    assert!(receiver.metric(&format!("vigie_events_stored_total {stored}")));
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inform_is_not_acknowledged_when_it_cannot_be_journaled() {
    if !require(&[Peer::Snmpinform]) {
        return;
    }
    // A journal whose segment refuses every write: ENOSPC, as on a full disk.
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    std::fs::create_dir(&journal).unwrap();
    std::os::unix::fs::symlink("/dev/full", journal.join("00000000000000000001.journal")).unwrap();
    let receiver = Running::start_in(dir, |_| {}).await;
    let out = receiver
        .tool(
            Peer::Snmpinform,
            &[
                "-v", "2c", "-c", "public", "-r", "0", "-t", "1", "TARGET", "", LINK_DOWN,
            ],
        )
        .await;
    assert!(
        !out.success(),
        "acknowledged without being journaled: {out:?}"
    );
    assert!(out.stderr.contains("Timeout"), "{out:?}");
    assert!(receiver.metric("vigie_notifications_dropped_total{reason=\"store_failed\"} 1"));
    assert_eq!(receiver.store.event_count().await.unwrap(), 0);
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inform_acknowledged_while_the_store_fails_is_stored_at_the_next_start() {
    if !require(&[Peer::Snmpinform]) {
        return;
    }
    let receiver = Running::start(|_| {}).await;
    receiver.store.close().await;
    let out = receiver
        .tool(
            Peer::Snmpinform,
            &[
                "-v", "2c", "-c", "public", "-r", "0", "-t", "2", "TARGET", "", LINK_DOWN,
            ],
        )
        .await;
    assert!(out.success(), "journaled, so acknowledged: {out:?}");
    assert!(receiver.metric("vigie_notifications_dropped_total{reason=\"store_failed\"} 0"));
    assert!(receiver.metric("vigie_journal_backlog 1"));
    let dir = receiver.stop().await;
    let receiver = Running::start_in(dir, |_| {}).await;
    receiver.wait_for_events(1).await;
    let events = receiver.events().await;
    assert_eq!(
        events[0].notification.trap_name.as_deref(),
        Some("IF-MIB::linkDown")
    );
    receiver.stop().await;
}
