//! `vigie agent` as an `AgentX` master (RFC 2741), with real subagents: Net-SNMP's own
//! (`snmpd -X`) and the independent `pyagentx3` library, over a Unix socket and over TCP.
//!
//! Each test starts its own `vigie agent` on a free loopback port with an `AgentX` socket in a
//! temporary directory, attaches a subagent, and checks what Net-SNMP's tools see through
//! vigie; every process is stopped by PID when the test ends. Build the binary first:
//! `cargo build -p vigie`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use vigie_interop::{
    CONTEXT_USER, Outcome, Peer, Snmptrapd, context_user_args, free_udp_port, require, run,
    vigie_bin,
};

/// nsExtendOutput1Line."hello" (NET-SNMP-EXTEND-MIB), served by the Net-SNMP subagent.
const EXTEND_HELLO: &str = ".1.3.6.1.4.1.8072.1.3.2.3.1.1.5.104.101.108.108.111";
/// nsExtendObjects, the subtree the Net-SNMP subagent registers for `extend`.
const EXTEND_SUBTREE: &str = ".1.3.6.1.4.1.8072.1.3";
/// sysDescr.0, served by vigie itself.
const SYS_DESCR: &str = ".1.3.6.1.2.1.1.1.0";
/// The subtree the pyagentx3 subagent registers.
const PY_SUBTREE: &str = ".1.3.6.1.4.1.8072.9999.9999";

/// A child process killed and reaped when dropped (by its handle, so by its PID).
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `vigie agent` with `public` read-only, `private` read-write, and the master on `socket`.
struct Master {
    process: Process,
    port: u16,
}

impl Master {
    fn start(dir: &Path, socket: &str) -> Self {
        Self::start_with(dir, socket, &[])
    }

    /// [`start`](Self::start) with more arguments (`--config FILE`).
    fn start_with(dir: &Path, socket: &str, extra: &[&str]) -> Self {
        let port = free_udp_port();
        let log = dir.join("vigie.log");
        let stderr = std::fs::File::create(&log).expect("create the agent's log");
        let child = Command::new(vigie_bin())
            .args(["agent", "--listen", &format!("udp:127.0.0.1:{port}")])
            .args(["--rocommunity", "public", "--rwcommunity", "private"])
            .args(["--agentx", socket])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start vigie agent");
        let master = Self {
            process: Process { child, log },
            port,
        };
        let ready = wait_until(Duration::from_secs(10), || {
            snmp(
                Peer::Snmpget,
                &[
                    "-v2c",
                    "-c",
                    "public",
                    "-t",
                    "0.3",
                    "-r",
                    "0",
                    &master.target(),
                    SYS_DESCR,
                ],
            )
            .success()
            .then_some(())
        });
        assert!(
            ready.is_some(),
            "vigie agent did not answer; log:\n{}",
            master.process.log()
        );
        master
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn get(&self, oid: &str) -> Outcome {
        snmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "-On",
                "-t",
                "2",
                "-r",
                "0",
                &self.target(),
                oid,
            ],
        )
    }

    fn walk(&self, tool: Peer, oid: &str) -> Outcome {
        snmp(
            tool,
            &[
                "-v2c",
                "-c",
                "public",
                "-On",
                "-t",
                "2",
                "-r",
                "0",
                &self.target(),
                oid,
            ],
        )
    }
}

/// Net-SNMP's snmpd as an `AgentX` subagent (`-X`) of `socket`, serving `extend hello`.
fn netsnmp_subagent(dir: &Path, socket: &str) -> Process {
    let conf = dir.join("subagent.conf");
    std::fs::write(
        &conf,
        "extend hello /bin/echo hello-from-subagent\nagentxPingInterval 0\n",
    )
    .expect("write the subagent's configuration");
    let persist = dir.join("persist");
    std::fs::create_dir_all(&persist).expect("create the persistent directory");
    let log = dir.join("subagent.log");
    let program = Peer::Snmpd.path().expect("snmpd is installed");
    let child = Command::new(program)
        .args(["-X", "-f", "-C", "-c"])
        .arg(&conf)
        // Only the modules this test needs: the subagent would otherwise register its
        // own system, interfaces and host groups over vigie's.
        .args(["-I", "nsExtendTable,extend", "-Lf"])
        .arg(&log)
        .args(["-x", socket])
        .env("MIBS", "")
        .env("SNMPCONFPATH", dir)
        .env("SNMP_PERSISTENT_DIR", &persist)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start snmpd -X");
    Process { child, log }
}

fn snmp(tool: Peer, args: &[&str]) -> Outcome {
    let mut all = vec!["-m", ""];
    all.extend_from_slice(args);
    run(&tool.path().expect("the tool is installed"), &all)
}

