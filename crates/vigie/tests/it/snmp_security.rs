//! SNMP security of the running processes: `vigie agent` answers no request with more than a
//! bounded multiple of its size (no reflection amplifier) and counts wrong-community and
//! wrong-user storms in its snmp group and usmStats; `vigie serve`'s receiver counts them in
//! `/metrics` and raises the `system/auth-failures/receiver` alarm.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_interop::{Peer, free_udp_port, require, run_netsnmp};
use vigie_snmp::engine::AmplificationLimit;
use vigie_snmp::message::ScopedPdu;
use vigie_snmp::pdu::BulkPdu;
use vigie_snmp::usm::{self, EngineTime, Outgoing, SaltCounter};
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Pdu, PduKind, RequestId, SecurityLevel,
    VarBind, Version,
};

use crate::support::vigie;

const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");
const USER_AUTH: &str = "security-auth-pass";
const USER_PRIV: &str = "security-priv-pass";

/// A running process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `vigie agent` with the community `public` and the user `alice` (SHA, AES), on a free port.
fn agent() -> (Process, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("test setup");
    let (process, address) = agent_in(dir.path(), free_udp_port(), "");
    (process, address, dir)
}

/// [`agent`] on `port`, its engine ID and boots kept in `dir`, so that a second start there
/// is the same engine, one boot later; `extra` is added to its configuration file.
fn agent_in(dir: &std::path::Path, port: u16, extra: &str) -> (Process, String) {
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "listen = [\"udp:127.0.0.1:{port}\"]\nstate_dir = {state:?}\n\
             [[community]]\nname = \"public\"\naccess = \"ro\"\n\
             [[user]]\nname = \"alice\"\nauth = \"SHA\"\nauth_password = \"{USER_AUTH}\"\n\
             privacy = \"AES\"\npriv_password = \"{USER_PRIV}\"\naccess = \"ro\"\n{extra}",
            state = dir.join("state").display().to_string(),
        ),
    )
    .expect("test setup");
    let process = Process(
        Command::new(VIGIE)
            .args(["agent", "--config"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("vigie agent starts"),
    );
    let address = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while exchange(&address, &bulk(Version::V2c, 1, 1)).is_none() {
        assert!(Instant::now() < deadline, "vigie agent does not answer");
    }
    (process, address)
}

/// Sends `request` and returns the answer's size, if one comes within half a second.
fn exchange(address: &str, request: &[u8]) -> Option<usize> {
    answer(address, request).map(|answer| answer.len())
}

/// Sends `request` and returns the answer, if one comes within half a second.
fn answer(address: &str, request: &[u8]) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("test setup");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("test setup");
    socket.send_to(request, address).expect("sent");
    let mut buffer = vec![0_u8; 70_000];
    let length = socket.recv(&mut buffer).ok()?;
    buffer.truncate(length);
    Some(buffer)
}

/// A UDP relay between one client and `agent` that keeps every datagram the client sent: a
/// wire capture, as an attacker on the path would make. Serves one request at a time, as
/// Net-SNMP's tools send them, until dropped.
struct Capture {
    address: SocketAddr,
    sent: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Capture {
    fn start(agent: &str) -> Self {
        let front = UdpSocket::bind("127.0.0.1:0").expect("test setup");
        let back = UdpSocket::bind("127.0.0.1:0").expect("test setup");
        back.connect(agent).expect("test setup");
        for socket in [&front, &back] {
            socket
                .set_read_timeout(Some(Duration::from_millis(100)))
                .expect("test setup");
        }
        let address = front.local_addr().expect("test setup");
        let sent: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>> = std::sync::Arc::default();
        let stop = std::sync::Arc::<std::sync::atomic::AtomicBool>::default();
        let thread = {
            let (sent, stop) = (std::sync::Arc::clone(&sent), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut buffer = vec![0_u8; 70_000];
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok((length, client)) = front.recv_from(&mut buffer) else {
                        continue;
                    };
                    let request = buffer[..length].to_vec();
                    let _ = back.send(&request);
                    if let Ok(mut sent) = sent.lock() {
                        sent.push(request);
                    }
                    let deadline = Instant::now() + Duration::from_secs(1);
                    while Instant::now() < deadline {
                        if let Ok(length) = back.recv(&mut buffer) {
                            let _ = front.send_to(&buffer[..length], client);
                            break;
                        }
                    }
                }
            })
        };
        Self {
            address,
            sent,
            stop,
            thread: Some(thread),
        }
    }

    fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().expect("capture").clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn community(version: Version, community: &'static [u8], pdu: AnyPdu) -> Vec<u8> {
    Message::Community(CommunityMessage {
        version,
        community: Bytes::from_static(community),
        pdu,
    })
    .to_vec()
}

