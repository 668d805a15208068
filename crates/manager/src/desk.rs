//! The alarm desk: the [`AlarmBook`] behind a lock, with every decision stored, then
//! published to subscribers (the response dispatcher, for which the message only says that
//! new decisions wait in the store's `response_pending` table, written in the same
//! transaction as the alarms).

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::alarm::{AlarmBook, AlarmEvent, Decision, Severity};
use crate::event::Notification;
use crate::store::{EventId, Store, StoreError};
use crate::time::Timestamp;

/// The one writer of alarms: applies events in order and stores each decision before the
/// next event is applied.
#[derive(Debug)]
pub struct AlarmDesk {
    book: Mutex<AlarmBook>,
    store: Store,
    subscribers: std::sync::Mutex<Vec<UnboundedSender<Arc<Published>>>>,
    /// Bumped after each group of decisions is stored: a wake-up that holds no decision.
    stored: tokio::sync::watch::Sender<u64>,
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
            stored: tokio::sync::watch::Sender::new(0),
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

    /// Changes each time decisions have been stored, however many: for a subscriber that
    /// reads the decisions back from the store (the response dispatcher reads
    /// `response_pending`), a wake-up whose memory does not grow while it is busy, as an
    /// unbounded channel of decisions with their notifications would under a trap storm.
    pub fn decisions_stored(&self) -> tokio::sync::watch::Receiver<u64> {
        self.stored.subscribe()
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
        let stored = self.store.record_caused(
            now,
            std::slice::from_ref(&decision),
            std::slice::from_ref(&cause),
        );
        if let Err(error) = stored.await {
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

    /// Applies a batch of events at `now`, in order, under one lock of the book, and stores
    /// all their decisions in one transaction (one fsync for the batch, where
    /// [`AlarmDesk::apply_caused`] costs one per event); then publishes them, in order, each
    /// with its cause. The decisions are the ones applying the events one by one would give:
    /// a repeat within the batch counts, a clear after a raise clears it.
    ///
    /// All or nothing: when storing fails, nothing is published, the book is reloaded from
    /// the store so that memory and disk agree again, and the error is returned.
    pub async fn apply_batch(
        &self,
        now: Timestamp,
        events: Vec<(AlarmEvent, Option<Arc<Notification>>)>,
    ) -> Result<Vec<Decision>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let none: &[Notification] = &[];
        let (_, decisions) = self
            .apply_batch_with_events(now, none, events, None)
            .await?;
        Ok(decisions)
    }

    /// [`AlarmDesk::apply_batch`], storing `notifications` as events in the same
    /// transaction as the decisions ([`Store::insert_events_and_decisions`]): a crash leaves
    /// either the events and their alarms or neither. Returns the events' ids, in order, and
    /// the decisions. `mark`: the intake journal record the notifications reach
    /// ([`Store::insert_events_marked`]).
    pub async fn apply_batch_with_events<N: std::borrow::Borrow<Notification> + Sync>(
        &self,
        now: Timestamp,
        notifications: &[N],
        events: Vec<(AlarmEvent, Option<Arc<Notification>>)>,
        mark: Option<u64>,
    ) -> Result<(Vec<EventId>, Vec<Decision>), StoreError> {
        let mut book = self.book.lock().await;
        let mut decisions = Vec::with_capacity(events.len());
        let mut causes = Vec::with_capacity(events.len());
        for (event, cause) in events {
            decisions.push(book.apply(now, event));
            causes.push(cause);
        }
        let stored = if notifications.is_empty() {
            self.store
                .record_caused(now, &decisions, &causes)
                .await
                .map(|()| Vec::new())
        } else {
            self.store
                .insert_events_and_decisions(notifications, now, &decisions, &causes, mark)
                .await
        };
        let ids = match stored {
            Ok(ids) => ids,
            Err(error) => {
                if let (Ok(open), Ok(next)) = (
                    self.store.open_alarms().await,
                    self.store.next_alarm_id().await,
                ) {
                    *book = AlarmBook::with_open(open, next);
                }
                return Err(error);
            }
        };
        // Published under the book's lock, so subscribers see decisions in the stored order.
        self.publish_all(now, decisions.iter().zip(causes));
        Ok((ids, decisions))
    }

    fn publish(&self, at: Timestamp, decision: &Decision, cause: Option<Arc<Notification>>) {
        self.publish_all(at, std::iter::once((decision, cause)));
    }

    fn publish_all<'a>(
        &self,
        at: Timestamp,
        decisions: impl Iterator<Item = (&'a Decision, Option<Arc<Notification>>)>,
    ) {
        self.stored
            .send_modify(|version| *version = version.wrapping_add(1));
        let Ok(mut subscribers) = self.subscribers.lock() else {
            return;
        };
        for (decision, cause) in decisions {
            if subscribers.is_empty() {
                return;
            }
            if matches!(decision, Decision::Unchanged(_)) {
                continue;
            }
            let published = Arc::new(Published {
                at,
                decision: decision.clone(),
                cause,
            });
            subscribers.retain(|s| s.send(Arc::clone(&published)).is_ok());
        }
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

    fn clear(key: &str) -> AlarmEvent {
        AlarmEvent::Clear {
            key: AlarmKey::new(key),
            reason: "up".into(),
        }
    }

    async fn desk(dir: &std::path::Path) -> (AlarmDesk, Store) {
        std::fs::create_dir_all(dir).unwrap();
        let store = Store::open(&dir.join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        (AlarmDesk::load(store.clone()).await.unwrap(), store)
    }

    fn cause(n: i64) -> Option<Arc<Notification>> {
        let notification = Notification::from_v2(
            Timestamp(n),
            "192.0.2.1:162".parse().unwrap(),
            vigie_snmp::Version::V2c,
            crate::event::NotificationKind::Trap,
            "comm1",
            &[vigie_snmp::VarBind {
                name: "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                value: vigie_snmp::Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.3".parse().unwrap()),
            }],
        )
        .unwrap();
        Some(Arc::new(notification))
    }

    #[tokio::test]
    async fn a_batch_decides_in_order_counts_repeats_and_clears_what_it_raised() {
        let dir = tempfile::tempdir().unwrap();
        let (desk, store) = desk(dir.path()).await;
        let decisions = desk
            .apply_batch(
                Timestamp(5),
                vec![
                    (raise("a"), None),
                    (raise("b"), None),
                    (raise("a"), None),
                    (clear("a"), None),
                    (clear("a"), None),
                ],
            )
            .await
            .unwrap();
        assert_eq!(decisions.len(), 5);
        let Decision::Raised(a) = &decisions[0] else {
            panic!("first raise opens: {:?}", decisions[0]);
        };
        let Decision::Raised(b) = &decisions[1] else {
            panic!("b opens: {:?}", decisions[1]);
        };
        assert_eq!(
            (a.id, b.id),
            (crate::alarm::AlarmId(1), crate::alarm::AlarmId(2))
        );
        let Decision::Repeated(again) = &decisions[2] else {
            panic!("a repeat within the batch: {:?}", decisions[2]);
        };
        assert_eq!((again.id, again.count), (a.id, 2));
        let Decision::Cleared(cleared) = &decisions[3] else {
            panic!("the clear after the raise: {:?}", decisions[3]);
        };
        assert_eq!((cleared.id, cleared.count), (a.id, 2));
        assert!(matches!(decisions[4], Decision::Unchanged(_)));

        // Stored as decided: a cleared after two raises, b open, every step in the history.
        let stored_a = store.alarm(a.id).await.unwrap().unwrap();
        assert_eq!(stored_a.state, crate::alarm::AlarmState::Cleared);
        assert_eq!(stored_a.count, 2);
        let actions: Vec<String> = store
            .alarm_history(a.id)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| entry.action)
            .collect();
        assert_eq!(actions, ["raised", "repeated", "cleared"]);
        let open = store.open_alarms().await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, b.id);
        // The book agrees: the next raise of a opens a new alarm.
        let Ok(Decision::Raised(next)) = desk.apply(Timestamp(6), raise("a")).await else {
            panic!("a new alarm after the clear");
        };
        assert_eq!(next.id, crate::alarm::AlarmId(3));
    }

