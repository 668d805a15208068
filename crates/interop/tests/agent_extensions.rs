//! `vigie agent`'s `pass`, `pass_persist`, `extend` and `proxy` against Net-SNMP's `snmpd`:
//! the same scripts and commands given to both, walked, read and set with Net-SNMP's tools,
//! and the outputs compared line for line. Build the binary first: `cargo build -p vigie`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use vigie_interop::{
    CONTEXT_USER, Outcome, Peer, Snmpd, SnmpdConfig, context_user_args, free_udp_port, require,
    run_netsnmp, vigie_bin,
};

/// The subtree of the `pass` script.
const PASS: &str = ".1.3.6.1.4.1.99997";
/// The subtree of the `pass_persist` script.
const PERSIST: &str = ".1.3.6.1.4.1.99998";
/// `NET-SNMP-EXTEND-MIB::nsExtendObjects`.
const EXTEND: &str = ".1.3.6.1.4.1.8072.1.3.2";

/// A `pass` script: one object of each common type, `NONE` elsewhere, a SET error word for
/// the value `bad`. (snmpd reads the script's standard error with its output, so the
/// scripts compared with it print nothing there.)
const PASS_SCRIPT: &str = r#"#!/bin/sh
base=.1.3.6.1.4.1.99997
value() {
  case "$1" in
  $base.1.0) printf '%s\ninteger\n-42\n' "$1" ;;
  $base.2.0) printf '%s\nstring\nhello pass\n' "$1" ;;
  $base.3.0) printf '%s\ngauge\n7\n' "$1" ;;
  $base.4.0) printf '%s\ncounter\n4000000000\n' "$1" ;;
  $base.5.0) printf '%s\ntimeticks\n12345\n' "$1" ;;
  $base.6.0) printf '%s\nipaddress\n192.0.2.1\n' "$1" ;;
  $base.7.0) printf '%s\nobjectid\n.1.3.6.1.4.1.8072\n' "$1" ;;
  $base.8.0) printf '%s\noctet\n00 01 fe ff\n' "$1" ;;
  *) return 1 ;;
  esac
}
case "$1" in
-g) value "$2" || echo NONE ;;
-n) case "$2" in
    $base|$base.0*) value $base.1.0 ;;
    $base.1|$base.1.*) value $base.2.0 ;;
    $base.2|$base.2.*) value $base.3.0 ;;
    $base.3|$base.3.*) value $base.4.0 ;;
    $base.4|$base.4.*) value $base.5.0 ;;
    $base.5|$base.5.*) value $base.6.0 ;;
    $base.6|$base.6.*) value $base.7.0 ;;
    $base.7|$base.7.*) value $base.8.0 ;;
    *) echo NONE ;;
    esac ;;
-s) case "$4" in
    bad) echo wrong-value ;;
    readonly) echo not-writable ;;
    esac ;;
esac
"#;

/// A `pass_persist` script in sh: a Counter64 among its objects (which a v1 walk skips).
const PERSIST_SCRIPT: &str = r#"#!/bin/sh
base=.1.3.6.1.4.1.99998
while read -r command; do
  case "$command" in
  PING) echo PONG ;;
  get) read -r oid
       case "$oid" in
       $base.1.0) printf '%s\ninteger\n7\n' "$oid" ;;
       $base.2.0) printf '%s\ncounter64\n12345678901\n' "$oid" ;;
       $base.3.0) printf '%s\nstring\npersistent\n' "$oid" ;;
       *) echo NONE ;;
       esac ;;
  getnext) read -r oid
       case "$oid" in
       $base|$base.0*) printf '%s\ninteger\n7\n' $base.1.0 ;;
       $base.1|$base.1.*) printf '%s\ncounter64\n12345678901\n' $base.2.0 ;;
       $base.2|$base.2.*) printf '%s\nstring\npersistent\n' $base.3.0 ;;
       *) echo NONE ;;
       esac ;;
  set) read -r oid; read -r value
       case "$value" in *bad*) echo wrong-value ;; *) echo DONE ;; esac ;;
  esac
