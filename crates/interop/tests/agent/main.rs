//! Interop tests of `vigie agent`: Net-SNMP's tools as the managers, and Net-SNMP's `snmpd`
//! as the reference for error statuses and exceptions.
//!
//! Each test starts its own `vigie agent` on a free loopback port with a throwaway state
//! directory, and stops it (by PID) when done. Build the binary first: `cargo build -p vigie`.

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use vigie_interop::{
    Outcome, Peer, Snmpd, SnmpdConfig, Snmptrapd, free_udp_port, require, run, vigie_bin,
};

mod host_groups;
mod notifications_v3;
mod pysnmp;
mod reload;

/// A running `vigie agent`, killed when dropped.
struct VigieAgent {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl VigieAgent {
    /// Starts the agent with `public` read-only and `private` read-write, its state in `state`.
    fn start(state: &Path) -> Self {
        Self::start_with(state, &[])
    }

    /// [`start`](Self::start) with more arguments (`--config FILE`).
    fn start_with(state: &Path, extra: &[&str]) -> Self {
        let port = free_udp_port();
        let listen = format!("udp:127.0.0.1:{port}");
        let log = state.with_extension("log");
        let stderr = std::fs::File::create(&log).expect("create the agent's log");
        let child = Command::new(vigie_bin())
            .args(["agent", "--listen", &listen, "--rocommunity", "public"])
            .args(["--rwcommunity", "private", "--state-dir"])
            .arg(state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start vigie agent");
        let agent = Self { child, port, log };
        agent.wait_until_ready();
        agent
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let out = snmp(
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
                    SYS_UP_TIME,
                ],
            );
            if out.success() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "vigie agent did not answer within 10 s; log:\n{}",
            self.log()
        );
    }
}

impl Drop for VigieAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn snmp(tool: Peer, args: &[&str]) -> Outcome {
    let mut all = vec!["-m", ""];
    all.extend_from_slice(args);
    run(&tool.path().expect("the tool is installed"), &all)
}

/// The numeric OIDs of a walk's output, the closing "No more variables" or "End of MIB"
/// line left out. A string value holding a newline spans several lines; the lines after
/// its first do not start with a numeric OID and are skipped.
fn walked_oids(out: &Outcome) -> Vec<Vec<u32>> {
    out.stdout
        .lines()
        .filter(|line| !line.contains("No more variables left in this MIB View"))
        .filter_map(|line| {
            let (oid, _) = line.split_once(" = ")?;
            let arcs = oid.strip_prefix('.')?.split('.');
            arcs.map(|arc| arc.parse().ok())
                .collect::<Option<Vec<u32>>>()
        })
        .collect()
}

fn counter(agent: &VigieAgent, oid: &str) -> String {
    let out = snmp(
        Peer::Snmpget,
        &["-v2c", "-c", "public", "-On", "-Oqv", &agent.target(), oid],
    );
    assert!(out.success(), "{out}");
    out.stdout.trim().to_owned()
}

#[test]
fn walks_of_the_whole_tree_complete_in_increasing_order() {
    if !require(&[Peer::Snmpwalk, Peer::Snmpbulkwalk, Peer::Snmpget]) {
        return;
    }
    let state = TempDir::new().unwrap();
    let agent = VigieAgent::start(&state.path().join("state"));
    let target = agent.target();
    for (tool, version) in [
        (Peer::Snmpwalk, "-v1"),
        (Peer::Snmpwalk, "-v2c"),
        (Peer::Snmpbulkwalk, "-v2c"),
    ] {
        let out = snmp(tool, &[version, "-c", "public", "-On", &target, ".1"]);
        assert!(out.success(), "{out}\nagent log:\n{}", agent.log());
        assert_eq!(out.stderr, "", "{out}");
        let oids = walked_oids(&out);
        assert!(oids.len() > 40, "{out}");
        for pair in oids.windows(2) {
            assert!(pair[0] < pair[1], "not increasing: {pair:?}\n{out}");
        }
        // The groups the agent serves are all there.
        for prefix in [
            &[1, 3, 6, 1, 2, 1, 1][..],
            &[1, 3, 6, 1, 2, 1, 11],
            &[1, 3, 6, 1, 6, 3, 10, 2, 1],
            // snmpMPDStats, usmStats, vacmSecurityToGroupTable, vacmViewTreeFamilyTable.
            &[1, 3, 6, 1, 6, 3, 11, 2, 1],
            &[1, 3, 6, 1, 6, 3, 15, 1, 1],
            &[1, 3, 6, 1, 6, 3, 16, 1, 2, 1],
            &[1, 3, 6, 1, 6, 3, 16, 1, 5, 2, 1],
        ] {
            assert!(
                oids.iter().any(|oid| oid.starts_with(prefix)),
                "{prefix:?} missing\n{out}"
            );
        }
    }
}

