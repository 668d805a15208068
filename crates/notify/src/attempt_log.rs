//! The troubleshooting log: one structured record per delivery attempt, in the outbox's
//! database (table `outbox_attempts`).
//!
//! The database rather than a JSON-lines file: the API and `vigie log actions` filter it (by
//! action, by channel, failures only, last N) with an indexed query instead of scanning
//! files; the record is written in the same transaction as the outbox state it explains, so
//! the two never disagree after a crash; and rotation is a row cap
//! ([`crate::Outbox::with_log_capacity`]) that deletes the oldest rows, with no file
//! renaming to get wrong.
//!
//! A record holds what the relay or receiver said and how vigie classified it, never a
//! credential: the password and the webhook secret live in the channel configuration, which
//! is not stored here.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use crate::db::{DbRow, Pool};
use crate::with_pool;

use crate::outbox::{Attempt, ChannelFailure, Origin, OutboxError, to_ms};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The relay or receiver accepted the notification.
    Delivered,
    /// A transient failure: the notification will be tried again.
    Retry,
    /// A permanent failure, or the retry period ran out: the notification is abandoned.
    Failed,
}

impl AttemptOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Retry => "retry",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "delivered" => Self::Delivered,
            "retry" => Self::Retry,
            _ => Self::Failed,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    /// The record's id, increasing.
    pub id: i64,
    /// The notification of the outbox.
    pub notification_id: i64,
    /// 1 for the first attempt of the notification.
    pub attempt: u32,
    /// When the attempt started, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The channel.
    pub channel: String,
    /// `email`, `webhook` or `syslog`.
    pub kind: String,
    /// The action that produced the notification.
    pub action: Option<String>,
    /// The rule that triggered the action.
    pub rule: Option<String>,
    /// The alarm.
    pub alarm_id: Option<String>,
    /// The relay or receiver, `host:port`.
    pub target: String,
    /// Where it failed (SMTP: connect, TLS, AUTH, MAIL, RCPT, DATA…; others: connect, TLS,
    /// send, response).
    pub stage: Option<String>,
    /// The SMTP reply code or HTTP status.
    pub smtp_code: Option<u16>,
    /// The enhanced status code (RFC 3463), e.g. `5.7.8`.
    pub enhanced_code: Option<String>,
    /// What the server said.
    pub server_text: Option<String>,
    /// The classification (`DeliveryFailure::kind` and its webhook and syslog peers).
    pub classification: Option<String>,
    /// The fix for the operator.
    pub fix: Option<String>,
    /// The failure as one sentence.
    pub detail: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
    /// How it ended.
    pub outcome: AttemptOutcome,
}

/// Which records to read; the default is the last 100 of every kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptQuery {
    /// At most this many, newest first.
    pub limit: u32,
    /// Only this action's.
    pub action: Option<String>,
    /// Only this channel's.
    pub channel: Option<String>,
    /// Only this notification's.
    pub notification_id: Option<i64>,
    /// Only attempts that did not deliver.
    pub failures_only: bool,
}

impl Default for AttemptQuery {
    fn default() -> Self {
        Self {
            limit: 100,
            action: None,
            channel: None,
            notification_id: None,
            failures_only: false,
        }
    }
}

/// What the worker writes; the id is given by the database.
#[derive(Debug, Clone)]
pub(crate) struct NewAttempt {
    pub(crate) notification_id: i64,
    pub(crate) attempt: u32,
    pub(crate) at_ms: i64,
    pub(crate) channel: String,
    pub(crate) kind: &'static str,
    pub(crate) action: Option<String>,
    pub(crate) rule: Option<String>,
    pub(crate) alarm_id: Option<String>,
    pub(crate) target: String,
    pub(crate) stage: Option<String>,
    pub(crate) code: Option<u16>,
    pub(crate) enhanced_code: Option<String>,
    pub(crate) server_text: Option<String>,
    pub(crate) classification: Option<String>,
    pub(crate) fix: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) duration: Duration,
    pub(crate) outcome: AttemptOutcome,
}