/// Calls `probe` every 50 ms until it gives something or `limit` passes.
fn wait_until<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The numeric OIDs of a walk's output, as arcs.
fn walked(out: &Outcome) -> Vec<Vec<u32>> {
    out.stdout
        .lines()
        .filter(|line| !line.contains("No more variables left in this MIB View"))
        .filter_map(|line| {
            let (oid, _) = line.split_once(" = ")?;
            oid.strip_prefix('.')?
                .split('.')
                .map(|arc| arc.parse().ok())
                .collect::<Option<Vec<u32>>>()
        })
        .collect()
}

fn arcs(oid: &str) -> Vec<u32> {
    oid.trim_start_matches('.')
        .split('.')
        .map(|arc| arc.parse().expect("numeric OID"))
        .collect()
}

fn assert_increasing(out: &Outcome) {
    let oids = walked(out);
    for pair in oids.windows(2) {
        if let [a, b] = pair {
            assert!(a < b, "the walk is not increasing at {a:?} → {b:?}:\n{out}");
        }
    }
}

/// Waits until the subagent's `extend hello` is visible through `master`.
fn wait_for_extend(master: &Master, subagent: &Process) {
    let seen = wait_until(Duration::from_secs(10), || {
        let out = master.get(EXTEND_HELLO);
        out.stdout.contains("hello-from-subagent").then_some(())
    });
    assert!(
        seen.is_some(),
        "the subagent's object never appeared; vigie log:\n{}\nsubagent log:\n{}",
        master.process.log(),
        subagent.log()
    );
}

#[test]
fn a_netsnmp_subagent_is_served_across_the_built_in_groups() {
    if !require(&[
        Peer::Snmpd,
        Peer::Snmpget,
        Peer::Snmpwalk,
        Peer::Snmpbulkwalk,
    ]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let master = Master::start(dir.path(), socket);
    let mut subagent = netsnmp_subagent(dir.path(), socket);
    wait_for_extend(&master, &subagent);

    // The subtree alone, then the whole MIB with GETNEXT and GETBULK: in order, the
    // built-in groups and the subagent's objects side by side.
    let out = master.walk(Peer::Snmpwalk, EXTEND_SUBTREE);
    assert!(out.success(), "{out}");
    assert!(
        out.stdout
            .contains(&format!("{EXTEND_HELLO} = STRING: \"hello-from-subagent\"")),
        "{out}"
    );
    assert_increasing(&out);
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        let out = master.walk(tool, ".1");
        assert!(out.success(), "{out}\nvigie log:\n{}", master.process.log());
        assert_increasing(&out);
        let oids = walked(&out);
        assert!(oids.contains(&arcs(SYS_DESCR)), "{out}");
        assert!(oids.contains(&arcs(EXTEND_HELLO)), "{out}");
    }
    // What follows the subagent's region is vigie's again.
    let out = snmp(
        Peer::Snmpgetnext,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            &master.target(),
            "1.3.6.1.4.1.8072.1.3.9",
        ],
    );
    assert!(out.success(), "{out}");

    // A SET goes through the subagent's TestSet: its refusal comes back as snmpd itself
    // answers it (genErr: `extend` rows from the configuration are not writable).
    let out = snmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            &master.target(),
            ".1.3.6.1.4.1.8072.1.3.2.2.1.3.5.104.101.108.108.111",
            "s",
            "bye",
        ],
    );
    assert!(out.stderr.contains("genError"), "{out}");
    assert!(
        master
            .get(EXTEND_HELLO)
            .stdout
            .contains("hello-from-subagent")
    );

    // The subagent goes: its subtree goes with it, at once, and nothing hangs.
    subagent.kill();
    let gone = wait_until(Duration::from_secs(5), || {
        let out = master.get(EXTEND_HELLO);
        (out.success() && out.stdout.contains("No Such Object")).then_some(())
    });
    assert!(gone.is_some(), "{}", master.get(EXTEND_HELLO));
    // No request waits on the lost subagent: each would cost the walk's 2 s timeout and
    // fail it.
    let out = master.walk(Peer::Snmpwalk, ".1");
    assert!(out.success(), "{out}");
    assert!(!walked(&out).contains(&arcs(EXTEND_HELLO)), "{out}");
}

#[test]
fn a_netsnmp_subagent_over_tcp() {
    if !require(&[Peer::Snmpd, Peer::Snmpget]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free TCP port");
        listener.local_addr().expect("its address").port()
    };
    let socket = format!("tcp:127.0.0.1:{port}");
    let master = Master::start(dir.path(), &socket);
    let subagent = netsnmp_subagent(dir.path(), &socket);
    wait_for_extend(&master, &subagent);
}

/// Starts the python3 subagent `source` (written to `DIR/NAME.py`) on the master's `socket`;
/// its stdout and stderr go to `DIR/NAME.log`. `name` must not be a module the script
/// imports: Python looks in the script's own directory first.
fn python_subagent(dir: &Path, name: &str, source: &str, socket: &str) -> Process {
    let script = dir.join(format!("{name}.py"));
    std::fs::write(&script, source).expect("write the subagent script");
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).expect("create the subagent's log");
    let err = out.try_clone().expect("share the subagent's log");
    let child = Command::new("python3")
        .arg(&script)
        .arg(socket)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start the subagent");
    Process { child, log }
}

