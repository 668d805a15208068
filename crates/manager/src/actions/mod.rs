//! Response management (shell): alarm decisions → rules → grouping → actions → the durable
//! outbox of vigie-notify.
//!
//! A [`ResponseService`] holds the rules, actions and SMTP settings (from the configuration
//! file, [`ResponseConfig`], and from the API, stored in the database), the trust store,
//! and the outbox. [`ResponseService::start`] runs the dispatcher (the desk's decisions,
//! read from the durable `response_pending` table the desk writes in each alarm's own
//! transaction, through the rules and the [`crate::rules::Grouper`], each batch rendered and
//! stored in the outbox before any attempt, and only then the decisions it covers deleted:
//! so a crash loses no notification), the outbox worker, a watcher that raises a system alarm
//! when a channel fails for good and clears it when the channel delivers again, and the
//! SMTP relay's prober. [`ResponseService::test_action`] sends a real message now, past the
//! queue. Each delivery channel reports UP or DOWN (with the classified reason and the fix)
//! in the [`crate::status::StatusRegistry`] given to [`ResponseService::with_status`].

mod channels;
mod facts;
mod forward;
mod health;
mod pending;
pub mod render;
mod spec;
mod test;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vigie_mib::MibSet;
use vigie_notify::{
    Channel, FailReason, Mailbox, Message, Notification as Outgoing, Origin, Outbox, OutboxError,
    OutboxEvent, RateLimits, RetryPolicy, SyslogConfig, SyslogMessage, TrustStore, WebhookConfig,
    Worker,
};

use crate::alarm::{AlarmKey, Severity, SystemAlarm};
use crate::desk::AlarmDesk;
use crate::rules::{Batch, Change, Grouper, NotificationFacts, RuleSpec, Subject};
use crate::status::{StatusRegistry, is_delivery_channel};
use crate::store::{PendingDecision, Store, StoreError};
use crate::time::Timestamp;

pub use channels::SharedChannels;
pub use facts::facts;
pub use forward::{ForwardChannel, ForwardError};
pub use health::{PROBE_WHILE_DOWN, probe};
pub use render::{RenderContext, RenderError};
pub use spec::{
    ActionKind, ActionSpec, EmailAction, EncryptionMode, ForwardUsm, ResponseConfig, SettingsError,
    SmtpSettings, SmtpTlsSettings, SyslogAction, SyslogTransportName, TlsVersions,
    TrapForwardAction, WebhookAction,
};
pub use test::{FailureView, TestOutcome};

/// The channel id of the SMTP relay in the outbox.
pub const SMTP_CHANNEL: &str = "smtp";

/// Pending decisions read from the store at a time.
const PENDING_READ: u32 = 1_000;

/// How soon a failed read of the pending decisions is tried again.
const READ_RETRY: Duration = Duration::from_secs(1);

/// How long before a trusted certificate's end the expiry alarm is raised.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 86_400);

/// A failure of response management.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The manager's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The outbox failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// A template does not render.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The SMTP settings are unusable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// An e-mail address or header is invalid.
    #[error(transparent)]
    Message(#[from] vigie_notify::MessageError),
    /// A syslog message cannot be encoded.
    #[error(transparent)]
    Syslog(#[from] vigie_notify::SyslogError),
    /// E-mail actions exist but no SMTP relay is configured.
    #[error(
        "no SMTP relay is configured: set one with PUT /api/v1/smtp or in the configuration file"
    )]
    NoSmtp,
    /// No action has this name.
    #[error("no action named {0:?}")]
    UnknownAction(String),
}

/// The rules, actions and settings in effect: the file's, then the API's.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    rules: Vec<RuleSpec>,
    actions: HashMap<String, ActionSpec>,
    smtp: Option<SmtpSettings>,
    groups: HashMap<String, Vec<String>>,
}

