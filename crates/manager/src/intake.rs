//! Notification intake: store a batch of notifications and the alarms they imply, together.
//!
//! The receiver journals each accepted notification ([`crate::journal`]) and acknowledges
//! informs once the journal is synced; its indexer then hands the journal's records to
//! [`Intake::index`], which stores them with the journal mark they reach. [`Intake::accept`]
//! stores notifications that come from elsewhere, without a mark. The events and the alarm
//! decisions they imply are
//! committed in one transaction ([`AlarmDesk::apply_batch_with_events`]): a crash (kill -9,
//! power loss) leaves both or neither, never an event whose alarm was not applied. The desk
//! publishes each alarm decision with the notification that caused it
//! ([`AlarmDesk::subscribe`]).

use std::sync::Arc;

use crate::desk::AlarmDesk;
use crate::event::{Notification, TrapAlarms, alarm_events_from};
use crate::metrics::{DropReason, Metrics};
use crate::store::{EventId, Store, StoreError};
use crate::time::Timestamp;

/// Stores notifications and raises or clears the alarms they imply.
#[derive(Debug, Clone)]
pub struct Intake {
    store: Store,
    desk: Arc<AlarmDesk>,
    metrics: Arc<Metrics>,
    table: Arc<TrapAlarms>,
}

/// A notification and the device it is attributed to (inventory name or address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The notification, shared with the alarm decisions it causes.
    pub notification: Arc<Notification>,
    /// Its device, as alarms name it.
    pub device: String,
}

impl Intake {
    /// An intake writing to `store` and `desk`, counting in `metrics`, classifying with
    /// `table`.
    pub fn new(
        store: Store,
        desk: Arc<AlarmDesk>,
        metrics: Arc<Metrics>,
        table: Arc<TrapAlarms>,
    ) -> Self {
        Self {
            store,
            desk,
            metrics,
            table,
        }
    }

    /// Stores `batch` as events and applies the alarm events of all its notifications, in
    /// order, in one transaction (one fsync for the batch); a batch that implies no alarm
    /// does not take the desk's lock.
    ///
    /// When the transaction fails, the desk reloads its book from the store, and the batch
    /// is tried once more with its alarms decided again: a book that disagreed with the
    /// store (another writer) costs a retry, not the events. Fails (and counts every
    /// notification of the batch as dropped, `store_failed`) only when that try fails too:
    /// informs of the batch must then not be acknowledged, so that their senders retry.
    pub async fn accept(
        &self,
        now: Timestamp,
        batch: &[Received],
    ) -> Result<Vec<EventId>, StoreError> {
        let stored = self.store_twice(now, batch, None).await;
        if stored.is_err() {
            for _ in batch {
                self.metrics.dropped(DropReason::StoreFailed);
            }
        }
        stored
    }

    /// Stores `batch`, the intake journal's records up to `mark` (those that are
    /// notifications), as [`accept`](Self::accept) does, and moves the store's journal mark
    /// to `mark` in the same transaction. A failure drops nothing: the records stay in the
    /// journal for the caller to index again.
    pub async fn index(
        &self,
        now: Timestamp,
        batch: &[Received],
        mark: u64,
    ) -> Result<Vec<EventId>, StoreError> {
        self.store_twice(now, batch, Some(mark)).await
    }