/// Whether python3 can import pyagentx3; with `VIGIE_REQUIRE_PEERS=1` its absence fails.
fn pyagentx3_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import pyagentx3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        assert!(
            std::env::var_os("VIGIE_REQUIRE_PEERS").is_none_or(|value| value != "1"),
            "pyagentx3 is missing: bash scripts/install-python-peers.sh pyagentx3"
        );
        eprintln!("skipped: pyagentx3 is missing (bash scripts/install-python-peers.sh pyagentx3)");
    }
    found
}

/// A pyagentx3 subagent: two strings and an integer under [`PY_SUBTREE`], the integer
/// writable.
const PY_SUBAGENT: &str = r#"
import sys, threading, time
import pyagentx3

class Values(pyagentx3.Updater):
    def update(self):
        self.set_OCTETSTRING('1.0', 'first')
        self.set_OCTETSTRING('2.0', 'second')
        self.set_INTEGER('3.0', Store.value)

class Store:
    value = 42

class Setter(pyagentx3.SetHandler):
    def test(self, oid, data):
        if int(data) < 0:
            raise pyagentx3.SetHandlerError()
    def commit(self, oid, data):
        Store.value = int(data)

class Sub(pyagentx3.Agent):
    def setup(self):
        self.register('1.3.6.1.4.1.8072.9999.9999', Values, freq=0.2)
        self.register_set('1.3.6.1.4.1.8072.9999.9999.3.0', Setter)

Sub(agent_id='vigie-test', socket_path=sys.argv[1]).start()
"#;

#[test]
fn a_pyagentx3_subagent_over_a_unix_socket() {
    if !require(&[Peer::Snmpget, Peer::Snmpwalk, Peer::Snmpset]) || !pyagentx3_available() {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let master = Master::start(dir.path(), socket);
    let subagent = python_subagent(dir.path(), "subagent", PY_SUBAGENT, socket);
    let first = format!("{PY_SUBTREE}.1.0");
    let seen = wait_until(Duration::from_secs(15), || {
        master
            .get(&first)
            .stdout
            .contains("\"first\"")
            .then_some(())
    });
    assert!(
        seen.is_some(),
        "{}\nvigie log:\n{}\nsubagent log:\n{}",
        master.get(&first),
        master.process.log(),
        subagent.log()
    );
    let out = master.walk(Peer::Snmpwalk, PY_SUBTREE);
    assert!(out.success(), "{out}");
    assert_eq!(
        walked(&out),
        [
            arcs(&format!("{PY_SUBTREE}.1.0")),
            arcs(&format!("{PY_SUBTREE}.2.0")),
            arcs(&format!("{PY_SUBTREE}.3.0")),
        ],
        "{out}"
    );

    let third = format!("{PY_SUBTREE}.3.0");
    let out = snmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            &master.target(),
            &third,
            "i",
            "7",
        ],
    );
    assert!(out.success(), "{out}\nsubagent log:\n{}", subagent.log());
    assert!(out.stdout.contains("INTEGER: 7"), "{out}");
    let updated = wait_until(Duration::from_secs(5), || {
        master
            .get(&third)
            .stdout
            .contains("INTEGER: 7")
            .then_some(())
    });
    assert!(updated.is_some(), "{}", master.get(&third));
}

/// A subagent that opens a session, registers `1.3.6.1.4.1.8072.9999.1`, and then never
/// answers: raw `AgentX` PDUs in network byte order.
const STALLED_SUBAGENT: &str = r#"
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
def pdu(kind, session, packet, payload):
    return struct.pack('>BBBBIIII', 1, kind, 0x10, 0, session, 0, packet, len(payload)) + payload
def read():
    head = s.recv(20, socket.MSG_WAITALL)
    length = struct.unpack('>I', head[16:20])[0]
    body = s.recv(length, socket.MSG_WAITALL) if length else b''
    return head, body
descr = b'stalled'
s.sendall(pdu(1, 0, 1, struct.pack('>B3x', 0) + bytes([0, 0, 0, 0]) + struct.pack('>I', len(descr)) + descr + b'\0'))
head, _ = read()
session = struct.unpack('>I', head[4:8])[0]
subtree = bytes([4, 4, 0, 0]) + struct.pack('>IIII', 1, 8072, 9999, 1)
s.sendall(pdu(3, session, 2, bytes([0, 127, 0, 0]) + subtree))
read()
print('registered', flush=True)
while True:
    if not s.recv(4096):
        break
"#;

