//! The HTTP API: JSON under `/api/v1/`, Prometheus text at `/metrics`.
//!
//! Every route but `GET /api/v1/health` requires `Authorization: Bearer <token>`, checked
//! against the hashed tokens in the store. [`ROUTES`] lists the routes; the tests check that
//! the router serves each of them, that each but `health` answers 401 without a token, and
//! that the OpenAPI document describes exactly these routes.

mod actions;
mod alarms;
mod devices;
mod error;
mod events;
mod rules;
mod smtp;
mod system;

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};

use crate::actions::ResponseService;
use crate::desk::AlarmDesk;
use crate::metrics::Metrics;
use crate::poller::Poller;
use crate::status::StatusRegistry;
use crate::store::Store;
use crate::time::Timestamp;

pub use error::ApiError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The alarm desk (the one writer of alarms).
    pub desk: Arc<AlarmDesk>,
    /// Component health.
    pub status: StatusRegistry,
    /// vigie's own counters.
    pub metrics: Arc<Metrics>,
    /// The poller: live values, polling on demand, inventory reloads.
    pub poller: Poller,
    /// Response management (rules, actions, SMTP, trust store); `None` answers 404 on its
    /// routes.
    pub response: Option<Arc<ResponseService>>,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: only the health check, for load balancers and supervisors.
    Public,
    /// Holders of an API token.
    Token,
}

/// Every route the router serves: method, path (axum syntax), access.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/api/v1/health", Access::Public),
    ("GET", "/api/v1/openapi.json", Access::Token),
    ("GET", "/api/v1/events", Access::Token),
    ("GET", "/api/v1/alarms", Access::Token),
    ("GET", "/api/v1/alarms/{id}", Access::Token),
    ("POST", "/api/v1/alarms/{id}/ack", Access::Token),
    ("POST", "/api/v1/alarms/{id}/clear", Access::Token),
    ("GET", "/api/v1/devices", Access::Token),
    ("POST", "/api/v1/devices", Access::Token),
    ("GET", "/api/v1/devices/{id}", Access::Token),
    ("PATCH", "/api/v1/devices/{id}", Access::Token),
    ("GET", "/api/v1/devices/{id}/interfaces", Access::Token),
    ("POST", "/api/v1/devices/{id}/poll", Access::Token),
    ("DELETE", "/api/v1/devices/{id}", Access::Token),
    ("GET", "/api/v1/actions", Access::Token),
    ("POST", "/api/v1/actions", Access::Token),
    ("GET", "/api/v1/actions/{id}", Access::Token),
    ("PUT", "/api/v1/actions/{id}", Access::Token),
    ("POST", "/api/v1/actions/{id}/test", Access::Token),
    ("GET", "/api/v1/rules", Access::Token),
    ("POST", "/api/v1/rules", Access::Token),
    ("GET", "/api/v1/rules/{id}", Access::Token),
    ("PUT", "/api/v1/rules/{id}", Access::Token),
    ("DELETE", "/api/v1/rules/{id}", Access::Token),
    ("DELETE", "/api/v1/actions/{id}", Access::Token),
    ("GET", "/api/v1/smtp", Access::Token),
    ("PUT", "/api/v1/smtp", Access::Token),
    ("GET", "/api/v1/smtp/tls", Access::Token),
    ("PUT", "/api/v1/smtp/tls", Access::Token),
    ("GET", "/api/v1/device-groups", Access::Token),
    ("POST", "/api/v1/device-groups", Access::Token),
    ("GET", "/api/v1/device-groups/{id}", Access::Token),
    ("PUT", "/api/v1/device-groups/{id}", Access::Token),
    ("DELETE", "/api/v1/device-groups/{id}", Access::Token),
    ("GET", "/api/v1/smtp/trust", Access::Token),
    ("POST", "/api/v1/smtp/trust", Access::Token),
    ("DELETE", "/api/v1/smtp/trust/{id}", Access::Token),
    ("POST", "/api/v1/smtp/certs", Access::Token),
    ("GET", "/api/v1/log/actions", Access::Token),
    ("GET", "/metrics", Access::Token),
];

/// The API's router.
pub fn app(state: AppState) -> Router {
    let protected = Router::new()
        .route("/api/v1/openapi.json", get(system::openapi))
        .route("/api/v1/events", get(events::list))
        .route("/api/v1/alarms", get(alarms::list))
        .route("/api/v1/alarms/{id}", get(alarms::show))
        .route("/api/v1/alarms/{id}/ack", post(alarms::acknowledge))
        .route("/api/v1/alarms/{id}/clear", post(alarms::clear))
        .route("/api/v1/devices", get(devices::list).post(devices::create))
        .route(
            "/api/v1/devices/{id}",
            get(devices::show)
                .patch(devices::update)
                .delete(devices::delete),
        )
        .route("/api/v1/devices/{id}/interfaces", get(devices::interfaces))
        .route("/api/v1/devices/{id}/poll", post(devices::poll))
        .route("/api/v1/rules", get(rules::list).post(rules::create))
        .route(
            "/api/v1/rules/{id}",
            get(rules::show).put(rules::replace).delete(rules::delete),
        )
        .route("/api/v1/actions", get(actions::list).post(actions::create))
        .route(
            "/api/v1/actions/{id}",
            get(actions::show)
                .put(actions::replace)
                .delete(actions::delete),
        )
        .route("/api/v1/actions/{id}/test", post(actions::test))
        .route("/api/v1/smtp", get(smtp::show).put(smtp::replace))
        .route(
            "/api/v1/smtp/tls",
            get(smtp::tls_show).put(smtp::tls_replace),
        )
        .route(
            "/api/v1/device-groups",
            get(rules::groups_list).post(rules::groups_create),
        )
        .route(
            "/api/v1/device-groups/{id}",
            get(rules::groups_show)
                .put(rules::groups_replace)
                .delete(rules::groups_delete),
        )
        .route(
            "/api/v1/smtp/trust",
            get(smtp::trust_list).post(smtp::trust_import),
        )
        .route("/api/v1/smtp/trust/{id}", delete(smtp::trust_remove))
        .route("/api/v1/smtp/certs", post(smtp::capture))
        .route("/api/v1/log/actions", get(smtp::log))
        .route("/metrics", get(system::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/api/v1/health", get(system::health))
        .merge(protected)
        .fallback(error::not_found)
        .with_state(state)
}

/// The caller of a protected route, as the token middleware found it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The name the caller's token was created with.
    pub name: String,
}

/// Rejects a request without a valid bearer token; otherwise records the [`Caller`].
async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer)
        .ok_or(ApiError::Unauthorized)?;
    let owner = state
        .store
        .check_token(presented)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    request.extensions_mut().insert(Caller { name: owner.name });
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer <token>` value (RFC 6750 §2.1; the scheme is
/// case-insensitive, RFC 7235 §2.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The wall clock, read by the shell only.
fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

#[cfg(test)]
mod tests;
