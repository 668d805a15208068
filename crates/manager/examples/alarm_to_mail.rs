//! Benchmark of issue 8 item 10: trap in → e-mail accepted by a local relay.
//!
//! Starts vigie-notify's aiosmtpd relay (`tests/smtpd/relay.py`, STARTTLS with AUTH and a
//! test CA) on loopback, wires the manager as `vigie serve` does (intake → desk → rule →
//! grouper → durable outbox in the same SQLite file → SMTP), feeds `N` linkDown traps (one
//! new alarm each) at `RATE` per second, and reports the latency from `Intake::accept` to
//! the relay's 250 after DATA, read from the troubleshooting log. Grouping waits are
//! excluded: the rule notifies at once.
//!
//! ```text
//! cargo run --release -p vigie-manager --example alarm_to_mail -- [N] [RATE]
//! ```
//!
//! Defaults: 1,000 alarms at 50 per second. Needs python3 with aiosmtpd.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use vigie_interop::{ServerCert, SmtpRelay, TestPki};
use vigie_manager::actions::{
    ActionKind, ActionSpec, EmailAction, EncryptionMode, ResponseConfig, ResponseService,
    SmtpSettings,
};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::{Notification, NotificationKind, TrapAlarms};
use vigie_manager::intake::{Intake, Received};
use vigie_manager::metrics::Metrics;
use vigie_manager::rules::{Condition, Grouping, RuleSpec, Triggers};
use vigie_manager::store::{Durability, Store};
use vigie_manager::time::Timestamp;
use vigie_notify::{AttemptOutcome, AttemptQuery, Outbox, RetryPolicy, Secret, TrustStore};
use vigie_snmp::{Oid, Value, VarBind, Version};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let rate: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50.0);

    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new("Bench CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let ca_pem = pki.ca_pem();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let relay = SmtpRelay::start(&[
        "--mode",
        "starttls",
        "--cert",
        &cert,
        "--key",
        &key,
        "--auth-user",
        "bench",
        "--auth-password",
        "bench-password",
    ]);
    let port = relay.port();

    let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
        .await
        .unwrap();
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
    let outbox = Outbox::from_pool(store.pool().clone()).await.unwrap();
    let mut trust = TrustStore::in_memory();
    trust.import_pem(ca_pem.as_bytes(), None).unwrap();
    let mut smtp = SmtpSettings::new("127.0.0.1", port, "vigie@example.com");
    smtp.encryption = Some(EncryptionMode::Starttls);
    smtp.username = Some("bench".into());
    smtp.password = Secret::new("bench-password");
    smtp.system_roots = false;
    let config = ResponseConfig {
        smtp: Some(smtp),
        actions: vec![ActionSpec {
            name: "ops-mail".into(),
            kind: ActionKind::Email(EmailAction {
                to: vec!["ops@example.com".into()],
                cc: Vec::new(),
                subject: None,
                body: None,
            }),
        }],
        rules: vec![RuleSpec {
            name: "links".into(),
            enabled: true,
            condition: Condition::NotificationName("linkDown".into()),
            triggers: Triggers::default(),
            actions: vec!["ops-mail".into()],
            grouping: Grouping::immediate(),
        }],
        retry: RetryPolicy::default(),
        ..ResponseConfig::default()
    };
    let service = ResponseService::new(store.clone(), desk.clone(), outbox.clone(), trust, config)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let tasks = service.start(async move {
        let _ = stopped.await;
    });
    let intake = Intake::new(
        store.clone(),
        desk,
        Arc::new(Metrics::default()),
        Arc::new(TrapAlarms::standard()),
    );

    println!("{count} linkDown traps at {rate}/s → rule → outbox → STARTTLS+AUTH relay");
    let started = Instant::now();
    let mut sent_at: HashMap<String, i64> = HashMap::new();
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.001));
    for i in 0..count {
        let due = started + interval.mul_f64(f64::from(u32::try_from(i).unwrap()));
        tokio::time::sleep_until(due.into()).await;
        let now = Timestamp::from_system_time(SystemTime::now());
        intake
            .accept(now, &[trap(i)])
            .await
            .expect("the event is stored");
        // Alarm ids are allocated from 1 in order.
        sent_at.insert((i + 1).to_string(), now.millis());
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let records = loop {
        let query = AttemptQuery {
            limit: u32::try_from(count * 2).unwrap(),
            ..AttemptQuery::default()
        };
        let records = outbox.attempts(&query).await.unwrap();
        let delivered = records
            .iter()
            .filter(|r| r.outcome == AttemptOutcome::Delivered)
            .count();
        if delivered >= count || Instant::now() > deadline {
            break records;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let total = started.elapsed();
    let mut latencies: Vec<i64> = records
        .iter()
        .filter(|r| r.outcome == AttemptOutcome::Delivered)
        .filter_map(|r| {
            let sent = sent_at.get(r.alarm_id.as_deref()?)?;
            let accepted = r.at_ms + i64::try_from(r.duration_ms).ok()?;
            Some(accepted - sent)
        })
        .collect();
    latencies.sort_unstable();
    let failed = records
        .iter()
        .filter(|r| r.outcome != AttemptOutcome::Delivered)
        .count();
    // Nearest rank: the smallest latency with at least `per_mille`/1000 of them at or below.
    let pick = |per_mille: usize| {
        let rank = (latencies.len() * per_mille).div_ceil(1_000).max(1);
        latencies.get(rank - 1).copied().unwrap_or(-1)
    };
    println!(
        "accepted {} of {count} (failed attempts {failed}) in {:.1} s",
        latencies.len(),
        total.as_secs_f64()
    );
    println!(
        "latency trap in → 250 after DATA: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        pick(500),
        pick(900),
        pick(990),
        latencies.last().copied().unwrap_or(-1)
    );
    let _ = stop.send(());
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    drop(relay);
}

fn trap(i: usize) -> Received {
    let oid = |s: &str| s.parse::<Oid>().unwrap();
    let if_index = i32::try_from(i % 48 + 1).unwrap();
    let device = format!("sw-{}", i / 48);
    let source: SocketAddr = "192.0.2.1:50000".parse().unwrap();
    let notification = Notification::from_v2(
        Timestamp::from_system_time(SystemTime::now()),
        source,
        Version::V2c,
        NotificationKind::Trap,
        "netops",
        &[
            VarBind {
                name: oid("1.3.6.1.2.1.1.3.0"),
                value: Value::TimeTicks(100),
            },
            VarBind {
                name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3")),
            },
            VarBind {
                name: oid(&format!("1.3.6.1.2.1.2.2.1.1.{if_index}")),
                value: Value::Integer(if_index),
            },
            VarBind {
                name: oid(&format!("1.3.6.1.2.1.2.2.1.8.{if_index}")),
                value: Value::Integer(2),
            },
        ],
    )
    .unwrap();
    Received {
        notification: Arc::new(notification),
        device,
    }
}
