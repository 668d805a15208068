//! Store tests, each on a real SQLite file in a temporary directory.

use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use vigie_snmp::{Value, VarBind, Version};

use super::*;
use crate::alarm::{AlarmBook, AlarmEvent, AlarmId, AlarmKey, AlarmState, Raise, Severity, Source};
use crate::event::{Notification, NotificationKind};

fn oid(text: &str) -> vigie_snmp::Oid {
    text.parse().unwrap()
}

fn notification(at: i64, source: &str, trap: &str) -> Notification {
    let varbinds = [
        VarBind {
            name: oid("1.3.6.1.2.1.1.3.0"),
            value: Value::TimeTicks(42),
        },
        VarBind {
            name: oid("1.3.6.1.6.3.1.1.4.1.0"),
            value: Value::ObjectIdentifier(oid(trap)),
        },
        VarBind {
            name: oid("1.3.6.1.2.1.2.2.1.1.3"),
            value: Value::Integer(3),
        },
    ];
    let source: SocketAddr = source.parse().unwrap();
    Notification::from_v2(
        Timestamp(at),
        source,
        Version::V2c,
        NotificationKind::Trap,
        "netops",
        &varbinds,
    )
    .unwrap()
}

async fn open(dir: &Path) -> Store {
    Store::open(&dir.join("vigie.db"), Durability::Full)
        .await
        .unwrap()
}

const LINK_DOWN: &str = "1.3.6.1.6.3.1.1.5.3";
const COLD_START: &str = "1.3.6.1.6.3.1.1.5.1";

#[tokio::test]
async fn opens_in_wal_mode_with_full_sync() {
    {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool().sqlite().unwrap())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(store.pool().sqlite().unwrap())
            .await
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }
}

#[tokio::test]
async fn events_round_trip_with_filters_and_paging() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let mut batch = Vec::new();
        for i in 0..5 {
            batch.push(notification(1_000 + i, "192.0.2.1:162", LINK_DOWN));
            batch.push(notification(1_000 + i, "192.0.2.2:162", COLD_START));
        }
        let ids = store.insert_events(&batch).await.unwrap();
        assert_eq!(ids.len(), 10);
        assert_eq!(store.event_count().await.unwrap(), 10);

        let all = store.events(&EventFilter::default()).await.unwrap();
        assert_eq!(all.items.len(), 10);
        assert_eq!(all.next, None);
        assert_eq!(
            all.items[0].notification, batch[9],
            "newest first, unchanged"
        );

        let by_source = EventFilter {
            source: Some("192.0.2.1".parse().unwrap()),
            limit: 2,
            ..EventFilter::default()
        };
        let first = store.events(&by_source).await.unwrap();
        assert_eq!(first.items.len(), 2);
        let next = first.next.expect("more pages");
        let second = store
            .events(&EventFilter {
                before: Some(next),
                ..by_source.clone()
            })
            .await
            .unwrap();
        assert_eq!(second.items.len(), 2);
        assert!(second.items[0].id < first.items[1].id);
        let mut seen = 4;
        let mut cursor = second.next;
        while let Some(before) = cursor {
            let page = store
                .events(&EventFilter {
                    before: Some(before),
                    ..by_source.clone()
                })
                .await
                .unwrap();
            seen += page.items.len();
            cursor = page.next;
        }
        assert_eq!(seen, 5);

        let by_oid = EventFilter {
            trap_oid: Some(oid(COLD_START)),
            since: Some(Timestamp(1_002)),
            until: Some(Timestamp(1_004)),
            ..EventFilter::default()
        };
        let page = store.events(&by_oid).await.unwrap();
        let times: Vec<i64> = page
            .items
            .iter()
            .map(|e| e.notification.received_at.millis())
            .collect();
        assert_eq!(times, [1_003, 1_002]);
        assert!(
            page.items
                .iter()
                .all(|e| e.notification.trap_oid == oid(COLD_START))
        );
    }
}