    async fn store_twice(
        &self,
        now: Timestamp,
        batch: &[Received],
        mark: Option<u64>,
    ) -> Result<Vec<EventId>, StoreError> {
        let ids = match self.store_batch(now, batch, mark).await {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(%error, notifications = batch.len(),
                    "a batch of notifications could not be stored; trying again");
                self.store_batch(now, batch, mark).await?
            }
        };
        self.metrics
            .stored(u64::try_from(ids.len()).unwrap_or(u64::MAX));
        Ok(ids)
    }

    async fn store_batch(
        &self,
        now: Timestamp,
        batch: &[Received],
        mark: Option<u64>,
    ) -> Result<Vec<EventId>, StoreError> {
        let notifications: Vec<&Notification> = batch.iter().map(|r| &*r.notification).collect();
        let mut events = Vec::new();
        for received in batch {
            let implied = alarm_events_from(&received.notification, &received.device, &self.table);
            events.extend(
                implied
                    .into_iter()
                    .map(|event| (event, Some(Arc::clone(&received.notification)))),
            );
        }
        if events.is_empty() {
            return self.store.insert_events_marked(&notifications, mark).await;
        }
        let (ids, _) = self
            .desk
            .apply_batch_with_events(now, &notifications, events, mark)
            .await?;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use vigie_snmp::{Oid, Value, VarBind, Version};

    use super::*;
    use crate::alarm::{AlarmState, Severity};
    use crate::event::NotificationKind;
    use crate::store::{AlarmFilter, Durability, StateFilter};

    fn link(trap: u32, if_index: i32) -> Received {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        let source: SocketAddr = "192.0.2.1:50000".parse().unwrap();
        let notification = Notification::from_v2(
            Timestamp(1),
            source,
            Version::V2c,
            NotificationKind::Inform,
            "netops",
            &[
                VarBind {
                    name: oid("1.3.6.1.2.1.1.3.0"),
                    value: Value::TimeTicks(1),
                },
                VarBind {
                    name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                    value: Value::ObjectIdentifier(oid(&format!("1.3.6.1.6.3.1.1.5.{trap}"))),
                },
                VarBind {
                    name: oid(&format!("1.3.6.1.2.1.2.2.1.1.{if_index}")),
                    value: Value::Integer(if_index),
                },
            ],
        )
        .unwrap();
        Received {
            notification: Arc::new(notification),
            device: "r1".into(),
        }
    }

    async fn intake(dir: &std::path::Path) -> (Intake, Store, Arc<Metrics>) {
        let store = Store::open(&dir.join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        let metrics = Arc::new(Metrics::default());
        let intake = Intake::new(
            store.clone(),
            desk,
            Arc::clone(&metrics),
            Arc::new(TrapAlarms::standard()),
        );
        (intake, store, metrics)
    }

    #[tokio::test]
    async fn link_down_then_up_is_stored_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let (intake, store, metrics) = intake(dir.path()).await;
        let ids = intake
            .accept(Timestamp(10), &[link(3, 2), link(3, 2), link(3, 5)])
            .await
            .unwrap();
        assert_eq!(ids.len(), 3);
        assert_eq!(store.event_count().await.unwrap(), 3);
        let open = store.open_alarms().await.unwrap();
        assert_eq!(open.len(), 2, "ifIndex 2 twice is one alarm");
        assert!(open.iter().all(|a| a.severity == Severity::Major));
        // Each decision's cause is named by the event stored with it.
        let pending = store.pending_decisions(0, 10).await.unwrap().decisions;
        let causes: Vec<_> = pending.iter().map(|p| p.cause_event).collect();
        assert_eq!(causes, ids.iter().copied().map(Some).collect::<Vec<_>>());
        assert!(pending.iter().all(|p| p.cause.is_some()));

        intake.accept(Timestamp(20), &[link(4, 2)]).await.unwrap();
        let cleared = store
            .alarms(&AlarmFilter {
                state: StateFilter::Only(AlarmState::Cleared),
                ..AlarmFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(cleared.len(), 1);
        assert_eq!(cleared[0].count, 2);
        assert_eq!(store.open_alarms().await.unwrap().len(), 1);
        let text = metrics.render(&[], &crate::status::StatusRegistry::new());
        assert!(text.lines().any(|l| l == "vigie_events_stored_total 4"));
    }

    #[tokio::test]
    async fn a_store_failure_fails_the_batch_and_counts_the_drops() {
        let dir = tempfile::tempdir().unwrap();
        let (intake, store, metrics) = intake(dir.path()).await;
        store.close().await;
        assert!(
            intake
                .accept(Timestamp(1), &[link(3, 1), link(3, 2)])
                .await
                .is_err()
        );
        let text = metrics.render(&[], &crate::status::StatusRegistry::new());
        assert!(
            text.lines()
                .any(|l| l == "vigie_notifications_dropped_total{reason=\"store_failed\"} 2")
        );
    }

    #[tokio::test]
    async fn events_and_their_alarms_commit_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (intake, store, _) = intake(dir.path()).await;
        // A second desk on the same store, stale once the intake's desk raised an alarm.
        let stale = AlarmDesk::load(store.clone()).await.unwrap();
        intake.accept(Timestamp(1), &[link(3, 1)]).await.unwrap();
        let batch = [link(3, 2), link(3, 1)];
        let events = batch
            .iter()
            .flat_map(|r| alarm_events_from(&r.notification, &r.device, &TrapAlarms::standard()))
            .map(|event| (event, None))
            .collect();
        let notifications: Vec<&Notification> = batch.iter().map(|r| &*r.notification).collect();
        // The stale book opens ifIndex 1 again: the store refuses the alarm, and the events
        // of the batch, in the same transaction, are not stored either.
        assert!(
            stale
                .apply_batch_with_events(Timestamp(2), &notifications, events, None)
                .await
                .is_err()
        );
        assert_eq!(store.event_count().await.unwrap(), 1);
        assert_eq!(store.open_alarms().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_stale_book_costs_a_retry_not_the_events() {
        let dir = tempfile::tempdir().unwrap();
        let (first, store, _) = intake(dir.path()).await;
        let (second, _, metrics) = {
            let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
            let metrics = Arc::new(Metrics::default());
            let intake = Intake::new(
                store.clone(),
                desk,
                Arc::clone(&metrics),
                Arc::new(TrapAlarms::standard()),
            );
            (intake, (), metrics)
        };
        first.accept(Timestamp(1), &[link(3, 1)]).await.unwrap();
        // The second intake's desk does not know ifIndex 1 is open: its first try fails, the
        // desk reloads, and the second try stores the event and counts a repeat.
        let ids = second.accept(Timestamp(2), &[link(3, 1)]).await.unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(store.event_count().await.unwrap(), 2);
        let open = store.open_alarms().await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].count, 2);
        let text = metrics.render(&[], &crate::status::StatusRegistry::new());
        assert!(text.lines().any(|l| l == "vigie_events_stored_total 1"));
        assert!(
            !text
                .lines()
                .any(|l| l.contains("store_failed") && !l.ends_with(" 0"))
        );
    }

    /// Set in the child process of [`a_kill_9_never_separates_an_event_from_its_alarm`]: the
    /// directory of its database.
    const CHILD_DIR: &str = "VIGIE_INTAKE_KILL_CHILD";

    /// Kills (SIGKILL) a process storing linkDown traps at full speed, at whatever point it
    /// is, and checks the database it leaves: every stored event has its alarm decision
    /// (each linkDown raises or repeats its ifIndex's alarm: one history entry per event).
    /// The process is this test binary again, running this test with [`CHILD_DIR`] set.
    #[tokio::test]
    async fn a_kill_9_never_separates_an_event_from_its_alarm() {
        if let Some(dir) = std::env::var_os(CHILD_DIR) {
            let (intake, _, _) = intake(std::path::Path::new(&dir)).await;
            std::fs::write(std::path::Path::new(&dir).join("ready"), b"").unwrap();
            // Until killed; a child left behind stops by itself.
            let started = std::time::Instant::now();
            let mut n = 0;
            while started.elapsed() < std::time::Duration::from_secs(60) {
                let batch: Vec<Received> = (0..50).map(|i| link(3, (n + i) % 8 + 1)).collect();
                intake.accept(Timestamp(1), &batch).await.unwrap();
                n += 50;
            }
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = crate::testing::child_process(
            "intake::tests::a_kill_9_never_separates_an_event_from_its_alarm",
            CHILD_DIR,
            dir.path(),
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
        let ready = dir.path().join("ready");
        let mut store = None;
        for _ in 0..600 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            if store.is_none() && ready.exists() {
                store = Some(
                    Store::open(&dir.path().join("vigie.db"), Durability::Full)
                        .await
                        .unwrap(),
                );
            }
            if let Some(store) = &store
                && store.event_count().await.unwrap() >= 2_000
            {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let store = store.expect("the child opened its store");
        store.close().await;
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let events = store.event_count().await.unwrap();
        assert!(events >= 2_000, "the child stored {events} events");
        let alarms = store.alarms(&AlarmFilter::default()).await.unwrap();
        let mut decisions = 0;
        for alarm in &alarms {
            decisions += u64::try_from(store.alarm_history(alarm.id).await.unwrap().len()).unwrap();
        }
        assert_eq!(decisions, events, "one alarm decision per stored event");
        assert_eq!(alarms.iter().map(|a| a.count).sum::<u64>(), events);
    }
}
