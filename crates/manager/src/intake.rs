//! Notification intake: store a batch of notifications, then turn them into alarms.
//!
//! The receiver (the I/O half, in `vigie-net`) hands decoded, authorised notifications to
//! [`Intake::accept`]; it acknowledges informs only when `accept` returned `Ok`, since only
//! then are their events committed. The desk publishes each alarm decision with the
//! notification that caused it ([`AlarmDesk::subscribe`]).

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
    /// The notification.
    pub notification: Notification,
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

    /// Stores `batch` in one transaction, then applies the alarm events of all its
    /// notifications, in order, through [`AlarmDesk::apply_batch`] (a second transaction).
    ///
    /// Fails (and counts every notification of the batch as dropped, `store_failed`) only when
    /// the events could not be stored: informs of the batch must then not be acknowledged, so
    /// that their senders retry. Alarms that cannot be stored after their events are logged
    /// and do not fail the batch: the events themselves are safe.
    pub async fn accept(
        &self,
        now: Timestamp,
        batch: &[Received],
    ) -> Result<Vec<EventId>, StoreError> {
        let notifications: Vec<&Notification> = batch.iter().map(|r| &r.notification).collect();
        let ids = match self.store.insert_events(&notifications).await {
            Ok(ids) => ids,
            Err(error) => {
                for _ in batch {
                    self.metrics.dropped(DropReason::StoreFailed);
                }
                return Err(error);
            }
        };
        self.metrics
            .stored(u64::try_from(ids.len()).unwrap_or(u64::MAX));
        let mut events = Vec::with_capacity(batch.len());
        for received in batch {
            let implied = alarm_events_from(&received.notification, &received.device, &self.table);
            if implied.is_empty() {
                continue;
            }
            let cause = Arc::new(received.notification.clone());
            events.extend(
                implied
                    .into_iter()
                    .map(|event| (event, Some(Arc::clone(&cause)))),
            );
        }
        let count = events.len();
        if let Err(error) = self.desk.apply_batch(now, events).await {
            tracing::error!(error = %error, alarm_events = count,
                "the alarms of a batch of notifications could not be stored");
        }
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
            notification,
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
}
