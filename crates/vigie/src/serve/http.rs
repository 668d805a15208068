//! The HTTP server: the manager's API (`vigie_manager::http::app`), its web UI
//! (`vigie_manager::web::router`) and
//! `POST /api/v1/config/reload`, which belongs to the binary because only the binary reads
//! the configuration file.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;
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
/// finish and the task ends. Slow, idle and half-open clients are closed after a
/// header-read timeout, and connections are limited ([`Limits`]). `setup_code`: the hash of the first start's setup code, which
/// opens the web UI's `/setup` page.
pub(crate) fn start_http(
    listener: TcpListener,
    state: AppState,
    setup_code: Option<SetupCode>,
    reloads: mpsc::Sender<ReloadRequest>,
    shutdown: watch::Receiver<bool>,
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
    let task = tokio::spawn(serve(listener, app, Limits::default(), shutdown));
    Ok((local, task))
}

/// What one HTTP client may hold of the server.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// The longest a connection may take to send a request's headers, counted from the
    /// moment the server waits for them: a slow client (slowloris, a byte per second) and an
    /// idle keep-alive connection are both closed after it.
    header_read: Duration,
    /// Connections served at once; further ones wait in the kernel's accept queue until
    /// one closes, so that file descriptors and memory stay bounded.
    connections: usize,
}

impl Default for Limits {
    /// 10 s for the headers (as nginx's `client_header_timeout` is 60 s, and an API client
    /// on a LAN sends them in a millisecond), 1024 connections (a quarter of systemd's
    /// default `LimitNOFILE`, leaving descriptors to the store and the sockets).
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            connections: 1024,
        }
    }
}

/// Serves `app` on `listener` within `limits` (HTTP/1.1, RFC 9112) until `shutdown` turns
/// true; then stops accepting, lets in-flight requests finish (idle connections close at
/// once) and returns once every connection has closed, or after [`DRAIN`].
async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.connections));
    let (closing, closing_rx) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    loop {
        let slot = tokio::select! {
            () = turned_true(&mut shutdown) => break,
            slot = Arc::clone(&slots).acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let (stream, remote) = tokio::select! {
            () = turned_true(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait
                    // a little rather than spin.
                    tracing::warn!(%error, "cannot accept an HTTP connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        // Client addresses: the web UI rate-limits login failures per address.
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = turned_true(&mut closing) => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%error, %remote, "HTTP connection ended");
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let all = u32::try_from(limits.connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("HTTP connections still open after {DRAIN:?}: closing them");
    }
}

/// Returns once `flag` is true (or its sender is gone).
async fn turned_true(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|value| *value).await;
}

/// How long [`serve`] waits for in-flight requests once stopping.
const DRAIN: Duration = Duration::from_secs(10);

/// The pause after a failed `accept`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

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

    use std::time::Instant;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpStream;

    /// A server of `GET /` answering the client's address, within `limits`.
    async fn server(limits: Limits) -> (SocketAddr, watch::Sender<bool>, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route(
            "/",
            get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move { client.to_string() }),
        );
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(serve(listener, app, limits, stopping));
        (address, stop, task)
    }

    /// Reads until the server closes the connection; the bytes read, or `None` when it
    /// stays open for `within`.
    async fn read_to_close(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        tokio::time::timeout(within, async {
            let mut buffer = [0u8; 1024];
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => out.extend_from_slice(&buffer[..n]),
                }
            }
        })
        .await
        .ok()
        .map(|()| out)
    }

    async fn get_root(address: SocketAddr) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let answer = read_to_close(&mut stream, Duration::from_secs(5))
            .await
            .unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn slow_and_idle_clients_are_closed_after_the_header_timeout() {
        let limits = Limits {
            header_read: Duration::from_millis(300),
            connections: 16,
        };
        let (address, _stop, _task) = server(limits).await;
        let started = Instant::now();
        let mut idle = TcpStream::connect(address).await.unwrap();
        let mut slow = TcpStream::connect(address).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n")
            .await
            .unwrap();
        // A header line every 50 ms: progress, but never the end of the headers.
        let dripping = tokio::spawn(async move {
            for _ in 0..40 {
                if slow.write_all(b"X-a: b\r\n").await.is_err() {
                    return Some(started.elapsed());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            None
        });
        assert!(
            read_to_close(&mut idle, Duration::from_secs(2))
                .await
                .is_some()
        );
        let closed = dripping
            .await
            .unwrap()
            .expect("the slow client was cut off");
        assert!(closed < Duration::from_secs(2), "{closed:?}");
        // A keep-alive connection idle after its answer is closed too.
        let mut kept = TcpStream::connect(address).await.unwrap();
        kept.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let answer = read_to_close(&mut kept, Duration::from_secs(2))
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
        // Others are still served, with their address.
        let answer = get_root(address).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("127.0.0.1:"), "{answer}");
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_wait_for_a_free_slot() {
        let limits = Limits {
            header_read: Duration::from_millis(500),
            connections: 2,
        };
        let (address, _stop, _task) = server(limits).await;
        let mut held = Vec::new();
        for _ in 0..2 {
            held.push(TcpStream::connect(address).await.unwrap());
        }
        // Let the server take both slots.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let answer = get_root(address).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // Served once a held connection timed out, not before.
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        for mut stream in held {
            assert!(
                read_to_close(&mut stream, Duration::from_secs(2))
                    .await
                    .is_some()
            );
        }
    }

    #[tokio::test]
    async fn stopping_closes_idle_connections_and_ends_the_server() {
        let (address, stop, task) = server(Limits::default()).await;
        let mut idle = TcpStream::connect(address).await.unwrap();
        assert!(get_root(address).await.starts_with("HTTP/1.1 200"));
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the server stops")
            .unwrap();
        assert!(
            read_to_close(&mut idle, Duration::from_secs(2))
                .await
                .is_some()
        );
        assert!(TcpStream::connect(address).await.is_err());
    }
}
