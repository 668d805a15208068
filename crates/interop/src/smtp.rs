//! vigie-notify's SMTP test relay: aiosmtpd (from `PyPI`) running
//! `crates/notify/tests/smtpd/relay.py` on a free loopback port, with STARTTLS, implicit TLS,
//! AUTH or injected replies as its arguments say, stopped by PID when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

/// The relay's script, in vigie-notify's tests.
pub fn relay_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/smtpd/relay.py")
}

/// Whether aiosmtpd can be imported; without it the test is skipped (and says so), unless
/// `VIGIE_REQUIRE_PEERS=1` makes its absence a failure.
pub fn aiosmtpd_available() -> bool {
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

/// A running relay.
#[derive(Debug)]
pub struct SmtpRelay {
    child: Child,
    port: u16,
    out: TempDir,
}

/// A message the relay accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `MAIL FROM` and `RCPT TO`, one line each, as the relay wrote them.
    pub envelope: Vec<String>,
    /// The message as received.
    pub content: String,
}

impl SmtpRelay {
    /// Starts the relay with `args` (`--starttls`, `--auth USER:PASS`, …) and waits for its
    /// `READY <port>` line.
    pub fn start<S: AsRef<OsStr>>(args: &[S]) -> Self {
        let out = tempfile::tempdir().expect("a directory for the relay's messages");
        // aiosmtpd logs its warnings to stderr: into a file, since a pipe nobody reads
        // fills after 64 KiB and then blocks the relay's event loop (after about a thousand
        // sessions).
        let log = out.path().join("relay.log");
        let mut child = Command::new("python3")
            .arg(relay_script())
            .arg("--out")
            .arg(out.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("the relay's log file"))
            .spawn()
            .expect("python3 starts the relay");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("the relay's piped stdout"))
            .read_line(&mut line)
            .expect("the relay's first line");
        let Some(port) = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|port| port.parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("the relay did not start: {line:?} {stderr}");
        };
        Self { child, port, out }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut messages = Vec::new();
        for n in 1.. {
            let base = self.out.path().join(n.to_string());
            let Ok(content) = std::fs::read(base.with_extension("eml")) else {
                break;
            };
            let envelope = std::fs::read_to_string(base.with_extension("env")).unwrap_or_default();
            messages.push(Received {
                envelope: envelope.lines().map(str::to_owned).collect(),
                content: String::from_utf8_lossy(&content).into_owned(),
            });
        }
        messages
    }

    /// The contents of the messages accepted so far, in order.
    pub fn contents(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .map(|message| message.content)
            .collect()
    }
}

impl Drop for SmtpRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_sent_in_plain_smtp_is_read_back_with_its_envelope() {
        use std::io::Write;

        if !aiosmtpd_available() {
            return;
        }
        let relay = SmtpRelay::start(&["--mode", "plain"]);
        assert_eq!(relay.received(), Vec::new());
        let stream = std::net::TcpStream::connect(("127.0.0.1", relay.port())).expect("connect");
        let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        let mut writer = stream;
        let mut reply = || {
            // A reply's last line has a space after its code.
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("a reply");
                if line.len() < 4 || line.as_bytes()[3] == b' ' {
                    return line;
                }
            }
        };
        assert!(reply().starts_with("220"));
        for (command, code) in [
            ("EHLO client.test", "250"),
            ("MAIL FROM:<noc@example.net>", "250"),
            ("RCPT TO:<oncall@example.net>", "250"),
            ("DATA", "354"),
            ("Subject: test\r\n\r\nlinkDown on ge-0/0/1\r\n.", "250"),
            ("QUIT", "221"),
        ] {
            writer
                .write_all(format!("{command}\r\n").as_bytes())
                .expect("send");
            let line = reply();
            assert!(line.starts_with(code), "{command}: {line}");
        }
        let received = relay.received();
        assert_eq!(received.len(), 1, "{received:?}");
        assert!(
            received[0].content.contains("linkDown on ge-0/0/1"),
            "{received:?}"
        );
        let envelope = received[0].envelope.join("\n");
        assert!(envelope.contains("noc@example.net"), "{envelope}");
        assert!(envelope.contains("oncall@example.net"), "{envelope}");
    }
}
