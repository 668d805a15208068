//! MIB-aware walk output compared with Net-SNMP's `snmpwalk`, line for line, from the same
//! bytes: a private `snmpd` on 127.0.0.1 serves the system, interfaces, host resources,
//! IP address and VACM tables, plus crafted DISMAN-SCHEDULE-MIB rows (BITS, DateAndTime,
//! negative integers, enumerations, OID values, string indexes, a value of the wrong type)
//! through a `pass` script. `snmpwalk -d` prints the responses it received in hex next to
//! the lines it formatted; vigie decodes those responses and formats each varbind, and the
//! two texts must be equal, for the default output and for each `-O` flag that changes it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use vigie_mib::{MibSet, OidFormat, OidOptions, ValueOptions};
use vigie_snmp::{AnyPdu, Message, Oid, Value};

use crate::{netsnmp, shared_mibs};

/// Subtrees walked, by name as Net-SNMP takes them.
const SUBTREES: &[&str] = &[
    "SNMPv2-MIB::system",
    "IF-MIB::ifTable",
    "IF-MIB::ifXTable",
    "HOST-RESOURCES-MIB::hrSystem",
    "HOST-RESOURCES-MIB::hrStorage",
    "IP-MIB::ipAddrTable",
    "IP-MIB::ipAddressTable",
    "SNMP-FRAMEWORK-MIB::snmpEngine",
    "SNMP-VIEW-BASED-ACM-MIB::vacmMIBObjects",
    "DISMAN-SCHEDULE-MIB::schedTable",
];

/// `-O` flag sets compared, each a separate walk.
const FLAG_SETS: &[&str] = &[
    "", "-Oe", "-Oq", "-Ot", "-OU", "-Os", "-Of", "-On", "-Ob", "-OX", "-Ox", "-Ou", "-Oqs",
];

