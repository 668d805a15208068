//! The web UI in headless Chromium: serves `http::app` and `web::router` in-process on
//! 127.0.0.1 over a temporary SQLite store, and runs `tests/web/ui.mjs`, which drives
//! Debian's `chromium` through `playwright-core` (installed by `scripts/install-ui-peers.sh`).
//!
//! The script prints `NEED alarm`, `NEED event` and `NEED trap` when a page waits for a live
//! update; this test then raises an alarm through the desk, stores an event, or sends a
//! linkDown with Net-SNMP's `snmptrap` to a `receiver::Receiver` running in-process on the
//! same store, and answers on the script's stdin. Screenshots of every page go to
//! `target/ui-screenshots/`.
//!
//! Without node, chromium or playwright-core the test prints what to install and passes,
//! unless `VIGIE_REQUIRE_PEERS=1`, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use vigie_interop::{
    Peer, ServerCert, SmtpRelay, Snmpd, TestPki, aiosmtpd_available, require, run_netsnmp,
};
use vigie_manager::actions::{ResponseConfig, ResponseService};
use vigie_manager::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::{
    Notification, NotificationKind, SnmpVersion, StoredVarBind, TrapAlarms,
};
use vigie_manager::http::{self, AppState};
use vigie_manager::intake::Intake;
use vigie_manager::metrics::Metrics;
use vigie_manager::poller::{Poller, PollerConfig};
use vigie_manager::receiver::{Receiver, ReceiverConfig, ReceiverParts};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{Durability, Store};
use vigie_manager::time::Timestamp;
use vigie_manager::web::{self, WebConfig};