/// Response management: rules, actions, the SMTP relay, the trust store and the outbox.
#[derive(Debug)]
pub struct ResponseService {
    store: Store,
    desk: Arc<AlarmDesk>,
    outbox: Outbox,
    /// The file's settings; [`ResponseService::reconfigure`] replaces them at a reload.
    config: RwLock<Arc<ResponseConfig>>,
    trust: RwLock<TrustStore>,
    snapshot: RwLock<Arc<Snapshot>>,
    channels: SharedChannels,
    /// The worker's rate limits, changed by [`ResponseService::reload`] while it runs.
    rate_limits: RateLimits,
    /// The worker's retry policy, changed by [`ResponseService::reconfigure`] while it runs.
    retry: watch::Sender<RetryPolicy>,
    mib: Arc<MibSet>,
    /// Actions whose last rendering failed, so that the next success clears their alarm.
    broken_actions: std::sync::Mutex<HashSet<String>>,
    /// Where the delivery channels report UP or DOWN (`smtp`, `webhook/<action>`, …).
    status: StatusRegistry,
    /// Wakes the relay's prober: the settings changed.
    probe_now: tokio::sync::Notify,
    /// The relay refused a delivery after the greeting (AUTH, MAIL…): a successful probe
    /// does not prove it fixed, only a delivery, a Test Action or new settings do.
    smtp_refused: AtomicBool,
}

impl ResponseService {
    /// A service over `store` (rules, actions and settings the API manages), `desk` (for
    /// system alarms), `outbox` (which may share the store's database: use
    /// [`Outbox::from_pool`] with [`Store::pool`]), `trust` and the file's `config`.
    pub async fn new(
        store: Store,
        desk: Arc<AlarmDesk>,
        outbox: Outbox,
        trust: TrustStore,
        config: ResponseConfig,
    ) -> Result<Arc<Self>, ResponseError> {
        Self::with_status(store, desk, outbox, trust, config, StatusRegistry::new()).await
    }

    /// [`ResponseService::new`] reporting the delivery channels' health in `status`: the
    /// SMTP relay as `smtp`, the other channels as `webhook/<action>`, `syslog/<action>`,
    /// `trap_forward/<action>`.
    pub async fn with_status(
        store: Store,
        desk: Arc<AlarmDesk>,
        outbox: Outbox,
        trust: TrustStore,
        config: ResponseConfig,
        status: StatusRegistry,
    ) -> Result<Arc<Self>, ResponseError> {
        let mib = tokio::task::spawn_blocking(MibSet::builtin)
            .await
            .map_err(StoreError::from)?;
        let retry = watch::Sender::new(config.retry);
        let service = Arc::new(Self {
            store,
            desk,
            outbox,
            config: RwLock::new(Arc::new(config)),
            trust: RwLock::new(trust),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            channels: SharedChannels::default(),
            rate_limits: RateLimits::default(),
            retry,
            mib: Arc::new(mib),
            broken_actions: std::sync::Mutex::new(HashSet::new()),
            status,
            probe_now: tokio::sync::Notify::new(),
            smtp_refused: AtomicBool::new(false),
        });
        service.reload().await?;
        Ok(service)
    }

    /// Re-reads the API's rules, actions and SMTP settings and rebuilds the channels; the
    /// API calls it after every change.
    pub async fn reload(&self) -> Result<(), ResponseError> {
        let config = self.config();
        let mut snapshot = Snapshot {
            smtp: config.smtp.clone(),
            groups: config.device_groups.iter().cloned().collect(),
            ..Snapshot::default()
        };
        if let Some(smtp) = self.store.smtp_settings().await? {
            snapshot.smtp = Some(smtp);
        }
        for stored in self.store.device_groups().await? {
            // The file's group of the same name wins, as for rules and actions.
            snapshot.groups.entry(stored.name).or_insert(stored.devices);
        }
        for stored in self.store.actions().await? {
            snapshot
                .actions
                .insert(stored.spec.name.clone(), stored.spec);
        }
        for action in &config.actions {
            snapshot.actions.insert(action.name.clone(), action.clone());
        }
        let file_rules: HashSet<&str> = config.rules.iter().map(|r| r.name.as_str()).collect();
        snapshot.rules = config.rules.clone();
        for stored in self.store.rules().await? {
            if !file_rules.contains(stored.spec.name.as_str()) {
                snapshot.rules.push(stored.spec);
            }
        }
        self.channels.replace(self.build_channels(&snapshot));
        self.rate_limits.set(
            SMTP_CHANNEL,
            snapshot.smtp.as_ref().and_then(SmtpSettings::rate_limit),
        );
        self.forget_removed_channels(&snapshot);
        if let Ok(mut current) = self.snapshot.write() {
            *current = Arc::new(snapshot);
        }
        // New settings may fix what the relay refused: the probe decides again.
        self.smtp_refused.store(false, Ordering::Relaxed);
        self.probe_now.notify_one();
        Ok(())
    }

