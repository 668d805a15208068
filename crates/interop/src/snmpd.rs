//! A Net-SNMP `snmpd` on a free loopback port, with a deterministic test subtree.

use std::fmt::Write as _;
use std::fs;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::peer::{Peer, require};
use crate::process::{Daemon, Sandbox};

/// The subtree the `pass` script serves (an enterprise arc reserved for these tests).
pub const PASS_SUBTREE: &str = ".1.3.6.1.4.1.99999";
/// `sysDescr.0` as configured.
pub const SYS_DESCR: &str = "vigie interop test agent";
/// `sysObjectID.0` as configured.
pub const SYS_OBJECT_ID: &str = ".1.3.6.1.4.1.99999.1";
/// `sysName.0` as configured.
pub const SYS_NAME: &str = "vigie-test";
/// `sysLocation.0` as configured (unless [`SnmpdConfig::writable_system`]).
pub const SYS_LOCATION: &str = "Lab rack 4";
/// `sysContact.0` as configured (unless [`SnmpdConfig::writable_system`]).
pub const SYS_CONTACT: &str = "ops@example.net";

/// One object served by the `pass` script, at `PASS_SUBTREE.<index>.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassObject {
    /// The arc under [`PASS_SUBTREE`].
    pub index: u32,
    /// The `pass` protocol type (`man snmpd.conf`, "pass").
    pub kind: &'static str,
    /// The value line the script prints.
    pub value: &'static str,
    /// How `snmpget` without MIBs prints the value (the text after `OID = `).
    pub netsnmp: &'static str,
}

impl PassObject {
    /// The object's instance OID, numeric with a leading dot.
    pub fn oid(&self) -> String {
        format!("{PASS_SUBTREE}.{}.0", self.index)
    }
}

/// The objects of the `pass` subtree, in OID order: one of each type `pass` supports, and
/// the string cases that exercise Net-SNMP's `STRING` / `Hex-STRING` choice and escaping.
pub fn pass_objects() -> &'static [PassObject] {
    PASS_OBJECTS
}

/// How to configure a [`Snmpd`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnmpdConfig {
    /// Leave `sysContact` and `sysLocation` out of the configuration: snmpd then makes them
    /// writable (a value fixed in `snmpd.conf` answers `notWritable`).
    pub writable_system: bool,
    /// Lines appended to the generated `snmpd.conf`.
    pub extra: String,
}

/// A running `snmpd`, killed when dropped.
///
/// Its configuration: `rocommunity public` and `rwcommunity private` for 127.0.0.1 (and
/// `::1`), the fixed system group ([`SYS_DESCR`] …), and a `pass` script that serves
/// [`pass_objects`] under [`PASS_SUBTREE`] and answers `not-writable` to every SET.
#[derive(Debug)]
pub struct Snmpd {
    child: Daemon,
    port: u16,
    ipv6: bool,
    log: PathBuf,
    // Kept alive for the configuration, the pass script and the persistent directory.
    _sandbox: Sandbox,
}

impl Snmpd {
    /// Starts an agent with the fixed system group and `conf_extra` appended to its
    /// configuration. `None` when `snmpd` is not installed (see [`require`]).
    ///
    /// # Panics
    ///
    /// When snmpd does not answer within 5 s, with its log.
    pub fn start(conf_extra: &str) -> Option<Self> {
        Self::start_with(&SnmpdConfig {
            writable_system: false,
            extra: conf_extra.to_owned(),
        })
    }

    /// Starts an agent configured by `config`. `None` when `snmpd` is not installed.
    ///
    /// # Panics
    ///
    /// When snmpd does not answer within 5 s, with its log.
    pub fn start_with(config: &SnmpdConfig) -> Option<Self> {
        Self::launch(config, SystemGroup::Configured)
    }

    /// Starts an agent that keeps snmpd's own system group, with `conf_extra` appended to its
    /// configuration: `sysDescr` is the host's `uname`, `sysObjectID` is Net-SNMP's
    /// `.1.3.6.1.4.1.8072.3.2.10`, and `sysContact`, `sysName` and `sysLocation` are
    /// writable unless `conf_extra` fixes them. The communities and the `pass` subtree are
    /// those of [`Snmpd::start`]. `None` when `snmpd` is not installed.
    ///
    /// # Panics
    ///
    /// When snmpd does not answer within 5 s, with its log.
    pub fn start_netsnmp_system(conf_extra: &str) -> Option<Self> {
        let config = SnmpdConfig {
            writable_system: true,
            extra: conf_extra.to_owned(),
        };
        Self::launch(&config, SystemGroup::NetSnmp)
    }

