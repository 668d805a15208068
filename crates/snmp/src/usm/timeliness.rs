//! Timeliness: snmpEngineBoots, snmpEngineTime and the 150-second window (RFC 3414 §2.2,
//! §2.3, §3.2 step 7).
//!
//! An authoritative engine (the agent answering requests, the receiver of informs) keeps its
//! own clock in a [`LocalClock`] and checks every authenticated message against it. A
//! non-authoritative engine (the manager, the sender of informs) keeps, per remote engine, a
//! [`RemoteClock`]: its idea of the remote's boots and time, advanced by the local clock
//! and pulled forward by every authentic message. Both take `now` as an argument.

use std::time::{Duration, Instant};

/// An engine's (snmpEngineBoots, snmpEngineTime), as a message carries them
/// (msgAuthoritativeEngineBoots, msgAuthoritativeEngineTime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EngineTime {
    /// How many times the engine has (re)initialized since its engine ID was configured.
    pub boots: u32,
    /// Seconds since `boots` last changed.
    pub time: u32,
}

impl EngineTime {
    /// Boots and time.
    pub fn new(boots: u32, time: u32) -> Self {
        Self { boots, time }
    }
}

/// A message is outside the time window (RFC 3414 §3.2 step 7): counted in
/// usmStatsNotInTimeWindows and, on the authoritative side, answered with a Report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not in time window")]
pub struct NotInTimeWindow;

/// This engine's own boots and time, as the authoritative side (RFC 3414 §2.2.1, §2.2.2).
///
/// `boots` comes from persistent storage and was incremented at start-up; the time counts
/// from `started`. When the time would pass 2^31-1 it restarts at 0 and boots increments,
/// as RFC 3414 §2.2.2 requires; boots stops at 2^31-1, where every message is out of the
/// window until the engine is given new keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalClock {
    boots: u32,
    started: Instant,
}

impl LocalClock {
    /// A clock at `boots` whose time is 0 at `now`.
    pub fn new(boots: u32, now: Instant) -> Self {
        Self {
            boots: boots.min(MAX),
            started: now,
        }
    }

    /// The engine's boots and time at `now`.
    pub fn at(&self, now: Instant) -> EngineTime {
        let elapsed = now.saturating_duration_since(self.started).as_secs();
        let period = u64::from(MAX) + 1;
        let wraps = u32::try_from(elapsed / period).unwrap_or(MAX);
        let time = u32::try_from(elapsed % period).unwrap_or(MAX);
        let boots = self.boots.saturating_add(wraps);
        if boots >= MAX {
            return EngineTime::new(MAX, time);
        }
        EngineTime::new(boots, time)
    }

    /// RFC 3414 §3.2 step 7a: an authenticated message addressed to this engine is in the
    /// window when this engine's boots is not latched at 2^31-1, the message's boots equals
    /// it, and the message's time is within 150 seconds of this engine's either way.
    pub fn check(&self, now: Instant, message: EngineTime) -> Result<(), NotInTimeWindow> {
        let local = self.at(now);
        if local.boots == MAX
            || message.boots != local.boots
            || local.time.abs_diff(message.time) > TIME_WINDOW_SECS
        {
            return Err(NotInTimeWindow);
        }
        Ok(())
    }
}

/// What a non-authoritative engine knows of a remote authoritative engine's clock
/// (RFC 3414 §2.3: snmpEngineBoots, snmpEngineTime and latestReceivedEngineTime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteClock {
    boots: u32,
    /// The remote's time at `synced_at`.
    time: u32,
    synced_at: Instant,
    latest_received: u32,
}

impl RemoteClock {
    /// The remote's clock as a discovery Report or any authentic message gave it at `now`.
    pub fn new(now: Instant, reported: EngineTime) -> Self {
        Self {
            boots: reported.boots,
            time: reported.time,
            synced_at: now,
            latest_received: reported.time,
        }
    }

    /// The remote's boots and time at `now`, to put in an outgoing message: the time last
    /// learnt plus the seconds elapsed since (RFC 3414 §2.3).
    pub fn estimate(&self, now: Instant) -> EngineTime {
        EngineTime::new(self.boots, self.time_at(now))
    }

