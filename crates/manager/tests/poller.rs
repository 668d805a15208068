//! The poller against real agents on loopback: Debian's `snmpd` and `vigie agent`.
//!
//! Each test starts its own agent on a free port and its own store in a temporary
//! directory, and stops the agent (by PID, through `Drop`) when done. `vigie agent` must
//! have been built: `cargo build -p vigie --bins`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use vigie_interop::{Peer, Snmpd, free_udp_port, require, vigie_bin};
use vigie_manager::alarm::{Alarm, Severity, Source};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::poller::{Poller, PollerConfig};
use vigie_manager::status::{Health, StatusRegistry};
use vigie_manager::store::{Device, Durability, NewDevice, SnmpCredentials, Store, UsmCredentials};
use vigie_manager::time::Timestamp;
use vigie_snmp::usm::{AuthProtocol, PrivProtocol};

struct Station {
    _dir: TempDir,
    store: Store,
    status: StatusRegistry,
    poller: Poller,
}

impl Station {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("test setup");
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
            .await
            .expect("test setup");
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.expect("test setup"));
        let status = StatusRegistry::new();
        let config = PollerConfig {
            timeout: Duration::from_millis(300),
            retries: 1,
            ..PollerConfig::default()
        };
        let poller = Poller::start(config, store.clone(), desk, status.clone())
            .await
            .expect("test setup");
        Self {
            _dir: dir,
            store,
            status,
            poller,
        }
    }

    async fn add(&self, name: &str, port: u16, credentials: SnmpCredentials) -> Device {
        let device = self
            .store
            .create_device(
                &NewDevice {
                    name: name.into(),
                    address: "127.0.0.1".parse().expect("test setup"),
                    port,
                    // Long enough that only the polls the tests ask for happen.
                    poll_interval: Duration::from_secs(3_600),
                    enabled: true,
                    credentials,
                },
                Timestamp(0),
            )
            .await
            .expect("test setup");
        self.poller.reload().await.expect("test setup");
        device
    }

    async fn open_alarms(&self) -> Vec<Alarm> {
        self.store.open_alarms().await.expect("test setup")
    }
}

/// A running `vigie agent`, killed when dropped.
struct VigieAgent {
    child: Child,
}

impl VigieAgent {
    fn start(port: u16, state: &Path) -> Self {
        let child = Command::new(vigie_bin())
            .args(["agent", "--listen", &format!("udp:127.0.0.1:{port}")])
            .args(["--rocommunity", "public", "--state-dir"])
            .arg(state)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vigie agent (build it first: cargo build -p vigie --bins)");
        Self { child }
    }
}

impl Drop for VigieAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn v2c() -> SnmpCredentials {
    SnmpCredentials::v2c("public").expect("test setup")
}

/// Polls until the device answers (an agent just started may not listen yet).
async fn poll_until_reachable(station: &Station, device: &Device) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let outcome = station
            .poller
            .poll_now(device.id)
            .await
            .expect("test setup");
        if outcome.reachable && outcome.error.is_none() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never answered: {outcome:?}",
            device.name
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn metrics(station: &Station) -> String {
    let mut text = String::new();
    station.poller.render_metrics(&mut text);
    text
}

