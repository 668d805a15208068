//! Alarm decisions waiting for response management (migration 8, `response_pending`).
//!
//! Every raise, repeat and clear the desk stores is also written here, in the same
//! transaction as the alarm's change ([`write`], called by [`Store::record_caused`]). Response
//! management reads the rows in id order ([`Store::pending_decisions`]), puts them through
//! its rules and grouping, and deletes a row ([`Store::release_pending`]) only once the
//! notifications of every rule it fired are in the durable outbox, or when no rule fired.
//! After a crash, the rows left are exactly the decisions whose notifications may not have
//! reached the outbox, and response management reads them again at start: no notification
//! is lost between the alarm's commit and the outbox's (at least once; one may be sent twice
//! when the crash falls between the outbox's commit and the row's deletion).

use std::sync::Arc;

use sqlx::QueryBuilder;
use vigie_notify::db::{DbRow, Transaction};
use vigie_notify::{with_pool, with_tx};

use crate::alarm::{Alarm, Decision};
use crate::event::Notification;
use crate::store::{EventId, Store, StoreError, keep_prepared};
use crate::time::Timestamp;

/// A stored decision response management has not finished with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDecision {
    /// Its row id: increasing in the order the desk decided, never reused.
    pub id: i64,
    /// When the desk made it.
    pub at: Timestamp,
    /// A raise, repeat or clear, with the alarm as it was after it.
    pub decision: Decision,
    /// The notification that caused it, when a received trap or inform did.
    pub cause: Option<Notification>,
    /// The stored event of that notification, when it was stored as one.
    pub cause_event: Option<EventId>,
}

/// What one read of the pending decisions found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingRead {
    /// The decisions, oldest first.
    pub decisions: Vec<PendingDecision>,
    /// Rows that no longer read back (written by a version whose alarm or notification
    /// format differs): their ids, so that the caller can log and delete them rather than
    /// stop at them.
    pub unreadable: Vec<i64>,
}

impl PendingRead {
    /// The highest id read, readable or not.
    pub fn last_id(&self) -> Option<i64> {
        let last = self.decisions.last().map(|d| d.id);
        last.into_iter()
            .chain(self.unreadable.iter().copied())
            .max()
    }

