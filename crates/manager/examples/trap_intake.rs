//! Trap intake benchmark (issue 7 item 10): SNMPv2c traps blasted over loopback at rising
//! rates into vigie's receiver and intake (SQLite store, alarms) and into Net-SNMP's
//! `snmptrapd -f -Lf FILE`; the highest rate at which every trap sent was stored (vigie) or
//! logged (snmptrapd), and, above vigie's capacity, that every trap it read and did not store
//! was counted as dropped.
//!
//! ```text
//! cargo run --release -p vigie-manager --example trap_intake -- \
//!     [--seconds 1] [--rates 5000,10000,20000,...] [--durability full|normal] [--no-snmptrapd]
//!     [--queue N] [--events-only]
//! ```
//!
//! `--events-only` replaces the receiver's consumer by one that stores the events without
//! applying their alarms (`NotificationListener` → translate, name → `Store::insert_events`),
//! to tell the event path's capacity from the alarm path's.
//!
//! Each step sends `rate × seconds` traps, paced per millisecond, to a fresh receiver (a fresh
//! database), then waits until nothing moves. "kernel" is what the sockets never delivered
//! (sent − read): the socket buffer overflowed, which neither side can count itself.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark's output is its point

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use vigie_interop::Snmptrapd;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::TrapAlarms;
use vigie_manager::intake::Intake;
use vigie_manager::metrics::Metrics;
use vigie_manager::receiver::{Receiver, ReceiverConfig, ReceiverParts};
use vigie_manager::store::{Durability, Store};
use vigie_snmp::{AnyPdu, CommunityMessage, ErrorStatus, Message, Pdu, PduKind, RequestId};
use vigie_snmp::{Value, VarBind, Version};

struct Options {
    seconds: f64,
    rates: Vec<u64>,
    durability: Durability,
    snmptrapd: bool,
    queue: usize,
    events_only: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        seconds: 1.0,
        rates: vec![
            5_000, 10_000, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000, 160_000, 200_000,
        ],
        durability: Durability::Full,
        snmptrapd: true,
        queue: vigie_manager::receiver::DEFAULT_QUEUE,
        events_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|_| "--seconds: a number")?;
            }
            "--rates" => {
                options.rates = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| "--rates: numbers separated by commas")?;
            }
            "--durability" => {
                options.durability = match value()?.as_str() {
                    "full" => Durability::Full,
                    "normal" => Durability::Normal,
                    _ => return Err("--durability: full or normal".into()),
                };
            }
            "--no-snmptrapd" => options.snmptrapd = false,
            "--queue" => {
                options.queue = value()?.parse().map_err(|_| "--queue: a number")?;
            }
            "--events-only" => options.events_only = true,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    Ok(options)
}

/// One SNMPv2c linkDown trap (community `public`), the same bytes every time.
fn trap() -> Vec<u8> {
    let oid = |text: &str| {
        text.parse()
            .unwrap_or_else(|_| unreachable!("a literal OID"))
    };
    Message::Community(CommunityMessage {
        version: Version::V2c,
        community: bytes::Bytes::from_static(b"public"),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::SnmpV2Trap,
            request_id: RequestId(1),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![
                VarBind {
                    name: oid("1.3.6.1.2.1.1.3.0"),
                    value: Value::TimeTicks(12_345),
                },
                VarBind {
                    name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                    value: Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3")),
                },
                VarBind {
                    name: oid("1.3.6.1.2.1.2.2.1.1.3"),
                    value: Value::Integer(3),
                },
                VarBind {
                    name: oid("1.3.6.1.2.1.2.2.1.7.3"),
                    value: Value::Integer(1),
                },
                VarBind {
                    name: oid("1.3.6.1.2.1.2.2.1.8.3"),
                    value: Value::Integer(2),
                },
            ],
        }),
    })
    .to_vec()
}