done
"#;

/// An `extend` command: two lines and exit status 3.
const LINES_SCRIPT: &str = "#!/bin/sh\necho first line\necho second line\nexit 3\n";

/// The scripts, written once per test.
struct Scripts {
    dir: TempDir,
}

impl Scripts {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let scripts = Self { dir };
        scripts.write("pass.sh", PASS_SCRIPT);
        scripts.write("persist.sh", PERSIST_SCRIPT);
        scripts.write("lines.sh", LINES_SCRIPT);
        scripts.write("empty.sh", "#!/bin/sh\nexit 2\n");
        scripts.write("blank.sh", "#!/bin/sh\nprintf 'x\\n\\ny\\n\\n'\n");
        scripts.write("hang.sh", "#!/bin/sh\nsleep 60\n");
        scripts.write(
            "noisy.sh",
            "#!/bin/sh\necho 'debug: secret noise' >&2\nprintf '%s\\nstring\\nclean\\n' \"$2\"\n",
        );
        scripts.write(
            "garbage.sh",
            "#!/bin/sh\nread -r ping\necho PONG\nwhile read -r line; do head -c 100000 /dev/urandom | tr -d '\\n'; done\n",
        );
        scripts
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path(name);
        fs::write(&path, text).expect("write a script");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod a script");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn show(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

/// A running `vigie agent` with a configuration file, killed (by PID) when dropped.
struct VigieAgent {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl VigieAgent {
    /// The configuration file: the listen address, `public` and `private`, and `config`.
    fn write_config(path: &std::path::Path, port: u16, config: &str) {
        fs::write(
            path,
            format!(
                "listen = [\"udp:127.0.0.1:{port}\"]\n\
                 [[community]]\nname = \"public\"\naccess = \"ro\"\n\
                 [[community]]\nname = \"private\"\naccess = \"rw\"\n\
                 {config}"
            ),
        )
        .expect("write the configuration");
    }