/// `vigie agent` with `config` (written to `DIR/agent.toml`, returned) and
/// [`STALLED_SUBAGENT`] registered under it.
fn with_stalled_subagent(dir: &Path, config: &str) -> (Master, Process, PathBuf) {
    let socket = dir.join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let path = dir.join("agent.toml");
    std::fs::write(&path, config).expect("write the configuration");
    let master = Master::start_with(
        dir,
        socket,
        &["--config", path.to_str().expect("a UTF-8 path")],
    );
    let subagent = python_subagent(dir, "stalled", STALLED_SUBAGENT, socket);
    let registered = wait_until(Duration::from_secs(10), || {
        subagent.log().contains("registered").then_some(())
    });
    assert!(registered.is_some(), "vigie log:\n{}", master.process.log());
    (master, subagent, path)
}

#[test]
fn a_stalled_subagent_times_out_without_holding_up_the_others() {
    if !require(&[Peer::Snmpget, Peer::Snmpwalk]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let (master, _subagent, _config) =
        with_stalled_subagent(dir.path(), "[agentx]\ntimeout = 1\nretries = 2\n");

    // A GET waits for the stalled subagent on one thread; vigie's own objects are answered
    // meanwhile, at once.
    let stalled_oid = ".1.3.6.1.4.1.8072.9999.1.0";
    let target = master.target();
    let waiting = thread::spawn(move || {
        snmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "-On",
                "-t",
                "5",
                "-r",
                "0",
                &target,
                stalled_oid,
            ],
        )
    });
    thread::sleep(Duration::from_millis(200));
    let out = master.get(SYS_DESCR);
    assert!(out.success(), "{out}");
    assert!(
        !waiting.is_finished(),
        "sysDescr was answered only after the stalled GET"
    );
    // Net-SNMP's master answers a subagent's timeout with genErr.
    let out = waiting.join().expect("the waiting GET");
    assert!(out.stderr.contains("genError"), "{out}");

    // A walk skips the silent region (the second timeout in a row closes the session), and
    // afterwards the region is gone: no more waiting.
    let out = master.walk(Peer::Snmpwalk, ".1.3.6.1.4.1.8072.9999");
    assert!(
        out.success() || out.stdout.contains("No Such Object"),
        "{out}"
    );
    let out = master.get(stalled_oid);
    assert!(out.stdout.contains("No Such Object"), "{out}");
}

#[test]
fn a_reload_changes_the_timeout_of_the_sessions_already_open() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let (master, _subagent, config) =
        with_stalled_subagent(dir.path(), "[agentx]\ntimeout = 1\nretries = 9\n");
    // The session and its registration asked for no timeout of their own: the master's
    // applies. A manager waiting 3 s gets the master's genErr after 1 s, then, once the
    // reload has made it 6 s, no answer in its 3 s.
    let ask = || {
        snmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "-t",
                "3",
                "-r",
                "0",
                &master.target(),
                ".1.3.6.1.4.1.8072.9999.1.0",
            ],
        )
    };
    let out = ask();
    assert!(out.stderr.contains("genError"), "{out}");

    std::fs::write(&config, "[agentx]\ntimeout = 6\nretries = 9\n")
        .expect("write the configuration");
    let hup = Command::new("kill")
        .args(["-HUP", &master.process.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(hup.success());
    let reloaded = wait_until(Duration::from_secs(10), || {
        master
            .process
            .log()
            .contains("configuration reloaded")
            .then_some(())
    });
    assert!(reloaded.is_some(), "vigie log:\n{}", master.process.log());
    let out = ask();
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("Timeout"), "{out}");
    assert!(!out.stderr.contains("genError"), "{out}");
    // The socket is the command line's, as before: nothing waits for a restart.
    assert!(
        !master.process.log().contains("agentx."),
        "{}",
        master.process.log()
    );
}

/// A subagent that opens a session and sends one Notify: snmpTrapOID.0 =
/// `1.3.6.1.4.1.8072.9999.0.1` with `1.3.6.1.4.1.8072.9999.2.0` = "disk full"; it prints the
/// Response's error code.
const NOTIFYING_SUBAGENT: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
def pdu(kind, session, packet, payload):
    return struct.pack('>BBBBIIII', 1, kind, 0x10, 0, session, 0, packet, len(payload)) + payload
def read():
    head = s.recv(20, socket.MSG_WAITALL)
    length = struct.unpack('>I', head[16:20])[0]
    body = s.recv(length, socket.MSG_WAITALL) if length else b''
    return head, body
def oid(prefix, arcs):
    return bytes([len(arcs), prefix, 0, 0]) + b''.join(struct.pack('>I', a) for a in arcs)
s.sendall(pdu(1, 0, 1, bytes(4) + bytes(4) + struct.pack('>I', 0)))
head, _ = read()
session = struct.unpack('>I', head[4:8])[0]
trap_oid = struct.pack('>HH', 6, 0) + oid(6, [3, 1, 1, 4, 1, 0]) + oid(4, [1, 8072, 9999, 0, 1])
text = b'disk full'
value = struct.pack('>HH', 4, 0) + oid(4, [1, 8072, 9999, 2, 0]) + struct.pack('>I', len(text)) + text + bytes(3)
s.sendall(pdu(12, session, 2, trap_oid + value))
_, body = read()
print('notified', struct.unpack('>H', body[4:6])[0], flush=True)
s.recv(1)
"#;