    /// Starts an agent configured by `config` and `system`.
    fn launch(config: &SnmpdConfig, system: SystemGroup) -> Option<Self> {
        if !require(&[Peer::Snmpd]) {
            return None;
        }
        let program = Peer::Snmpd.path()?;
        let mut last_log = String::new();
        // A port found free can be taken by another test before snmpd binds it: retry.
        for _ in 0..START_ATTEMPTS {
            let sandbox = Sandbox::new();
            let port = free_udp_port();
            let ipv6 = ipv6_port_free(port);
            let conf = sandbox.path().join("snmpd.conf");
            let script = sandbox.path().join("pass.sh");
            let log = sandbox.path().join("snmpd.log");
            write_file(&script, &pass_script());
            write_file(
                &conf,
                &snmpd_conf(config, system, &sandbox.persist(), &script),
            );

            let mut listen = format!("udp:127.0.0.1:{port}");
            if ipv6 {
                listen.push_str(&format!(",udp6:[::1]:{port}"));
            }
            let mut command = Command::new(&program);
            command
                .args(["-f", "-C", "-c"])
                .arg(&conf)
                .args(["-I", "-smux", "-Lf"])
                .arg(&log)
                .arg("-p")
                .arg(sandbox.path().join("snmpd.pid"))
                .arg(&listen)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            sandbox.apply(&mut command);
            let child = Daemon::spawn(&mut command, &program);
            let mut agent = Self {
                child,
                port,
                ipv6,
                log,
                _sandbox: sandbox,
            };
            match agent.wait_ready() {
                Readiness::Ready => return Some(agent),
                Readiness::Exited => last_log = agent.log(),
                Readiness::Silent => panic!(
                    "snmpd on port {port} did not answer within {READY_TIMEOUT:?}; log:\n{}",
                    agent.log()
                ),
            }
        }
        panic!("snmpd exited at start {START_ATTEMPTS} times; last log:\n{last_log}");
    }

    /// The UDP port it listens on, on 127.0.0.1 (and `::1` when [`Self::target6`] is some).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The agent's IPv4 socket address, `127.0.0.1:PORT`, for a client library.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The agent's IPv6 socket address, `[::1]:PORT`, when it listens there too (see
    /// [`Self::target6`]).
    pub fn address6(&self) -> Option<SocketAddr> {
        self.ipv6
            .then(|| SocketAddr::from((Ipv6Addr::LOCALHOST, self.port)))
    }

    /// The agent address for the tools: `127.0.0.1:PORT`.
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The IPv6 agent address for the tools, `udp6:[::1]:PORT`, when the machine has an
    /// IPv6 loopback and the agent listens on it.
    pub fn target6(&self) -> Option<String> {
        self.ipv6.then(|| format!("udp6:[::1]:{}", self.port))
    }

    /// The agent's log so far, for diagnostics.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a GET for `sysDescr.0` until the agent answers, it exits, or time runs out.
    fn wait_ready(&mut self) -> Readiness {
        let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else {
            return Readiness::Silent;
        };
        if socket.set_read_timeout(Some(PROBE_INTERVAL)).is_err()
            || socket.connect(("127.0.0.1", self.port)).is_err()
        {
            return Readiness::Silent;
        }
        let started = Instant::now();
        let mut buffer = [0_u8; 1500];
        while started.elapsed() < READY_TIMEOUT {
            if self.child.has_exited() {
                return Readiness::Exited;
            }
            // Errors (ICMP port unreachable before the bind) mean "not yet": probe again.
            if socket.send(PROBE).is_ok() && socket.recv(&mut buffer).is_ok_and(|len| len > 0) {
                return Readiness::Ready;
            }
            thread::sleep(PROBE_INTERVAL);
        }
        Readiness::Silent
    }
}