#[tokio::test]
async fn snmpd_is_discovered_polled_and_its_down_interface_raises_an_alarm() {
    // snmpd reports lo (ifIndex 1, administratively up) as operationally down.
    let Some(snmpd) = Snmpd::start("override .1.3.6.1.2.1.2.2.1.8.1 integer 2\n") else {
        return;
    };
    let station = Station::start().await;
    let device = station.add("snmpd", snmpd.port(), v2c()).await;
    poll_until_reachable(&station, &device).await;

    let read = station.store.device(device.id).await.unwrap().unwrap();
    assert_eq!(read.sys_descr.as_deref(), Some(vigie_interop::SYS_DESCR));
    assert_eq!(read.sys_name.as_deref(), Some(vigie_interop::SYS_NAME));
    assert_eq!(
        read.sys_object_id.as_deref(),
        Some(vigie_interop::SYS_OBJECT_ID.trim_start_matches('.'))
    );
    assert!(read.discovered_at.is_some());
    let interfaces = station.store.interfaces(device.id).await.unwrap();
    let lo = interfaces.iter().find(|i| i.if_index == 1).expect("lo");
    assert_eq!(lo.if_name.as_deref(), Some("lo"));
    assert_eq!(lo.if_type, Some(24), "softwareLoopback");
    assert_eq!(lo.oper_status, Some(2));

    // ifOperStatus ≠ up while ifAdminStatus = up: the default rule raises a major alarm.
    let alarms = station.open_alarms().await;
    let down = alarms
        .iter()
        .find(|a| a.key.as_str() == "threshold/if-down/snmpd/1")
        .unwrap_or_else(|| panic!("no if-down alarm in {alarms:#?}"));
    assert_eq!(
        (down.severity, down.source),
        (Severity::Major, Source::Poll)
    );
    assert!(
        down.text.contains("ifOperStatus.1 (lo) is 2"),
        "{}",
        down.text
    );
    assert!(
        !alarms
            .iter()
            .any(|a| a.key.as_str().starts_with("reachability/"))
    );

    // A second poll gives rates; the alarm is not raised again.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(station.poller.poll_now(device.id).await.unwrap().reachable);
    let live = station.poller.interfaces(device.id).unwrap();
    assert!(live.reachable);
    let lo = &live.interfaces[&1];
    assert_eq!(lo.values["ifOperStatus"], 2);
    assert!(lo.rates.contains_key("ifInOctets"), "{lo:?}");
    assert_eq!(station.open_alarms().await.len(), 1);
    assert_eq!(station.open_alarms().await[0].count, 1);

    let text = metrics(&station);
    for line in [
        "vigie_device_up{device=\"snmpd\"} 1",
        "vigie_if_oper_status{device=\"snmpd\",ifIndex=\"1\",ifName=\"lo\"} 2",
        "# TYPE vigie_if_in_octets_total counter",
        "# TYPE vigie_poller_polls_total counter",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(
        text.lines().any(|l| l.starts_with(
            "vigie_if_in_octets_total{device=\"snmpd\",ifIndex=\"1\",ifName=\"lo\"} "
        )),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("vigie_sys_up_time_seconds{device=\"snmpd\"} "))
    );
    assert_eq!(station.status.snapshot()["poller"].status, Health::Up);
}

