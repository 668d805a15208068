//! The time source of the outbox, injected so that tests control back-off and rate limits
//! without waiting.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A wall clock: the outbox stores instants in its database, so they must survive a
/// restart, which a monotonic `Instant` does not.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told: for tests, and for simulations of the manager.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }

    /// Sets the clock.
    pub fn set(&self, to: SystemTime) {
        if let Ok(mut now) = self.0.lock() {
            *now = to;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        // A poisoned lock still holds a valid time.
        match self.0.lock() {
            Ok(now) => *now,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualClock::new(UNIX_EPOCH);
        let other = clock.clone();
        assert_eq!(clock.now(), UNIX_EPOCH);
        other.advance(Duration::from_secs(3));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(3));
        clock.set(UNIX_EPOCH);
        assert_eq!(other.now(), UNIX_EPOCH);
    }
}