/// A GETBULK of `repeaters` varbinds under `.1.3.6.1`, asking for `repetitions` each.
fn bulk(version: Version, repeaters: usize, repetitions: u32) -> Vec<u8> {
    community(
        version,
        b"public",
        AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(9),
            non_repeaters: 0,
            max_repetitions: repetitions,
            varbinds: (0..repeaters)
                .map(|i| VarBind::null(format!("1.3.6.1.2.1.{}", 1 + i % 30).parse().expect("OID")))
                .collect(),
        }),
    )
}

/// A GET or GETNEXT of `count` varbinds.
fn get(version: Version, kind: PduKind, count: usize) -> Vec<u8> {
    community(
        version,
        b"public",
        AnyPdu::Pdu(Pdu {
            kind,
            request_id: RequestId(10),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: (0..count)
                .map(|_| VarBind::null("1.3.6.1".parse().expect("OID")))
                .collect(),
        }),
    )
}

/// A v3 discovery probe: noAuthNoPriv, no engine ID, no user (RFC 3414 §4).
fn discovery(varbinds: usize) -> Vec<u8> {
    let scoped = ScopedPdu {
        context_engine_id: Bytes::new(),
        context_name: Bytes::new(),
        pdu: AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(11),
            non_repeaters: 0,
            max_repetitions: 65_535,
            varbinds: (0..varbinds)
                .map(|_| VarBind::null("1.3.6.1".parse().expect("OID")))
                .collect(),
        }),
    };
    usm::encode_message(
        &Outgoing {
            msg_id: 12,
            max_size: 65_507,
            reportable: true,
            engine_id: Bytes::new(),
            engine_time: EngineTime::new(0, 0),
            user_name: Bytes::new(),
            scoped_pdu: &scoped,
        },
        SecurityLevel::NoAuthNoPriv,
        None,
        &mut SaltCounter::new(0, 1),
    )
    .expect("the probe encodes")
    .to_vec()
}

#[test]
fn no_request_is_answered_with_more_than_a_bounded_multiple_of_its_size() {
    let (_agent, address, _dir) = agent();
    let limit = AmplificationLimit::DEFAULT;
    let mut worst = (0.0_f64, String::new());
    let cases: Vec<(String, Vec<u8>)> = vec![
        ("v2c GETBULK 1×65535".into(), bulk(Version::V2c, 1, 65_535)),
        ("v2c GETBULK 3×65535".into(), bulk(Version::V2c, 3, 65_535)),
        (
            "v2c GETBULK 10×65535".into(),
            bulk(Version::V2c, 10, 65_535),
        ),
        (
            "v2c GETBULK 60×65535".into(),
            bulk(Version::V2c, 60, 65_535),
        ),
        (
            "v1 GETNEXT ×1".into(),
            get(Version::V1, PduKind::GetNextRequest, 1),
        ),
        (
            "v1 GETNEXT ×60".into(),
            get(Version::V1, PduKind::GetNextRequest, 60),
        ),
        (
            "v2c GETNEXT ×60".into(),
            get(Version::V2c, PduKind::GetNextRequest, 60),
        ),
        (
            "v2c GET ×60".into(),
            get(Version::V2c, PduKind::GetRequest, 60),
        ),
        ("v3 discovery probe".into(), discovery(0)),
        ("v3 discovery probe, GETBULK 20×65535".into(), discovery(20)),
    ];
    for (name, request) in &cases {
        let answered = exchange(&address, request).unwrap_or_else(|| panic!("{name}: no answer"));
        let bound = limit.bound(request.len());
        assert!(
            answered <= bound,
            "{name}: {} bytes answered with {answered} (bound {bound})",
            request.len()
        );
        #[allow(clippy::cast_precision_loss)] // sizes below 2^16
        let ratio = answered as f64 / request.len() as f64;
        eprintln!("{name}: {} → {answered} bytes ({ratio:.1}×)", request.len());
        if ratio > worst.0 {
            worst = (ratio, name.clone());
        }
    }
    #[allow(clippy::cast_precision_loss)] // a constant
    let most = limit.floor as f64 / 40.0;
    assert!(worst.0 <= most, "worst: {worst:?}");
}