    /// Writes `config` in place of the running one and sends SIGHUP (to this agent's PID).
    fn reload(&self, config: &str) {
        Self::write_config(&self._dir.path().join("agent.toml"), self.port, config);
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    fn start(config: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = free_udp_port();
        let path = dir.path().join("agent.toml");
        Self::write_config(&path, port, config);
        let log = dir.path().join("agent.log");
        let stderr = fs::File::create(&log).expect("create the log");
        let child = Command::new(vigie_bin())
            .arg("agent")
            .arg("--config")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start vigie agent");
        let agent = Self {
            child,
            port,
            log,
            _dir: dir,
        };
        agent.wait_until_ready();
        agent
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `snmpget -v2c -c public` of `oid`, 2 s, no retry.
    fn get(&self, oid: &str) -> Outcome {
        run_netsnmp(
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

    /// [`VigieAgent::get`] of `oid` until its output contains `text` (a reload applied), for
    /// at most 10 s; the last answer.
    fn get_until(&self, oid: &str, text: &str) -> Outcome {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = self.get(oid);
            if out.stdout.contains(text) || Instant::now() >= deadline {
                return out;
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let out = run_netsnmp(
                Peer::Snmpget,
                &[
                    "-v2c",
                    "-c",
                    "public",
                    "-t",
                    "0.2",
                    "-r",
                    "0",
                    &self.target(),
                    ".1.3.6.1.2.1.1.3.0",
                ],
            );
            if out.success() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("vigie agent did not answer; log:\n{}", self.log());
    }
}

impl Drop for VigieAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The configuration lines for the same `pass`, `pass_persist` and `extend` in both agents.
fn snmpd_lines(scripts: &Scripts) -> String {
    format!(
        "pass {PASS} {}\npass_persist {PERSIST} {}\nextend hello /bin/echo hello world\n\
         extend lines {}\nextend empty {}\nextend blank {}\n",
        scripts.show("pass.sh"),
        scripts.show("persist.sh"),
        scripts.show("lines.sh"),
        scripts.show("empty.sh"),
        scripts.show("blank.sh"),
    )
}

fn vigie_lines(scripts: &Scripts) -> String {
    format!(
        "[[pass]]\noid = \"{PASS}\"\ncommand = \"{}\"\n\
         [[pass_persist]]\noid = \"{PERSIST}\"\ncommand = [\"{}\"]\n\
         [[extend]]\nname = \"hello\"\ncommand = \"/bin/echo\"\nargs = \"hello world\"\n\
         [[extend]]\nname = \"lines\"\ncommand = \"{}\"\n\
         [[extend]]\nname = \"empty\"\ncommand = \"{}\"\n\
         [[extend]]\nname = \"blank\"\ncommand = [\"{}\"]\n",
        scripts.show("pass.sh"),
        scripts.show("persist.sh"),
        scripts.show("lines.sh"),
        scripts.show("empty.sh"),
        scripts.show("blank.sh"),
    )
}

/// Runs `tool` with `args` against both agents and asserts the same output and status.
fn same(tool: Peer, snmpd: &str, vigie: &VigieAgent, args: &[&str]) -> Outcome {
    let with = |target: &str| {
        let mut all: Vec<&str> = args.to_vec();
        // The agent address goes before the OIDs (after the options).
        let at = all
            .iter()
            .position(|arg| arg.starts_with('.'))
            .unwrap_or(all.len());
        all.insert(at, target);
        run_netsnmp(tool, &all)
    };
    let reference = with(snmpd);
    let ours = with(&vigie.target());
    assert_eq!(
        (ours.stdout.as_str(), ours.stderr.as_str(), ours.status),
        (
            reference.stdout.as_str(),
            reference.stderr.as_str(),
            reference.status
        ),
        "{:?} {args:?}: vigie (left) and snmpd (right) differ; vigie's log:\n{}",
        tool,
        vigie.log()
    );
    ours
}

#[test]
fn pass_pass_persist_and_extend_answer_as_snmpd() {
    if !require(&[
        Peer::Snmpd,
        Peer::Snmpwalk,
        Peer::Snmpget,
        Peer::Snmpgetnext,
        Peer::Snmpset,
    ]) {
        return;
    }
    let scripts = Scripts::new();
    let Some(snmpd) = Snmpd::start(&snmpd_lines(&scripts)) else {
        return;
    };
    let vigie = VigieAgent::start(&vigie_lines(&scripts));
    let reference = snmpd.target();
    let r = reference.as_str();
    for version in ["-v1", "-v2c"] {
        for subtree in [PASS, PERSIST, EXTEND] {
            let walked = same(
                Peer::Snmpwalk,
                r,
                &vigie,
                &[version, "-c", "public", "-On", subtree],
            );
            assert!(walked.stdout.lines().count() >= 2, "{walked:?}");
        }
    }
    same(
        Peer::Snmpget,
        r,
        &vigie,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            ".1.3.6.1.4.1.99997.2.0",
            ".1.3.6.1.4.1.99997.9.0",
            ".1.3.6.1.4.1.99998.2.0",
        ],
    );
    same(
        Peer::Snmpget,
        r,
        &vigie,
        &["-v1", "-c", "public", "-On", ".1.3.6.1.4.1.99997.9.0"],
    );
    same(
        Peer::Snmpget,
        r,
        &vigie,
        &["-v1", "-c", "public", "-On", ".1.3.6.1.4.1.99998.2.0"],
    );
    same(
        Peer::Snmpgetnext,
        r,
        &vigie,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            ".1.3.6.1.4.1.99997.4",
            ".1.3.6.1.4.1.99998",
        ],
    );
    // The extend outputs by name, as operators ask for them.
    same(
        Peer::Snmpget,
        r,
        &vigie,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            ".1.3.6.1.4.1.8072.1.3.2.3.1.2.5.104.101.108.108.111",
            ".1.3.6.1.4.1.8072.1.3.2.3.1.4.5.108.105.110.101.115",
            ".1.3.6.1.4.1.8072.1.3.2.4.1.2.5.108.105.110.101.115.2",
        ],
    );
    for (oid, kind, value) in [
        (".1.3.6.1.4.1.99997.2.0", "s", "good one"),
        (".1.3.6.1.4.1.99997.2.0", "s", "bad"),
        (".1.3.6.1.4.1.99997.2.0", "s", "readonly"),
        (".1.3.6.1.4.1.99997.1.0", "i", "5"),
        (".1.3.6.1.4.1.99997.8.0", "x", "01ff"),
        (".1.3.6.1.4.1.99998.3.0", "s", "good one"),
        (".1.3.6.1.4.1.99998.3.0", "s", "bad"),
        (".1.3.6.1.4.1.99998.9.0", "s", "absent"),
    ] {
        for version in ["-v1", "-v2c"] {
            same(
                Peer::Snmpset,
                r,
                &vigie,
                &[version, "-c", "private", "-On", oid, kind, value],
            );
        }
    }
}

#[test]
fn hung_and_garbage_writing_scripts_do_not_hang_the_agent() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let scripts = Scripts::new();
    let vigie = VigieAgent::start(&format!(
        "[[pass]]\noid = \".1.3.6.1.4.1.99996\"\ncommand = \"{}\"\ntimeout = 0.5\n\
         [[pass_persist]]\noid = \".1.3.6.1.4.1.99995\"\ncommand = \"{}\"\ntimeout = 0.5\n\
         [[extend]]\nname = \"hang\"\ncommand = \"{}\"\ntimeout = 0.5\n\
         [[pass]]\noid = \".1.3.6.1.4.1.99994\"\ncommand = \"{}\"\n",
        scripts.show("hang.sh"),
        scripts.show("garbage.sh"),
        scripts.show("hang.sh"),
        scripts.show("noisy.sh"),
    ));
    let target = vigie.target();
    let get = |oid: &str| {
        run_netsnmp(
            Peer::Snmpget,
            &[
                "-v2c", "-c", "public", "-On", "-t", "5", "-r", "0", &target, oid,
            ],
        )
    };
    // A hung GET answered while the other scripts hang: the agent answers on other threads.
    let slow = {
        let target = target.clone();
        thread::spawn(move || {
            run_netsnmp(
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
                    ".1.3.6.1.4.1.99996.1.0",
                ],
            )
        })
    };
    let quick = get(".1.3.6.1.2.1.1.3.0");
    assert!(quick.success(), "{quick:?}");
    for oid in [
        ".1.3.6.1.4.1.99996.1.0",
        ".1.3.6.1.4.1.99995.1.0",
        ".1.3.6.1.4.1.8072.1.3.2.3.1.4.4.104.97.110.103",
    ] {
        let out = get(oid);
        assert!(out.success(), "{oid}: {out:?}\n{}", vigie.log());
        assert!(
            out.stdout.contains("No Such Instance") || out.stdout.contains("INTEGER: -1"),
            "{oid}: {out:?}"
        );
    }
    // Answered within the manager's 5 s with no retry: the script was cut off at 0.5 s.
    let slow = slow.join().expect("the slow GET");
    assert!(slow.stdout.contains("No Such Instance"), "{slow:?}");
    assert!(get(".1.3.6.1.2.1.1.3.0").success());
    // What a script prints on its standard error reaches neither the response nor the log.
    let noisy = get(".1.3.6.1.4.1.99994.1.0");
    assert_eq!(
        noisy.stdout, ".1.3.6.1.4.1.99994.1.0 = STRING: \"clean\"\n",
        "{noisy:?}"
    );
    assert!(!vigie.log().contains("secret noise"), "{}", vigie.log());
    let log = vigie.log();
    assert!(log.contains("did not answer within"), "{log}");
}

/// Walks of `oid` through vigie's proxy and of the same subtree of snmpd directly.
fn proxied_walk(args: &[&str], target: &str, oid: &str) -> Vec<String> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-On", target, oid]);
    let out = run_netsnmp(Peer::Snmpwalk, &all);
    assert!(out.success(), "{out:?}");
    out.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn proxy_forwards_a_subtree_of_snmpd() {
    if !require(&[Peer::Snmpd, Peer::Snmpwalk, Peer::Snmpget]) {
        return;
    }
    let Some(snmpd) = Snmpd::start("") else {
        return;
    };
    let vigie = VigieAgent::start(&format!(
        "[[user]]\nname = \"proxyuser\"\nauth = \"SHA\"\nauth_password = \"proxy-secret\"\naccess = \"ro\"\n\
         [[proxy]]\noid = \"{sub}\"\ntarget = \"udp:{far}\"\ncommunity = \"public\"\ntimeout = 1\nretries = 1\n\
         [[proxy]]\noid = \".1.3.6.1.4.1.99990.1\"\nremote_oid = \".1.3.6.1.2.1.1\"\ntarget = \"udp:{far}\"\ncommunity = \"public\"\n\
         [[proxy]]\noid = \".1.3.6.1.4.1.99990.2\"\ntarget = \"udp:127.0.0.1:{silent}\"\ncommunity = \"public\"\ntimeout = 0.3\nretries = 0\n",
        sub = vigie_interop::PASS_SUBTREE,
        far = snmpd.target(),
        silent = free_udp_port(),
    ));
    let direct = proxied_walk(
        &["-v2c", "-c", "public"],
        &snmpd.target(),
        vigie_interop::PASS_SUBTREE,
    );
    assert!(direct.len() > 3, "{direct:?}");
    let v2c = proxied_walk(
        &["-v2c", "-c", "public"],
        &vigie.target(),
        vigie_interop::PASS_SUBTREE,
    );
    assert_eq!(
        v2c,
        direct,
        "v2c walk through the proxy; log:\n{}",
        vigie.log()
    );
    let v3 = proxied_walk(
        &[
            "-v3",
            "-u",
            "proxyuser",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-A",
            "proxy-secret",
        ],
        &vigie.target(),
        vigie_interop::PASS_SUBTREE,
    );
    assert_eq!(v3, direct, "v3 walk through the proxy");
    // A v1 manager never sees a Counter64 (RFC 3584 §4.2.2.1): compare with snmpd's own v1 view.
    let direct_v1 = proxied_walk(
        &["-v1", "-c", "public"],
        &snmpd.target(),
        vigie_interop::PASS_SUBTREE,
    );
    let v1 = proxied_walk(
        &["-v1", "-c", "public"],
        &vigie.target(),
        vigie_interop::PASS_SUBTREE,
    );
    assert_eq!(v1, direct_v1, "v1 walk through the proxy");
    // The rewritten subtree: snmpd's system group under .1.3.6.1.4.1.99990.1.
    let system = proxied_walk(&["-v2c", "-c", "public"], &snmpd.target(), ".1.3.6.1.2.1.1");
    let remapped: Vec<String> = proxied_walk(
        &["-v2c", "-c", "public"],
        &vigie.target(),
        ".1.3.6.1.4.1.99990.1",
    )
    .into_iter()
    .map(|line| line.replacen(".1.3.6.1.4.1.99990.1.", ".1.3.6.1.2.1.1.", 1))
    .collect();
    assert_eq!(remapped.len(), system.len(), "{remapped:?}");
    for (ours, theirs) in remapped.iter().zip(&system) {
        // sysUpTime moves between the two walks.
        if !theirs.starts_with(".1.3.6.1.2.1.1.3.0 ") {
            assert_eq!(ours, theirs);
        }
    }
    // A silent far agent: GET answers genErr, as snmpd's proxy does, within the manager's
    // 5 s and no retry; a walk skips it.
    let out = run_netsnmp(
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
            &vigie.target(),
            ".1.3.6.1.4.1.99990.2.1.0",
        ],
    );
    assert!(out.stderr.contains("genError"), "{out:?}");
    let after = proxied_walk(
        &["-v2c", "-c", "public"],
        &vigie.target(),
        ".1.3.6.1.4.1.99990",
    );
    assert_eq!(after.len(), system.len(), "{after:?}");
    assert!(!vigie.log().contains("public"), "{}", vigie.log());
}

#[test]
fn proxy_forwards_sets_and_speaks_v1_to_the_far_agent() {
    if !require(&[Peer::Snmpd, Peer::Snmpwalk, Peer::Snmpget, Peer::Snmpset]) {
        return;
    }
    let Some(snmpd) = Snmpd::start_with(&SnmpdConfig {
        writable_system: true,
        extra: String::new(),
    }) else {
        return;
    };
    let vigie = VigieAgent::start(&format!(
        "[[proxy]]\noid = \".1.3.6.1.4.1.99991.1\"\nremote_oid = \".1.3.6.1.2.1.1\"\n\
         target = \"udp:{far}\"\ncommunity = \"private\"\n\
         [[proxy]]\noid = \".1.3.6.1.4.1.99991.2\"\nremote_oid = \"{sub}\"\n\
         target = \"udp:{far}\"\nversion = \"v1\"\ncommunity = \"public\"\n",
        sub = vigie_interop::PASS_SUBTREE,
        far = snmpd.target(),
    ));
    // SET through the proxy reaches the far agent.
    let set = run_netsnmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            &vigie.target(),
            ".1.3.6.1.4.1.99991.1.4.0",
            "s",
            "proxied contact",
        ],
    );
    assert!(set.success(), "{set:?}\n{}", vigie.log());
    let contact = run_netsnmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Ov",
            &snmpd.target(),
            ".1.3.6.1.2.1.1.4.0",
        ],
    );
    assert_eq!(contact.stdout, "STRING: \"proxied contact\"\n");
    // The far agent's refusal is the answer, for the proxied name.
    let direct = run_netsnmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            &snmpd.target(),
            ".1.3.6.1.2.1.1.1.0",
            "s",
            "x",
        ],
    );
    let proxied = run_netsnmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            "-On",
            &vigie.target(),
            ".1.3.6.1.4.1.99991.1.1.0",
            "s",
            "x",
        ],
    );
    assert_eq!(
        proxied
            .stderr
            .replace(".1.3.6.1.4.1.99991.1.1.0", ".1.3.6.1.2.1.1.1.0"),
        direct.stderr
    );
    assert_eq!(proxied.status, direct.status);
    // A v1 far agent, walked by a v2c manager: what snmpd shows a v1 manager, renamed.
    let far_v1 = proxied_walk(
        &["-v1", "-c", "public"],
        &snmpd.target(),
        vigie_interop::PASS_SUBTREE,
    );
    let near_v2c: Vec<String> = proxied_walk(
        &["-v2c", "-c", "public"],
        &vigie.target(),
        ".1.3.6.1.4.1.99991.2",
    )
    .into_iter()
    .map(|line| {
        line.replacen(
            ".1.3.6.1.4.1.99991.2.",
            &format!("{}.", vigie_interop::PASS_SUBTREE),
            1,
        )
    })
    .collect();
    assert_eq!(near_v2c, far_v1);
    // v1's noSuchName from the far agent is noSuchInstance for a v2c manager.
    let missing = run_netsnmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-On",
            &vigie.target(),
            ".1.3.6.1.4.1.99991.2.12345.0",
        ],
    );
    assert_eq!(
        missing.stdout,
        ".1.3.6.1.4.1.99991.2.12345.0 = No Such Instance currently exists at this OID\n"
    );
}

