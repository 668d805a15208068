//! Counters to rates, across wraps and agent restarts.
//!
//! A Counter32 or Counter64 only ever increases, wrapping to zero past its maximum
//! (RFC 2578 §7.1.6, §7.1.10); its absolute value means nothing, only the difference between
//! two readings does. Two readings give a rate unless a discontinuity lies between them:
//! - the agent restarted, seen by `sysUpTime` going back, or advancing by much less than the
//!   wall-clock time between the polls (it restarted and has been up for less than that);
//!   its counters started again from zero, so the difference is meaningless;
//! - a Counter64 decreased: at any real rate it cannot wrap between two polls
//!   (2⁶⁴ octets at 100 Gbit/s take 46 years), so the counter was reset.
//!
//! A Counter32 that decreased without a restart wrapped once: the difference is taken modulo
//! 2³². At 10 Gbit/s `ifInOctets` wraps every 3.4 s, more often than any poll, which is why
//! IF-MIB has `ifHCInOctets` (RFC 2863 §3.1.6); no rate can detect several wraps.
//!
//! Pure: the times are arguments.

use vigie_snmp::Value;

use crate::poller::schedule::Millis;

/// A counter's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterWidth {
    /// Counter32: wraps at 2³².
    Bits32,
    /// Counter64: never wraps between two polls.
    Bits64,
}

/// One reading of a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterSample {
    /// The counter's value.
    pub value: u64,
    /// Counter32 or Counter64.
    pub width: CounterWidth,
    /// When it was read, on the poller's clock.
    pub at: Millis,
    /// The agent's `sysUpTime` in hundredths of a second, read in the same request, if any.
    pub uptime: Option<u32>,
}

/// Why two readings give no rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRate {
    /// The readings are not in time order, or at the same instant.
    NoTimeElapsed,
    /// The agent restarted between them.
    AgentRestarted,
    /// A Counter64 went back, or the width changed: the counter was reset.
    Discontinuity,
}

impl CounterSample {
    /// A reading of `value` if it is a counter (Counter32 or Counter64).
    pub fn from_value(value: &Value, at: Millis, uptime: Option<u32>) -> Option<Self> {
        let (value, width) = match *value {
            Value::Counter32(value) => (u64::from(value), CounterWidth::Bits32),
            Value::Counter64(value) => (value, CounterWidth::Bits64),
            _ => return None,
        };
        Some(Self {
            value,
            width,
            at,
            uptime,
        })
    }

    /// The rate per second from `previous` to this reading.
    pub fn rate_since(&self, previous: &Self) -> Result<f64, NoRate> {
        let elapsed_ms = self.at.0.saturating_sub(previous.at.0);
        if elapsed_ms == 0 {
            return Err(NoRate::NoTimeElapsed);
        }
        if let (Some(before), Some(now)) = (previous.uptime, self.uptime) {
            if restarted(before, now, elapsed_ms) {
                return Err(NoRate::AgentRestarted);
            }
        }
        if self.width != previous.width {
            return Err(NoRate::Discontinuity);
        }
        let delta = match (self.value.checked_sub(previous.value), self.width) {
            (Some(delta), _) => delta,
            (None, CounterWidth::Bits32) => (self.value + COUNTER32_MODULUS) - previous.value,
            (None, CounterWidth::Bits64) => return Err(NoRate::Discontinuity),
        };
        // Precision: f64 holds integers up to 2⁵³ exactly; larger deltas lose only low bits.
        #[allow(clippy::cast_precision_loss)]
        Ok(delta as f64 * 1_000.0 / elapsed_ms as f64)
    }
}

/// Whether `sysUpTime` went from `before` to `now` (hundredths) in a way only a restart
/// explains, `elapsed_ms` of wall-clock time apart.
fn restarted(before: u32, now: u32, elapsed_ms: u64) -> bool {
    let Some(advanced) = now.checked_sub(before) else {
        return true;
    };
    // The agent's clock may run a little slow or fast, and requests take time: accept half
    // the wall-clock time, less one second of slack.
    let expected_cs = elapsed_ms / 10;
    u64::from(advanced) + UPTIME_SLACK_CS < expected_cs / 2
}

