//! Starting the test peers: the aiosmtpd relay of `tests/smtpd/relay.py` (the interop
//! harness's [`vigie_interop::SmtpRelay`]) and `openssl s_server`, each on a free 127.0.0.1
//! port, stopped by PID when dropped.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Whether a peer is usable; when it is not, either skip (the message names the package) or,
/// with `VIGIE_REQUIRE_PEERS=1`, fail.
fn peer_available(check: &mut Command, package: &str) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return true;
    }
    assert!(
        std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
        "{package} is required (VIGIE_REQUIRE_PEERS=1) but not available"
    );
    eprintln!("skipped: {package} is not installed");
    false
}

/// Whether aiosmtpd can be imported.
pub(crate) fn aiosmtpd() -> bool {
    peer_available(
        Command::new("python3").args(["-c", "import aiosmtpd"]),
        "aiosmtpd (PyPI package `aiosmtpd`: pip install aiosmtpd)",
    )
}

/// Whether the openssl command is installed.
pub(crate) fn openssl() -> bool {
    peer_available(
        Command::new("openssl").arg("version"),
        "openssl (Debian package `openssl`)",
    )
}

pub(crate) use vigie_interop::SmtpRelay as Relay;

/// A free port: bound, then released (a small race the tests accept).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("test peer setup")
        .local_addr()
        .expect("test peer setup")
        .port()
}

/// `openssl s_server` accepting only `cipher` over TLS 1.2, with an RSA key made by openssl
/// (ring cannot generate RSA keys).
pub(crate) struct OpenSslServer {
    child: Child,
    pub(crate) port: u16,
    _dir: TempDir,
}

impl OpenSslServer {
    pub(crate) fn start(cipher: &str) -> Self {
        let dir = tempfile::tempdir().expect("test peer setup");
        let key = dir.path().join("key.pem");
        let cert = dir.path().join("cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("test peer setup");
        assert!(status.success());
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-tls1_2", "-cipher", cipher])
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("test peer setup");
        wait_listening(port);
        Self {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for OpenSslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
}

pub(crate) use vigie_interop::{ServerCert, TestPki as Pki};

/// One step of a [`scripted`] server.
pub(crate) enum Step {
    /// Write these bytes.
    Send(&'static str),
    /// Read one line from the client.
    Recv,
}

/// A one-connection TCP server on 127.0.0.1 that plays `steps`, then closes: for
/// misbehaviours no real relay produces on demand.
pub(crate) fn scripted(steps: Vec<Step>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("test peer setup");
    let port = listener.local_addr().expect("test peer setup").port();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().expect("test peer setup"));
        let mut writer = stream;
        for step in steps {
            match step {
                Step::Send(bytes) => {
                    if std::io::Write::write_all(&mut writer, bytes.as_bytes()).is_err() {
                        return;
                    }
                }
                Step::Recv => {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                }
            }
        }
    });
    port
}
