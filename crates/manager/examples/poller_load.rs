//! Load harness for the poller (issue 7, item 10): N simulated devices polled every
//! interval, and the CPU the polling process uses per minute, as a share of one core.
//!
//! ```text
//! cargo run --release -p vigie-manager --example poller_load -- \
//!     [--devices 10000] [--sockets 100] [--interfaces 4] [--interval 60] [--minutes 3]
//! ```
//!
//! The devices are simulated by a child process (this program with `--responder`), so that
//! their CPU is not counted: it listens on `--sockets` UDP ports of 127.0.0.1 and answers
//! SNMPv2c GET, GETNEXT and GETBULK for each community `d<N>` as a device with the system
//! group and `--interfaces` rows of ifTable and ifXTable, counters advancing with time.
//! Device N is at port number N modulo `--sockets`, with community `d<N>`.
//!
//! The parent adds the devices to a fresh store, starts the [`Poller`] with its default
//! configuration (64 polls at a time, GETBULK of sysUpTime and ten IF-MIB columns), and
//! prints, at the end of every minute, the polls made and the process's CPU time
//! (`/proc/self/stat`, user + system) over that minute. The first minute includes the
//! discovery of every device (system group and interface names, one store transaction
//! each); the following ones are the steady state.

#![allow(clippy::print_stdout)] // A benchmark reports on stdout.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::UdpSocket;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::poller::{Poller, PollerConfig};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{Durability, NewDevice, SnmpCredentials, Store};
use vigie_manager::time::Timestamp;
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Oid, Pdu, PduKind, Value, VarBind,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("poller_load: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    devices: usize,
    sockets: usize,
    interfaces: u32,
    interval: u64,
    minutes: u64,
    responder: bool,
}

fn run() -> Result<(), Box<dyn Error>> {
    let options = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if options.responder {
        return runtime.block_on(responder(options.sockets, options.interfaces));
    }
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--responder", "--sockets", &options.sockets.to_string()])
        .args(["--interfaces", &options.interfaces.to_string()])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("the responder has no stdout")?;
    BufReader::new(stdout).read_line(&mut line)?;
    let ports: Vec<u16> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let result = runtime.block_on(poll(&options, &ports));
    // Stops the child this program started, by its handle.
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn poll(options: &Options, ports: &[u16]) -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Full).await?;
    let setup = Instant::now();
    for n in 0..options.devices {
        let port = ports
            .get(n % ports.len().max(1))
            .copied()
            .ok_or("no port")?;
        store
            .create_device(
                &NewDevice {
                    name: format!("d{n}"),
                    address: "127.0.0.1".parse()?,
                    port,
                    poll_interval: Duration::from_secs(options.interval),
                    enabled: true,
                    credentials: SnmpCredentials::v2c(format!("d{n}"))?,
                },
                Timestamp(0),
            )
            .await?;
    }
    println!(
        "{} devices on {} ports added in {:.1} s; polling every {} s",
        options.devices,
        ports.len(),
        setup.elapsed().as_secs_f64(),
        options.interval
    );
    let desk = Arc::new(AlarmDesk::load(store.clone()).await?);
    let status = StatusRegistry::new();
    let poller = Poller::start(PollerConfig::default(), store, desk, status).await?;
    println!("minute  polls  timeouts  errors  avg-poll-ms  cpu-s  cpu-%-of-one-core");
    let mut last_cpu = cpu_seconds()?;
    let mut last = poller.stats();
    for minute in 1..=options.minutes {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let cpu = cpu_seconds()?;
        let stats = poller.stats();
        let polls = stats.polls - last.polls;
        let used = cpu - last_cpu;
        #[allow(clippy::cast_precision_loss)] // Poll counts and milliseconds fit f64.
        let average = (stats.duration_ms - last.duration_ms) as f64 / polls.max(1) as f64;
        println!(
            "{minute:>6}  {polls:>5}  {:>8}  {:>6}  {average:>11.2}  {used:>5.2}  {:>17.1}",
            stats.timeouts - last.timeouts,
            stats.errors - last.errors,
            used / 60.0 * 100.0,
        );
        last_cpu = cpu;
        last = stats;
    }
    poller.stop();
    Ok(())
}

/// User plus system CPU time of this process, in seconds (`/proc/self/stat` fields 14 and
/// 15, in clock ticks of 1/100 s on Linux).
fn cpu_seconds() -> Result<f64, Box<dyn Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = stat.rsplit_once(')').ok_or("unexpected /proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok((utime + stime) / CLOCK_TICKS)
}