    /// Drops the status of delivery channels that no longer exist (a deleted action, the
    /// relay removed).
    fn forget_removed_channels(&self, snapshot: &Snapshot) {
        let mut live: HashSet<String> = snapshot.actions.values().map(channel_of).collect();
        if snapshot.smtp.is_some() {
            live.insert(SMTP_CHANNEL.to_owned());
        }
        for name in self.status.snapshot().into_keys() {
            if is_delivery_channel(&name) && !live.contains(&name) {
                self.status.remove(&name);
            }
        }
    }

    /// The registry where the delivery channels report their health.
    pub fn status(&self) -> &StatusRegistry {
        &self.status
    }

    /// Probes the SMTP relay in effect now and records the outcome as component `smtp`;
    /// returns `None` when no relay is configured or its settings are unusable.
    pub async fn probe_smtp(&self) -> Option<Result<(), vigie_notify::DeliveryFailure>> {
        let settings = self.smtp()?;
        let anchors = self.trust_store().anchors(false);
        let config = match settings.to_config(&anchors) {
            Ok(config) => config,
            Err(error) => {
                self.status.set_down(
                    SMTP_CHANNEL,
                    format!("the SMTP settings are unusable: {error}"),
                    now(),
                );
                return None;
            }
        };
        let outcome = probe(&config).await;
        if let Err(failure) = &outcome {
            tracing::warn!(server = %config.server, port = config.port, kind = failure.kind(),
                "the SMTP relay probe failed");
        }
        health::record_probe(
            &self.status,
            SMTP_CHANNEL,
            &outcome,
            self.smtp_refused.load(Ordering::Relaxed),
            now(),
        );
        Some(outcome)
    }

    /// Records the outcome of a delivery attempt on `channel` (from the worker or a Test
    /// Action) in the status registry.
    fn record_attempt(&self, channel: &str, failure: Option<&vigie_notify::ChannelFailure>) {
        match failure {
            None => {
                if channel == SMTP_CHANNEL {
                    self.smtp_refused.store(false, Ordering::Relaxed);
                }
                self.status.set_up(channel, now());
            }
            Some(failure) => {
                if channel == SMTP_CHANNEL && !health::is_reachability(failure) {
                    self.smtp_refused.store(true, Ordering::Relaxed);
                }
                self.status
                    .set_down(channel, health::reason(failure), now());
            }
        }
    }

    /// The prober: the relay at once, after each settings change, and every
    /// [`PROBE_WHILE_DOWN`] while `smtp` is down.
    async fn run_prober(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        // The wake-up `new`'s first reload left: this loop probes at once anyway.
        tokio::select! {
            biased;
            () = self.probe_now.notified() => {}
            () = std::future::ready(()) => {}
        }
        loop {
            // Settings changed during the probe wake the next loop at once.
            let changed = self.probe_now.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            self.probe_smtp().await;
            let down = self
                .status
                .get(SMTP_CHANNEL)
                .is_some_and(|c| c.status == crate::status::Health::Down);
            let wait = down.then_some(PROBE_WHILE_DOWN);
            tokio::select! {
                () = &mut shutdown => return,
                () = &mut changed => {}
                () = sleep(wait), if wait.is_some() => {}
            }
        }
    }

