//! Trap intake benchmark (issue 7 item 10): SNMPv2c traps blasted over loopback at rising
//! rates into vigie's receiver and intake (SQLite store, alarms) and into Net-SNMP's
//! `snmptrapd -f -Lf FILE`; the highest rate at which every trap sent was stored (vigie) or
//! logged (snmptrapd), and, above vigie's capacity, that every trap it read and did not store
//! was counted as dropped.
//!
//! ```text
//! cargo run --release -p vigie-manager --example trap_intake -- \
//!     [--seconds 1] [--rates 1000,2000,3000,...] [--durability full|normal] [--no-snmptrapd]
//!     [--queue N] [--events-only]
//! ```
//!
//! `--events-only` replaces the receiver's consumer by one that stores the events without
//! applying their alarms (`NotificationListener` → translate, name → `Store::insert_events`),
//! to tell the event path's capacity from the alarm path's.
//!
//! Each step sends `rate × seconds` traps, paced every 200 µs by `sendmmsg` from a thread of
//! this process, to a fresh receiver (a fresh database and journal), then waits until
//! nothing moves. "stored" counts the events in the database at the end: a trap counts once
//! the store has indexed it from the journal, not when the journal has it. "lag s" is the
//! time from the last trap sent to the last event stored, polled every 50 ms: how far the
//! store was behind the receiver. "kernel" is what the sockets never delivered (sent − read): the socket buffer overflowed.
//! "µs/trap" is CPU time per trap: for vigie, this process's CPU during the step (the
//! indexing after the last trap included), the sender's thread excepted, per datagram read (stored or shed); for snmptrapd, its CPU from
//! the first trap to the last line logged, per line. The load average is printed at the start
//! and the end: on a shared machine it says how much of the cores the step had.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark's output is its point

use std::io::IoSlice;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::socket::{ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg};
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
            1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 40_000, 60_000, 80_000, 120_000,
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

/// Sends `count` copies of `datagram` to `target` at `rate` per second, paced every 200 µs,
/// on its own thread; returns how many were sent and the CPU time the thread used, in clock
/// ticks.
///
/// The socket is connected and each tick's datagrams go in one `sendmmsg`: the generator
/// shares the machine's cores with the receiver it measures, and one system call per
/// datagram would take a large share of them at the higher rates.
fn blast(
    target: SocketAddr,
    datagram: Vec<u8>,
    rate: u64,
    count: u64,
) -> thread::JoinHandle<(u64, u64)> {
    // Named, so that a profile of the benchmark tells the generator from the receiver.
    thread::Builder::new()
        .name("trap-sender".to_owned())
        .spawn(move || {
            let sent = send(target, &datagram, rate, count);
            (sent, cpu_ticks("/proc/thread-self/stat").unwrap_or(0))
        })
        .expect("the sender thread starts")
}

fn send(target: SocketAddr, datagram: &[u8], rate: u64, count: u64) -> u64 {
    {
        let Ok(socket) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
            return 0;
        };
        if socket.connect(target).is_err() {
            return 0;
        }
        let slices: Vec<[IoSlice<'_>; 1]> =
            (0..SEND_BATCH).map(|_| [IoSlice::new(datagram)]).collect();
        let addresses: Vec<Option<SockaddrStorage>> = vec![None; SEND_BATCH];
        let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(SEND_BATCH, None);
        let started = Instant::now();
        let mut sent = 0;
        let mut failures = 0;
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
                let n = usize::try_from(due - sent)
                    .unwrap_or(SEND_BATCH)
                    .min(SEND_BATCH);
                let result = sendmmsg(
                    socket.as_raw_fd(),
                    &mut headers,
                    &slices[..n],
                    &addresses[..n],
                    [] as [ControlMessage<'_>; 0],
                    MsgFlags::empty(),
                );
                match result {
                    Ok(results) => {
                        sent += results.count() as u64;
                        failures = 0;
                    }
                    // ECONNREFUSED after an ICMP error, or ENOBUFS: try again, a while.
                    Err(_) if failures < MAX_SEND_FAILURES => {
                        failures += 1;
                        thread::yield_now();
                    }
                    Err(_) => return sent,
                }
            }
            if sent < count {
                thread::sleep(Duration::from_micros(200));
            }
        }
        sent
    }
}

