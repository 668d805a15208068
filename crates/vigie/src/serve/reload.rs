//! Configuration reload (SIGHUP, `POST /api/v1/config/reload`): the file is read and
//! validated again; a file that is refused leaves the running configuration in place. What
//! can change live is applied between two operations of each service (nothing stops, so no
//! trap is lost); what needs a restart is named.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use vigie_manager::poller::Poller;
use vigie_manager::store::Store;

use super::Overrides;
use super::agent::BuiltinAgent;
use super::devices::sync_devices;
use super::receiver::RunningReceiver;
use crate::config::Config;

/// A reload asked through the API; the answer comes back on `reply`.
#[derive(Debug)]
pub(crate) struct ReloadRequest {
    pub(crate) reply: oneshot::Sender<ReloadOutcome>,
}

/// How a reload went.
#[derive(Debug)]
pub(crate) enum ReloadOutcome {
    /// The new file was accepted.
    Reloaded(ReloadReport),
    /// The file was refused; the message names file, line and field.
    Refused(String),
}

/// What a reload changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ReloadReport {
    /// Settings applied live.
    pub(crate) applied: Vec<String>,
    /// Settings changed in the file that apply at the next start only.
    pub(crate) restart_required: Vec<&'static str>,
}

/// The running configuration and the handles that apply a new one.
pub(crate) struct Reloader {
    pub(crate) path: Option<PathBuf>,
    pub(crate) overrides: Overrides,
    pub(crate) running: Config,
    pub(crate) store: Store,
    pub(crate) agent: Option<BuiltinAgent>,
    pub(crate) receiver: Option<RunningReceiver>,
    pub(crate) retention: watch::Sender<Duration>,
    pub(crate) poller: Poller,
}

impl Reloader {
    /// Reads the file again and applies it.
    pub(crate) async fn reload(&mut self) -> ReloadOutcome {
        let Some(path) = &self.path else {
            return ReloadOutcome::Refused(
                "no configuration file: vigie serve runs on its embedded defaults; start it \
                 with --config FILE to reload one"
                    .to_owned(),
            );
        };
        let mut new = match Config::load(path) {
            Ok(config) => config,
            Err(error) => return ReloadOutcome::Refused(error.to_string()),
        };
        self.overrides.apply(&mut new);
        let mut report = ReloadReport {
            restart_required: self.running.restart_needed(&new),
            ..ReloadReport::default()
        };
        if new.agent.community != self.running.agent.community {
            if let Some(agent) = &self.agent {
                if let Err(error) = agent.set_community(&new.agent.community).await {
                    return ReloadOutcome::Refused(format!("[agent] community: {error}"));
                }
                let registered = super::agent::register_localhost(
                    &self.store,
                    agent.address,
                    &new.agent.community,
                    new.poller.interval,
                )
                .await;
                if let Err(error) = registered {
                    tracing::error!(error = %format!("{error:#}"), "inventory update failed");
                }
                report.applied.push("[agent] community".to_owned());
            }
        }
        if new.receiver.communities != self.running.receiver.communities
            || new.receiver.users != self.running.receiver.users
        {
            if let Some(receiver) = &self.receiver {
                if let Err(error) = receiver.apply(&new.receiver) {
                    return ReloadOutcome::Refused(format!("[receiver]: {error:#}"));
                }
                report
                    .applied
                    .push("[receiver] communities and users".to_owned());
            }
        }
        if new.storage.retention != self.running.storage.retention {
            self.retention.send_replace(new.storage.retention);
            report.applied.push("[storage] retention_days".to_owned());
        }
        if new.devices != self.running.devices {
            match sync_devices(&self.store, &new.devices, &self.running.poller).await {
                Ok(synced) => report.applied.push(format!(
                    "[[devices]]: {} added, {} updated",
                    synced.added, synced.updated
                )),
                Err(error) => return ReloadOutcome::Refused(format!("{error:#}")),
            }
        }
        if !report.applied.is_empty() {
            // The inventory may have changed: the poller re-reads it.
            if let Err(error) = self.poller.reload().await {
                tracing::error!(%error, "the poller could not re-read the inventory");
            }
        }
        // What waits for a restart keeps its running value, so that the next reload
        // compares against what actually runs.
        new.server = self.running.server.clone();
        new.receiver.enabled = self.running.receiver.enabled;
        new.receiver.listen = self.running.receiver.listen.clone();
        new.agent.enabled = self.running.agent.enabled;
        new.agent.listen = self.running.agent.listen;
        new.storage.durability = self.running.storage.durability;
        new.poller = self.running.poller;
        new.thresholds = self.running.thresholds.clone();
        new.smtp = self.running.smtp.clone();
        new.actions = self.running.actions.clone();
        new.rules = self.running.rules.clone();
        new.delivery = self.running.delivery;
        self.running = new;
        ReloadOutcome::Reloaded(report)
    }
}