#[tokio::test]
async fn alarms_follow_the_book_and_keep_history() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let mut book = AlarmBook::new();
        let raise = |key: &str, severity| {
            AlarmEvent::Raise(Raise {
                key: AlarmKey::new(key),
                device: "r1".into(),
                source: Source::Trap,
                severity,
                text: "linkDown".into(),
            })
        };
        for (at, event) in [
            (1, raise("a", Severity::Major)),
            (2, raise("a", Severity::Major)),
            (3, raise("b", Severity::Minor)),
            (
                4,
                AlarmEvent::Ack {
                    id: AlarmId(1),
                    user: "admin".into(),
                },
            ),
            (
                5,
                AlarmEvent::Clear {
                    key: AlarmKey::new("b"),
                    reason: "linkUp".into(),
                },
            ),
        ] {
            let decision = book.apply(Timestamp(at), event);
            store.record(Timestamp(at), &decision).await.unwrap();
        }
        let a = store.alarm(AlarmId(1)).await.unwrap().unwrap();
        assert_eq!(a.count, 2);
        assert_eq!(a.state, AlarmState::Acknowledged);
        assert_eq!(a.acknowledged_by.as_deref(), Some("admin"));
        assert_eq!(Some(&a), book.get(AlarmId(1)));
        let history = store.alarm_history(AlarmId(1)).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["raised", "repeated", "acknowledged"]);
        assert_eq!(history[2].actor.as_deref(), Some("admin"));

        let open_alarms = store
            .alarms(&AlarmFilter {
                state: StateFilter::Open,
                ..AlarmFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(open_alarms.len(), 1);
        let major = store
            .alarms(&AlarmFilter {
                min_severity: Some(Severity::Major),
                ..AlarmFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(major.iter().map(|a| a.id).collect::<Vec<_>>(), [AlarmId(1)]);
        let cleared = store
            .alarms(&AlarmFilter {
                state: StateFilter::Only(AlarmState::Cleared),
                ..AlarmFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(cleared[0].cleared_by.as_deref(), Some("linkUp"));

        // After a restart the book is rebuilt from the store and continues where it was.
        drop(book);
        store.close().await;
        let store = Store::open_location(store.location(), Durability::Full)
            .await
            .unwrap();
        let mut book = AlarmBook::with_open(
            store.open_alarms().await.unwrap(),
            store.next_alarm_id().await.unwrap(),
        );
        assert_eq!(book.len(), 1);
        let decision = book.apply(Timestamp(6), raise("b", Severity::Minor));
        assert_eq!(decision.alarm().map(|a| a.id), Some(AlarmId(3)));
        store.record(Timestamp(6), &decision).await.unwrap();
    }
}

#[tokio::test]
async fn the_database_refuses_two_open_alarms_with_one_key() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let mut one = AlarmBook::new();
        let mut other = AlarmBook::with_open([], AlarmId(10));
        let raise = AlarmEvent::Raise(Raise {
            key: AlarmKey::new("k"),
            device: "r1".into(),
            source: Source::Poll,
            severity: Severity::Major,
            text: String::new(),
        });
        let first = one.apply(Timestamp(1), raise.clone());
        store.record(Timestamp(1), &first).await.unwrap();
        let second = other.apply(Timestamp(1), raise);
        assert!(matches!(
            store.record(Timestamp(1), &second).await,
            Err(StoreError::Database(_))
        ));
    }
}

#[tokio::test]
async fn devices_crud() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let new = NewDevice {
            name: "core-sw1".into(),
            address: "192.0.2.10".parse().unwrap(),
            port: 161,
            poll_interval: Duration::from_secs(60),
            enabled: true,
            credentials: SnmpCredentials::v2c("public").unwrap(),
        };
        let created = store.create_device(&new, Timestamp(7)).await.unwrap();
        assert_eq!(created.name, "core-sw1");
        assert_eq!(created.poll_interval_s, 60);
        assert!(matches!(
            store.create_device(&new, Timestamp(8)).await,
            Err(StoreError::DuplicateDevice(name)) if name == "core-sw1"
        ));
        assert!(
            store
                .set_device_system(created.id, "Linux r1", "1.3.6.1.4.1.8072.3.2.10")
                .await
                .unwrap()
        );
        let read = store.device(created.id).await.unwrap().unwrap();
        assert_eq!(read.sys_descr.as_deref(), Some("Linux r1"));
        assert_eq!(store.device_by_name("core-sw1").await.unwrap(), Some(read));
        assert_eq!(store.devices().await.unwrap().len(), 1);
        assert!(store.delete_device(created.id).await.unwrap());
        assert!(!store.delete_device(created.id).await.unwrap());
        assert_eq!(store.device(created.id).await.unwrap(), None);
    }
}

/// `?host=DIR` reaches PostgreSQL through its Unix socket, with no password.
#[tokio::test]
async fn opens_postgresql_through_its_unix_socket() {
    let Some(server) = vigie_interop::Postgres::shared() else {
        return;
    };
    let url: PostgresUrl = server.create_database_socket().parse().unwrap();
    let store = Store::open_postgres(&url).await.unwrap();
    let id = store
        .insert_event(&notification(1, "192.0.2.1:162", LINK_DOWN))
        .await
        .unwrap();
    assert_eq!(
        store.events(&EventFilter::default()).await.unwrap().items[0].id,
        id
    );
    assert!(store.location().to_string().contains("host="));
}

