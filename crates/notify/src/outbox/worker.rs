//! The delivery worker: takes due notifications from the outbox, respects the rate limits,
//! delivers through a [`Deliverer`], and records each attempt.

use crate::db::BeginWrite;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::{Entry, Notification, NotificationId, Outbox, OutboxError, from_ms, to_ms};
use crate::attempt_log::{AttemptOutcome, NewAttempt, insert_attempt};
use crate::custom::CustomFailure;
use crate::failure::DeliveryFailure;
use crate::ratelimit::{self, RateLimit};
use crate::syslog::SyslogFailure;
use crate::webhook::WebhookFailure;
use crate::with_pool;

/// What a relay or receiver answered to an accepted notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The SMTP reply code or HTTP status, if the protocol has one.
    pub code: Option<u16>,
    /// The reply, e.g. `250 2.0.0 Ok: queued as …` (SES puts its message ID here).
    pub detail: String,
}

/// Why a channel did not take a notification.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelFailure {
    /// The SMTP relay.
    #[error(transparent)]
    Smtp(#[from] DeliveryFailure),
    /// The webhook receiver.
    #[error(transparent)]
    Webhook(#[from] WebhookFailure),
    /// The syslog receiver.
    #[error(transparent)]
    Syslog(#[from] SyslogFailure),
    /// A channel the application supplies.
    #[error(transparent)]
    Custom(#[from] CustomFailure),
    /// No channel has this id.
    #[error("no channel named {0:?} is configured")]
    UnknownChannel(String),
    /// The channel cannot carry this kind of notification.
    #[error("channel {channel:?} cannot deliver a {payload} notification")]
    WrongChannelKind {
        /// The channel.
        channel: String,
        /// `email`, `webhook` or `syslog`.
        payload: &'static str,
    },
}

impl ChannelFailure {
    /// Whether retrying later can succeed without a change of configuration.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Smtp(failure) => failure.is_transient(),
            Self::Webhook(failure) => failure.is_transient(),
            Self::Syslog(failure) => failure.is_transient(),
            Self::Custom(failure) => failure.transient,
            Self::UnknownChannel(_) | Self::WrongChannelKind { .. } => false,
        }
    }

    /// A stable snake-case name of the classification.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Smtp(failure) => failure.kind(),
            Self::Webhook(failure) => failure.kind(),
            Self::Syslog(failure) => failure.kind(),
            Self::Custom(failure) => failure.kind,
            Self::UnknownChannel(_) => "unknown_channel",
            Self::WrongChannelKind { .. } => "wrong_channel_kind",
        }
    }

    /// What the operator should do.
    pub fn fix(&self) -> &str {
        match self {
            Self::Smtp(failure) => failure.fix(),
            Self::Webhook(failure) => failure.fix(),
            Self::Syslog(failure) => failure.fix(),
            Self::Custom(failure) => &failure.fix,
            Self::UnknownChannel(_) => {
                "The action names a channel that is not configured: configure it, or point the action at an existing one."
            }
            Self::WrongChannelKind { .. } => {
                "The action's kind does not match its channel's (e-mail to an SMTP relay, webhook to a URL, syslog to a receiver): correct the action."
            }
        }
    }

    /// The stage, as the troubleshooting log writes it.
    pub fn stage(&self) -> Option<String> {
        match self {
            Self::Smtp(failure) => failure.stage().map(|s| s.to_string()),
            Self::Webhook(failure) => failure.step().map(|s| s.to_string()),
            Self::Syslog(failure) => failure.step().map(|s| s.to_string()),
            Self::Custom(failure) => failure.stage.clone(),
            Self::UnknownChannel(_) | Self::WrongChannelKind { .. } => None,
        }
    }

    /// The SMTP reply code or HTTP status, the enhanced code, and the server's text.
    pub(crate) fn server_reply(&self) -> (Option<u16>, Option<String>, Option<String>) {
        match self {
            Self::Smtp(failure) => match failure.reply() {
                Some(reply) => (
                    Some(reply.code),
                    reply.enhanced.map(|e| e.to_string()),
                    Some(reply.text()),
                ),
                None => (None, None, None),
            },
            Self::Webhook(WebhookFailure::Status { status, body }) => {
                (Some(*status), None, Some(body.clone()))
            }
            _ => (None, None, None),
        }
    }
}