#[test]
fn proxy_forwards_a_context_to_snmpd() {
    if !require(&[Peer::Snmpd, Peer::Snmpwalk, Peer::Snmpget]) {
        return;
    }
    let Some(snmpd) = Snmpd::start("") else {
        return;
    };
    // snmpd's `proxy -Cn far -v2c -c public HOST .1.3`, and `rocommunity farside default
    // .1 far`: the context `far` is the far agent's whole MIB.
    let vigie = VigieAgent::start(&format!(
        "{CONTEXT_USER}[[community]]\nname = \"farside\"\naccess = \"ro\"\ncontext = \"far\"\n\
         [[proxy]]\noid = \".1.3\"\ntarget = \"udp:{far}\"\ncommunity = \"public\"\ncontext = \"far\"\ntimeout = 1\nretries = 1\n",
        far = snmpd.target(),
    ));
    let target = vigie.target();
    let sys_descr = ".1.3.6.1.2.1.1.1.0";
    let theirs = format!("{sys_descr} = STRING: \"{}\"", vigie_interop::SYS_DESCR);

    // In the context: the far agent's objects, by SNMPv3 contextName and by the community
    // mapped to it.
    let mut args = context_user_args("far");
    args.extend([target.as_str(), sys_descr]);
    let out = run_netsnmp(Peer::Snmpget, &args);
    assert!(
        out.success() && out.stdout.contains(&theirs),
        "{out:?}\nlog:\n{}",
        vigie.log()
    );
    let out = run_netsnmp(
        Peer::Snmpget,
        &["-v2c", "-c", "farside", "-On", &vigie.target(), sys_descr],
    );
    assert!(out.stdout.contains(&theirs), "{out:?}");

    // A walk of the context is the far agent's walk (sysUpTime moves in between).
    let direct: Vec<String> =
        proxied_walk(&["-v2c", "-c", "public"], &snmpd.target(), ".1.3.6.1.2.1.1")
            .into_iter()
            .filter(|line| !line.starts_with(".1.3.6.1.2.1.1.3.0 "))
            .collect();
    let mut args = context_user_args("far");
    args.truncate(args.len() - 5);
    let through: Vec<String> = proxied_walk(&args, &vigie.target(), ".1.3.6.1.2.1.1")
        .into_iter()
        .filter(|line| !line.starts_with(".1.3.6.1.2.1.1.3.0 "))
        .collect();
    assert_eq!(through, direct, "v3 walk of the context `far`");

    // The default context is vigie's own, for the same user and for `public`.
    let mut args = context_user_args("");
    args.extend([target.as_str(), sys_descr]);
    let out = run_netsnmp(Peer::Snmpget, &args);
    assert!(out.success(), "{out:?}");
    assert!(!out.stdout.contains(vigie_interop::SYS_DESCR), "{out:?}");
    let out = run_netsnmp(
        Peer::Snmpget,
        &["-v2c", "-c", "public", "-On", &vigie.target(), sys_descr],
    );
    assert!(out.success(), "{out:?}");
    assert!(!out.stdout.contains(vigie_interop::SYS_DESCR), "{out:?}");

    // A context nothing serves is refused, never answered from another context.
    let mut args = context_user_args("elsewhere");
    args.extend([target.as_str(), sys_descr]);
    let out = run_netsnmp(Peer::Snmpget, &args);
    assert!(!out.success(), "{out:?}");
    assert!(!out.stdout.contains("STRING"), "{out:?}");
}

