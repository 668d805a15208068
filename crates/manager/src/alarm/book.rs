//! The open alarms and the transitions between alarm states.

use std::collections::HashMap;

use crate::alarm::{Alarm, AlarmEvent, AlarmId, AlarmKey, AlarmState, Raise, Severity};
use crate::time::Timestamp;

/// The open alarms (active or acknowledged), at most one per [`AlarmKey`].
///
/// Cleared alarms leave the book: they are history, kept by the store. The book allocates
/// alarm ids itself, so that it stays the single writer; after a restart,
/// [`AlarmBook::with_open`] rebuilds it from the store's open alarms and next id.
#[derive(Debug, Clone)]
pub struct AlarmBook {
    open: HashMap<AlarmKey, Alarm>,
    keys: HashMap<AlarmId, AlarmKey>,
    next_id: i64,
}

/// What applying an [`AlarmEvent`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A new alarm was opened.
    Raised(Alarm),
    /// An open alarm was raised again: its count, text, severity and last-seen time changed.
    Repeated(Alarm),
    /// An operator acknowledged an open alarm.
    Acknowledged(Alarm),
    /// An open alarm was cleared, and left the book.
    Cleared(Alarm),
    /// Nothing changed, and why.
    Unchanged(Unchanged),
}

/// Why an event changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchanged {
    /// A clear for a key with no open alarm (a linkUp without a linkDown, or a second clear).
    NothingToClear(AlarmKey),
    /// An acknowledgement or manual clear of an id that is not open (unknown or cleared).
    NotOpen(AlarmId),
    /// An acknowledgement of an alarm already acknowledged.
    AlreadyAcknowledged(AlarmId),
}

impl AlarmBook {
    /// An empty book whose first alarm gets id 1.
    pub fn new() -> Self {
        Self {
            open: HashMap::new(),
            keys: HashMap::new(),
            next_id: 1,
        }
    }

    /// A book holding the open alarms among `alarms`, allocating ids from `next_id` (or past
    /// the highest id given, if that is larger). Of two open alarms with one key, the one
    /// with the higher id is kept.
    pub fn with_open(alarms: impl IntoIterator<Item = Alarm>, next_id: AlarmId) -> Self {
        let mut book = Self::new();
        book.next_id = next_id.0.max(1);
        for alarm in alarms {
            book.next_id = book.next_id.max(alarm.id.0.saturating_add(1));
            if !alarm.state.is_open() {
                continue;
            }
            if let Some(kept) = book.open.get(&alarm.key) {
                if kept.id > alarm.id {
                    continue;
                }
                book.keys.remove(&kept.id);
            }
            book.keys.insert(alarm.id, alarm.key.clone());
            book.open.insert(alarm.key.clone(), alarm);
        }
        book
    }

    /// Applies one event at time `now`.
    pub fn apply(&mut self, now: Timestamp, event: AlarmEvent) -> Decision {
        match event {
            AlarmEvent::Raise(raise) if raise.severity == Severity::Cleared => {
                let reason = raise.text;
                self.clear(now, &raise.key, reason)
            }
            AlarmEvent::Raise(raise) => self.raise(now, raise),
            AlarmEvent::Clear { key, reason } => self.clear(now, &key, reason),
            AlarmEvent::Ack { id, user } => self.acknowledge(now, id, user),
            AlarmEvent::ClearById { id, user } => {
                let Some(key) = self.keys.get(&id).cloned() else {
                    return Decision::Unchanged(Unchanged::NotOpen(id));
                };
                self.clear(now, &key, user)
            }
        }
    }

    /// The open alarms, in no particular order.
    pub fn open(&self) -> impl Iterator<Item = &Alarm> {
        self.open.values()
    }

    /// The open alarm with this id.
    pub fn get(&self, id: AlarmId) -> Option<&Alarm> {
        self.keys.get(&id).and_then(|key| self.open.get(key))
    }

    /// The open alarm with this key.
    pub fn by_key(&self, key: &AlarmKey) -> Option<&Alarm> {
        self.open.get(key)
    }

