//! The durable outbox: every notification is written to `SQLite` before any attempt, and a
//! [`Worker`] delivers it at least once, retrying transient failures with exponential
//! back-off and jitter, abandoning permanent ones with an [`OutboxEvent::Failed`] (the
//! manager raises its "broken channel" alarm on it), within per-channel [`RateLimit`]s.
//!
//! Delivery is at-least-once: a crash between the relay's acceptance and the database update
//! sends again after the restart. Each notification keeps a stable key (an e-mail's
//! Message-ID, a webhook's `X-Vigie-Delivery`), so a duplicate is recognisable.
//!
//! The tables are prefixed `outbox_` and the migrations numbered from 1000, so the outbox can
//! live in the manager's own database file ([`Outbox::from_pool`]).

mod channels;
mod clock;
mod stored;
mod worker;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::db::{DbRow, Pool};
use crate::with_pool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use tokio::sync::Notify;

pub use channels::{Channel, Channels};
pub use clock::{Clock, ManualClock, SystemClock};
pub use worker::{
    Accepted, Attempt, ChannelFailure, Deliverer, FailReason, OutboxEvent, Pass, RateLimits,
    RetryPolicy, Worker,
};

use crate::attempt_log::{self, AttemptQuery, AttemptRecord};
use crate::message::Message;
use crate::syslog::SyslogMessage;

/// A storage failure of the outbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The database failed.
    #[error("outbox database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("outbox migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The payload cannot be stored.
    #[error("the notification cannot be stored: {0}")]
    Encode(#[from] serde_json::Error),
}

/// What to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// An e-mail through the channel's SMTP relay.
    Email(Message),
    /// A JSON document sent by POST to the channel's webhook receiver.
    Webhook {
        /// The JSON text.
        body: String,
    },
    /// A syslog message to the channel's receiver.
    Syslog(SyslogMessage),
    /// Text for a [`crate::CustomChannel`], which alone knows what it means.
    Custom {
        /// The text, stored as is (no secret belongs in it).
        body: String,
    },
}

impl Payload {
    /// `email`, `webhook` or `syslog`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Webhook { .. } => "webhook",
            Self::Syslog(_) => "syslog",
            Self::Custom { .. } => "custom",
        }
    }
}

/// Where a notification comes from, for the troubleshooting log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The action's name.
    pub action: Option<String>,
    /// The rule's name.
    pub rule: Option<String>,
    /// The alarm's id.
    pub alarm_id: Option<String>,
}

/// A notification to deliver through a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The channel's id: the key of its configuration in [`Channels`] (the configuration,
    /// with its credentials, is never stored in the outbox).
    pub channel: String,
    /// The stable identity, the same on every attempt: the Message-ID of an e-mail, a
    /// generated id otherwise. Enqueueing a key already stored does nothing.
    pub key: String,
    /// Where it comes from.
    pub origin: Origin,
    /// What to deliver.
    pub payload: Payload,
}

/// Makes generated keys unique within a process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

fn fresh_key() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}.{:x}.{sequence:x}@vigie", std::process::id())
}

impl Notification {
    /// An e-mail, keyed by its Message-ID.
    pub fn email(channel: impl Into<String>, message: Message) -> Self {
        Self {
            channel: channel.into(),
            key: message.message_id.clone(),
            origin: Origin::default(),
            payload: Payload::Email(message),
        }
    }

    /// A webhook with a fresh delivery id.
    pub fn webhook(channel: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            channel: channel.into(),
            key: fresh_key(),
            origin: Origin::default(),
            payload: Payload::Webhook { body: body.into() },
        }
    }

    /// A syslog message with a fresh key.
    pub fn syslog(channel: impl Into<String>, message: SyslogMessage) -> Self {
        Self {
            channel: channel.into(),
            key: fresh_key(),
            origin: Origin::default(),
            payload: Payload::Syslog(message),
        }
    }

    /// A notification for a [`crate::CustomChannel`], with a fresh key.
    pub fn custom(channel: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            channel: channel.into(),
            key: fresh_key(),
            origin: Origin::default(),
            payload: Payload::Custom { body: body.into() },
        }
    }

    /// Sets where it comes from.
    #[must_use]
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }
}

/// The state of a stored notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt is under way (after a crash, it is pending again).
    InFlight,
    /// Accepted by the relay or receiver.
    Delivered,
    /// Abandoned: a permanent failure, or the retry period ran out.
    Failed,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

impl FromStr for State {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        Ok(match text {
            "pending" => Self::Pending,
            "in_flight" => Self::InFlight,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => return Err(()),
        })
    }
}

/// A notification's id in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(pub i64);