/// Inserts the [`NewAttempt`] `$record` through `$connection` (a connection or transaction
/// of either backend, inside [`with_pool!`](crate::with_pool)), deletes the oldest records
/// beyond `$capacity`, and evaluates to the new record's id.
macro_rules! insert_attempt {
    ($connection:expr, $record:expr, $capacity:expr) => {{
        let record: &$crate::attempt_log::NewAttempt = $record;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox_attempts (notification_id, attempt, at_ms, channel, kind, action, rule, alarm_id, target, stage, smtp_code, enhanced_code, server_text, classification, fix, detail, duration_ms, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(record.notification_id)
        .bind(i64::from(record.attempt))
        .bind(record.at_ms)
        .bind(&record.channel)
        .bind(record.kind)
        .bind(&record.action)
        .bind(&record.rule)
        .bind(&record.alarm_id)
        .bind(&record.target)
        .bind(&record.stage)
        .bind(record.code.map(i64::from))
        .bind(&record.enhanced_code)
        .bind(&record.server_text)
        .bind(&record.classification)
        .bind(&record.fix)
        .bind(&record.detail)
        .bind(i64::try_from(record.duration.as_millis()).unwrap_or(i64::MAX))
        .bind(record.outcome.as_str())
        .fetch_one(&mut *$connection)
        .await?;
        sqlx::query("DELETE FROM outbox_attempts WHERE id <= $1 - $2")
            .bind(id)
            .bind(i64::from($capacity))
            .execute(&mut *$connection)
            .await?;
        id
    }};
}

pub(crate) use insert_attempt;

/// Reads records matching `query`, newest first.
pub(crate) async fn query(
    pool: &Pool,
    query: &AttemptQuery,
) -> Result<Vec<AttemptRecord>, OutboxError> {
    with_pool!(pool, |pool| {
        let rows = sqlx::query(
        "SELECT id, notification_id, attempt, at_ms, channel, kind, action, rule, alarm_id, target, stage, smtp_code, enhanced_code, server_text, classification, fix, detail, duration_ms, outcome
         FROM outbox_attempts
         WHERE ($1 IS NULL OR action = $1)
           AND ($2 IS NULL OR channel = $2)
           AND ($3 IS NULL OR notification_id = $3)
           AND (NOT $4 OR outcome <> 'delivered')
         ORDER BY id DESC LIMIT $5",
    )
    .bind(&query.action)
    .bind(&query.channel)
    .bind(query.notification_id)
    .bind(query.failures_only)
    .bind(i64::from(query.limit))
    .fetch_all(pool)
    .await?;
        records(&rows)
    })
}

fn records(rows: &[impl DbRow]) -> Result<Vec<AttemptRecord>, OutboxError> {
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let code: Option<i64> = row.try_get("smtp_code")?;
        let outcome: String = row.try_get("outcome")?;
        records.push(AttemptRecord {
            id: row.try_get("id")?,
            notification_id: row.try_get("notification_id")?,
            attempt: u32::try_from(row.try_get::<i64, _>("attempt")?).unwrap_or(u32::MAX),
            at_ms: row.try_get("at_ms")?,
            channel: row.try_get("channel")?,
            kind: row.try_get("kind")?,
            action: row.try_get("action")?,
            rule: row.try_get("rule")?,
            alarm_id: row.try_get("alarm_id")?,
            target: row.try_get("target")?,
            stage: row.try_get("stage")?,
            smtp_code: code.and_then(|c| u16::try_from(c).ok()),
            enhanced_code: row.try_get("enhanced_code")?,
            server_text: row.try_get("server_text")?,
            classification: row.try_get("classification")?,
            fix: row.try_get("fix")?,
            detail: row.try_get("detail")?,
            duration_ms: u64::try_from(row.try_get::<i64, _>("duration_ms")?).unwrap_or(0),
            outcome: AttemptOutcome::parse(&outcome),
        });
    }
    Ok(records)
}

/// The troubleshooting log opened on its own, apart from the [`crate::Outbox`]: for a reader
/// (`vigie log actions`) and for attempts made outside the queue (a Test Action run from the
/// command line), in a process other than the one whose worker drains the outbox.
///
/// Unlike [`crate::Outbox::open`], opening it never touches the outbox's notifications, so
/// it is safe while `vigie serve` runs on the same database.
#[derive(Debug, Clone)]
pub struct AttemptLog {
    pool: Pool,
    capacity: u32,
}