#[test]
fn a_subagent_notification_reaches_the_trap_targets() {
    if !require(&[Peer::Snmpget, Peer::Snmptrapd]) {
        return;
    }
    let Some(receiver) = Snmptrapd::start() else {
        return;
    };
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[[trap]]\ntarget = \"{}\"\ncommunity = \"public\"\nversion = \"v2c\"\n",
            receiver.target()
        ),
    )
    .expect("write the configuration");
    let master = Master::start_with(
        dir.path(),
        socket,
        &["--config", config.to_str().expect("a UTF-8 path")],
    );
    let subagent = python_subagent(dir.path(), "notifying", NOTIFYING_SUBAGENT, socket);
    let answered = wait_until(Duration::from_secs(10), || {
        subagent.log().contains("notified").then_some(())
    });
    assert!(answered.is_some(), "vigie log:\n{}", master.process.log());
    assert!(subagent.log().contains("notified 0"), "{}", subagent.log());
    // coldStart, then the subagent's notification.
    let received = receiver.wait_for(2);
    let ours = received
        .iter()
        .find(|record| record.contains("8072.9999.0.1"))
        .unwrap_or_else(|| panic!("{received:#?}\nvigie log:\n{}", master.process.log()));
    assert!(ours.contains("disk full"), "{ours}");
}

/// A subagent written against RFC 2741 directly (raw PDUs in network byte order), with two
/// sessions on one connection:
///
/// - session 1 registers `1.3.6.1.4.1.8072.9999.7` in the context `ctx` (one instance,
///   `.7.1.0` = "in-ctx") and, in the default context, a table at `.8`: rows indexed by an
///   integer, `.8.1.2.I` a name and `.8.1.3.I` a `RowStatus`. Like a real table it accepts a
///   new row only when one `TestSet` brings its `createAndGo` and its name together
///   (inconsistentValue otherwise);
/// - session 2 registers `.9` with a writable integer `.9.1.0` whose `CommitSet` fails for
///   666.
///
/// Session 1 also adds the agent capabilities `1.3.6.1.4.1.8072.9999.100`. It prints what
/// it receives: each request's context, each `TestSet`'s size, each `UndoSet`.
const TRANSACTION_SUBAGENT: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
def pdu(kind, session, tid, packet, payload, flags=0x10):
    return struct.pack('>BBBBIIII', 1, kind, flags, 0, session, tid, packet, len(payload)) + payload
def read():
    head = s.recv(20, socket.MSG_WAITALL)
    if len(head) < 20:
        sys.exit(0)
    length = struct.unpack('>I', head[16:20])[0]
    body = s.recv(length, socket.MSG_WAITALL) if length else b''
    return head, body
def octets(b):
    return struct.pack('>I', len(b)) + b + bytes((4 - len(b) % 4) % 4)
def enc_oid(arcs):
    arcs = list(arcs)
    prefix = 0
    if len(arcs) > 5 and arcs[:4] == [1, 3, 6, 1] and arcs[4] < 256:
        prefix, arcs = arcs[4], arcs[5:]
    return bytes([len(arcs), prefix, 0, 0]) + b''.join(struct.pack('>I', a) for a in arcs)
def dec_oid(b, at):
    n, prefix, include = b[at], b[at + 1], b[at + 2]
    arcs = list(struct.unpack('>%dI' % n, b[at + 4:at + 4 + 4 * n]))
    if prefix:
        arcs = [1, 3, 6, 1, prefix] + arcs
    return tuple(arcs), include, at + 4 + 4 * n
def dec_octets(b, at):
    n = struct.unpack('>I', b[at:at + 4])[0]
    return b[at + 4:at + 4 + n], at + 4 + n + (4 - n % 4) % 4
def enc_varbind(name, kind, value=None):
    out = struct.pack('>HH', kind, 0) + enc_oid(name)
    if kind == 2:
        out += struct.pack('>i', value)
    elif kind == 4:
        out += octets(value)
    return out
def dec_varbinds(b, at):
    out = []
    while at < len(b):
        kind = struct.unpack('>H', b[at:at + 2])[0]
        name, _, at = dec_oid(b, at + 4)
        value = None
        if kind == 2:
            value = struct.unpack('>i', b[at:at + 4])[0]
            at += 4
        elif kind == 4:
            value, at = dec_octets(b, at)
        out.append((name, kind, value))
    return out
def response(head, error=0, index=0, varbinds=b''):
    session, tid, packet = struct.unpack('>III', head[4:16])
    return pdu(18, session, tid, packet, struct.pack('>IHH', 0, error, index) + varbinds)

