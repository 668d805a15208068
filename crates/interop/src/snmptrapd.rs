//! A Net-SNMP `snmptrapd` on a free loopback port, logging every notification to a file.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::peer::{Peer, require};
use crate::process::{Daemon, Sandbox};
use crate::snmpd::{free_udp_port, write_file};

/// A running `snmptrapd`, killed when dropped.
///
/// It accepts every notification (`disableAuthorization yes`), acknowledges informs, and
/// logs each one as one record in a fixed format (see [`Snmptrapd::notifications`]).
#[derive(Debug)]
pub struct Snmptrapd {
    child: Daemon,
    port: u16,
    log: PathBuf,
    // Kept alive for the configuration and the log.
    _sandbox: Sandbox,
}

impl Snmptrapd {
    /// Starts a receiver. `None` when `snmptrapd` is not installed (see [`require`]).
    ///
    /// # Panics
    ///
    /// When it does not come up within 5 s, with its log.
    pub fn start() -> Option<Self> {
        Self::launch(LogFormat::Records, "")
    }

    /// [`start`](Self::start) with more lines in its configuration (`createUser …` for
    /// v3 senders).
    ///
    /// # Panics
    ///
    /// When it does not come up within 5 s, with its log.
    pub fn start_with(conf_extra: &str) -> Option<Self> {
        Self::launch(LogFormat::Records, conf_extra)
    }

    /// Starts a receiver that logs in snmptrapd's own default format (no `-F`) and names
    /// senders by host name (no `-n`), as an operator sees it: date, sender, `Enterprise
    /// Specific Trap (17) Uptime: …`, the varbinds separated by tabs. Read it with [`Snmptrapd::log`];
    /// [`Snmptrapd::notifications`] finds no record in it. `None` when `snmptrapd` is not
    /// installed (see [`require`]).
    ///
    /// # Panics
    ///
    /// When it does not come up within 5 s, with its log.
    pub fn start_netsnmp_format() -> Option<Self> {
        Self::launch(LogFormat::NetSnmp, "")
    }

