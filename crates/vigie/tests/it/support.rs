//! Peers and comparison helpers.

use std::fs;
use std::net::UdpSocket;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The `vigie` binary under test.
pub(crate) const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

/// True when the Net-SNMP binaries are installed. Otherwise prints which Debian packages to
/// install, or panics when `VIGIE_REQUIRE_PEERS=1`.
pub(crate) fn peers_available() -> bool {
    let missing: Vec<&str> = ["snmpget", "snmpd", "snmptrapd", "snmptrap"]
        .into_iter()
        .filter(|tool| find(tool).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "Net-SNMP binaries missing ({}): install the Debian packages `snmp snmpd snmptrapd`",
        missing.join(", ")
    );
    assert!(
        std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
        "{message}"
    );
    eprintln!("skipped: {message}");
    false
}

/// Where a Net-SNMP program is: on the PATH or in /usr/sbin (snmpd, snmptrapd).
pub(crate) fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A free UDP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind an ephemeral port");
    socket.local_addr().expect("local address").port()
}

/// A Net-SNMP daemon run for one test, stopped (by its PID) when dropped.
pub(crate) struct Daemon {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub(crate) address: String,
    /// Its working directory: configuration, persistent state, log.
    pub(crate) dir: TempDir,
}

impl Daemon {
    /// An `snmpd` with `public` read-only and `private` read-write for 127.0.0.1.
    pub(crate) fn snmpd() -> Self {
        Self::snmpd_with("")
    }

    /// An `snmpd` with extra configuration lines.
    pub(crate) fn snmpd_with(extra: &str) -> Self {
        let dir = TempDir::new().expect("temporary directory");
        let config = dir.path().join("snmpd.conf");
        fs::write(
            &config,
            format!("rocommunity public 127.0.0.1\nrwcommunity private 127.0.0.1\n{extra}"),
        )
        .expect("write snmpd.conf");
        let port = free_port();
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(find("snmpd").expect("snmpd"))
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&config)
            .args(["-I", "-smux", &format!("udp:{address}")])
            .env("MIBS", "")
            .env("SNMP_PERSISTENT_DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start snmpd");
        let daemon = Self {
            child,
            address,
            dir,
        };
        daemon.wait_for_agent();
        daemon
    }

    /// An `snmptrapd` logging to `trapd.log` in its directory.
    pub(crate) fn snmptrapd() -> Self {
        let dir = TempDir::new().expect("temporary directory");
        let config = dir.path().join("snmptrapd.conf");
        fs::write(&config, "disableAuthorization yes\n").expect("write snmptrapd.conf");
        let log = fs::File::create(dir.path().join("trapd.log")).expect("create the log");
        let port = free_port();
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(find("snmptrapd").expect("snmptrapd"))
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&config)
            .arg(format!("udp:{address}"))
            .env("MIBS", "")
            .env("SNMP_PERSISTENT_DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .expect("start snmptrapd");
        let daemon = Self {
            child,
            address,
            dir,
        };
        daemon.wait_for_log_line();
        daemon
    }

    /// The log of an `snmptrapd`.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("trapd.log")).unwrap_or_default()
    }

    fn wait_for_agent(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let output = net_snmp(
                "get",
                &[
                    "-v2c",
                    "-c",
                    "public",
                    "-t",
                    "0.2",
                    "-r",
                    "0",
                    &self.address,
                    "1.3.6.1.2.1.1.1.0",
                ],
            );
            if output.status.success() {
                return;
            }
        }
        panic!("snmpd did not answer on {}", self.address);
    }

    fn wait_for_log_line(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.log().contains("NET-SNMP version") {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("snmptrapd did not start on {}", self.address);
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs Net-SNMP's `snmp<tool>` with no MIB loaded, named as a shell would start it (its
/// messages begin with `argv[0]`).
pub(crate) fn net_snmp(tool: &str, args: &[&str]) -> Output {
    let name = format!("snmp{tool}");
    let program = find(&name).expect("Net-SNMP tool");
    let state = TempDir::new().expect("temporary directory");
    // Present already, so that the tool does not announce creating it.
    fs::create_dir(state.path().join("cert_indexes")).expect("create cert_indexes");
    // A private persistent directory: parallel runs sharing /var/lib/snmp corrupt each
    // other's snmpapp.conf, and the tools then print parse warnings.
    run(Command::new(program)
        .arg0(&name)
        .args(args)
        .env("MIBS", "")
        .env("SNMP_PERSISTENT_DIR", state.path()))
}

/// Runs `vigie <tool>`.
pub(crate) fn vigie(tool: &str, args: &[&str]) -> Output {
    run(Command::new(VIGIE).arg(tool).args(args))
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("run the tool")
}

/// What a tool printed and returned, with the usage text (which names the program and its
/// version, and differs by design) cut after its `USAGE:` line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) status: Option<i32>,
}

impl From<Output> for Outcome {
    fn from(output: Output) -> Self {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = match stderr.find("USAGE:") {
            Some(at) => format!("{}USAGE", &stderr[..at]),
            None => stderr.into_owned(),
        };
        Self {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr,
            status: output.status.code(),
        }
    }
}

/// Runs both tools with `args` and asserts they print and exit alike; returns the outcome.
pub(crate) fn same(tool: &str, args: &[&str]) -> Outcome {
    let expected = Outcome::from(net_snmp(tool, args));
    let actual = Outcome::from(vigie(tool, args));
    assert_eq!(
        actual, expected,
        "vigie {tool} {args:?} differs from snmp{tool}"
    );
    actual
}
