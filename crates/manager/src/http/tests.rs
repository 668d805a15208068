//! API tests: `oneshot` requests on `app()` over a real SQLite file.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;
use vigie_snmp::{Value as SnmpValue, VarBind, Version};

use super::*;
use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
use crate::event::{Notification, NotificationKind, SnmpVersion};
use crate::store::{Durability, NewDevice};

struct Harness {
    _dir: TempDir,
    state: AppState,
    token: String,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
        .await
        .unwrap();
    let token = store
        .create_token("ops-bot", Timestamp(0))
        .await
        .unwrap()
        .expose()
        .to_owned();
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
    let status = StatusRegistry::new();
    // Nothing answers at the test devices' documentation addresses: give up quickly.
    let poller_config = crate::poller::PollerConfig {
        timeout: Duration::from_millis(100),
        retries: 0,
        ..crate::poller::PollerConfig::default()
    };
    let poller = Poller::start(poller_config, store.clone(), desk.clone(), status.clone())
        .await
        .unwrap();
    let response = response_service(&store, &desk).await;
    let state = AppState {
        store,
        desk,
        status,
        metrics: Arc::new(Metrics::default()),
        poller,
        response: Some(response),
    };
    Harness {
        _dir: dir,
        state,
        token,
    }
}

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!("not JSON: {}", String::from_utf8_lossy(&self.body));
        })
    }
}

impl Harness {
    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(uri);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(value) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        let response = app(self.state.clone())
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            content_type,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.call("GET", uri, Some(&self.token.clone()), None).await
    }

    async fn raise(&self, key: &str, severity: Severity) {
        let event = AlarmEvent::Raise(Raise {
            key: AlarmKey::new(key),
            device: "r1".into(),
            source: Source::Trap,
            severity,
            text: "linkDown".into(),
        });
        self.state.desk.apply(Timestamp(1), event).await.unwrap();
    }
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
}

#[tokio::test]
async fn every_route_but_health_answers_401_without_a_valid_token() {
    let h = harness().await;
    for &(method, path, access) in ROUTES {
        let uri = concrete(path);
        let answer = h.call(method, &uri, None, None).await;
        if access == Access::Public {
            assert_eq!(answer.status, StatusCode::OK, "{method} {path}");
            continue;
        }
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(answer.json()["error"], "a valid API token is required");
        let forged = h.call(method, &uri, Some("vigie_0000"), None).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    assert_eq!(
        ROUTES.iter().filter(|r| r.2 == Access::Public).count(),
        1,
        "health only"
    );
}

#[tokio::test]
async fn the_scheme_must_be_bearer() {
    assert_eq!(bearer("Bearer abc"), Some("abc"));
    assert_eq!(bearer("bearer  abc "), Some("abc"));
    assert_eq!(bearer("Basic abc"), None);
    assert_eq!(bearer("Bearer "), None);
    assert_eq!(bearer("abc"), None);
}

#[tokio::test]
async fn every_route_is_served_with_a_token() {
    let h = harness().await;
    h.raise("a", Severity::Major).await;
    h.state
        .store
        .create_device(
            &NewDevice {
                name: "r1".into(),
                address: "192.0.2.1".parse().unwrap(),
                port: 161,
                poll_interval: Duration::from_secs(60),
                enabled: true,
                credentials: crate::store::SnmpCredentials::v2c("public").unwrap(),
            },
            Timestamp(0),
        )
        .await
        .unwrap();
    // ROUTES is ordered so that each call leaves what the next needs (ack before clear,
    // show before delete).
    for &(method, path, _) in ROUTES {
        let body = (method == "POST" && path == "/api/v1/devices")
            .then(|| json!({ "name": "r2", "address": "192.0.2.2" }))
            .or_else(|| (method == "PATCH").then(|| json!({ "poll_interval_s": 30 })))
            .or_else(|| response_body(method, path));
        let answer = h
            .call(method, &concrete(path), Some(&h.token.clone()), body)
            .await;
        assert!(
            answer.status.is_success(),
            "{method} {path}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        let text = String::from_utf8_lossy(&answer.body);
        assert!(
            !text.contains(&h.token),
            "{method} {path} returned the token"
        );
    }
}

#[tokio::test]
async fn openapi_describes_every_route_and_nothing_else() {
    let h = harness().await;
    let answer = h.get("/api/v1/openapi.json").await;
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let doc = answer.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented += 1;
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.1 == path && r.0.eq_ignore_ascii_case(method)),
                "{method} {path} is documented but not served"
            );
        }
    }
    for &(method, path, access) in ROUTES {
        let operation = &doc["paths"][path][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        // Public operations say so by overriding the global bearer requirement.
        let public = operation["security"] == json!([]);
        assert_eq!(public, access == Access::Public, "{method} {path} security");
    }
    assert_eq!(documented, ROUTES.len());
}