    /// Takes the remote's clock from an authentic Report (`notInTimeWindow` or discovery)
    /// as it is, even backwards: RFC 3414 §4 has the requester learn the values this way.
    pub fn resynchronize(&mut self, now: Instant, reported: EngineTime) {
        *self = Self::new(now, reported);
    }

    /// RFC 3414 §3.2 step 7b, for an authentic message from the remote engine.
    ///
    /// First the clock moves forward when the message is newer: a higher boots, or the same
    /// boots and a time above latestReceivedEngineTime. Then the message is out of the window
    /// when boots is latched at 2^31-1, when the message's boots is lower than the (updated)
    /// local notion, or when its time lags the local notion by more than 150 seconds.
    pub fn handle_authentic(
        &mut self,
        now: Instant,
        message: EngineTime,
    ) -> Result<(), NotInTimeWindow> {
        let newer = message.boots > self.boots
            || (message.boots == self.boots && message.time > self.latest_received);
        if newer {
            *self = Self::new(now, message);
        }
        let local_time = self.time_at(now);
        if self.boots == MAX
            || message.boots < self.boots
            || (message.boots == self.boots
                && u64::from(message.time) + u64::from(TIME_WINDOW_SECS) < u64::from(local_time))
        {
            return Err(NotInTimeWindow);
        }
        Ok(())
    }

    /// latestReceivedEngineTime: the highest time an authentic message has carried since
    /// boots last changed (RFC 3414 §2.3).
    pub fn latest_received(&self) -> u32 {
        self.latest_received
    }

    fn time_at(&self, now: Instant) -> u32 {
        let elapsed = now.saturating_duration_since(self.synced_at).as_secs();
        let time = u64::from(self.time).saturating_add(elapsed);
        u32::try_from(time.min(u64::from(MAX))).unwrap_or(MAX)
    }
}