    /// Starts a receiver that logs in `format`.
    fn launch(format: LogFormat, conf_extra: &str) -> Option<Self> {
        if !require(&[Peer::Snmptrapd]) {
            return None;
        }
        let program = Peer::Snmptrapd.path()?;
        let mut last_log = String::new();
        // A port found free can be taken by another test before snmptrapd binds it: retry.
        for _ in 0..START_ATTEMPTS {
            let sandbox = Sandbox::new();
            let port = free_udp_port();
            let conf = sandbox.path().join("snmptrapd.conf");
            let log = sandbox.path().join("snmptrapd.log");
            write_file(
                &conf,
                &format!(
                    "[snmp] persistentDir {}\ndisableAuthorization yes\n{conf_extra}\n",
                    sandbox.persist().display()
                ),
            );
            let mut command = Command::new(&program);
            command.args(["-f", "-C", "-X"]);
            if format == LogFormat::Records {
                command.arg("-n");
            }
            command.arg("-c").arg(&conf).arg("-Lf").arg(&log);
            if format == LogFormat::Records {
                command.args(["-F", FORMAT]);
            }
            command
                .arg(format!("udp:127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            sandbox.apply(&mut command);
            let child = Daemon::spawn(&mut command, &program);
            let mut receiver = Self {
                child,
                port,
                log,
                _sandbox: sandbox,
            };
            match receiver.wait_ready() {
                Some(true) => return Some(receiver),
                Some(false) => last_log = receiver.log(),
                None => panic!(
                    "snmptrapd on port {port} did not start within {READY_TIMEOUT:?}; log:\n{}",
                    receiver.log()
                ),
            }
        }
        panic!("snmptrapd exited at start {START_ATTEMPTS} times; last log:\n{last_log}");
    }

    /// The UDP port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The receiver address for the tools: `127.0.0.1:PORT`.
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The notifications received so far, in arrival order.
    ///
    /// One record per notification, fields separated by `|`: security information (PDU
    /// kind, version, community), enterprise, generic trap, specific trap, v1 time-stamp,
    /// v1 agent address, then the varbinds, each as Net-SNMP prints it. The receipt time
    /// and the sender's port are left out, so two senders of the same notification log
    /// the same record.
    pub fn notifications(&self) -> Vec<String> {
        parse_records(&self.log())
    }

    /// Waits up to 10 s until at least `count` notifications have arrived and returns all
    /// of them (fewer on timeout: the caller asserts the count).
    pub fn wait_for(&self, count: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let records = self.notifications();
            if records.len() >= count || started.elapsed() >= NOTIFICATION_TIMEOUT {
                return records;
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// The receiver's log so far, for diagnostics.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the start-up line snmptrapd logs once its transports are open.
    /// `Some(true)`: ready; `Some(false)`: it exited; `None`: timeout.
    fn wait_ready(&mut self) -> Option<bool> {
        let started = Instant::now();
        while started.elapsed() < READY_TIMEOUT {
            if self.log().contains(STARTED) {
                return Some(true);
            }
            if self.child.has_exited() {
                return Some(false);
            }
            thread::sleep(POLL_INTERVAL);
        }
        None
    }
}

/// How a receiver writes notifications to its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    /// One record each, in [`FORMAT`], senders by address.
    Records,
    /// snmptrapd's default format, senders by host name.
    NetSnmp,
}

/// Splits a log into the records written with [`FORMAT`]. A record may span lines (a
/// string varbind can hold a newline), so it runs from its start marker at the start of a
/// line to the next end marker at the end of a line.
fn parse_records(log: &str) -> Vec<String> {
    let mut records = Vec::new();
    let mut rest = log;
    while let Some(start) = find_at_line_start(rest, RECORD_START) {
        let body = &rest[start + RECORD_START.len()..];
        let Some(end) = body.find(RECORD_END) else {
            // An incomplete record is still being written.
            break;
        };
        records.push(body[..end].to_owned());
        rest = &body[end + RECORD_END.len()..];
    }
    records
}

/// The offset of the first `marker` that starts a line of `text`.
fn find_at_line_start(text: &str, marker: &str) -> Option<usize> {
    let mut offset = 0;
    loop {
        let found = offset + text[offset..].find(marker)?;
        if found == 0 || text[..found].ends_with('\n') {
            return Some(found);
        }
        offset = found + marker.len();
    }
}

/// The `-F` format: `%V|` makes `|` the varbind separator; `%P` security information, `%N`
/// enterprise, `%w` generic trap, `%q` specific trap, `%T` v1 time-stamp, `%a` agent
/// address, `%v` varbinds (`man snmptrapd`, "FORMAT SPECIFICATIONS").
const FORMAT: &str = "NOTIFICATION %V|%P|%N|%w|%q|%T|%a|%v END\n";
/// What starts a record in the log.
const RECORD_START: &str = "NOTIFICATION ";
/// What ends a record in the log.
const RECORD_END: &str = " END\n";
/// What snmptrapd logs when it is ready.
const STARTED: &str = "NET-SNMP version";
/// How many times a start is retried when snmptrapd exits at once (port taken).
const START_ATTEMPTS: usize = 3;
/// How long snmptrapd has to start.
const READY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Snmptrapd::wait_for`] waits.
const NOTIFICATION_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the log is read while waiting.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_including_multiline_ones() {
        let log = "NET-SNMP version 5.9.3\n\
                   NOTIFICATION TRAP, SNMP v1, community public|iso.3|6|.17|5|192.0.2.7| END\n\
                   NOTIFICATION TRAP2, SNMP v2c, community public|.|0|0|0|0.0.0.0|a = STRING: \"x\n\
                   NOTIFICATION y\" END\n";
        assert_eq!(
            parse_records(log),
            [
                "TRAP, SNMP v1, community public|iso.3|6|.17|5|192.0.2.7|",
                "TRAP2, SNMP v2c, community public|.|0|0|0|0.0.0.0|a = STRING: \"x\nNOTIFICATION y\"",
            ]
        );
    }

    #[test]
    fn ignores_incomplete_record_and_marker_inside_line() {
        assert!(parse_records("x NOTIFICATION a END\n").is_empty());
        assert_eq!(parse_records("NOTIFICATION a END\nNOTIFICATION b"), ["a"]);
    }
}
