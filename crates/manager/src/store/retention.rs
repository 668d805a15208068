//! Retention: events older than the configured period are deleted, a batch at a time.
//!
//! SQLite has one writer at a time. Deleting a month of events in one transaction would hold
//! the write lock for seconds, and trap intake, which commits a batch of events before an
//! inform is acknowledged, would wait all that time. Each batch here is its own short
//! transaction, so an intake commit waits for one batch at most.

use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Events received before the cutoff.
    pub events: u64,
    /// Alarms cleared before the cutoff (their history goes with them).
    pub alarms: u64,
}

impl Store {
    /// Deletes the events received before `cutoff` and the alarms cleared before it, in
    /// transactions of at most `batch` rows. Open alarms are kept whatever their age.
    pub async fn prune_before(&self, cutoff: Timestamp, batch: u32) -> Result<Pruned, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let batch = i64::from(batch.max(1));
            let mut pruned = Pruned::default();
            loop {
                let deleted = sqlx::query(
                    "DELETE FROM events WHERE id IN \
                     (SELECT id FROM events WHERE received_at < $1 ORDER BY id LIMIT $2)",
                )
                .bind(cutoff.millis())
                .bind(batch)
                .execute(pool)
                .await?
                .rows_affected();
                pruned.events += deleted;
                if deleted < batch.unsigned_abs() {
                    break;
                }
            }
            loop {
                let deleted = sqlx::query(
                    "DELETE FROM alarms WHERE id IN (SELECT id FROM alarms \
                     WHERE state = 'cleared' AND cleared_at < $1 ORDER BY id LIMIT $2)",
                )
                .bind(cutoff.millis())
                .bind(batch)
                .execute(pool)
                .await?
                .rows_affected();
                pruned.alarms += deleted;
                if deleted < batch.unsigned_abs() {
                    break;
                }
            }
            Ok(pruned)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
    use crate::desk::AlarmDesk;

    /// An event row as migration 0001 defines it; the event API's shape is not under test.
    async fn insert_event(store: &Store, at: i64) {
        with_pool!(store.pool(), |pool| {
            sqlx::query(
            "INSERT INTO events (received_at, source_ip, source_port, version, kind, \
             security_name, trap_oid, uptime, varbinds) \
             VALUES ($1, '127.0.0.1', 162, 'v2c', 'trap', 'public', '1.3.6.1.6.3.1.1.5.3', 1, '[]')",
        )
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
        });
    }

    #[tokio::test]
    async fn deletes_old_events_in_batches_and_keeps_open_alarms() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            for i in 0..7 {
                insert_event(&store, i * 10).await;
            }
            let desk = AlarmDesk::load(store.clone()).await.unwrap();
            for (at, key) in [(5, "old-open"), (5, "old-cleared"), (50, "new-cleared")] {
                desk.apply(
                    Timestamp(at),
                    AlarmEvent::Raise(Raise {
                        key: AlarmKey::new(key),
                        device: "r1".into(),
                        source: Source::Poll,
                        severity: Severity::Major,
                        text: "down".into(),
                    }),
                )
                .await
                .unwrap();
            }
            for (at, key) in [(6, "old-cleared"), (55, "new-cleared")] {
                desk.apply(
                    Timestamp(at),
                    AlarmEvent::Clear {
                        key: AlarmKey::new(key),
                        reason: "up".into(),
                    },
                )
                .await
                .unwrap();
            }
            // Events at 0, 10, 20, 30 are older than 35: four, deleted two at a time.
            let pruned = store.prune_before(Timestamp(35), 2).await.unwrap();
            assert_eq!(
                pruned,
                Pruned {
                    events: 4,
                    alarms: 1
                }
            );
            let oldest: i64 = with_pool!(store.pool(), |pool| sqlx::query_scalar(
                "SELECT MIN(received_at) FROM events"
            )
            .fetch_one(pool)
            .await
            .unwrap());
            assert_eq!(oldest, 40);
            let alarms: i64 = with_pool!(store.pool(), |pool| sqlx::query_scalar(
                "SELECT COUNT(*) FROM alarms"
            )
            .fetch_one(pool)
            .await
            .unwrap());
            assert_eq!(
                alarms, 2,
                "the open alarm and the recently cleared one stay"
            );
            assert_eq!(store.open_alarms().await.unwrap().len(), 1);
            // Nothing left to delete: a second pass is a no-op.
            let again = store.prune_before(Timestamp(35), 2).await.unwrap();
            assert_eq!(again, Pruned::default());
        }
    }
}
