//! Grouping and throttling of a rule's notifications, in the Alertmanager sense (pure).
//!
//! Alarms a rule fires for are gathered in groups by the [`GroupLabel`]s of the rule's
//! [`Grouping`]. A new group waits `group_wait` before its first notification, so that the
//! alarms of one incident (or the twenty flaps of one link) arrive together; later changes
//! wait `group_interval` after the previous notification; a group whose alarms are still
//! firing and unchanged is sent again every `repeat_interval`. Time is an argument: the
//! shell calls [`Grouper::offer`] for each firing, and [`Grouper::poll`] at
//! [`Grouper::next_deadline`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::alarm::{Alarm, AlarmKey};
use crate::rules::{Change, alarm_type};
use crate::time::Timestamp;

/// How a rule's notifications are grouped and throttled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Grouping {
    /// What tells one group from another. Default: device and alarm type, so all the
    /// interfaces of one router going down make one mail.
    pub group_by: Vec<GroupLabel>,
    /// How long a new group waits for more alarms before its first notification, in
    /// seconds. Default: 30 s.
    #[serde(with = "seconds")]
    pub group_wait: Duration,
    /// How long a group waits after a notification before it notifies changes, in seconds.
    /// Default: 5 min.
    #[serde(with = "seconds")]
    pub group_interval: Duration,
    /// How often a group with alarms still firing, and no change, is notified again, in
    /// seconds. Default: 4 h.
    #[serde(with = "seconds")]
    pub repeat_interval: Duration,
}

impl Default for Grouping {
    fn default() -> Self {
        Self {
            group_by: vec![GroupLabel::Device, GroupLabel::AlarmType],
            group_wait: Duration::from_secs(30),
            group_interval: Duration::from_secs(5 * 60),
            repeat_interval: Duration::from_secs(4 * 3_600),
        }
    }
}

impl Grouping {
    /// No wait and no grouping beyond the alarm itself: every change notified at once
    /// (repeats still every `repeat_interval`).
    pub fn immediate() -> Self {
        Self {
            group_by: vec![GroupLabel::AlarmKey],
            group_wait: Duration::ZERO,
            group_interval: Duration::ZERO,
            ..Self::default()
        }
    }
}

/// What an alarm is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupLabel {
    /// The device's name.
    Device,
    /// The alarm's type (`linkDown`).
    AlarmType,
    /// The alarm's key: one group per alarm.
    AlarmKey,
    /// The alarm's severity.
    Severity,
}

/// One alarm of a group, as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupedAlert<T> {
    /// The alarm after its last decision.
    pub alarm: Alarm,
    /// Its last change.
    pub change: Change,
    /// Whether it is open (raised or repeated) rather than cleared.
    pub firing: bool,
    /// How many times it went from cleared to firing or back since the last notification
    /// (1 for a plain raise; 20 for a link that flapped twenty times).
    pub transitions: u32,
    /// What the shell attached to its last firing (the notification's facts).
    pub payload: T,
}

/// Why a group is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchReason {
    /// The group's first notification.
    New,
    /// Alarms were added, raised again after a clear, or cleared.
    Update,
    /// Nothing changed, but alarms still fire after `repeat_interval`.
    Repeat,
}

/// One notification of a group: what the rule's actions render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch<T> {
    /// The rule.
    pub rule: String,
    /// The group's label values, e.g. `core-1/linkDown`.
    pub group: String,
    /// Why now.
    pub reason: BatchReason,
    /// The group's alarms, firing and just cleared, in key order.
    pub alerts: Vec<GroupedAlert<T>>,
}

/// The groups of every rule.
#[derive(Debug, Clone)]
pub struct Grouper<T> {
    groups: BTreeMap<(String, String), Group<T>>,
}

#[derive(Debug, Clone)]
struct Group<T> {
    grouping: Grouping,
    /// Sorted by alarm key. Most groups hold one alarm or a few (the default grouping is per
    /// device and alarm type), and a group lives as long as its alarms fire: a vector sized
    /// to its alarms costs a fraction of a map's node of eleven.
    alerts: Vec<GroupedAlert<T>>,
    created: Timestamp,
    changed: bool,
    last_flush: Option<Timestamp>,
}

impl<T: Clone> Grouper<T> {
    /// No group.
    pub fn new() -> Self {
        Self {
            groups: BTreeMap::new(),
        }
    }

