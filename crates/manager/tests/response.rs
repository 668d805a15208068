//! Response management against a real SMTP relay on loopback: `aiosmtpd`, from `PyPI`,
//! started from vigie-notify's `tests/smtpd/relay.py`. An alarm goes through the desk, a
//! rule, the grouper and the durable outbox to the relay; Test Action meets the seed's
//! failures for real; the API captures and imports an unknown CA.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value as Json, json};
use tempfile::TempDir;
use tower::ServiceExt;
use vigie_interop::{ServerCert, SmtpRelay, TestPki, aiosmtpd_available};
use vigie_manager::actions::{
    ActionKind, ActionSpec, EmailAction, EncryptionMode, ResponseConfig, ResponseService,
    SmtpSettings,
};
use vigie_manager::alarm::AlarmState;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::{Notification, NotificationKind, TrapAlarms};
use vigie_manager::http::{AppState, app};
use vigie_manager::intake::{Intake, Received};
use vigie_manager::metrics::Metrics;
use vigie_manager::poller::{Poller, PollerConfig};
use vigie_manager::rules::{Condition, GroupLabel, Grouping, RuleSpec, Triggers};
use vigie_manager::status::{Health, StatusRegistry};
use vigie_manager::store::{Durability, Store};
use vigie_manager::time::Timestamp;
use vigie_notify::{Outbox, RetryPolicy, Secret, TrustStore};
use vigie_snmp::{Oid, Value, VarBind, Version};

const USER: &str = "AKIAVIGIETEST";
const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn a_link_down_becomes_an_email_naming_the_device_and_its_if_mib_varbinds() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let relay = Relay::start(&pki.relay_args("starttls", true));
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    world.trap(3, 7).await;
    let mail = relay.wait_for(1).await.remove(0);
    let (envelope, content) = mail;
    assert_eq!(
        envelope,
        ["vigie@example.com", "ops@example.com", "noc@example.com"]
    );
    assert!(
        content.contains("Subject: [vigie] MAJOR linkDown on core-1\r\n"),
        "{content}"
    );
    assert!(content.contains("IF-MIB::ifIndex.7 = 7"), "{content}");
    assert!(
        content.contains("IF-MIB::ifOperStatus.7 = down(2)"),
        "{content}"
    );
    assert!(
        content.contains("notification IF-MIB::linkDown from 192.0.2.1:50000"),
        "{content}"
    );
    assert!(
        content.contains("https://vigie.example/alarms/1"),
        "{content}"
    );
    assert!(content.contains("Message-ID: <"), "{content}");
    world.stop().await;
}

#[tokio::test]
async fn twenty_flaps_within_the_group_window_send_one_mail() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let relay = Relay::start(&pki.relay_args("starttls", true));
    let grouping = Grouping {
        group_by: vec![GroupLabel::AlarmKey],
        group_wait: Duration::from_millis(800),
        ..Grouping::default()
    };
    let world = World::start(&pki, relay.port(), grouping, RetryPolicy::default()).await;
    for _ in 0..10 {
        world.trap(3, 2).await;
        world.trap(4, 2).await;
    }
    let mails = relay.wait_for(1).await;
    // Long enough for a second mail to arrive if the grouper had let one through.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mails_after = relay.received();
    assert_eq!(mails_after.len(), 1, "one mail for twenty flaps");
    assert!(
        mails[0].1.contains("20 changes since the last message"),
        "{}",
        mails[0].1
    );
    assert!(
        mails[0]
            .1
            .contains("Subject: [vigie] MAJOR linkDown on core-1 cleared\r\n")
    );
    world.stop().await;
}

