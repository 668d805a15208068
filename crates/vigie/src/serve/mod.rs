//! `vigie serve`: the supervision station assembled from the manager library.
//!
//! One function starts each service (`start_receiver`, `start_agent`, `start_poller`,
//! `start_response`, `start_http`, `start_retention`)
//! and [`run`] calls them in order: store, admin account, inventory (`[[devices]]` and the
//! built-in agent as `localhost`, before any notification is named after it), receiver,
//! built-in agent (its notifications sent to the receiver), poller, response management,
//! HTTP, then it waits for signals. SIGHUP (or `POST /api/v1/config/reload`) reloads the
//! configuration; SIGTERM or SIGINT stops accepting, lets in-flight work finish, closes the
//! store (checkpointing its write-ahead log) and returns.

mod agent;
mod auth_storm;
mod devices;
mod first_start;
mod http;
pub(crate) mod logging;
mod poller;
mod receiver;
mod reload;
mod response;
mod retention;
mod systemd;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::event::TrapAlarms;
use vigie_manager::http::AppState;
use vigie_manager::intake::Intake;
use vigie_manager::metrics::Metrics;
use vigie_manager::receiver::ReceiverParts;
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::Store;
use vigie_manager::time::Timestamp;

use self::reload::{ReloadOutcome, ReloadRequest, Reloader};
use crate::config::Config;
use crate::paths;

/// What `vigie serve` was started with.
#[derive(Debug)]
pub(crate) struct Options {
    /// The configuration file, if any (reloads read it again).
    pub(crate) path: Option<PathBuf>,
    /// The command line's overrides of the file.
    pub(crate) overrides: Overrides,
    /// The configuration, overrides applied.
    pub(crate) config: Config,
}

/// Command-line values that win over the file's, at start and at every reload.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) http: Option<SocketAddr>,
    pub(crate) traps: Option<SocketAddr>,
    pub(crate) agent: Option<SocketAddr>,
}

impl Overrides {
    /// Writes the overrides into `config`.
    pub(crate) fn apply(&self, config: &mut Config) {
        if let Some(dir) = &self.data_dir {
            config.server.data_dir = Some(dir.clone());
        }
        if let Some(http) = self.http {
            config.server.http = http;
        }
        if let Some(traps) = self.traps {
            config.receiver.listen = vec![traps];
        }
        if let Some(agent) = self.agent {
            config.agent.listen = agent;
        }
    }
}