CTX = (1, 3, 6, 1, 4, 1, 8072, 9999, 7)
ROWS = (1, 3, 6, 1, 4, 1, 8072, 9999, 8)
FAIL = (1, 3, 6, 1, 4, 1, 8072, 9999, 9)
CAPS = (1, 3, 6, 1, 4, 1, 8072, 9999, 100)
rows = {}
scalar = [0]
pending = {}
saved = {}

def objects(context):
    if context == b'ctx':
        return [(CTX + (1, 0), 4, b'in-ctx')]
    if context:
        return []
    out = [(FAIL + (1, 0), 2, scalar[0])]
    for index, name in rows.items():
        out.append((ROWS + (1, 2, index), 4, name))
        out.append((ROWS + (1, 3, index), 2, 1))
    return sorted(out)

def test(session, varbinds):
    if session == 2:
        for i, (name, kind, value) in enumerate(varbinds):
            if name != FAIL + (1, 0) or kind != 2:
                return 17, i + 1
        return 0, 0
    new = {}
    for i, (name, kind, value) in enumerate(varbinds):
        if name[:-1] == ROWS + (1, 2) and kind == 4:
            new.setdefault(name[-1], {})['name'] = (value, i + 1)
        elif name[:-1] == ROWS + (1, 3) and kind == 2:
            new.setdefault(name[-1], {})['status'] = (value, i + 1)
        else:
            return 17, i + 1
    for index, change in new.items():
        if index in rows:
            continue
        if 'status' not in change:
            return 11, change['name'][1]
        if change['status'][0] != 4 or 'name' not in change:
            return 12, change['status'][1]
    return 0, 0

def commit(session, varbinds):
    saved[session] = (dict(rows), scalar[0])
    if session == 2:
        value = varbinds[0][2]
        if value == 666:
            return 14
        scalar[0] = value
        return 0
    for name, kind, value in varbinds:
        if name[:-1] == ROWS + (1, 2):
            rows[name[-1]] = value
    return 0

def undo(session):
    old_rows, old_scalar = saved.pop(session, (dict(rows), scalar[0]))
    rows.clear()
    rows.update(old_rows)
    scalar[0] = old_scalar

sessions = []
for packet in (1, 2):
    s.sendall(pdu(1, 0, 0, packet, bytes(4) + bytes(4) + octets(b'transactions')))
    head, _ = read()
    sessions.append(struct.unpack('>I', head[4:8])[0])
one, two = sessions
registrations = [
    (one, octets(b'ctx') + bytes([0, 127, 0, 0]) + enc_oid(CTX), 0x18),
    (one, bytes([0, 127, 0, 0]) + enc_oid(ROWS), 0x10),
    (two, bytes([0, 127, 0, 0]) + enc_oid(FAIL), 0x10),
]
for packet, (session, payload, flags) in enumerate(registrations, 10):
    s.sendall(pdu(3, session, 0, packet, payload, flags))
    head, body = read()
    print('register', struct.unpack('>H', body[4:6])[0], flush=True)
s.sendall(pdu(16, one, 0, 20, enc_oid(CAPS) + octets(b'transaction test')))
head, body = read()
print('caps', struct.unpack('>H', body[4:6])[0], flush=True)
print('registered', flush=True)

while True:
    head, body = read()
    kind, flags = head[1], head[2]
    session = struct.unpack('>I', head[4:8])[0]
    number = 2 if session == two else 1
    at, context = 0, b''
    if flags & 0x08:
        context, at = dec_octets(body, 0)
    if kind in (5, 6):
        print('request', kind, 'context', context.decode() or '-', flush=True)
        out = b''
        while at < len(body):
            start, include, at = dec_oid(body, at)
            end, _, at = dec_oid(body, at)
            found = None
            for name, vkind, value in objects(context):
                if kind == 5:
                    if name == start:
                        found = (name, vkind, value)
                        break
                elif (name > start or (include and name == start)) and (not end or name < end):
                    found = (name, vkind, value)
                    break
            if found:
                out += enc_varbind(*found)
            else:
                out += enc_varbind(start, 128 if kind == 5 else 130)
        s.sendall(response(head, varbinds=out))
    elif kind == 7:
        print('request 7 context', context.decode() or '-', flush=True)
        _, repetitions = struct.unpack('>HH', body[at:at + 4])
        start, include, at = dec_oid(body, at + 4)
        end, _, at = dec_oid(body, at)
        out = b''
        found = [o for o in objects(context)
                 if (o[0] > start or (include and o[0] == start)) and (not end or o[0] < end)]
        for name, vkind, value in found[:repetitions]:
            out += enc_varbind(name, vkind, value)
        if len(found) < repetitions:
            out += enc_varbind(found[-1][0] if found else start, 130)
        s.sendall(response(head, varbinds=out))
    elif kind == 8:
        varbinds = dec_varbinds(body, at)
        pending[number] = varbinds
        print('testset', number, len(varbinds), flush=True)
        error, index = test(number, varbinds)
        s.sendall(response(head, error, index))
    elif kind == 9:
        s.sendall(response(head, commit(number, pending.get(number, []))))
    elif kind == 10:
        print('undo', number, flush=True)
        undo(number)
        s.sendall(response(head))
    elif kind == 11:
        pending.pop(number, None)
    else:
        s.sendall(response(head))