/// What snmpget and snmpset print and return is the same against both agents.
#[test]
fn errors_and_exceptions_match_snmpd() {
    if !require(&[Peer::Snmpd, Peer::Snmpget, Peer::Snmpset]) {
        return;
    }
    let Some(snmpd) = Snmpd::start_with(&SnmpdConfig {
        writable_system: true,
        extra: String::new(),
    }) else {
        return;
    };
    let state = TempDir::new().unwrap();
    let agent = VigieAgent::start(&state.path().join("state"));
    let cases: &[(Peer, &[&str])] = &[
        (
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.2.1.1.1.1",
                "1.3.6.1.2.1.1.99.0",
                "1.3.6.1.99.1",
            ],
        ),
        (
            Peer::Snmpget,
            &[
                "-v1",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.2.1.11.30.0",
                "1.3.6.1.2.1.1.99.0",
            ],
        ),
        (
            Peer::Snmpget,
            &["-v1", "-c", "public", "TARGET", "1.3.6.1.2.1.1.1.1"],
        ),
        (
            Peer::Snmpset,
            &[
                "-v2c",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.2.1.1.1.0",
                "s",
                "x",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v2c",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.99.1.0",
                "i",
                "1",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v2c",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "s",
                "x",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v1",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "s",
                "x",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v2c",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "i",
                "5",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v1",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "i",
                "5",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v2c",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "s",
                "a",
                "1.3.6.1.2.1.1.1.0",
                "s",
                "b",
            ],
        ),
        (
            Peer::Snmpset,
            &[
                "-v1",
                "-c",
                "private",
                "TARGET",
                "1.3.6.1.2.1.1.4.0",
                "s",
                "a",
                "1.3.6.1.2.1.1.1.0",
                "s",
                "b",
            ],
        ),
    ];
    for (tool, args) in cases {
        let with = |target: &str| -> Vec<String> {
            args.iter()
                .map(|arg| {
                    if *arg == "TARGET" {
                        target.to_owned()
                    } else {
                        (*arg).to_owned()
                    }
                })
                .collect()
        };
        let reference_args = with(&snmpd.target());
        let vigie_args = with(&agent.target());
        let reference = snmp(
            *tool,
            &reference_args
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let vigie = snmp(
            *tool,
            &vigie_args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert_eq!(
            (&vigie.stdout, &vigie.stderr, vigie.status),
            (&reference.stdout, &reference.stderr, reference.status),
            "snmpd:\n{reference}\nvigie agent:\n{vigie}"
        );
    }
}

#[test]
fn sys_contact_set_survives_a_restart() {
    if !require(&[Peer::Snmpget, Peer::Snmpset]) {
        return;
    }
    let state = TempDir::new().unwrap();
    let dir = state.path().join("state");
    let agent = VigieAgent::start(&dir);
    let out = snmp(
        Peer::Snmpset,
        &[
            "-v2c",
            "-c",
            "private",
            &agent.target(),
            SYS_CONTACT,
            "s",
            "noc@example.net",
        ],
    );
    assert!(out.success(), "{out}");
    let boots = counter(&agent, ENGINE_BOOTS);
    drop(agent);
    let agent = VigieAgent::start(&dir);
    assert_eq!(counter(&agent, SYS_CONTACT), "\"noc@example.net\"");
    let boots_after: u32 = counter(&agent, ENGINE_BOOTS).parse().unwrap();
    assert_eq!(boots_after, boots.parse::<u32>().unwrap() + 1);
}

/// `engine_id` in the file sets snmpEngineID, as snmpd's `exactEngineID`; the discovered
/// engine is that one, and snmpEngineBoots goes on counting across the change.
#[test]
fn an_exact_engine_id_is_served_and_discovered() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let state = TempDir::new().unwrap();
    let dir = state.path().join("state");
    let agent = VigieAgent::start(&dir);
    let boots: u32 = counter(&agent, ENGINE_BOOTS).parse().unwrap();
    drop(agent);
    let config = state.path().join("agent.toml");
    std::fs::write(
        &config,
        "engine_id = \"0x80001f8804766967696501\"\n\n[[user]]\nname = \"ann\"\naccess = \"ro\"\n\
         auth = \"SHA\"\nauth_password = \"ann-auth-pass\"\n",
    )
    .unwrap();
    let config = config.to_string_lossy().into_owned();
    let agent = VigieAgent::start_with(&dir, &["--config", &config]);
    assert_eq!(
        counter(&agent, ".1.3.6.1.6.3.10.2.1.1.0"),
        "\"80 00 1F 88 04 76 69 67 69 65 01 \""
    );
    assert_eq!(counter(&agent, ENGINE_BOOTS), (boots + 1).to_string());
    // A v3 request with the engine ID given (-e) needs no discovery and is answered: the
    // key is localized to this engine ID.
    let out = snmp(
        Peer::Snmpget,
        &[
            "-v3",
            "-u",
            "ann",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-A",
            "ann-auth-pass",
            "-e",
            "0x80001f8804766967696501",
            "-Oqv",
            &agent.target(),
            SYS_UP_TIME,
        ],
    );
    assert!(out.success(), "{out}");
}

