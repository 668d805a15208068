//! A load generator for SNMP agents: N concurrent managers on 127.0.0.1, each sending one
//! SNMPv2c request at a time (closed loop) for a fixed time, against any agent (`vigie agent`,
//! Net-SNMP's `snmpd`). Prints requests per second and latency percentiles on one line.
//!
//! `scripts/bench-agent.sh` starts both agents, runs this against each in the same run and
//! reads each agent's CPU time from `/proc`. Never used by a test: no timing decides a pass.
//!
//! ```text
//! agent_load --target 127.0.0.1:PORT [--community public] [--managers 8] [--seconds 5]
//!            [--mode get|getnext|getbulk] [--repetitions 25]
//!            [--v3-user NAME --auth-password A --priv-password P]
//! ```
//!
//! With `--v3-user`, every request is SNMPv3 authPriv with HMAC-SHA-256 and AES-128 (RFC 7860,
//! RFC 3826), sent through vigie-snmp's `ClientEngine` (one per manager): discovery once, keys
//! localized once, then each request encrypted and signed and each response authenticated
//! and decrypted, as `vigie get -v3` does.
//!
//! Modes (RFC 3416 §4.2): `get`, a GetRequest of 10 varbinds (the system group, ifNumber,
//! ifDescr.1, ifInOctets.1, as `scripts/bench-tools.sh`); `getnext`, a walk of ifTable one
//! GetNextRequest at a time, started again at its end; `getbulk`, the same walk by
//! `GetBulkRequests` of max-repetitions 25. A response is counted only when it decodes, answers
//! the request-id sent, has error-status noError and as many varbinds as asked (GET, GETNEXT)
//! or at least one (GETBULK). A request without an answer in one second is a timeout.

#![allow(
    clippy::print_stdout,
    reason = "the result line is the program's output"
)]

use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_snmp::engine::{ClientConfig, ClientEngine, ClientEvent, RetryPolicy, UsmUser};
use vigie_snmp::usm::{AuthProtocol, Credentials, KeyInput, PrivProtocol};
use vigie_snmp::{
    AnyPdu, BulkPdu, CommunityMessage, ErrorStatus, Message, Oid, Pdu, PduKind, RequestId,
    SecurityLevel, Value, VarBind, Version,
};

/// The ten objects of the GET mode.
const GET_OIDS: [&[u32]; 10] = [
    &[1, 3, 6, 1, 2, 1, 1, 1, 0],
    &[1, 3, 6, 1, 2, 1, 1, 2, 0],
    &[1, 3, 6, 1, 2, 1, 1, 3, 0],
    &[1, 3, 6, 1, 2, 1, 1, 4, 0],
    &[1, 3, 6, 1, 2, 1, 1, 5, 0],
    &[1, 3, 6, 1, 2, 1, 1, 6, 0],
    &[1, 3, 6, 1, 2, 1, 1, 7, 0],
    &[1, 3, 6, 1, 2, 1, 2, 1, 0],
    &[1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1],
    &[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1],
];
/// ifTable (IF-MIB), the subtree the walks cover.
const IF_TABLE: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Get,
    GetNext,
    GetBulk,
}

#[derive(Debug, Clone)]
struct Options {
    target: SocketAddr,
    community: Bytes,
    managers: usize,
    seconds: f64,
    mode: Mode,
    repetitions: u32,
    /// SNMPv3 authPriv (SHA-256, AES-128) as this user, with its two passwords.
    v3: Option<(String, String, String)>,
}

