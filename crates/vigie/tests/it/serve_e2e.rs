//! `vigie serve` end to end with real peers: Net-SNMP's `snmptrap` and `snmpinform` (v1, v2c,
//! v3) into the receiver, the poller against the built-in agent and Debian's `snmpd`, alarms
//! raised and cleared, and e-mail through an aiosmtpd relay (STARTTLS, AUTH, a test CA in the
//! trust store), each checked through the HTTP API. Every test runs its own station on free
//! loopback ports and a temporary data directory, so that they run in parallel.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;
use vigie_interop::{POSTGRES_PASSWORD, Peer, Postgres, free_udp_port, require, run_netsnmp};

use crate::relay::{Pki, Relay, ServerCert, aiosmtpd_available};
use crate::support::vigie;

const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");
/// linkDown and linkUp (RFC 2863 §6), by number: Debian's Net-SNMP ships no MIB files.
const LINK_DOWN: &str = ".1.3.6.1.6.3.1.1.5.3";
const LINK_UP: &str = ".1.3.6.1.6.3.1.1.5.4";
/// `IF-MIB::ifIndex`, without its instance.
const IF_INDEX: &str = ".1.3.6.1.2.1.2.2.1.1";
/// The v3 trap sender's snmpEngineID, as `snmptrap -e` sets it.
const SENDER_ENGINE: &str = "0x8000000001020304";
const SMTP_USER: &str = "ses-smtp-user";
const SMTP_PASSWORD: &str = "e2e-smtp-password-42";

