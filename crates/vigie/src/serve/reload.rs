//! Configuration reload (SIGHUP, `POST /api/v1/config/reload`): the file is read and
//! validated again; a file that is refused leaves the running configuration in place. What
//! can change live is applied between two operations of each service (nothing stops, so no
//! trap is lost); what needs a restart is named.
//!
//! Where the API or the web UI can change the same thing, the file wins for what it names,
//! as for Alertmanager's file: its `[[rules]]` and `[[actions]]` are read-only in the API,
//! and an API rule or action of the same name is hidden by the file's. `[smtp]` is the one
//! setting both edit: the last change wins. Settings saved through the API replace the
//! file's until a reload finds `[smtp]` changed in the file; that reload deletes the saved
//! settings (and logs it), so that what the file now says is what runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use vigie_manager::actions::ResponseService;
use vigie_manager::poller::Poller;
use vigie_manager::store::Store;

use super::Overrides;
use super::agent::BuiltinAgent;
use super::devices::sync_devices;
use super::poller::poller_config;
use super::receiver::RunningReceiver;
use super::response::response_config;
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
    /// Response management, when it started.
    pub(crate) response: Option<Arc<ResponseService>>,
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
        // The receiver first: the built-in agent's informs then carry a community it accepts.
        let receiver_community = new.receiver.communities.first();
        let notify_changed = self.receiver.is_some()
            && receiver_community != self.running.receiver.communities.first();
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
        let community_changed = new.agent.community != self.running.agent.community;
        if community_changed || notify_changed {
            if let Some(agent) = &mut self.agent {
                let receiver_community = receiver_community.filter(|_| notify_changed);
                if let Err(error) = agent
                    .reconfigure(&new.agent.community, receiver_community)
                    .await
                {
                    return ReloadOutcome::Refused(format!("[agent] community: {error}"));
                }
                if community_changed {
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
                if notify_changed {
                    report
                        .applied
                        .push("[agent] informs to the receiver's first community".to_owned());
                }
            }
        }
        if new.storage.retention != self.running.storage.retention {
            self.retention.send_replace(new.storage.retention);
            report.applied.push("[storage] retention_days".to_owned());
        }
        // Devices without an interval of their own follow `[poller] interval`.
        let mut inventory_changed = false;
        if new.devices != self.running.devices
            || new.poller.interval != self.running.poller.interval
        {
            match sync_devices(&self.store, &new.devices, &new.poller).await {
                Ok(synced) => {
                    inventory_changed = synced.changed();
                    report.applied.push(format!(
                        "[[devices]]: {} added, {} updated, {} removed",
                        synced.added, synced.updated, synced.removed
                    ));
                }
                Err(error) => return ReloadOutcome::Refused(format!("{error:#}")),
            }
        }
        if new.poller.interval != self.running.poller.interval {
            // The built-in agent's device follows the default too, unless the API changed it.
            let followed = super::agent::follow_interval(
                &self.store,
                self.running.poller.interval,
                new.poller.interval,
            )
            .await;
            if let Err(error) = followed {
                tracing::error!(error = %format!("{error:#}"), "inventory update failed");
            }
        }
        if new.poller != self.running.poller || new.thresholds != self.running.thresholds {
            // A new poller task reads the inventory as it starts.
            if let Err(error) = self.poller.reconfigure(poller_config(&new)).await {
                return ReloadOutcome::Refused(format!("[poller]: {error}"));
            }
            if new.poller != self.running.poller {
                report.applied.push("[poller]".to_owned());
            }
            if new.thresholds != self.running.thresholds {
                report.applied.push("[[thresholds]]".to_owned());
            }
        } else if inventory_changed || !report.applied.is_empty() {
            // The inventory may have changed: the poller re-reads it.
            if let Err(error) = self.poller.reload().await {
                tracing::error!(%error, "the poller could not re-read the inventory");
            }
        }
        if let Err(error) = self.apply_response(&new, &mut report).await {
            return ReloadOutcome::Refused(error);
        }
        // What waits for a restart keeps its running value, so that the next reload
        // compares against what actually runs.
        new.server = self.running.server.clone();
        new.receiver.enabled = self.running.receiver.enabled;
        new.receiver.listen = self.running.receiver.listen.clone();
        new.agent.enabled = self.running.agent.enabled;
        new.agent.listen = self.running.agent.listen;
        new.storage.durability = self.running.storage.durability;
        new.storage.url = self.running.storage.url.clone();
        self.running = new;
        ReloadOutcome::Reloaded(report)
    }

    /// Applies `[smtp]`, `[[actions]]`, `[[rules]]` and `[delivery]` to response
    /// management: the next decision and the next delivery use them, messages already queued
    /// included. A new `[delivery]` schedules the next retry; a message already waiting
    /// keeps the attempt computed when it failed.
    async fn apply_response(&self, new: &Config, report: &mut ReloadReport) -> Result<(), String> {
        let smtp_changed = new.smtp != self.running.smtp;
        let actions_changed = new.actions != self.running.actions;
        let rules_changed = new.rules != self.running.rules;
        let delivery_changed = new.delivery != self.running.delivery;
        if !(smtp_changed || actions_changed || rules_changed || delivery_changed) {
            return Ok(());
        }
        let Some(response) = &self.response else {
            return Ok(());
        };
        if smtp_changed {
            // The file changed after the API: the file's relay is the one that runs now.
            match self.store.delete_smtp_settings().await {
                Ok(true) => tracing::warn!(
                    "[smtp] changed in the file: the SMTP settings saved through the API or \
                     the web UI are replaced by the file's"
                ),
                Ok(false) => {}
                Err(error) => return Err(format!("[smtp]: {error}")),
            }
        }
        // Validation made sure every rule names an existing action.
        if let Err(error) = response.reconfigure(response_config(new)).await {
            return Err(format!(
                "[smtp], [[actions]], [[rules]], [delivery]: {error}"
            ));
        }
        for (changed, section) in [
            (smtp_changed, "[smtp]"),
            (actions_changed, "[[actions]]"),
            (rules_changed, "[[rules]]"),
            (delivery_changed, "[delivery]"),
        ] {
            if changed {
                report.applied.push(section.to_owned());
            }
        }
        Ok(())
    }
}