    /// How many rows were read.
    pub fn len(&self) -> usize {
        self.decisions.len() + self.unreadable.len()
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rows per INSERT statement: 5 parameters each.
const ROWS_PER_INSERT: usize = 128;

/// Ids per DELETE statement.
const IDS_PER_DELETE: usize = 500;

/// The change a rule can fire on, by the name the table keeps, with its alarm.
fn change_of(decision: &Decision) -> Option<(&'static str, &Alarm)> {
    match decision {
        Decision::Raised(alarm) => Some(("raised", alarm)),
        Decision::Repeated(alarm) => Some(("repeated", alarm)),
        Decision::Cleared(alarm) => Some(("cleared", alarm)),
        Decision::Acknowledged(_) | Decision::Unchanged(_) => None,
    }
}

/// Writes, in the alarm transaction `tx`, one pending row for each raise, repeat and clear
/// among `decisions`, with the notification of the same index in `causes` (missing or `None`:
/// no cause). A cause stored as an event in `tx` is named by its id, the event of the same
/// index in `cause_events`; another is copied as JSON. Acknowledgements and unchanged
/// decisions reach no rule and are not written.
pub(crate) async fn write(
    tx: &mut Transaction<'_>,
    now: Timestamp,
    decisions: &[Decision],
    causes: &[Option<Arc<Notification>>],
    cause_events: &[Option<EventId>],
) -> Result<(), StoreError> {
    let invalid = |column| StoreError::InvalidRow {
        table: "response_pending",
        column,
    };
    let mut rows: Vec<(&'static str, String, Option<String>, Option<i64>)> = Vec::new();
    for (index, decision) in decisions.iter().enumerate() {
        let Some((change, alarm)) = change_of(decision) else {
            continue;
        };
        let alarm = serde_json::to_string(alarm).map_err(|_| invalid("alarm"))?;
        let event = cause_events.get(index).copied().flatten();
        let cause = match (event, causes.get(index).and_then(Option::as_deref)) {
            (None, Some(cause)) => {
                Some(serde_json::to_string(cause).map_err(|_| invalid("cause"))?)
            }
            _ => None,
        };
        rows.push((change, alarm, cause, event.map(|id| id.0)));
    }
    with_tx!(tx, |tx, DB| {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<DB>::new(
                "INSERT INTO response_pending (at, change, alarm, cause, cause_event) ",
            );
            query.push_values(chunk, |mut row, (change, alarm, cause, event)| {
                row.push_bind(now.millis())
                    .push_bind(*change)
                    .push_bind(alarm.as_str())
                    .push_bind(cause.as_deref())
                    .push_bind(*event);
            });
            query
                .build()
                .persistent(keep_prepared(chunk.len(), ROWS_PER_INSERT))
                .execute(&mut **tx)
                .await?;
        }
    });
    Ok(())
}

impl Store {
    /// At most `limit` pending decisions whose id is above `after`, oldest first.
    pub async fn pending_decisions(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<PendingRead, StoreError> {
        with_pool!(&self.pool, |pool| {
            let rows = sqlx::query(
                "SELECT id, at, change, alarm, cause, cause_event FROM response_pending \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(i64::from(limit.max(1)))
            .fetch_all(pool)
            .await?;
            let mut read = read_pending(&rows)?;
            let wanted: Vec<EventId> = read
                .decisions
                .iter()
                .filter_map(|pending| pending.cause_event)
                .collect();
            if !wanted.is_empty() {
                let mut events = self.events_by_id(&wanted).await?;
                for pending in &mut read.decisions {
                    if let Some(id) = pending.cause_event {
                        // A cause pruned by retention since leaves the decision without one.
                        pending.cause = events.remove(&id);
                    }
                }
            }
            Ok(read)
        })
    }

    /// Deletes the pending decisions `ids`: their notifications are in the outbox, or none
    /// was due.
    pub async fn release_pending(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        with_tx!(&mut tx, |tx, DB| {
            for chunk in ids.chunks(IDS_PER_DELETE) {
                let mut query =
                    QueryBuilder::<DB>::new("DELETE FROM response_pending WHERE id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(")");
                query
                    .build()
                    .persistent(keep_prepared(chunk.len(), IDS_PER_DELETE))
                    .execute(&mut **tx)
                    .await?;
            }
        });
        tx.commit().await?;
        Ok(())
    }

    /// How many decisions are pending.
    pub async fn pending_count(&self) -> Result<u64, StoreError> {
        let count: i64 = with_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM response_pending")
                .fetch_one(pool)
                .await?
        });
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// Decodes pending rows; a row that does not read back goes to `unreadable`.
fn read_pending(rows: &[impl DbRow]) -> Result<PendingRead, StoreError> {
    let invalid = |column| StoreError::InvalidRow {
        table: "response_pending",
        column,
    };
    let mut read = PendingRead::default();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let decision = || -> Result<PendingDecision, StoreError> {
            let alarm: Alarm = serde_json::from_str(&row.try_get::<String, _>("alarm")?)
                .map_err(|_| invalid("alarm"))?;
            let decision = match row.try_get::<String, _>("change")?.as_str() {
                "raised" => Decision::Raised(alarm),
                "repeated" => Decision::Repeated(alarm),
                "cleared" => Decision::Cleared(alarm),
                _ => return Err(invalid("change")),
            };
            let cause = match row.try_get::<Option<String>, _>("cause")? {
                Some(text) => Some(serde_json::from_str(&text).map_err(|_| invalid("cause"))?),
                None => None,
            };
            Ok(PendingDecision {
                id,
                at: Timestamp(row.try_get("at")?),
                decision,
                cause,
                cause_event: row.try_get::<Option<i64>, _>("cause_event")?.map(EventId),
            })
        };
        match decision() {
            Ok(decision) => read.decisions.push(decision),
            Err(_) => read.unreadable.push(id),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
    use crate::desk::AlarmDesk;

    fn raise(key: &str) -> AlarmEvent {
        AlarmEvent::Raise(Raise {
            key: AlarmKey::new(key),
            device: "r1".into(),
            source: Source::Poll,
            severity: Severity::Major,
            text: "down".into(),
        })
    }

    fn cause() -> Arc<Notification> {
        let notification = Notification::from_v2(
            Timestamp(7),
            "192.0.2.1:162".parse().unwrap(),
            vigie_snmp::Version::V2c,
            crate::event::NotificationKind::Inform,
            "comm1",
            &[
                vigie_snmp::VarBind {
                    name: "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                    value: vigie_snmp::Value::ObjectIdentifier(
                        "1.3.6.1.6.3.1.1.5.3".parse().unwrap(),
                    ),
                },
                vigie_snmp::VarBind {
                    name: "1.3.6.1.4.1.32473.1".parse().unwrap(),
                    value: vigie_snmp::Value::OctetString(b"marker-1".to_vec().into()),
                },
            ],
        )
        .unwrap();
        Arc::new(notification)
    }

    #[tokio::test]
    async fn every_rule_visible_decision_is_pending_with_its_cause_until_released() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let desk = AlarmDesk::load(store.clone()).await.unwrap();
            desk.apply_batch(
                Timestamp(10),
                vec![(raise("a"), Some(cause())), (raise("a"), None)],
            )
            .await
            .unwrap();
            let ack = AlarmEvent::Ack {
                id: crate::alarm::AlarmId(1),
                user: "admin".into(),
            };
            desk.apply(Timestamp(11), ack).await.unwrap();
            let clear = AlarmEvent::Clear {
                key: AlarmKey::new("a"),
                reason: "up".into(),
            };
            desk.apply(Timestamp(12), clear.clone()).await.unwrap();
            // A second clear changes nothing: not pending.
            desk.apply(Timestamp(13), clear).await.unwrap();

            let pending = store.pending_decisions(0, 100).await.unwrap().decisions;
            let seen: Vec<(&str, i64, bool)> = pending
                .iter()
                .map(|p| (p.decision.action().unwrap(), p.at.0, p.cause.is_some()))
                .collect();
            assert_eq!(
                seen,
                [
                    ("raised", 10, true),
                    ("repeated", 10, false),
                    ("cleared", 12, false)
                ],
                "acknowledgements and unchanged decisions reach no rule"
            );
            assert_eq!(pending[0].cause.as_ref(), Some(&*cause()));
            assert!(pending.windows(2).all(|w| w[0].id < w[1].id));
            let Decision::Cleared(alarm) = &pending[2].decision else {
                panic!("the clear")
            };
            assert_eq!(alarm.count, 2);

            assert_eq!(
                store
                    .pending_decisions(pending[0].id, 1)
                    .await
                    .unwrap()
                    .decisions,
                [pending[1].clone()]
            );
            store
                .release_pending(&[pending[0].id, pending[2].id])
                .await
                .unwrap();
            assert_eq!(store.pending_count().await.unwrap(), 1);
            store.release_pending(&[pending[1].id]).await.unwrap();
            // Ids are never reused: a new decision comes after every released one.
            desk.apply(Timestamp(14), raise("b")).await.unwrap();
            let next = store.pending_decisions(0, 100).await.unwrap().decisions;
            assert_eq!(next.len(), 1);
            assert!(next[0].id > pending[2].id);
        }
    }

    #[tokio::test]
    async fn a_cause_stored_as_an_event_is_named_by_the_event_not_copied() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let desk = AlarmDesk::load(store.clone()).await.unwrap();
            let stored = cause();
            let mut elsewhere = (*cause()).clone();
            elsewhere.received_at = Timestamp(99);
            let elsewhere = Arc::new(elsewhere);
            let (ids, _) = desk
                .apply_batch_with_events(
                    Timestamp(20),
                    &[&*stored],
                    vec![
                        (raise("a"), Some(Arc::clone(&stored))),
                        (raise("b"), Some(Arc::clone(&elsewhere))),
                        (raise("c"), None),
                    ],
                    None,
                )
                .await
                .unwrap();
            let pending = store.pending_decisions(0, 100).await.unwrap().decisions;
            assert_eq!(pending.len(), 3);
            assert_eq!(pending[0].cause_event, Some(ids[0]));
            assert_eq!(pending[0].cause.as_ref(), Some(&*stored));
            assert_eq!(
                pending[1].cause_event, None,
                "not stored in this transaction"
            );
            assert_eq!(pending[1].cause.as_ref(), Some(&*elsewhere));
            assert_eq!(
                (pending[2].cause_event, pending[2].cause.as_ref()),
                (None, None)
            );
            let copies: Vec<Option<String>> = with_pool!(store.pool(), |pool| {
                sqlx::query_scalar("SELECT cause FROM response_pending ORDER BY id")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            });
            assert!(copies[0].is_none(), "the event is not copied");
            assert!(copies[1].is_some());

            // An event pruned since (retention) leaves the decision without its cause.
            with_pool!(store.pool(), |pool| {
                sqlx::query("DELETE FROM events")
                    .execute(pool)
                    .await
                    .unwrap();
            });
            let pending = store.pending_decisions(0, 100).await.unwrap().decisions;
            assert_eq!(pending.len(), 3);
            assert_eq!(pending[0].cause, None);
            assert_eq!(pending[1].cause.as_ref(), Some(&*elsewhere));
        }
    }

