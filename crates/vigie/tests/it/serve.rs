//! `vigie serve` as a process: started on a temporary data directory and free loopback
//! ports, asked over HTTP, polled with Net-SNMP's `snmpget`, reloaded with SIGHUP and the
//! API, stopped with SIGTERM and with SIGKILL, and started again on the same database.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_interop::{Peer, free_udp_port, require, run_netsnmp};

use crate::support::vigie;

pub(crate) const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

/// A running `vigie serve`, killed when dropped.
pub(crate) struct Serve {
    child: Child,
    http: SocketAddr,
    stderr: PathBuf,
}

impl Serve {
    /// Starts `vigie serve --data-dir DIR --http … extra…` and waits until HTTP answers.
    pub(crate) fn start(data_dir: &Path, http: SocketAddr, extra: &[&str]) -> Self {
        Self::start_with_env(data_dir, http, extra, &[])
    }

    /// As [`start`](Self::start), with more environment variables.
    fn start_with_env(
        data_dir: &Path,
        http: SocketAddr,
        extra: &[&str],
        env: &[(&str, &Path)],
    ) -> Self {
        let stderr = data_dir.join(format!("serve-{}.log", unique()));
        let mut command = Command::new(VIGIE);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--http")
            .arg(http.to_string())
            .args(extra)
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(name, value)| (*name, *value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("test setup"));
        let child = command.spawn().expect("vigie serve starts");
        let mut serve = Self {
            child,
            http,
            stderr,
        };
        let deadline = Instant::now() + STARTUP;
        while TcpStream::connect(http).is_err() {
            if let Some(status) = serve.child.try_wait().expect("test setup") {
                panic!("vigie serve exited with {status}:\n{}", serve.log());
            }
            assert!(
                Instant::now() < deadline,
                "vigie serve did not start:\n{}",
                serve.log()
            );
            std::thread::sleep(POLL);
        }
        serve
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.pid()])
            .status()
            .expect("test setup");
        assert!(status.success());
    }

    /// Waits for the process to end and returns its exit code.
    fn wait(&mut self) -> Option<i32> {
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Some(status) = self.child.try_wait().expect("test setup") {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "vigie serve did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(POLL);
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub(crate) fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        http(self.http, "GET", path, token)
    }

    pub(crate) fn post(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        http(self.http, "POST", path, token)
    }

    pub(crate) fn post_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        http_json(self.http, "POST", path, Some(token), Some(body))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_runs_degraded_without_its_trap_port_and_restarts_on_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let http_address = free_tcp_address();
    // The trap port is taken: the receiver cannot bind it.
    let holder = UdpSocket::bind("127.0.0.1:0").unwrap();
    let taken = holder.local_addr().unwrap().to_string();
    let agent = format!("127.0.0.1:{}", free_udp_port());
    let mut serve = Serve::start(
        dir.path(),
        http_address,
        &["--traps", &taken, "--agent", &agent],
    );

    // Health answers without a token: the receiver DOWN with the reason and the fix.
    let (code, health) = serve.get("/api/v1/health", None);
    assert_eq!(code, 503, "{health}");
    let receiver = &health["components"]["receiver"];
    assert_eq!(receiver["status"], "DOWN", "{health}");
    let reason = receiver["reason"].as_str().unwrap();
    assert!(
        reason.contains(&taken) && reason.contains("fix:"),
        "{reason}"
    );
    assert_eq!(health["components"]["agent"]["status"], "UP", "{health}");
    assert_eq!(health["components"]["store"]["status"], "UP", "{health}");
    assert!(
        serve.log().contains("the trap receiver is DOWN"),
        "{}",
        serve.log()
    );
    // The first start printed the set-up page's address and a one-time setup code.
    let log = serve.log();
    assert!(
        log.contains("first start: no admin password is set")
            && log.contains(&format!("http://{http_address}/setup")),
        "{log}"
    );
    let code = setup_code(&log);
    assert_eq!(code.len(), 24, "{log}");
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric()), "{log}");

    // A token created on the command line opens the API; the built-in agent is a device.
    let data_dir = dir.path().to_str().unwrap();
    assert_eq!(serve.get("/api/v1/devices", None).0, 401);
    let created = vigie("token", &["create", "it", "--data-dir", data_dir]);
    assert!(created.success(), "{created:?}");
    let token = created.stdout.trim().to_owned();
    assert!(token.starts_with("vigie_"));
    let (code, devices) = serve.get("/api/v1/devices", Some(&token));
    assert_eq!(code, 200, "{devices}");
    let localhost = devices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|device| device["name"] == "localhost")
        .unwrap_or_else(|| panic!("localhost is listed: {devices}"));
    assert_eq!(localhost["port"].as_u64(), Some(u64::from(port_of(&agent))));
    assert!(
        !devices.to_string().contains("public"),
        "no community shown"
    );
    let listed = vigie("token", &["list", "--data-dir", data_dir]);
    assert!(listed.stdout.contains("it") && !listed.stdout.contains(&token));

    // Net-SNMP's snmpget answered by the built-in agent.
    if require(&[Peer::Snmpget]) {
        let answer = run_netsnmp(
            Peer::Snmpget,
            &["-v2c", "-c", "public", "-On", &agent, ".1.3.6.1.2.1.1.1.0"],
        );
        assert!(answer.success(), "{answer:?}");
        assert!(
            answer.stdout.starts_with(".1.3.6.1.2.1.1.1.0 = STRING: "),
            "{answer:?}"
        );
    }

    // Without a configuration file, a reload is refused and says why.
    let (code, refused) = serve.post("/api/v1/config/reload", Some(&token));
    assert_eq!(code, 422, "{refused}");

    // SIGTERM: a clean exit 0; the same database opens again, the token still valid.
    serve.signal("TERM");
    assert_eq!(serve.wait(), Some(0), "{}", serve.log());
    drop(holder);
    // The console sets the password: the next start prints no setup code.
    let mut child = Command::new(VIGIE)
        .args(["admin", "set-password", "--data-dir", data_dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "a long enough passphrase").unwrap();
    let set = child.wait_with_output().unwrap();
    assert!(set.status.success(), "{set:?}");
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let mut serve = Serve::start(
        dir.path(),
        http_address,
        &["--traps", &traps, "--agent", &agent],
    );
    let (code, health) = serve.get("/api/v1/health", None);
    assert_eq!(code, 200, "{health}");
    assert_eq!(health["components"]["receiver"]["status"], "UP");
    assert!(
        !serve.log().contains("first start"),
        "the admin password set by the console was kept"
    );

    // The built-in agent's coldStart arrives, as an inform, at the station's own receiver.
    let deadline = Instant::now() + STARTUP;
    loop {
        let (_, events) = serve.get("/api/v1/events", Some(&token));
        if events.to_string().contains("1.3.6.1.6.3.1.1.5.1") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no coldStart: {events}\n{}",
            serve.log()
        );
        std::thread::sleep(POLL);
    }
    let (code, devices) = serve.get("/api/v1/devices", Some(&token));
    assert_eq!(code, 200);
    assert_eq!(devices["items"].as_array().unwrap().len(), 1, "{devices}");

    // SIGKILL, then a start on the same database: it opens cleanly.
    serve.signal("KILL");
    assert_eq!(serve.wait(), None);
    let serve = Serve::start(
        dir.path(),
        http_address,
        &["--traps", &traps, "--agent", &agent],
    );
    let (code, health) = serve.get("/api/v1/health", None);
    assert_eq!(code, 200, "{health}\n{}", serve.log());
    assert_eq!(serve.get("/api/v1/devices", Some(&token)).0, 200);
}