    /// Starts the dispatcher (fed by the desk's decisions), the outbox worker, the watcher
    /// of failed deliveries and the SMTP relay's prober (see [`PROBE_WHILE_DOWN`]), and
    /// checks the trust store's expiry once a day. The tasks end when `shutdown` completes.
    pub fn start(
        self: &Arc<Self>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Vec<JoinHandle<()>> {
        let (stop, _) = watch::channel(false);
        let stopped = |mut watch: watch::Receiver<bool>| async move {
            let _ = watch.wait_for(|stop| *stop).await;
        };
        let (events_tx, events) = unbounded_channel();
        let worker = Worker::new(self.outbox.clone(), self.channels.clone())
            .with_events(events_tx)
            .with_retry_policy_updates(self.retry.subscribe())
            .with_rate_limits(self.rate_limits.clone());
        let decisions = self.desk.decisions_stored();
        let service = Arc::clone(self);
        let dispatcher = tokio::spawn(service.run(decisions, stopped(stop.subscribe())));
        let until = stopped(stop.subscribe());
        let worker = tokio::spawn(async move {
            if let Err(error) = worker.run(until).await {
                tracing::error!(error = %error, "the outbox worker stopped");
            }
        });
        let service = Arc::clone(self);
        let watcher = tokio::spawn(service.watch(events, stopped(stop.subscribe())));
        let service = Arc::clone(self);
        let mut until = Box::pin(stopped(stop.subscribe()));
        let expiry = tokio::spawn(async move {
            loop {
                if let Err(error) = service.check_trust_expiry(SystemTime::now()).await {
                    tracing::error!(error = %error, "the trust store expiry check failed");
                }
                tokio::select! {
                    () = &mut until => return,
                    () = tokio::time::sleep(Duration::from_secs(86_400)) => {}
                }
            }
        });
        let service = Arc::clone(self);
        let prober = tokio::spawn(service.run_prober(stopped(stop.subscribe())));
        let stopper = tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        vec![dispatcher, worker, watcher, expiry, prober, stopper]
    }

    /// The dispatcher: each pending decision through the rules into the grouper; each due
    /// batch to its rule's actions. Returns when the desk is gone or `shutdown` completes.
    ///
    /// The decisions come from the store, not from the desk: the desk writes each one to
    /// `response_pending` in the alarm's own transaction, and a change of `decisions`
    /// ([`AlarmDesk::decisions_stored`]) only says that new rows are there. At start the rows a previous run left (decisions whose
    /// notifications may not have reached the outbox) are read first, with the time they were
    /// made, so their groups wait `group_wait` from then. A row is deleted once the batches
    /// covering it are in the outbox (see [`pending::Tracker`]).
    pub async fn run(
        self: Arc<Self>,
        mut decisions: watch::Receiver<u64>,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut grouper: Grouper<Arc<NotificationFacts>> = Grouper::new();
        let mut tracker = pending::Tracker::default();
        let mut unread = true;
        let mut first_read = true;
        loop {
            if unread {
                let read = self.read_pending(&mut grouper, &mut tracker).await;
                if let (Some(count @ 1..), true) = (read, first_read) {
                    tracing::info!(
                        decisions = count,
                        "alarm decisions the previous run left pending are handled again"
                    );
                }
                first_read &= read.is_none();
                unread = read.is_none();
            }
            for batch in grouper.poll(now()) {
                let stored = self.dispatch(&batch).await;
                for alert in &batch.alerts {
                    if stored {
                        tracker.covered(&batch.rule, &alert.alarm.key);
                    } else {
                        tracker.abandon(&batch.rule, &alert.alarm.key);
                    }
                }
            }
            let done = tracker.take_done();
            if let Err(error) = self.store.release_pending(&done).await {
                tracing::warn!(error = %error, "pending decisions could not be deleted; retrying");
                tracker.retry_done(done);
            }
            let wait = grouper.next_deadline().map(|due| {
                let now = now();
                Duration::from_millis(u64::try_from(due.0.saturating_sub(now.0)).unwrap_or(0))
            });
            // A failed read is tried again within a second.
            let wait = if unread {
                Some(wait.map_or(READ_RETRY, |w| w.min(READ_RETRY)))
            } else {
                wait
            };
            tokio::select! {
                () = &mut shutdown => return,
                changed = decisions.changed() => match changed {
                    Ok(()) => unread = true,
                    Err(_) => return,
                },
                () = sleep(wait), if wait.is_some() => {}
            }
        }
    }

    /// Reads the pending decisions after the last one read and offers them to the rules;
    /// returns how many, or `None` when the store could not be read.
    async fn read_pending(
        &self,
        grouper: &mut Grouper<Arc<NotificationFacts>>,
        tracker: &mut pending::Tracker,
    ) -> Option<usize> {
        let mut count = 0;
        loop {
            let read = match self
                .store
                .pending_decisions(tracker.after(), PENDING_READ)
                .await
            {
                Ok(read) => read,
                Err(error) => {
                    tracing::error!(error = %error, "pending alarm decisions could not be read");
                    return None;
                }
            };
            let full = read.len() >= PENDING_READ as usize;
            count += read.len();
            for id in &read.unreadable {
                tracing::error!(
                    id,
                    "a pending alarm decision does not read back and is dropped"
                );
                tracker.offered(*id, &AlarmKey::new(""), &[]);
            }
            for row in read.decisions {
                let fired = self.offer(grouper, tracker, &row);
                let fired: Vec<&str> = fired.iter().map(String::as_str).collect();
                match row.decision.alarm() {
                    Some(alarm) => tracker.offered(row.id, &alarm.key, &fired),
                    None => tracker.offered(row.id, &AlarmKey::new(""), &[]),
                }
            }
            if !full {
                return Some(count);
            }
        }
    }

    /// Puts one decision through the rules; returns the rules whose groups took it.
    fn offer(
        &self,
        grouper: &mut Grouper<Arc<NotificationFacts>>,
        tracker: &mut pending::Tracker,
        pending: &PendingDecision,
    ) -> Vec<String> {
        let Some((change, alarm)) = Change::of(&pending.decision) else {
            return Vec::new();
        };
        let snapshot = self.snapshot();
        let facts = Arc::new(
            pending
                .cause
                .as_ref()
                .map(|n| facts(n, &self.mib))
                .unwrap_or_default(),
        );
        let groups: Vec<String> = snapshot
            .groups
            .iter()
            .filter(|(_, devices)| devices.contains(&alarm.device))
            .map(|(group, _)| group.clone())
            .collect();
        let subject = Subject {
            change,
            alarm,
            device_groups: &groups,
            notification: (!facts.oid.is_empty()).then_some(&*facts),
        };
        let mut fired = Vec::new();
        for rule in &snapshot.rules {
            if rule.fires(&subject) {
                grouper.offer(
                    pending.at,
                    &rule.name,
                    &rule.grouping,
                    change,
                    alarm,
                    Arc::clone(&facts),
                );
                fired.push(rule.name.clone());
            } else if change == Change::Cleared {
                grouper.forget(&rule.name, &rule.grouping, alarm);
                tracker.covered(&rule.name, &alarm.key);
            }
        }
        fired
    }

    /// Sends `batch` through each action of its rule; a failure is logged and, when the
    /// configuration is at fault, raised as a broken-channel alarm. Returns `false` when an
    /// action's notification could not be stored in the outbox (the store failed), so that
    /// the decisions behind the batch stay pending for the next start; a batch the
    /// configuration cannot send (no SMTP relay, a template error, a rule or action gone)
    /// will not do better later and counts as handled.
    async fn dispatch(&self, batch: &Batch<Arc<NotificationFacts>>) -> bool {
        let snapshot = self.snapshot();
        let Some(rule) = snapshot.rules.iter().find(|r| r.name == batch.rule) else {
            return true;
        };
        let Some(context) = RenderContext::of(batch, self.config().public_url.as_deref()) else {
            return true;
        };
        let mut stored = true;
        for name in &rule.actions {
            let Some(action) = snapshot.actions.get(name) else {
                tracing::error!(rule = %rule.name, action = %name, "the rule names an unknown action");
                continue;
            };
            let origin = Origin {
                action: Some(action.name.clone()),
                rule: Some(rule.name.clone()),
                alarm_id: Some(context.first.alarm.id.to_string()),
            };
            let result = self.perform(action, &context, origin, &snapshot).await;
            if matches!(
                result,
                Err(ResponseError::Outbox(_) | ResponseError::Store(_))
            ) {
                stored = false;
            }
            let alarm = SystemAlarm::DeliveryChannelFailing {
                channel: format!("action/{}", action.name),
                reason: result
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            };
            let event = match (&result, self.mark_broken(&action.name, result.is_err())) {
                (Err(error), _) => {
                    tracing::error!(rule = %rule.name, action = %action.name, error = %error,
                        "the action could not be queued");
                    alarm.raise()
                }
                (Ok(()), true) => alarm.clear(),
                (Ok(()), false) => continue,
            };
            if let Err(error) = self.desk.apply(now(), event).await {
                tracing::error!(error = %error, "a system alarm could not be stored");
            }
        }
        stored
    }

    /// Records whether `action` is broken now; returns whether it was before.
    fn mark_broken(&self, action: &str, broken: bool) -> bool {
        let Ok(mut set) = self.broken_actions.lock() else {
            return false;
        };
        if broken {
            !set.insert(action.to_owned())
        } else {
            set.remove(action)
        }
    }

    /// Renders one action and stores it in the outbox; the worker delivers it.
    async fn perform(
        &self,
        action: &ActionSpec,
        context: &RenderContext,
        origin: Origin,
        snapshot: &Snapshot,
    ) -> Result<(), ResponseError> {
        let outgoing = render(action, context, snapshot.smtp.as_ref())?.with_origin(origin);
        self.outbox.enqueue(&outgoing).await?;
        Ok(())
    }

    /// Follows the worker's events: a notification abandoned raises the broken-channel alarm
    /// of its channel; the next delivery on that channel clears it.
    async fn watch(
        self: Arc<Self>,
        mut events: UnboundedReceiver<OutboxEvent>,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut failing: HashSet<String> = HashSet::new();
        // Channels that delivered since this process started: the first delivery clears an
        // alarm a previous run may have left open.
        let mut delivered: HashSet<String> = HashSet::new();
        loop {
            let event = tokio::select! {
                () = &mut shutdown => return,
                event = events.recv() => match event {
                    Some(event) => event,
                    None => return,
                },
            };
            match &event {
                OutboxEvent::Delivered { channel, .. } => self.record_attempt(channel, None),
                OutboxEvent::Retrying {
                    channel, failure, ..
                } => self.record_attempt(channel, Some(failure)),
                OutboxEvent::Failed {
                    channel,
                    reason: FailReason::Permanent(failure) | FailReason::GaveUp(failure),
                    ..
                } => self.record_attempt(channel, Some(failure)),
                _ => {}
            }
            let (channel, alarm) = match event {
                OutboxEvent::Failed {
                    channel, reason, ..
                } => {
                    let reason = match reason {
                        FailReason::Permanent(failure) | FailReason::GaveUp(failure) => {
                            format!("{}: {}", failure.kind(), failure.fix())
                        }
                        FailReason::Unreadable(why) => format!("unreadable notification: {why}"),
                    };
                    failing.insert(channel.clone());
                    let alarm = SystemAlarm::DeliveryChannelFailing {
                        channel: channel.clone(),
                        reason,
                    };
                    (channel, alarm.raise())
                }
                OutboxEvent::Delivered { channel, .. }
                    if failing.remove(&channel) | delivered.insert(channel.clone()) =>
                {
                    let alarm = SystemAlarm::DeliveryChannelFailing {
                        channel: channel.clone(),
                        reason: String::new(),
                    };
                    (channel, alarm.clear())
                }
                _ => continue,
            };
            if let Err(error) = self.desk.apply(now(), alarm).await {
                tracing::error!(channel = %channel, error = %error, "a system alarm could not be stored");
            }
        }
    }

    /// Raises an alarm for each trusted certificate that expires within 30 days of `now`;
    /// returns how many.
    pub async fn check_trust_expiry(&self, now: SystemTime) -> Result<usize, ResponseError> {
        let expiring: Vec<(String, SystemTime)> = self
            .trust_store()
            .expiring_before(now + EXPIRY_WARNING)
            .into_iter()
            .map(|c| (c.name.clone(), c.info.not_after))
            .collect();
        for (name, not_after) in &expiring {
            let alarm = SystemAlarm::TrustedCertificateExpiring {
                name: name.clone(),
                not_after: Timestamp::from_system_time(*not_after).to_string(),
            };
            self.desk
                .apply(Timestamp::from_system_time(now), alarm.raise())
                .await?;
        }
        Ok(expiring.len())
    }

    /// Sends `action` now with a sample linkDown alarm, through the real path but not the
    /// queue, and says what happened (see [`TestOutcome`]).
    pub async fn test_action(&self, action: &ActionSpec) -> TestOutcome {
        test::run(self, action).await
    }

    /// The SMTP settings in effect.
    pub fn smtp(&self) -> Option<SmtpSettings> {
        self.snapshot().smtp.clone()
    }

    /// The TLS policy of the SMTP relay in effect (versions, ciphers, the dangerous option,
    /// system roots); `None` while no relay is configured.
    pub fn smtp_tls(&self) -> Option<SmtpTlsSettings> {
        self.snapshot().smtp.as_ref().map(SmtpSettings::tls)
    }

    /// Replaces the SMTP relay's TLS policy, checked first (unknown cipher names, or no
    /// suite left for the versions allowed, change nothing), stores it with the password
    /// kept, and applies it to the next connection, queued messages included.
    pub async fn set_smtp_tls(&self, tls: SmtpTlsSettings) -> Result<SmtpSettings, ResponseError> {
        let mut settings = self.smtp().ok_or(ResponseError::NoSmtp)?;
        settings.set_tls(tls)?;
        self.store
            .save_smtp_settings(&settings, false, now())
            .await?;
        self.reload().await?;
        Ok(settings)
    }

    /// The per-channel rate limits the worker applies now (the SMTP relay's under
    /// [`SMTP_CHANNEL`]).
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The action named `name`, from the file or the API.
    pub fn action(&self, name: &str) -> Option<ActionSpec> {
        self.snapshot().actions.get(name).cloned()
    }

    /// Every action in effect, by name.
    pub fn actions(&self) -> Vec<ActionSpec> {
        let mut actions: Vec<ActionSpec> = self.snapshot().actions.values().cloned().collect();
        actions.sort_by(|a, b| a.name.cmp(&b.name));
        actions
    }

    /// Whether the configuration file defines the action `name` (read-only in the API).
    pub fn is_file_action(&self, name: &str) -> bool {
        self.config().actions.iter().any(|a| a.name == name)
    }

    /// Every device group in effect (the file's and the API's), by name.
    pub fn device_groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = self
            .snapshot()
            .groups
            .iter()
            .map(|(name, devices)| (name.clone(), devices.clone()))
            .collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        groups
    }