/// The time window: 150 seconds either way (RFC 3414 §2.2.3).
pub const TIME_WINDOW: Duration = Duration::from_secs(150);
/// The largest boots and time (RFC 3414 §2.2.1: `INTEGER (0..2147483647)`); boots at this
/// value latches every message out of the window.
const MAX: u32 = 2_147_483_647;
const TIME_WINDOW_SECS: u32 = 150;

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)] // the one reading of the real clock, as an origin
    fn origin() -> Instant {
        Instant::now()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn local_time_counts_from_start_and_wraps_into_boots() {
        let t0 = origin();
        let clock = LocalClock::new(7, t0);
        assert_eq!(clock.at(t0), EngineTime::new(7, 0));
        assert_eq!(clock.at(t0 + secs(1_000)), EngineTime::new(7, 1_000));
        assert_eq!(clock.at(t0 + secs(u64::from(MAX))), EngineTime::new(7, MAX));
        assert_eq!(
            clock.at(t0 + secs(u64::from(MAX) + 1)),
            EngineTime::new(8, 0)
        );
        let latched = LocalClock::new(MAX - 1, t0);
        assert_eq!(
            latched.at(t0 + secs(u64::from(MAX) + 5)),
            EngineTime::new(MAX, 4)
        );
    }

    #[test]
    fn authoritative_window_is_150_seconds_either_way() {
        let t0 = origin();
        let clock = LocalClock::new(3, t0);
        let now = t0 + secs(1_000);
        for time in [850, 999, 1_000, 1_001, 1_150] {
            assert_eq!(clock.check(now, EngineTime::new(3, time)), Ok(()), "{time}");
        }
        for time in [849, 1_151, 0, MAX] {
            assert_eq!(
                clock.check(now, EngineTime::new(3, time)),
                Err(NotInTimeWindow),
                "{time}"
            );
        }
        assert_eq!(
            clock.check(now, EngineTime::new(2, 1_000)),
            Err(NotInTimeWindow)
        );
        assert_eq!(
            clock.check(now, EngineTime::new(4, 1_000)),
            Err(NotInTimeWindow)
        );
    }

    #[test]
    fn authoritative_boots_latched_at_the_maximum_refuses_everything() {
        let t0 = origin();
        let clock = LocalClock::new(MAX, t0);
        assert_eq!(
            clock.check(t0, EngineTime::new(MAX, 0)),
            Err(NotInTimeWindow)
        );
    }

    #[test]
    fn remote_estimate_advances_with_the_local_clock() {
        let t0 = origin();
        let remote = RemoteClock::new(t0, EngineTime::new(5, 100));
        assert_eq!(remote.estimate(t0 + secs(30)), EngineTime::new(5, 130));
        assert_eq!(remote.latest_received(), 100);
    }

    #[test]
    fn remote_accepts_up_to_150_seconds_of_lag() {
        let t0 = origin();
        let mut remote = RemoteClock::new(t0, EngineTime::new(5, 1_000));
        // A message no newer than latestReceivedEngineTime leaves the clock alone; 150 s
        // later the local notion is 1150, and a message at 1000 lags by exactly 150…
        let old = EngineTime::new(5, 1_000);
        assert_eq!(remote.handle_authentic(t0 + secs(150), old), Ok(()));
        // …and one second later by 151.
        assert_eq!(
            remote.handle_authentic(t0 + secs(151), old),
            Err(NotInTimeWindow)
        );
        assert_eq!(remote.estimate(t0 + secs(151)), EngineTime::new(5, 1_151));
        // A newer message resynchronizes, however late the local notion is.
        assert_eq!(
            remote.handle_authentic(t0 + secs(500), EngineTime::new(5, 1_001)),
            Ok(())
        );
        assert_eq!(remote.estimate(t0 + secs(500)), EngineTime::new(5, 1_001));
    }

    #[test]
    fn remote_moves_forward_on_newer_time_or_boots() {
        let t0 = origin();
        let mut remote = RemoteClock::new(t0, EngineTime::new(5, 100));
        let now = t0 + secs(10);
        assert_eq!(
            remote.handle_authentic(now, EngineTime::new(5, 500)),
            Ok(())
        );
        assert_eq!(remote.estimate(now + secs(1)), EngineTime::new(5, 501));
        assert_eq!(remote.latest_received(), 500);
        // A reboot: boots up, time restarts.
        assert_eq!(remote.handle_authentic(now, EngineTime::new(6, 2)), Ok(()));
        assert_eq!(remote.estimate(now), EngineTime::new(6, 2));
        // An older boots is out of the window and changes nothing.
        assert_eq!(
            remote.handle_authentic(now, EngineTime::new(5, 9_999)),
            Err(NotInTimeWindow)
        );
        assert_eq!(remote.estimate(now), EngineTime::new(6, 2));
    }

    #[test]
    fn remote_time_not_above_latest_received_does_not_resync() {
        let t0 = origin();
        let mut remote = RemoteClock::new(t0, EngineTime::new(1, 1_000));
        // 100 s later the local notion is 1100; a message at 1000 equals latestReceived,
        // so nothing moves, and it lags by 100 s: accepted.
        let now = t0 + secs(100);
        assert_eq!(
            remote.handle_authentic(now, EngineTime::new(1, 1_000)),
            Ok(())
        );
        assert_eq!(remote.estimate(now), EngineTime::new(1, 1_100));
    }

    #[test]
    fn remote_boots_latched_at_the_maximum_refuses_everything() {
        let t0 = origin();
        let mut remote = RemoteClock::new(t0, EngineTime::new(1, 0));
        assert_eq!(
            remote.handle_authentic(t0, EngineTime::new(MAX, 0)),
            Err(NotInTimeWindow)
        );
    }

    #[test]
    fn resynchronize_may_go_backwards() {
        let t0 = origin();
        let mut remote = RemoteClock::new(t0, EngineTime::new(9, 5_000));
        remote.resynchronize(t0, EngineTime::new(9, 10));
        assert_eq!(remote.estimate(t0 + secs(5)), EngineTime::new(9, 15));
        assert_eq!(remote.latest_received(), 10);
    }
}