#[test]
fn sighup_and_the_api_reload_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let http_address = free_tcp_address();
    let config = dir.path().join("vigie.toml");
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let base = format!(
        "[receiver]\nlisten = [\"{traps}\"]\n[agent]\nlisten = \"127.0.0.1:{}\"\n",
        free_udp_port()
    );
    std::fs::write(&config, &base).unwrap();
    let config_arg = config.to_str().unwrap();
    // systemd's readiness protocol: READY=1 once serving, RELOADING=1 around a reload.
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(STARTUP)).unwrap();
    let serve = Serve::start_with_env(
        dir.path(),
        http_address,
        &["--config", config_arg],
        &[("NOTIFY_SOCKET", &notify_path)],
    );
    assert_eq!(notified(&notify), "READY=1");
    let data_dir = dir.path().to_str().unwrap();
    let token = vigie("token", &["create", "reload", "--data-dir", data_dir])
        .stdout
        .trim()
        .to_owned();

    // A trap from Net-SNMP's snmptrap is stored and read back through the API.
    if require(&[Peer::Snmptrap]) {
        let sent = run_netsnmp(
            Peer::Snmptrap,
            &[
                "-v2c",
                "-c",
                "public",
                &traps,
                "",
                ".1.3.6.1.6.3.1.1.5.3",
                ".1.3.6.1.2.1.2.2.1.1.7",
                "i",
                "7",
            ],
        );
        assert!(sent.success(), "{sent:?}");
        let deadline = Instant::now() + STARTUP;
        loop {
            let (code, events) = serve.get("/api/v1/events", Some(&token));
            assert_eq!(code, 200, "{events}");
            let text = events.to_string();
            if text.contains("1.3.6.1.6.3.1.1.5.3") || text.contains("linkDown") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the trap was not stored: {events}\n{}",
                serve.log()
            );
            std::thread::sleep(POLL);
        }
    }

    // SIGHUP: a device added to the file appears in the inventory.
    std::fs::write(
        &config,
        format!("{base}[[devices]]\nname = \"r2\"\naddress = \"192.0.2.2\"\ncommunity = \"c\"\n"),
    )
    .unwrap();
    serve.signal("HUP");
    assert_eq!(notified(&notify), "RELOADING=1");
    assert_eq!(notified(&notify), "READY=1");
    let deadline = Instant::now() + STARTUP;
    loop {
        let (_, devices) = serve.get("/api/v1/devices", Some(&token));
        if devices.to_string().contains("\"r2\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "r2 never appeared:\n{}",
            serve.log()
        );
        std::thread::sleep(POLL);
    }

    // The API: what applies live is applied, what needs a restart is named.
    std::fs::write(
        &config,
        format!(
            "{base}[storage]\nretention_days = 7\ndurability = \"normal\"\n\
             [[devices]]\nname = \"r2\"\naddress = \"192.0.2.2\"\ncommunity = \"c\"\n"
        ),
    )
    .unwrap();
    let (code, answer) = serve.post("/api/v1/config/reload", Some(&token));
    assert_eq!(code, 200, "{answer}");
    assert_eq!(
        answer["applied"],
        serde_json::json!(["[storage] retention_days"])
    );
    assert_eq!(
        answer["restart_required"],
        serde_json::json!(["[storage] durability"])
    );

    // A broken file is refused with file, line and field; the running configuration stays.
    std::fs::write(
        &config,
        format!("{base}[storage]\nretention_days = \"x\"\n"),
    )
    .unwrap();
    let (code, refused) = serve.post("/api/v1/config/reload", Some(&token));
    assert_eq!(code, 422, "{refused}");
    let error = refused["error"].as_str().unwrap();
    assert!(error.contains("vigie.toml:6:"), "{error}");
    assert_eq!(serve.get("/api/v1/health", None).0, 200);
    assert_eq!(serve.post("/api/v1/config/reload", None).0, 401);
}