#[test]
fn proxy_asks_the_far_agent_in_its_remote_context() {
    if !require(&[Peer::Snmpd, Peer::Snmpget]) {
        return;
    }
    let Some(snmpd) = Snmpd::start("") else {
        return;
    };
    // The far agent: a vigie agent whose context `far` is snmpd, its default context its own.
    let far = VigieAgent::start(&format!(
        "{CONTEXT_USER}[[proxy]]\noid = \".1.3\"\ntarget = \"udp:{snmpd}\"\ncommunity = \"public\"\ncontext = \"far\"\ntimeout = 1\nretries = 1\n",
        snmpd = snmpd.target(),
    ));
    // The near agent serves the far agent's system group twice: asked in the far context
    // `far` (snmpd's `proxy -v3 -n far …`), and in its default context.
    let session = "version = \"v3\"\nuser = \"ctxuser\"\nauth = \"SHA\"\n\
                   auth_password = \"context-secret\"\ntimeout = 1\nretries = 1\n";
    let near = VigieAgent::start(&format!(
        "[[proxy]]\noid = \".1.3.6.1.4.1.99991.7\"\nremote_oid = \".1.3.6.1.2.1.1\"\n\
         target = \"udp:{far}\"\n{session}remote_context = \"far\"\n\
         [[proxy]]\noid = \".1.3.6.1.4.1.99991.8\"\nremote_oid = \".1.3.6.1.2.1.1\"\n\
         target = \"udp:{far}\"\n{session}",
        far = far.target(),
    ));
    let get = |oid: &str| {
        run_netsnmp(
            Peer::Snmpget,
            &["-v2c", "-c", "public", "-On", &near.target(), oid],
        )
    };
    let in_far = get(".1.3.6.1.4.1.99991.7.1.0");
    assert!(
        in_far.success() && in_far.stdout.contains(vigie_interop::SYS_DESCR),
        "{in_far:?}\nnear:\n{}\nfar:\n{}",
        near.log(),
        far.log()
    );
    let in_default = get(".1.3.6.1.4.1.99991.8.1.0");
    assert!(
        in_default.success() && in_default.stdout.contains("STRING:"),
        "{in_default:?}\nnear:\n{}",
        near.log()
    );
    assert!(
        !in_default.stdout.contains(vigie_interop::SYS_DESCR),
        "the default context is the far vigie agent's own: {in_default:?}"
    );
}