    /// How many open alarms there are of each severity, from `Info` to `Critical`.
    pub fn count_by_severity(&self) -> [(Severity, usize); 5] {
        let mut counts = [
            (Severity::Info, 0),
            (Severity::Warning, 0),
            (Severity::Minor, 0),
            (Severity::Major, 0),
            (Severity::Critical, 0),
        ];
        for alarm in self.open.values() {
            if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == alarm.severity) {
                entry.1 += 1;
            }
        }
        counts
    }

    /// How many alarms are open.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether no alarm is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The id the next new alarm will get.
    pub fn next_id(&self) -> AlarmId {
        AlarmId(self.next_id)
    }

    fn raise(&mut self, now: Timestamp, raise: Raise) -> Decision {
        if let Some(alarm) = self.open.get_mut(&raise.key) {
            // An escalation needs a fresh look even if the milder fault was acknowledged.
            if raise.severity > alarm.severity && alarm.state == AlarmState::Acknowledged {
                alarm.state = AlarmState::Active;
                alarm.acknowledged_by = None;
                alarm.acknowledged_at = None;
            }
            alarm.count = alarm.count.saturating_add(1);
            alarm.severity = raise.severity;
            alarm.last_seen = alarm.last_seen.max(now);
            alarm.text = raise.text;
            return Decision::Repeated(alarm.clone());
        }
        let id = AlarmId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        let alarm = Alarm {
            id,
            key: raise.key,
            device: raise.device,
            source: raise.source,
            severity: raise.severity,
            state: AlarmState::Active,
            count: 1,
            first_seen: now,
            last_seen: now,
            text: raise.text,
            acknowledged_by: None,
            acknowledged_at: None,
            cleared_by: None,
            cleared_at: None,
        };
        self.keys.insert(id, alarm.key.clone());
        self.open.insert(alarm.key.clone(), alarm.clone());
        Decision::Raised(alarm)
    }

    fn clear(&mut self, now: Timestamp, key: &AlarmKey, by: String) -> Decision {
        let Some(mut alarm) = self.open.remove(key) else {
            return Decision::Unchanged(Unchanged::NothingToClear(key.clone()));
        };
        self.keys.remove(&alarm.id);
        alarm.state = AlarmState::Cleared;
        alarm.cleared_by = Some(by);
        alarm.cleared_at = Some(now);
        Decision::Cleared(alarm)
    }

    fn acknowledge(&mut self, now: Timestamp, id: AlarmId, user: String) -> Decision {
        let Some(alarm) = self.keys.get(&id).and_then(|key| self.open.get_mut(key)) else {
            return Decision::Unchanged(Unchanged::NotOpen(id));
        };
        if alarm.state == AlarmState::Acknowledged {
            return Decision::Unchanged(Unchanged::AlreadyAcknowledged(id));
        }
        alarm.state = AlarmState::Acknowledged;
        alarm.acknowledged_by = Some(user);
        alarm.acknowledged_at = Some(now);
        Decision::Acknowledged(alarm.clone())
    }
}

impl Default for AlarmBook {
    fn default() -> Self {
        Self::new()
    }
}

impl Decision {
    /// The alarm the decision is about, unless nothing changed.
    pub fn alarm(&self) -> Option<&Alarm> {
        match self {
            Self::Raised(alarm)
            | Self::Repeated(alarm)
            | Self::Acknowledged(alarm)
            | Self::Cleared(alarm) => Some(alarm),
            Self::Unchanged(_) => None,
        }
    }