/// The user and system CPU time of the process or thread whose `stat` file is `path`, in
/// clock ticks (`CLK_TCK`, 100 per second on Linux).
fn cpu_ticks(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces: state is
    // the first, utime the 12th, stime the 13th.
    let mut fields = text
        .get(text.rfind(')')? + 1..)?
        .split_whitespace()
        .skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// Microseconds of CPU per item, from clock ticks.
fn per_item(ticks: u64, items: u64) -> String {
    if items == 0 {
        return "-".to_owned();
    }
    #[allow(clippy::cast_precision_loss, reason = "a figure to print")]
    let micros = ticks as f64 * 10_000.0 / items as f64;
    format!("{micros:.1}")
}

/// Datagrams per `sendmmsg`, at most.
const SEND_BATCH: usize = 64;
/// Failed `sendmmsg` calls in a row after which the sender gives up.
const MAX_SEND_FAILURES: u32 = 10_000;

#[derive(Debug, Clone, Copy)]
struct VigieStep {
    sent: u64,
    read: u64,
    stored: u64,
    dropped: u64,
    /// CPU used by the process during the step, the sender's excepted, in clock ticks.
    cpu: u64,
    /// From the last trap sent to the last event stored: how far the store's indexing of
    /// the journal was behind the receiver.
    lag: Duration,
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
        journal: dir.path().join("journal"),
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
    let before = cpu_ticks("/proc/self/stat").unwrap_or(0);
    let (sent, sender) =
        tokio::task::spawn_blocking(move || blast(address, trap(), rate, count).join())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|_| "the sender panicked".to_owned())?;
    let sent_at = Instant::now();
    // Settled: nothing new read, and everything read stored or dropped.
    let mut last = (u64::MAX, u64::MAX);
    let mut last_stored_at = sent_at;
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let stored = store.event_count().await.map_err(|e| e.to_string())?;
        let now = (stats.received(), stored);
        if now == last && stats.received() == stored + stats.dropped_total() {
            break;
        }
        if now.1 != last.1 {
            last_stored_at = Instant::now();
        }
        last = now;
    }
    let cpu = cpu_ticks("/proc/self/stat")
        .unwrap_or(0)
        .saturating_sub(before + sender);
    let lag = last_stored_at.saturating_duration_since(sent_at);
    let _ = stop.send(());
    let _ = task.await;
    let stored = store.event_count().await.map_err(|e| e.to_string())?;
    Ok(VigieStep {
        sent,
        read: stats.received(),
        stored,
        dropped: stats.dropped_total(),
        cpu,
        lag,
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
    let before = cpu_ticks("/proc/self/stat").unwrap_or(0);
    let (sent, sender) =
        tokio::task::spawn_blocking(move || blast(address, trap(), rate, count).join())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|_| "the sender panicked".to_owned())?;
    let sent_at = Instant::now();
    let mut last = (u64::MAX, u64::MAX);
    let mut last_stored_at = sent_at;
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let stored = store.event_count().await.map_err(|e| e.to_string())?;
        let now = (stats.received(), stored);
        if now == last && stats.received() == stored + stats.dropped_total() {
            break;
        }
        if now.1 != last.1 {
            last_stored_at = Instant::now();
        }
        last = now;
    }
    let cpu = cpu_ticks("/proc/self/stat")
        .unwrap_or(0)
        .saturating_sub(before + sender);
    sockets.abort();
    consumer.abort();
    Ok(VigieStep {
        sent,
        read: stats.received(),
        stored: store.event_count().await.map_err(|e| e.to_string())?,
        dropped: stats.dropped_total(),
        cpu,
        lag: last_stored_at.saturating_duration_since(sent_at),
    })
}

/// Sent, logged, and the CPU snmptrapd used from the first trap to the last line logged
/// (its start, which loads the MIBs, excepted), in clock ticks.
fn snmptrapd_step(rate: u64, count: u64) -> Option<(u64, u64, u64)> {
    let daemon = Snmptrapd::start()?;
    let target: SocketAddr = daemon.target().parse().ok()?;
    let stat = format!("/proc/{}/stat", daemon.pid());
    let before = cpu_ticks(&stat).unwrap_or(0);
    let (sent, _) = blast(target, trap(), rate, count).join().ok()?;
    let mut last = usize::MAX;
    loop {
        thread::sleep(Duration::from_millis(300));
        let logged = daemon.notifications().len();
        if logged == last {
            let cpu = cpu_ticks(&stat).unwrap_or(0).saturating_sub(before);
            return Some((sent, u64::try_from(logged).unwrap_or(u64::MAX), cpu));
        }
        last = logged;
    }
}

/// The 1, 5 and 15 minute load averages (other work on the machine shares its cores).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
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
    println!("load average at the start: {}", load_average());
    println!(
        "{:>8} | {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>6} | {:>10} {:>8} {:>7}",
        "rate/s",
        "vigie sent",
        "read",
        "stored",
        "counted",
        "kernel",
        "µs/trap",
        "lag s",
        "snmptrapd",
        "logged",
        "µs/trap"
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
        if let Some((sent, logged, _)) = trapd {
            if logged == sent {
                best_snmptrapd = best_snmptrapd.max(rate);
            }
        }
        let (trapd_sent, trapd_logged, trapd_cpu) = trapd.map_or_else(
            || ("-".to_owned(), "-".to_owned(), "-".to_owned()),
            |(s, l, cpu)| (s.to_string(), l.to_string(), per_item(cpu, l)),
        );
        println!(
            "{rate:>8} | {:>10} {:>8} {:>8} {:>8} {:>8} {:>7} {:>6.2} | {trapd_sent:>10} \
             {trapd_logged:>8} {trapd_cpu:>7}",
            step.sent,
            step.read,
            step.stored,
            step.dropped,
            step.sent - step.read,
            per_item(step.cpu, step.read),
            step.lag.as_secs_f64(),
        );
    }
    println!("load average at the end: {}", load_average());
    println!("highest loss-free rate: vigie {best_vigie}/s, snmptrapd {best_snmptrapd}/s");
    if best_snmptrapd > 0 {
        #[allow(clippy::cast_precision_loss, reason = "a ratio to print")]
        let ratio = best_vigie as f64 / best_snmptrapd as f64;
        println!("ratio vigie / snmptrapd: {ratio:.1}");
    }
    println!("traps read by vigie but neither stored nor counted as dropped: {silent}");
    Ok(())
}