#[test]
fn bad_communities_and_malformed_packets_are_counted_and_unanswered() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let state = TempDir::new().unwrap();
    let agent = VigieAgent::start(&state.path().join("state"));
    let out = snmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "wrong",
            "-t",
            "0.3",
            "-r",
            "0",
            &agent.target(),
            SYS_UP_TIME,
        ],
    );
    assert!(!out.success());
    assert!(out.stderr.starts_with("Timeout: No Response"), "{out}");
    assert_eq!(counter(&agent, IN_BAD_COMMUNITY_NAMES), "1");

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    socket
        .send_to(&[0x30, 0x03, 0x02, 0x01], agent.target())
        .unwrap();
    let mut buffer = [0u8; 1500];
    assert!(
        socket.recv_from(&mut buffer).is_err(),
        "a malformed packet was answered"
    );
    assert_eq!(counter(&agent, IN_ASN_PARSE_ERRS), "1");
    // The agent is still serving.
    assert!(!counter(&agent, SYS_UP_TIME).is_empty());
}

#[test]
fn cold_start_is_sent_to_every_configured_target() {
    if !require(&[Peer::Snmptrapd, Peer::Snmpget]) {
        return;
    }
    let Some(trapd) = Snmptrapd::start() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    let target = trapd.target();
    std::fs::write(
        &config,
        format!(
            "[[trap]]\ntarget = \"udp:{target}\"\ncommunity = \"public\"\nversion = \"v1\"\n\n\
             [[trap]]\ntarget = \"udp:{target}\"\ncommunity = \"public\"\n"
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &config]);
    let received = trapd.wait_for(2);
    assert_eq!(
        received.len(),
        2,
        "{received:?}\nsnmptrapd log:\n{}\nagent log:\n{}",
        trapd.log(),
        agent.log()
    );
    let v1 = received
        .iter()
        .find(|record| record.contains("TRAP, SNMP v1"))
        .expect("the v1 trap");
    // Enterprise sysObjectID, generic trap coldStart(0), the agent's address.
    assert!(v1.contains("|iso.3.6.1.4.1.32473.1|0|0|"), "{v1}");
    assert!(v1.contains("|127.0.0.1|"), "agent-addr: {v1}");
    let v2 = received
        .iter()
        .find(|record| record.contains("TRAP2, SNMP v2c"))
        .expect("the v2c trap");
    assert!(
        v2.contains("iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.1"),
        "snmpTrapOID coldStart: {v2}"
    );
}