#[test]
fn walks_print_as_snmpwalk_prints_them() {
    let test = "walks_print_as_snmpwalk_prints_them";
    let (Some(root), Some(mib)) = (shared_mibs(test), netsnmp(test)) else {
        return;
    };
    if !tools_present(test) {
        return;
    }
    let dir = root.join("netsnmp");
    let agent = Agent::start();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for flags in FLAG_SETS {
        for subtree in SUBTREES {
            let (lines, packets) = agent.walk(&dir, flags, subtree);
            let start = mib.resolve(subtree).expect("subtree names resolve");
            // snmpwalk prints the varbinds inside the subtree, up to and including the
            // first exception (an endOfMibView at the end of the agent's view).
            let mut varbinds: Vec<(Oid, Value)> = Vec::new();
            let received = packets.iter().flat_map(|p| response_varbinds(p));
            for (oid, value) in received.filter(|(oid, _)| oid.starts_with(&start)) {
                let last = value.is_exception();
                varbinds.push((oid, value));
                if last {
                    break;
                }
            }
            assert_eq!(
                varbinds.len(),
                lines.len(),
                "{flags} {subtree}: one line per varbind received\n{lines:#?}"
            );
            for ((oid, value), theirs) in varbinds.iter().zip(&lines) {
                let ours = line(&mib, flags, oid, value);
                compared += 1;
                if &ours != theirs {
                    mismatches.push(format!(
                        "{flags} {subtree}\n  ours:  {ours}\n  snmp:  {theirs}"
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} lines differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(compared > 1_000, "{compared} lines compared");
}

/// The line vigie prints for one varbind under `flags`.
fn line(mib: &MibSet, flags: &str, oid: &Oid, value: &Value) -> String {
    let mut names = OidOptions::new();
    let mut values = ValueOptions::new();
    for flag in flags.trim_start_matches("-O").chars() {
        match flag {
            'e' => values.numeric_enums = true,
            'q' => values.quick = true,
            't' => values.numeric_timeticks = true,
            'U' => values.no_units = true,
            'x' => values.hex_strings = true,
            's' => names.format = OidFormat::Suffix,
            'f' => names.format = OidFormat::Full,
            'n' => names.format = OidFormat::Numeric,
            'u' => names.format = OidFormat::Ucd,
            'b' => names.numeric_index = true,
            'X' => names.extended_index = true,
            other => panic!("flag {other} is not handled by this test"),
        }
    }
    values.oid = names;
    let separator = if values.quick { " " } else { " = " };
    format!(
        "{}{separator}{}",
        mib.format_oid(oid, &names),
        mib.format_value(oid.arcs(), value, &values)
    )
}

/// The varbinds of a received response.
fn response_varbinds(packet: &[u8]) -> Vec<(Oid, Value)> {
    let message =
        Message::decode(Bytes::copy_from_slice(packet)).expect("snmpd's responses decode");
    let Message::Community(message) = message else {
        panic!("a v2c walk receives community messages");
    };
    let AnyPdu::Pdu(pdu) = message.pdu else {
        panic!("a response is a plain PDU");
    };
    pdu.varbinds
        .iter()
        .map(|vb| (vb.name.clone(), vb.value.clone()))
        .collect()
}

fn tools_present(test: &str) -> bool {
    // `snmpd -v` prints the version and exits (`-V` would start an agent).
    let present = [("snmpd", "-v"), ("snmpwalk", "-V"), ("snmpget", "-V")]
        .iter()
        .all(|(tool, flag)| {
            Command::new(tool)
                .arg(flag)
                .output()
                .is_ok_and(|o| o.status.success())
        })
        && Path::new("/bin/sh").exists();
    if !present {
        assert!(
            std::env::var_os("VIGIE_REQUIRE_PEERS").is_none(),
            "{test}: snmpd or snmpwalk is missing and VIGIE_REQUIRE_PEERS is set"
        );
        eprintln!("skipping {test}: snmpd or snmpwalk is not installed");
    }
    present
}

/// A private snmpd on 127.0.0.1, stopped (by its PID) when dropped.
struct Agent {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Agent {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("vigie-mib-snmpwalk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let script = dir.join("schedule.sh");
        std::fs::write(&script, pass_script()).expect("pass script written");
        let config = dir.join("snmpd.conf");
        let mut conf = std::fs::File::create(&config).expect("snmpd.conf");
        writeln!(conf, "rocommunity public 127.0.0.1").expect("write snmpd.conf");
        writeln!(conf, "pass {SCHEDULE} /bin/sh {}", script.display()).expect("write snmpd.conf");
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new("snmpd")
                .args(["-f", "-C", "-Lf"])
                .arg(dir.join("snmpd.log"))
                .arg("-c")
                .arg(&config)
                .arg(format!("udp:127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("snmpd starts");
            let mut agent = Self {
                child,
                dir: dir.clone(),
                port,
            };
            if agent.ready() {
                return agent;
            }
            agent.stop();
        }
        panic!("snmpd did not answer on 127.0.0.1");
    }

    fn ready(&mut self) -> bool {
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            let answered = Command::new("snmpget")
                .args(["-v2c", "-c", "public", "-t", "0.2", "-r", "0", "-On"])
                .arg(format!("127.0.0.1:{}", self.port))
                .arg(".1.3.6.1.2.1.1.3.0")
                .output()
                .is_ok_and(|o| o.status.success());
            if answered {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Walks `subtree`; returns the output lines and the responses received, in order.
    fn walk(&self, dir: &Path, flags: &str, subtree: &str) -> (Vec<String>, Vec<Vec<u8>>) {
        let mut command = Command::new("snmpwalk");
        command
            .args([
                "-d", "-v2c", "-c", "public", "-t", "2", "-r", "1", "-m", "ALL", "-M",
            ])
            .arg(dir);
        if !flags.is_empty() {
            command.arg(flags);
        }
        let output = command
            .arg(format!("127.0.0.1:{}", self.port))
            .arg(subtree)
            .output()
            .expect("snmpwalk runs");
        assert!(output.status.success(), "snmpwalk {flags} {subtree} failed");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        (logical_lines(&stdout), received_packets(&stderr))
    }

    fn stop(&mut self) {
        // The child's own PID: nothing else is signalled.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Output lines, a hex dump's continuation lines joined to the line they continue.
fn logical_lines(stdout: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in stdout.lines() {
        let continues = !line.contains(" = ")
            && !line.starts_with('.')
            && !line.contains("::")
            && line.trim_end_matches('"').split(' ').all(|t| {
                t.is_empty() || (t.len() == 2 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            });
        match lines.last_mut() {
            Some(last) if continues => {
                last.push('\n');
                last.push_str(line);
            }
            _ => lines.push(line.to_owned()),
        }
    }
    lines
}

/// The packets `snmpwalk -d` dumped after `Received … byte packet`.
fn received_packets(stderr: &str) -> Vec<Vec<u8>> {
    let mut packets = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in stderr.lines() {
        if line.starts_with("Received ") {
            packets.extend(current.take());
            current = Some(Vec::new());
            continue;
        }
        let is_dump = line.len() > 6
            && line.as_bytes().get(4) == Some(&b':')
            && line.bytes().take(4).all(|b| b.is_ascii_digit());
        match current.as_mut() {
            Some(packet) if is_dump => {
                // `0000: 30 28 02 01  01 04 06 70  …    ascii`: 16 octets in 52 columns.
                let hex = line
                    .get(6..58)
                    .unwrap_or_else(|| line.get(6..).unwrap_or_default());
                packet.extend(
                    hex.split_whitespace()
                        .map(|t| u8::from_str_radix(t, 16).expect("dump octets are hex")),
                );
            }
            Some(_) if line.starts_with("Sending ") || line.is_empty() => {
                packets.extend(current.take());
            }
            _ => {}
        }
    }
    packets.extend(current);
    packets
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port on 127.0.0.1")
}

/// The DISMAN-SCHEDULE-MIB subtree the pass script serves.
const SCHEDULE: &str = ".1.3.6.1.2.1.63";

/// schedEntry columns (`.1.3.6.1.2.1.63.1.2.1.N`), rows indexed by
/// (schedOwner, schedName), and the pass type and value of each cell.
fn schedule_rows() -> Vec<(Vec<u32>, &'static str, &'static str)> {
    let rows: &[&[u8]] = &[b"a b", b"q\"t.x", &[0x01, b'z']];
    let cells: &[(u32, &str, &str)] = &[
        (3, "string", "nightly run"),
        (4, "gauge", "3600"),
        (5, "octet", "80"),
        (6, "octet", "ff f0"),
        (7, "octet", "00 00 00 01 00 00 00 02"),
        (11, "objectid", ".1.3.6.1.2.1.1.5.0"),
        (12, "integer", "-5"),
        (13, "integer", "2"),
        (18, "octet", "07 e8 01 0f 0a 1e 05 00 2b 01 00"),
    ];
    let mut entries = Vec::new();
    for &(column, kind, value) in cells {
        for (r, name) in rows.iter().enumerate() {
            let mut oid = vec![1, 3, 6, 1, 2, 1, 63, 1, 2, 1, column, 3, 111, 119, 110];
            oid.push(u32::try_from(name.len()).expect("short names"));
            oid.extend(name.iter().map(|&b| u32::from(b)));
            // The second row varies the values: an unknown enumeration, the wrong type.
            let (kind, value) = match (r, column) {
                (1, 13) => ("integer", "9"),
                (1, 12) => ("string", "not a number"),
                (2, 18) => ("octet", "07 e8 01 0f 0a 1e 05 00"),
                _ => (kind, value),
            };
            entries.push((oid, kind, value));
        }
    }
    entries.sort();
    entries
}

/// A pass script answering GET and GETNEXT from a fixed table.
fn pass_script() -> String {
    let rows = schedule_rows();
    let dotted = |oid: &[u32]| {
        oid.iter().fold(String::new(), |mut s, a| {
            let _ = write!(s, ".{a}");
            s
        })
    };
    let mut get = String::new();
    let mut next = String::new();
    let first = rows
        .first()
        .map(|(oid, _, _)| oid.clone())
        .unwrap_or_default();
    for depth in 7..first.len() {
        let prefix = dotted(first.get(..depth).unwrap_or_default());
        let _ = writeln!(next, "  {prefix}) i=0 ;;");
    }
    for (i, (oid, kind, value)) in rows.iter().enumerate() {
        let _ = writeln!(get, "  {}) i={i} ;;", dotted(oid));
        if i + 1 < rows.len() {
            let _ = writeln!(next, "  {}) i={} ;;", dotted(oid), i + 1);
        }
        let _ = (kind, value);
    }
    let mut answers = String::new();
    for (i, (oid, kind, value)) in rows.iter().enumerate() {
        let _ = writeln!(
            answers,
            "  {i}) printf '%s\\n%s\\n%s\\n' '{}' '{kind}' '{value}' ;;",
            dotted(oid)
        );
    }
    format!(
        "i=\ncase \"$1\" in\n  -g) case \"$2\" in\n{get}  esac ;;\n  -n) case \"$2\" in\n{next}  esac ;;\nesac\ncase \"$i\" in\n{answers}esac\n"
    )
}