#[tokio::test]
async fn a_decision_held_in_memory_when_response_management_dies_is_mailed_after_restart() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let relay = Relay::start(&pki.relay_args("starttls", true));
    let dir = tempfile::tempdir().expect("test setup");
    // First run: a group wait of an hour keeps the linkDown's notification in the grouper's
    // memory, after the alarm's commit and before the outbox's, where a kill used to lose it.
    let waiting = Grouping {
        group_by: vec![GroupLabel::AlarmKey],
        group_wait: Duration::from_secs(3_600),
        ..Grouping::default()
    };
    let first = World::start_in(
        dir.path(),
        &pki,
        relay.port(),
        waiting,
        RetryPolicy::default(),
    )
    .await;
    first.trap(3, 7).await;
    let (status, alarms) = first.call("GET", "/api/v1/alarms", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        alarms["items"].as_array().map(Vec::len),
        Some(1),
        "{alarms}"
    );
    assert_eq!(first.store.pending_count().await.expect("read"), 1);
    let outbox = Outbox::from_pool(first.store.pool().clone())
        .await
        .expect("test setup");
    assert!(outbox.entries(None).await.expect("read").is_empty());
    first.kill().await;
    assert!(relay.received().is_empty());

    // Second run on the same database, the rule now without a wait: the decision left
    // pending goes through the rules again, with the notification that caused it.
    let second = World::start_in(
        dir.path(),
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    let (_, content) = relay.wait_for(1).await.remove(0);
    assert!(
        content.contains("Subject: [vigie] MAJOR linkDown on core-1\r\n"),
        "{content}"
    );
    assert!(
        content.contains("IF-MIB::ifOperStatus.7 = down(2)"),
        "the cause's varbinds survived the restart: {content}"
    );
    // Once its mail is in the outbox the decision is no longer pending, so a third start
    // would not send it again.
    let store = second.store.clone();
    wait_until(|| {
        let store = store.clone();
        async move { store.pending_count().await.expect("read") == 0 }
    })
    .await;
    second.stop().await;
    let third = World::start_in(
        dir.path(),
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    third.trap(3, 8).await;
    let mails = relay.wait_for(2).await;
    assert!(
        mails[1].1.contains("ifOperStatus.8 = down(2)"),
        "{}",
        mails[1].1
    );
    assert_eq!(
        relay.received().len(),
        2,
        "the first alarm was not mailed again"
    );
    third.stop().await;
}

#[tokio::test]
async fn test_action_answers_the_relays_reply() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let relay = Relay::start(&pki.relay_args("starttls", true));
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    let outcome = world.api_test("ops-mail").await;
    assert_eq!(outcome["ok"], true, "{outcome}");
    assert_eq!(outcome["reply"], "250 2.0.0 Ok: queued as VIGIE0001");
    assert!(
        outcome["log_line"]
            .as_str()
            .unwrap()
            .contains("outcome=delivered")
    );
    let mail = relay.wait_for(1).await;
    assert!(mail[0].1.contains("linkDown on test-device"));
    world.stop().await;
}

#[tokio::test]
async fn test_action_explains_535_as_ses_smtp_credentials_not_iam_keys() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let mut args = pki.relay_args("starttls", true);
    args.push("--auth-reject".into());
    let relay = Relay::start(&args);
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    let outcome = world.api_test("ops-mail").await;
    assert_eq!(outcome["ok"], false);
    let failure = &outcome["failure"];
    assert_eq!(failure["kind"], "bad_credentials", "{outcome}");
    assert_eq!(failure["code"], 535);
    assert!(
        failure["fix"].as_str().unwrap().contains("IAM"),
        "{failure}"
    );
    let text = outcome.to_string();
    assert!(!text.contains(PASSWORD), "the password never shows");
    assert!(outcome["log_line"].as_str().unwrap().contains("code=535"));
    let (_, log) = world.call("GET", "/api/v1/log/actions", None).await;
    assert_eq!(
        log["items"][0]["classification"], "bad_credentials",
        "{log}"
    );
    assert_eq!(log["items"][0]["rule"], "test");
    // The relay answers, but refuses: the health says so, and a probe (no AUTH) does not
    // hide it.
    let smtp = world.state.status.get("smtp").expect("reported");
    assert_eq!(smtp.status, Health::Down);
    let reason = smtp.reason.expect("a reason");
    assert!(
        reason.starts_with("bad_credentials: ") && reason.contains("IAM"),
        "{reason}"
    );
    assert!(!reason.contains(PASSWORD), "{reason}");
    let service = world.state.response.clone().expect("configured");
    assert!(matches!(service.probe_smtp().await, Some(Ok(()))));
    assert_eq!(
        world.state.status.get("smtp").expect("reported").status,
        Health::Down
    );
    world.stop().await;
}

#[tokio::test]
async fn test_action_explains_554_unverified_identity_naming_the_address() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let mut args = pki.relay_args("starttls", true);
    args.push("--ses-unverified".into());
    let relay = Relay::start(&args);
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    let outcome = world.api_test("ops-mail").await;
    let failure = &outcome["failure"];
    assert_eq!(failure["kind"], "unverified_sender", "{outcome}");
    assert_eq!(failure["code"], 554);
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("vigie@example.com"),
        "{failure}"
    );
    assert!(!failure["fix"].as_str().unwrap().is_empty());
    world.stop().await;
}

#[tokio::test]
async fn an_unknown_ca_is_captured_imported_through_the_api_then_the_send_succeeds() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let unknown = Pki::new("Unknown Relay CA");
    let relay = Relay::start(&unknown.relay_args("starttls", true));
    // The trust store holds the other CA only.
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    let outcome = world.api_test("ops-mail").await;
    assert_eq!(outcome["ok"], false);
    assert_eq!(
        outcome["failure"]["kind"], "untrusted_certificate",
        "{outcome}"
    );
    assert!(outcome["failure"]["capture"].is_string());

    let captured = world
        .call("POST", "/api/v1/smtp/certs", Some(json!({})))
        .await;
    assert_eq!(captured.0, StatusCode::OK, "{}", captured.1);
    let chain = captured.1["certificates"].as_array().unwrap().clone();
    assert_eq!(chain.len(), 2, "server certificate and CA");
    assert_eq!(captured.1["validates"], false);
    let ca = chain
        .iter()
        .find(|c| c["common_name"] == "Unknown Relay CA")
        .unwrap();
    let import = json!({ "import": [ca["sha256"]] });
    let imported = world.call("POST", "/api/v1/smtp/certs", Some(import)).await;
    assert_eq!(
        imported.1["imported"],
        json!(["UnknownRelayCA"]),
        "{}",
        imported.1
    );
    let listed = world.call("GET", "/api/v1/smtp/trust", None).await;
    assert_eq!(listed.1["items"].as_array().unwrap().len(), 2);

    let outcome = world.api_test("ops-mail").await;
    assert_eq!(outcome["ok"], true, "{outcome}");
    assert_eq!(relay.wait_for(1).await.len(), 1);
    world.stop().await;
}

