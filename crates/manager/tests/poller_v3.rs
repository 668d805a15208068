//! The poller reconfigured while it runs, and its SNMPv3 engine cache, against Debian's
//! `snmpd`: the agent's engine ID, boots and time are learnt once (RFC 3414 §4) and reused
//! by every later poll, discovery included, and after a reconfiguration; a threshold rule
//! removed by a reconfiguration leaves none of its alarms open.
//!
//! `snmpd` counts each discovery probe in `usmStatsUnknownEngineIDs` (RFC 3414 §3.2 step
//! 3b): the test reads that counter over SNMPv2c before and after the polls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use vigie_interop::Snmpd;
use vigie_manager::alarm::Severity;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::poller::{
    Condition, Measure, PolledObject, Poller, PollerConfig, ThresholdRule,
};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{Durability, NewDevice, SnmpCredentials, Store, UsmCredentials};
use vigie_manager::time::Timestamp;
use vigie_net::{Client, Session};
use vigie_snmp::usm::{AuthProtocol, PrivProtocol};
use vigie_snmp::{Oid, Value, Version};

/// usmStatsUnknownEngineIDs.0 (RFC 3414 §5).
const UNKNOWN_ENGINE_IDS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0];

async fn discoveries(agent: SocketAddr) -> u32 {
    let client = Client::new(Session::new(agent, Version::V2c, "public"))
        .await
        .expect("test setup");
    let oid = Oid::new(UNKNOWN_ENGINE_IDS).expect("test setup");
    let pdu = client.get(&[oid]).await.expect("snmpd answers");
    match pdu.varbinds.first().map(|varbind| &varbind.value) {
        Some(Value::Counter32(count)) => *count,
        other => panic!("usmStatsUnknownEngineIDs: {other:?}"),
    }
}

#[tokio::test]
async fn polls_of_a_v3_device_make_one_engine_discovery() {
    let conf = "createUser pollv3 SHA-256 authpass1 AES privpass1\nrouser pollv3 priv\n";
    let Some(snmpd) = Snmpd::start(conf) else {
        return;
    };
    let dir = tempfile::tempdir().expect("test setup");
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .expect("test setup");
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.expect("test setup"));
    let config = PollerConfig {
        timeout: Duration::from_millis(500),
        retries: 1,
        ..PollerConfig::default()
    };
    let poller = Poller::start(config.clone(), store.clone(), desk, StatusRegistry::new())
        .await
        .expect("test setup");
    let usm = UsmCredentials::from_passwords(
        "pollv3",
        Some((AuthProtocol::Sha256, b"authpass1")),
        Some((PrivProtocol::Aes128, b"privpass1")),
    )
    .expect("test setup");
    let device = store
        .create_device(
            &NewDevice {
                name: "v3".into(),
                address: snmpd.address().ip(),
                port: snmpd.port(),
                // Only the polls the test asks for.
                poll_interval: Duration::from_secs(3_600),
                enabled: true,
                credentials: SnmpCredentials::V3(usm),
            },
            Timestamp(0),
        )
        .await
        .expect("test setup");
    poller.reload().await.expect("test setup");

    let before = discoveries(snmpd.address()).await;
    const POLLS: u32 = 5;
    for _ in 0..POLLS {
        // `poll_now` discovers the system group and interfaces too: two reads a poll.
        let outcome = poller.poll_now(device.id).await.expect("the device exists");
        assert!(
            outcome.reachable && outcome.error.is_none(),
            "{outcome:?}\n{}",
            snmpd.log()
        );
    }
    // A new configuration keeps what was learnt of the agent.
    poller.reconfigure(config).await.expect("reconfigured");
    let outcome = poller.poll_now(device.id).await.expect("the device exists");
    assert!(outcome.error.is_none(), "{outcome:?}");
    let after = discoveries(snmpd.address()).await;
    // The reading client is v2c: it makes no discovery of its own.
    assert_eq!(
        after - before,
        1,
        "{POLLS} polls and a reconfiguration should make one discovery"
    );
    poller.stop();
}

#[tokio::test]
async fn a_threshold_rule_removed_by_a_reconfiguration_clears_its_alarms() {
    let Some(snmpd) = Snmpd::start("") else {
        return;
    };
    let dir = tempfile::tempdir().expect("test setup");
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .expect("test setup");
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.expect("test setup"));
    let plain = PollerConfig {
        timeout: Duration::from_millis(500),
        retries: 1,
        ..PollerConfig::default()
    };
    // Always breached: an agent that answers has been up for more than no time.
    let mut watched = plain.clone();
    watched.objects.extend(PolledObject::standard("sysUpTime"));
    watched.thresholds.push(ThresholdRule {
        name: "uptime".into(),
        object: "sysUpTime".into(),
        measure: Measure::Value,
        condition: Condition::Above(-1.0),
        polls: 1,
        severity: Severity::Warning,
        guard: None,
    });
    let poller = Poller::start(watched, store.clone(), desk, StatusRegistry::new())
        .await
        .expect("test setup");
    let device = store
        .create_device(
            &NewDevice {
                name: "snmpd".into(),
                address: snmpd.address().ip(),
                port: snmpd.port(),
                poll_interval: Duration::from_secs(3_600),
                enabled: true,
                credentials: SnmpCredentials::v2c("public").expect("test setup"),
            },
            Timestamp(0),
        )
        .await
        .expect("test setup");
    let outcome = poller.poll_now(device.id).await.expect("the device exists");
    assert!(outcome.error.is_none(), "{outcome:?}");
    let key = "threshold/uptime/snmpd";
    let open = store.open_alarms().await.expect("test setup");
    assert!(
        open.iter().any(|alarm| alarm.key.as_str() == key),
        "{open:#?}"
    );

    poller.reconfigure(plain).await.expect("reconfigured");
    let open = store.open_alarms().await.expect("test setup");
    assert!(
        !open.iter().any(|alarm| alarm.key.as_str() == key),
        "{open:#?}"
    );
    let outcome = poller.poll_now(device.id).await.expect("the device exists");
    assert!(outcome.error.is_none(), "{outcome:?}");
    // Polled again without the rule: nothing raises it again.
    let open = store.open_alarms().await.expect("test setup");
    assert!(
        !open.iter().any(|alarm| alarm.key.as_str() == key),
        "{open:#?}"
    );
    poller.stop();
}
