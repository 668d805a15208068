//! Rate limits per channel: at most N attempts per second and M deliveries per rolling day,
//! as relays impose them (Amazon SES's sandbox: 1 message per second, 200 per 24 hours).
//!
//! The windows are computed from the outbox's `outbox_sends` table, so a restart resumes
//! them instead of granting a fresh quota. Messages over the limit wait; none is dropped.

use std::time::{Duration, SystemTime};

/// The limits of one channel; `None` is unlimited.
///
/// Both count notifications, not recipients: SES counts each recipient against its quotas,
/// so a channel whose mails go to three addresses gets a third of the SES figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// Attempts per rolling second.
    pub per_second: Option<u32>,
    /// Accepted messages per rolling 24 hours.
    pub per_day: Option<u32>,
}

impl RateLimit {
    /// No limit.
    pub const UNLIMITED: Self = Self {
        per_second: None,
        per_day: None,
    };

    /// Amazon SES's sandbox quotas: 1 message per second, 200 per 24 hours.
    pub const SES_SANDBOX: Self = Self {
        per_second: Some(1),
        per_day: Some(200),
    };
}

/// The length of the per-second window.
pub(crate) const SECOND: Duration = Duration::from_secs(1);
/// The length of the per-day window.
pub(crate) const DAY: Duration = Duration::from_secs(86_400);

/// When one more send fits a window of `window` that allows `limit` sends, given the send
/// times in that window, newest first; `None` when it fits now.
///
/// With `limit` sends already in the window, the next one may go when the `limit`-th newest
/// leaves the window.
pub(crate) fn ready_at(
    limit: u32,
    window: Duration,
    newest_first: &[SystemTime],
    now: SystemTime,
) -> Option<SystemTime> {
    let index = usize::try_from(limit).ok()?.checked_sub(1);
    let Some(index) = index else {
        // A limit of zero never lets anything through; wait a whole window and look again.
        return Some(now + window);
    };
    let bound = newest_first.get(index)?;
    let free = *bound + window;
    (free > now).then_some(free)
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn t(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn one_per_second_waits_for_the_last_send_to_leave_the_window() {
        assert_eq!(ready_at(1, SECOND, &[], t(10_000)), None);
        assert_eq!(ready_at(1, SECOND, &[t(9_600)], t(10_000)), Some(t(10_600)));
        assert_eq!(ready_at(1, SECOND, &[t(9_000)], t(10_000)), None);
    }

    #[test]
    fn n_per_window_counts_the_nth_newest() {
        let sends = [t(9_900), t(9_500), t(9_200)];
        assert_eq!(ready_at(3, SECOND, &sends, t(10_000)), Some(t(10_200)));
        assert_eq!(ready_at(4, SECOND, &sends, t(10_000)), None);
        assert_eq!(ready_at(2, SECOND, &sends, t(10_000)), Some(t(10_500)));
    }

    #[test]
    fn zero_waits_a_window() {
        assert_eq!(ready_at(0, DAY, &[], t(0)), Some(t(86_400_000)));
    }
}
