//! Web UI tests: `oneshot` requests on the router over a real SQLite file, with the cookies a
//! browser would keep. The browser itself is driven by `tests/web.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use tempfile::TempDir;
use tower::ServiceExt;

use super::*;
use crate::alarm::{AlarmEvent, AlarmId, AlarmKey, AlarmState, Raise, Severity, Source};
use crate::desk::AlarmDesk;
use crate::metrics::Metrics;
use crate::poller::{Poller, PollerConfig};
use crate::status::StatusRegistry;
use crate::store::{Durability, Store};
use crate::time::Timestamp;

const PASSWORD: &str = "correct horse battery";

struct Harness {
    _dir: TempDir,
    state: AppState,
    router: Router,
    /// The browser's cookie jar: name → value.
    jar: Vec<(String, String)>,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn harness(config: WebConfig) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .unwrap();
    let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
    let status = StatusRegistry::new();
    // Nothing answers at the test devices' documentation addresses: give up quickly.
    let poller_config = PollerConfig {
        timeout: Duration::from_millis(100),
        retries: 0,
        ..PollerConfig::default()
    };
    let poller = Poller::start(poller_config, store.clone(), desk.clone(), status.clone())
        .await
        .unwrap();
    let state = AppState {
        store,
        desk,
        status,
        metrics: Arc::new(Metrics::default()),
        poller,
        response: None,
    };
    let router = router(state.clone(), config);
    Harness {
        _dir: dir,
        state,
        router,
        jar: Vec::new(),
    }
}