/// The result of one delivery attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The relay or receiver, `host:port` (or the URL), for the log.
    pub target: String,
    /// Accepted, or why not.
    pub result: Result<Accepted, ChannelFailure>,
}

/// Delivers one notification. The real implementation is [`super::Channels`]; tests
/// inject failures with their own.
pub trait Deliverer: Send + Sync {
    /// Makes one attempt. `now` is the outbox clock's time (webhooks sign it).
    fn deliver(
        &self,
        notification: &Notification,
        now: SystemTime,
    ) -> impl Future<Output = Attempt> + Send;
}

/// Why a notification was abandoned.
#[derive(Debug, Clone)]
pub enum FailReason {
    /// A permanent failure: the channel is broken until its configuration changes.
    Permanent(ChannelFailure),
    /// Transient failures went on past [`RetryPolicy::give_up_after`].
    GaveUp(ChannelFailure),
    /// The stored row cannot be read.
    Unreadable(String),
}

/// What the worker reports, for the manager's alarms and the API's live view.
#[derive(Debug, Clone)]
pub enum OutboxEvent {
    /// Accepted.
    Delivered {
        /// The notification.
        id: NotificationId,
        /// The channel.
        channel: String,
        /// The stable key (Message-ID).
        key: String,
        /// Which attempt succeeded, from 1.
        attempt: u32,
        /// The relay's or receiver's answer.
        accepted: Accepted,
    },
    /// A transient failure; the notification waits for its next attempt.
    Retrying {
        /// The notification.
        id: NotificationId,
        /// The channel.
        channel: String,
        /// Which attempt failed, from 1.
        attempt: u32,
        /// When the next attempt is due.
        next_attempt: SystemTime,
        /// What happened.
        failure: ChannelFailure,
    },
    /// Abandoned: the manager raises a "broken channel" alarm.
    Failed {
        /// The notification.
        id: NotificationId,
        /// The channel; empty when the row cannot be read.
        channel: String,
        /// Attempts made.
        attempts: u32,
        /// Why.
        reason: FailReason,
    },
}

/// Exponential back-off with jitter, and when to give up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The delay after the first failure.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
    /// The delay is multiplied by a random factor in `[1 - jitter, 1]` so that channels
    /// recovering together do not retry in lockstep; 0 to 1.
    pub jitter: f64,
    /// After this long since it was stored, a transient failure abandons the notification.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    /// 30 s, doubling up to 30 min, 20 % jitter, abandoned after 3 days.
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(30 * 60),
            jitter: 0.2,
            give_up_after: Duration::from_secs(3 * 86_400),
        }
    }
}

impl RetryPolicy {
    /// The delay after attempt `attempt` (from 1) failed, for a uniform `unit` in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let base = self
            .initial
            .checked_mul(1u32 << doublings.min(31))
            .unwrap_or(self.max)
            .min(self.max);
        let jitter = self.jitter.clamp(0.0, 1.0) * unit.clamp(0.0, 1.0);
        base.mul_f64(1.0 - jitter)
    }
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pass {
    /// Notifications accepted.
    pub delivered: u32,
    /// Transient failures, rescheduled.
    pub retried: u32,
    /// Notifications abandoned.
    pub failed: u32,
    /// Notifications held back by a rate limit.
    pub rate_limited: u32,
    /// When the next pending notification is due, if any.
    pub next_due: Option<SystemTime>,
}

/// How many due notifications one pass takes.
const BATCH: u32 = 100;
/// The longest sleep of [`Worker::run`] between passes when nothing is due: a bound on how
/// long a change made by another process to the database can go unnoticed.
const IDLE: Duration = Duration::from_secs(30);

/// The per-channel rate limits of a [`Worker`], shared so that they can change while it
/// runs.
#[derive(Debug, Clone, Default)]
pub struct RateLimits(Arc<RwLock<HashMap<String, RateLimit>>>);

