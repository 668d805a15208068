//! The `system/auth-failures/receiver` alarm: a storm of notifications that fail
//! authentication at the trap receiver — unknown or unauthorised communities
//! (`snmpInBadCommunityNames`, RFC 3418), unknown USM users and wrong digests
//! (`usmStatsUnknownUserNames`, `usmStatsWrongDigests`, RFC 3414 §3.2) — is either a
//! misconfigured sender, whose notifications are being lost, or someone guessing.
//!
//! [`AuthStorm`] is pure: the caller passes the failure total and the time. It raises the
//! alarm when more than [`THRESHOLD`] failures fall within [`WINDOW`], and clears it once a
//! whole window passes without one. Engine discovery (usmStatsUnknownEngineIDs) is not a
//! failure: every v3 inform sender starts with it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_manager::alarm::{AlarmEvent, SystemAlarm};
use vigie_manager::desk::AlarmDesk;
use vigie_snmp::engine::{SnmpCounter, SnmpCounters, UsmStat};

/// Failures within [`WINDOW`] above which the alarm is raised.
pub(crate) const THRESHOLD: u64 = 20;
/// The sliding window failures are counted over.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);
/// How often the counters are read.
pub(crate) const PERIOD: Duration = Duration::from_secs(1);
/// The component whose failures are watched, in the alarm's key and text.
const COMPONENT: &str = "receiver";

/// The alarm, with `count` failures in the last minute.
fn alarm(count: u64) -> SystemAlarm {
    SystemAlarm::AuthenticationFailures {
        component: COMPONENT.to_owned(),
        count,
    }
}

/// The failures a responder engine has counted so far.
pub(crate) fn failures(counters: &SnmpCounters) -> u64 {
    u64::from(counters.get(SnmpCounter::InBadCommunityNames))
        + u64::from(counters.usm(UsmStat::UnknownUserNames))
        + u64::from(counters.usm(UsmStat::WrongDigests))
}

/// The storm detector over a monotonic failure counter.
#[derive(Debug)]
pub(crate) struct AuthStorm {
    /// Observations within the window, oldest first; the first may be older, as the
    /// baseline the window's failures are counted from.
    samples: VecDeque<(Instant, u64)>,
    open: bool,
}

impl AuthStorm {
    /// A detector whose counter reads `total` at `now`.
    pub(crate) fn new(now: Instant, total: u64) -> Self {
        Self {
            samples: VecDeque::from([(now, total)]),
            open: false,
        }
    }

    /// The alarm event the counter's value `total` at `now` calls for, if any.
    pub(crate) fn observe(&mut self, now: Instant, total: u64) -> Option<AlarmEvent> {
        self.samples.push_back((now, total));
        // Keep one sample at or before the window's start: the baseline.
        while self
            .samples
            .get(1)
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= WINDOW)
        {
            self.samples.pop_front();
        }
        let (since, baseline) = self.samples.front().copied().unwrap_or((now, total));
        let recent = total.saturating_sub(baseline);
        if !self.open && recent > THRESHOLD {
            self.open = true;
            return Some(alarm(recent).raise());
        }
        if self.open && recent == 0 && now.saturating_duration_since(since) >= WINDOW {
            self.open = false;
            return Some(alarm(0).clear());
        }
        None
    }
}

/// Reads `counters` every [`PERIOD`] and applies the alarm events to `desk`, until
/// `shutdown` turns true. An alarm left open by an earlier run is cleared at the start: the
/// counters start again from zero, and a storm still going on raises it again.
pub(crate) async fn watch(
    counters: Arc<SnmpCounters>,
    desk: Arc<AlarmDesk>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut storm = AuthStorm::new(Instant::now(), failures(&counters));
    if let Err(error) = desk.apply(super::now(), alarm(0).clear()).await {
        tracing::error!(%error, "the auth-failures system alarm could not be cleared");
    }
    let mut ticks = tokio::time::interval(PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            _ = ticks.tick() => {}
        }
        let Some(event) = storm.observe(Instant::now(), failures(&counters)) else {
            continue;
        };
        if let AlarmEvent::Raise(raise) = &event {
            tracing::warn!(alarm = %raise.key, text = %raise.text, "authentication failure storm");
        }
        if let Err(error) = desk.apply(super::now(), event).await {
            tracing::error!(%error, "the auth-failures system alarm could not be stored");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, seconds: u64) -> Instant {
        start + Duration::from_secs(seconds)
    }

    #[test]
    fn a_storm_raises_once_and_a_quiet_minute_clears() {
        let start = Instant::now();
        let mut storm = AuthStorm::new(start, 100);
        // A few failures a second, below the threshold within any minute.
        assert_eq!(storm.observe(at(start, 1), 110), None);
        assert_eq!(storm.observe(at(start, 30), 120), None);
        // 121 - 100 = 21 within the minute: raised, once.
        let Some(AlarmEvent::Raise(raise)) = storm.observe(at(start, 40), 121) else {
            panic!("raised");
        };
        assert_eq!(raise.key.to_string(), "system/auth-failures/receiver");
        assert_eq!(raise.source, vigie_manager::alarm::Source::System);
        assert!(raise.text.contains("21 notifications"), "{}", raise.text);
        assert_eq!(storm.observe(at(start, 41), 500), None);
        // Still failing: no clear.
        assert_eq!(storm.observe(at(start, 100), 600), None);
        assert_eq!(storm.observe(at(start, 130), 601), None);
        // The last failure was seen at 130 s: at 190 s the window holds none.
        assert_eq!(storm.observe(at(start, 160), 601), None);
        assert!(matches!(
            storm.observe(at(start, 191), 601),
            Some(AlarmEvent::Clear { .. })
        ));
        assert_eq!(storm.observe(at(start, 300), 601), None);
    }

    #[test]
    fn a_slow_trickle_never_raises() {
        let start = Instant::now();
        let mut storm = AuthStorm::new(start, 0);
        // Ten failures a minute for an hour.
        for second in 1..3_600 {
            let total = second / 6;
            assert_eq!(storm.observe(at(start, second), total), None, "{second}");
        }
    }

    #[test]
    fn counts_communities_unknown_users_and_wrong_digests_not_discovery() {
        let counters = SnmpCounters::default();
        counters.increment(SnmpCounter::InBadCommunityNames);
        assert_eq!(failures(&counters), 1);
    }
}