#[tokio::test]
async fn snmpd_is_polled_over_snmpv3_and_v1() {
    let conf = "createUser pollv3 SHA-256 authpass1 AES privpass1\nrouser pollv3 priv\n\
                rocommunity v1only 127.0.0.1\n";
    let Some(snmpd) = Snmpd::start(conf) else {
        return;
    };
    let station = Station::start().await;
    let usm = UsmCredentials::from_passwords(
        "pollv3",
        Some((AuthProtocol::Sha256, b"authpass1")),
        Some((PrivProtocol::Aes128, b"privpass1")),
    )
    .unwrap();
    let v3 = station
        .add("v3", snmpd.port(), SnmpCredentials::V3(usm))
        .await;
    let v1 = station
        .add("v1", snmpd.port(), SnmpCredentials::v1("v1only").unwrap())
        .await;
    for device in [&v3, &v1] {
        poll_until_reachable(&station, device).await;
        let read = station.store.device(device.id).await.unwrap().unwrap();
        assert_eq!(
            read.sys_descr.as_deref(),
            Some(vigie_interop::SYS_DESCR),
            "{}",
            device.name
        );
        let live = station.poller.interfaces(device.id).unwrap();
        assert!(
            live.interfaces[&1].values.contains_key("ifOperStatus"),
            "{live:?}"
        );
        // v1 has no Counter64: the HC counters are absent, not an error.
        let hc = live.interfaces[&1].values.contains_key("ifHCInOctets");
        assert_eq!(hc, device.name == "v3", "{}: {live:?}", device.name);
    }

    // A wrong password is a poll failure of its own, not "unreachable".
    let wrong = UsmCredentials::from_passwords(
        "pollv3",
        Some((AuthProtocol::Sha256, b"wrongpass")),
        Some((PrivProtocol::Aes128, b"privpass1")),
    )
    .unwrap();
    let bad = station
        .add("bad", snmpd.port(), SnmpCredentials::V3(wrong))
        .await;
    let outcome = station.poller.poll_now(bad.id).await.unwrap();
    assert!(outcome.error.is_some(), "{outcome:?}");
    let alarms = station.open_alarms().await;
    assert!(
        alarms.iter().any(|a| a.key.as_str() == "poll-failed/bad"),
        "{alarms:#?}"
    );
    assert!(!alarms.iter().any(|a| a.key.as_str() == "reachability/bad"));
    assert!(!alarms.iter().any(|a| a.text.contains("wrongpass")));

    // A device removed from the inventory leaves no alarm of its own open.
    assert!(station.store.delete_device(bad.id).await.unwrap());
    station.poller.reload().await.unwrap();
    let alarms = station.open_alarms().await;
    assert!(
        !alarms.iter().any(|a| a.key.as_str() == "poll-failed/bad"),
        "{alarms:#?}"
    );
}

#[tokio::test]
async fn a_vigie_agent_that_stops_answering_raises_reachability_and_clears_it_when_back() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let state_dir: PathBuf = state.path().join("agent");
    let port = free_udp_port();
    let agent = VigieAgent::start(port, &state_dir);
    let station = Station::start().await;
    let device = station.add("agent", port, v2c()).await;
    poll_until_reachable(&station, &device).await;
    let read = station.store.device(device.id).await.unwrap().unwrap();
    assert!(read.sys_descr.is_some(), "{read:?}");
    assert!(
        !station
            .store
            .interfaces(device.id)
            .await
            .unwrap()
            .is_empty()
    );
    let live = station.poller.interfaces(device.id).unwrap();
    assert!(!live.interfaces.is_empty(), "{live:?}");

    // Up long enough that the restarted agent's sysUpTime is lower at its first answer.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(station.poller.poll_now(device.id).await.unwrap().reachable);
    drop(agent);
    let outcome = station.poller.poll_now(device.id).await.unwrap();
    assert!(!outcome.reachable, "{outcome:?}");
    let alarms = station.open_alarms().await;
    let unreachable = alarms
        .iter()
        .find(|a| a.key.as_str() == "reachability/agent")
        .unwrap_or_else(|| panic!("no reachability alarm in {alarms:#?}"));
    assert_eq!(unreachable.severity, Severity::Critical);
    assert!(metrics(&station).contains("vigie_device_up{device=\"agent\"} 0"));
    // Still down: the same alarm, not a new one, and no repeat per poll.
    station.poller.poll_now(device.id).await.unwrap();
    let again = station.open_alarms().await;
    assert_eq!(
        again
            .iter()
            .filter(|a| a.key.as_str() == "reachability/agent")
            .count(),
        1
    );
    assert!(station.poller.stats().timeouts >= 2);

    let _agent = VigieAgent::start(port, &state_dir);
    poll_until_reachable(&station, &device).await;
    let alarms = station.open_alarms().await;
    assert!(
        !alarms
            .iter()
            .any(|a| a.key.as_str() == "reachability/agent"),
        "{alarms:#?}"
    );
    // The agent restarted: its counters started again, and no rate spike was computed.
    let live = station.poller.interfaces(device.id).unwrap();
    assert!(live.reachable);
    for interface in live.interfaces.values() {
        assert!(interface.rates.is_empty(), "{interface:?}");
    }
}