#[test]
fn traps_and_informs_from_net_snmp_are_stored_named_filtered_and_paged() {
    if !require(&[Peer::Snmptrap, Peer::Snmpinform]) {
        return;
    }
    let station = Station::start(&format!(
        "[receiver]\ncommunities = [\"public\"]\n\
         [[receiver.users]]\nname = \"trapuser\"\nengine_id = \"{SENDER_ENGINE}\"\n\
         auth = \"SHA-256\"\nauth_password = \"trap-auth-pass\"\n\
         privacy = \"AES\"\npriv_password = \"trap-priv-pass\"\n\
         [[receiver.users]]\nname = \"informuser\"\nauth = \"SHA\"\n\
         auth_password = \"inform-auth-pass\"\nprivacy = \"AES\"\n\
         priv_password = \"inform-priv-pass\"\n"
    ));
    let target = station.traps.as_str();
    let if_index = |n: u32| format!("{IF_INDEX}.{n}");
    let v3_trap = [
        "-v3",
        "-e",
        SENDER_ENGINE,
        "-u",
        "trapuser",
        "-l",
        "authPriv",
        "-a",
        "SHA-256",
        "-A",
        "trap-auth-pass",
        "-x",
        "AES",
        "-X",
        "trap-priv-pass",
    ];
    let v3_inform = [
        "-v3",
        "-u",
        "informuser",
        "-l",
        "authPriv",
        "-a",
        "SHA",
        "-A",
        "inform-auth-pass",
        "-x",
        "AES",
        "-X",
        "inform-priv-pass",
    ];
    let sends: Vec<(Peer, Vec<String>)> = vec![
        // v1, generic trap 2 (linkDown), translated to the v2 form (RFC 3584 §3.1).
        (
            Peer::Snmptrap,
            args(&[
                "-v1",
                "-c",
                "public",
                target,
                ".1.3.6.1.4.1.8072.3.2.10",
                "",
            ])
            .into_iter()
            .chain(args(&["2", "0", "", &if_index(1), "i", "1"]))
            .collect(),
        ),
        (
            Peer::Snmptrap,
            args(&["-v2c", "-c", "public", target, "", LINK_DOWN])
                .into_iter()
                .chain(args(&[&if_index(2), "i", "2"]))
                .collect(),
        ),
        (
            Peer::Snmptrap,
            v3_trap
                .iter()
                .copied()
                .chain([target, "", LINK_DOWN, &if_index(3), "i", "3"])
                .map(str::to_owned)
                .collect(),
        ),
        (
            Peer::Snmpinform,
            args(&["-v2c", "-c", "public", target, "", LINK_DOWN])
                .into_iter()
                .chain(args(&[&if_index(4), "i", "4"]))
                .collect(),
        ),
        (
            Peer::Snmpinform,
            v3_inform
                .iter()
                .copied()
                .chain([target, "", LINK_DOWN, &if_index(5), "i", "5"])
                .map(str::to_owned)
                .collect(),
        ),
    ];
    for (peer, arguments) in &sends {
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        // An inform exits 0 only once acknowledged, that is once stored.
        let sent = run_netsnmp(*peer, &arguments);
        assert!(sent.success(), "{arguments:?}: {sent:?}\n{}", station.log());
    }
    // An unauthorised community: counted, not stored.
    let refused = run_netsnmp(
        Peer::Snmptrap,
        &[
            "-v2c",
            "-c",
            "not-ours",
            target,
            "",
            LINK_DOWN,
            &if_index(9),
            "i",
            "9",
        ],
    );
    assert!(refused.success(), "{refused:?}");

    let by_oid = "/api/v1/events?trap_oid=1.3.6.1.6.3.1.1.5.3";
    let events = station.wait_for(by_oid, "five linkDown events", |events| {
        items(events).len() >= 5
    });
    let events = items(&events);
    assert_eq!(events.len(), 5, "{events:?}");
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for event in events {
        assert_eq!(event["trap_name"], "IF-MIB::linkDown", "{event}");
        let names: Vec<&str> = event["varbinds"]
            .as_array()
            .expect("varbinds")
            .iter()
            .filter_map(|varbind| varbind["name"].as_str())
            .collect();
        let index = names
            .iter()
            .find_map(|name| name.strip_prefix("IF-MIB::ifIndex."))
            .unwrap_or_else(|| panic!("ifIndex named: {event}"));
        seen.push((
            index.to_owned(),
            text_of(&event["version"]),
            text_of(&event["kind"]),
        ));
    }
    seen.sort();
    let expected = [
        ("1", "v1", "trap"),
        ("2", "v2c", "trap"),
        ("3", "v3", "trap"),
        ("4", "v2c", "inform"),
        ("5", "v3", "inform"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(seen, expected);

    // Filters: by device (address or inventory name) and by time.
    let all = station.get("/api/v1/events?limit=1000");
    assert!(!all.to_string().contains("ifIndex.9"), "{all}");
    assert!(!all.to_string().contains("not-ours"), "{all}");
    let from_loopback = station.get("/api/v1/events?device=127.0.0.1&limit=1000");
    assert_eq!(items(&from_loopback).len(), items(&all).len());
    let by_name = station.get("/api/v1/events?device=localhost&limit=1000");
    assert_eq!(items(&by_name).len(), items(&all).len());
    assert!(items(&station.get("/api/v1/events?device=192.0.2.77")).is_empty());
    let times: Vec<i64> = events
        .iter()
        .map(|event| event["received_at"].as_i64().expect("received_at"))
        .collect();
    let (first, last) = (
        *times.iter().min().expect("events"),
        *times.iter().max().expect("events"),
    );
    assert!(items(&station.get(&format!("{by_oid}&since={}", last + 1))).is_empty());
    assert!(items(&station.get(&format!("{by_oid}&until={first}"))).is_empty());
    let window = station.get(&format!("{by_oid}&since={first}&until={}", last + 1));
    assert_eq!(items(&window).len(), 5);

    // Paging: newest first, two at a time, no event twice, none missed.
    let mut ids = Vec::new();
    let mut page = station.get(&format!("{by_oid}&limit=2"));
    loop {
        let page_items = items(&page);
        assert!(page_items.len() <= 2);
        ids.extend(
            page_items
                .iter()
                .map(|event| event["id"].as_i64().expect("id")),
        );
        match page["next"].as_i64() {
            Some(next) => page = station.get(&format!("{by_oid}&limit=2&before={next}")),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(ids, sorted, "newest first, each once");
    assert_eq!(ids.len(), 5);

    let metrics = station.text("/metrics");
    for line in [
        "vigie_notifications_dropped_total{reason=\"unauthorised\"} 1",
        "vigie_notifications_received_total{version=\"v1\"} 1",
        "vigie_notifications_received_total{version=\"v3\"} 2",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line}\n{metrics}");
    }
    for secret in ["trap-auth-pass", "inform-priv-pass", "not-ours"] {
        assert!(!station.log().contains(secret), "{secret} in the log");
    }
}

#[test]
fn link_down_then_link_up_raises_then_clears_the_alarm() {
    if !require(&[Peer::Snmptrap]) {
        return;
    }
    let station = Station::start("");
    let trap = |oid: &str| {
        let sent = run_netsnmp(
            Peer::Snmptrap,
            &[
                "-v2c",
                "-c",
                "public",
                &station.traps,
                "",
                oid,
                &format!("{IF_INDEX}.7"),
                "i",
                "7",
            ],
        );
        assert!(sent.success(), "{sent:?}");
    };
    trap(LINK_DOWN);
    let alarms = station.wait_for("/api/v1/alarms", "the linkDown alarm", |alarms| {
        link_alarm(alarms, 7).is_some()
    });
    let alarm = link_alarm(&alarms, 7).expect("the alarm");
    assert_eq!(alarm["state"], "active", "{alarm}");
    assert_eq!(alarm["severity"], "major", "{alarm}");
    assert_eq!(alarm["source"], "trap", "{alarm}");
    let id = alarm["id"].as_i64().expect("id");

    trap(LINK_UP);
    let shown = station.wait_for(&format!("/api/v1/alarms/{id}"), "cleared", |shown| {
        shown["alarm"]["state"] == "cleared"
    });
    let history: Vec<&str> = shown["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(history, ["raised", "cleared"], "{shown}");
    // Both notifications are events.
    let events = station.get("/api/v1/events?limit=1000").to_string();
    assert!(events.contains("IF-MIB::linkDown") && events.contains("IF-MIB::linkUp"));
}

/// `vigie serve` on PostgreSQL (`[storage] url`): a trap in, its event and alarm read back
/// through the API, both still there after a restart; no SQLite file is created, and the
/// URL's password shows in neither the log nor the API.
#[test]
fn serve_on_postgresql_stores_a_trap_and_serves_it_after_a_restart() {
    if !require(&[Peer::Snmptrap]) {
        return;
    }
    let Some(server) = Postgres::shared() else {
        return;
    };
    let url = server.create_database();
    // A webhook to a closed port: its failed attempts go to the outbox's log in PostgreSQL.
    let dead_port = free_tcp_address().port();
    let mut station = Station::start(&format!(
        "[storage]\nurl = \"{url}\"\n\
         [[actions]]\nname = \"hook\"\nkind = \"webhook\"\n\
         url = \"http://127.0.0.1:{dead_port}/hook\"\n\
         [[rules]]\nname = \"all\"\nactions = [\"hook\"]\ngroup_wait = \"0s\"\n"
    ));
    let sent = run_netsnmp(
        Peer::Snmptrap,
        &[
            "-v2c",
            "-c",
            "public",
            &station.traps,
            "",
            LINK_DOWN,
            &format!("{IF_INDEX}.4"),
            "i",
            "4",
        ],
    );
    assert!(sent.success(), "{sent:?}");
    let events = station.wait_for("/api/v1/events", "the linkDown event", |page| {
        items(page)
            .iter()
            .any(|event| event["trap_name"] == "IF-MIB::linkDown")
    });
    let alarms = station.get("/api/v1/alarms");
    assert!(link_alarm(&alarms, 4).is_some(), "{alarms}");
    let health = station.get("/api/v1/health");
    assert!(
        !std::fs::exists(station.dir.path().join("vigie.db")).unwrap_or(true),
        "no SQLite database beside a PostgreSQL one"
    );

    // SIGTERM, then a start on the same PostgreSQL database.
    let stopped = Command::new("kill")
        .args(["-TERM", &station.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let status = station.child.wait().expect("vigie serve exits");
    assert!(status.success(), "{status}\n{}", station.log());
    station.restart();
    let again = station.get("/api/v1/events");
    // The built-in agent's coldStart of the second start comes on top.
    for event in items(&events) {
        assert!(
            items(&again).contains(event),
            "lost at the restart: {event}"
        );
    }
    let alarms = station.get("/api/v1/alarms");
    assert!(link_alarm(&alarms, 4).is_some(), "{alarms}");

    // `vigie log actions` finds the troubleshooting log through the configuration.
    let config = station.config.to_str().expect("UTF-8 temp dir");
    let deadline = Instant::now() + WAIT;
    let actions = loop {
        let actions = vigie("log", &["actions", "--config", config]);
        assert!(actions.success(), "{actions:?}");
        if actions.stdout.contains("hook") || Instant::now() > deadline {
            break actions;
        }
        std::thread::sleep(POLL);
    };
    assert!(actions.stdout.contains("action=hook"), "{actions:?}");

    for shown in [
        station.log(),
        health.to_string(),
        again.to_string(),
        actions.stdout,
    ] {
        assert!(
            !shown.contains(POSTGRES_PASSWORD),
            "the password leaked:\n{shown}"
        );
    }
    assert!(
        station.log().contains("127.0.0.1"),
        "the log names the server"
    );
}

#[test]
fn the_poller_follows_the_builtin_agent_and_snmpd_and_its_reachability() {
    if !require(&[Peer::Snmpd]) {
        return;
    }
    let mut snmpd = OwnSnmpd::start(free_udp_port());
    let station = Station::start(&format!(
        "[poller]\ninterval = \"1s\"\ntimeout = \"300ms\"\nretries = 0\n\
         [[devices]]\nname = \"netsnmp\"\naddress = \"127.0.0.1:{}\"\ncommunity = \"public\"\n",
        snmpd.port
    ));
    let devices = station.wait_for("/api/v1/devices", "both devices discovered", |devices| {
        ["localhost", "netsnmp"]
            .iter()
            .all(|name| device(devices, name).is_some_and(|d| d["sys_descr"].is_string()))
    });
    assert!(
        !devices.to_string().contains("public"),
        "no community shown"
    );
    for name in ["localhost", "netsnmp"] {
        let id = device(&devices, name).expect("listed")["id"]
            .as_i64()
            .expect("id");
        let interfaces = station.wait_for(
            &format!("/api/v1/devices/{id}/interfaces"),
            "interfaces with polled values",
            |interfaces| {
                items(interfaces).iter().any(|interface| {
                    interface["if_name"] == "lo" && interface["values"]["ifOperStatus"] == 1
                })
            },
        );
        assert_eq!(interfaces["reachable"], true, "{interfaces}");
    }
    let metrics = station.text("/metrics");
    for line in [
        "vigie_device_up{device=\"netsnmp\"} 1",
        "vigie_device_up{device=\"localhost\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line}\n{metrics}");
    }
    assert!(
        metrics.lines().any(|l| l
            .starts_with("vigie_if_oper_status{device=\"netsnmp\",ifIndex=\"1\",ifName=\"lo\"} 1")),
        "{metrics}"
    );

    // snmpd killed: the reachability alarm; restarted on its port: cleared.
    snmpd.stop();
    let alarms = station.wait_for("/api/v1/alarms", "the reachability alarm", |alarms| {
        reachability(alarms, "netsnmp").is_some_and(|a| a["state"] == "active")
    });
    let alarm = reachability(&alarms, "netsnmp").expect("raised");
    assert_eq!(alarm["source"], "poll", "{alarm}");
    let id = alarm["id"].as_i64().expect("id");
    assert!(
        station
            .text("/metrics")
            .lines()
            .any(|l| l == "vigie_device_up{device=\"netsnmp\"} 0")
    );
    let _snmpd = OwnSnmpd::start(snmpd.port);
    station.wait_for(&format!("/api/v1/alarms/{id}"), "cleared", |shown| {
        shown["alarm"]["state"] == "cleared"
    });
}

#[test]
fn a_link_down_trap_becomes_an_email_through_starttls_and_auth() {
    if !aiosmtpd_available() || !require(&[Peer::Snmptrap]) {
        return;
    }
    let pki = Pki::new("vigie e2e CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&starttls_args(&cert, &key, &[]));
    let data = tempfile::tempdir().expect("test setup");
    import_ca(relay.port(), data.path(), "vigiee2eCA");
    let station = Station::start_in(data, &mail_config(relay.port(), "starttls", true, ""));

    let sent = run_netsnmp(
        Peer::Snmptrap,
        &[
            "-v2c",
            "-c",
            "public",
            &station.traps,
            "",
            LINK_DOWN,
            &format!("{IF_INDEX}.3"),
            "i",
            "3",
        ],
    );
    assert!(sent.success(), "{sent:?}");
    let mail = wait_for_mail(&relay, 1, &station);
    let mail = &mail[0];
    assert!(mail.contains("localhost"), "the device is named:\n{mail}");
    assert!(
        mail.contains("IF-MIB::ifIndex.3"),
        "varbinds by name:\n{mail}"
    );
    assert!(mail.contains("linkDown"), "{mail}");
    assert!(
        relay.received()[0]
            .envelope
            .join("\n")
            .contains("noc@example.net")
    );

    let (code, outcome) = station.post("/api/v1/actions/mail-noc/test", None);
    assert_eq!(code, 200, "{outcome}");
    assert_eq!(outcome["ok"], true, "{outcome}");
    assert!(
        outcome["reply"]
            .as_str()
            .is_some_and(|r| r.starts_with("250")),
        "{outcome}"
    );
    wait_for_mail(&relay, 2, &station);
    assert!(!outcome.to_string().contains(SMTP_PASSWORD));
    assert!(!station.log().contains(SMTP_PASSWORD));
    let smtp = station.get("/api/v1/smtp").to_string();
    assert!(!smtp.contains(SMTP_PASSWORD), "{smtp}");
}

#[test]
fn test_action_against_a_535_relay_answers_the_classification_and_the_fix() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("vigie e2e CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&starttls_args(&cert, &key, &["--auth-reject"]));
    let data = tempfile::tempdir().expect("test setup");
    import_ca(relay.port(), data.path(), "vigiee2eCA");
    let station = Station::start_in(data, &mail_config(relay.port(), "starttls", true, ""));
    let (code, outcome) = station.post("/api/v1/actions/mail-noc/test", None);
    assert_eq!(code, 200, "{outcome}");
    assert_eq!(outcome["ok"], false, "{outcome}");
    let failure = &outcome["failure"];
    assert_eq!(failure["kind"], "bad_credentials", "{outcome}");
    assert_eq!(failure["code"], 535, "{outcome}");
    assert_eq!(failure["stage"], "AUTH", "{outcome}");
    let fix = failure["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("SMTP credentials"), "{fix}");
    assert!(!outcome.to_string().contains(SMTP_PASSWORD), "{outcome}");
    assert!(relay.contents().is_empty());
}

#[test]
fn a_mail_pending_when_serve_is_killed_is_delivered_after_the_restart() {
    if !aiosmtpd_available() || !require(&[Peer::Snmptrap]) {
        return;
    }
    // The relay is down: its port is known, nothing listens there yet.
    let port = free_tcp_address().port();
    let mut station = Station::start(&mail_config(
        port,
        "none",
        false,
        "[delivery]\nretry_initial = \"1s\"\nretry_max = \"2s\"\n",
    ));
    let sent = run_netsnmp(
        Peer::Snmptrap,
        &[
            "-v2c",
            "-c",
            "public",
            &station.traps,
            "",
            LINK_DOWN,
            &format!("{IF_INDEX}.4"),
            "i",
            "4",
        ],
    );
    assert!(sent.success(), "{sent:?}");
    // The first attempt failed on the connection: the mail waits in the outbox.
    station.wait_for("/api/v1/log/actions", "a failed attempt", |log| {
        log.to_string().contains("connection_refused")
    });
    station.kill();
    let relay = Relay::start(&["--mode", "plain", "--port", &port.to_string()]);
    station.restart();
    let mail = wait_for_mail(&relay, 1, &station);
    assert!(mail[0].contains("IF-MIB::ifIndex.4"), "{}", mail[0]);
    assert!(mail[0].contains("Message-ID:"), "{}", mail[0]);
}

/// A running `vigie serve` with its own data directory, ports and API token; killed when
/// dropped.
struct Station {
    child: Child,
    dir: TempDir,
    config: PathBuf,
    http: SocketAddr,
    traps: String,
    agent: String,
    token: String,
    starts: u32,
}

impl Station {
    /// Writes `config` (with the ports added) and starts the station in a new directory.
    fn start(config: &str) -> Self {
        Self::start_in(tempfile::tempdir().expect("test setup"), config)
    }

    /// As [`start`](Self::start), in `dir`.
    fn start_in(dir: TempDir, config: &str) -> Self {
        let path = dir.path().join("vigie.toml");
        std::fs::write(&path, config).expect("test setup");
        let http = free_tcp_address();
        let traps = format!("127.0.0.1:{}", free_udp_port());
        let agent = format!("127.0.0.1:{}", free_udp_port());
        let child = spawn(dir.path(), &path, http, &traps, &agent, 0);
        let mut station = Self {
            child,
            dir,
            config: path,
            http,
            traps,
            agent,
            token: String::new(),
            starts: 0,
        };
        station.wait_http();
        let data_dir = station.dir.path().to_str().expect("UTF-8 temp dir");
        let config = station.config.to_str().expect("UTF-8 temp dir");
        // `--config` for its `[storage] url`, when the station runs on PostgreSQL.
        let created = vigie(
            "token",
            &["create", "e2e", "--data-dir", data_dir, "--config", config],
        );
        assert!(created.success(), "{created:?}");
        station.token = created.stdout.trim().to_owned();
        station
    }

    /// SIGKILL, mid-whatever.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same database and ports.
    fn restart(&mut self) {
        self.starts += 1;
        self.child = spawn(
            self.dir.path(),
            &self.config,
            self.http,
            &self.traps,
            &self.agent,
            self.starts,
        );
        self.wait_http();
    }

    /// Waits until the station answers HTTP: the port is bound before the store opens,
    /// but requests are served only once every service has started.
    fn wait_http(&mut self) {
        let deadline = Instant::now() + STARTUP;
        while !answers_health(self.http) {
            if let Some(status) = self.child.try_wait().expect("test setup") {
                panic!("vigie serve exited with {status}:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "no HTTP:\n{}", self.log());
            std::thread::sleep(POLL);
        }
    }

    /// Every log line of every start.
    fn log(&self) -> String {
        (0..=self.starts)
            .map(|n| std::fs::read_to_string(log_path(self.dir.path(), n)).unwrap_or_default())
            .collect()
    }

    /// GET, with the token, expecting 200 and JSON.
    fn get(&self, path: &str) -> Value {
        let (code, body) = request(self.http, "GET", path, Some(&self.token), None);
        assert_eq!(code, 200, "GET {path}: {body}\n{}", self.log());
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("GET {path}: not JSON: {body}"))
    }

    /// GET, with the token, expecting 200; the body as text.
    fn text(&self, path: &str) -> String {
        let (code, body) = request(self.http, "GET", path, Some(&self.token), None);
        assert_eq!(code, 200, "GET {path}: {body}");
        body
    }

    /// POST, with the token.
    fn post(&self, path: &str, body: Option<&str>) -> (u16, Value) {
        let (code, body) = request(self.http, "POST", path, Some(&self.token), body);
        (code, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// GETs `path` until `done` holds; panics with `what` after [`WAIT`].
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.get(path);
            if done(&value) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: never seen on {path}: {value}\n{}",
                self.log()
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(
    data_dir: &Path,
    config: &Path,
    http: SocketAddr,
    traps: &str,
    agent: &str,
    start: u32,
) -> Child {
    let log = std::fs::File::create(log_path(data_dir, start)).expect("test setup");
    Command::new(VIGIE)
        .arg("serve")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "--http",
            &http.to_string(),
            "--traps",
            traps,
            "--agent",
            agent,
        ])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("vigie serve starts")
}

fn log_path(data_dir: &Path, start: u32) -> PathBuf {
    data_dir.join(format!("serve-{start}.log"))
}

/// Whether `GET /api/v1/health` gets an answer, whatever its status.
fn answers_health(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(STARTUP));
    let asked = write!(
        stream,
        "GET /api/v1/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    );
    let mut head = [0_u8; 8];
    asked.is_ok() && stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// `[smtp]` for a relay on 127.0.0.1:`port`, the e-mail action `mail-noc` and a rule sending
/// every linkDown to it at once; `extra` appended.
fn mail_config(port: u16, encryption: &str, login: bool, extra: &str) -> String {
    let login = if login {
        format!("user = \"{SMTP_USER}\"\npassword = \"{SMTP_PASSWORD}\"\n")
    } else {
        String::new()
    };
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nencryption = \"{encryption}\"\n\
         from = \"vigie@example.net\"\n{login}\
         [[actions]]\nname = \"mail-noc\"\nkind = \"email\"\nto = [\"noc@example.net\"]\n\
         [[rules]]\nname = \"links\"\nactions = [\"mail-noc\"]\n\
         notifications = [\"IF-MIB::linkDown\"]\ngroup_wait = \"0s\"\n{extra}"
    )
}

fn starttls_args<'a>(cert: &'a Path, key: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--mode",
        "starttls",
        "--cert",
        cert.to_str().expect("UTF-8 temp dir"),
        "--key",
        key.to_str().expect("UTF-8 temp dir"),
        "--auth-user",
        SMTP_USER,
        "--auth-password",
        SMTP_PASSWORD,
    ];
    args.extend_from_slice(extra);
    args
}

/// `vigie smtp certs --import`: the relay's CA into the station's trust store.
fn import_ca(port: u16, data_dir: &Path, name: &str) {
    let imported = vigie(
        "smtp",
        &[
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--starttls",
            "--data-dir",
            data_dir.to_str().expect("UTF-8 temp dir"),
            "--import",
            name,
        ],
    );
    assert!(imported.success(), "{imported:?}");
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn items(page: &Value) -> &[Value] {
    page["items"].as_array().map_or(&[], Vec::as_slice)
}

fn text_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn device<'a>(devices: &'a Value, name: &str) -> Option<&'a Value> {
    items(devices).iter().find(|device| device["name"] == name)
}

/// The linkDown alarm of ifIndex `index`.
fn link_alarm(alarms: &Value, index: u32) -> Option<&Value> {
    let suffix = format!("1.3.6.1.2.1.2.2.1.1={index}");
    items(alarms).iter().find(|alarm| {
        alarm["key"]
            .as_str()
            .is_some_and(|key| key.starts_with("linkDown/") && key.ends_with(&suffix))
    })
}

/// The poller's reachability alarm of `device`.
fn reachability<'a>(alarms: &'a Value, device: &str) -> Option<&'a Value> {
    items(alarms)
        .iter()
        .find(|alarm| alarm["source"] == "poll" && alarm["device"] == device)
}

/// One HTTP/1.1 request with `Connection: close`; the status and the body.
fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("HTTP connects");
    stream.set_read_timeout(Some(WAIT)).expect("test setup");
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let body = body.unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("HTTP request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("HTTP response");
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP head");
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("HTTP status");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_owned()
    };
    (code, body)
}

/// The body of a chunked response (RFC 9112 §7.1).
fn unchunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

fn free_tcp_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .expect("test setup")
        .local_addr()
        .expect("test setup")
}

/// Debian's `snmpd` on 127.0.0.1:`port` with `rocommunity public`, started by this test so
/// that it can be killed and started again on the same port.
struct OwnSnmpd {
    child: Option<Child>,
    port: u16,
    _dir: TempDir,
}

impl OwnSnmpd {
    fn start(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("test setup");
        let conf = dir.path().join("snmpd.conf");
        std::fs::write(&conf, "rocommunity public 127.0.0.1\n").expect("test setup");
        let program = Peer::Snmpd.path().expect("snmpd is installed");
        let child = Command::new(program)
            .args(["-f", "-C", "-c"])
            .arg(&conf)
            .args(["-I", "-smux", "-Lf"])
            .arg(dir.path().join("snmpd.log"))
            .arg("-p")
            .arg(dir.path().join("snmpd.pid"))
            .arg(format!("udp:127.0.0.1:{port}"))
            .env("SNMP_PERSISTENT_DIR", dir.path())
            .env("MIBS", "")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("snmpd starts");
        let snmpd = Self {
            child: Some(child),
            port,
            _dir: dir,
        };
        // Ready once it answers a GET of sysUpTime.0.
        let target = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        loop {
            let answer = run_netsnmp(
                Peer::Snmpget,
                &[
                    "-v2c",
                    "-c",
                    "public",
                    "-t",
                    "0.2",
                    "-r",
                    "0",
                    &target,
                    ".1.3.6.1.2.1.1.3.0",
                ],
            );
            if answer.success() {
                return snmpd;
            }
            assert!(
                Instant::now() < deadline,
                "snmpd never answered: {answer:?}"
            );
            std::thread::sleep(POLL);
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnSnmpd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until `count` messages arrived.
fn wait_for_mail(relay: &Relay, count: usize, station: &Station) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let received = relay.contents();
        if received.len() >= count {
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "{count} mail(s) expected, {} arrived; log:\n{}\n{}",
            received.len(),
            station.text("/api/v1/log/actions"),
            station.log()
        );
        std::thread::sleep(POLL);
    }
}

const STARTUP: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);