#[test]
fn sighup_reloads_the_extension_tables() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let scripts = Scripts::new();
    let pass = format!(
        "[[pass]]\noid = \"{PASS}\"\ncommand = \"{}\"\n",
        scripts.show("pass.sh")
    );
    let persist = format!(
        "[[pass_persist]]\noid = \"{PERSIST}\"\ncommand = [\"{}\"]\n",
        scripts.show("persist.sh")
    );
    let vigie = VigieAgent::start(&pass);
    let get = |oid: &str| vigie.get(oid);
    let pass_object = format!("{PASS}.2.0");
    let persist_object = format!("{PERSIST}.3.0");
    assert!(get(&pass_object).stdout.contains("hello pass"));
    assert!(get(&persist_object).stdout.contains("No Such Object"));

    // The pass table goes, a pass_persist table comes.
    vigie.reload(&persist);
    let out = vigie.get_until(&persist_object, "persistent");
    assert!(
        out.stdout.contains("persistent"),
        "{out:?}\nlog:\n{}",
        vigie.log()
    );
    assert!(get(&pass_object).stdout.contains("No Such Object"));

    // A table over a built-in group is refused at reload: the running tables stay.
    vigie.reload(&format!(
        "{persist}[[pass]]\noid = \".1.3.6.1.2.1.1\"\ncommand = \"{}\"\n",
        scripts.show("pass.sh")
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !vigie.log().contains("overlaps") && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
    }
    assert!(vigie.log().contains("overlaps"), "{}", vigie.log());
    assert!(get(&persist_object).stdout.contains("persistent"));
    assert!(get(".1.3.6.1.2.1.1.5.0").success());
}

#[test]
fn the_first_extension_table_comes_with_a_reload() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let scripts = Scripts::new();
    // Started without any table: requests are answered inline, not on blocking threads.
    let vigie = VigieAgent::start("");
    let get = |oid: &str| vigie.get(oid);
    let pass_object = format!("{PASS}.2.0");
    assert!(get(&pass_object).stdout.contains("No Such Object"));

    vigie.reload(&format!(
        "[[pass]]\noid = \"{PASS}\"\ncommand = \"{}\"\n",
        scripts.show("pass.sh")
    ));
    let out = vigie.get_until(&pass_object, "hello pass");
    assert!(
        out.stdout.contains("hello pass"),
        "{out:?}\nlog:\n{}",
        vigie.log()
    );

    // And goes with the next: the agent answers inline again.
    vigie.reload("");
    let out = vigie.get_until(&pass_object, "No Such Object");
    assert!(out.stdout.contains("No Such Object"), "{}", vigie.log());
    assert!(get(".1.3.6.1.2.1.1.5.0").success());
}