    /// The history action name of the decision (`raised`, `repeated`, `acknowledged`,
    /// `cleared`), unless nothing changed.
    pub fn action(&self) -> Option<&'static str> {
        Some(match self {
            Self::Raised(_) => "raised",
            Self::Repeated(_) => "repeated",
            Self::Acknowledged(_) => "acknowledged",
            Self::Cleared(_) => "cleared",
            Self::Unchanged(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::alarm::Source;

    fn raise(key: &str, severity: Severity) -> AlarmEvent {
        AlarmEvent::Raise(Raise {
            key: AlarmKey::new(key),
            device: "192.0.2.1".into(),
            source: Source::Trap,
            severity,
            text: format!("{key} {}", severity.name()),
        })
    }

    fn clear(key: &str) -> AlarmEvent {
        AlarmEvent::Clear {
            key: AlarmKey::new(key),
            reason: "linkUp".into(),
        }
    }

    #[test]
    fn repeats_count_instead_of_opening_new_alarms() {
        let mut book = AlarmBook::new();
        let Decision::Raised(first) = book.apply(Timestamp(10), raise("a", Severity::Major)) else {
            panic!("first raise opens an alarm");
        };
        assert_eq!(
            (first.id, first.count, first.state),
            (AlarmId(1), 1, AlarmState::Active)
        );
        let Decision::Repeated(again) = book.apply(Timestamp(20), raise("a", Severity::Major))
        else {
            panic!("second raise repeats");
        };
        assert_eq!(again.id, first.id);
        assert_eq!(again.count, 2);
        assert_eq!(
            (again.first_seen, again.last_seen),
            (Timestamp(10), Timestamp(20))
        );
        assert_eq!(book.len(), 1);
    }

    #[test]
    fn clear_closes_and_a_new_raise_opens_a_new_alarm() {
        let mut book = AlarmBook::new();
        book.apply(Timestamp(1), raise("a", Severity::Major));
        let Decision::Cleared(cleared) = book.apply(Timestamp(2), clear("a")) else {
            panic!("clear closes the alarm");
        };
        assert_eq!(cleared.state, AlarmState::Cleared);
        assert_eq!(cleared.cleared_by.as_deref(), Some("linkUp"));
        assert_eq!(cleared.cleared_at, Some(Timestamp(2)));
        assert!(book.is_empty());
        assert_eq!(
            book.apply(Timestamp(3), clear("a")),
            Decision::Unchanged(Unchanged::NothingToClear(AlarmKey::new("a")))
        );
        let Decision::Raised(next) = book.apply(Timestamp(4), raise("a", Severity::Major)) else {
            panic!("a raise after a clear opens a new alarm");
        };
        assert_eq!(next.id, AlarmId(2));
    }

    #[test]
    fn a_cleared_severity_raise_is_a_clear() {
        let mut book = AlarmBook::new();
        book.apply(Timestamp(1), raise("a", Severity::Minor));
        assert!(matches!(
            book.apply(Timestamp(2), raise("a", Severity::Cleared)),
            Decision::Cleared(_)
        ));
    }

    #[test]
    fn acknowledge_then_escalation_reactivates() {
        let mut book = AlarmBook::new();
        book.apply(Timestamp(1), raise("a", Severity::Minor));
        let ack = AlarmEvent::Ack {
            id: AlarmId(1),
            user: "admin".into(),
        };
        let Decision::Acknowledged(acked) = book.apply(Timestamp(2), ack.clone()) else {
            panic!("ack of an open alarm");
        };
        assert_eq!(acked.acknowledged_by.as_deref(), Some("admin"));
        assert_eq!(
            book.apply(Timestamp(3), ack),
            Decision::Unchanged(Unchanged::AlreadyAcknowledged(AlarmId(1)))
        );
        let Decision::Repeated(same) = book.apply(Timestamp(4), raise("a", Severity::Minor)) else {
            panic!("repeat");
        };
        assert_eq!(same.state, AlarmState::Acknowledged);
        let Decision::Repeated(worse) = book.apply(Timestamp(5), raise("a", Severity::Critical))
        else {
            panic!("repeat");
        };
        assert_eq!(worse.state, AlarmState::Active);
        assert_eq!(worse.severity, Severity::Critical);
        assert_eq!(worse.acknowledged_by, None);
    }

    #[test]
    fn manual_clear_and_unknown_ids() {
        let mut book = AlarmBook::new();
        book.apply(Timestamp(1), raise("a", Severity::Minor));
        let by_hand = |id| AlarmEvent::ClearById {
            id: AlarmId(id),
            user: "admin".into(),
        };
        assert_eq!(
            book.apply(Timestamp(2), by_hand(7)),
            Decision::Unchanged(Unchanged::NotOpen(AlarmId(7)))
        );
        let Decision::Cleared(cleared) = book.apply(Timestamp(2), by_hand(1)) else {
            panic!("manual clear");
        };
        assert_eq!(cleared.cleared_by.as_deref(), Some("admin"));
        assert_eq!(
            book.apply(Timestamp(3), by_hand(1)),
            Decision::Unchanged(Unchanged::NotOpen(AlarmId(1)))
        );
    }

    #[test]
    fn rebuilt_book_continues_ids_and_keeps_open_alarms_only() {
        let mut book = AlarmBook::new();
        book.apply(Timestamp(1), raise("a", Severity::Minor));
        book.apply(Timestamp(1), raise("b", Severity::Major));
        let Decision::Cleared(b) = book.apply(Timestamp(2), clear("b")) else {
            panic!("clear b");
        };
        let open: Vec<Alarm> = book.open().cloned().chain([b]).collect();
        let mut rebuilt = AlarmBook::with_open(open, AlarmId(1));
        assert_eq!(rebuilt.len(), 1);
        assert_eq!(rebuilt.next_id(), AlarmId(3));
        assert!(matches!(
            rebuilt.apply(Timestamp(3), raise("a", Severity::Minor)),
            Decision::Repeated(_)
        ));
        assert_eq!(rebuilt.count_by_severity()[2], (Severity::Minor, 1));
    }

    fn event() -> impl Strategy<Value = AlarmEvent> {
        let key = prop::sample::select(vec!["a", "b", "c"]);
        let severity = prop::sample::select(Severity::ALL.to_vec());
        prop_oneof![
            (key.clone(), severity).prop_map(|(k, s)| raise(k, s)),
            key.prop_map(clear),
            (1..8_i64).prop_map(|id| AlarmEvent::Ack {
                id: AlarmId(id),
                user: "u".into()
            }),
            (1..8_i64).prop_map(|id| AlarmEvent::ClearById {
                id: AlarmId(id),
                user: "u".into()
            }),
        ]
    }

    proptest! {
        #[test]
        fn at_most_one_open_alarm_per_key(events in prop::collection::vec(event(), 0..60)) {
            let mut book = AlarmBook::new();
            let mut ids_seen = std::collections::HashSet::new();
            for (t, event) in events.into_iter().enumerate() {
                let now = Timestamp(i64::try_from(t).unwrap());
                let decision = book.apply(now, event);
                if let Decision::Raised(alarm) = &decision {
                    // Ids are never reused.
                    prop_assert!(ids_seen.insert(alarm.id));
                }
                let mut keys: Vec<&AlarmKey> = book.open().map(|a| &a.key).collect();
                let open = keys.len();
                keys.sort();
                keys.dedup();
                prop_assert_eq!(keys.len(), open);
                for alarm in book.open() {
                    prop_assert!(alarm.state.is_open());
                    prop_assert!(alarm.count >= 1);
                    prop_assert!(alarm.first_seen <= alarm.last_seen);
                    prop_assert_eq!(book.get(alarm.id), Some(alarm));
                }
            }
        }
    }
}