impl RateLimits {
    /// Sets `channel`'s limit, or removes it with `None`.
    pub fn set(&self, channel: impl Into<String>, limit: Option<RateLimit>) {
        let mut limits = match self.0.write() {
            Ok(limits) => limits,
            Err(poisoned) => poisoned.into_inner(),
        };
        match limit {
            Some(limit) => limits.insert(channel.into(), limit),
            None => limits.remove(&channel.into()),
        };
    }

    /// `channel`'s limit, if any.
    pub fn get(&self, channel: &str) -> Option<RateLimit> {
        match self.0.read() {
            Ok(limits) => limits.get(channel).copied(),
            Err(poisoned) => poisoned.into_inner().get(channel).copied(),
        }
    }
}

/// Delivers the outbox's notifications.
pub struct Worker<D> {
    outbox: Outbox,
    deliverer: D,
    /// Read at each scheduling decision, so that a new policy applies to the next retry.
    retry: watch::Receiver<RetryPolicy>,
    limits: RateLimits,
    rng: Mutex<Box<dyn RngCore + Send>>,
    events: Option<UnboundedSender<OutboxEvent>>,
}

impl<D: fmt::Debug> fmt::Debug for Worker<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("outbox", &self.outbox)
            .field("deliverer", &self.deliverer)
            .field("retry", &*self.retry.borrow())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<D: Deliverer> Worker<D> {
    /// A worker with the default retry policy, no rate limit, and an OS-seeded jitter.
    pub fn new(outbox: Outbox, deliverer: D) -> Self {
        Self {
            outbox,
            deliverer,
            retry: watch::channel(RetryPolicy::default()).1,
            limits: RateLimits::default(),
            rng: Mutex::new(Box::new(StdRng::from_os_rng())),
            events: None,
        }
    }

    /// Sets the retry policy, fixed for the worker's life.
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = watch::channel(retry).1;
        self
    }

    /// Follows the policy `retry` holds: a value sent through its sender applies from the
    /// next scheduling decision, with no restart. A notification already waiting keeps the
    /// next attempt computed when it failed; its next failure is scheduled, or abandoned,
    /// under the new policy (`give_up_after` counts from when it was stored).
    #[must_use]
    pub fn with_retry_policy_updates(mut self, retry: watch::Receiver<RetryPolicy>) -> Self {
        self.retry = retry;
        self
    }

    /// The retry policy in force now.
    pub fn retry_policy(&self) -> RetryPolicy {
        *self.retry.borrow()
    }

    /// Limits `channel`'s rate.
    #[must_use]
    pub fn with_rate_limit(self, channel: impl Into<String>, limit: RateLimit) -> Self {
        self.limits.set(channel, Some(limit));
        self
    }

    /// Shares `limits`: a change made through it applies from the worker's next pass, with
    /// no restart (the windows already counted stay counted, in the outbox).
    #[must_use]
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The worker's rate limits, to change them while it runs.
    pub fn rate_limits(&self) -> RateLimits {
        self.limits.clone()
    }

    /// Uses `rng` for the jitter (a seeded one makes tests repeatable).
    #[must_use]
    pub fn with_rng(mut self, rng: impl RngCore + Send + 'static) -> Self {
        self.rng = Mutex::new(Box::new(rng));
        self
    }

    /// Sends every [`OutboxEvent`] to `events`.
    #[must_use]
    pub fn with_events(mut self, events: UnboundedSender<OutboxEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Runs passes until `shutdown` completes: after each pass, sleeps until the next
    /// notification is due, a new one is enqueued, or 30 s pass. Returns the first storage
    /// error; delivery failures never stop it.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), OutboxError> {
        tokio::pin!(shutdown);
        loop {
            let pass = self.run_once().await?;
            let now = self.outbox.clock().now();
            let wait = pass
                .next_due
                .map_or(IDLE, |due| due.duration_since(now).unwrap_or_default())
                .min(IDLE);
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = self.outbox.wake().notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Makes one attempt for every notification due now (up to 100), within the rate
    /// limits.
    pub async fn run_once(&self) -> Result<Pass, OutboxError> {
        let now = self.outbox.clock().now();
        // Channels are served concurrently, each in order: a relay that hangs until its
        // timeouts delays only its own notifications, and a channel's rate limit sees its
        // attempts one after the other.
        let mut by_channel: Vec<(Option<String>, Vec<Entry>)> = Vec::new();
        for entry in self.outbox.due(now, BATCH).await? {
            let channel = entry.notification.as_ref().ok().map(|n| n.channel.clone());
            match by_channel.iter_mut().find(|(c, _)| *c == channel) {
                Some((_, entries)) => entries.push(entry),
                None => by_channel.push((channel, vec![entry])),
            }
        }
        let passes = join_all(
            by_channel
                .into_iter()
                .map(|(_, entries)| self.serve_channel(entries))
                .collect(),
        )
        .await;
        let mut pass = Pass::default();
        for part in passes {
            let part = part?;
            pass.delivered += part.delivered;
            pass.retried += part.retried;
            pass.failed += part.failed;
            pass.rate_limited += part.rate_limited;
        }
        pass.next_due = self.outbox.next_due().await?;
        Ok(pass)
    }

    /// The due notifications of one channel, in order.
    async fn serve_channel(&self, entries: Vec<Entry>) -> Result<Pass, OutboxError> {
        let mut pass = Pass::default();
        for entry in entries {
            let notification = match &entry.notification {
                Ok(notification) => notification.clone(),
                Err(reason) => {
                    self.abandon_unreadable(&entry, reason).await?;
                    pass.failed += 1;
                    continue;
                }
            };
            let now = self.outbox.clock().now();
            if let Some(ready) = self.rate_limited(&notification.channel, now).await? {
                with_pool!(self.outbox.pool(), |pool| {
                    sqlx::query(
                        "UPDATE outbox_notifications SET next_attempt_ms = $1 WHERE id = $2",
                    )
                    .bind(to_ms(ready))
                    .bind(entry.id.0)
                    .execute(pool)
                    .await?;
                });
                pass.rate_limited += 1;
                continue;
            }
            match self.attempt(&entry, &notification, now).await? {
                AttemptOutcome::Delivered => pass.delivered += 1,
                AttemptOutcome::Retry => pass.retried += 1,
                AttemptOutcome::Failed => pass.failed += 1,
            }
        }
        Ok(pass)
    }

    /// When `channel` may send again, if a limit holds it back at `now`.
    async fn rate_limited(
        &self,
        channel: &str,
        now: SystemTime,
    ) -> Result<Option<SystemTime>, OutboxError> {
        let Some(limit) = self.limits.get(channel) else {
            return Ok(None);
        };
        let windows = [
            (limit.per_second, ratelimit::SECOND, false),
            (limit.per_day, ratelimit::DAY, true),
        ];
        let mut ready: Option<SystemTime> = None;
        for (count, window, delivered_only) in windows {
            let Some(count) = count else { continue };
            let since = now.checked_sub(window).map_or(0, to_ms);
            let sends: Vec<i64> = with_pool!(self.outbox.pool(), |pool| {
                sqlx::query_scalar(
                "SELECT at_ms FROM outbox_sends WHERE channel = $1 AND at_ms > $2 AND (NOT $3 OR delivered) ORDER BY at_ms DESC LIMIT $4",
            )
            .bind(channel)
            .bind(since)
            .bind(delivered_only)
            .bind(i64::from(count.max(1)))
            .fetch_all(pool)
            .await?
            });
            let sends: Vec<SystemTime> = sends.into_iter().map(from_ms).collect();
            if let Some(at) = ratelimit::ready_at(count, window, &sends, now) {
                ready = Some(ready.map_or(at, |r| r.max(at)));
            }
        }
        Ok(ready)
    }

    /// One attempt: in flight, deliver, record.
    async fn attempt(
        &self,
        entry: &Entry,
        notification: &Notification,
        now: SystemTime,
    ) -> Result<AttemptOutcome, OutboxError> {
        let attempt_number = entry.attempts.saturating_add(1);
        // In flight before the attempt: a crash from here on leaves a row that the next
        // `Outbox::open` makes pending again, so the attempt is retried (at-least-once).
        with_pool!(self.outbox.pool(), |pool| {
            sqlx::query(
                "UPDATE outbox_notifications SET state = 'in_flight', attempts = $1, updated_ms = $2 WHERE id = $3",
            )
            .bind(i64::from(attempt_number))
            .bind(to_ms(now))
            .bind(entry.id.0)
            .execute(pool)
            .await?;
        });
        let started = Instant::now();
        let attempt = self.deliverer.deliver(notification, now).await;
        let duration = started.elapsed();
        let finished = self.outbox.clock().now();

        let (outcome, next_attempt, event) = match &attempt.result {
            Ok(accepted) => (
                AttemptOutcome::Delivered,
                finished,
                OutboxEvent::Delivered {
                    id: entry.id,
                    channel: notification.channel.clone(),
                    key: notification.key.clone(),
                    attempt: attempt_number,
                    accepted: accepted.clone(),
                },
            ),
            Err(failure) if failure.is_transient() => {
                let age = finished.duration_since(entry.created).unwrap_or_default();
                let retry = self.retry_policy();
                if age >= retry.give_up_after {
                    (
                        AttemptOutcome::Failed,
                        finished,
                        self.failed(
                            entry,
                            notification,
                            attempt_number,
                            FailReason::GaveUp(failure.clone()),
                        ),
                    )
                } else {
                    let unit = match self.rng.lock() {
                        Ok(mut rng) => rng.random::<f64>(),
                        Err(_) => 0.5,
                    };
                    let next = finished + retry.delay(attempt_number, unit);
                    (
                        AttemptOutcome::Retry,
                        next,
                        OutboxEvent::Retrying {
                            id: entry.id,
                            channel: notification.channel.clone(),
                            attempt: attempt_number,
                            next_attempt: next,
                            failure: failure.clone(),
                        },
                    )
                }
            }
            Err(failure) => (
                AttemptOutcome::Failed,
                finished,
                self.failed(
                    entry,
                    notification,
                    attempt_number,
                    FailReason::Permanent(failure.clone()),
                ),
            ),
        };

        let (code, enhanced_code, server_text) = match &attempt.result {
            Ok(accepted) => (
                accepted.code,
                None,
                Some(accepted.detail.clone()).filter(|d| !d.is_empty()),
            ),
            Err(failure) => failure.server_reply(),
        };
        let failure = attempt.result.as_ref().err();
        let record = NewAttempt {
            notification_id: entry.id.0,
            attempt: attempt_number,
            at_ms: to_ms(now),
            channel: notification.channel.clone(),
            kind: notification.payload.kind(),
            action: notification.origin.action.clone(),
            rule: notification.origin.rule.clone(),
            alarm_id: notification.origin.alarm_id.clone(),
            target: attempt.target.clone(),
            stage: failure.and_then(ChannelFailure::stage),
            code,
            enhanced_code,
            server_text,
            classification: failure.map(|f| f.kind().to_owned()),
            fix: failure.map(|f| f.fix().to_owned()),
            detail: failure.map(ToString::to_string),
            duration,
            outcome,
        };
        let state = match outcome {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Retry => "pending",
            AttemptOutcome::Failed => "failed",
        };
        with_pool!(self.outbox.pool(), |pool| {
            let mut transaction = pool.begin_write().await?;
            sqlx::query(
            "UPDATE outbox_notifications SET state = $1, next_attempt_ms = $2, updated_ms = $3, last_error = $4 WHERE id = $5",
        )
        .bind(state)
        .bind(to_ms(next_attempt))
        .bind(to_ms(finished))
        .bind(&record.detail)
        .bind(entry.id.0)
        .execute(&mut *transaction)
        .await?;
            sqlx::query("INSERT INTO outbox_sends (channel, at_ms, delivered) VALUES ($1, $2, $3)")
                .bind(&notification.channel)
                .bind(to_ms(now))
                .bind(outcome == AttemptOutcome::Delivered)
                .execute(&mut *transaction)
                .await?;
            // The day window is the longest any limit looks back.
            sqlx::query(PRUNE_SENDS)
                .bind(now.checked_sub(ratelimit::DAY).map_or(0, to_ms))
                .execute(&mut *transaction)
                .await?;
            insert_attempt!(transaction, &record, self.outbox.log_capacity());
            transaction.commit().await?;
        });
        self.emit(event);
        Ok(outcome)
    }

    fn failed(
        &self,
        entry: &Entry,
        notification: &Notification,
        attempts: u32,
        reason: FailReason,
    ) -> OutboxEvent {
        OutboxEvent::Failed {
            id: entry.id,
            channel: notification.channel.clone(),
            attempts,
            reason,
        }
    }

    async fn abandon_unreadable(&self, entry: &Entry, reason: &str) -> Result<(), OutboxError> {
        let now = to_ms(self.outbox.clock().now());
        let channel: Option<String> = with_pool!(self.outbox.pool(), |pool| {
            sqlx::query(
                "UPDATE outbox_notifications SET state = 'failed', updated_ms = $1, last_error = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(format!("unreadable stored notification: {reason}"))
            .bind(entry.id.0)
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT channel FROM outbox_notifications WHERE id = $1")
                .bind(entry.id.0)
                .fetch_optional(pool)
                .await?
        });
        self.emit(OutboxEvent::Failed {
            id: entry.id,
            channel: channel.unwrap_or_default(),
            attempts: entry.attempts,
            reason: FailReason::Unreadable(reason.to_owned()),
        });
        Ok(())
    }

    fn emit(&self, event: OutboxEvent) {
        if let Some(events) = &self.events {
            // A dropped receiver means nobody listens any more; delivery goes on.
            let _ = events.send(event);
        }
    }
}

/// Runs `futures` concurrently on the current task and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            // A finished future is never polled again.
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Forgets the sends older than the longest rate-limit window, at each delivery: a range of
/// the `outbox_sends_at` index, whatever the table holds.
const PRUNE_SENDS: &str = "DELETE FROM outbox_sends WHERE at_ms < $1";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Stage;
    use crate::outbox::{Clock, ManualClock, State};

    /// Fails every attempt with a transient failure.
    struct AlwaysTransient;

    impl Deliverer for AlwaysTransient {
        async fn deliver(&self, notification: &Notification, _now: SystemTime) -> Attempt {
            Attempt {
                target: notification.channel.clone(),
                result: Err(ChannelFailure::Smtp(DeliveryFailure::TimedOut {
                    stage: Stage::Greeting,
                })),
            }
        }
    }

    fn policy(initial: u64, max: u64, give_up_after: u64) -> RetryPolicy {
        RetryPolicy {
            initial: Duration::from_secs(initial),
            max: Duration::from_secs(max),
            jitter: 0.0,
            give_up_after: Duration::from_secs(give_up_after),
        }
    }

    /// An outbox in a temporary directory (kept alive by the first value), on a manual clock.
    async fn outbox_with_clock() -> (tempfile::TempDir, Outbox, ManualClock) {
        let dir = tempfile::tempdir().expect("test dir");
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let outbox = Outbox::open(dir.path().join("outbox.db"))
            .await
            .expect("test database")
            .with_clock(Arc::new(clock.clone()));
        (dir, outbox, clock)
    }

    #[tokio::test]
    async fn a_changed_policy_schedules_the_next_retry() {
        let (_dir, outbox, clock) = outbox_with_clock().await;
        let (policy_tx, policy_rx) = watch::channel(policy(10, 60, 3600));
        let worker =
            Worker::new(outbox.clone(), AlwaysTransient).with_retry_policy_updates(policy_rx);
        let id = outbox
            .enqueue(&Notification::webhook("hooks", "{}"))
            .await
            .expect("enqueue")
            .id;

        let start = clock.now();
        let pass = worker.run_once().await.expect("pass");
        assert_eq!(pass.next_due, Some(start + Duration::from_secs(10)));

        // The waiting notification keeps its next attempt; the failure after it follows
        // the new policy (attempt 2: 100 s doubled).
        policy_tx.send_replace(policy(100, 1000, 3600));
        assert_eq!(worker.retry_policy(), policy(100, 1000, 3600));
        let waiting = outbox.get(id).await.expect("get").expect("stored");
        assert_eq!(waiting.next_attempt, start + Duration::from_secs(10));
        clock.advance(Duration::from_secs(10));
        let pass = worker.run_once().await.expect("pass");
        assert_eq!(pass.retried, 1);
        assert_eq!(pass.next_due, Some(clock.now() + Duration::from_secs(200)));

        // A shorter retry period abandons it at its next failure.
        policy_tx.send_replace(policy(100, 1000, 60));
        clock.advance(Duration::from_secs(200));
        let pass = worker.run_once().await.expect("pass");
        assert_eq!(pass.failed, 1);
        let entry = outbox.get(id).await.expect("get").expect("stored");
        assert_eq!(entry.state, State::Failed);
        assert_eq!(entry.attempts, 3);
    }

    #[test]
    fn back_off_doubles_up_to_the_maximum_and_jitter_only_shortens() {
        let policy = RetryPolicy {
            initial: Duration::from_secs(10),
            max: Duration::from_secs(60),
            jitter: 0.5,
            give_up_after: Duration::from_secs(3600),
        };
        assert_eq!(policy.delay(1, 0.0), Duration::from_secs(10));
        assert_eq!(policy.delay(2, 0.0), Duration::from_secs(20));
        assert_eq!(policy.delay(3, 0.0), Duration::from_secs(40));
        assert_eq!(policy.delay(4, 0.0), Duration::from_secs(60));
        assert_eq!(policy.delay(1000, 0.0), Duration::from_secs(60));
        assert_eq!(policy.delay(2, 1.0), Duration::from_secs(10));
        assert_eq!(policy.delay(2, 0.5), Duration::from_secs(15));
    }

    #[tokio::test]
    async fn pruning_the_sends_reads_an_index_not_the_table() {
        let dir = tempfile::tempdir().expect("test dir");
        let outbox = Outbox::open(dir.path().join("outbox.db"))
            .await
            .expect("test database");
        let pool = outbox.pool().sqlite().expect("a SQLite outbox");
        let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {PRUNE_SENDS}"))
            .bind(0_i64)
            .fetch_all(pool)
            .await
            .expect("query plan");
        let plan: Vec<String> = rows
            .iter()
            .map(|row| sqlx::Row::get::<String, _>(row, "detail"))
            .collect();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX outbox_sends_at")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN")),
            "{plan:?}"
        );
    }

    /// Accepts what goes to the channel `ok`, fails the rest transiently.
    struct AcceptsOk;

    impl Deliverer for AcceptsOk {
        async fn deliver(&self, notification: &Notification, now: SystemTime) -> Attempt {
            if notification.channel == "ok" {
                Attempt {
                    target: notification.channel.clone(),
                    result: Ok(Accepted {
                        code: Some(200),
                        detail: "200 OK".to_owned(),
                    }),
                }
            } else {
                AlwaysTransient.deliver(notification, now).await
            }
        }
    }

    #[tokio::test]
    async fn pruning_deletes_finished_notifications_only() {
        let (_dir, outbox, clock) = outbox_with_clock().await;
        for (channel, body) in [("ok", "a"), ("ok", "b"), ("down", "c")] {
            outbox
                .enqueue(&Notification::webhook(channel, body))
                .await
                .expect("enqueue");
        }
        let worker = Worker::new(outbox.clone(), AcceptsOk).with_retry_policy(policy(10, 60, 3600));
        let pass = worker.run_once().await.expect("pass");
        assert_eq!((pass.delivered, pass.retried), (2, 1));
        clock.advance(Duration::from_secs(100));
        outbox
            .enqueue(&Notification::webhook("ok", "d"))
            .await
            .expect("enqueue");
        worker.run_once().await.expect("pass");

        // Finished 100 s ago, or just now: an age of 50 s takes the first two. One row per
        // transaction: the batches loop until a short one.
        let pruned = outbox
            .prune_finished(Duration::from_secs(50), 1)
            .await
            .expect("prune");
        assert_eq!(pruned, 2);
        let left: Vec<(String, State)> = outbox
            .entries(None)
            .await
            .expect("entries")
            .into_iter()
            .map(|entry| (entry.notification.expect("readable").channel, entry.state))
            .collect();
        assert_eq!(
            left,
            [
                ("down".to_owned(), State::Pending),
                ("ok".to_owned(), State::Delivered)
            ],
            "the pending one stays whatever its age, the recent delivered one stays"
        );
        assert_eq!(
            outbox
                .prune_finished(Duration::from_secs(50), 1)
                .await
                .expect("prune"),
            0
        );
    }
}