const COUNTER32_MODULUS: u64 = 1 << 32;
const UPTIME_SLACK_CS: u64 = 100;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn c32(value: u32, at_s: u64, uptime_s: u32) -> CounterSample {
        CounterSample::from_value(
            &Value::Counter32(value),
            Millis(at_s * 1_000),
            Some(uptime_s * 100),
        )
        .unwrap()
    }

    fn c64(value: u64, at_s: u64, uptime_s: u32) -> CounterSample {
        CounterSample::from_value(
            &Value::Counter64(value),
            Millis(at_s * 1_000),
            Some(uptime_s * 100),
        )
        .unwrap()
    }

    #[test]
    fn a_steady_counter_gives_its_rate() {
        assert_eq!(
            c32(6_000, 60, 1_060).rate_since(&c32(0, 0, 1_000)),
            Ok(100.0)
        );
        assert_eq!(
            c64(1 << 40, 10, 20).rate_since(&c64((1 << 40) - 5_000, 0, 10)),
            Ok(500.0)
        );
    }

    #[test]
    fn a_counter32_wrap_is_not_a_spike() {
        let before = c32(u32::MAX - 999, 0, 1_000);
        let after = c32(5_000, 60, 1_060);
        assert_eq!(after.rate_since(&before), Ok(100.0));
    }

    #[test]
    fn an_agent_restart_gives_no_rate() {
        // sysUpTime went back: the counters restarted from zero.
        let before = c32(4_000_000_000, 0, 86_400);
        let after = c32(12_000, 60, 50);
        assert_eq!(after.rate_since(&before), Err(NoRate::AgentRestarted));
        // A Counter64 that went back, even without uptimes, is a reset.
        let before = CounterSample::from_value(&Value::Counter64(900), Millis(0), None).unwrap();
        let after = CounterSample::from_value(&Value::Counter64(10), Millis(60_000), None).unwrap();
        assert_eq!(after.rate_since(&before), Err(NoRate::Discontinuity));
    }

    #[test]
    fn a_restart_longer_ago_than_the_previous_uptime_is_seen() {
        // Up for 10 s at the first poll; restarted during the 10-minute gap and up 20 s
        // since: uptime grew, but far less than the wall clock did.
        let before = c32(1_000, 0, 10);
        let after = c32(2_000, 600, 20);
        assert_eq!(after.rate_since(&before), Err(NoRate::AgentRestarted));
    }

    #[test]
    fn readings_out_of_order_give_no_rate() {
        assert_eq!(
            c32(10, 5, 5).rate_since(&c32(0, 5, 5)),
            Err(NoRate::NoTimeElapsed)
        );
        assert_eq!(
            c32(10, 4, 5).rate_since(&c32(0, 5, 5)),
            Err(NoRate::NoTimeElapsed)
        );
        assert_eq!(
            CounterSample::from_value(&Value::Gauge32(1), Millis(0), None),
            None
        );
    }

    proptest! {
        /// Whatever the start value, a Counter32 advancing by `delta` (less than 2³²) in
        /// `secs` seconds gives delta/secs, wrapped or not.
        #[test]
        fn counter32_rates_are_exact_across_wraps(
            start in any::<u32>(),
            delta in 0_u32..u32::MAX,
            secs in 1_u64..3_600,
            uptime_s in 0_u32..1_000_000,
        ) {
            let end = start.wrapping_add(delta);
            let uptime_after = uptime_s + u32::try_from(secs).unwrap();
            let rate = c32(end, 100 + secs, uptime_after)
                .rate_since(&c32(start, 100, uptime_s))
                .unwrap();
            let expected = f64::from(delta) / secs as f64;
            prop_assert!((rate - expected).abs() <= expected * 1e-12 + 1e-9);
        }

        /// A restart (uptime going back) never yields a rate, whatever the counters do.
        #[test]
        fn restarts_never_yield_a_rate(
            a in any::<u32>(), b in any::<u32>(), up in 1_u32..u32::MAX, secs in 1_u64..600,
        ) {
            let before = c32(a, 0, 0);
            let before = CounterSample { uptime: Some(up), ..before };
            let after = CounterSample {
                uptime: Some(up - 1),
                ..c32(b, secs, 0)
            };
            prop_assert_eq!(after.rate_since(&before), Err(NoRate::AgentRestarted));
        }
    }
}