#[test]
fn sighup_reloads_communities_and_sends_warm_start() {
    if !require(&[Peer::Snmptrapd, Peer::Snmpget]) {
        return;
    }
    let Some(trapd) = Snmptrapd::start() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    let community = |name: &str| {
        format!(
            "[[community]]\nname = \"{name}\"\naccess = \"ro\"\n\n\
             [[trap]]\ntarget = \"udp:{}\"\ncommunity = \"public\"\n",
            trapd.target()
        )
    };
    std::fs::write(&config, community("before")).unwrap();
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &path]);
    let get = |name: &str| {
        snmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                name,
                "-t",
                "0.3",
                "-r",
                "0",
                &agent.target(),
                SYS_UP_TIME,
            ],
        )
    };
    assert!(get("before").success());
    assert!(!get("after").success());

    std::fs::write(&config, community("after")).unwrap();
    let status = Command::new("kill")
        .args(["-HUP", &agent.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let received = trapd.wait_for(2);
    assert_eq!(
        received.len(),
        2,
        "{received:?}\nagent log:\n{}",
        agent.log()
    );
    assert!(
        received[1].contains("iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.2"),
        "warmStart: {received:?}"
    );
    assert!(get("after").success(), "agent log:\n{}", agent.log());
    assert!(!get("before").success());
    assert!(
        agent.log().contains("configuration reloaded"),
        "{}",
        agent.log()
    );
}

#[test]
fn informs_and_authentication_failures_reach_snmptrapd() {
    if !require(&[Peer::Snmptrapd, Peer::Snmpget]) {
        return;
    }
    let Some(trapd) = Snmptrapd::start() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "authentication_traps = true\n\n[[trap]]\ntarget = \"udp:{}\"\n\
             community = \"public\"\nkind = \"inform\"\n",
            trapd.target()
        ),
    )
    .unwrap();
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &path]);
    let out = snmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "wrong",
            "-t",
            "0.3",
            "-r",
            "0",
            &agent.target(),
            SYS_UP_TIME,
        ],
    );
    assert!(!out.success());
    let received = trapd.wait_for(2);
    assert_eq!(
        received.len(),
        2,
        "{received:?}\nagent log:\n{}",
        agent.log()
    );
    assert!(
        received
            .iter()
            .all(|record| record.starts_with("INFORM, SNMP v2c")),
        "{received:?}"
    );
    assert!(
        received[0].contains("= OID: iso.3.6.1.6.3.1.1.5.1"),
        "coldStart: {received:?}"
    );
    assert!(
        received[1].contains("= OID: iso.3.6.1.6.3.1.1.5.5"),
        "authenticationFailure: {received:?}"
    );
    assert_eq!(counter(&agent, "1.3.6.1.2.1.11.30.0"), "1");
}

