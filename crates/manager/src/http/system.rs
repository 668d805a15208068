//! Health, metrics and the OpenAPI document.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::json;

use crate::http::{AppState, now};

/// `GET /api/v1/health`: each component UP or DOWN with its reason, the store checked live;
/// 200 when all are up or only delivery channels are down (listed in `degraded`), 503
/// otherwise.
pub(super) async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let check = state.store.ping();
    match tokio::time::timeout(STORE_CHECK_TIMEOUT, check).await {
        Ok(Ok(_)) => state.status.set_up("store", now()),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "store health check failed");
            state
                .status
                .set_down("store", "the database does not answer queries", now());
        }
        Err(_) => state.status.set_down(
            "store",
            format!("the database did not answer within {STORE_CHECK_TIMEOUT:?}"),
            now(),
        ),
    }
    let components = state.status.snapshot();
    // A delivery channel down (the SMTP relay, a webhook…) degrades the station but it still
    // receives traps, stores alarms and queues the messages: a load balancer keeps it (200),
    // the component says DOWN with its reason and `degraded` names it.
    let up = state.status.serving();
    let code = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if up { "UP" } else { "DOWN" },
        "degraded": state.status.degraded(),
        "components": components,
    });
    (code, Json(body))
}

/// `GET /metrics`: the Prometheus text exposition.
pub(super) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let alarms = state.desk.count_by_severity().await;
    let mut text = state.metrics.render(&alarms, &state.status);
    state.poller.render_metrics(&mut text);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
}

/// `GET /api/v1/openapi.json`: the API's description (OpenAPI 3.1), checked in.
pub(super) async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The OpenAPI document, checked in next to this file.
pub(super) const OPENAPI: &str = include_str!("openapi.json");

const STORE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);