/// `usmStatsNotInTimeWindows.0` (RFC 3414 §5), BER-encoded as a Report's varbind name.
const NOT_IN_TIME_WINDOWS: &[u8] = &[
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x0f, 0x01, 0x01, 0x02, 0x00,
];

/// Net-SNMP's `snmpget` of sysName.0 as `alice`, authPriv (SHA, AES), one try of 1 s.
fn alice_gets_sys_name(target: &str) -> vigie_interop::Outcome {
    run_netsnmp(
        Peer::Snmpget,
        &[
            "-v3",
            "-u",
            "alice",
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            USER_AUTH,
            "-x",
            "AES",
            "-X",
            USER_PRIV,
            "-t",
            "1",
            "-r",
            "0",
            "-Oqv",
            target,
            "1.3.6.1.2.1.1.5.0",
        ],
    )
}

#[test]
fn a_captured_v3_request_replayed_after_the_agent_restarts_is_rejected_and_counted() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let dir = tempfile::tempdir().expect("test setup");
    let port = free_udp_port();
    let (agent, address) = agent_in(dir.path(), port, "");
    // Net-SNMP's snmpget, authPriv, through a relay that captures what it sends: engine
    // discovery, then the authenticated GET carrying the agent's boots and time.
    let capture = Capture::start(&address);
    let relay = capture.address.to_string();
    let get = alice_gets_sys_name(&relay);
    assert!(get.success(), "{get:?}");
    let captured = capture.sent().pop().expect("the GET was captured");
    drop(capture);
    let not_in_window = |address: &str| -> u64 {
        let read = run_netsnmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "-Oqv",
                address,
                "1.3.6.1.6.3.15.1.1.2.0",
            ],
        );
        read.stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("usmStatsNotInTimeWindows: {read:?}"))
    };

    // Replayed at once, within the 150 s window of the same boot, it is accepted, as RFC
    // 3414 §3.2 step 7 allows: the capture is a valid request.
    let fresh = answer(&address, &captured).expect("an answer to the replay within the window");
    assert!(
        !fresh
            .windows(NOT_IN_TIME_WINDOWS.len())
            .any(|w| w == NOT_IN_TIME_WINDOWS),
        "a Response, not a notInTimeWindow Report"
    );
    assert_eq!(not_in_window(&address), 0);

    // The agent restarts on its state directory: the same engine ID, snmpEngineBoots one
    // more, its engine time from zero. The capture's boots is now a past boot's, which RFC
    // 3414 §3.2 step 7 rejects whatever the time: the moment a 150 s wait reaches too.
    drop(agent);
    let (_agent, address) = agent_in(dir.path(), port, "");
    let report = answer(&address, &captured).expect("a Report to the replay");
    assert!(
        report
            .windows(NOT_IN_TIME_WINDOWS.len())
            .any(|w| w == NOT_IN_TIME_WINDOWS),
        "the replay is answered with a usmStatsNotInTimeWindows Report: {report:02x?}"
    );
    assert_eq!(not_in_window(&address), 1, "and counted");
    // Again: each replay is refused and counted.
    assert!(answer(&address, &captured).is_some());
    assert_eq!(not_in_window(&address), 2);
    // A request built now, after a new discovery, is accepted.
    let again = alice_gets_sys_name(&address);
    assert!(again.success(), "{again:?}");
}

#[test]
fn the_amplification_bound_is_read_from_the_configuration_file() {
    let dir = tempfile::tempdir().expect("test setup");
    let tight = "[amplification]\nfactor = 2\nfloor = 600\n";
    let (_agent, address) = agent_in(dir.path(), free_udp_port(), tight);
    // A GETBULK of 3 varbinds × 65535: by default answered with about 1.1 KB (see
    // `no_request_is_answered_with_more_than_a_bounded_multiple_of_its_size`), here cut to
    // max(600, 2 × the request).
    let request = bulk(Version::V2c, 3, 65_535);
    let size = exchange(&address, &request).expect("an answer");
    assert!(size <= 600.max(2 * request.len()), "{size} bytes");
    assert!(
        size > 300,
        "a truncated GETBULK, not an error: {size} bytes"
    );

    let dir = tempfile::tempdir().expect("test setup");
    let off = "[amplification]\nenabled = false\n";
    let (_agent, address) = agent_in(dir.path(), free_udp_port(), off);
    let size = exchange(&address, &request).expect("an answer");
    let bound = AmplificationLimit::DEFAULT.bound(request.len());
    assert!(
        size > bound,
        "without the bound, {size} bytes is above {bound}"
    );
}