/// Who sets the system group's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SystemGroup {
    /// The configuration: [`SYS_DESCR`] and the others (see [`SnmpdConfig::writable_system`]).
    Configured,
    /// snmpd itself: nothing about the system group is written.
    NetSnmp,
}

/// How an agent start ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readiness {
    Ready,
    Exited,
    Silent,
}

/// A UDP port that was free on 127.0.0.1 a moment ago (the OS picked it for a socket
/// that is closed again): a port where nothing listens, or one to start a peer on.
///
/// # Panics
///
/// When no UDP socket can be bound on 127.0.0.1.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|socket| socket.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("cannot bind a UDP socket on 127.0.0.1: {e}"))
}

/// Whether `::1` exists and `port` is free on it.
fn ipv6_port_free(port: u16) -> bool {
    UdpSocket::bind(("::1", port)).is_ok()
}

/// Writes `contents` to `path`.
pub(crate) fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The generated `snmpd.conf`.
fn snmpd_conf(config: &SnmpdConfig, system: SystemGroup, persist: &Path, script: &Path) -> String {
    let mut conf = String::new();
    // `writeln!` into a `String` cannot fail.
    let _ = writeln!(conf, "[snmp] persistentDir {}", persist.display());
    conf.push_str(
        "rocommunity public 127.0.0.1\n\
         rwcommunity private 127.0.0.1\n\
         rocommunity6 public ::1\n\
         rwcommunity6 private ::1\n",
    );
    if system == SystemGroup::Configured {
        let _ = writeln!(conf, "sysDescr {SYS_DESCR}");
        let _ = writeln!(conf, "sysObjectID {SYS_OBJECT_ID}");
        let _ = writeln!(conf, "sysName {SYS_NAME}");
    }
    if system == SystemGroup::Configured && !config.writable_system {
        let _ = writeln!(conf, "sysLocation {SYS_LOCATION}");
        let _ = writeln!(conf, "sysContact {SYS_CONTACT}");
    }
    // Through `/bin/sh`, so that a `noexec` temporary directory does not matter.
    let _ = writeln!(conf, "pass {PASS_SUBTREE} /bin/sh {}", script.display());
    conf.push_str(&config.extra);
    conf.push('\n');
    conf
}

/// The `pass` script (protocol in `man snmpd.conf`): `-g OID` answers a GET, `-n OID` a
/// GETNEXT, `-s OID TYPE VALUE` a SET; no output means "no such instance" / "end".
fn pass_script() -> String {
    let mut cases = String::new();
    for object in PASS_OBJECTS {
        let _ = writeln!(
            cases,
            "    {}) printf '%s\\n%s\\n' {} {} ;;",
            object.index,
            shell_quote(object.kind),
            shell_quote(object.value)
        );
    }
    let last = PASS_OBJECTS.last().map_or(0, |object| object.index);
    format!(
        r#"#!/bin/sh
# Serves the vigie interop subtree to snmpd through the pass protocol (snmpd.conf(5)).
base={PASS_SUBTREE}
last={last}
object() {{
  case "$1" in
{cases}    *) return 1 ;;
  esac
}}
case "$1" in
-g)
  rest=${{2#"$base".}}
  [ "$rest" != "$2" ] || exit 0
  index=${{rest%.0}}
  [ "$rest" = "$index.0" ] || exit 0
  case "$index" in ''|*[!0-9]*) exit 0 ;; esac
  object "$index" >/dev/null || exit 0
  printf '%s\n' "$2"
  object "$index"
  ;;
-n)
  if [ "$2" = "$base" ]; then
    next=1
  else
    rest=${{2#"$base".}}
    [ "$rest" != "$2" ] || exit 0
    first=${{rest%%.*}}
    case "$first" in ''|*[!0-9]*) exit 0 ;; esac
    if [ "$rest" = "$first" ]; then next=$first; else next=$((first + 1)); fi
    [ "$next" -ge 1 ] || next=1
  fi
  [ "$next" -le "$last" ] || exit 0
  printf '%s.%s.0\n' "$base" "$next"
  object "$next"
  ;;
-s)
  echo not-writable
  ;;
esac
"#
    )
}

/// `text` as one single-quoted shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// How many times a start is retried when snmpd exits at once (port taken).
const START_ATTEMPTS: usize = 3;
/// How long snmpd has to answer its first request.
const READY_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause between two readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(50);

