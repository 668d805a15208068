//! Stored alarms and their history.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use sqlx::QueryBuilder;
use vigie_notify::db::{DbRow, Transaction};
use vigie_notify::{with_pool, with_tx};

use crate::alarm::{Alarm, AlarmId, AlarmKey, AlarmState, Decision, Severity};
use crate::event::Notification;
use crate::store::{EventId, Store, StoreError, keep_prepared, parse_column, pending};
use crate::time::Timestamp;

/// Which alarms to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlarmFilter {
    /// Which states.
    pub state: StateFilter,
    /// Only about this device.
    pub device: Option<String>,
    /// Only at or above this severity.
    pub min_severity: Option<Severity>,
    /// At most this many (capped at 1,000; 0 means 100).
    pub limit: u32,
}

/// Which alarm states a listing includes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateFilter {
    /// Every alarm.
    #[default]
    Any,
    /// Open alarms: active or acknowledged.
    Open,
    /// Alarms in this state only.
    Only(AlarmState),
}

/// One change in an alarm's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When.
    pub at: Timestamp,
    /// `raised`, `repeated`, `acknowledged` or `cleared`.
    pub action: String,
    /// The severity after the change.
    pub severity: Severity,
    /// The raise count after the change.
    pub count: u64,
    /// Who acknowledged or cleared it, or what cleared it.
    pub actor: Option<String>,
}

impl Store {
    /// Stores what an [`crate::alarm::AlarmBook`] decided: the alarm's new state and a
    /// history entry, in one transaction. Does nothing for `Unchanged`.
    pub async fn record(&self, now: Timestamp, decision: &Decision) -> Result<(), StoreError> {
        self.record_all(now, std::slice::from_ref(decision)).await
    }

    /// Stores a sequence of decisions made at `now`, in the order the book made them, in one
    /// transaction (one fsync for all of them); all or none. `Unchanged` ones are skipped.
    ///
    /// Each alarm row is written once, in its last state of the sequence (a raise and its
    /// repeats within one batch are one INSERT; repeats of an open alarm one UPDATE); every
    /// decision still gets its own history entry, in order, through multi-row INSERTs.
    pub async fn record_all(
        &self,
        now: Timestamp,
        decisions: &[Decision],
    ) -> Result<(), StoreError> {
        self.record_caused(now, decisions, &[]).await
    }

    /// [`Store::record_all`], also writing each raise, repeat and clear, with the
    /// notification of the same index in `causes`, to the decisions pending for response
    /// management ([`crate::store::PendingDecision`]) in the same transaction.
    pub async fn record_caused(
        &self,
        now: Timestamp,
        decisions: &[Decision],
        causes: &[Option<Arc<Notification>>],
    ) -> Result<(), StoreError> {
        if decisions.iter().all(|decision| decision.action().is_none()) {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        record_caused_in(&mut tx, now, decisions, causes, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The alarms matching `filter`, newest first.
    pub async fn alarms(&self, filter: &AlarmFilter) -> Result<Vec<Alarm>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut query = QueryBuilder::<DB>::new("SELECT * FROM alarms WHERE 1 = 1");
            match filter.state {
                StateFilter::Any => {}
                StateFilter::Open => {
                    query.push(" AND state <> 'cleared'");
                }
                StateFilter::Only(state) => {
                    query.push(" AND state = ").push_bind(state.name());
                }
            }
            if let Some(device) = &filter.device {
                query.push(" AND device = ").push_bind(device.clone());
            }
            if let Some(min) = filter.min_severity {
                let names: Vec<&str> = Severity::ALL
                    .into_iter()
                    .filter(|severity| *severity >= min)
                    .map(Severity::name)
                    .collect();
                query.push(" AND severity IN (");
                let mut list = query.separated(", ");
                for name in names {
                    list.push_bind(name);
                }
                query.push(")");
            }
            let limit = match filter.limit {
                0 => 100,
                n => n.min(1_000),
            };
            query
                .push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(limit));
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(alarm_from_row).collect()
        })
    }

    /// Every open alarm, to rebuild the [`crate::alarm::AlarmBook`] after a restart.
    pub async fn open_alarms(&self) -> Result<Vec<Alarm>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows = sqlx::query("SELECT * FROM alarms WHERE state <> 'cleared'")
                .fetch_all(pool)
                .await?;
            rows.iter().map(alarm_from_row).collect()
        })
    }

    /// The id after the highest ever stored, for [`crate::alarm::AlarmBook::with_open`].
    pub async fn next_alarm_id(&self) -> Result<AlarmId, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM alarms")
                .fetch_one(pool)
                .await?;
            Ok(AlarmId(max.unwrap_or(0).saturating_add(1)))
        })
    }

    /// The alarm with this id, open or cleared.
    pub async fn alarm(&self, id: AlarmId) -> Result<Option<Alarm>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row = sqlx::query("SELECT * FROM alarms WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(alarm_from_row).transpose()
        })
    }

    /// The changes of one alarm, oldest first.
    pub async fn alarm_history(&self, id: AlarmId) -> Result<Vec<HistoryEntry>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows = sqlx::query("SELECT * FROM alarm_history WHERE alarm_id = $1 ORDER BY id")
                .bind(id.0)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(HistoryEntry {
                        at: Timestamp(row.try_get("at")?),
                        action: row.try_get("action")?,
                        severity: parse_column(
                            row.try_get("severity")?,
                            "alarm_history",
                            "severity",
                        )?,
                        count: u64::try_from(row.try_get::<i64, _>("raise_count")?).unwrap_or(0),
                        actor: row.try_get("actor")?,
                    })
                })
                .collect()
        })
    }
}

