//! Limits on failed logins, per client address.
//!
//! Each client may fail [`MAX_FAILURES`] times within [`WINDOW`]; after that its attempts are
//! refused without checking the password until the oldest failure leaves the window (OWASP
//! Authentication Cheat Sheet, "Protect Against Automated Attacks"). Refusing before the
//! check also keeps a flood of guesses from spending the Argon2 CPU. A success forgets the
//! client's failures. Memory is bounded: past [`MAX_CLIENTS`] addresses, new ones share one
//! bucket, which clients without a known address (a server without connection info) share
//! too; it allows [`SHARED_FACTOR`] times more failures.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed per client within [`WINDOW`].
pub(crate) const MAX_FAILURES: usize = 5;
/// How long a failure counts.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The shared bucket allows this many times [`MAX_FAILURES`].
pub(crate) const SHARED_FACTOR: usize = 4;
/// Clients tracked one by one; beyond, they share a bucket.
const MAX_CLIENTS: usize = 10_000;

/// Failed logins by client; the clock is an argument.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Bucket, Vec<Instant>>>,
}

/// Whose failures count together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    /// One client address.
    Client(IpAddr),
    /// Clients without a known address, or beyond [`MAX_CLIENTS`].
    Shared,
}

impl LoginLimiter {
    /// `Ok` when `client` may try a password at `now`; otherwise how long until it may.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        let bucket = bucket(&failures, client);
        let Some(times) = failures.get_mut(&bucket) else {
            return Ok(());
        };
        times.retain(|at| now.saturating_duration_since(*at) < WINDOW);
        if times.len() < bucket.allowed() {
            return Ok(());
        }
        let oldest = times.iter().min().copied().unwrap_or(now);
        Err(WINDOW.saturating_sub(now.saturating_duration_since(oldest)))
    }

    /// Records a failed attempt by `client` at `now`.
    pub fn fail(&self, client: Option<IpAddr>, now: Instant) {
        let mut failures = self.lock();
        if failures.len() >= MAX_CLIENTS {
            failures.retain(|_, times| {
                times.retain(|at| now.saturating_duration_since(*at) < WINDOW);
                !times.is_empty()
            });
        }
        let bucket = bucket(&failures, client);
        failures.entry(bucket).or_default().push(now);
    }

    /// Forgets `client`'s failures after a successful login.
    pub fn succeed(&self, client: Option<IpAddr>) {
        let mut failures = self.lock();
        if let Some(ip) = client {
            failures.remove(&Bucket::Client(ip));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Bucket, Vec<Instant>>> {
        // Entries are whole at every await-free step: a poisoned lock still holds valid data.
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Bucket {
    /// Failures allowed within [`WINDOW`]: more for the shared bucket, where one client's
    /// guesses must not lock every other operator out at once.
    fn allowed(self) -> usize {
        match self {
            Self::Client(_) => MAX_FAILURES,
            Self::Shared => MAX_FAILURES * SHARED_FACTOR,
        }
    }
}

/// The bucket of `client`: its own while there is room, the shared one otherwise.
fn bucket(failures: &HashMap<Bucket, Vec<Instant>>, client: Option<IpAddr>) -> Bucket {
    match client {
        Some(ip) if failures.contains_key(&Bucket::Client(ip)) => Bucket::Client(ip),
        Some(ip) if failures.len() < MAX_CLIENTS => Bucket::Client(ip),
        _ => Bucket::Shared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_after_its_failures_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        for i in 0..MAX_FAILURES {
            let at = start + Duration::from_secs(u64::try_from(i).unwrap());
            assert_eq!(limiter.check(client, at), Ok(()));
            limiter.fail(client, at);
        }
        let later = start + Duration::from_secs(60);
        let wait = limiter.check(client, later).unwrap_err();
        assert_eq!(wait, WINDOW - Duration::from_secs(60));
        // Another address is not affected.
        assert_eq!(limiter.check(other, later), Ok(()));
        // Once the first failure leaves the window, one more attempt is allowed.
        assert_eq!(limiter.check(client, start + WINDOW), Ok(()));
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        let client = Some(IpAddr::from([198, 51, 100, 7]));
        for _ in 0..MAX_FAILURES - 1 {
            limiter.fail(client, now);
        }
        limiter.succeed(client);
        for _ in 0..MAX_FAILURES - 1 {
            limiter.fail(client, now);
        }
        assert_eq!(limiter.check(client, now), Ok(()));
    }

    #[test]
    fn clients_without_an_address_share_one_bucket() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES {
            limiter.fail(None, now);
        }
        assert_eq!(limiter.check(None, now), Ok(()));
        for _ in MAX_FAILURES..MAX_FAILURES * SHARED_FACTOR {
            limiter.fail(None, now);
        }
        assert!(limiter.check(None, now).is_err());
        assert_eq!(
            limiter.check(Some(IpAddr::from([192, 0, 2, 9])), now),
            Ok(())
        );
    }
}