"#;

#[test]
fn a_subagent_registers_in_a_context() {
    if !require(&[Peer::Snmpget, Peer::Snmpwalk]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "{CONTEXT_USER}[[community]]\nname = \"ctxside\"\naccess = \"ro\"\ncontext = \"ctx\"\n"
        ),
    )
    .expect("write the configuration");
    let master = Master::start_with(
        dir.path(),
        socket,
        &["--config", config.to_str().expect("a UTF-8 path")],
    );
    let subagent = python_subagent(dir.path(), "transactions", TRANSACTION_SUBAGENT, socket);
    let registered = wait_until(Duration::from_secs(10), || {
        subagent.log().contains("registered").then_some(())
    });
    assert!(registered.is_some(), "vigie log:\n{}", master.process.log());
    assert_eq!(
        subagent.log().matches("register 0").count(),
        3,
        "{}",
        subagent.log()
    );
    let instance = ".1.3.6.1.4.1.8072.9999.7.1.0";
    let target = master.target();

    // In the context, by contextName and by the community mapped to it: the subagent's
    // object, asked with the context.
    let mut args = context_user_args("ctx");
    args.extend([target.as_str(), instance]);
    let out = snmp(Peer::Snmpget, &args);
    assert!(
        out.stdout.contains("\"in-ctx\""),
        "{out}\n{}",
        subagent.log()
    );
    let out = snmp(
        Peer::Snmpget,
        &["-v2c", "-c", "ctxside", "-On", &target, instance],
    );
    assert!(out.stdout.contains("\"in-ctx\""), "{out}");
    let mut args = context_user_args("ctx");
    args.truncate(args.len() - 4);
    args.extend([target.as_str(), ".1"]);
    let out = snmp(Peer::Snmpwalk, &args);
    assert!(out.success(), "{out}");
    assert_eq!(walked(&out), [arcs(instance)], "{out}");
    assert!(
        subagent.log().contains("request 5 context ctx")
            && subagent.log().contains("request 6 context ctx"),
        "{}",
        subagent.log()
    );

    // The default context does not see it, and the context does not see vigie's groups.
    let out = master.get(instance);
    assert!(out.stdout.contains("No Such Object"), "{out}");
    let mut args = context_user_args("ctx");
    args.extend([target.as_str(), SYS_DESCR]);
    let out = snmp(Peer::Snmpget, &args);
    assert!(out.stdout.contains("No Such Object"), "{out}");

    // Its agent capabilities are a sysORTable row.
    assert!(subagent.log().contains("caps 0"), "{}", subagent.log());
    let caps = "OID: .1.3.6.1.4.1.8072.9999.100";
    let sys_or_id = ".1.3.6.1.2.1.1.9.1.2";
    let shown = wait_until(Duration::from_secs(5), || {
        master
            .walk(Peer::Snmpwalk, sys_or_id)
            .stdout
            .contains(caps)
            .then_some(())
    });
    assert!(
        shown.is_some(),
        "{}",
        master.walk(Peer::Snmpwalk, sys_or_id)
    );

    // The subagent goes: so do its context and its capabilities.
    drop(subagent);
    let gone = wait_until(Duration::from_secs(5), || {
        let mut args = context_user_args("ctx");
        args.extend([target.as_str(), instance]);
        (!snmp(Peer::Snmpget, &args).stdout.contains("in-ctx")).then_some(())
    });
    assert!(gone.is_some());
    let removed = wait_until(Duration::from_secs(5), || {
        let out = master.walk(Peer::Snmpwalk, sys_or_id);
        (out.success() && !out.stdout.contains(caps)).then_some(())
    });
    assert!(
        removed.is_some(),
        "{}",
        master.walk(Peer::Snmpwalk, sys_or_id)
    );
}