/// [`Store::record_caused`] within the transaction `tx`, which the caller commits: the
/// alarm rows, their history and the pending decisions, with whatever else `tx` holds (the
/// events that caused them, [`Store::insert_events_and_decisions`]).
pub(super) async fn record_caused_in(
    tx: &mut Transaction<'_>,
    now: Timestamp,
    decisions: &[Decision],
    causes: &[Option<Arc<Notification>>],
    cause_events: &[Option<EventId>],
) -> Result<(), StoreError> {
    // The last state of each alarm, in the order alarms first appear, and whether the
    // sequence opened it (an INSERT) or found it open (an UPDATE).
    let mut last: HashMap<AlarmId, usize> = HashMap::new();
    let mut rows: Vec<(bool, &Alarm)> = Vec::new();
    let mut history: Vec<(&Alarm, &'static str, Option<&str>)> = Vec::new();
    for decision in decisions {
        let (Some(alarm), Some(action)) = (decision.alarm(), decision.action()) else {
            continue;
        };
        let actor = match decision {
            Decision::Acknowledged(alarm) => alarm.acknowledged_by.as_deref(),
            Decision::Cleared(alarm) => alarm.cleared_by.as_deref(),
            _ => None,
        };
        history.push((alarm, action, actor));
        match last.get(&alarm.id) {
            Some(&index) => {
                if let Some(row) = rows.get_mut(index) {
                    row.1 = alarm;
                }
            }
            None => {
                last.insert(alarm.id, rows.len());
                rows.push((matches!(decision, Decision::Raised(_)), alarm));
            }
        }
    }
    if history.is_empty() {
        return Ok(());
    }
    for (new, alarm) in rows {
        write_alarm(tx, new, alarm).await?;
    }
    with_tx!(&mut *tx, |tx, DB| {
        for chunk in history.chunks(HISTORY_ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<DB>::new(
                "INSERT INTO alarm_history (alarm_id, at, action, severity, raise_count, actor) ",
            );
            query.push_values(chunk, |mut row, (alarm, action, actor)| {
                row.push_bind(alarm.id.0)
                    .push_bind(now.millis())
                    .push_bind(*action)
                    .push_bind(alarm.severity.name())
                    .push_bind(count_column(alarm.count))
                    .push_bind(*actor);
            });
            query
                .build()
                .persistent(keep_prepared(chunk.len(), HISTORY_ROWS_PER_INSERT))
                .execute(&mut **tx)
                .await?;
        }
    });
    pending::write(tx, now, decisions, causes, cause_events).await
}

/// Writes one alarm row: `new` inserts it, otherwise the stored row with the same identity
/// is updated.
async fn write_alarm(tx: &mut Transaction<'_>, new: bool, alarm: &Alarm) -> Result<(), StoreError> {
    // A new alarm is inserted, never upserted: an id that exists already means two
    // writers, which must fail rather than overwrite another alarm.
    let sql = if new {
        "INSERT INTO alarms (id, alarm_key, device, source, severity, state, raise_count, \
         first_seen, last_seen, description, acknowledged_by, acknowledged_at, cleared_by, \
         cleared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    } else {
        "UPDATE alarms SET severity = $5, state = $6, raise_count = $7, last_seen = $9, \
         description = $10, acknowledged_by = $11, acknowledged_at = $12, \
         cleared_by = $13, cleared_at = $14 \
         WHERE id = $1 AND alarm_key = $2 AND device = $3 AND source = $4 \
         AND first_seen = $8"
    };
    let written = with_tx!(tx, |tx| sqlx::query(sql)
        .bind(alarm.id.0)
        .bind(alarm.key.as_str())
        .bind(&alarm.device)
        .bind(alarm.source.name())
        .bind(alarm.severity.name())
        .bind(alarm.state.name())
        .bind(count_column(alarm.count))
        .bind(alarm.first_seen.millis())
        .bind(alarm.last_seen.millis())
        .bind(&alarm.text)
        .bind(alarm.acknowledged_by.as_deref())
        .bind(alarm.acknowledged_at.map(Timestamp::millis))
        .bind(alarm.cleared_by.as_deref())
        .bind(alarm.cleared_at.map(Timestamp::millis))
        .execute(&mut **tx)
        .await?
        .rows_affected());
    if written != 1 {
        return Err(StoreError::AlarmMismatch(alarm.id));
    }
    Ok(())
}

/// History rows per INSERT statement: 6 parameters each, far below SQLite's 32 766.
const HISTORY_ROWS_PER_INSERT: usize = 128;

/// Raise counts are stored as BIGINT, saturating (no alarm repeats 2^63 times).
fn count_column(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn alarm_from_row(row: &impl DbRow) -> Result<Alarm, StoreError> {
    Ok(Alarm {
        id: AlarmId(row.try_get("id")?),
        key: AlarmKey::new(row.try_get::<String, _>("alarm_key")?),
        device: row.try_get("device")?,
        source: parse_column(row.try_get("source")?, "alarms", "source")?,
        severity: parse_column(row.try_get("severity")?, "alarms", "severity")?,
        state: parse_column(row.try_get("state")?, "alarms", "state")?,
        count: u64::try_from(row.try_get::<i64, _>("raise_count")?).map_err(|_| {
            StoreError::InvalidRow {
                table: "alarms",
                column: "raise_count",
            }
        })?,
        first_seen: Timestamp(row.try_get("first_seen")?),
        last_seen: Timestamp(row.try_get("last_seen")?),
        text: row.try_get("description")?,
        acknowledged_by: row.try_get("acknowledged_by")?,
        acknowledged_at: row
            .try_get::<Option<i64>, _>("acknowledged_at")?
            .map(Timestamp),
        cleared_by: row.try_get("cleared_by")?,
        cleared_at: row.try_get::<Option<i64>, _>("cleared_at")?.map(Timestamp),
    })
}
