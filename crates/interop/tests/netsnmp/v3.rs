//! `SNMPv3` against Net-SNMP 5.9.3: every authentication × privacy protocol pair `snmpd`
//! knows, for get, walk, bulkwalk and set, vigie's output next to Net-SNMP's tools'; the
//! failures (wrong passwords, unknown user, unsupported level) with their messages and exit
//! statuses; `vigie trap -v3` and `vigie inform -v3` received by `snmptrapd`.
//!
//! One `snmpd` serves every user; the cases run on a few threads. The matrix is printed on
//! the test process's stderr, past libtest's capture (`cargo test -p vigie-interop --test
//! netsnmp v3_`), and kept in `docs/interop.md`.

use std::fmt::Write as _;
use std::fs;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use vigie_interop::{
    Pair, Peer, Snmpd, SnmpdConfig, compare, compare_as_shell, free_udp_port, require,
};

use crate::{SYS_CONTACT_0, SYS_NAME_0, SYSTEM};

/// Net-SNMP's authentication protocols: the name in `createUser` and in `-a`.
const AUTH: [&str; 6] = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];

/// Net-SNMP's privacy protocols: the name in `createUser`, then in `-x`; `None` is
/// authNoPriv.
const PRIV: [Option<(&str, &str)>; 7] = [
    None,
    Some(("DES", "DES")),
    Some(("AES", "AES")),
    Some(("AES-192", "AES192")),
    Some(("AES-256", "AES256")),
    Some(("AES192C", "AES192C")),
    Some(("AES256C", "AES256C")),
];

const AUTH_PASS: &str = "authpass-v3";
const PRIV_PASS: &str = "privpass-v3";

/// One user of the matrix.
#[derive(Debug, Clone)]
struct User {
    name: String,
    auth: &'static str,
    privacy: Option<&'static str>,
}

impl User {
    /// The `-v3 -u … -l … -a … -A … [-x … -X …]` arguments.
    fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["-v3", "-u", &self.name, "-a", self.auth, "-A", AUTH_PASS]
            .iter()
            .map(|arg| (*arg).to_owned())
            .collect();
        match self.privacy {
            Some(privacy) => {
                args.extend(["-l", "authPriv", "-x", privacy, "-X", PRIV_PASS].map(str::to_owned));
            }
            None => args.extend(["-l", "authNoPriv"].map(str::to_owned)),
        }
        args
    }
}

/// Every (auth, priv) user, and the `snmpd.conf` lines that create them with write access.
fn users() -> (Vec<User>, String) {
    let mut users = Vec::new();
    let mut conf = String::new();
    for auth in AUTH {
        for privacy in PRIV {
            let name = format!(
                "{}-{}",
                auth.to_ascii_lowercase(),
                privacy
                    .map_or("none", |(conf_name, _)| conf_name)
                    .to_ascii_lowercase()
            );
            match privacy {
                Some((conf_name, _)) => {
                    let _ = writeln!(
                        conf,
                        "createUser {name} {auth} {AUTH_PASS} {conf_name} {PRIV_PASS}\nrwuser {name} priv"
                    );
                }
                None => {
                    let _ = writeln!(
                        conf,
                        "createUser {name} {auth} {AUTH_PASS}\nrwuser {name} auth"
                    );
                }
            }
            users.push(User {
                name,
                auth,
                privacy: privacy.map(|(_, flag)| flag),
            });
        }
    }
    (users, conf)
}

/// The operations of the matrix: the tool and its arguments after the user's.
fn operations(target: &str, user: &User) -> Vec<(&'static str, Peer, Vec<String>)> {
    let value = format!("set by {}", user.name);
    vec![
        (
            "get",
            Peer::Snmpget,
            vec![target.to_owned(), SYS_NAME_0.to_owned()],
        ),
        (
            "walk",
            Peer::Snmpwalk,
            vec![target.to_owned(), SYSTEM.to_owned()],
        ),
        (
            "bulkwalk",
            Peer::Snmpbulkwalk,
            vec![target.to_owned(), SYSTEM.to_owned()],
        ),
        (
            "set",
            Peer::Snmpset,
            vec![
                target.to_owned(),
                SYS_CONTACT_0.to_owned(),
                "s".to_owned(),
                value,
            ],
        ),
    ]
}