/// Sends `count` copies of `datagram` to `target` at `rate` per second, paced every
/// millisecond, on its own thread; returns how many were sent.
fn blast(target: SocketAddr, datagram: Vec<u8>, rate: u64, count: u64) -> thread::JoinHandle<u64> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
            return 0;
        };
        let started = Instant::now();
        let mut sent = 0;
        while sent < count {
            let elapsed = started.elapsed().as_secs_f64();
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a pacing target, rounded down"
            )]
            let due = ((elapsed * rate as f64) as u64).min(count);
            while sent < due {
                if socket.send_to(&datagram, target).is_ok() {
                    sent += 1;
                }
            }
            if sent < count {
                thread::sleep(Duration::from_micros(200));
            }
        }
        sent
    })
}

#[derive(Debug, Clone, Copy)]
struct VigieStep {
    sent: u64,
    read: u64,
    stored: u64,
    dropped: u64,
}

async fn vigie_step(rate: u64, count: u64, options: &Options) -> Result<VigieStep, String> {
    if options.events_only {
        return events_only_step(rate, count, options).await;
    }
    let durability = options.durability;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open(&dir.path().join("vigie.db"), durability)
        .await
        .map_err(|e| e.to_string())?;
    let metrics = Arc::new(Metrics::default());
    let desk = Arc::new(
        AlarmDesk::load(store.clone())
            .await
            .map_err(|e| e.to_string())?,
    );
    let intake = Intake::new(
        store.clone(),
        desk,
        Arc::clone(&metrics),
        Arc::new(TrapAlarms::standard()),
    );
    let config = ReceiverConfig {
        listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        queue: options.queue,
        ..ReceiverConfig::default()
    };
    let parts = ReceiverParts {
        intake,
        metrics,
        store: store.clone(),
        mibs: Arc::new(vigie_mib::MibSet::builtin()),
    };
    let receiver = Receiver::bind(config, parts)
        .await
        .map_err(|e| e.status_reason())?;
    let address = receiver.local_addrs()[0];
    let stats = receiver.stats();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = receiver.spawn(async {
        let _ = stopped.await;
    });
    let sent = tokio::task::spawn_blocking(move || blast(address, trap(), rate, count).join())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the sender panicked".to_owned())?;
    // Settled: nothing new read, and everything read stored or dropped.
    let mut last = (u64::MAX, u64::MAX);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let stored = store.event_count().await.map_err(|e| e.to_string())?;
        let now = (stats.received(), stored);
        if now == last && stats.received() == stored + stats.dropped_total() {
            break;
        }
        last = now;
    }
    let _ = stop.send(());
    let _ = task.await;
    let stored = store.event_count().await.map_err(|e| e.to_string())?;
    Ok(VigieStep {
        sent,
        read: stats.received(),
        stored,
        dropped: stats.dropped_total(),
    })
}

/// The listener and a consumer that stores events only (no alarms).
async fn events_only_step(rate: u64, count: u64, options: &Options) -> Result<VigieStep, String> {
    use vigie_manager::event::{Notification, NotificationKind};
    use vigie_manager::time::Timestamp;
    use vigie_net::{NoObserver, NotificationListener};
    use vigie_snmp::community::{CommunityEntry, CommunityTable};
    use vigie_snmp::engine::{ResponderConfig, ResponderEngine};

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open(&dir.path().join("vigie.db"), options.durability)
        .await
        .map_err(|e| e.to_string())?;
    let mut communities = CommunityTable::new();
    communities
        .add(CommunityEntry::new("public", "comm1"))
        .map_err(|e| e.to_string())?;
    let engine = ResponderEngine::new(ResponderConfig {
        communities,
        max_message_size: 0,
    });
    let listener =
        NotificationListener::bind(&[SocketAddr::from((Ipv4Addr::LOCALHOST, 0))], engine)
            .await
            .map_err(|e| e.to_string())?;
    let address = listener.local_addrs()[0];
    let stats = listener.stats();
    let (sink, mut accepted) = tokio::sync::mpsc::channel(options.queue.max(1));
    let sockets = tokio::spawn(listener.run(sink, Arc::new(NoObserver), std::future::pending()));
    let mibs = vigie_mib::MibSet::builtin();
    let consumer_store = store.clone();
    let consumer = tokio::spawn(async move {
        let mut batch = Vec::new();
        while accepted.recv_many(&mut batch, 512).await > 0 {
            let now = Timestamp::from_system_time(std::time::SystemTime::now());
            let events: Vec<Notification> = batch
                .drain(..)
                .filter_map(|accepted| match &accepted.pdu {
                    AnyPdu::Pdu(pdu) => Notification::from_v2(
                        now,
                        accepted.source,
                        accepted.version,
                        NotificationKind::Trap,
                        "comm1",
                        &pdu.varbinds,
                    )
                    .ok(),
                    _ => None,
                })
                .map(|mut n| {
                    n.resolve_names(&mibs);
                    n
                })
                .collect();
            if consumer_store.insert_events(&events).await.is_err() {
                return;
            }
        }
    });
    let sent = tokio::task::spawn_blocking(move || blast(address, trap(), rate, count).join())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the sender panicked".to_owned())?;
    let mut last = (u64::MAX, u64::MAX);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let stored = store.event_count().await.map_err(|e| e.to_string())?;
        let now = (stats.received(), stored);
        if now == last && stats.received() == stored + stats.dropped_total() {
            break;
        }
        last = now;
    }
    sockets.abort();
    consumer.abort();
    Ok(VigieStep {
        sent,
        read: stats.received(),
        stored: store.event_count().await.map_err(|e| e.to_string())?,
        dropped: stats.dropped_total(),
    })
}