/// A stored notification and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its id.
    pub id: NotificationId,
    /// The notification; `Err` with the reason when the stored row cannot be read.
    pub notification: Result<Notification, String>,
    /// The state.
    pub state: State,
    /// Attempts started so far.
    pub attempts: u32,
    /// When the next attempt is due (pending notifications).
    pub next_attempt: SystemTime,
    /// When it was stored.
    pub created: SystemTime,
    /// The last failure, as one sentence.
    pub last_error: Option<String>,
}

/// Whether [`Outbox::enqueue`] stored a new notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    /// The notification's id (the existing one for a known key).
    pub id: NotificationId,
    /// `false` when the key was already stored.
    pub new: bool,
}

/// Milliseconds since the Unix epoch, saturating.
pub(crate) fn to_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// The instant of `ms` milliseconds since the Unix epoch (negative values are the epoch).
pub(crate) fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// The durable outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    pool: Pool,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    log_capacity: u32,
}

impl Outbox {
    /// Opens (creating it if needed) the `SQLite` database at `path`, brings the outbox's
    /// tables up to date, and makes notifications left in flight by a crash pending again.
    ///
    /// Open the outbox once per process, before its [`Worker`] starts, and clone it: a
    /// second open while an attempt is in flight would make that notification pending again
    /// and send it twice.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, OutboxError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A notification is stored before it is sent: its commit must be on disk.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let pool = crate::db::sqlite_pool_options(4)
            .connect_with(options)
            .await?;
        Self::from_pool(Pool::Sqlite(pool)).await
    }

    /// Uses an existing pool (the manager's database, SQLite or PostgreSQL): runs the
    /// outbox's migrations, which ignore the manager's, and recovers notifications left in
    /// flight.
    pub async fn from_pool(pool: impl Into<Pool>) -> Result<Self, OutboxError> {
        let pool = pool.into();
        migrate(&pool).await?;
        with_pool!(&pool, |p| {
            sqlx::query(
                "UPDATE outbox_notifications SET state = 'pending' WHERE state = 'in_flight'",
            )
            .execute(p)
            .await?;
        });
        Ok(Self {
            pool,
            clock: Arc::new(SystemClock),
            wake: Arc::new(Notify::new()),
            log_capacity: 100_000,
        })
    }

    /// Uses `clock` instead of the system's.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps at most `rows` attempt records (100,000 by default), deleting the oldest.
    #[must_use]
    pub fn with_log_capacity(mut self, rows: u32) -> Self {
        self.log_capacity = rows;
        self
    }

    /// The database pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The outbox's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Stores `notification`, due now, and wakes the worker. A key already stored is not
    /// stored again.
    pub async fn enqueue(&self, notification: &Notification) -> Result<Enqueued, OutboxError> {
        let now = to_ms(self.clock.now());
        let payload = stored::encode(&notification.payload)?;
        let inserted: Option<i64> = with_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "INSERT INTO outbox_notifications (channel, kind, dedup_key, action, rule, alarm_id, payload, state, attempts, next_attempt_ms, created_ms, updated_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9, $10)
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            )
            .bind(&notification.channel)
            .bind(notification.payload.kind())
            .bind(&notification.key)
            .bind(&notification.origin.action)
            .bind(&notification.origin.rule)
            .bind(&notification.origin.alarm_id)
            .bind(&payload)
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        let new = inserted.is_some();
        let id = match inserted {
            Some(id) => id,
            None => with_pool!(&self.pool, |pool| {
                sqlx::query_scalar("SELECT id FROM outbox_notifications WHERE dedup_key = $1")
                    .bind(&notification.key)
                    .fetch_one(pool)
                    .await?
            }),
        };
        if new {
            self.wake.notify_one();
        }
        Ok(Enqueued {
            id: NotificationId(id),
            new,
        })
    }

    /// The notification `id`.
    pub async fn get(&self, id: NotificationId) -> Result<Option<Entry>, OutboxError> {
        with_pool!(&self.pool, |pool| {
            let row = sqlx::query(&format!("{SELECT_ENTRY} WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            row.map(|row| entry(&row)).transpose()
        })
    }

    /// Every notification in `state` (all when `None`), oldest first.
    pub async fn entries(&self, state: Option<State>) -> Result<Vec<Entry>, OutboxError> {
        with_pool!(&self.pool, |pool| {
            let rows = sqlx::query(&format!(
                "{SELECT_ENTRY} WHERE ($1 IS NULL OR state = $1) ORDER BY id"
            ))
            .bind(state.map(State::as_str))
            .fetch_all(pool)
            .await?;
            rows.iter().map(entry).collect()
        })
    }

    /// Deletes the delivered and abandoned notifications last changed more than `age` ago
    /// (by the outbox's clock, which stamped them), in transactions of at most `batch` rows,
    /// so that the outbox holds a retention period of finished notifications rather than all
    /// of them; pending and in-flight ones stay, whatever their age. Returns how many were
    /// deleted.
    pub async fn prune_finished(&self, age: Duration, batch: u32) -> Result<u64, OutboxError> {
        let cutoff = to_ms(self.clock.now().checked_sub(age).unwrap_or(UNIX_EPOCH));
        let batch = i64::from(batch.max(1));
        let mut pruned = 0;
        loop {
            // No ORDER BY: each batch takes the first matching rows of the state index
            // instead of sorting every finished notification first.
            let deleted = with_pool!(&self.pool, |pool| {
                sqlx::query(
                    "DELETE FROM outbox_notifications WHERE id IN (SELECT id FROM \
                     outbox_notifications WHERE state IN ('delivered', 'failed') \
                     AND updated_ms < $1 LIMIT $2)",
                )
                .bind(cutoff)
                .bind(batch)
                .execute(pool)
                .await?
                .rows_affected()
            });
            pruned += deleted;
            if deleted < batch.unsigned_abs() {
                return Ok(pruned);
            }
        }
    }

    /// Makes a failed notification pending again, due now (after the channel was fixed).
    /// Returns whether it was failed.
    pub async fn retry_failed(&self, id: NotificationId) -> Result<bool, OutboxError> {
        let now = to_ms(self.clock.now());
        let done = with_pool!(&self.pool, |pool| {
            sqlx::query(
            "UPDATE outbox_notifications SET state = 'pending', next_attempt_ms = $1, created_ms = $2, updated_ms = $3 WHERE id = $4 AND state = 'failed'",
        )
        .bind(now)
        .bind(now)
        .bind(now)
        .bind(id.0)
        .execute(pool)
        .await?
        .rows_affected()
        });
        let retried = done == 1;
        if retried {
            self.wake.notify_one();
        }
        Ok(retried)
    }

    /// The troubleshooting log: attempt records matching `query`, newest first.
    pub async fn attempts(&self, query: &AttemptQuery) -> Result<Vec<AttemptRecord>, OutboxError> {
        attempt_log::query(&self.pool, query).await
    }

    /// Pending notifications due at `now`, oldest due first.
    pub(crate) async fn due(&self, now: SystemTime, limit: u32) -> Result<Vec<Entry>, OutboxError> {
        with_pool!(&self.pool, |pool| {
            let rows = sqlx::query(&format!(
                "{SELECT_ENTRY} WHERE state = 'pending' AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, id LIMIT $2"
            ))
            .bind(to_ms(now))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter().map(entry).collect()
        })
    }

    /// When the next pending notification is due.
    pub(crate) async fn next_due(&self) -> Result<Option<SystemTime>, OutboxError> {
        let next: Option<i64> = with_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(next_attempt_ms) FROM outbox_notifications WHERE state = 'pending'",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(next.map(from_ms))
    }

    pub(crate) fn wake(&self) -> &Notify {
        &self.wake
    }

    pub(crate) fn log_capacity(&self) -> u32 {
        self.log_capacity
    }
}

/// Brings the outbox's tables up to date: versions from 1000, so they never collide with
/// the manager's migrations in a shared database, whose rows this migrator ignores. Each
/// backend has its own copy of the schema, numbered alike.
pub(crate) async fn migrate(pool: &Pool) -> Result<(), OutboxError> {
    match pool {
        Pool::Sqlite(pool) => {
            let mut migrator = sqlx::migrate!("./migrations");
            migrator.set_ignore_missing(true);
            migrator.run(pool).await?;
        }
        Pool::Postgres(pool) => {
            let mut migrator = sqlx::migrate!("./migrations-postgres");
            migrator.set_ignore_missing(true);
            migrator.run(pool).await?;
        }
    }
    Ok(())
}

const SELECT_ENTRY: &str = "SELECT id, channel, kind, dedup_key, action, rule, alarm_id, payload, state, attempts, next_attempt_ms, created_ms, last_error FROM outbox_notifications";

fn entry(row: &impl DbRow) -> Result<Entry, OutboxError> {
    let payload: String = row.try_get("payload")?;
    let state: String = row.try_get("state")?;
    let notification = stored::decode(&payload).map(|payload| Notification {
        channel: row.try_get("channel").unwrap_or_default(),
        key: row.try_get("dedup_key").unwrap_or_default(),
        origin: Origin {
            action: row.try_get("action").unwrap_or_default(),
            rule: row.try_get("rule").unwrap_or_default(),
            alarm_id: row.try_get("alarm_id").unwrap_or_default(),
        },
        payload,
    });
    Ok(Entry {
        id: NotificationId(row.try_get("id")?),
        notification,
        // An unknown state (a row edited by hand) is treated as failed: never sent again
        // without an explicit retry.
        state: state.parse().unwrap_or(State::Failed),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        next_attempt: from_ms(row.try_get("next_attempt_ms")?),
        created: from_ms(row.try_get("created_ms")?),
        last_error: row.try_get("last_error")?,
    })
}
