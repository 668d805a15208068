//! When each device is due: a fixed cadence per device, spread over the interval.
//!
//! A device added to the schedule is first due at a random point of its interval, so that
//! ten thousand devices added at once are polled evenly over the minute instead of all in
//! the first second. Afterwards it keeps its cadence: the next poll is due one interval
//! after the previous due time, not after the poll ended, so slow answers do not make a
//! device drift. A device that fell more than an interval behind (the poller was stalled or
//! the device took longer than its interval) is due again at a random point of the next
//! tenth of an interval rather than at once, so that a backlog does not turn into a burst.
//!
//! Pure: the time ([`Millis`]) and the randomness (a `u64`) are arguments.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::store::DeviceId;

/// Milliseconds on the poller's monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub u64);

impl Millis {
    /// This instant plus `duration`, saturating.
    pub fn after(self, duration: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// The time from `earlier` to this instant, zero if `earlier` is later.
    pub fn since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// The due time of every scheduled device.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    queue: BTreeSet<(Millis, DeviceId)>,
    entries: HashMap<DeviceId, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    interval: Duration,
    due: Millis,
    /// Popped and not yet completed: not in the queue.
    running: bool,
}

impl Schedule {
    /// An empty schedule.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `device` with `interval`, first due at `now` plus `random` modulo the interval;
    /// a device already scheduled keeps its due time unless its interval changed.
    pub fn insert(&mut self, device: DeviceId, interval: Duration, now: Millis, random: u64) {
        let interval = interval.max(MIN_INTERVAL);
        if let Some(entry) = self.entries.get_mut(&device) {
            if entry.interval == interval {
                return;
            }
            entry.interval = interval;
            if !entry.running {
                self.queue.remove(&(entry.due, device));
                entry.due = now.after(spread(interval, random));
                self.queue.insert((entry.due, device));
            }
            return;
        }
        let due = now.after(spread(interval, random));
        self.entries.insert(
            device,
            Entry {
                interval,
                due,
                running: false,
            },
        );
        self.queue.insert((due, device));
    }

    /// Removes `device`; a poll in progress is not rescheduled when it completes.
    pub fn remove(&mut self, device: DeviceId) {
        if let Some(entry) = self.entries.remove(&device) {
            self.queue.remove(&(entry.due, device));
        }
    }

    /// The devices scheduled, in no order.
    pub fn devices(&self) -> impl Iterator<Item = DeviceId> + '_ {
        self.entries.keys().copied()
    }

    /// Takes the next device due at or before `now`; it is not due again until
    /// [`completed`](Self::completed).
    pub fn pop_due(&mut self, now: Millis) -> Option<DeviceId> {
        let &(due, device) = self.queue.first()?;
        if due > now {
            return None;
        }
        self.queue.remove(&(due, device));
        if let Some(entry) = self.entries.get_mut(&device) {
            entry.running = true;
        }
        Some(device)
    }

    /// Reschedules `device` after a poll that ended at `now`: one interval after its last
    /// due time, or, if that is already past, at a random point of the next tenth of an
    /// interval.
    pub fn completed(&mut self, device: DeviceId, now: Millis, random: u64) {
        let Some(entry) = self.entries.get_mut(&device) else {
            return;
        };
        if !entry.running {
            return;
        }
        entry.running = false;
        let next = entry.due.after(entry.interval);
        entry.due = if next > now {
            next
        } else {
            now.after(spread(entry.interval / CATCH_UP_FRACTION, random))
        };
        self.queue.insert((entry.due, device));
    }

    /// When the next device is due, if any is waiting.
    pub fn next_due(&self) -> Option<Millis> {
        self.queue.first().map(|&(due, _)| due)
    }
}

/// `random` modulo `interval`, in milliseconds.
fn spread(interval: Duration, random: u64) -> Duration {
    let millis = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis(random % millis)
}

/// A device behind schedule is due again within this fraction of its interval.
const CATCH_UP_FRACTION: u32 = 10;
/// No device is polled more often than this, whatever its configuration says.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn new_devices_are_spread_over_their_interval() {
        let mut schedule = Schedule::new();
        for id in 0_u64..100 {
            schedule.insert(
                DeviceId(i64::try_from(id).unwrap()),
                MINUTE,
                Millis(0),
                id * 600 + 7,
            );
        }
        // Nothing is due at once but the first; all are due within the minute.
        assert_eq!(schedule.pop_due(Millis(6)), None);
        let mut popped = 0;
        let mut last = Millis(0);
        while let Some(due) = schedule.next_due() {
            assert!(due >= last && due < Millis(60_000));
            last = due;
            assert!(schedule.pop_due(due).is_some());
            popped += 1;
        }
        assert_eq!(popped, 100);
    }

    #[test]
    fn the_cadence_does_not_drift_with_slow_polls() {
        let mut schedule = Schedule::new();
        schedule.insert(DeviceId(1), MINUTE, Millis(0), 1_000);
        assert_eq!(schedule.pop_due(Millis(1_000)), Some(DeviceId(1)));
        // Not due again while it runs.
        assert_eq!(schedule.next_due(), None);
        // The poll took 3 s: the next is still due at 61 s.
        schedule.completed(DeviceId(1), Millis(4_000), 99);
        assert_eq!(schedule.next_due(), Some(Millis(61_000)));
    }

    #[test]
    fn a_device_far_behind_catches_up_without_a_burst() {
        let mut schedule = Schedule::new();
        schedule.insert(DeviceId(1), MINUTE, Millis(0), 0);
        assert_eq!(schedule.pop_due(Millis(0)), Some(DeviceId(1)));
        schedule.completed(DeviceId(1), Millis(200_000), 5_500);
        // Within a tenth of the interval after now, at the random point.
        assert_eq!(schedule.next_due(), Some(Millis(205_500)));
    }

    #[test]
    fn removed_devices_are_not_rescheduled() {
        let mut schedule = Schedule::new();
        schedule.insert(DeviceId(1), MINUTE, Millis(0), 0);
        schedule.insert(DeviceId(2), MINUTE, Millis(0), 10);
        assert_eq!(schedule.pop_due(Millis(0)), Some(DeviceId(1)));
        schedule.remove(DeviceId(1));
        schedule.completed(DeviceId(1), Millis(5), 0);
        schedule.remove(DeviceId(2));
        assert_eq!(schedule.next_due(), None);
        assert_eq!(schedule.devices().count(), 0);
    }

    #[test]
    fn a_changed_interval_reschedules_an_idle_device() {
        let mut schedule = Schedule::new();
        schedule.insert(DeviceId(1), MINUTE, Millis(0), 30_000);
        schedule.insert(DeviceId(1), MINUTE, Millis(10), 0);
        assert_eq!(schedule.next_due(), Some(Millis(30_000)));
        schedule.insert(DeviceId(1), Duration::from_secs(10), Millis(10), 2_000);
        assert_eq!(schedule.next_due(), Some(Millis(2_010)));
    }
}