#[tokio::test]
async fn a_relay_down_then_up_gets_the_mail_from_the_outbox() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let port = free_port();
    let retry = RetryPolicy {
        initial: Duration::from_millis(200),
        max: Duration::from_millis(400),
        jitter: 0.0,
        give_up_after: Duration::from_secs(60),
    };
    let world = World::start(&pki, port, Grouping::immediate(), retry).await;
    world.trap(3, 5).await;
    // Stored before any attempt, and retried while nothing listens.
    wait_until(|| async {
        let log = world
            .call("GET", "/api/v1/log/actions?failures_only=true", None)
            .await;
        log.1["items"].as_array().is_some_and(|items| {
            items
                .iter()
                .any(|i| i["classification"] == "connection_refused")
        })
    })
    .await;
    let mut args = pki.relay_args("starttls", true);
    args.extend(["--port".into(), port.to_string()]);
    let relay = Relay::start(&args);
    let mails = relay.wait_for(1).await;
    assert!(mails[0].1.contains("IF-MIB::ifIndex.5 = 5"));
    // The worker writes the attempt once the relay's reply is read, just after the relay
    // stored the message.
    wait_until(|| async {
        let log = world.call("GET", "/api/v1/log/actions?limit=1", None).await;
        log.1["items"][0]["outcome"] == "delivered"
    })
    .await;
    // The delivery from the queue brings the relay's health back without a probe.
    wait_until(|| async {
        world
            .state
            .status
            .get("smtp")
            .is_some_and(|smtp| smtp.status == Health::Up)
    })
    .await;
    world.stop().await;
}

#[tokio::test]
async fn the_relays_health_is_probed_before_any_alarm_and_comes_back_with_a_test_action() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let port = free_port();
    let world = World::start(&pki, port, Grouping::immediate(), RetryPolicy::default()).await;
    // Nothing listens: the start-up probe marks the relay DOWN with the reason and the fix,
    // while the station still serves (200) and names the degraded channel.
    wait_until(|| async {
        let health = world.call("GET", "/api/v1/health", None).await.1;
        health["components"]["smtp"]["status"] == "DOWN"
    })
    .await;
    let (code, health) = world.call("GET", "/api/v1/health", None).await;
    assert_eq!(code, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "UP", "{health}");
    assert_eq!(health["degraded"], json!(["smtp"]), "{health}");
    let reason = health["components"]["smtp"]["reason"].as_str().unwrap();
    assert!(reason.starts_with("connection_refused: "), "{reason}");
    assert!(
        !reason.contains(PASSWORD) && !reason.contains(USER),
        "{reason}"
    );
    let mut args = pki.relay_args("starttls", true);
    args.extend(["--port".into(), port.to_string()]);
    let relay = Relay::start(&args);
    let outcome = world.api_test("ops-mail").await;
    assert_eq!(outcome["ok"], true, "{outcome}");
    let (code, health) = world.call("GET", "/api/v1/health", None).await;
    assert_eq!(code, StatusCode::OK, "{health}");
    assert_eq!(health["components"]["smtp"]["status"], "UP", "{health}");
    assert_eq!(health["degraded"], json!([]), "{health}");
    assert!(health["components"]["smtp"].get("reason").is_none());
    relay.wait_for(1).await;
    world.stop().await;
}

#[tokio::test]
async fn a_reachable_relay_is_up_after_the_probe_without_a_message() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let relay = Relay::start(&pki.relay_args("starttls", true));
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    wait_until(|| async {
        let health = world.call("GET", "/api/v1/health", None).await.1;
        health["components"]["smtp"]["status"] == "UP"
    })
    .await;
    // The probe sent nothing: no AUTH, no message.
    let log = world.call("GET", "/api/v1/log/actions", None).await.1;
    assert_eq!(log["items"], json!([]), "{log}");
    world.stop().await;
}

