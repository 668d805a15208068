//! The alarm desk: the [`AlarmBook`] behind a lock, with every decision stored, then
//! published to subscribers (the response dispatcher).

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::alarm::{AlarmBook, AlarmEvent, Decision, Severity};
use crate::event::Notification;
use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// The one writer of alarms: applies events in order and stores each decision before the
/// next event is applied.
#[derive(Debug)]
pub struct AlarmDesk {
    book: Mutex<AlarmBook>,
    store: Store,
    subscribers: std::sync::Mutex<Vec<UnboundedSender<Arc<Published>>>>,
}

/// A stored decision, as the desk publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// When the event was applied.
    pub at: Timestamp,
    /// What the book decided.
    pub decision: Decision,
    /// The notification that caused it, when a received trap or inform did.
    pub cause: Option<Arc<Notification>>,
}

impl AlarmDesk {
    /// A desk whose book holds the store's open alarms.
    pub async fn load(store: Store) -> Result<Self, StoreError> {
        let book = AlarmBook::with_open(store.open_alarms().await?, store.next_alarm_id().await?);
        Ok(Self {
            book: Mutex::new(book),
            store,
            subscribers: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Every decision stored from now on, in order, with its cause. The channel is
    /// unbounded, so no decision is lost to a slow subscriber; dropping the receiver
    /// unsubscribes.
    pub fn subscribe(&self) -> UnboundedReceiver<Arc<Published>> {
        let (sender, receiver) = unbounded_channel();
        if let Ok(mut subscribers) = self.subscribers.lock() {
            subscribers.push(sender);
        }
        receiver
    }

    /// Applies `event` at `now` and stores the decision.
    ///
    /// When storing fails, the book is reloaded from the store so that memory and disk agree
    /// again, and the error is returned.
    pub async fn apply(&self, now: Timestamp, event: AlarmEvent) -> Result<Decision, StoreError> {
        self.apply_caused(now, event, None).await
    }

    /// [`AlarmDesk::apply`], publishing `cause` (the notification behind the event) with the
    /// decision.
    pub async fn apply_caused(
        &self,
        now: Timestamp,
        event: AlarmEvent,
        cause: Option<Arc<Notification>>,
    ) -> Result<Decision, StoreError> {
        let mut book = self.book.lock().await;
        let decision = book.apply(now, event);
        if let Err(error) = self.store.record(now, &decision).await {
            if let (Ok(open), Ok(next)) = (
                self.store.open_alarms().await,
                self.store.next_alarm_id().await,
            ) {
                *book = AlarmBook::with_open(open, next);
            }
            return Err(error);
        }
        // Published under the book's lock, so subscribers see decisions in the stored order.
        self.publish(now, &decision, cause);
        Ok(decision)
    }

    fn publish(&self, at: Timestamp, decision: &Decision, cause: Option<Arc<Notification>>) {
        if matches!(decision, Decision::Unchanged(_)) {
            return;
        }
        let Ok(mut subscribers) = self.subscribers.lock() else {
            return;
        };
        if subscribers.is_empty() {
            return;
        }
        let published = Arc::new(Published {
            at,
            decision: decision.clone(),
            cause,
        });
        subscribers.retain(|s| s.send(Arc::clone(&published)).is_ok());
    }

    /// How many alarms are open, by severity (see [`AlarmBook::count_by_severity`]).
    pub async fn count_by_severity(&self) -> [(Severity, usize); 5] {
        self.book.lock().await.count_by_severity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{AlarmKey, Raise, Source};
    use crate::store::Durability;

    fn raise(key: &str) -> AlarmEvent {
        AlarmEvent::Raise(Raise {
            key: AlarmKey::new(key),
            device: "r1".into(),
            source: Source::Poll,
            severity: Severity::Critical,
            text: "unreachable".into(),
        })
    }

    #[tokio::test]
    async fn a_failed_write_reloads_the_book_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        // Two desks on one database: the second one's book is stale, as after a failed write.
        let first = AlarmDesk::load(store.clone()).await.unwrap();
        let second = AlarmDesk::load(store.clone()).await.unwrap();
        assert!(matches!(
            first.apply(Timestamp(1), raise("k")).await,
            Ok(Decision::Raised(_))
        ));
        // The stale desk opens a second alarm for the key: the database refuses it...
        assert!(second.apply(Timestamp(2), raise("k")).await.is_err());
        // ...and the desk now agrees with the store: the next raise is a repeat.
        let Ok(Decision::Repeated(alarm)) = second.apply(Timestamp(3), raise("k")).await else {
            panic!("the reloaded book knows the open alarm");
        };
        assert_eq!(alarm.count, 2);
        assert_eq!(second.count_by_severity().await[4], (Severity::Critical, 1));
        assert_eq!(store.open_alarms().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn subscribers_receive_stored_decisions_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let desk = AlarmDesk::load(store).await.unwrap();
        let mut decisions = desk.subscribe();
        desk.apply(Timestamp(1), raise("k")).await.unwrap();
        desk.apply(Timestamp(2), raise("k")).await.unwrap();
        let clear = AlarmEvent::Clear {
            key: AlarmKey::new("other"),
            reason: "up".into(),
        };
        desk.apply(Timestamp(3), clear).await.unwrap();
        let first = decisions.recv().await.unwrap();
        assert!(matches!(first.decision, Decision::Raised(_)));
        assert_eq!(first.at, Timestamp(1));
        assert!(first.cause.is_none());
        assert!(matches!(
            decisions.recv().await.unwrap().decision,
            Decision::Repeated(_)
        ));
        assert!(
            decisions.try_recv().is_err(),
            "nothing changed is not published"
        );
    }
}