/// The simulated devices: one task per socket, answering each community `d<N>`.
async fn responder(sockets: usize, interfaces: u32) -> Result<(), Box<dyn Error>> {
    let mib = Arc::new(SimulatedMib::new(interfaces)?);
    let started = Instant::now();
    let mut ports = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..sockets {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        ports.push(socket.local_addr()?.port().to_string());
        let mib = Arc::clone(&mib);
        tasks.spawn(async move {
            let mut buffer = vec![0_u8; 65_535];
            loop {
                let Ok((length, from)) = socket.recv_from(&mut buffer).await else {
                    continue;
                };
                let datagram = Bytes::copy_from_slice(buffer.get(..length).unwrap_or(&[]));
                if let Some(answer) = mib.answer(datagram, started.elapsed()) {
                    let _ = socket.send_to(&answer, from).await;
                }
            }
        });
    }
    println!("{}", ports.join(" "));
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// What the simulated devices serve, in OID order.
struct SimulatedMib {
    objects: Vec<(Oid, Simulated)>,
}

#[derive(Clone, Copy)]
enum Simulated {
    Descr,
    ObjectId,
    UpTime,
    Name,
    IfText(u32),
    IfType,
    Speed,
    HighSpeed,
    Status,
    Counter32(u32),
    Counter64(u32),
}

impl SimulatedMib {
    fn new(interfaces: u32) -> Result<Self, Box<dyn Error>> {
        let mut objects = Vec::new();
        let system = [1, 3, 6, 1, 2, 1, 1];
        for (arc, kind) in [
            (1, Simulated::Descr),
            (2, Simulated::ObjectId),
            (3, Simulated::UpTime),
            (5, Simulated::Name),
        ] {
            objects.push((Oid::new(&[&system[..], &[arc, 0]].concat())?, kind));
        }
        let if_table = [1, 3, 6, 1, 2, 1, 2, 2, 1];
        let if_x_table = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
        let columns: Vec<(&[u32], u32, Simulated)> = vec![
            (&if_table, 2, Simulated::IfText(0)),
            (&if_table, 3, Simulated::IfType),
            (&if_table, 5, Simulated::Speed),
            (&if_table, 7, Simulated::Status),
            (&if_table, 8, Simulated::Status),
            (&if_table, 10, Simulated::Counter32(1_000)),
            (&if_table, 13, Simulated::Counter32(0)),
            (&if_table, 14, Simulated::Counter32(0)),
            (&if_table, 16, Simulated::Counter32(700)),
            (&if_table, 19, Simulated::Counter32(0)),
            (&if_table, 20, Simulated::Counter32(0)),
            (&if_x_table, 1, Simulated::IfText(1)),
            (&if_x_table, 6, Simulated::Counter64(1_000)),
            (&if_x_table, 10, Simulated::Counter64(700)),
            (&if_x_table, 15, Simulated::HighSpeed),
            (&if_x_table, 18, Simulated::IfText(ALIAS)),
        ];
        for (table, column, kind) in columns {
            for row in 1..=interfaces {
                objects.push((Oid::new(&[table, &[column, row]].concat())?, kind));
            }
        }
        objects.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Self { objects })
    }

    fn answer(&self, datagram: Bytes, uptime: Duration) -> Option<Vec<u8>> {
        let Ok(Message::Community(request)) = Message::decode(datagram) else {
            return None;
        };
        let device: u64 = std::str::from_utf8(&request.community)
            .ok()?
            .strip_prefix('d')?
            .parse()
            .ok()?;
        let ticks = u32::try_from(uptime.as_millis() / 10).unwrap_or(u32::MAX);
        let value = |at: usize| self.value(at, device, ticks);
        let (request_id, varbinds) = match request.pdu {
            AnyPdu::Pdu(pdu) if pdu.kind == PduKind::GetRequest => {
                let varbinds = pdu
                    .varbinds
                    .iter()
                    .map(|varbind| {
                        let at = self.objects.binary_search_by(|o| o.0.cmp(&varbind.name));
                        VarBind {
                            name: varbind.name.clone(),
                            value: at.map_or(Value::NoSuchObject, value),
                        }
                    })
                    .collect();
                (pdu.request_id, varbinds)
            }
            AnyPdu::Pdu(pdu) if pdu.kind == PduKind::GetNextRequest => {
                let varbinds = pdu
                    .varbinds
                    .iter()
                    .map(|varbind| self.next(&varbind.name, &value))
                    .collect();
                (pdu.request_id, varbinds)
            }
            AnyPdu::Bulk(bulk) => {
                let fixed = usize::try_from(bulk.non_repeaters).unwrap_or(usize::MAX);
                let mut varbinds = Vec::new();
                for varbind in bulk.varbinds.iter().take(fixed) {
                    varbinds.push(self.next(&varbind.name, &value));
                }
                let mut cursors: Vec<Oid> = bulk
                    .varbinds
                    .iter()
                    .skip(fixed)
                    .map(|v| v.name.clone())
                    .collect();
                for _ in 0..bulk.max_repetitions.min(MAX_REPETITIONS) {
                    if cursors.is_empty() {
                        break;
                    }
                    for cursor in &mut cursors {
                        let next = self.next(cursor, &value);
                        cursor.clone_from(&next.name);
                        varbinds.push(next);
                    }
                }
                (bulk.request_id, varbinds)
            }
            _ => return None,
        };
        let response = Pdu {
            kind: PduKind::Response,
            request_id,
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        };
        let message = Message::Community(CommunityMessage {
            version: request.version,
            community: request.community,
            pdu: AnyPdu::Pdu(response),
        });
        Some(message.to_vec())
    }

    fn next(&self, after: &Oid, value: &impl Fn(usize) -> Value) -> VarBind {
        let at = self.objects.partition_point(|o| o.0 <= *after);
        match self.objects.get(at) {
            Some((name, _)) => VarBind {
                name: name.clone(),
                value: value(at),
            },
            None => VarBind {
                name: after.clone(),
                value: Value::EndOfMibView,
            },
        }
    }

    fn value(&self, at: usize, device: u64, ticks: u32) -> Value {
        let Some((name, kind)) = self.objects.get(at) else {
            return Value::NoSuchObject;
        };
        let row = name.arcs().last().copied().unwrap_or(0);
        // Counters advance with time, differently for each device and row.
        let seconds = u64::from(ticks) / 100;
        let base = device.wrapping_mul(7_919).wrapping_add(u64::from(row));
        match *kind {
            Simulated::Descr => {
                Value::OctetString(Bytes::from(format!("simulated device {device}")))
            }
            Simulated::ObjectId => Value::ObjectIdentifier(name.clone()),
            Simulated::UpTime => Value::TimeTicks(ticks),
            Simulated::Name => Value::OctetString(Bytes::from(format!("d{device}"))),
            Simulated::IfText(ALIAS) => Value::OctetString(Bytes::from(format!("uplink {row}"))),
            Simulated::IfText(_) => Value::OctetString(Bytes::from(format!("eth{row}"))),
            Simulated::IfType => Value::Integer(6),
            Simulated::Speed => Value::Gauge32(1_000_000_000),
            Simulated::HighSpeed => Value::Gauge32(1_000),
            Simulated::Status => Value::Integer(1),
            Simulated::Counter32(rate) => {
                let count = base.wrapping_add(seconds.wrapping_mul(u64::from(rate)));
                Value::Counter32(u32::try_from(count & u64::from(u32::MAX)).unwrap_or(0))
            }
            Simulated::Counter64(rate) => {
                Value::Counter64(base.wrapping_add(seconds.wrapping_mul(u64::from(rate))))
            }
        }
    }
}

fn options() -> Result<Options, Box<dyn Error>> {
    let mut options = Options {
        devices: 10_000,
        sockets: 100,
        interfaces: 4,
        interval: 60,
        minutes: 3,
        responder: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--responder" {
            options.responder = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--devices" => options.devices = value.parse()?,
            "--sockets" => options.sockets = value.parse::<usize>()?.max(1),
            "--interfaces" => options.interfaces = value.parse()?,
            "--interval" => options.interval = value.parse()?,
            "--minutes" => options.minutes = value.parse()?,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(options)
}

/// The `IfText` of ifAlias (0 is ifDescr, 1 ifName).
const ALIAS: u32 = 2;
/// `sysconf(_SC_CLK_TCK)` on Linux.
const CLOCK_TICKS: f64 = 100.0;
/// An agent caps GETBULK repetitions too (Net-SNMP: 100 by default).
const MAX_REPETITIONS: u32 = 100;