/// What one manager saw.
#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u32>,
    timeouts: u64,
    errors: u64,
    varbinds: u64,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("agent_load: {message}");
            eprintln!(
                "usage: agent_load --target HOST:PORT [--community C] [--managers N] \
                 [--seconds S] [--mode get|getnext|getbulk] [--repetitions R]"
            );
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(options.seconds);
    let handles: Vec<_> = (0..options.managers)
        .map(|index| {
            let options = options.clone();
            std::thread::spawn(move || manager(&options, index, deadline))
        })
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        match handle.join() {
            Ok(Ok(tally)) => {
                total.latencies_us.extend(tally.latencies_us);
                total.timeouts += tally.timeouts;
                total.errors += tally.errors;
                total.varbinds += tally.varbinds;
            }
            Ok(Err(error)) => {
                eprintln!("agent_load: socket: {error}");
                return ExitCode::FAILURE;
            }
            Err(_) => {
                eprintln!("agent_load: a manager thread panicked");
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    let answered = total.latencies_us.len();
    let rate = answered as f64 / elapsed;
    println!(
        "mode={} managers={} seconds={elapsed:.2} answered={answered} rps={rate:.0} \
         varbinds_per_s={:.0} p50_us={} p90_us={} p99_us={} max_us={} timeouts={} errors={}",
        match options.mode {
            Mode::Get => "get",
            Mode::GetNext => "getnext",
            Mode::GetBulk => "getbulk",
        },
        options.managers,
        total.varbinds as f64 / elapsed,
        percentile(&total.latencies_us, 0.50),
        percentile(&total.latencies_us, 0.90),
        percentile(&total.latencies_us, 0.99),
        total.latencies_us.last().copied().unwrap_or(0),
        total.timeouts,
        total.errors,
    );
    if answered == 0 {
        eprintln!("agent_load: no request was answered");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// One manager: a socket of its own, one request in flight, until `deadline`.
fn manager(options: &Options, index: usize, deadline: Instant) -> std::io::Result<Tally> {
    if let Some((user, auth, privacy)) = &options.v3 {
        return manager_v3(options, index, deadline, user, auth, privacy);
    }
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.connect(options.target)?;
    socket.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut tally = Tally::default();
    let mut buffer = vec![0_u8; 65_536];
    // Request-ids apart per manager, so that a stray answer is never taken for another's.
    let base = i32::try_from(index).unwrap_or(0).wrapping_mul(1 << 24);
    let mut serial: i32 = 0;
    let table = oid(IF_TABLE);
    let mut cursor = table.clone();
    while Instant::now() < deadline {
        serial = serial.wrapping_add(1) & 0x00ff_ffff;
        let request_id = RequestId(base | serial);
        let pdu = request(options, request_id, &cursor);
        let datagram = Message::Community(CommunityMessage {
            version: Version::V2c,
            community: options.community.clone(),
            pdu,
        })
        .to_vec();
        let sent = Instant::now();
        socket.send(&datagram)?;
        let answer = loop {
            match socket.recv(&mut buffer) {
                Ok(len) => {
                    let bytes = Bytes::copy_from_slice(buffer.get(..len).unwrap_or_default());
                    match response(bytes, request_id) {
                        Answer::Stray => {}
                        other => break Some(other),
                    }
                }
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break None;
                }
                Err(error) => return Err(error),
            }
        };
        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        match answer {
            None => {
                tally.timeouts += 1;
                cursor = table.clone();
            }
            Some(Answer::Varbinds(varbinds)) if well_formed(options, &varbinds) => {
                tally.latencies_us.push(micros);
                tally.varbinds += varbinds.len() as u64;
                if options.mode != Mode::Get {
                    cursor = next_cursor(&table, &varbinds);
                }
            }
            Some(_) => {
                tally.errors += 1;
                cursor = table.clone();
            }
        }
    }
    Ok(tally)
}

/// One SNMPv3 manager: a `ClientEngine` of its own over a socket of its own, one request in
/// flight, until `deadline`.
fn manager_v3(
    options: &Options,
    index: usize,
    deadline: Instant,
    user: &str,
    auth: &str,
    privacy: &str,
) -> std::io::Result<Tally> {
    let invalid = |what| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    let credentials = Credentials::new(AuthProtocol::Sha256, KeyInput::Password(auth.as_bytes()))
        .and_then(|c| c.with_privacy(PrivProtocol::Aes128, KeyInput::Password(privacy.as_bytes())))
        .map_err(|_| invalid("the SNMPv3 passwords (at least 8 octets each)"))?;
    let user = UsmUser::new(
        Bytes::copy_from_slice(user.as_bytes()),
        SecurityLevel::AuthPriv,
        Some(credentials),
    )
    .map_err(|_| invalid("the SNMPv3 user"))?;
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.connect(options.target)?;
    let retry = RetryPolicy {
        timeout: Duration::from_secs(1),
        retries: 0,
    };
    let mut seed = [0_u8; 32];
    for (octet, byte) in seed.iter_mut().zip(index.to_le_bytes()) {
        *octet = byte;
    }
    let mut engine = ClientEngine::new(ClientConfig::new(retry), seed);
    let mut tally = Tally::default();
    let mut buffer = vec![0_u8; 65_536];
    let table = oid(IF_TABLE);
    let mut cursor = table.clone();
    while Instant::now() < deadline {
        let pdu = request(options, RequestId(0), &cursor);
        let sent = Instant::now();
        let id = engine.send_v3(sent, options.target, &user, pdu);
        let outcome = loop {
            while let Some(transmit) = engine.poll_transmit() {
                socket.send(&transmit.contents)?;
            }
            let event = std::iter::from_fn(|| engine.poll_event()).find(|event| {
                matches!(
                    event,
                    ClientEvent::Response { id: i, .. }
                        | ClientEvent::TimedOut { id: i, .. }
                        | ClientEvent::Failed { id: i, .. } if *i == id
                )
            });
            if let Some(event) = event {
                break event;
            }
            let now = Instant::now();
            let wait = engine.poll_timeout().map_or(Duration::from_secs(1), |at| {
                at.saturating_duration_since(now)
            });
            socket.set_read_timeout(Some(wait.max(Duration::from_micros(100))))?;
            match socket.recv(&mut buffer) {
                Ok(len) => {
                    let bytes = Bytes::copy_from_slice(buffer.get(..len).unwrap_or_default());
                    engine.handle_datagram(Instant::now(), options.target, bytes);
                }
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    engine.handle_timeout(Instant::now());
                }
                Err(error) => return Err(error),
            }
        };
        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        match outcome {
            ClientEvent::Response { pdu, .. }
                if pdu.error_status == ErrorStatus::NoError
                    && well_formed(options, &pdu.varbinds) =>
            {
                tally.latencies_us.push(micros);
                tally.varbinds += pdu.varbinds.len() as u64;
                if options.mode != Mode::Get {
                    cursor = next_cursor(&table, &pdu.varbinds);
                }
            }
            ClientEvent::TimedOut { .. } => {
                tally.timeouts += 1;
                cursor = table.clone();
            }
            _ => {
                tally.errors += 1;
                cursor = table.clone();
            }
        }
    }
    Ok(tally)
}

fn request(options: &Options, request_id: RequestId, cursor: &Oid) -> AnyPdu {
    let null = |name: Oid| VarBind {
        name,
        value: Value::Null,
    };
    match options.mode {
        Mode::Get => AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id,
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: GET_OIDS.iter().map(|arcs| null(oid(arcs))).collect(),
        }),
        Mode::GetNext => AnyPdu::Pdu(Pdu {
            kind: PduKind::GetNextRequest,
            request_id,
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![null(cursor.clone())],
        }),
        Mode::GetBulk => AnyPdu::Bulk(BulkPdu {
            request_id,
            non_repeaters: 0,
            max_repetitions: options.repetitions,
            varbinds: vec![null(cursor.clone())],
        }),
    }
}