/// How many cases run at once: the tools are mostly waiting for snmpd, but password-to-key
/// costs a megabyte of hashing per key.
const WORKERS: usize = 4;

/// Runs `cases` on [`WORKERS`] threads, returning their results in order.
fn in_parallel<C: Sync, R: Send>(cases: &[C], run: impl Fn(&C) -> R + Sync) -> Vec<R> {
    let next = Mutex::new(0_usize);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..cases.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(case) = cases.get(index) else { return };
                    let result = run(case);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|result| result.expect("every case ran"))
        .collect()
}

/// Writes `text` on the process's stderr, where libtest does not capture it.
fn show(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Every auth × priv user, for get, walk, bulkwalk and set: vigie's stdout, stderr and exit
/// status equal Net-SNMP's. Prints the matrix.
#[test]
fn v3_matrix() {
    let tools = [
        Peer::Snmpget,
        Peer::Snmpwalk,
        Peer::Snmpbulkwalk,
        Peer::Snmpset,
    ];
    if !require(&tools) {
        return;
    }
    let (users, conf) = users();
    let Some(agent) = Snmpd::start_with(&SnmpdConfig {
        writable_system: true,
        extra: conf,
    }) else {
        return;
    };
    let target = agent.target();
    let mut cases = Vec::new();
    for user in &users {
        for (operation, tool, rest) in operations(&target, user) {
            let mut args = user.args();
            args.extend(rest);
            cases.push((user.clone(), operation, tool, args));
        }
    }
    let started = Instant::now();
    // Reads first, then the sets, so that no walk sees another user's set between its
    // Net-SNMP run and its vigie run.
    let run = |(_, operation, tool, args): &(User, &str, Peer, Vec<String>), sets: bool| {
        ((*operation == "set") == sets)
            .then(|| compare(*tool, &as_strs(args)).masked(vigie_interop::mask_timeticks))
    };
    let reads = in_parallel(&cases, |case| run(case, false));
    let sets = in_parallel(&cases, |case| run(case, true));
    let results: Vec<Pair> = reads
        .into_iter()
        .zip(sets)
        .map(|(read, set)| read.or(set).expect("every case is a read or a set"))
        .collect();
    let mut failures = Vec::new();
    let mut matrix = String::from("| auth \\ priv |");
    for privacy in PRIV {
        let _ = write!(matrix, " {} |", privacy.map_or("none", |(_, flag)| flag));
    }
    matrix.push_str("\n|---|");
    matrix.push_str(&"---|".repeat(PRIV.len()));
    for (row, auth) in AUTH.iter().enumerate() {
        let _ = write!(matrix, "\n| {auth} |");
        for column in 0..PRIV.len() {
            let user_index = row * PRIV.len() + column;
            let mut cell = Vec::new();
            for (offset, (_, operation, tool, args)) in
                cases.iter().enumerate().skip(user_index * 4).take(4)
            {
                let pair: &Pair = &results[offset];
                let same = pair.differences().is_empty() && pair.netsnmp.success();
                cell.push(if same { "✓" } else { "✗" });
                if !same {
                    failures.push(format!(
                        "{operation} {tool:?} {}:\n  {}",
                        args.join(" "),
                        pair.differences().join("\n  ")
                    ));
                }
            }
            let _ = write!(matrix, " {} |", cell.concat());
        }
    }
    show(&format!(
        "SNMPv3 matrix (each cell: get, walk, bulkwalk, set; ✓ = vigie's output equals \
         Net-SNMP's), {} cases in {:.1?}:\n{matrix}",
        cases.len(),
        started.elapsed()
    ));
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The failures Net-SNMP names: both tools print the same message and exit alike.
#[test]
fn v3_failures_are_named_alike() {
    if !require(&[Peer::Snmpget, Peer::Snmpwalk]) {
        return;
    }
    let conf = format!(
        "createUser sha-aes SHA {AUTH_PASS} AES {PRIV_PASS}\nrouser sha-aes priv\n\
         createUser noauth\nrouser noauth noauth\n"
    );
    let Some(agent) = Snmpd::start(&conf) else {
        return;
    };
    let target = agent.target();
    let cases: Vec<(&str, Peer, Vec<&str>)> = vec![
        (
            "wrong authentication password",
            Peer::Snmpget,
            vec![
                "-v3",
                "-u",
                "sha-aes",
                "-l",
                "authNoPriv",
                "-a",
                "SHA",
                "-A",
                "wrong-password",
            ],
        ),
        (
            "wrong authentication protocol",
            Peer::Snmpwalk,
            vec![
                "-v3",
                "-u",
                "sha-aes",
                "-l",
                "authNoPriv",
                "-a",
                "MD5",
                "-A",
                AUTH_PASS,
            ],
        ),
        (
            "unknown user",
            Peer::Snmpget,
            vec![
                "-v3",
                "-u",
                "nobody",
                "-l",
                "authNoPriv",
                "-a",
                "SHA",
                "-A",
                AUTH_PASS,
            ],
        ),
        (
            "unsupported security level",
            Peer::Snmpget,
            vec![
                "-v3",
                "-u",
                "noauth",
                "-l",
                "authNoPriv",
                "-a",
                "SHA",
                "-A",
                AUTH_PASS,
            ],
        ),
        (
            "noAuthNoPriv user",
            Peer::Snmpget,
            vec!["-v3", "-u", "noauth"],
        ),
        (
            "password too short",
            Peer::Snmpget,
            vec![
                "-v3",
                "-u",
                "sha-aes",
                "-l",
                "authNoPriv",
                "-a",
                "SHA",
                "-A",
                "short",
            ],
        ),
        (
            "bad security level",
            Peer::Snmpget,
            vec!["-v3", "-u", "sha-aes", "-l", "maximum"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, tool, mut args) in cases {
        args.extend([target.as_str(), SYS_NAME_0]);
        let pair = compare_as_shell(tool, &args).usage_cut();
        show(&format!(
            "{name}: exit {:?}, {}",
            pair.netsnmp.status,
            pair.netsnmp.stderr.trim()
        ));
        if !pair.differences().is_empty() {
            failures.push(format!("{name}:\n  {}", pair.differences().join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A wrong privacy password: snmpd drops the request without a Report, so both tools time
/// out with the same first line and status; vigie adds what the silence likely means, and
/// for a 192/256-bit AES the other key-extension scheme.
#[test]
fn v3_wrong_privacy_password_times_out_with_a_hint() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let conf = format!(
        "createUser sha-aes192 SHA {AUTH_PASS} AES-192 {PRIV_PASS}\nrouser sha-aes192 priv\n"
    );
    let Some(agent) = Snmpd::start(&conf) else {
        return;
    };
    let target = agent.target();
    for (privacy, password, hint) in [
        ("AES192", "wrong-password", "try AES192C instead of AES192"),
        ("AES192C", PRIV_PASS, "try AES192 instead of AES192C"),
    ] {
        let args = [
            "-v3",
            "-u",
            "sha-aes192",
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            AUTH_PASS,
            "-x",
            privacy,
            "-X",
            password,
            "-t",
            "0.3",
            "-r",
            "0",
            &target,
            SYS_NAME_0,
        ];
        let pair = compare(Peer::Snmpget, &args);
        let expected = format!("Timeout: No Response from {target}.\n");
        assert_eq!(pair.netsnmp.stderr, expected, "{privacy}");
        assert!(
            pair.vigie.stderr.starts_with(&expected),
            "{}",
            pair.vigie.stderr
        );
        assert!(pair.vigie.stderr.contains(hint), "{}", pair.vigie.stderr);
        assert_eq!(pair.vigie.status, pair.netsnmp.status, "{privacy}");
        assert_eq!(pair.vigie.stdout, pair.netsnmp.stdout, "{privacy}");
    }
}

/// The engine ID of the trap sender, which `snmptrapd` must know the user under.
const TRAP_ENGINE_ID: &str = "0x8000000001020304";

/// `snmptrapd` with a v3 trap user (localized to the sender's engine ID, as traps need) and
/// a v3 inform user (localized to snmptrapd's own engine, which informs discover), killed
/// when dropped.
struct TrapReceiver {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TrapReceiver {
    fn start() -> Option<Self> {
        let program = Peer::Snmptrapd.path()?;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let conf = dir.path().join("snmptrapd.conf");
        let log = dir.path().join("snmptrapd.log");
        let persist = dir.path().join("persist");
        fs::create_dir_all(&persist).expect("the persistent directory");
        fs::write(
            &conf,
            format!(
                "[snmp] persistentDir {}\n\
                 createUser -e {TRAP_ENGINE_ID} trapuser SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n\
                 createUser informuser SHA {AUTH_PASS} AES256C {PRIV_PASS}\n\
                 authUser log trapuser\nauthUser log informuser\n",
                persist.display()
            ),
        )
        .expect("the configuration");
        let port = free_udp_port();
        let child = Command::new(program)
            .args(["-f", "-C", "-n", "-c"])
            .arg(&conf)
            .arg("-Lf")
            .arg(&log)
            .args(["-F", "%V\\n%v\\n"])
            .arg(format!("udp:127.0.0.1:{port}"))
            .env("SNMP_PERSISTENT_DIR", &persist)
            .env("MIBS", "")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("snmptrapd starts");
        let receiver = Self {
            child,
            port,
            log,
            _dir: dir,
        };
        // snmptrapd logs a line once it listens.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && !receiver.log_text().contains("NET-SNMP version") {
            thread::sleep(Duration::from_millis(50));
        }
        Some(receiver)
    }

    fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `needle` is in the log.
    fn wait_for(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.log_text().contains(needle) {
                return true;
            }
            thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for TrapReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `vigie trap -v3` (the sender authoritative, `-e` its engine ID) and `vigie inform -v3`
/// (the receiver authoritative, discovered) reach `snmptrapd`, as Net-SNMP's tools do.
#[test]
fn v3_trap_and_inform_reach_snmptrapd() {
    if !require(&[Peer::Snmptrapd, Peer::Snmptrap, Peer::Snmpinform]) {
        return;
    }
    let Some(receiver) = TrapReceiver::start() else {
        return;
    };
    let target = format!("127.0.0.1:{}", receiver.port);
    let trap_user = [
        "-v3",
        "-e",
        TRAP_ENGINE_ID,
        "-u",
        "trapuser",
        "-l",
        "authPriv",
        "-a",
        "SHA-256",
        "-A",
        AUTH_PASS,
        "-x",
        "AES",
        "-X",
        PRIV_PASS,
    ];
    let inform_user = [
        "-v3",
        "-u",
        "informuser",
        "-l",
        "authPriv",
        "-a",
        "SHA",
        "-A",
        AUTH_PASS,
        "-x",
        "AES256C",
        "-X",
        PRIV_PASS,
    ];
    let mut report = Vec::new();
    for (tool, user, text) in [
        (Peer::Snmptrap, &trap_user[..], "v3-trap"),
        (Peer::Snmpinform, &inform_user[..], "v3-inform"),
    ] {
        for side in ["netsnmp", "vigie"] {
            let marker = format!("{text}-from-{side}");
            let mut args: Vec<&str> = user.to_vec();
            args.extend([
                target.as_str(),
                "",
                ".1.3.6.1.6.3.1.1.5.1",
                ".1.3.6.1.2.1.1.5.0",
                "s",
                &marker,
            ]);
            let outcome = if side == "netsnmp" {
                vigie_interop::run_netsnmp(tool, &args)
            } else {
                let mut vigie_args = vec![tool.vigie_subcommand().expect("a vigie subcommand")];
                vigie_args.extend(args.iter().copied());
                vigie_interop::run(&vigie_interop::vigie_bin(), &vigie_args)
            };
            assert!(outcome.success(), "{side} {tool:?}: {outcome:?}");
            let received = receiver.wait_for(&marker);
            report.push(format!(
                "{tool:?} from {side}: {}",
                if received { "received" } else { "MISSING" }
            ));
            assert!(
                received,
                "{marker} never reached snmptrapd; log:\n{}",
                receiver.log_text()
            );
        }
    }
    show(&report.join("\n"));
}

/// A pysnmp command responder with two 3DES users, which Net-SNMP lacks: the independent
/// implementation 3DES-EDE (draft-reeder-snmpv3-usm-3desede-00) is checked against.
const PYSNMP_AGENT: &str = r#"
import sys
from pysnmp.entity import engine, config
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.carrier.asyncio.dgram import udp

snmp_engine = engine.SnmpEngine()
transport = udp.UdpTransport().open_server_mode(("127.0.0.1", int(sys.argv[1])))
config.add_transport(snmp_engine, udp.DOMAIN_NAME, transport)
users = (("sha-3des", config.USM_AUTH_HMAC96_SHA), ("md5-3des", config.USM_AUTH_HMAC96_MD5))
for name, auth in users:
    config.add_v3_user(snmp_engine, name, auth, sys.argv[2], config.USM_PRIV_CBC168_3DES, sys.argv[3])
    config.add_vacm_user(snmp_engine, 3, name, "authPriv", (1, 3, 6), (1, 3, 6))
snmp_context = context.SnmpContext(snmp_engine)
cmdrsp.GetCommandResponder(snmp_engine, snmp_context)
cmdrsp.NextCommandResponder(snmp_engine, snmp_context)
cmdrsp.BulkCommandResponder(snmp_engine, snmp_context)
print("ready", flush=True)
snmp_engine.transport_dispatcher.job_started(1)
snmp_engine.open_dispatcher()
"#;

/// A running pysnmp agent, killed when dropped.
struct Pysnmp {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Pysnmp {
    /// `None`, with a message, when python3 or pysnmp is missing; with
    /// `VIGIE_REQUIRE_PEERS=1` that is a failure instead.
    fn start() -> Option<Self> {
        let importable = Command::new("python3")
            .args(["-c", "import pysnmp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !importable {
            let message = "pysnmp is missing (pip install pysnmp): 3DES not checked";
            assert!(
                std::env::var_os("VIGIE_REQUIRE_PEERS").is_none_or(|value| value != "1"),
                "{message}"
            );
            show(&format!("skipped: {message}"));
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let script = dir.path().join("agent.py");
        fs::write(&script, PYSNMP_AGENT).expect("the agent script");
        let port = free_udp_port();
        let mut child = Command::new("python3")
            .arg(&script)
            .args([&port.to_string(), AUTH_PASS, PRIV_PASS])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts");
        let mut ready = String::new();
        if let Some(stdout) = child.stdout.take() {
            use std::io::BufRead as _;
            let _ = std::io::BufReader::new(stdout).read_line(&mut ready);
        }
        assert_eq!(ready.trim(), "ready", "the pysnmp agent did not start");
        Some(Self {
            child,
            port,
            _dir: dir,
        })
    }
}

impl Drop for Pysnmp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 3DES-EDE, which Net-SNMP lacks, against pysnmp: get and walk succeed with MD5 and SHA, and
/// a wrong privacy password is named from pysnmp's `usmStatsDecryptionErrors` Report.
#[test]
fn v3_triple_des_against_pysnmp() {
    let Some(agent) = Pysnmp::start() else {
        return;
    };
    let target = format!("127.0.0.1:{}", agent.port);
    let vigie = |args: &[&str]| vigie_interop::run(&vigie_interop::vigie_bin(), args);
    for (user, auth) in [("sha-3des", "SHA"), ("md5-3des", "MD5")] {
        let secured = [
            "-v3", "-u", user, "-l", "authPriv", "-a", auth, "-A", AUTH_PASS, "-x", "3DES", "-X",
        ];
        let mut get = vec!["get"];
        get.extend(secured);
        get.extend([PRIV_PASS, "-On", &target, crate::SYS_DESCR_0]);
        let outcome = vigie(&get);
        assert!(outcome.success(), "{outcome:?}");
        assert!(
            outcome
                .stdout
                .starts_with(".1.3.6.1.2.1.1.1.0 = STRING: \"PySNMP engine"),
            "{outcome:?}"
        );
        let mut walk = vec!["walk"];
        walk.extend(secured);
        walk.extend([PRIV_PASS, "-On", &target, SYSTEM]);
        let outcome = vigie(&walk);
        assert!(outcome.success(), "{outcome:?}");
        assert!(outcome.stdout.lines().count() >= 7, "{outcome:?}");
        let mut wrong = vec!["get"];
        wrong.extend(secured);
        wrong.extend(["wrong-password", "-r", "0", &target, crate::SYS_DESCR_0]);
        let outcome = vigie(&wrong);
        assert_eq!(outcome.status, Some(1), "{outcome:?}");
        assert_eq!(outcome.stderr, "snmpget: Decryption error\n", "{outcome:?}");
        show(&format!(
            "3DES with {auth} against pysnmp: get, walk, wrong password named"
        ));
    }
}