    /// Whether the configuration file defines the device group `name` (read-only in the
    /// API).
    pub fn is_file_group(&self, name: &str) -> bool {
        self.config().device_groups.iter().any(|(n, _)| n == name)
    }

    /// Every rule in effect, the file's first.
    pub fn rules(&self) -> Vec<RuleSpec> {
        self.snapshot().rules.clone()
    }

    /// A copy of the trust store.
    pub fn trust_store(&self) -> TrustStore {
        match self.trust.read() {
            Ok(trust) => trust.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Changes the trust store with `change`, then rebuilds the channels so the next
    /// connection trusts what it now holds.
    pub fn update_trust<T>(&self, change: impl FnOnce(&mut TrustStore) -> T) -> T {
        let out = match self.trust.write() {
            Ok(mut trust) => change(&mut trust),
            Err(poisoned) => change(&mut poisoned.into_inner()),
        };
        let snapshot = self.snapshot();
        self.channels.replace(self.build_channels(&snapshot));
        // A certificate imported may be what the relay's probe failed on.
        self.probe_now.notify_one();
        out
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The deliverer the worker uses (rebuilt by [`ResponseService::reload`]).
    pub fn channels(&self) -> &SharedChannels {
        &self.channels
    }

    /// Replaces the file's settings (a configuration reload) and applies them as
    /// [`ResponseService::reload`] does: rules, actions, device groups and the SMTP relay
    /// take effect for the next decision and the next delivery, messages already queued
    /// included. A new retry policy schedules the next retry; a message already waiting
    /// keeps the next attempt computed when it failed.
    pub async fn reconfigure(&self, config: ResponseConfig) -> Result<(), ResponseError> {
        self.retry.send_replace(config.retry);
        match self.config.write() {
            Ok(mut current) => *current = Arc::new(config),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(config),
        }
        self.reload().await
    }

    fn config(&self) -> Arc<ResponseConfig> {
        match self.config.read() {
            Ok(config) => Arc::clone(&config),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(snapshot) => Arc::clone(&snapshot),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn build_channels(&self, snapshot: &Snapshot) -> vigie_notify::Channels {
        let anchors = self.trust_store().anchors(false);
        let mut channels = vigie_notify::Channels::new();
        if let Some(smtp) = &snapshot.smtp {
            match smtp.to_config(&anchors) {
                Ok(config) => channels.insert(SMTP_CHANNEL, Channel::Smtp(Box::new(config))),
                Err(error) => tracing::error!(error = %error, "the SMTP settings are unusable"),
            }
        }
        for action in snapshot.actions.values() {
            if let Some(channel) = channel_config(action, &anchors) {
                channels.insert(channel_of(action), channel);
            }
        }
        channels
    }
}

/// The outbox channel of `action`: the SMTP relay for e-mail, its own otherwise.
pub fn channel_of(action: &ActionSpec) -> String {
    match &action.kind {
        ActionKind::Email(_) => SMTP_CHANNEL.to_owned(),
        kind => format!("{}/{}", kind.name(), action.name),
    }
}

/// The channel configuration a webhook, syslog or trap-forward action needs.
fn channel_config(action: &ActionSpec, anchors: &vigie_notify::TrustAnchors) -> Option<Channel> {
    match &action.kind {
        ActionKind::Webhook(hook) => {
            let mut config = WebhookConfig::new(&hook.url, hook.secret.clone());
            config.trust.certificates.clone_from(&anchors.certificates);
            config.dangerous_accept_invalid_certs = hook.dangerous_accept_invalid_certs;
            Some(Channel::Webhook(config))
        }
        ActionKind::Syslog(syslog) => {
            let mut config = SyslogConfig::new(&syslog.host, syslog.transport.to_notify());
            if let Some(port) = syslog.port {
                config.port = port;
            }
            config.trust.certificates.clone_from(&anchors.certificates);
            Some(Channel::Syslog(config))
        }
        ActionKind::TrapForward(forward) => {
            Some(Channel::Custom(Arc::new(ForwardChannel::new(forward))))
        }
        ActionKind::Email(_) => None,
    }
}

/// The outgoing notification of `action` for `context`.
pub fn render(
    action: &ActionSpec,
    context: &RenderContext,
    smtp: Option<&SmtpSettings>,
) -> Result<Outgoing, ResponseError> {
    Ok(match &action.kind {
        ActionKind::Email(email) => {
            let smtp = smtp.ok_or(ResponseError::NoSmtp)?;
            let subject =
                context.render_line(email.subject.as_deref().unwrap_or(render::DEFAULT_SUBJECT))?;
            let body = context.render(email.body.as_deref().unwrap_or(render::DEFAULT_BODY))?;
            let from = match &smtp.from_name {
                Some(name) => Mailbox::with_name(name, &smtp.from)?,
                None => Mailbox::new(&smtp.from)?,
            };
            let to = email
                .to
                .iter()
                .map(Mailbox::new)
                .collect::<Result<_, _>>()?;
            let mut message = Message::new(from, to, subject, body)?;
            message.cc = email
                .cc
                .iter()
                .map(Mailbox::new)
                .collect::<Result<_, _>>()?;
            Outgoing::email(SMTP_CHANNEL, message)
        }
        ActionKind::Webhook(_) => {
            let body = serde_json::to_string(context).map_err(|e| RenderError(e.to_string()))?;
            Outgoing::webhook(channel_of(action), body)
        }
        ActionKind::Syslog(syslog) => {
            let text = context
                .render_line(syslog.message.as_deref().unwrap_or(render::DEFAULT_SUBJECT))?;
            let severity = syslog_severity(context);
            let message = SyslogMessage::new(syslog.facility.min(23), severity, hostname(), text);
            message.encode()?;
            Outgoing::syslog(channel_of(action), message)
        }
        ActionKind::TrapForward(_) => Outgoing::custom(channel_of(action), forward::body(context)),
    })
}

/// RFC 5424 §6.2.1 severity of the batch's first alarm.
fn syslog_severity(context: &RenderContext) -> u8 {
    if context.first.status == "cleared" {
        return 5;
    }
    match context.first.severity.parse::<Severity>() {
        Ok(Severity::Critical) => 2,
        Ok(Severity::Major) => 3,
        Ok(Severity::Minor | Severity::Warning) => 4,
        Ok(Severity::Cleared) => 5,
        Ok(Severity::Info) | Err(_) => 6,
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "vigie".to_owned())
}

async fn sleep(wait: Option<Duration>) {
    if let Some(wait) = wait {
        tokio::time::sleep(wait).await;
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}