enum Answer {
    /// A response to another request (an earlier one that timed out): read on.
    Stray,
    /// Not a noError Response.
    Bad,
    Varbinds(Vec<VarBind>),
}

fn response(datagram: Bytes, request_id: RequestId) -> Answer {
    let Ok(Message::Community(message)) = Message::decode(datagram) else {
        return Answer::Bad;
    };
    let AnyPdu::Pdu(pdu) = message.pdu else {
        return Answer::Bad;
    };
    if pdu.request_id != request_id {
        return Answer::Stray;
    }
    if pdu.kind != PduKind::Response || pdu.error_status != ErrorStatus::NoError {
        return Answer::Bad;
    }
    Answer::Varbinds(pdu.varbinds)
}

fn well_formed(options: &Options, varbinds: &[VarBind]) -> bool {
    match options.mode {
        Mode::Get => {
            varbinds.len() == GET_OIDS.len()
                && varbinds.iter().all(|varbind| {
                    !matches!(
                        varbind.value,
                        Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
                    )
                })
        }
        Mode::GetNext => varbinds.len() == 1,
        Mode::GetBulk => !varbinds.is_empty(),
    }
}

/// Where the walk goes on: the last varbind's name while it is in ifTable, else ifTable again.
fn next_cursor(table: &Oid, varbinds: &[VarBind]) -> Oid {
    match varbinds.last() {
        Some(last) if last.name.starts_with(table) && last.value != Value::EndOfMibView => {
            last.name.clone()
        }
        _ => table.clone(),
    }
}

fn oid(arcs: &[u32]) -> Oid {
    // The constants above have 8 to 11 arcs, all valid: Oid::new cannot fail on them.
    Oid::new(arcs).expect("a valid constant OID")
}

fn percentile(sorted: &[u32], fraction: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let last = sorted.len() - 1;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a fraction of an index of a Vec: non-negative and within usize"
    )]
    let index = ((last as f64) * fraction).round() as usize;
    sorted.get(index.min(last)).copied().unwrap_or(0)
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut target = None;
    let mut options = Options {
        target: SocketAddr::from(([127, 0, 0, 1], 161)),
        community: Bytes::from_static(b"public"),
        managers: 8,
        seconds: 5.0,
        mode: Mode::Get,
        repetitions: 25,
        v3: None,
    };
    let (mut user, mut auth, mut privacy) = (None, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: bad value {value:?}");
        match flag.as_str() {
            "--target" => target = Some(value.parse().map_err(|_| bad(()))?),
            "--community" => options.community = Bytes::from(value.into_bytes()),
            "--managers" => options.managers = value.parse().map_err(|_| bad(()))?,
            "--seconds" => options.seconds = value.parse().map_err(|_| bad(()))?,
            "--repetitions" => options.repetitions = value.parse().map_err(|_| bad(()))?,
            "--v3-user" => user = Some(value),
            "--auth-password" => auth = Some(value),
            "--priv-password" => privacy = Some(value),
            "--mode" => {
                options.mode = match value.as_str() {
                    "get" => Mode::Get,
                    "getnext" => Mode::GetNext,
                    "getbulk" => Mode::GetBulk,
                    _ => return Err(bad(())),
                };
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    options.target = target.ok_or("--target is required")?;
    options.v3 = match (user, auth, privacy) {
        (None, None, None) => None,
        (Some(user), Some(auth), Some(privacy)) => Some((user, auth, privacy)),
        _ => return Err("--v3-user needs --auth-password and --priv-password".to_owned()),
    };
    // Loopback only: this is a benchmark of local agents, never of a production network.
    if !options.target.ip().is_loopback() {
        return Err("--target must be a loopback address".to_owned());
    }
    if options.managers == 0 || !(options.seconds > 0.0 && options.seconds <= 600.0) {
        return Err("--managers must be at least 1 and --seconds within 0-600".to_owned());
    }
    Ok(options)
}
