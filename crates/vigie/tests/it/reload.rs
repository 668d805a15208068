//! `vigie serve` reloaded while traps arrive: `[poller]`, `[[thresholds]]`, `[smtp]`,
//! `[[actions]]`, `[[rules]]` and `[delivery]` apply without a restart, a device removed
//! from the file leaves the inventory (one created through the API stays), no trap sent
//! across the reloads is lost, and a new receiver community reaches the built-in agent's
//! informs.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vigie_interop::free_udp_port;
use vigie_snmp::message::{CommunityMessage, Message};
use vigie_snmp::{AnyPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, Value as SnmpValue};
use vigie_snmp::{VarBind, Version};

use crate::serve::{Serve, free_tcp_address};
use crate::support::vigie;

/// The test's own notification, under RFC 5612's documentation enterprise.
const TRAP_OID: &str = "1.3.6.1.4.1.32473.77.0.1";
/// snmpTrapOID.0 and sysUpTime.0 (RFC 3416 §4.2.6).
const SNMP_TRAP_OID: &str = "1.3.6.1.6.3.1.1.4.1.0";
const SYS_UP_TIME: &str = "1.3.6.1.2.1.1.3.0";
/// warmStart (RFC 3418).
const WARM_START: &str = "1.3.6.1.6.3.1.1.5.2";

fn oid(text: &str) -> Oid {
    text.parse().expect("a valid OID")
}

/// A v2c trap carrying `sequence`.
fn trap(sequence: i32) -> Vec<u8> {
    let message = Message::Community(CommunityMessage {
        version: Version::V2c,
        community: "public".into(),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::SnmpV2Trap,
            request_id: RequestId(sequence),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds: vec![
                VarBind {
                    name: oid(SYS_UP_TIME),
                    value: SnmpValue::TimeTicks(100),
                },
                VarBind {
                    name: oid(SNMP_TRAP_OID),
                    value: SnmpValue::ObjectIdentifier(oid(TRAP_OID)),
                },
                VarBind {
                    name: oid("1.3.6.1.4.1.32473.77.1.0"),
                    value: SnmpValue::Integer(sequence),
                },
            ],
        }),
    });
    let mut out = Vec::new();
    message.encode(&mut out);
    out
}

fn config(traps: &str, agent: &str, body: &str) -> String {
    format!("[receiver]\nlisten = [\"{traps}\"]\n[agent]\nlisten = \"{agent}\"\n{body}")
}

const DEVICES: &str = "[[devices]]\nname = \"gone\"\naddress = \"192.0.2.9\"\ncommunity = \"c\"\n\
                       [[devices]]\nname = \"kept\"\naddress = \"192.0.2.10\"\ncommunity = \"c\"\n";