#[test]
fn config_errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.toml");
    std::fs::write(&path, "[server]\n\n[receiver]\nlisten = [\"x\"]\n").unwrap();
    let outcome = vigie(
        "serve",
        &["--config", path.to_str().unwrap(), "--check-config"],
    );
    assert_eq!(outcome.status, Some(1));
    assert_eq!(
        outcome.stderr.trim(),
        format!(
            "vigie serve: {}:4: [receiver] listen: invalid address \"x\"",
            path.display()
        )
    );
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vigie.example.toml");
    let outcome = vigie("serve", &["--config", example, "--check-config"]);
    assert!(outcome.success(), "{outcome:?}");
}

#[test]
fn admin_set_password_reads_stdin_and_refuses_short_ones() {
    let dir = tempfile::tempdir().unwrap();
    let set = |password: &str| {
        let mut child = Command::new(VIGIE)
            .args(["admin", "set-password", "--data-dir"])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = set("too-short");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("at least 12 characters"), "{stderr}");
    let (code, stderr) = set("a long enough passphrase");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !stderr.contains("passphrase"),
        "the password is not echoed: {stderr}"
    );
}

/// The setup code of a first start's message: the indented line after "setup code".
fn setup_code(log: &str) -> String {
    let after = log.split_once("setup code").map_or("", |(_, after)| after);
    after
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.contains(' '))
        .unwrap_or_default()
        .to_owned()
}

/// The next state sent to the readiness socket.
fn notified(socket: &UnixDatagram) -> String {
    let mut buffer = [0_u8; 256];
    let n = socket.recv(&mut buffer).expect("a readiness notification");
    String::from_utf8_lossy(buffer.get(..n).expect("recv returns at most the buffer")).into_owned()
}

/// One HTTP/1.1 request with `Connection: close`; the status and the JSON body.
fn http(address: SocketAddr, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    http_json(address, method, path, token, None)
}

/// One HTTP/1.1 request with `Connection: close` and, when given, a JSON body; the status
/// and the JSON answer.
pub(crate) fn http_json(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).expect("test setup");
    stream.set_read_timeout(Some(STARTUP)).expect("test setup");
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let body = body.map(Value::to_string).unwrap_or_default();
    let content_type = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}{content_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("test setup");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("test setup");
    let (head, body) = response.split_once("\r\n\r\n").expect("test setup");
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("test setup");
    (code, serde_json::from_str(body).unwrap_or(Value::Null))
}

pub(crate) fn free_tcp_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .expect("test setup")
        .local_addr()
        .expect("test setup")
}

fn port_of(address: &str) -> u16 {
    address.parse::<SocketAddr>().expect("test setup").port()
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("test setup")
        .as_nanos()
}

const STARTUP: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);
