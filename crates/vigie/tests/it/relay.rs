//! aiosmtpd peers shared by the e-mail tests: vigie-notify's test relay
//! (`crates/notify/tests/smtpd/relay.py`) and a test CA for its certificates.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

/// Whether aiosmtpd is there; without it the test is skipped, unless
/// `VIGIE_REQUIRE_PEERS=1`.
pub(crate) fn aiosmtpd_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        assert!(
            std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
            "aiosmtpd is required (VIGIE_REQUIRE_PEERS=1): pip install aiosmtpd"
        );
        eprintln!("skipped: aiosmtpd (PyPI package `aiosmtpd`) is not installed");
    }
    ok
}

/// vigie-notify's test relay, stopped by PID when dropped.
pub(crate) struct Relay {
    child: Child,
    /// The port it listens on.
    pub(crate) port: u16,
    out: TempDir,
}

impl Relay {
    /// Starts `relay.py` with `args` and waits for its `READY <port>` line.
    pub(crate) fn start(args: &[&str]) -> Self {
        let out = tempfile::tempdir().expect("test peer setup");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/smtpd/relay.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(out.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("test peer setup");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("test peer setup"))
            .read_line(&mut line)
            .expect("test peer setup");
        let Some(port) = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let mut stderr = String::new();
            let _ = child
                .stderr
                .take()
                .expect("test peer setup")
                .read_to_string(&mut stderr);
            panic!("relay did not start: {line:?} {stderr}");
        };
        Self { child, port, out }
    }

    /// The contents of the messages received so far.
    pub(crate) fn received(&self) -> Vec<String> {
        (1..)
            .map_while(|n| std::fs::read(self.out.path().join(format!("{n}.eml"))).ok())
            .map(|content| String::from_utf8_lossy(&content).into_owned())
            .collect()
    }

    /// MAIL FROM and RCPT TO of message `n`.
    pub(crate) fn envelope(&self, n: u32) -> String {
        std::fs::read_to_string(self.out.path().join(format!("{n}.env"))).unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA and the server certificates it signs, as PEM files.
pub(crate) struct Pki {
    dir: TempDir,
    ca_cert: rcgen::Certificate,
    ca_key: rcgen::KeyPair,
}

impl Pki {
    pub(crate) fn new(ca_name: &str) -> Self {
        let dir = tempfile::tempdir().expect("test peer setup");
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("test peer setup");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, ca_name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("test peer setup");
        let ca_cert = params.self_signed(&ca_key).expect("test peer setup");
        Self {
            dir,
            ca_cert,
            ca_key,
        }
    }

    /// Writes `<name>.crt` (the server certificate for 127.0.0.1, CN `relay.test`, then the
    /// CA, as relays send the chain) and `<name>.key`.
    pub(crate) fn server(&self, name: &str) -> (PathBuf, PathBuf) {
        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("test peer setup");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "relay.test");
        let key = rcgen::KeyPair::generate().expect("test peer setup");
        let cert = params
            .signed_by(&key, &self.ca_cert, &self.ca_key)
            .expect("test peer setup");
        let cert_path = self.dir.path().join(format!("{name}.crt"));
        let key_path = self.dir.path().join(format!("{name}.key"));
        std::fs::write(&cert_path, format!("{}{}", cert.pem(), self.ca_cert.pem()))
            .expect("test peer setup");
        std::fs::write(&key_path, key.serialize_pem()).expect("test peer setup");
        (cert_path, key_path)
    }
}
