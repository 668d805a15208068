//! The HTTP server: the manager's API (`vigie_manager::http::app`), its web UI
//! (`vigie_manager::web::router`) and
//! `POST /api/v1/config/reload`, which belongs to the binary because only the binary reads
//! the configuration file.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use vigie_manager::http::{ApiError, AppState};
use vigie_manager::store::Store;
use vigie_manager::web::{SetupCode, WebConfig};

use super::reload::{ReloadOutcome, ReloadRequest};

/// The route this module adds to the manager's API.
pub(crate) const RELOAD_ROUTE: &str = "/api/v1/config/reload";

/// Binds the HTTP address, first of all, so that a taken port stops the start before any
/// service has begun.
pub(crate) async fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen for HTTP on {address}"))
}

/// Serves the API on `listener` until `shutdown` turns true; then in-flight requests
/// finish and the task ends. `setup_code`: the hash of the first start's setup code, which
/// opens the web UI's `/setup` page.
pub(crate) fn start_http(
    listener: TcpListener,
    state: AppState,
    setup_code: Option<SetupCode>,
    reloads: mpsc::Sender<ReloadRequest>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let local = listener.local_addr().context("reading the HTTP address")?;
    let reload = Router::new()
        .route(RELOAD_ROUTE, post(reload))
        .with_state(ReloadState {
            store: state.store.clone(),
            reloads,
        });
    // The API, the web UI (served over plain HTTP here: no `Secure` cookies; its live
    // streams end as soon as the shutdown starts) and the reload.
    let web = WebConfig {
        stop: Some(shutdown.clone()),
        setup_code,
        ..WebConfig::default()
    };
    let app = vigie_manager::http::app(state.clone())
        .merge(vigie_manager::web::router(state, web))
        .merge(reload);
    let task = tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(
            listener,
            // Client addresses: the web UI rate-limits login failures per address.
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stopped)
        .await
        {
            tracing::error!(%error, "the HTTP server stopped");
        }
    });
    Ok((local, task))
}

#[derive(Clone)]
struct ReloadState {
    store: Store,
    reloads: mpsc::Sender<ReloadRequest>,
}

/// `POST /api/v1/config/reload`: reads the configuration file again, as SIGHUP does, and says
/// what was applied and what needs a restart; 422 with the error when the file is refused
/// (the running configuration then stays).
async fn reload(State(state): State<ReloadState>, headers: HeaderMap) -> Response {
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer);
    let Some(presented) = presented else {
        return ApiError::Unauthorized.into_response();
    };
    match state.store.check_token(presented).await {
        Ok(Some(owner)) => tracing::info!(token = %owner.name, "configuration reload requested"),
        Ok(None) => return ApiError::Unauthorized.into_response(),
        Err(error) => return ApiError::Store(error).into_response(),
    }
    let (reply, outcome) = oneshot::channel();
    if state.reloads.send(ReloadRequest { reply }).await.is_err() {
        return unavailable();
    }
    match outcome.await {
        Ok(ReloadOutcome::Reloaded(report)) => (
            StatusCode::OK,
            Json(json!({
                "status": "reloaded",
                "applied": report.applied,
                "restart_required": report.restart_required,
            })),
        )
            .into_response(),
        Ok(ReloadOutcome::Refused(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": error, "status": "unchanged" })),
        )
            .into_response(),
        Err(_) => unavailable(),
    }
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "error": "vigie is shutting down" })),
    )
        .into_response()
}

/// The token of an `Authorization: Bearer <token>` value (RFC 6750 §2.1), the scheme
/// case-insensitive (RFC 7235 §2.1), as the manager's middleware reads it.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer("Bearer vigie_ab"), Some("vigie_ab"));
        assert_eq!(bearer("bearer  vigie_ab "), Some("vigie_ab"));
        assert_eq!(bearer("Basic dXNlcg=="), None);
        assert_eq!(bearer("Bearer "), None);
    }
}
