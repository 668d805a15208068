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

use std::time::Duration;

use serde::Serialize;
use sqlx::{Row, SqlitePool};

use crate::outbox::OutboxError;

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

impl NewAttempt {
    /// Inserts the record and deletes the oldest beyond `capacity`.
    pub(crate) async fn insert(
        &self,
        connection: &mut sqlx::SqliteConnection,
        capacity: u32,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO outbox_attempts (notification_id, attempt, at_ms, channel, kind, action, rule, alarm_id, target, stage, smtp_code, enhanced_code, server_text, classification, fix, detail, duration_ms, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.notification_id)
        .bind(i64::from(self.attempt))
        .bind(self.at_ms)
        .bind(&self.channel)
        .bind(self.kind)
        .bind(&self.action)
        .bind(&self.rule)
        .bind(&self.alarm_id)
        .bind(&self.target)
        .bind(&self.stage)
        .bind(self.code.map(i64::from))
        .bind(&self.enhanced_code)
        .bind(&self.server_text)
        .bind(&self.classification)
        .bind(&self.fix)
        .bind(&self.detail)
        .bind(i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX))
        .bind(self.outcome.as_str())
        .execute(&mut *connection)
        .await?;
        sqlx::query(
            "DELETE FROM outbox_attempts WHERE id <= (SELECT MAX(id) FROM outbox_attempts) - ?",
        )
        .bind(i64::from(capacity))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }
}

/// Reads records matching `query`, newest first.
pub(crate) async fn query(
    pool: &SqlitePool,
    query: &AttemptQuery,
) -> Result<Vec<AttemptRecord>, OutboxError> {
    let rows = sqlx::query(
        "SELECT id, notification_id, attempt, at_ms, channel, kind, action, rule, alarm_id, target, stage, smtp_code, enhanced_code, server_text, classification, fix, detail, duration_ms, outcome
         FROM outbox_attempts
         WHERE (?1 IS NULL OR action = ?1)
           AND (?2 IS NULL OR channel = ?2)
           AND (?3 IS NULL OR notification_id = ?3)
           AND (?4 = 0 OR outcome <> 'delivered')
         ORDER BY id DESC LIMIT ?5",
    )
    .bind(&query.action)
    .bind(&query.channel)
    .bind(query.notification_id)
    .bind(query.failures_only)
    .bind(i64::from(query.limit))
    .fetch_all(pool)
    .await?;
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