    #[tokio::test]
    async fn a_row_that_no_longer_reads_back_is_reported_not_fatal() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let desk = AlarmDesk::load(store.clone()).await.unwrap();
            desk.apply(Timestamp(1), raise("a")).await.unwrap();
            with_pool!(store.pool(), |pool| {
                sqlx::query(
                    "INSERT INTO response_pending (at, change, alarm, cause) \
                     VALUES (2, 'raised', '{\"format\": \"of another version\"}', NULL)",
                )
                .execute(pool)
                .await
                .unwrap();
            });
            desk.apply(Timestamp(3), raise("b")).await.unwrap();
            let read = store.pending_decisions(0, 100).await.unwrap();
            assert_eq!(read.decisions.len(), 2, "the readable rows around it");
            assert_eq!(read.unreadable.len(), 1);
            assert_eq!(read.len(), 3);
            assert_eq!(read.last_id(), Some(read.decisions[1].id));
            assert!(read.unreadable[0] < read.decisions[1].id);
        }
    }

    #[tokio::test]
    async fn a_failed_alarm_write_leaves_nothing_pending() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let first = AlarmDesk::load(store.clone()).await.unwrap();
            let stale = AlarmDesk::load(store.clone()).await.unwrap();
            first.apply(Timestamp(1), raise("k")).await.unwrap();
            // The stale desk's second open alarm for "k" is refused, and its pending row with it.
            assert!(
                stale
                    .apply_batch(Timestamp(2), vec![(raise("x"), None), (raise("k"), None)])
                    .await
                    .is_err()
            );
            assert_eq!(store.pending_count().await.unwrap(), 1);
        }
    }
}