#[test]
fn snmpv3_users_are_served_and_refusals_reported() {
    if !require(&[Peer::Snmpget, Peer::Snmpset, Peer::Snmpbulkwalk]) {
        return;
    }
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        "[[user]]\nname = \"alice\"\nauth = \"SHA-256\"\nauth_password = \"alicepassword\"\n\
         privacy = \"AES\"\npriv_password = \"aliceprivpass\"\naccess = \"rw\"\n\n\
         [[user]]\nname = \"bob\"\nauth = \"MD5\"\nauth_password = \"bobpassword\"\n\
         access = \"ro\"\n",
    )
    .unwrap();
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &path]);
    let target = agent.target();
    let alice = [
        "-v3",
        "-u",
        "alice",
        "-l",
        "authPriv",
        "-a",
        "SHA-256",
        "-A",
        "alicepassword",
        "-x",
        "AES",
        "-X",
        "aliceprivpass",
    ];
    let bob = [
        "-v3",
        "-u",
        "bob",
        "-l",
        "authNoPriv",
        "-a",
        "MD5",
        "-A",
        "bobpassword",
    ];
    let with = |user: &[&'static str], rest: &[&str]| -> Vec<String> {
        user.iter()
            .copied()
            .chain([target.as_str()])
            .chain(rest.iter().copied())
            .map(str::to_owned)
            .collect()
    };
    let call = |tool: Peer, args: Vec<String>| {
        snmp(tool, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let out = call(Peer::Snmpset, with(&alice, &[SYS_CONTACT, "s", "v3 noc"]));
    assert!(out.success(), "{out}\nagent log:\n{}", agent.log());
    let out = call(Peer::Snmpget, with(&bob, &["-Oqv", SYS_CONTACT]));
    assert_eq!(out.stdout, "\"v3 noc\"\n", "{out}");
    let out = call(Peer::Snmpset, with(&bob, &[SYS_CONTACT, "s", "x"]));
    assert!(out.stderr.contains("Reason: noAccess"), "{out}");
    let out = call(Peer::Snmpbulkwalk, with(&alice, &["-On", ".1"]));
    assert!(out.success() && out.stderr.is_empty(), "{out}");
    let oids = walked_oids(&out);
    assert!(oids.windows(2).all(|pair| pair[0] < pair[1]), "{out}");
    assert!(oids.len() > 40, "{out}");

    // usmUserTable lists both users (usmUserSecurityName), and no key; the index is the
    // length-prefixed name, so "bob" (3) comes before "alice" (5).
    let out = call(
        Peer::Snmpbulkwalk,
        with(&alice, &["-Oqv", "1.3.6.1.6.3.15.1.2.2.1.3"]),
    );
    assert_eq!(out.stdout, "\"bob\"\n\"alice\"\n", "{out}");

    // Below the level its access needs, bob may do nothing: authorizationError, as snmpd.
    let plain = ["-v3", "-u", "bob", "-l", "noAuthNoPriv"];
    let out = call(Peer::Snmpget, with(&plain, &[SYS_UP_TIME]));
    assert_eq!(
        out.stderr, "Error in packet\nReason: authorizationError (access denied to that object)\n",
        "{out}"
    );
    let out = call(Peer::Snmpset, with(&plain, &[SYS_CONTACT, "s", "x"]));
    assert_eq!(
        out.stderr, "Error in packet.\nReason: authorizationError (access denied to that object)\n",
        "{out}"
    );

    // The USM's refusals come back as Reports, which the tools name.
    let wrong = [
        "-v3",
        "-u",
        "bob",
        "-l",
        "authNoPriv",
        "-a",
        "MD5",
        "-A",
        "wrongpassword",
    ];
    let out = call(Peer::Snmpget, with(&wrong, &[SYS_UP_TIME]));
    assert!(out.stderr.contains("Authentication failure"), "{out}");
    let unknown = [
        "-v3",
        "-u",
        "carol",
        "-l",
        "authNoPriv",
        "-a",
        "MD5",
        "-A",
        "bobpassword",
    ];
    let out = call(Peer::Snmpget, with(&unknown, &[SYS_UP_TIME]));
    assert!(out.stderr.contains("Unknown user name"), "{out}");
    let too_high = [
        "-v3",
        "-u",
        "bob",
        "-l",
        "authPriv",
        "-a",
        "MD5",
        "-A",
        "bobpassword",
        "-x",
        "DES",
        "-X",
        "bobprivpass",
    ];
    let out = call(Peer::Snmpget, with(&too_high, &[SYS_UP_TIME]));
    assert!(out.stderr.contains("Unsupported security level"), "{out}");
    let out = call(
        Peer::Snmpget,
        with(
            &alice,
            &[
                "-Oqv",
                "1.3.6.1.6.3.15.1.1.5.0",
                "1.3.6.1.6.3.15.1.1.3.0",
                "1.3.6.1.6.3.15.1.1.1.0",
            ],
        ),
    );
    assert_eq!(
        out.stdout, "1\n1\n1\n",
        "usmStatsWrongDigests, UnknownUserNames, UnsupportedSecLevels: {out}"
    );
}

#[test]
fn listens_on_ipv4_and_ipv6_at_once() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    if UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here: skipped");
        return;
    }
    let dir = TempDir::new().unwrap();
    let port = free_udp_port();
    let listen = format!("udp6:[::1]:{port}");
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--listen", &listen]);
    for target in [agent.target(), listen] {
        let out = snmp(
            Peer::Snmpget,
            &["-v2c", "-c", "public", "-Oqv", &target, "1.3.6.1.2.1.1.7.0"],
        );
        assert_eq!(out.stdout, "72\n", "{out}");
    }
}

const SYS_UP_TIME: &str = "1.3.6.1.2.1.1.3.0";
const SYS_CONTACT: &str = "1.3.6.1.2.1.1.4.0";
const IN_BAD_COMMUNITY_NAMES: &str = "1.3.6.1.2.1.11.4.0";
const IN_ASN_PARSE_ERRS: &str = "1.3.6.1.2.1.11.6.0";
const ENGINE_BOOTS: &str = "1.3.6.1.6.3.10.2.1.2.0";