/// An `SNMPv2c` `GetRequest` for `sysDescr.0`, community `public`, request-id 1:
/// ```text
/// 30 26                              SEQUENCE
///    02 01 01                        version 1 (v2c)
///    04 06 70 75 62 6c 69 63         community "public"
///    a0 19                           GetRequest-PDU
///       02 01 01  02 01 00  02 01 00 request-id 1, error-status 0, error-index 0
///       30 0e 30 0c                  varbind list, varbind
///          06 08 2b 06 01 02 01 01 01 00   1.3.6.1.2.1.1.1.0
///          05 00                           NULL
/// ```
const PROBE: &[u8] = &[
    0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa0, 0x19, 0x02,
    0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06,
    0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00,
];

/// The `pass` subtree's content. Net-SNMP's renderings were taken from `snmpget` 5.9.3
/// with `-m ''` and `LC_ALL=C`.
const PASS_OBJECTS: &[PassObject] = &[
    PassObject {
        index: 1,
        kind: "integer",
        value: "42",
        netsnmp: "INTEGER: 42",
    },
    PassObject {
        index: 2,
        kind: "integer",
        value: "-7",
        netsnmp: "INTEGER: -7",
    },
    PassObject {
        index: 3,
        kind: "gauge",
        value: "4294967295",
        netsnmp: "Gauge32: 4294967295",
    },
    PassObject {
        index: 4,
        kind: "counter",
        value: "123456",
        netsnmp: "Counter32: 123456",
    },
    PassObject {
        index: 5,
        kind: "counter64",
        value: "18446744073709551615",
        netsnmp: "Counter64: 18446744073709551615",
    },
    PassObject {
        index: 6,
        kind: "timeticks",
        value: "8640000",
        netsnmp: "Timeticks: (8640000) 1 day, 0:00:00.00",
    },
    PassObject {
        index: 7,
        kind: "timeticks",
        value: "123",
        netsnmp: "Timeticks: (123) 0:00:01.23",
    },
    PassObject {
        index: 8,
        kind: "ipaddress",
        value: "192.0.2.1",
        netsnmp: "IpAddress: 192.0.2.1",
    },
    PassObject {
        index: 9,
        kind: "objectid",
        value: ".1.3.6.1.4.1.99999.42",
        netsnmp: "OID: iso.3.6.1.4.1.99999.42",
    },
    PassObject {
        index: 10,
        kind: "string",
        value: "Hello, world",
        netsnmp: "STRING: \"Hello, world\"",
    },
    PassObject {
        index: 11,
        kind: "string",
        value: "",
        netsnmp: "\"\"",
    },
    PassObject {
        index: 12,
        kind: "octet",
        value: "48 65 6c 6c 6f 0a 57 6f 72 6c 64",
        netsnmp: "STRING: \"Hello\nWorld\"",
    },
    PassObject {
        index: 13,
        kind: "string",
        value: "He said \"hi\", it's",
        netsnmp: "STRING: \"He said \\\"hi\\\", it's\"",
    },
    PassObject {
        index: 14,
        kind: "string",
        value: "C:\\temp",
        netsnmp: "STRING: \"C:\\\\temp\"",
    },
    PassObject {
        index: 15,
        kind: "string",
        value: "café ✓",
        netsnmp: "Hex-STRING: 63 61 66 C3 A9 20 E2 9C 93 ",
    },
    PassObject {
        index: 16,
        kind: "octet",
        value: "00 01 02 ff",
        netsnmp: "Hex-STRING: 00 01 02 FF ",
    },
    PassObject {
        index: 17,
        kind: "octet",
        value: "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 \
                1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29",
        netsnmp: "Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n\
                  10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F \n\
                  20 21 22 23 24 25 26 27 28 29 ",
    },
    PassObject {
        index: 18,
        kind: "octet",
        value: "41 42 43",
        netsnmp: "STRING: \"ABC\"",
    },
    PassObject {
        index: 19,
        kind: "octet",
        value: "41 09 42",
        netsnmp: "STRING: \"A\tB\"",
    },
    PassObject {
        index: 20,
        kind: "opaque",
        value: "de ad",
        netsnmp: "OPAQUE: DE AD ",
    },
    PassObject {
        index: 21,
        kind: "unsigned",
        value: "17",
        netsnmp: "Gauge32: 17",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_objects_are_in_oid_order_without_gaps() {
        for (position, object) in PASS_OBJECTS.iter().enumerate() {
            assert_eq!(object.index as usize, position + 1);
        }
    }

    #[test]
    fn shell_quote_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn config_fixes_or_frees_the_writable_system_objects() {
        let fixed = snmpd_conf(
            &SnmpdConfig::default(),
            SystemGroup::Configured,
            Path::new("/p"),
            Path::new("/s"),
        );
        assert!(fixed.contains("sysContact ops@example.net\n"));
        assert!(fixed.contains("[snmp] persistentDir /p\n"));
        assert!(fixed.contains("pass .1.3.6.1.4.1.99999 /bin/sh /s\n"));

        let writable = SnmpdConfig {
            writable_system: true,
            extra: "sysServices 72".to_owned(),
        };
        let conf = snmpd_conf(
            &writable,
            SystemGroup::Configured,
            Path::new("/p"),
            Path::new("/s"),
        );
        assert!(!conf.contains("sysContact"));
        assert!(!conf.contains("sysLocation"));
        assert!(conf.contains(&format!("sysObjectID {SYS_OBJECT_ID}\n")));
        assert!(conf.ends_with("sysServices 72\n"));
    }

    #[test]
    fn netsnmp_system_group_writes_no_system_object() {
        let config = SnmpdConfig {
            writable_system: true,
            extra: "sysLocation here".to_owned(),
        };
        let conf = snmpd_conf(
            &config,
            SystemGroup::NetSnmp,
            Path::new("/p"),
            Path::new("/s"),
        );
        for object in ["sysDescr", "sysObjectID", "sysName", "sysContact"] {
            assert!(!conf.contains(object), "{object} in:\n{conf}");
        }
        assert!(conf.contains("rwcommunity private 127.0.0.1\n"));
        assert!(conf.contains("pass .1.3.6.1.4.1.99999 /bin/sh /s\n"));
        assert!(conf.ends_with("sysLocation here\n"));
    }

    /// Runs the generated script the way snmpd does and checks the pass protocol answers.
    #[test]
    fn pass_script_answers_get_getnext_and_set() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("pass.sh");
        write_file(&script, &pass_script());
        let call = |args: &[&str]| {
            let out = Command::new("/bin/sh")
                .arg(&script)
                .args(args)
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let base = PASS_SUBTREE;

        assert_eq!(
            call(&["-g", &format!("{base}.1.0")]),
            format!("{base}.1.0\ninteger\n42\n")
        );
        assert_eq!(call(&["-g", &format!("{base}.1")]), "");
        assert_eq!(call(&["-g", &format!("{base}.99.0")]), "");
        assert_eq!(
            call(&["-g", &format!("{base}.13.0")]),
            format!("{base}.13.0\nstring\nHe said \"hi\", it's\n")
        );
        assert_eq!(call(&["-n", base]), format!("{base}.1.0\ninteger\n42\n"));
        assert_eq!(
            call(&["-n", &format!("{base}.1.0")]),
            format!("{base}.2.0\ninteger\n-7\n")
        );
        assert_eq!(
            call(&["-n", &format!("{base}.3")]),
            format!("{base}.3.0\ngauge\n4294967295\n")
        );
        assert_eq!(call(&["-n", &format!("{base}.21.0")]), "");
        assert_eq!(call(&["-n", ".1.3.6.1.4.1.99998"]), "");
        assert_eq!(
            call(&["-s", &format!("{base}.1.0"), "integer", "5"]),
            "not-writable\n"
        );
    }

    #[test]
    fn probe_is_well_formed_ber() {
        // Outer SEQUENCE length covers the rest; PDU length covers the rest of the PDU.
        assert_eq!(usize::from(PROBE[1]) + 2, PROBE.len());
        assert_eq!(PROBE[13], 0xa0);
        assert_eq!(usize::from(PROBE[14]) + 15, PROBE.len());
    }

    #[test]
    fn free_port_is_bindable() {
        let port = free_udp_port();
        assert_ne!(port, 0);
        assert!(UdpSocket::bind(("127.0.0.1", port)).is_ok());
    }
}