fn notification(source: &str, trap: &str) -> Notification {
    let oid = |s: &str| s.parse::<vigie_snmp::Oid>().unwrap();
    let source: SocketAddr = source.parse().unwrap();
    Notification::from_v2(
        Timestamp(1_000),
        source,
        Version::V2c,
        NotificationKind::Trap,
        "netops",
        &[
            VarBind {
                name: oid("1.3.6.1.2.1.1.3.0"),
                value: SnmpValue::TimeTicks(5),
            },
            VarBind {
                name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                value: SnmpValue::ObjectIdentifier(oid(trap)),
            },
        ],
    )
    .unwrap()
}

#[tokio::test]
async fn events_are_listed_with_filters_and_pages() {
    let h = harness().await;
    h.state
        .store
        .insert_events(&[
            notification("192.0.2.1:162", "1.3.6.1.6.3.1.1.5.3"),
            notification("192.0.2.1:162", "1.3.6.1.6.3.1.1.5.4"),
            notification("192.0.2.2:162", "1.3.6.1.6.3.1.1.5.3"),
        ])
        .await
        .unwrap();
    let page = h
        .get("/api/v1/events?device=192.0.2.1&limit=1")
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["trap_oid"], "1.3.6.1.6.3.1.1.5.4");
    assert_eq!(page["items"][0]["source"], "192.0.2.1:162");
    let next = page["next"].as_i64().unwrap();
    let rest = h
        .get(&format!("/api/v1/events?device=192.0.2.1&before={next}"))
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next"], Value::Null);

    let by_oid = h
        .get("/api/v1/events?trap_oid=.1.3.6.1.6.3.1.1.5.3")
        .await
        .json();
    assert_eq!(by_oid["items"].as_array().unwrap().len(), 2);

    let bad = h.get("/api/v1/events?trap_oid=linkDown").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"], "trap_oid \"linkDown\" is not an OID");
    let bad = h.get("/api/v1/events?since=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = h.get("/api/v1/events?device=nowhere").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn alarms_are_acknowledged_and_cleared_by_the_caller() {
    let h = harness().await;
    h.raise("a", Severity::Major).await;
    let token = h.token.clone();
    let acked = h
        .call("POST", "/api/v1/alarms/1/ack", Some(&token), None)
        .await;
    assert_eq!(acked.status, StatusCode::OK);
    let acked = acked.json();
    assert_eq!(acked["state"], "acknowledged");
    assert_eq!(acked["acknowledged_by"], "ops-bot");
    let again = h
        .call("POST", "/api/v1/alarms/1/ack", Some(&token), None)
        .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "acknowledging twice is harmless"
    );

    let open = h.get("/api/v1/alarms?state=open").await.json();
    assert_eq!(open["items"].as_array().unwrap().len(), 1);

    let cleared = h
        .call("POST", "/api/v1/alarms/1/clear", Some(&token), None)
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.json()["cleared_by"], "ops-bot");
    for action in ["ack", "clear"] {
        let late = h
            .call(
                "POST",
                &format!("/api/v1/alarms/1/{action}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{action} after clear");
        assert_eq!(late.json()["error"], "alarm 1 is already cleared");
    }
    let missing = h
        .call("POST", "/api/v1/alarms/99/ack", Some(&token), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let garbage = h
        .call("POST", "/api/v1/alarms/x/ack", Some(&token), None)
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    let shown = h.get("/api/v1/alarms/1").await.json();
    let actions: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["raised", "acknowledged", "cleared"]);
    assert!(
        h.get("/api/v1/alarms?state=open").await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        h.get("/api/v1/alarms?state=bogus").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/api/v1/alarms?min_severity=fatal").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn devices_are_created_read_and_deleted() {
    let h = harness().await;
    let token = h.token.clone();
    let body = json!({ "name": "core-sw1", "address": "2001:db8::1", "poll_interval_s": 30 });
    let created = h
        .call("POST", "/api/v1/devices", Some(&token), Some(body.clone()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let device = created.json();
    assert_eq!(device["address"], "2001:db8::1");
    assert_eq!(device["port"], 161);
    assert_eq!(device["poll_interval_s"], 30);
    let duplicate = h
        .call("POST", "/api/v1/devices", Some(&token), Some(body))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    for bad in [
        json!({ "name": "x", "address": "not-an-ip" }),
        json!({ "name": "x", "address": "192.0.2.1", "community": "public" }),
        json!({ "name": " ", "address": "192.0.2.1" }),
        json!({ "name": "x", "address": "192.0.2.1", "poll_interval_s": 0 }),
    ] {
        let answer = h
            .call("POST", "/api/v1/devices", Some(&token), Some(bad.clone()))
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(answer.json()["error"].is_string());
    }
    let id = device["id"].as_i64().unwrap();
    let uri = format!("/api/v1/devices/{id}");
    assert_eq!(h.get(&uri).await.json()["name"], "core-sw1");
    assert_eq!(
        h.get("/api/v1/devices").await.json()["items"][0]["name"],
        "core-sw1"
    );
    let deleted = h.call("DELETE", &uri, Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(h.get(&uri).await.status, StatusCode::NOT_FOUND);
    let again = h.call("DELETE", &uri, Some(&token), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn health_reports_each_component() {
    let h = harness().await;
    let up = h.call("GET", "/api/v1/health", None, None).await;
    assert_eq!(up.status, StatusCode::OK);
    let up = up.json();
    assert_eq!(up["status"], "UP");
    assert_eq!(up["components"]["store"]["status"], "UP");

    let reason = "permission denied binding 0.0.0.0:162: run with CAP_NET_BIND_SERVICE";
    h.state.status.set_down("receiver", reason, Timestamp(5));
    let down = h.call("GET", "/api/v1/health", None, None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    let down = down.json();
    assert_eq!(down["status"], "DOWN");
    assert_eq!(down["components"]["receiver"]["reason"], reason);
    assert_eq!(down["components"]["store"]["status"], "UP");
}

#[tokio::test]
async fn metrics_expose_counters_and_open_alarms() {
    let h = harness().await;
    h.raise("a", Severity::Major).await;
    h.raise("b", Severity::Major).await;
    h.state.metrics.received(SnmpVersion::V1);
    let answer = h.get("/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .content_type
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(answer.body).unwrap();
    assert!(
        text.lines()
            .any(|l| l == "vigie_alarms_open{severity=\"major\"} 2")
    );
    assert!(
        text.lines()
            .any(|l| l == "vigie_notifications_received_total{version=\"v1\"} 1")
    );
}

#[tokio::test]
async fn store_failures_are_a_generic_500_and_health_says_down() {
    let h = harness().await;
    h.state.store.close().await;
    let answer = h.get("/api/v1/events").await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.json(), json!({ "error": "internal error" }));
    let health = h.call("GET", "/api/v1/health", None, None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json()["components"]["store"]["status"], "DOWN");
}

#[tokio::test]
async fn unknown_paths_are_json_404s() {
    let h = harness().await;
    let answer = h.get("/api/v1/nothing").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json()["error"], "no such resource");
}

/// Response management over the harness's store, with nothing configured.
async fn response_service(store: &Store, desk: &Arc<AlarmDesk>) -> Arc<ResponseService> {
    let outbox = vigie_notify::Outbox::from_pool(store.pool().clone())
        .await
        .unwrap();
    ResponseService::new(
        store.clone(),
        Arc::clone(desk),
        outbox,
        vigie_notify::TrustStore::in_memory(),
        crate::actions::ResponseConfig::default(),
    )
    .await
    .unwrap()
}

/// The bodies of the response-management routes, in ROUTES order: an action, a rule that
/// uses it, a relay where nothing listens, a certificate named `1`.
fn response_body(method: &str, path: &str) -> Option<Value> {
    let action = json!({ "name": "a1", "kind": "email", "to": ["ops@example.com"] });
    Some(match (method, path) {
        ("POST" | "PUT", "/api/v1/actions" | "/api/v1/actions/{id}") => action,
        ("POST" | "PUT", "/api/v1/rules" | "/api/v1/rules/{id}") => {
            json!({ "name": "r1", "actions": ["a1"] })
        }
        ("PUT", "/api/v1/smtp") => {
            json!({ "server": "127.0.0.1", "port": 1, "from": "vigie@example.com" })
        }
        ("POST", "/api/v1/smtp/trust") => {
            let key = rcgen::KeyPair::generate().unwrap();
            let params = rcgen::CertificateParams::new(vec!["relay.test".to_owned()]).unwrap();
            json!({ "pem": params.self_signed(&key).unwrap().pem(), "name": "1" })
        }
        ("POST", "/api/v1/smtp/certs") => json!({}),
        ("PUT", "/api/v1/smtp/tls") => json!({
            "tls_versions": "1.3", "ciphers": "TLS_AES_256_GCM_SHA384",
            "dangerous_accept_invalid_certs": false, "system_roots": true
        }),
        ("POST", "/api/v1/device-groups") => json!({ "name": "1", "devices": ["r1"] }),
        ("PUT", "/api/v1/device-groups/{id}") => json!({ "devices": ["r1", "r2"] }),
        _ => return None,
    })
}

#[tokio::test]
async fn device_credentials_are_write_only_and_devices_can_be_changed_and_polled() {
    let h = harness().await;
    let token = h.token.clone();
    let body = json!({
        "name": "core-sw1", "address": "192.0.2.7",
        "snmp": {"version": "v3", "user": "ops", "auth_protocol": "SHA-256",
                 "auth_password": "s3cret-auth", "priv_protocol": "AES",
                 "priv_password": "s3cret-priv"}
    });
    let created = h
        .call("POST", "/api/v1/devices", Some(&token), Some(body))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let device = created.json();
    assert_eq!(
        device["snmp"],
        json!({"version": "v3", "user": "ops", "level": "authPriv", "auth": "SHA-256",
               "privacy": "AES", "context": ""})
    );
    let uri = format!("/api/v1/devices/{}", device["id"]);
    let patch = json!({"poll_interval_s": 30, "snmp": {"version": "v2c", "community": "s3cret-c"}});
    let changed = h.call("PATCH", &uri, Some(&token), Some(patch)).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.json()["poll_interval_s"], 30);
    assert_eq!(changed.json()["snmp"], json!({"version": "v2c"}));
    for answer in [
        &created,
        &changed,
        &h.get("/api/v1/devices").await,
        &h.get(&uri).await,
    ] {
        let text = String::from_utf8_lossy(&answer.body);
        assert!(!text.contains("s3cret"), "{text}");
    }
    let bad = json!({"snmp": {"version": "v3", "user": "ops", "priv_protocol": "AES",
                              "priv_password": "s3cret-priv"}});
    let refused = h.call("PATCH", &uri, Some(&token), Some(bad)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(!String::from_utf8_lossy(&refused.body).contains("s3cret"));

    // Nothing answers at 192.0.2.7: the poll says so, and the interfaces are still listed.
    let polled = h
        .call("POST", &format!("{uri}/poll"), Some(&token), None)
        .await;
    assert_eq!(polled.status, StatusCode::OK);
    assert_eq!(polled.json()["reachable"], false);
    let interfaces = h.get(&format!("{uri}/interfaces")).await;
    assert_eq!(interfaces.status, StatusCode::OK);
    assert_eq!(interfaces.json()["reachable"], false);
    assert_eq!(interfaces.json()["items"], json!([]));
    let missing = h
        .call("POST", "/api/v1/devices/999/poll", Some(&token), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