/// The whole browser session may take this long.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_in_chromium() {
    let Some(peers) = ui_peers() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .unwrap();
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
    let status = StatusRegistry::new();
    let now = Timestamp::from_system_time(SystemTime::now());
    status.set_up("receiver", now);
    status.set_up("store", now);
    status.set_down(
        "smtp relay",
        "535 5.7.8 authentication failed: check the SMTP user name and password",
        now,
    );
    let relays = relays();
    let outbox = vigie_notify::Outbox::from_pool(store.pool().clone())
        .await
        .unwrap();
    let response = ResponseService::new(
        store.clone(),
        desk.clone(),
        outbox,
        vigie_notify::TrustStore::in_memory(),
        ResponseConfig::default(),
    )
    .await
    .unwrap();
    let poller = Poller::start(
        PollerConfig::default(),
        store.clone(),
        desk.clone(),
        status.clone(),
    )
    .await
    .unwrap();
    let metrics = Arc::new(Metrics::default());
    // The trap receiver, on the same store and desk as the pages.
    let receiver = Receiver::bind(
        ReceiverConfig {
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 0))],
            ..ReceiverConfig::default()
        },
        ReceiverParts {
            intake: Intake::new(
                store.clone(),
                desk.clone(),
                Arc::clone(&metrics),
                Arc::new(TrapAlarms::standard()),
            ),
            metrics: Arc::clone(&metrics),
            store: store.clone(),
            mibs: Arc::new(vigie_mib::MibSet::builtin()),
            journal: dir.path().join("journal"),
        },
    )
    .await
    .unwrap();
    let trap_target = format!("udp:{}", receiver.local_addrs()[0]);
    let (stop_receiver, receiver_stopped) = tokio::sync::oneshot::channel::<()>();
    let receiver_task = receiver.spawn(async {
        let _ = receiver_stopped.await;
    });
    // Where the syslog and trap forward actions send: a UDP socket the test reads.
    let sink = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let sink_port = sink.local_addr().unwrap().port();
    // A TCP port nobody listens on, for a webhook's failure banner.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let state = AppState {
        store: store.clone(),
        desk: desk.clone(),
        status: status.clone(),
        metrics,
        poller,
        response: Some(response),
    };
    // The first start's setup code, as `vigie serve` prints it; the browser types it.
    let (setup_code, setup_hash) = {
        let (hash, code) = web::SetupCode::generate();
        (code, hash)
    };
    let config = WebConfig {
        setup_code: Some(setup_hash),
        ..WebConfig::default()
    };
    let app = http::app(state.clone()).merge(web::router(state, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });

    // An agent to poll, for the device page's interfaces and traffic chart.
    let snmpd = Snmpd::start("");
    let shots = target_dir().join("ui-screenshots");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web/ui.mjs");
    let mut node = Command::new("node");
    if let Some(relays) = &relays {
        node.env("RELAY_OK_PORT", relays.ok.port().to_string())
            .env("SYSLOG_PORT", sink_port.to_string())
            .env("CLOSED_PORT", closed_port.to_string())
            .env("RELAY_BAD_PORT", relays.bad.port().to_string())
            .env("RELAY_TLS_PORT", relays.tls.port().to_string());
    }
    if let Some(snmpd) = &snmpd {
        node.env("SNMPD_PORT", snmpd.port().to_string());
    }
    let mut child = node
        .arg(&script)
        .arg(&base)
        .arg(&shots)
        .env("VIGIE_SETUP_CODE", &setup_code)
        .env("VIGIE_UI_PEERS", &peers.playwright)
        .env("CHROMIUM", &peers.chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();

    // The script's lines, read on a thread (its stdout is a blocking pipe).
    let (lines_tx, mut lines) = mpsc::unbounded_channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut transcript = Vec::new();
    let outcome = tokio::time::timeout(TEST_TIMEOUT, async {
        while let Some(line) = lines.recv().await {
            transcript.push(line.clone());
            match line.as_str() {
                "NEED alarm" => {
                    let raise = AlarmEvent::Raise(Raise {
                        key: AlarmKey::new("linkDown/192.0.2.1/ifIndex=3"),
                        device: "edge-r1".into(),
                        source: Source::Trap,
                        severity: Severity::Major,
                        text: "linkDown on ifIndex 3 (ge-0/0/3)".into(),
                    });
                    desk.apply(Timestamp::from_system_time(SystemTime::now()), raise)
                        .await
                        .unwrap();
                    writeln!(stdin, "DONE alarm").unwrap();
                }
                "NEED trap" => {
                    if require(&[Peer::Snmptrap]) {
                        let target = trap_target.clone();
                        let out = tokio::task::spawn_blocking(move || {
                            run_netsnmp(
                                Peer::Snmptrap,
                                &[
                                    "-v", "2c", "-c", "public", "-r", "1", "-t", "2", &target, "",
                                    LINK_DOWN, IF_INDEX_7, "i", "7",
                                ],
                            )
                        })
                        .await
                        .unwrap();
                        assert!(out.success(), "snmptrap failed: {out:?}");
                        writeln!(stdin, "DONE trap").unwrap();
                    } else {
                        writeln!(stdin, "SKIP trap").unwrap();
                    }
                }
                // What `vigie serve` does once the relay accepts a message again.
                "NEED relay-up" => {
                    status.set_up("smtp relay", Timestamp::from_system_time(SystemTime::now()));
                    writeln!(stdin, "DONE relay-up").unwrap();
                }
                "NEED event" => {
                    store.insert_event(&link_down()).await.unwrap();
                    writeln!(stdin, "DONE event").unwrap();
                }
                _ => {}
            }
        }
    })
    .await;
    if outcome.is_err() {
        let _ = child.kill();
    }
    let exit = child.wait().unwrap();
    reader.join().unwrap();
    server.abort();
    drop(snmpd);
    let _ = stop_receiver.send(());
    receiver_task.await.unwrap();
    let transcript = transcript.join("\n");
    // The steps and their durations, shown with `--nocapture`.
    eprintln!("{transcript}");
    assert!(outcome.is_ok(), "the browser test timed out:\n{transcript}");
    assert!(
        exit.success() && transcript.ends_with("PASS"),
        "the browser test failed ({exit}):\n{transcript}"
    );
    if relays.is_some() {
        // Test Action of the syslog action and of the trap forward (twice) reached the sink.
        sink.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut buffer = [0_u8; 4_096];
        let mut received = 0;
        while sink.recv(&mut buffer).is_ok() {
            received += 1;
        }
        assert!(
            received >= 3,
            "{received} datagrams reached the syslog/trap sink"
        );
    }
    if let Some(relays) = &relays {
        let message = relays
            .ok
            .contents()
            .into_iter()
            .next()
            .expect("Test Action's message reached the relay");
        assert!(
            !relays.tls.received().is_empty(),
            "Test Action over STARTTLS, after the capture, reached the relay"
        );
        assert!(
            message.contains("[vigie] MAJOR on sample-switch")
                || message.contains("Subject: [vigie] MAJOR"),
            "{message}"
        );
    }
    if relays.is_some() {
        for page in [
            "smtp",
            "action-email",
            "test-action-success",
            "test-action-failure",
            "rules",
            "log",
            "trust",
            "trust-captured",
            "action-webhook",
            "action-syslog",
            "action-trap-forward",
            "test-action-webhook-failure",
            "action-edit",
            "rule-new",
            "rule-edit",
            "tls",
        ] {
            assert!(
                shots.join(format!("{page}.png")).is_file(),
                "no screenshot of {page}"
            );
        }
    }
    for page in [
        "setup",
        "status",
        "login",
        "login-refused",
        "alarms",
        "alarm",
        "events",
        "devices",
        "device",
        "status-phone",
        "alarms-phone",
        "events-phone",
        "devices-phone",
    ] {
        assert!(
            shots.join(format!("{page}.png")).is_file(),
            "no screenshot of {page}"
        );
    }
}

