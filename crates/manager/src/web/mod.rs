//! The web UI: server-rendered pages for operators, beside the JSON API.
//!
//! Pages are HTML rendered on the server from templates compiled into the binary
//! ([`minijinja`], autoescaped), with one CSS file and a little plain JavaScript embedded as
//! assets. Every form works without JavaScript; the script only adds live updates (server-sent
//! events on the Alarms and Events pages, a periodic refresh of the status table).
//!
//! # Security
//!
//! - Login with the admin account (Argon2id hash in the store). On a first start with no
//!   admin password, every page leads to `/setup`, which sets it for whoever presents the
//!   one-time [`SetupCode`] printed on the server's console ([`WebConfig::setup_code`]);
//!   without a code the page is closed and `vigie admin set-password` sets the password.
//! - Sessions: a random 256-bit token in a `HttpOnly`, `SameSite=Strict` cookie (`Secure`
//!   when [`WebConfig::secure_cookies`] says the UI is served over TLS); the store keeps its
//!   SHA-256 only. A new token at every login; logout deletes the record.
//! - CSRF: every form of a session carries the session's synchroniser token; the login and
//!   setup forms, which come before any session, carry a double-submit token (cookie and
//!   field). A POST whose token is missing or wrong is refused with 403 (OWASP CSRF
//!   Prevention Cheat Sheet).
//! - Failed logins are limited per client address ([`limiter`]).
//! - Responses carry `Content-Security-Policy` (scripts and styles from this origin only),
//!   `X-Frame-Options: DENY` and `Cache-Control: no-store`.
//!
//! The router is separate from [`crate::http::app`] so that the binary decides how it is
//! served: `http::app(state.clone()).merge(web::router(state, config))`.

mod actions;
mod assets;
mod auth;
mod devices;
mod form;
mod limiter;
mod live;
mod pages;
mod render;
mod response;
mod rules;
mod setup;
mod tls;
mod traffic;

use std::sync::Arc;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::http::AppState;
use crate::store::SessionPolicy;

pub use limiter::LoginLimiter;
pub use setup::{SETUP_CODE_CHARS, SetupCode};

/// How the web UI is served.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: true when the UI is served over HTTPS (directly or behind a
    /// TLS-terminating proxy). Browsers do not send `Secure` cookies over plain HTTP.
    pub secure_cookies: bool,
    /// How long sessions last.
    pub sessions: SessionPolicy,
    /// The admin account's name.
    pub admin: String,
    /// Set to true when the server shuts down: live streams end at once instead of holding
    /// a graceful shutdown for up to five minutes. `None`: they end on their own.
    pub stop: Option<tokio::sync::watch::Receiver<bool>>,
    /// The hash of the one-time code that `/setup` asks for while no admin password is set.
    /// `None`: the page is closed (the password is set with `vigie admin set-password`).
    pub setup_code: Option<SetupCode>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            sessions: SessionPolicy::default(),
            admin: DEFAULT_ADMIN.to_owned(),
            stop: None,
            setup_code: None,
        }
    }
}

/// The admin account's name unless configured otherwise.
pub const DEFAULT_ADMIN: &str = "admin";

/// What the page handlers share.
#[derive(Debug, Clone)]
struct WebState {
    app: AppState,
    config: Arc<WebConfig>,
    limiter: Arc<LoginLimiter>,
    templates: Arc<render::Templates>,
    /// Serialises first-start setups, so that two browsers cannot both set the password.
    setup: Arc<tokio::sync::Mutex<()>>,
    /// Recent interface rates for the device page's charts.
    traffic: Arc<traffic::History>,
}

