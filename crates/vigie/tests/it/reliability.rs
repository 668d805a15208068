//! Crash safety, short: `scripts/reliability-campaign.py crash` for three rounds against
//! this build of `vigie serve` (traps, informs, polls of the built-in agent and `snmpd`,
//! e-mail to an aiosmtpd relay; SIGKILL at a seeded random moment, restart on the same data
//! directory). It checks `PRAGMA integrity_check`, that every acknowledged inform and every
//! event the API listed before a kill is still listed, that every outbox notification
//! reached the relay, and that every acknowledged linkDown inform was mailed. The 50-round run and its figures are in `docs/reliability.md`;
//! `VIGIE_CRASH_ROUNDS` sets the number of rounds here.

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigie_interop::{Peer, require};

use crate::relay::{Relay, aiosmtpd_available};

const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

#[test]
fn sigkill_under_mixed_load_loses_no_acknowledged_inform_stored_event_or_e_mail() {
    if !require(&[Peer::Snmpd]) || !aiosmtpd_available() {
        return;
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/reliability-campaign.py");
    let rounds = std::env::var("VIGIE_CRASH_ROUNDS").unwrap_or_else(|_| "3".to_owned());
    // Rates a debug build keeps up with on a shared machine; the seed is printed.
    let output = Command::new("python3")
        .arg(script)
        .args([
            "crash",
            "--rounds",
            &rounds,
            "--min-alive",
            "1",
            "--max-alive",
            "3",
        ])
        .args(["--trap-rate", "50", "--inform-rate", "10", "--drain", "60"])
        // Every acknowledged linkDown inform must have its e-mail, whatever the kill hit.
        .arg("--strict-mail")
        .args(["--bin", VIGIE])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the crash campaign failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("PASSED"), "{stdout}");
}

/// The first decisions of a start (here the built-in agent's coldStart inform, a
/// notification received in the first milliseconds) are mailed: response management
/// subscribes to the alarm desk before the receiver and the agent start.
#[test]
fn the_alarm_of_the_first_notification_after_a_start_is_mailed() {
    if !aiosmtpd_available() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain"]);
    let dir = tempfile::tempdir().expect("test setup");
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nencryption = \"none\"\n\
             from = \"vigie@localhost\"\n\
             [[actions]]\nname = \"mail\"\nkind = \"email\"\nto = [\"noc@example.net\"]\n\
             [[rules]]\nname = \"starts\"\nactions = [\"mail\"]\n\
             notifications = [\"SNMPv2-MIB::coldStart\"]\ngroup_wait = \"0s\"\n",
            relay.port()
        ),
    )
    .expect("test setup");
    let port = |socket: UdpSocket| socket.local_addr().expect("test setup").port();
    let traps = port(UdpSocket::bind("127.0.0.1:0").expect("test setup"));
    let agent = port(UdpSocket::bind("127.0.0.1:0").expect("test setup"));
    let http = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("test setup");
    let mut serve = Command::new(VIGIE)
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--http", &http.to_string()])
        .args(["--traps", &format!("127.0.0.1:{traps}")])
        .args(["--agent", &format!("127.0.0.1:{agent}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("test setup");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mailed = loop {
        let received = relay.contents();
        if let Some(mail) = received.iter().find(|m| m.contains("coldStart")) {
            break Some(mail.clone());
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = serve.kill();
    let _ = serve.wait();
    let mail = mailed.expect("the coldStart alarm of the start was mailed");
    assert!(mail.contains("noc@example.net"), "{mail}");
}