impl AttemptLog {
    /// Opens the database at `path` for writing, creating it and the outbox's tables if
    /// needed.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, OutboxError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let pool = crate::db::sqlite_pool_options(1)
            .connect_with(options)
            .await?;
        // The same embedded schema as the outbox's; a database the manager shares keeps its
        // own migrations, which this migrator ignores.
        let mut migrator = sqlx::migrate!("./migrations");
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
            capacity: DEFAULT_CAPACITY,
        })
    }

    /// Opens an existing database at `path` for reading only; fails if it does not exist.
    pub async fn open_read_only(path: impl AsRef<Path>) -> Result<Self, OutboxError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = crate::db::sqlite_pool_options(1)
            .connect_with(options)
            .await?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
            capacity: DEFAULT_CAPACITY,
        })
    }

    /// The log in a database already open whose outbox tables exist (the manager's, after
    /// [`crate::Outbox::from_pool`]).
    pub fn from_pool(pool: impl Into<Pool>) -> Self {
        Self {
            pool: pool.into(),
            capacity: DEFAULT_CAPACITY,
        }
    }

    /// Records matching `query`, newest first.
    pub async fn records(&self, query: &AttemptQuery) -> Result<Vec<AttemptRecord>, OutboxError> {
        self::query(&self.pool, query).await
    }

    /// Records an attempt made outside the queue, such as a Test Action: an e-mail sent at
    /// `at` through `channel`, which took `duration`. It has no notification in the outbox
    /// (`notification_id` 0), and a failure is final (`failed`): a test is never retried.
    pub async fn record_direct(
        &self,
        channel: &str,
        origin: &Origin,
        attempt: &Attempt,
        at: SystemTime,
        duration: Duration,
    ) -> Result<AttemptRecord, OutboxError> {
        self.record_direct_kind("email", channel, origin, attempt, at, duration)
            .await
    }

    /// Records an attempt made outside the queue, as [`AttemptLog::record_direct`], of any
    /// `kind` (`email`, `webhook`, `syslog`, or a kind the caller names, such as
    /// `trap_forward`).
    pub async fn record_direct_kind(
        &self,
        kind: &'static str,
        channel: &str,
        origin: &Origin,
        attempt: &Attempt,
        at: SystemTime,
        duration: Duration,
    ) -> Result<AttemptRecord, OutboxError> {
        let failure = attempt.result.as_ref().err();
        let (code, enhanced_code, server_text) = match &attempt.result {
            Ok(accepted) => (
                accepted.code,
                None,
                Some(accepted.detail.clone()).filter(|d| !d.is_empty()),
            ),
            Err(failure) => failure.server_reply(),
        };
        let record = NewAttempt {
            notification_id: 0,
            attempt: 1,
            at_ms: to_ms(at),
            channel: channel.to_owned(),
            kind,
            action: origin.action.clone(),
            rule: origin.rule.clone(),
            alarm_id: origin.alarm_id.clone(),
            target: attempt.target.clone(),
            stage: failure.and_then(ChannelFailure::stage),
            code,
            enhanced_code,
            server_text,
            classification: failure.map(|f| f.kind().to_owned()),
            fix: failure.map(|f| f.fix().to_owned()),
            detail: failure.map(ToString::to_string),
            duration,
            outcome: if failure.is_some() {
                AttemptOutcome::Failed
            } else {
                AttemptOutcome::Delivered
            },
        };
        let id = with_pool!(&self.pool, |pool| {
            let mut connection = pool.acquire().await?;
            insert_attempt!(connection, &record, self.capacity)
        });
        Ok(AttemptRecord {
            id,
            notification_id: record.notification_id,
            attempt: record.attempt,
            at_ms: record.at_ms,
            channel: record.channel,
            kind: record.kind.to_owned(),
            action: record.action,
            rule: record.rule,
            alarm_id: record.alarm_id,
            target: record.target,
            stage: record.stage,
            smtp_code: record.code,
            enhanced_code: record.enhanced_code,
            server_text: record.server_text,
            classification: record.classification,
            fix: record.fix,
            detail: record.detail,
            duration_ms: u64::try_from(record.duration.as_millis()).unwrap_or(u64::MAX),
            outcome: record.outcome,
        })
    }
}

/// The rows kept by an [`AttemptLog`] that writes, as [`crate::Outbox`] keeps by default.
const DEFAULT_CAPACITY: u32 = 100_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::DeliveryFailure;
    use crate::outbox::Accepted;
    use crate::reply::Reply;

    #[tokio::test]
    async fn direct_attempts_are_recorded_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigie.db");
        let log = AttemptLog::open(&path).await.unwrap();
        let origin = Origin {
            action: Some("test".to_owned()),
            ..Origin::default()
        };
        let accepted = Attempt {
            target: "relay.test:587".to_owned(),
            result: Ok(Accepted {
                code: Some(250),
                detail: "250 Ok".to_owned(),
            }),
        };
        let failed = Attempt {
            target: "relay.test:587".to_owned(),
            result: Err(ChannelFailure::Smtp(DeliveryFailure::BadCredentials {
                reply: Reply {
                    code: 535,
                    enhanced: None,
                    lines: vec!["Authentication credentials invalid".to_owned()],
                },
            })),
        };
        let at = SystemTime::now();
        let first = log
            .record_direct("cli", &origin, &accepted, at, Duration::from_millis(3))
            .await
            .unwrap();
        assert_eq!(first.outcome, AttemptOutcome::Delivered);
        let second = log
            .record_direct("cli", &origin, &failed, at, Duration::from_millis(3))
            .await
            .unwrap();
        assert!(second.id > first.id);
        assert_eq!(second.outcome, AttemptOutcome::Failed);
        assert_eq!(second.stage.as_deref(), Some("AUTH"));
        assert_eq!(second.smtp_code, Some(535));
        assert_eq!(second.kind, "email");
        let webhook = log
            .record_direct_kind(
                "webhook",
                "webhook/ops",
                &origin,
                &accepted,
                at,
                Duration::from_millis(3),
            )
            .await
            .unwrap();
        assert_eq!(webhook.kind, "webhook");
        assert_eq!(webhook.channel, "webhook/ops");

        let reader = AttemptLog::open_read_only(&path).await.unwrap();
        let records = reader.records(&AttemptQuery::default()).await.unwrap();
        assert_eq!(records, vec![webhook, second, first]);
        assert!(
            AttemptLog::open_read_only(dir.path().join("missing.db"))
                .await
                .is_err()
        );
    }
}