/// Runs the station until SIGTERM or SIGINT.
pub(crate) async fn run(options: Options) -> anyhow::Result<()> {
    let Options {
        path,
        overrides,
        config,
    } = options;
    let listener = http::bind(config.server.http).await?;
    let data_dir = paths::data_dir(config.server.data_dir.as_deref());
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let database = paths::database_location(&data_dir, config.storage.url.as_ref());
    // The location's `Display` shows a PostgreSQL URL without its password.
    let store = Store::open_location(&database, config.storage.durability)
        .await
        .with_context(|| format!("cannot open the database {database}"))?;
    tracing::info!(database = %database, "store open");
    let status = StatusRegistry::new();
    status.set_up("store", now());
    let metrics = Arc::new(Metrics::default());
    let desk = Arc::new(
        AlarmDesk::load(store.clone())
            .await
            .context("loading the open alarms")?,
    );
    let http_local = listener.local_addr().context("reading the HTTP address")?;
    let setup_code = first_start::setup_code(&store, http_local).await?;
    let (stop, stopping) = watch::channel(false);

    // The inventory first: the receiver names each notification's device from it, and a
    // linkDown named by address then a linkUp named `localhost` would never clear.
    let synced = devices::sync_devices(&store, &config.devices, &config.poller).await?;
    if synced.changed() {
        tracing::info!(
            added = synced.added,
            updated = synced.updated,
            removed = synced.removed,
            "inventory synchronised with [[devices]]"
        );
    }
    if config.agent.enabled && config.agent.listen.port() != 0 {
        agent::register_localhost(
            &store,
            config.agent.listen,
            &config.agent.community,
            config.poller.interval,
        )
        .await?;
    }
    let intake = Intake::new(
        store.clone(),
        Arc::clone(&desk),
        Arc::clone(&metrics),
        Arc::new(TrapAlarms::standard()),
    );
    // Response management first: the desk publishes each alarm decision to the subscribers
    // it has at that moment, so a decision made before the dispatcher subscribed (the
    // agent's coldStart, a trap received in the first milliseconds) would never be mailed.
    let response = response::start_response(
        &config,
        &data_dir,
        store.clone(),
        Arc::clone(&desk),
        &status,
        stopping.clone(),
    )
    .await;
    let (response, response_tasks) = match response {
        Some((service, tasks)) => (Some(service), tasks),
        None => (None, Vec::new()),
    };
    let receiver = if config.receiver.enabled {
        let parts = ReceiverParts {
            intake,
            metrics: Arc::clone(&metrics),
            store: store.clone(),
            mibs: receiver::mibs(),
            journal: data_dir.join("journal"),
        };
        receiver::start_receiver(
            &config.receiver,
            &data_dir,
            parts,
            Arc::clone(&desk),
            &status,
            stopping.clone(),
        )
        .await?
    } else {
        None
    };
    // The built-in agent's notifications go to the station's own receiver.
    let notify = receiver
        .as_ref()
        .and_then(receiver::RunningReceiver::local_target)
        .zip(config.receiver.communities.first());
    let agent = if config.agent.enabled {
        agent::start_agent(&config.agent, &data_dir, &status, notify, stopping.clone()).await
    } else {
        None
    };
    if let Some(agent) = &agent {
        agent::register_localhost(
            &store,
            agent.address,
            &config.agent.community,
            config.poller.interval,
        )
        .await?;
    }
    let poller =
        poller::start_poller(&config, store.clone(), Arc::clone(&desk), status.clone()).await?;
    let (retention_period, retention_changes) = watch::channel(config.storage.retention);
    let retention = retention::start_retention(
        store.clone(),
        response.as_ref().map(|service| service.outbox().clone()),
        retention_changes,
        stopping.clone(),
    );

    let (reload_requests, mut reloads) = mpsc::channel::<ReloadRequest>(RELOAD_QUEUE);
    let state = AppState {
        store: store.clone(),
        desk,
        status: status.clone(),
        metrics,
        poller: poller.clone(),
        response: response.clone(),
    };
    let (http_address, http) = http::start_http(
        listener,
        state,
        setup_code,
        reload_requests,
        stopping.clone(),
    )?;
    eprintln!(
        "vigie serve {}: HTTP on http://{http_address}/ (data in {})",
        env!("CARGO_PKG_VERSION"),
        data_dir.display()
    );
    tracing::info!(address = %http_address, "HTTP listening");
    systemd::notify("READY=1");

    let mut reloader = Reloader {
        path,
        overrides,
        running: config,
        store: store.clone(),
        retention: retention_period,
        agent,
        receiver,
        poller: poller.clone(),
        response,
    };
    let mut terminate = signal(SignalKind::terminate()).context("watching SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("watching SIGINT")?;
    let mut hangup = signal(SignalKind::hangup()).context("watching SIGHUP")?;
    loop {
        tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => {
                systemd::notify("RELOADING=1");
                log_reload(&reloader.reload().await);
                systemd::notify("READY=1");
            }
            Some(request) = reloads.recv() => {
                let outcome = reloader.reload().await;
                log_reload(&outcome);
                let _ = request.reply.send(outcome);
            }
        }
    }

    tracing::info!("shutting down");
    systemd::notify("STOPPING=1");
    stop.send_replace(true);
    poller.stop();
    let agent_task = reloader.agent.take().map(|agent| agent.task);
    let receiver_task = reloader.receiver.take().map(|receiver| receiver.task);
    let drained = async {
        // The receiver stops reading, then stores what it has read: before the store closes.
        if let Some(task) = receiver_task {
            let _ = task.await;
        }
        let _ = http.await;
        let _ = retention.await;
        for task in response_tasks {
            let _ = task.await;
        }
        if let Some(task) = agent_task {
            let _ = task.await;
        }
    };
    if tokio::time::timeout(DRAIN, drained).await.is_err() {
        tracing::warn!("some tasks did not stop within {DRAIN:?}; closing the store anyway");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn log_reload(outcome: &ReloadOutcome) {
    match outcome {
        ReloadOutcome::Reloaded(report) => {
            tracing::info!(
                applied = ?report.applied,
                restart_required = ?report.restart_required,
                "configuration reloaded"
            );
            if !report.restart_required.is_empty() {
                eprintln!(
                    "vigie serve: reloaded; these changes apply at the next start: {}",
                    report.restart_required.join(", ")
                );
            }
        }
        ReloadOutcome::Refused(error) => {
            tracing::error!(%error, "reload refused, the running configuration stays");
            eprintln!("vigie serve: reload refused, the running configuration stays: {error}");
        }
    }
}

/// The wall clock, as the store records it.
fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// Reload requests waiting, at most: each is answered before the next is read.
const RELOAD_QUEUE: usize = 4;
/// How long in-flight work may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(10);