#[tokio::test]
async fn a_relay_with_an_untrusted_certificate_is_down_with_the_capture_fix() {
    if !aiosmtpd_available() {
        return;
    }
    let relay_pki = Pki::new("Unknown Relay CA");
    let relay = Relay::start(&relay_pki.relay_args("starttls", true));
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    wait_until(|| async {
        let health = world.call("GET", "/api/v1/health", None).await.1;
        health["components"]["smtp"]["status"] == "DOWN"
    })
    .await;
    let health = world.call("GET", "/api/v1/health", None).await.1;
    let reason = health["components"]["smtp"]["reason"].as_str().unwrap();
    assert!(reason.contains("certificate"), "{reason}");
    world.stop().await;
}

#[tokio::test]
async fn a_permanent_failure_raises_the_broken_channel_alarm() {
    if !aiosmtpd_available() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let mut args = pki.relay_args("starttls", true);
    args.push("--reject-mail".into());
    let relay = Relay::start(&args);
    let world = World::start(
        &pki,
        relay.port(),
        Grouping::immediate(),
        RetryPolicy::default(),
    )
    .await;
    world.trap(3, 1).await;
    wait_until(|| async {
        world
            .store
            .open_alarms()
            .await
            .unwrap()
            .iter()
            .any(|a| a.key.as_str() == "system/delivery/smtp" && a.state == AlarmState::Active)
    })
    .await;
    let alarms = world.store.open_alarms().await.unwrap();
    let broken = alarms
        .iter()
        .find(|a| a.key.as_str() == "system/delivery/smtp")
        .unwrap();
    assert_eq!(broken.device, "vigie");
    assert!(
        broken.text.contains("delivery channel smtp is failing"),
        "{}",
        broken.text
    );
    assert!(!broken.text.contains(PASSWORD));
    world.stop().await;
}

#[tokio::test]
async fn a_trusted_certificate_expiring_within_30_days_raises_an_alarm() {
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let mut params = rcgen::CertificateParams::new(vec!["relay.test".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Soon Expired Relay");
    let soon = time_in_days(10);
    params.not_after = rcgen::date_time_ymd(soon.0, soon.1, soon.2);
    let key = rcgen::KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    let imported = world
        .call("POST", "/api/v1/smtp/trust", Some(json!({ "pem": pem })))
        .await;
    assert_eq!(imported.0, StatusCode::CREATED, "{}", imported.1);
    let service = world.state.response.clone().unwrap();
    let raised = service
        .check_trust_expiry(std::time::SystemTime::now())
        .await
        .unwrap();
    assert_eq!(raised, 1, "the CA of the test PKI is valid for centuries");
    let alarms = world.store.open_alarms().await.unwrap();
    let alarm = alarms
        .iter()
        .find(|a| a.key.as_str() == "system/trust-expiry/SoonExpiredRelay")
        .unwrap();
    assert!(alarm.text.contains("expires at"), "{}", alarm.text);
    let removed = world
        .call("DELETE", "/api/v1/smtp/trust/SoonExpiredRelay", None)
        .await;
    assert_eq!(removed.0, StatusCode::NO_CONTENT);
    world.stop().await;
}

#[tokio::test]
async fn the_api_manages_rules_actions_and_smtp_without_showing_secrets() {
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let hook = json!({ "name": "hook", "kind": "webhook", "url": "https://hooks.example/x",
        "secret": "hmac-s3cret" });
    let (status, created) = world.call("POST", "/api/v1/actions", Some(hook)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (_, listed) = world.call("GET", "/api/v1/actions", None).await;
    assert!(!listed.to_string().contains("hmac-s3cret"), "{listed}");
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        2,
        "the API's and the file's"
    );
    let rule = json!({ "name": "hooks", "condition": { "min_severity": "major" },
        "actions": ["hook", "ops-mail"] });
    let (status, rule) = world.call("POST", "/api/v1/rules", Some(rule)).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    let bad = json!({ "name": "x", "actions": ["nope"] });
    assert_eq!(
        world.call("POST", "/api/v1/rules", Some(bad)).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, _) = world
        .call("DELETE", &format!("/api/v1/actions/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a linked action stays");
    let rule_id = rule["id"].as_i64().unwrap();
    let deleted = world
        .call("DELETE", &format!("/api/v1/rules/{rule_id}"), None)
        .await;
    assert_eq!(deleted.0, StatusCode::NO_CONTENT);

    let smtp = json!({ "server": "email-smtp.eu-west-1.amazonaws.com", "port": 2465,
        "from": "alerts@example.com", "username": "AKIAEXAMPLE", "password": "ses-smtp-pw" });
    let (status, shown) = world.call("PUT", "/api/v1/smtp", Some(smtp)).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["encryption_in_effect"], "implicit_tls");
    assert_eq!(shown["password_set"], true);
    assert!(!shown.to_string().contains("ses-smtp-pw"));
    let clear = json!({ "server": "relay.example", "port": 25, "from": "a@example.com",
        "encryption": "none", "username": "u", "password": "p" });
    let (status, refused) = world.call("PUT", "/api/v1/smtp", Some(clear)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("allow_plaintext_auth")
    );
    let (_, log) = world.call("GET", "/api/v1/log/actions?limit=5", None).await;
    assert_eq!(log["items"], json!([]));
    world.stop().await;
}

#[tokio::test]
async fn a_webhook_action_posts_signed_json_through_the_outbox() {
    let pki = Pki::new("Vigie Test CA");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let received = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&request);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8(request).unwrap()
    });
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let hook = json!({ "name": "hook", "kind": "webhook", "url": url, "secret": "k" });
    assert_eq!(
        world.call("POST", "/api/v1/actions", Some(hook)).await.0,
        StatusCode::CREATED
    );
    let rule = json!({ "name": "to-hook", "condition": { "alarm_type": "linkDown" },
        "actions": ["hook"], "grouping": { "group_wait": 0, "group_by": ["alarm_key"] } });
    assert_eq!(
        world.call("POST", "/api/v1/rules", Some(rule)).await.0,
        StatusCode::CREATED
    );
    world.trap(3, 9).await;
    let request = tokio::time::timeout(Duration::from_secs(15), received)
        .await
        .unwrap()
        .unwrap();
    let lower = request.to_ascii_lowercase();
    assert!(lower.starts_with("post /hook http/1.1"), "{request}");
    assert!(lower.contains("x-vigie-signature"), "{request}");
    assert!(request.contains("\"device\":\"core-1\""), "{request}");
    assert!(request.contains("IF-MIB::ifIndex.9"), "{request}");
    world.stop().await;
}