/// The web UI's router, with its state applied; merge it with [`crate::http::app`].
pub fn router(state: AppState, config: WebConfig) -> Router {
    let web = WebState {
        app: state,
        config: Arc::new(config),
        limiter: Arc::new(LoginLimiter::default()),
        templates: Arc::new(render::Templates::new()),
        setup: Arc::new(tokio::sync::Mutex::new(())),
        traffic: Arc::new(traffic::History::default()),
    };
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/setup", get(auth::setup_page).post(auth::setup))
        .route("/logout", post(auth::logout))
        .route("/status", get(pages::status))
        .route("/status/table", get(pages::status_table))
        .route("/alarms", get(pages::alarms))
        .route("/alarms/live", get(live::alarms))
        .route("/alarms/{id}", get(pages::alarm))
        .route("/alarms/{id}/ack", post(pages::acknowledge))
        .route("/alarms/{id}/clear", post(pages::clear))
        .route("/events", get(pages::events))
        .route("/events/live", get(live::events))
        .route("/devices", get(pages::devices).post(pages::add_device))
        .route("/devices/{id}", get(devices::device))
        .route("/devices/{id}/interfaces", get(devices::interfaces))
        .route("/devices/{id}/poll", post(devices::poll))
        .route("/devices/{id}/credentials", post(devices::credentials))
        .route("/response", get(response::home))
        .route("/response/rules", get(rules::list))
        .route(
            "/response/rules/new",
            get(rules::new_rule).post(rules::create_rule),
        )
        .route(
            "/response/rules/{id}/edit",
            get(rules::edit_rule).post(rules::update_rule),
        )
        .route("/response/actions", get(response::actions))
        .route(
            "/response/actions/new",
            get(response::new_email).post(response::create_email),
        )
        .route(
            "/response/actions/new/{kind}",
            get(actions::new_action).post(actions::create_action),
        )
        .route(
            "/response/actions/{name}/edit",
            get(actions::edit_action).post(actions::update_action),
        )
        .route("/response/actions/{name}/test", post(response::test_action))
        .route("/response/log", get(response::log))
        .route(
            "/settings/smtp",
            get(response::smtp).post(response::save_smtp),
        )
        .route(
            "/settings/trust",
            get(response::trust).post(response::import_trust),
        )
        .route("/settings/tls", get(tls::page).post(tls::apply))
        .route("/settings/trust/remove", post(response::remove_trust))
        .route("/settings/trust/capture", post(response::capture_trust))
        .route("/assets/{name}", get(assets::serve))
        .layer(middleware::from_fn(security_headers))
        .with_state(web)
}

/// Paths of [`router`], for the binary's route listing and the tests: method and path.
pub const PAGES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/setup"),
    ("POST", "/setup"),
    ("POST", "/logout"),
    ("GET", "/status"),
    ("GET", "/status/table"),
    ("GET", "/alarms"),
    ("GET", "/alarms/live"),
    ("GET", "/alarms/{id}"),
    ("POST", "/alarms/{id}/ack"),
    ("POST", "/alarms/{id}/clear"),
    ("GET", "/events"),
    ("GET", "/events/live"),
    ("GET", "/devices"),
    ("POST", "/devices"),
    ("GET", "/devices/{id}"),
    ("GET", "/devices/{id}/interfaces"),
    ("POST", "/devices/{id}/poll"),
    ("POST", "/devices/{id}/credentials"),
    ("GET", "/response"),
    ("GET", "/response/rules"),
    ("GET", "/response/rules/new"),
    ("POST", "/response/rules/new"),
    ("GET", "/response/rules/{id}/edit"),
    ("POST", "/response/rules/{id}/edit"),
    ("GET", "/response/actions"),
    ("GET", "/response/actions/new"),
    ("POST", "/response/actions/new"),
    ("GET", "/response/actions/new/{kind}"),
    ("POST", "/response/actions/new/{kind}"),
    ("GET", "/response/actions/{name}/edit"),
    ("POST", "/response/actions/{name}/edit"),
    ("POST", "/response/actions/{name}/test"),
    ("GET", "/response/log"),
    ("GET", "/settings/smtp"),
    ("POST", "/settings/smtp"),
    ("GET", "/settings/trust"),
    ("POST", "/settings/trust"),
    ("GET", "/settings/tls"),
    ("POST", "/settings/tls"),
    ("POST", "/settings/trust/remove"),
    ("POST", "/settings/trust/capture"),
    ("GET", "/assets/{name}"),
];

/// Headers every page carries: no framing (clickjacking), no inline script or style, no
/// caching of pages that show alarms to whoever uses the browser next.
async fn security_headers(request: axum::extract::Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        axum::http::header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests;