fn snmptrapd_step(rate: u64, count: u64) -> Option<(u64, u64)> {
    let daemon = Snmptrapd::start()?;
    let target: SocketAddr = daemon.target().parse().ok()?;
    let sent = blast(target, trap(), rate, count).join().ok()?;
    let mut last = usize::MAX;
    loop {
        thread::sleep(Duration::from_millis(300));
        let logged = daemon.notifications().len();
        if logged == last {
            return Some((sent, u64::try_from(logged).unwrap_or(u64::MAX)));
        }
        last = logged;
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let options = options()?;
    println!(
        "trap intake, v2c linkDown traps over loopback, {} s per step, store {:?}, queue {}{}",
        options.seconds,
        options.durability,
        options.queue,
        if options.events_only {
            ", events only (no alarms)"
        } else {
            ""
        }
    );
    println!(
        "{:>8} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>10} {:>8}",
        "rate/s", "vigie sent", "read", "stored", "counted", "kernel", "snmptrapd", "logged"
    );
    let mut best_vigie = 0;
    let mut best_snmptrapd = 0;
    let mut silent = 0;
    for &rate in &options.rates {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a trap count"
        )]
        let count = (rate as f64 * options.seconds) as u64;
        let step = vigie_step(rate, count, &options).await?;
        // Read but neither stored nor counted: must be zero.
        silent += step.read - step.stored - step.dropped;
        if step.stored == step.sent {
            best_vigie = best_vigie.max(rate);
        }
        let trapd = if options.snmptrapd {
            tokio::task::spawn_blocking(move || snmptrapd_step(rate, count))
                .await
                .map_err(|e| e.to_string())?
        } else {
            None
        };
        if let Some((sent, logged)) = trapd {
            if logged == sent {
                best_snmptrapd = best_snmptrapd.max(rate);
            }
        }
        let (trapd_sent, trapd_logged) = trapd.map_or_else(
            || (String::from("-"), String::from("-")),
            |(s, l)| (s.to_string(), l.to_string()),
        );
        println!(
            "{rate:>8} | {:>10} {:>8} {:>8} {:>8} {:>8} | {trapd_sent:>10} {trapd_logged:>8}",
            step.sent,
            step.read,
            step.stored,
            step.dropped,
            step.sent - step.read,
        );
    }
    println!("highest loss-free rate: vigie {best_vigie}/s, snmptrapd {best_snmptrapd}/s");
    if best_snmptrapd > 0 {
        #[allow(clippy::cast_precision_loss, reason = "a ratio to print")]
        let ratio = best_vigie as f64 / best_snmptrapd as f64;
        println!("ratio vigie / snmptrapd: {ratio:.1}");
    }
    println!("traps read by vigie but neither stored nor counted as dropped: {silent}");
    Ok(())
}