const RESPONSE: &str = "[poller]\ninterval = \"30s\"\ntimeout = \"500ms\"\n\
     [[devices]]\nname = \"kept\"\naddress = \"192.0.2.10\"\ncommunity = \"c\"\n\
     [[thresholds]]\nname = \"cpu\"\nobject = \"hrProcessorLoad\"\ncondition = \">\"\nvalue = 95\n\
     [smtp]\nhost = \"127.0.0.1\"\nport = 9\nencryption = \"none\"\nfrom = \"v@example.com\"\n\
     [[actions]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n\
     [[rules]]\nname = \"critical-to-hook\"\nseverity = \"critical\"\nactions = [\"hook\"]\n\
     [delivery]\nretry_initial = \"5s\"\nretry_max = \"1m\"\ngive_up_after = \"1h\"\n";

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    item["name"]
                        .as_str()
                        .or_else(|| item["rule"]["name"].as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `check` until it holds.
fn wait_until(serve: &Serve, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "{what}\n{}", serve.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How many of the test's traps are stored, all pages read.
fn stored_traps(serve: &Serve, token: &str) -> usize {
    let mut count = 0;
    let mut path = "/api/v1/events?limit=1000".to_owned();
    loop {
        let (code, page) = serve.get(&path, Some(token));
        assert_eq!(code, 200, "{page}");
        count += page["items"].as_array().map_or(0, |items| {
            items
                .iter()
                .filter(|item| item.to_string().contains(TRAP_OID))
                .count()
        });
        match page["next"].as_i64() {
            Some(next) => path = format!("/api/v1/events?limit=1000&before={next}"),
            None => return count,
        }
    }
}

#[test]
fn reloads_apply_polling_response_and_inventory_without_losing_a_trap() {
    let dir = tempfile::tempdir().unwrap();
    let http = free_tcp_address();
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let agent = format!("127.0.0.1:{}", free_udp_port());
    let path = dir.path().join("vigie.toml");
    std::fs::write(&path, config(&traps, &agent, DEVICES)).unwrap();
    let serve = Serve::start(dir.path(), http, &["--config", path.to_str().unwrap()]);
    let data_dir = dir.path().to_str().unwrap();
    let token = vigie("token", &["create", "reload", "--data-dir", data_dir])
        .stdout
        .trim()
        .to_owned();
    let (code, created) = serve.post_json(
        "/api/v1/devices",
        &token,
        &json!({"name": "api-dev", "address": "192.0.2.20"}),
    );
    assert_eq!(code, 201, "{created}");

    // Traps sent continuously, from before the first reload to after the last.
    let sending = Arc::new(AtomicBool::new(true));
    let target: SocketAddr = traps.parse().unwrap();
    let sender = {
        let sending = Arc::clone(&sending);
        std::thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").expect("test setup");
            let mut sent = 0;
            while sending.load(Ordering::Relaxed) || sent < 50 {
                socket.send_to(&trap(sent), target).expect("test setup");
                sent += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            usize::try_from(sent).expect("positive")
        })
    };
    std::thread::sleep(Duration::from_millis(200));

    // The API: polling, thresholds, response management and the outbox's retries applied
    // live, none waiting for a restart; the device gone
    // from the file leaves the inventory.
    std::fs::write(&path, config(&traps, &agent, RESPONSE)).unwrap();
    let (code, answer) = serve.post("/api/v1/config/reload", Some(&token));
    assert_eq!(code, 200, "{answer}\n{}", serve.log());
    let applied = answer["applied"].to_string();
    for section in [
        "[poller]",
        "[[thresholds]]",
        "[smtp]",
        "[[actions]]",
        "[[rules]]",
        "[delivery]",
        "1 removed",
    ] {
        assert!(applied.contains(section), "{section} in {answer}");
    }
    assert_eq!(answer["restart_required"], json!([]), "{answer}");
    let (_, devices) = serve.get("/api/v1/devices", Some(&token));
    let listed = names(&devices);
    assert!(!listed.contains(&"gone".to_owned()), "{devices}");
    for name in ["kept", "api-dev", "localhost"] {
        assert!(listed.contains(&name.to_owned()), "{name}: {devices}");
    }
    // Devices on the default interval follow `[poller] interval`; the API's keeps its own.
    for item in devices["items"].as_array().unwrap() {
        let expected = if item["name"] == "api-dev" { 60 } else { 30 };
        assert_eq!(item["poll_interval_s"], expected, "{item}");
    }
    let (_, rules) = serve.get("/api/v1/rules", Some(&token));
    assert!(
        names(&rules).contains(&"critical-to-hook".to_owned()),
        "{rules}"
    );
    let (_, smtp) = serve.get("/api/v1/smtp", Some(&token));
    assert!(smtp.to_string().contains("v@example.com"), "{smtp}");

    // SIGHUP: back to the first file; the rule goes, the removed device stays removed.
    std::fs::write(&path, config(&traps, &agent, DEVICES)).unwrap();
    serve.signal("HUP");
    wait_until(&serve, "the rule removed by SIGHUP is gone", || {
        let (_, rules) = serve.get("/api/v1/rules", Some(&token));
        !names(&rules).contains(&"critical-to-hook".to_owned())
    });
    let (_, devices) = serve.get("/api/v1/devices", Some(&token));
    assert!(names(&devices).contains(&"gone".to_owned()), "{devices}");
    std::thread::sleep(Duration::from_millis(200));
    sending.store(false, Ordering::Relaxed);
    let sent = sender.join().expect("the sender");

    // Every trap sent across the reloads is stored.
    wait_until(&serve, "every trap sent is stored", || {
        stored_traps(&serve, &token) >= sent
    });
    assert_eq!(stored_traps(&serve, &token), sent);
    let (_, health) = serve.get("/api/v1/health", None);
    for component in ["receiver", "poller", "store", "agent"] {
        assert_eq!(
            health["components"][component]["status"], "UP",
            "{component}: {health}"
        );
    }

    // A new receiver community: the built-in agent's informs carry it (its warmStart is
    // accepted by a receiver that no longer accepts the old one).
    std::fs::write(
        &path,
        config(&traps, &agent, DEVICES).replace("[agent]", "communities = [\"fresh\"]\n[agent]"),
    )
    .unwrap();
    let (code, answer) = serve.post("/api/v1/config/reload", Some(&token));
    assert_eq!(code, 200, "{answer}");
    assert!(
        answer["applied"].to_string().contains("[agent] informs"),
        "{answer}"
    );
    wait_until(
        &serve,
        "the agent's warmStart, with the new community",
        || {
            let (_, events) = serve.get("/api/v1/events?limit=1000", Some(&token));
            events.to_string().contains(WARM_START)
        },
    );
    let log = serve.log();
    assert!(!log.contains("fresh"), "no community in the log:\n{log}");
}