#[test]
fn the_agent_counts_wrong_community_and_wrong_user_storms() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let (_agent, address, _dir) = agent();
    for _ in 0..40 {
        let request = community(
            Version::V2c,
            b"guess",
            AnyPdu::Pdu(Pdu {
                kind: PduKind::GetRequest,
                request_id: RequestId(1),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![VarBind::null("1.3.6.1.2.1.1.5.0".parse().expect("OID"))],
            }),
        );
        assert_eq!(
            exchange(&address, &request),
            None,
            "no answer to a bad community"
        );
    }
    let v3 = |user: &str, auth: &str| {
        run_netsnmp(
            Peer::Snmpget,
            &[
                "-v3",
                "-u",
                user,
                "-l",
                "authPriv",
                "-a",
                "SHA",
                "-A",
                auth,
                "-x",
                "AES",
                "-X",
                USER_PRIV,
                "-t",
                "0.5",
                "-r",
                "0",
                &address,
                "1.3.6.1.2.1.1.5.0",
            ],
        )
    };
    for _ in 0..5 {
        assert!(!v3("mallory", USER_AUTH).success());
        assert!(!v3("alice", "not-the-password").success());
    }
    assert!(v3("alice", USER_AUTH).success(), "the right password works");
    let counter = |oid: &str| -> u64 {
        let read = run_netsnmp(
            Peer::Snmpget,
            &["-v2c", "-c", "public", "-Oqv", &address, oid],
        );
        read.stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{oid}: {read:?}"))
    };
    // snmpInBadCommunityNames, usmStatsUnknownUserNames, usmStatsWrongDigests.
    assert!(counter("1.3.6.1.2.1.11.4.0") >= 40);
    assert!(counter("1.3.6.1.6.3.15.1.1.3.0") >= 5);
    assert!(counter("1.3.6.1.6.3.15.1.1.5.0") >= 5);
}

#[test]
fn a_wrong_community_storm_at_the_receiver_is_counted_and_raises_a_system_alarm() {
    let dir = tempfile::tempdir().expect("test setup");
    let data_dir = dir.path().to_str().expect("UTF-8 temp dir");
    let http = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("test setup");
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let agent = format!("127.0.0.1:{}", free_udp_port());
    let _serve = Process(
        Command::new(VIGIE)
            .args(["serve", "--data-dir", data_dir, "--http", &http.to_string()])
            .args(["--traps", &traps, "--agent", &agent])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("serve.log")).expect("test setup"))
            .spawn()
            .expect("vigie serve starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(http).is_err() || request(http, "/api/v1/health", None).0 == 0 {
        assert!(Instant::now() < deadline, "vigie serve does not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let created = vigie("token", &["create", "storm", "--data-dir", data_dir]);
    assert!(created.success(), "{created:?}");
    let token = created.stdout.trim().to_owned();

    let trap = community(
        Version::V2c,
        b"guess",
        AnyPdu::Pdu(Pdu {
            kind: PduKind::SnmpV2Trap,
            request_id: RequestId(3),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: Vec::new(),
        }),
    );
    let socket = UdpSocket::bind("127.0.0.1:0").expect("test setup");
    for _ in 0..60 {
        socket.send_to(&trap, &traps).expect("sent");
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, alarms) = request(http, "/api/v1/alarms", Some(&token));
        let (_, metrics) = request(http, "/metrics", Some(&token));
        let unauthorised = metrics
            .lines()
            .find_map(|line| {
                line.strip_prefix("vigie_notifications_dropped_total{reason=\"unauthorised\"} ")
            })
            .and_then(|value| value.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if alarms.contains("system/auth-failures/receiver") && unauthorised >= 60 {
            assert!(alarms.contains("failed authentication"), "{alarms}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no alarm or count: {alarms}\n{metrics}\n{}",
            std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One HTTP/1.1 GET; the status (0 when it could not be read) and the body.
fn request(http: SocketAddr, path: &str, token: Option<&str>) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(http) else {
        return (0, String::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    if write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {http}\r\n{authorization}Connection: close\r\n\r\n"
    )
    .is_err()
    {
        return (0, String::new());
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let code = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (code, body)
}