#[tokio::test]
async fn neither_debug_nor_display_shows_the_database_password() {
    for (_dir, store) in test_stores().await {
        let shown = format!("{store:?} {} {:?}", store.location(), store.location());
        assert!(!shown.contains(vigie_interop::POSTGRES_PASSWORD), "{shown}");
    }
}

#[tokio::test]
async fn the_health_check_query_answers() {
    for (_dir, store) in test_stores().await {
        store.ping().await.unwrap();
    }
}

#[tokio::test]
async fn tokens_and_passwords_are_stored_hashed() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let token = store.create_token("ci", Timestamp(1)).await.unwrap();
        assert!(token.expose().starts_with("vigie_"));
        assert!(!format!("{token:?}").contains(token.expose()));
        let owner = store.check_token(token.expose()).await.unwrap().unwrap();
        assert_eq!((owner.id, owner.name.as_str()), (token.id, "ci"));
        assert_eq!(store.check_token("vigie_nope").await.unwrap(), None);

        assert!(!store.has_admin().await.unwrap());
        store
            .set_admin_password("admin", "correct horse", Timestamp(1))
            .await
            .unwrap();
        assert!(store.has_admin().await.unwrap());
        assert!(
            store
                .verify_admin_password("admin", "correct horse")
                .await
                .unwrap()
        );
        assert!(!store.verify_admin_password("admin", "wrong").await.unwrap());
        assert!(
            !store
                .verify_admin_password("nobody", "correct horse")
                .await
                .unwrap()
        );

        let secret = token.expose().to_owned();
        assert!(store.revoke_token(token.id).await.unwrap());
        assert_eq!(store.check_token(&secret).await.unwrap(), None);
        let Location::Sqlite(_) = store.location() else {
            continue;
        };
        store.close().await;
        // Neither secret is anywhere in the database files.
        let mut checked = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            // The WAL and shared-memory files may be removed as the last connection closes.
            let Ok(bytes) = std::fs::read(entry.unwrap().path()) else {
                continue;
            };
            checked += 1;
            for needle in [secret.as_bytes(), b"correct horse".as_slice()] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle));
            }
        }
        assert!(checked >= 1, "the database file itself was read");
    }
}

#[tokio::test]
async fn prune_removes_old_events_and_old_cleared_alarms_only() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        store
            .insert_events(&[
                notification(100, "192.0.2.1:1", LINK_DOWN),
                notification(200, "192.0.2.1:1", LINK_DOWN),
                notification(300, "192.0.2.1:1", LINK_DOWN),
            ])
            .await
            .unwrap();
        let mut book = AlarmBook::new();
        let raise = |key: &str| {
            AlarmEvent::Raise(Raise {
                key: AlarmKey::new(key),
                device: "r1".into(),
                source: Source::Trap,
                severity: Severity::Minor,
                text: String::new(),
            })
        };
        for (at, event) in [
            (100, raise("old-open")),
            (100, raise("old-cleared")),
            (
                150,
                AlarmEvent::Clear {
                    key: AlarmKey::new("old-cleared"),
                    reason: "x".into(),
                },
            ),
        ] {
            let decision = book.apply(Timestamp(at), event);
            store.record(Timestamp(at), &decision).await.unwrap();
        }
        assert_eq!(store.prune(Timestamp(250)).await.unwrap(), 2);
        assert_eq!(store.event_count().await.unwrap(), 1);
        assert!(store.alarm(AlarmId(1)).await.unwrap().is_some());
        assert!(store.alarm(AlarmId(2)).await.unwrap().is_none());
        assert!(store.alarm_history(AlarmId(2)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn another_component_may_add_migrations_from_1000() {
    for (dir, store) in test_stores().await {
        let _ = &dir;
        let mut outbox = Migrator::new(OutboxMigrations).await.unwrap();
        outbox.set_ignore_missing(true);
        with_pool!(store.pool(), |pool| outbox.run(pool).await.unwrap());
        // The manager's migrator, run again as at the next start, must accept the unknown
        // version 1000.
        store.migrate().await.unwrap();
        let versions: Vec<i64> = with_pool!(store.pool(), |pool| {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(pool)
                .await
                .unwrap()
        });
        let mut expected: Vec<i64> = SQLITE_MIGRATIONS
            .iter()
            .map(|migration| migration.0)
            .collect();
        expected.push(1_000);
        assert_eq!(versions, expected);
    }
}

#[derive(Debug)]
struct OutboxMigrations;

impl MigrationSource<'static> for OutboxMigrations {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async {
            Ok(vec![Migration::new(
                1_000,
                Cow::Borrowed("outbox"),
                MigrationType::Simple,
                Cow::Borrowed("CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
                false,
            )])
        })
    }
}