/// The relays of the Response Management steps.
struct Relays {
    /// Plain text, accepts.
    ok: SmtpRelay,
    /// Plain text, answers 554 like SES to an unverified sender.
    bad: SmtpRelay,
    /// STARTTLS with a certificate from a private CA, which the browser captures and imports.
    tls: SmtpRelay,
    _pki: TestPki,
}

/// The relays, or `None` without aiosmtpd (a failure under `VIGIE_REQUIRE_PEERS=1`).
fn relays() -> Option<Relays> {
    if !aiosmtpd_available() {
        return None;
    }
    let pki = TestPki::new("vigie test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    Some(Relays {
        ok: SmtpRelay::start(&["--mode", "plain"]),
        bad: SmtpRelay::start(&["--mode", "plain", "--ses-unverified"]),
        tls: SmtpRelay::start(&["--mode", "starttls", "--cert", &cert, "--key", &key]),
        _pki: pki,
    })
}

/// snmpTrapOID of linkDown (RFC 2863) and ifIndex.7.
const LINK_DOWN: &str = ".1.3.6.1.6.3.1.1.5.3";
const IF_INDEX_7: &str = ".1.3.6.1.2.1.2.2.1.1.7";

/// A linkDown trap as the receiver would store it.
fn link_down() -> Notification {
    Notification {
        received_at: Timestamp::from_system_time(SystemTime::now()),
        source: SocketAddr::from(([192, 0, 2, 1], 50_162)),
        version: SnmpVersion::V2c,
        kind: NotificationKind::Trap,
        security_name: "public-ro".into(),
        trap_oid: "1.3.6.1.6.3.1.1.5.3".parse().expect("linkDown's OID"),
        trap_name: Some("IF-MIB::linkDown".into()),
        uptime: Some(12_345),
        varbinds: vec![StoredVarBind {
            oid: "1.3.6.1.2.1.2.2.1.1.3".parse().expect("ifIndex.3"),
            name: Some("IF-MIB::ifIndex.3".into()),
            type_name: "INTEGER".into(),
            value: "3".into(),
            raw: "020103".into(),
        }],
    }
}

/// Where the browser test's tools are.
struct UiPeers {
    /// The directory holding `node_modules/playwright-core`.
    playwright: PathBuf,
    /// The browser.
    chromium: PathBuf,
}

/// The tools, or `None` after printing what is missing (a panic under
/// `VIGIE_REQUIRE_PEERS=1`, as for the Net-SNMP peers).
fn ui_peers() -> Option<UiPeers> {
    let playwright = std::env::var_os("VIGIE_UI_PEERS")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
            Some(cache.join("vigie/ui-peers"))
        });
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let missing = if Command::new("node").arg("--version").output().is_err() {
        Some("node not found — install the Debian package nodejs")
    } else if !chromium.is_file() {
        Some("chromium not found — install the Debian package chromium")
    } else if !playwright.as_ref().is_some_and(|dir| {
        dir.join("node_modules/playwright-core/package.json")
            .is_file()
    }) {
        Some("playwright-core not found — run scripts/install-ui-peers.sh")
    } else {
        None
    };
    if let Some(missing) = missing {
        let message = format!("skipped: {missing}");
        let required = std::env::var_os("VIGIE_REQUIRE_PEERS").is_some_and(|value| value == "1");
        assert!(!required, "{message} (VIGIE_REQUIRE_PEERS=1)");
        // Straight to stderr: libtest captures the output of passing tests.
        let _ = writeln!(std::io::stderr(), "{message}");
        return None;
    }
    Some(UiPeers {
        playwright: playwright?,
        chromium,
    })
}

/// The workspace's `target/` directory (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    )
}