#[tokio::test]
async fn an_action_whose_template_fails_raises_an_alarm_naming_it() {
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let broken = json!({ "name": "broken-mail", "kind": "email", "to": ["ops@example.com"],
        "subject": "{% for %}" });
    assert_eq!(
        world.call("POST", "/api/v1/actions", Some(broken)).await.0,
        StatusCode::CREATED
    );
    let rule = json!({ "name": "broken", "actions": ["broken-mail"],
        "grouping": { "group_wait": 0, "group_by": ["alarm_key"] } });
    assert_eq!(
        world.call("POST", "/api/v1/rules", Some(rule)).await.0,
        StatusCode::CREATED
    );
    world.trap(3, 4).await;
    wait_until(|| async {
        world
            .store
            .open_alarms()
            .await
            .unwrap()
            .iter()
            .any(|a| a.key.as_str() == "system/delivery/action/broken-mail")
    })
    .await;
    world.stop().await;
}

#[tokio::test]
async fn syslog_and_trap_forward_actions_reach_their_receivers() {
    let pki = Pki::new("Vigie Test CA");
    let syslog = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let traps = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let actions = [
        json!({ "name": "log", "kind": "syslog", "host": "127.0.0.1",
            "port": syslog.local_addr().unwrap().port() }),
        json!({ "name": "fwd", "kind": "trap_forward",
            "target": format!("127.0.0.1:{}", traps.local_addr().unwrap().port()),
            "community": "fwd-community" }),
    ];
    for action in actions {
        assert_eq!(
            world.call("POST", "/api/v1/actions", Some(action)).await.0,
            StatusCode::CREATED
        );
    }
    let rule = json!({ "name": "all", "actions": ["log", "fwd"],
        "grouping": { "group_wait": 0, "group_by": ["alarm_key"] } });
    assert_eq!(
        world.call("POST", "/api/v1/rules", Some(rule)).await.0,
        StatusCode::CREATED
    );
    world.trap(3, 6).await;
    let mut buffer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(15), syslog.recv(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    let line = String::from_utf8_lossy(&buffer[..n]).into_owned();
    // local0.err (16 * 8 + 3) for a major alarm, RFC 5424 version 1.
    assert!(line.starts_with("<131>1 "), "{line}");
    assert!(line.contains("[vigie] MAJOR linkDown on core-1"), "{line}");
    let n = tokio::time::timeout(Duration::from_secs(15), traps.recv(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    let datagram = &buffer[..n];
    let message = vigie_snmp::Message::decode(bytes::Bytes::copy_from_slice(datagram)).unwrap();
    let text = format!("{message:?}");
    assert!(datagram.windows(13).any(|w| w == b"fwd-community"));
    assert!(text.contains("SnmpV2Trap"), "{text}");
    world.stop().await;
}

/// Year, month and day `days` from now (UTC).
fn time_in_days(days: u64) -> (i32, u8, u8) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("test setup")
        .as_secs();
    let text =
        Timestamp(i64::try_from((now + days * 86_400) * 1_000).expect("test setup")).to_string();
    let year = text[0..4].parse().expect("test setup");
    let month = text[5..7].parse().expect("test setup");
    let day = text[8..10].parse().expect("test setup");
    (year, month, day)
}

/// The manager's pieces wired as `vigie serve` wires them.
struct World {
    _dir: Option<TempDir>,
    store: Store,
    intake: Intake,
    state: AppState,
    token: String,
    stop: tokio::sync::oneshot::Sender<()>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl World {
    async fn start(pki: &Pki, port: u16, grouping: Grouping, retry: RetryPolicy) -> Self {
        let dir = tempfile::tempdir().expect("test setup");
        let mut world = Self::start_in(dir.path(), pki, port, grouping, retry).await;
        world._dir = Some(dir);
        world
    }

    /// [`World::start`] on the database in `dir`, created or reopened.
    async fn start_in(
        dir: &Path,
        pki: &Pki,
        port: u16,
        grouping: Grouping,
        retry: RetryPolicy,
    ) -> Self {
        let store = Store::open(&dir.join("vigie.db"), Durability::Normal)
            .await
            .expect("test setup");
        let token = store
            .create_token("test", Timestamp(0))
            .await
            .expect("test setup")
            .expose()
            .to_owned();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.expect("test setup"));
        let outbox = Outbox::from_pool(store.pool().clone())
            .await
            .expect("test setup");
        let mut trust = TrustStore::in_memory();
        trust
            .import_pem(pki.ca_pem.as_bytes(), None)
            .expect("test setup");
        let mut smtp = SmtpSettings::new("127.0.0.1", port, "vigie@example.com");
        smtp.encryption = Some(EncryptionMode::Starttls);
        smtp.username = Some(USER.into());
        smtp.password = Secret::new(PASSWORD);
        smtp.system_roots = false;
        smtp.timeout_secs = 5;
        let config = ResponseConfig {
            smtp: Some(smtp),
            actions: vec![ActionSpec {
                name: "ops-mail".into(),
                kind: ActionKind::Email(EmailAction {
                    to: vec!["ops@example.com".into(), "noc@example.com".into()],
                    cc: Vec::new(),
                    subject: None,
                    body: None,
                }),
            }],
            rules: vec![RuleSpec {
                name: "links".into(),
                enabled: true,
                // linkDown raises; the clear comes with linkUp, so the type names it too.
                condition: Condition::Any(vec![
                    Condition::NotificationName("linkDown".into()),
                    Condition::AlarmType("linkDown".into()),
                ]),
                triggers: Triggers::default(),
                actions: vec!["ops-mail".into()],
                grouping,
            }],
            public_url: Some("https://vigie.example".into()),
            device_groups: Vec::new(),
            retry,
        };
        let status = StatusRegistry::new();
        let service = ResponseService::with_status(
            store.clone(),
            desk.clone(),
            outbox,
            trust,
            config,
            status.clone(),
        )
        .await
        .expect("test setup");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let tasks = service.start(async move {
            let _ = stopped.await;
        });
        let intake = Intake::new(
            store.clone(),
            desk.clone(),
            Arc::new(Metrics::default()),
            Arc::new(TrapAlarms::standard()),
        );
        let poller = Poller::start(
            PollerConfig::default(),
            store.clone(),
            desk.clone(),
            status.clone(),
        )
        .await
        .expect("test setup");
        let state = AppState {
            store: store.clone(),
            desk,
            status,
            metrics: Arc::new(Metrics::default()),
            poller,
            response: Some(service),
        };
        Self {
            _dir: None,
            store,
            intake,
            state,
            token,
            stop,
            tasks,
        }
    }

    /// A linkDown (3) or linkUp (4) for `if_index` from core-1.
    async fn trap(&self, trap: u32, if_index: i32) {
        let oid = |s: &str| s.parse::<Oid>().expect("test setup");
        let source: SocketAddr = "192.0.2.1:50000".parse().expect("test setup");
        let oper = if trap == 3 { 2 } else { 1 };
        let notification = Notification::from_v2(
            Timestamp::from_system_time(std::time::SystemTime::now()),
            source,
            Version::V2c,
            NotificationKind::Trap,
            "netops",
            &[
                VarBind {
                    name: oid("1.3.6.1.2.1.1.3.0"),
                    value: Value::TimeTicks(100),
                },
                VarBind {
                    name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                    value: Value::ObjectIdentifier(oid(&format!("1.3.6.1.6.3.1.1.5.{trap}"))),
                },
                VarBind {
                    name: oid(&format!("1.3.6.1.2.1.2.2.1.1.{if_index}")),
                    value: Value::Integer(if_index),
                },
                VarBind {
                    name: oid(&format!("1.3.6.1.2.1.2.2.1.7.{if_index}")),
                    value: Value::Integer(1),
                },
                VarBind {
                    name: oid(&format!("1.3.6.1.2.1.2.2.1.8.{if_index}")),
                    value: Value::Integer(oper),
                },
            ],
        )
        .expect("test setup");
        let now = Timestamp::from_system_time(std::time::SystemTime::now());
        self.intake
            .accept(
                now,
                &[Received {
                    notification: Arc::new(notification),
                    device: "core-1".into(),
                }],
            )
            .await
            .expect("test setup");
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Json>) -> (StatusCode, Json) {
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("test setup"))
            .uri(uri)
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("test setup");
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("test setup");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("test setup")
            .to_bytes();
        let json = if bytes.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(&bytes).expect("test setup")
        };
        (status, json)
    }

    async fn api_test(&self, action: &str) -> Json {
        let (status, outcome) = self
            .call("POST", &format!("/api/v1/actions/{action}/test"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{outcome}");
        outcome
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Ends response management as a SIGKILL would: its tasks are cancelled where they
    /// stand, without the shutdown signal, so nothing in memory is flushed.
    async fn kill(self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
        self.store.pool().close().await;
        drop(self.stop);
    }
}

async fn wait_until<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the condition did not hold within 15 s");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("test setup")
        .local_addr()
        .expect("test setup")
        .port()
}

/// vigie-notify's relay ([`SmtpRelay`]), with the wait this suite's steps need.
struct Relay {
    relay: SmtpRelay,
}

impl Relay {
    fn start(args: &[String]) -> Self {
        Self {
            relay: SmtpRelay::start(args),
        }
    }

    fn port(&self) -> u16 {
        self.relay.port()
    }

    /// The messages received so far: (envelope lines, content).
    fn received(&self) -> Vec<(Vec<String>, String)> {
        self.relay
            .received()
            .into_iter()
            .map(|message| (message.envelope, message.content))
            .collect()
    }

    /// Waits up to 15 s for `count` messages.
    async fn wait_for(&self, count: usize) -> Vec<(Vec<String>, String)> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                assert!(
                    received.len() >= count,
                    "{} of {count} messages",
                    received.len()
                );
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A test CA and the relay's certificate for 127.0.0.1 it signs.
struct Pki {
    /// Holds the files until the test ends.
    _pki: TestPki,
    ca_pem: String,
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn new(ca_name: &str) -> Self {
        let pki = TestPki::new(ca_name);
        let (cert, key) = pki.server("relay", ServerCert::Good);
        Self {
            ca_pem: pki.ca_pem(),
            _pki: pki,
            cert,
            key,
        }
    }

    fn relay_args(&self, mode: &str, auth: bool) -> Vec<String> {
        let mut args = vec![
            "--mode".to_owned(),
            mode.to_owned(),
            "--cert".to_owned(),
            self.cert.display().to_string(),
            "--key".to_owned(),
            self.key.display().to_string(),
        ];
        if auth {
            args.extend([
                "--auth-user".into(),
                USER.into(),
                "--auth-password".into(),
                PASSWORD.into(),
            ]);
        }
        args
    }
}

/// The engine ID the forward sends v3 traps as ("vigie1" in RFC 3411's text format under
/// enterprise 32473), which snmptrapd's `createUser -e` names.
const FORWARD_ENGINE: &str = "0x80007ed904766967696531";

#[tokio::test]
async fn a_v3_trap_forward_goes_through_the_outbox_to_snmptrapd_for_an_api_device_group() {
    let engine = FORWARD_ENGINE;
    let conf = format!(
        "createUser -e {engine} noc SHA-256 authpass123 AES privpass123\n\
         createUser noc-inform SHA authpass123 AES privpass123\n"
    );
    let Some(trapd) = vigie_interop::Snmptrapd::start_with(&conf) else {
        return;
    };
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let group = json!({ "name": "core-routers", "devices": ["core-1", " core-1 "] });
    let (status, created) = world
        .call("POST", "/api/v1/device-groups", Some(group))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["devices"], json!(["core-1"]));
    let usm = json!({ "user": "noc", "auth_protocol": "SHA-256", "auth_password": "authpass123",
        "priv_protocol": "AES", "priv_password": "privpass123", "engine_id": engine });
    let action = json!({ "name": "noc-v3", "kind": "trap_forward", "target": trapd.target(),
        "usm": usm });
    let (status, created) = world.call("POST", "/api/v1/actions", Some(action)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, listed) = world.call("GET", "/api/v1/actions", None).await;
    assert!(!listed.to_string().contains("authpass123"), "{listed}");
    assert!(!listed.to_string().contains("privpass123"), "{listed}");
    let rule = json!({ "name": "forward-core", "condition": { "device_group": "core-routers" },
        "actions": ["noc-v3"], "grouping": { "group_wait": 0, "group_by": ["alarm_key"] } });
    let (status, created) = world.call("POST", "/api/v1/rules", Some(rule)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    world.trap(3, 5).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut records = trapd.notifications();
    while records.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        records = trapd.notifications();
    }
    assert_eq!(records.len(), 1, "{}", trapd.log());
    assert!(
        records[0].starts_with("TRAP2, SNMP v3, user noc,"),
        "{}",
        records[0]
    );
    assert!(
        records[0].contains("3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.3"),
        "{}",
        records[0]
    );
    // Stored first, then delivered by the worker: the log has the attempt.
    let mut delivered = Json::Null;
    while Instant::now() < deadline {
        let (_, log) = world
            .call("GET", "/api/v1/log/actions?action=noc-v3", None)
            .await;
        if log["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            delivered = log["items"][0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered["channel"], "trap_forward/noc-v3", "{delivered}");
    assert_eq!(delivered["outcome"], "delivered", "{delivered}");
    assert_eq!(delivered["rule"], "forward-core", "{delivered}");

    // Test Action on a forward, logged as such.
    let outcome = world.api_test("noc-v3").await;
    assert_eq!(outcome["ok"], true, "{outcome}");
    let (_, log) = world
        .call("GET", "/api/v1/log/actions?action=noc-v3", None)
        .await;
    assert_eq!(log["items"][0]["kind"], "trap_forward", "{log}");
    assert_eq!(log["items"][0]["rule"], "test", "{log}");
    let records = trapd.wait_for(2);
    assert_eq!(records.len(), 2, "{}", trapd.log());

    // A v3 inform: the receiver is the authoritative engine, discovered; then a wrong
    // password, classified.
    let inform = json!({ "name": "noc-inform", "kind": "trap_forward", "target": trapd.target(),
        "inform": true, "usm": { "user": "noc-inform", "auth_protocol": "SHA",
        "auth_password": "authpass123", "priv_protocol": "AES", "priv_password": "privpass123" } });
    let (status, created) = world.call("POST", "/api/v1/actions", Some(inform)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let outcome = world.api_test("noc-inform").await;
    assert_eq!(outcome["ok"], true, "{outcome}");
    assert!(
        outcome["reply"]
            .as_str()
            .is_some_and(|r| r.starts_with("inform acknowledged")),
        "{outcome}"
    );
    let id = created["id"].as_i64().unwrap();
    let wrong = json!({ "name": "noc-inform", "kind": "trap_forward", "target": trapd.target(),
        "inform": true, "usm": { "user": "noc-inform", "auth_protocol": "SHA",
        "auth_password": "wrongpass123", "priv_protocol": "AES", "priv_password": "privpass123" } });
    let (status, body) = world
        .call("PUT", &format!("/api/v1/actions/{id}"), Some(wrong))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outcome = world.api_test("noc-inform").await;
    assert_eq!(outcome["ok"], false, "{outcome}");
    assert_eq!(outcome["failure"]["kind"], "usm_rejected", "{outcome}");
    assert!(!outcome.to_string().contains("wrongpass123"), "{outcome}");
    world.stop().await;
}

#[tokio::test]
async fn the_smtp_tls_policy_and_rate_limit_change_through_the_api_without_a_restart() {
    let pki = Pki::new("Vigie Test CA");
    let world = World::start(&pki, 1, Grouping::immediate(), RetryPolicy::default()).await;
    let service = world.state.response.clone().unwrap();
    assert_eq!(service.rate_limits().get("smtp"), None);
    let (status, tls) = world.call("GET", "/api/v1/smtp/tls", None).await;
    assert_eq!(status, StatusCode::OK, "{tls}");
    assert_eq!(tls["tls"]["tls_versions"], "1.2+");
    assert_eq!(tls["host_name_verification"], true);
    let unknown = json!({ "tls_versions": "1.2+", "ciphers": "ECDHE-RSA-AES128-SHA999",
        "dangerous_accept_invalid_certs": false, "system_roots": false });
    let (status, error) = world.call("PUT", "/api/v1/smtp/tls", Some(unknown)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.to_string().contains("ECDHE-RSA-AES128-SHA999"),
        "{error}"
    );
    let mismatch = json!({ "tls_versions": "1.3", "ciphers": "ECDHE-RSA-AES128-GCM-SHA256",
        "dangerous_accept_invalid_certs": false, "system_roots": false });
    let (status, _) = world.call("PUT", "/api/v1/smtp/tls", Some(mismatch)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let good = json!({ "tls_versions": "1.3",
        "ciphers": "TLS_AES_256_GCM_SHA384:DHE-RSA-AES256-GCM-SHA384",
        "dangerous_accept_invalid_certs": false, "system_roots": false });
    let (status, tls) = world.call("PUT", "/api/v1/smtp/tls", Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{tls}");
    assert_eq!(tls["suites_offered"], json!(["TLS13_AES_256_GCM_SHA384"]));
    assert_eq!(
        tls["ignored_ciphers"][0]["name"],
        "DHE-RSA-AES256-GCM-SHA384"
    );
    let (_, smtp) = world.call("GET", "/api/v1/smtp", None).await;
    assert_eq!(smtp["settings"]["tls_versions"], "1.3", "{smtp}");
    assert_eq!(smtp["password_set"], true, "the password is kept: {smtp}");
    assert!(!smtp.to_string().contains(PASSWORD));

    let mut settings = smtp["settings"].clone();
    settings["max_per_second"] = json!(1);
    settings["max_per_day"] = json!(200);
    let (status, body) = world.call("PUT", "/api/v1/smtp", Some(settings)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let limit = service.rate_limits().get("smtp").unwrap();
    assert_eq!((limit.per_second, limit.per_day), (Some(1), Some(200)));
    world.stop().await;
}