/// A harness whose admin password is set and whose browser is logged in.
async fn logged_in() -> Harness {
    let mut h = harness(WebConfig::default()).await;
    h.state
        .store
        .set_admin_password("admin", PASSWORD, Timestamp(0))
        .await
        .unwrap();
    h.get("/login").await;
    let csrf = h.prelogin();
    let answer = h
        .post(
            "/login",
            &[("csrf", &csrf), ("user", "admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    h
}

impl Harness {
    async fn call(&mut self, method: Method, uri: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self
                .jar
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header(COOKIE, cookies.join("; "));
        }
        let body = match form {
            Some(pairs) => {
                request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
                let encoded: Vec<String> = pairs
                    .iter()
                    .map(|(key, value)| format!("{key}={}", pages_encode(value)))
                    .collect();
                Body::from(encoded.join("&"))
            }
            None => Body::empty(),
        };
        let mut request = request.body(body).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.jar.retain(|(kept, _)| kept != name);
            if !value.is_empty() && !cookie.contains("Max-Age=0") {
                self.jar.push((name.to_owned(), value.to_owned()));
            }
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            location: headers
                .get(LOCATION)
                .map(|value| value.to_str().unwrap().to_owned()),
            set_cookies,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, uri: &str) -> Answer {
        self.call(Method::GET, uri, None).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Answer {
        self.call(Method::POST, uri, Some(form)).await
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .iter()
            .find(|(kept, _)| kept == name)
            .map(|(_, value)| value.clone())
    }

    fn prelogin(&self) -> String {
        self.cookie("vigie_prelogin")
            .expect("the login page set it")
    }

    /// The CSRF token of the logged-in session, read from a page as the browser would.
    async fn csrf(&mut self) -> String {
        let page = self.get("/status").await.body;
        let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        page[start..start + 64].to_owned()
    }

    async fn raise(&self, key: &str) -> AlarmId {
        let event = AlarmEvent::Raise(Raise {
            key: AlarmKey::new(key),
            device: "r1".into(),
            source: Source::Trap,
            severity: Severity::Major,
            text: "linkDown <ifIndex 3>".into(),
        });
        let decision = self.state.desk.apply(Timestamp(1), event).await.unwrap();
        decision.alarm().unwrap().id
    }
}

fn pages_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

const SETUP_CODE: &str = "k7Qm2vXw9pRt4hNc8bZy3dFe";

fn with_setup_code() -> WebConfig {
    WebConfig {
        setup_code: Some(SetupCode::of(SETUP_CODE)),
        ..WebConfig::default()
    }
}

#[tokio::test]
async fn the_first_start_asks_for_the_setup_code_and_the_admin_password_once() {
    let mut h = harness(with_setup_code()).await;
    let answer = h.get("/status").await;
    assert_eq!(answer.location.as_deref(), Some("/setup"));
    assert_eq!(h.get("/login").await.location.as_deref(), Some("/setup"));
    let page = h.get("/setup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Set the admin password"));
    assert!(page.body.contains("Setup code"));
    assert!(!page.body.contains(SETUP_CODE));
    let csrf = h.prelogin();
    // Without the token: refused, and nothing set.
    let forged = h
        .post(
            "/setup",
            &[
                ("code", SETUP_CODE),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!h.state.store.has_admin().await.unwrap());
    // Without the code, or with a wrong one: refused, and nothing set.
    for code in [None, Some("k7Qm2vXw9pRt4hNc8bZy3dFf")] {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ];
        form.extend(code.map(|code| ("code", code)));
        let wrong = h.post("/setup", &form).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("Wrong setup code"));
        assert!(!wrong.body.contains(PASSWORD));
        assert!(!h.state.store.has_admin().await.unwrap());
    }
    let short = h
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("code", SETUP_CODE),
                ("password", "short-pass1"),
                ("confirm", "short-pass1"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.body.contains("at least 12 characters"));
    let differ = h
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("code", SETUP_CODE),
                ("password", PASSWORD),
                ("confirm", "another one, longer"),
            ],
        )
        .await;
    assert!(differ.body.contains("differ"));
    assert!(!differ.body.contains(PASSWORD));
    assert!(!differ.body.contains(SETUP_CODE));
    // The right code, pasted with the terminal's blanks around it.
    let pasted = format!("  {SETUP_CODE}\n");
    let done = h
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("code", &pasted),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location.as_deref(), Some("/status"));
    assert!(
        h.state
            .store
            .verify_admin_password("admin", PASSWORD)
            .await
            .unwrap()
    );
    assert_eq!(h.get("/status").await.status, StatusCode::OK);
    // The code is used: setting the password again from the page is impossible.
    assert_eq!(h.get("/setup").await.location.as_deref(), Some("/login"));
    // Even a form with a valid token and the code leaves the password alone.
    h.jar.push(("vigie_prelogin".to_owned(), csrf.clone()));
    let again = h
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("code", SETUP_CODE),
                ("password", "a new password!"),
                ("confirm", "a new password!"),
            ],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some("/login"));
    assert!(
        h.state
            .store
            .verify_admin_password("admin", PASSWORD)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn wrong_setup_codes_are_limited_like_logins() {
    let mut h = harness(with_setup_code()).await;
    h.get("/setup").await;
    let csrf = h.prelogin();
    let attempt = |code: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("code", code.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("confirm", PASSWORD.to_owned()),
        ]
    };
    for _ in 0..limiter::MAX_FAILURES {
        let form = attempt("guess-guess-guess-guess1");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            h.post("/setup", &form).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right code is refused until the window passes, without being checked.
    let form = attempt(SETUP_CODE);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let limited = h.post("/setup", &form).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key("retry-after"));
    assert!(!h.state.store.has_admin().await.unwrap());
}