    /// Records that `rule` (grouped by `grouping`) fired at `now` for `alarm` after `change`.
    pub fn offer(
        &mut self,
        now: Timestamp,
        rule: &str,
        grouping: &Grouping,
        change: Change,
        alarm: &Alarm,
        payload: T,
    ) {
        let id = (rule.to_owned(), group_key(grouping, alarm));
        let group = self.groups.entry(id).or_insert_with(|| Group {
            grouping: grouping.clone(),
            alerts: Vec::new(),
            created: now,
            changed: false,
            last_flush: None,
        });
        let firing = change != Change::Cleared;
        match group.position(&alarm.key) {
            Ok(at) => {
                let alert = &mut group.alerts[at];
                if alert.firing != firing {
                    alert.transitions = alert.transitions.saturating_add(1);
                    group.changed = true;
                }
                alert.alarm = alarm.clone();
                alert.change = change;
                alert.firing = firing;
                alert.payload = payload;
            }
            Err(at) => {
                group.alerts.insert(
                    at,
                    GroupedAlert {
                        alarm: alarm.clone(),
                        change,
                        firing,
                        transitions: 1,
                        payload,
                    },
                );
                group.changed = true;
            }
        }
    }

    /// Forgets `alarm` in `rule`'s group without notifying (a clear the rule does not
    /// report). The group goes when it holds nothing more.
    pub fn forget(&mut self, rule: &str, grouping: &Grouping, alarm: &Alarm) {
        let id = (rule.to_owned(), group_key(grouping, alarm));
        if let Some(group) = self.groups.get_mut(&id) {
            if let Ok(at) = group.position(&alarm.key) {
                group.alerts.remove(at);
            }
            if group.alerts.is_empty() {
                self.groups.remove(&id);
            }
        }
    }

    /// The batches due at `now`: each due group's alarms. Cleared alarms leave their group
    /// once notified; empty groups go.
    pub fn poll(&mut self, now: Timestamp) -> Vec<Batch<T>> {
        let mut batches = Vec::new();
        self.groups.retain(|(rule, group_name), group| {
            if group.deadline().is_some_and(|due| due <= now) {
                let reason = match (group.changed, group.last_flush) {
                    (true, None) => BatchReason::New,
                    (true, Some(_)) => BatchReason::Update,
                    (false, _) => BatchReason::Repeat,
                };
                batches.push(Batch {
                    rule: rule.clone(),
                    group: group_name.clone(),
                    reason,
                    alerts: group.alerts.clone(),
                });
                group.alerts.retain(|alert| alert.firing);
                group.alerts.shrink_to_fit();
                for alert in &mut group.alerts {
                    alert.transitions = 0;
                }
                group.changed = false;
                group.last_flush = Some(now);
            }
            !group.alerts.is_empty()
        });
        batches
    }

    /// When [`Grouper::poll`] next has something to do.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.groups.values().filter_map(Group::deadline).min()
    }

    /// How many groups are held.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no group is held.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

impl<T: Clone> Default for Grouper<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Group<T> {
    /// Where `key`'s alert is, or would go.
    fn position(&self, key: &AlarmKey) -> Result<usize, usize> {
        self.alerts
            .binary_search_by(|alert| alert.alarm.key.cmp(key))
    }

    fn deadline(&self) -> Option<Timestamp> {
        let after = |at: Timestamp, wait: Duration| {
            Timestamp(at.0.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)))
        };
        match (self.changed, self.last_flush) {
            (true, None) => Some(after(self.created, self.grouping.group_wait)),
            (true, Some(last)) => Some(after(last, self.grouping.group_interval)),
            (false, Some(last)) if self.alerts.iter().any(|a| a.firing) => {
                Some(after(last, self.grouping.repeat_interval))
            }
            (false, _) => None,
        }
    }
}