/// The child half of `reopens_cleanly_after_abort_mid_transaction`: stores committed events,
/// starts a transaction, writes into it, then aborts the process as kill -9 would.
fn crash_child(path: &Path) -> ! {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(path, Durability::Full).await.unwrap();
        for i in 0..3 {
            store
                .insert_event(&notification(i, "192.0.2.1:1", LINK_DOWN))
                .await
                .unwrap();
        }
        let mut tx = store.pool().sqlite().unwrap().begin().await.unwrap();
        for i in 0..50 {
            sqlx::query(
                "INSERT INTO events (received_at, source_ip, source_port, version, kind, \
                 security_name, trap_oid, uptime, varbinds) \
                 VALUES ($1, '192.0.2.9', 1, 'v2c', 'trap', 'x', '1.3', NULL, '[]')",
            )
            .bind(i)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        std::process::abort();
    })
}

#[test]
fn reopens_cleanly_after_abort_mid_transaction() {
    if let Some(path) = std::env::var_os(CRASH_CHILD_DB) {
        crash_child(Path::new(&path));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.db");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::tests::reopens_cleanly_after_abort_mid_transaction",
            "--test-threads=1",
        ])
        .env(CRASH_CHILD_DB, &path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(SIGABRT),
        "the child aborts: {status:?}"
    );
    assert!(
        dir.path().join("vigie.db-wal").exists(),
        "the crash left a WAL"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(&path, Durability::Full).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool().sqlite().unwrap())
            .await
            .unwrap();
        assert_eq!(check, "ok");
        let page = store.events(&EventFilter::default()).await.unwrap();
        let sources: Vec<String> = page
            .items
            .iter()
            .map(|e| e.notification.source.to_string())
            .collect();
        assert_eq!(
            sources, ["192.0.2.1:1"; 3],
            "committed kept, uncommitted gone"
        );
        store
            .insert_event(&notification(9, "192.0.2.1:1", LINK_DOWN))
            .await
            .unwrap();
    });
}

const CRASH_CHILD_DB: &str = "VIGIE_MANAGER_CRASH_CHILD_DB";
/// The signal `std::process::abort` raises.
const SIGABRT: i32 = 6;

/// Eight stores opening one new file at once: some find it locked while another switches it
/// to write-ahead logging (SQLite answers busy then without waiting), or lose the race to
/// create a table; each tries again and opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_opened_at_once_on_a_new_database_all_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.db");
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            tokio::spawn(async move { Store::open(&path, Durability::Full).await })
        })
        .collect();
    for open in opens {
        let store = open.await.unwrap().unwrap();
        let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(store.pool().sqlite().unwrap())
            .await
            .unwrap();
        assert!(
            versions.contains(&1) && versions.contains(&5),
            "{versions:?}"
        );
    }
}

/// Transactions that read before they write (a device group saved, telling whether it is
/// new) run concurrently with other writers: each waits its turn for the write lock rather
/// than failing with "database is locked", as a deferred `BEGIN` made them do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_read_then_write_transactions_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let writers: Vec<_> = (0..32)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                for round in 0..5 {
                    let name = format!("group-{}", n % 4);
                    store
                        .save_device_group(&name, &[format!("dev-{round}")], Timestamp(round))
                        .await?;
                    store
                        .insert_event(&notification(round, "192.0.2.1:1", LINK_DOWN))
                        .await?;
                }
                Ok::<_, StoreError>(())
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }
    assert_eq!(store.device_groups().await.unwrap().len(), 4);
}

#[tokio::test]
async fn batches_of_every_size_leave_one_prepared_insert_per_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let batch = |size: usize| -> Vec<Notification> {
        (0..size)
            .map(|_| notification(1, "192.0.2.1:162", LINK_DOWN))
            .collect()
    };
    for size in 1..=60 {
        store.insert_events(&batch(size)).await.unwrap();
    }
    store
        .insert_events(&batch(2 * events::ROWS_PER_INSERT))
        .await
        .unwrap();
    assert_eq!(store.event_count().await.unwrap(), 1830 + 256);
    // Every connection of the pool at once: the statements each keeps prepared.
    let pool = store.pool.sqlite().unwrap();
    let mut connections = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        connections.push(pool.acquire().await.unwrap());
    }
    let kept: usize = connections
        .iter()
        .map(|connection| sqlx::Connection::cached_statements_size(&**connection))
        .sum();
    // The full chunk's INSERT and the few fixed statements, per connection; not one
    // statement per batch size.
    assert!(kept < 60, "{kept} statements prepared");
}