    #[tokio::test]
    async fn a_batch_publishes_its_decisions_in_order_with_their_causes() {
        let dir = tempfile::tempdir().unwrap();
        let (desk, _store) = desk(dir.path()).await;
        let mut published = desk.subscribe();
        desk.apply(Timestamp(1), raise("before")).await.unwrap();
        desk.apply_batch(
            Timestamp(2),
            vec![
                (raise("a"), cause(1)),
                (clear("nothing"), cause(2)),
                (raise("a"), cause(3)),
                (clear("a"), cause(4)),
            ],
        )
        .await
        .unwrap();
        desk.apply(Timestamp(3), raise("after")).await.unwrap();
        let mut seen = Vec::new();
        while let Ok(decision) = published.try_recv() {
            let cause = decision.cause.as_ref().map(|c| c.received_at.0);
            seen.push((decision.decision.action().unwrap(), decision.at.0, cause));
        }
        assert_eq!(
            seen,
            [
                ("raised", 1, None),
                ("raised", 2, Some(1)),
                ("repeated", 2, Some(3)),
                ("cleared", 2, Some(4)),
                ("raised", 3, None),
            ],
            "the unchanged clear is not published"
        );
    }

    #[tokio::test]
    async fn a_batch_stores_what_applying_one_by_one_stores() {
        let events = || {
            vec![
                raise("a"),
                raise("b"),
                raise("a"),
                clear("b"),
                raise("b"),
                AlarmEvent::Ack {
                    id: crate::alarm::AlarmId(1),
                    user: "admin".into(),
                },
                raise("a"),
                clear("c"),
            ]
        };
        let dir = tempfile::tempdir().unwrap();
        let (batched, batched_store) = desk(&dir.path().join("batched")).await;
        let (single, single_store) = desk(&dir.path().join("single")).await;
        let from_batch = batched
            .apply_batch(
                Timestamp(9),
                events().into_iter().map(|e| (e, None)).collect(),
            )
            .await
            .unwrap();
        let mut one_by_one = Vec::new();
        for event in events() {
            one_by_one.push(single.apply(Timestamp(9), event).await.unwrap());
        }
        assert_eq!(from_batch, one_by_one);
        let all = crate::store::AlarmFilter::default();
        let stored = batched_store.alarms(&all).await.unwrap();
        assert_eq!(stored, single_store.alarms(&all).await.unwrap());
        assert_eq!(stored.len(), 3);
        for alarm in &stored {
            assert_eq!(
                batched_store.alarm_history(alarm.id).await.unwrap(),
                single_store.alarm_history(alarm.id).await.unwrap()
            );
        }
    }

    #[tokio::test]
    async fn a_failed_batch_publishes_nothing_and_reloads_the_book() {
        let dir = tempfile::tempdir().unwrap();
        let (first, store) = desk(dir.path()).await;
        let second = AlarmDesk::load(store.clone()).await.unwrap();
        let mut published = second.subscribe();
        first.apply(Timestamp(1), raise("k")).await.unwrap();
        // The stale desk opens "k" again in the batch: the database refuses the whole batch.
        assert!(
            second
                .apply_batch(Timestamp(2), vec![(raise("x"), None), (raise("k"), None)])
                .await
                .is_err()
        );
        assert!(
            published.try_recv().is_err(),
            "nothing stored, nothing published"
        );
        assert_eq!(store.open_alarms().await.unwrap().len(), 1);
        let Ok(decisions) = second
            .apply_batch(Timestamp(3), vec![(raise("k"), None), (raise("x"), None)])
            .await
        else {
            panic!("the reloaded book agrees with the store");
        };
        assert!(matches!(&decisions[0], Decision::Repeated(alarm) if alarm.count == 2));
        assert!(matches!(decisions[1], Decision::Raised(_)));
        assert_eq!(published.try_recv().unwrap().decision, decisions[0]);
    }
}