/// The group's label values, joined by `/`.
fn group_key(grouping: &Grouping, alarm: &Alarm) -> String {
    grouping
        .group_by
        .iter()
        .map(|label| match label {
            GroupLabel::Device => alarm.device.as_str(),
            GroupLabel::AlarmType => alarm_type(alarm),
            GroupLabel::AlarmKey => alarm.key.as_str(),
            GroupLabel::Severity => alarm.severity.name(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Durations as seconds (fractions allowed) in configuration and JSON.
mod seconds {
    use super::{Deserialize, Deserializer, Duration, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(value.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(seconds).map_err(|_| {
            serde::de::Error::custom(format!(
                "{seconds} is not a duration in seconds (0 or more)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::alarm::Severity;
    use crate::rules::tests::alarm;

    fn grouping(wait: u64, interval: u64, repeat: u64) -> Grouping {
        Grouping {
            group_by: vec![GroupLabel::Device, GroupLabel::AlarmType],
            group_wait: Duration::from_secs(wait),
            group_interval: Duration::from_secs(interval),
            repeat_interval: Duration::from_secs(repeat),
        }
    }

    const S: i64 = 1_000;

    #[test]
    fn a_flapping_link_sends_one_notification() {
        let g = grouping(30, 300, 3_600);
        let mut grouper = Grouper::new();
        let down = alarm("linkDown/r1/3", "r1", Severity::Major);
        for i in 0..20 {
            let change = if i % 2 == 0 {
                Change::Raised
            } else {
                Change::Cleared
            };
            grouper.offer(Timestamp(i * S), "links", &g, change, &down, i);
            assert!(
                grouper.poll(Timestamp(i * S)).is_empty(),
                "waits group_wait"
            );
        }
        assert_eq!(grouper.next_deadline(), Some(Timestamp(30 * S)));
        let batches = grouper.poll(Timestamp(30 * S));
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!(
            (batch.rule.as_str(), batch.group.as_str()),
            ("links", "r1/linkDown")
        );
        assert_eq!(batch.reason, BatchReason::New);
        assert_eq!(batch.alerts.len(), 1);
        assert_eq!(batch.alerts[0].transitions, 20);
        assert!(!batch.alerts[0].firing, "the last flap was a clear");
        assert_eq!(batch.alerts[0].payload, 19);
        assert!(
            grouper.is_empty(),
            "a cleared alarm leaves its group once notified"
        );
    }

    #[test]
    fn changes_wait_the_group_interval_and_firing_groups_repeat() {
        let g = grouping(10, 60, 600);
        let mut grouper = Grouper::new();
        let a = alarm("linkDown/r1/1", "r1", Severity::Major);
        let b = alarm("linkDown/r1/2", "r1", Severity::Major);
        grouper.offer(Timestamp(0), "links", &g, Change::Raised, &a, ());
        grouper.offer(Timestamp(5 * S), "links", &g, Change::Raised, &b, ());
        let first = grouper.poll(Timestamp(10 * S));
        assert_eq!(first.len(), 1);
        assert_eq!(
            first[0].alerts.len(),
            2,
            "both interfaces in one notification"
        );
        // A repeat of a firing alarm is no change.
        grouper.offer(Timestamp(20 * S), "links", &g, Change::Repeated, &a, ());
        assert_eq!(grouper.next_deadline(), Some(Timestamp(610 * S)));
        grouper.offer(Timestamp(30 * S), "links", &g, Change::Cleared, &a, ());
        assert!(grouper.poll(Timestamp(69 * S)).is_empty());
        let update = grouper.poll(Timestamp(70 * S));
        assert_eq!(update[0].reason, BatchReason::Update);
        assert_eq!(update[0].alerts.iter().filter(|a| a.firing).count(), 1);
        assert_eq!(grouper.next_deadline(), Some(Timestamp(670 * S)));
        let repeat = grouper.poll(Timestamp(670 * S));
        assert_eq!(repeat[0].reason, BatchReason::Repeat);
        assert_eq!(repeat[0].alerts.len(), 1);
        // Other devices and other rules are other groups.
        let c = alarm("linkDown/r2/1", "r2", Severity::Major);
        grouper.offer(Timestamp(700 * S), "links", &g, Change::Raised, &c, ());
        grouper.offer(Timestamp(700 * S), "other", &g, Change::Raised, &a, ());
        assert_eq!(grouper.len(), 3);
        grouper.forget("other", &g, &a);
        assert_eq!(grouper.len(), 2);
    }

    #[test]
    fn immediate_grouping_notifies_at_once() {
        let mut grouper = Grouper::new();
        let a = alarm("k", "r1", Severity::Major);
        grouper.offer(
            Timestamp(5),
            "r",
            &Grouping::immediate(),
            Change::Raised,
            &a,
            (),
        );
        assert_eq!(grouper.poll(Timestamp(5)).len(), 1);
        grouper.offer(
            Timestamp(6),
            "r",
            &Grouping::immediate(),
            Change::Cleared,
            &a,
            (),
        );
        assert_eq!(grouper.poll(Timestamp(6)).len(), 1);
        assert!(grouper.is_empty());
    }

    #[test]
    fn durations_are_seconds_and_negative_ones_are_refused() {
        let g: Grouping = serde_json::from_str(r#"{"group_wait":0.5}"#).unwrap();
        assert_eq!(g.group_wait, Duration::from_millis(500));
        assert_eq!(g.repeat_interval, Duration::from_secs(14_400));
        assert!(serde_json::from_str::<Grouping>(r#"{"group_wait":-1}"#).is_err());
    }

    proptest! {
        /// Whatever the order of raises and clears within the wait, a group sends at most
        /// one notification per deadline, and never before `group_wait`.
        #[test]
        fn at_most_one_batch_per_group_per_wait(changes in proptest::collection::vec((0u8..4, any::<bool>()), 1..60)) {
            let g = grouping(30, 300, 3_600);
            let mut grouper = Grouper::new();
            let mut sent = 0;
            for (i, (interface, up)) in changes.iter().enumerate() {
                let now = Timestamp(i64::try_from(i).unwrap() * 100);
                let a = alarm(&format!("linkDown/r1/{interface}"), "r1", Severity::Major);
                let change = if *up { Change::Cleared } else { Change::Raised };
                grouper.offer(now, "links", &g, change, &a, ());
                sent += grouper.poll(now).len();
            }
            prop_assert_eq!(sent, 0);
            prop_assert!(grouper.poll(Timestamp(30 * S)).len() <= 1);
        }
    }
}