#[tokio::test]
async fn without_a_setup_code_the_page_is_closed_and_the_console_sets_the_password() {
    let mut h = harness(WebConfig::default()).await;
    assert_eq!(h.get("/status").await.location.as_deref(), Some("/setup"));
    let closed = h.get("/setup").await;
    assert_eq!(closed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(closed.body.contains("vigie admin set-password"));
    assert!(!closed.body.contains("<form"));
    // A browser with a double-submit token, as if it came from a page.
    let csrf = "ab".repeat(32);
    h.jar.push(("vigie_prelogin".to_owned(), csrf.clone()));
    let refused = h
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("code", ""),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!h.state.store.has_admin().await.unwrap());
    // `vigie admin set-password` writes the store: the page then leads to the login.
    h.state
        .store
        .set_admin_password("admin", PASSWORD, Timestamp(0))
        .await
        .unwrap();
    assert_eq!(h.get("/setup").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let mut h = harness(WebConfig::default()).await;
    h.state
        .store
        .set_admin_password("admin", PASSWORD, Timestamp(0))
        .await
        .unwrap();
    let redirected = h.get("/alarms?state=any").await;
    assert_eq!(
        redirected.location.as_deref(),
        Some("/login?next=/alarms%3Fstate%3Dany")
    );
    h.get("/login?next=/alarms%3Fstate%3Dany").await;
    let csrf = h.prelogin();
    let wrong = h
        .post(
            "/login",
            &[("csrf", &csrf), ("user", "admin"), ("password", "guess")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong user name or password"));
    assert!(h.cookie("vigie_session").is_none());
    let right = h
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user", "admin"),
                ("password", PASSWORD),
                ("next", "/alarms?state=any"),
            ],
        )
        .await;
    assert_eq!(right.location.as_deref(), Some("/alarms?state=any"));
    let session = right
        .set_cookies
        .iter()
        .find(|cookie| cookie.starts_with("vigie_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"));
    assert!(session.contains("SameSite=Strict"));
    assert!(!session.contains("Secure"), "plain HTTP here");
    let token = h.cookie("vigie_session").unwrap();
    assert_eq!(h.get("/alarms").await.status, StatusCode::OK);

    let csrf = h.csrf().await;
    let out = h.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert!(h.cookie("vigie_session").is_none());
    // The old cookie no longer opens anything.
    h.jar.push(("vigie_session".into(), token));
    assert!(
        h.get("/status")
            .await
            .location
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_login_form_without_its_token_is_refused() {
    let mut h = harness(WebConfig::default()).await;
    h.state
        .store
        .set_admin_password("admin", PASSWORD, Timestamp(0))
        .await
        .unwrap();
    h.get("/login").await;
    let answer = h
        .post("/login", &[("user", "admin"), ("password", PASSWORD)])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(h.cookie("vigie_session").is_none());
}

#[tokio::test]
async fn failed_logins_are_limited_even_with_the_right_password_next() {
    let mut h = harness(WebConfig::default()).await;
    h.state
        .store
        .set_admin_password("admin", PASSWORD, Timestamp(0))
        .await
        .unwrap();
    h.get("/login").await;
    let csrf = h.prelogin();
    for _ in 0..limiter::MAX_FAILURES {
        let wrong = h
            .post(
                "/login",
                &[("csrf", &csrf), ("user", "admin"), ("password", "guess")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let limited = h
        .post(
            "/login",
            &[("csrf", &csrf), ("user", "admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key("retry-after"));
    assert!(limited.body.contains("Too many failed attempts"));
    assert!(h.cookie("vigie_session").is_none());
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_tls() {
    let mut h = harness(WebConfig {
        secure_cookies: true,
        ..with_setup_code()
    })
    .await;
    let page = h.get("/setup").await;
    assert!(!page.set_cookies.is_empty());
    assert!(
        page.set_cookies
            .iter()
            .all(|cookie| cookie.contains("; Secure"))
    );
}

#[tokio::test]
async fn acknowledge_and_clear_need_the_session_token() {
    let mut h = logged_in().await;
    let id = h.raise("linkDown/r1/3").await;
    let page = h.get("/alarms").await;
    assert!(page.body.contains(&format!("data-alarm=\"{id}\"")));
    // Autoescaped: the alarm text cannot inject markup.
    assert!(page.body.contains("linkDown &lt;ifIndex 3&gt;"));

    let forged = h.post(&format!("/alarms/{id}/ack"), &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = h
        .post(&format!("/alarms/{id}/ack"), &[("csrf", &"0".repeat(64))])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.state.store.alarm(id).await.unwrap().unwrap().state,
        AlarmState::Active
    );

    let csrf = h.csrf().await;
    let acked = h
        .post(
            &format!("/alarms/{id}/ack"),
            &[("csrf", &csrf), ("back", "/alarms?state=any")],
        )
        .await;
    assert_eq!(acked.location.as_deref(), Some("/alarms?state=any"));
    let alarm = h.state.store.alarm(id).await.unwrap().unwrap();
    assert_eq!(alarm.state, AlarmState::Acknowledged);
    assert_eq!(alarm.acknowledged_by.as_deref(), Some("admin"));

    let cleared = h
        .post(
            &format!("/alarms/{id}/clear"),
            &[("csrf", &csrf), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(cleared.location.as_deref(), Some("/alarms"));
    assert_eq!(
        h.state.store.alarm(id).await.unwrap().unwrap().state,
        AlarmState::Cleared
    );
    let history = h.get(&format!("/alarms/{id}")).await;
    for action in ["raised", "acknowledged", "cleared"] {
        assert!(history.body.contains(action), "{action}");
    }
    assert_eq!(h.get("/alarms/999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_renders_with_the_security_headers() {
    let mut h = logged_in().await;
    h.raise("k").await;
    h.state.status.set_up("receiver", Timestamp(0));
    h.state.status.set_down(
        "outbox",
        "relay refused: 535 authentication failed",
        Timestamp(0),
    );
    for path in [
        "/status",
        "/status/table",
        "/alarms",
        "/alarms/1",
        "/events",
        "/devices",
    ] {
        let page = h.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(page.headers["cache-control"], "no-store", "{path}");
        assert!(!page.body.contains(PASSWORD), "{path}");
    }
    let status = h.get("/status").await.body;
    assert!(status.contains("receiver"));
    assert!(status.contains("relay refused: 535 authentication failed"));
    assert!(status.contains("1 DOWN"));
    let css = h.get("/assets/vigie.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[CONTENT_TYPE], "text/css; charset=utf-8");
    assert_eq!(h.get("/assets/nope.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn devices_are_added_from_the_form_without_showing_the_community() {
    let mut h = logged_in().await;
    let csrf = h.csrf().await;
    let added = h
        .post(
            "/devices",
            &[
                ("csrf", &csrf),
                ("name", "core-sw1"),
                ("address", "192.0.2.1"),
                ("port", ""),
                ("poll_interval_s", "30"),
                ("version", "v2c"),
                ("community", "s3cret-community"),
            ],
        )
        .await;
    assert_eq!(added.location.as_deref(), Some("/devices?added=core-sw1"));
    let page = h.get("/devices?added=core-sw1").await;
    assert!(page.body.contains("Device core-sw1 added."));
    assert!(page.body.contains("192.0.2.1"));
    assert!(!page.body.contains("s3cret-community"));
    let again = h
        .post(
            "/devices",
            &[
                ("csrf", &csrf),
                ("name", "core-sw1"),
                ("address", "192.0.2.2"),
                ("community", "s3cret-community"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("exists already"));
    assert!(!again.body.contains("s3cret-community"));
    let bad = h
        .post(
            "/devices",
            &[("csrf", &csrf), ("name", "x"), ("address", "nowhere")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let forged = h
        .post("/devices", &[("name", "y"), ("address", "192.0.2.3")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(h.state.store.devices().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_live_alarm_stream_sends_the_table() {
    let mut h = logged_in().await;
    h.raise("live/1").await;
    let mut request = Request::builder().uri("/alarms/live?state=open");
    let cookie = format!("vigie_session={}", h.cookie("vigie_session").unwrap());
    request = request.header(COOKIE, cookie);
    let response = h
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
    let mut body = response.into_body();
    let frame = body.frame().await.unwrap().unwrap();
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(text.starts_with("event: alarms\n"), "{text}");
    assert!(text.contains("data-alarm=\"1\""));
    // Without a session, no stream.
    let anonymous = h.router.clone().oneshot(
        Request::builder()
            .uri("/alarms/live")
            .body(Body::empty())
            .unwrap(),
    );
    assert!(anonymous.await.unwrap().status().is_redirection());
    h.get("/status").await;
}

/// A logged-in harness with response management running (nothing configured).
async fn with_response() -> Harness {
    let mut h = logged_in().await;
    let outbox = vigie_notify::Outbox::from_pool(h.state.store.pool().clone())
        .await
        .unwrap();
    let service = crate::actions::ResponseService::new(
        h.state.store.clone(),
        Arc::clone(&h.state.desk),
        outbox,
        vigie_notify::TrustStore::in_memory(),
        crate::actions::ResponseConfig::default(),
    )
    .await
    .unwrap();
    h.state.response = Some(service);
    h.router = router(h.state.clone(), WebConfig::default());
    h
}

#[tokio::test]
async fn response_pages_say_when_response_management_is_not_running() {
    let mut h = logged_in().await;
    for path in [
        "/response/actions",
        "/response/rules",
        "/settings/smtp",
        "/settings/trust",
    ] {
        let page = h.get(path).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(page.body.contains("Response management is not running"));
    }
}

#[tokio::test]
async fn an_email_action_is_previewed_then_saved_and_smtp_is_configured() {
    let mut h = with_response().await;
    for path in [
        "/response/actions",
        "/response/rules",
        "/response/actions/new",
        "/response/log",
        "/settings/smtp",
        "/settings/trust",
    ] {
        assert_eq!(h.get(path).await.status, StatusCode::OK, "{path}");
    }
    let csrf = h.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "noc-mail"),
        ("to", "noc@example.net"),
        ("subject", "{{ severity | upper }} on {{ device }}"),
        ("body", "Alarm <{{ device }}>"),
        ("intent", "preview"),
    ];
    let preview = h.post("/response/actions/new", &form).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("MAJOR on sample-switch"));
    // Autoescaped in the page.
    assert!(preview.body.contains("Alarm &lt;sample-switch&gt;"));
    let mut save = form;
    save[5] = ("intent", "save");
    let saved = h.post("/response/actions/new", &save).await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/response/actions?added=noc-mail")
    );
    let list = h.get("/response/actions?added=noc-mail").await;
    assert!(list.body.contains("data-action=\"noc-mail\""));
    assert!(list.body.contains("No SMTP relay is configured"));
    let again = h.post("/response/actions/new", &save).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let smtp = h
        .post(
            "/settings/smtp",
            &[
                ("csrf", &csrf),
                ("server", "127.0.0.1"),
                ("port", "9"),
                ("encryption", "none"),
                ("from", "vigie@example.net"),
                ("username", ""),
                ("password", "hunter2-smtp"),
            ],
        )
        .await;
    assert_eq!(
        smtp.location.as_deref(),
        Some("/settings/smtp?saved=1"),
        "{}",
        smtp.body
    );
    let page = h.get("/settings/smtp?saved=1").await;
    assert!(page.body.contains("Applied."));
    assert!(!page.body.contains("hunter2-smtp"));
    assert!(page.body.contains("leave empty to keep"));

    // Nothing listens on port 9 here: the failure banner, with its fix and the log link.
    let test = h
        .post("/response/actions/noc-mail/test", &[("csrf", &csrf)])
        .await;
    assert_eq!(test.status, StatusCode::OK);
    assert!(test.body.contains("Test Action failed"), "{}", test.body);
    assert!(test.body.contains("Fix:"));
    assert!(test.body.contains("/response/log?action=noc-mail"));
    assert!(!test.body.contains("hunter2-smtp"));
    let forged = h.post("/response/actions/noc-mail/test", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_trust_store_imports_and_removes_pem_certificates() {
    let mut h = with_response().await;
    let csrf = h.csrf().await;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["relay.example".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let bad = h
        .post(
            "/settings/trust",
            &[("csrf", &csrf), ("name", "x"), ("pem", "nonsense")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let imported = h
        .post(
            "/settings/trust",
            &[("csrf", &csrf), ("name", "relay-ca"), ("pem", &cert.pem())],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let page = h.get(imported.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Imported relay-ca."));
    assert!(page.body.contains("data-certificate=\"relay-ca\""));
    let removed = h
        .post(
            "/settings/trust/remove",
            &[("csrf", &csrf), ("name", "relay-ca")],
        )
        .await;
    let page = h.get(removed.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Removed relay-ca."));
    assert!(!page.body.contains("data-certificate=\"relay-ca\""));
}

#[tokio::test]
async fn a_device_page_polls_now_and_replaces_credentials_without_showing_them() {
    let mut h = logged_in().await;
    let csrf = h.csrf().await;
    h.post(
        "/devices",
        &[
            ("csrf", &csrf),
            ("name", "edge-r1"),
            ("address", "192.0.2.1"),
            ("community", "first-secret"),
        ],
    )
    .await;
    let id = h.state.store.devices().await.unwrap()[0].id.0;
    let page = h.get(&format!("/devices/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No interface discovered yet."));
    assert!(!page.body.contains("first-secret"));
    let fragment = h.get(&format!("/devices/{id}/interfaces")).await;
    assert!(fragment.body.contains("id=\"interfaces\""));

    // Nothing answers at the documentation address: the page says so.
    let polled = h
        .post(&format!("/devices/{id}/poll"), &[("csrf", &csrf)])
        .await;
    let after = h.get(polled.location.as_deref().unwrap()).await;
    assert!(after.body.contains("did not answer"), "{}", after.body);

    let replaced = h
        .post(
            &format!("/devices/{id}/credentials"),
            &[
                ("csrf", &csrf),
                ("version", "v3"),
                ("user", "ops"),
                ("auth_protocol", "SHA-256"),
                ("auth_password", "second-secret"),
                ("priv_protocol", "none"),
            ],
        )
        .await;
    let page = h.get(replaced.location.as_deref().unwrap()).await;
    assert!(page.body.contains("New SNMP credentials saved."));
    assert!(page.body.contains("user ops (authNoPriv)"));
    assert!(!page.body.contains("second-secret"));
    let forged = h
        .post(&format!("/devices/{id}/poll"), &[("csrf", "nope")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/devices/999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn live_streams_end_when_the_server_stops() {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut h = logged_in().await;
    h.router = router(
        h.state.clone(),
        WebConfig {
            stop: Some(stopped),
            ..WebConfig::default()
        },
    );
    let cookie = format!("vigie_session={}", h.cookie("vigie_session").unwrap());
    let request = Request::builder()
        .uri("/alarms/live")
        .header(COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = h.router.clone().oneshot(request).await.unwrap();
    let mut body = response.into_body();
    // The first table, then nothing changes until the stop.
    assert!(body.frame().await.unwrap().unwrap().is_data());
    stop.send(true).unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = body.frame().await {
            // Keep-alive comments may come first.
            frame.unwrap();
        }
    })
    .await;
    assert!(end.is_ok(), "the stream ended at the stop");
}

#[tokio::test]
async fn rules_and_actions_of_every_kind_are_created_and_edited_from_forms() {
    let mut h = with_response().await;
    let csrf = h.csrf().await;
    for path in [
        "/response/actions/new/webhook",
        "/response/actions/new/syslog",
        "/response/actions/new/trap_forward",
        "/response/rules/new",
    ] {
        assert_eq!(h.get(path).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        h.get("/response/actions/new/pigeon").await.status,
        StatusCode::NOT_FOUND
    );
    let hook = h
        .post(
            "/response/actions/new/webhook",
            &[
                ("csrf", &csrf),
                ("name", "hook"),
                ("url", "https://hooks.example.net/vigie"),
                ("secret", "h00k-key"),
            ],
        )
        .await;
    assert_eq!(
        hook.location.as_deref(),
        Some("/response/actions?added=hook")
    );
    let forward = [
        ("csrf", csrf.as_str()),
        ("name", "fwd"),
        ("target", "192.0.2.7:1162"),
        ("community", "fwd-c0mmunity"),
    ];
    assert_eq!(
        h.post("/response/actions/new/trap_forward", &forward)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let forged = h
        .post("/response/actions/new/trap_forward", &forward[1..])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Edit shows the form without the secret; an empty secret keeps the stored one.
    let edit = h.get("/response/actions/hook/edit").await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("https://hooks.example.net/vigie"));
    assert!(edit.body.contains("leave empty to keep"));
    assert!(!edit.body.contains("h00k-key"));
    let saved = h
        .post(
            "/response/actions/hook/edit",
            &[
                ("csrf", &csrf),
                ("name", "renamed"),
                ("url", "https://hooks.example.net/v2"),
                ("secret", ""),
            ],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/response/actions?saved=hook")
    );
    let service = h.state.response.clone().unwrap();
    let Some(crate::actions::ActionSpec {
        kind: crate::actions::ActionKind::Webhook(webhook),
        ..
    }) = service.action("hook")
    else {
        panic!("the webhook keeps its name");
    };
    assert_eq!(webhook.url, "https://hooks.example.net/v2");
    assert_eq!(webhook.secret.expose(), "h00k-key");
    let list = h.get("/response/actions?saved=hook").await;
    assert!(list.body.contains("Action hook saved."));
    assert!(list.body.contains("/response/actions/hook/edit"));
    assert!(!list.body.contains("fwd-c0mmunity") && !list.body.contains("h00k-key"));

    // A rule linking both actions, then edited.
    let rule = [
        ("csrf", csrf.as_str()),
        ("name", "core"),
        ("enabled", "on"),
        ("combine", "all"),
        ("alarm_type", "linkDown"),
        ("min_severity", "major"),
        ("action", "hook"),
        ("action", "fwd"),
        ("raised", "on"),
        ("group_by", "device"),
        ("group_wait", "0"),
    ];
    let created = h.post("/response/rules/new", &rule).await;
    assert_eq!(
        created.location.as_deref(),
        Some("/response/rules?saved=core"),
        "{}",
        created.body
    );
    assert_eq!(
        h.post("/response/rules/new", &rule).await.status,
        StatusCode::CONFLICT
    );
    let mut missing = rule;
    missing[6] = ("action", "nope");
    missing[1] = ("name", "other");
    let refused = h.post("/response/rules/new", &missing).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("no action named nope"));
    let rules = h.get("/response/rules?saved=core").await;
    assert!(
        rules
            .body
            .contains("alarm type = linkDown and severity ≥ major")
    );
    let id = h.state.store.rules().await.unwrap()[0].id;
    let edit = h.get(&format!("/response/rules/{id}/edit")).await;
    assert!(edit.body.contains("value=\"linkDown\""));
    let mut changed = rule;
    changed[3] = ("combine", "any");
    let updated = h
        .post(&format!("/response/rules/{id}/edit"), &changed)
        .await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER, "{}", updated.body);
    let stored = h.state.store.rule(id).await.unwrap().unwrap();
    assert!(matches!(
        stored.spec.condition,
        crate::rules::Condition::Any(_)
    ));
    assert_eq!(service.rules()[0].actions, ["hook", "fwd"]);
    assert_eq!(
        h.get("/response/rules/999/edit").await.status,
        StatusCode::NOT_FOUND
    );
}