#[test]
fn a_multi_varbind_set_is_one_agentx_transaction() {
    if !require(&[Peer::Snmpget, Peer::Snmpset]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let master = Master::start(dir.path(), socket);
    let subagent = python_subagent(dir.path(), "transactions", TRANSACTION_SUBAGENT, socket);
    let registered = wait_until(Duration::from_secs(10), || {
        subagent.log().contains("registered").then_some(())
    });
    assert!(registered.is_some(), "vigie log:\n{}", master.process.log());
    let target = master.target();
    let set = |varbinds: &[&str]| {
        let mut args = vec![
            "-v2c", "-c", "private", "-On", "-t", "3", "-r", "0", &target,
        ];
        args.extend_from_slice(varbinds);
        snmp(Peer::Snmpset, &args)
    };
    let name_1 = ".1.3.6.1.4.1.8072.9999.8.1.2.1";
    let status_1 = ".1.3.6.1.4.1.8072.9999.8.1.3.1";

    // RowStatus alone: the subagent refuses the creation, pointing at it.
    let out = set(&[status_1, "i", "4"]);
    assert!(out.stderr.contains("inconsistentValue"), "{out}");

    // createAndGo and the name in one request: one TestSet with both, and the row exists.
    let out = set(&[status_1, "i", "4", name_1, "s", "first"]);
    assert!(out.success(), "{out}\n{}", subagent.log());
    assert!(subagent.log().contains("testset 1 2"), "{}", subagent.log());
    let out = master.get(name_1);
    assert!(out.stdout.contains("\"first\""), "{out}");

    // A second row, and a varbind of another session whose commit fails: the first
    // session's commit is undone, and the row never appears.
    let name_2 = ".1.3.6.1.4.1.8072.9999.8.1.2.2";
    let status_2 = ".1.3.6.1.4.1.8072.9999.8.1.3.2";
    let out = set(&[
        status_2,
        "i",
        "4",
        name_2,
        "s",
        "second",
        ".1.3.6.1.4.1.8072.9999.9.1.0",
        "i",
        "666",
    ]);
    assert!(out.stderr.contains("commitFailed"), "{out}");
    assert!(subagent.log().contains("undo 1"), "{}", subagent.log());
    let out = master.get(name_2);
    assert!(out.stdout.contains("No Such"), "{out}");
    assert!(master.get(name_1).stdout.contains("\"first\""));
}

#[test]
fn getbulk_goes_to_a_subagent_as_one_agentx_getbulk_when_enabled() {
    if !require(&[Peer::Snmpset, Peer::Snmpbulkwalk]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let config = dir.path().join("agent.toml");
    std::fs::write(&config, "[agentx]\ngetbulk = true\n").expect("write the configuration");
    let master = Master::start_with(
        dir.path(),
        socket,
        &["--config", config.to_str().expect("a UTF-8 path")],
    );
    let subagent = python_subagent(dir.path(), "transactions", TRANSACTION_SUBAGENT, socket);
    let registered = wait_until(Duration::from_secs(10), || {
        subagent.log().contains("registered").then_some(())
    });
    assert!(registered.is_some(), "vigie log:\n{}", master.process.log());
    let target = master.target();
    let out = snmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            &target,
            ".1.3.6.1.4.1.8072.9999.8.1.3.1",
            "i",
            "4",
            ".1.3.6.1.4.1.8072.9999.8.1.2.1",
            "s",
            "first",
        ],
    );
    assert!(out.success(), "{out}");
    let out = snmp(
        Peer::Snmpbulkwalk,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            "-Cr10",
            &target,
            ".1.3.6.1.4.1.8072.9999",
        ],
    );
    assert!(out.success(), "{out}");
    // The row's two columns from one GetBulk, then the other session's scalar.
    assert_eq!(
        walked(&out),
        [
            arcs(".1.3.6.1.4.1.8072.9999.8.1.2.1"),
            arcs(".1.3.6.1.4.1.8072.9999.8.1.3.1"),
            arcs(".1.3.6.1.4.1.8072.9999.9.1.0"),
        ],
        "{out}"
    );
    assert!(
        subagent.log().contains("request 7 context -"),
        "{}",
        subagent.log()
    );
}

#[test]
fn a_netsnmp_subagent_answers_agentx_getbulk() {
    if !require(&[
        Peer::Snmpd,
        Peer::Snmpget,
        Peer::Snmpwalk,
        Peer::Snmpbulkwalk,
    ]) {
        return;
    }
    let dir = TempDir::new().expect("a temporary directory");
    let socket = dir.path().join("master");
    let socket = socket.to_str().expect("a UTF-8 path");
    let config = dir.path().join("agent.toml");
    std::fs::write(&config, "[agentx]\ngetbulk = true\n").expect("write the configuration");
    let master = Master::start_with(
        dir.path(),
        socket,
        &["--config", config.to_str().expect("a UTF-8 path")],
    );
    let subagent = netsnmp_subagent(dir.path(), socket);
    wait_for_extend(&master, &subagent);
    // The same objects, in the same order, by GETNEXT and by GETBULK forwarded as AgentX
    // GetBulk; then the walk goes on into vigie's own groups.
    let by_next = master.walk(Peer::Snmpwalk, EXTEND_SUBTREE);
    let by_bulk = master.walk(Peer::Snmpbulkwalk, EXTEND_SUBTREE);
    assert!(
        by_bulk.success(),
        "{by_bulk}\nsubagent log:\n{}",
        subagent.log()
    );
    assert!(walked(&by_next).len() > 3, "{by_next}");
    assert_eq!(walked(&by_bulk), walked(&by_next), "{by_bulk}");
    let out = master.walk(Peer::Snmpbulkwalk, ".1");
    assert!(out.success(), "{out}");
    assert_increasing(&out);
    let oids = walked(&out);
    assert!(oids.contains(&arcs(SYS_DESCR)) && oids.contains(&arcs(EXTEND_HELLO)));
}
