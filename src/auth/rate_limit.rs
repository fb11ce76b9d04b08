//! In-memory sliding-window rate limits. State is per process: with several
//! replicas each keeps its own count (see docs/auth.md).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::graphql::{ApiError, ErrorCode};

/// At most `limit` events per `window` for each key.
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Past this many keys, stale ones are swept before adding another.
const SWEEP_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { limit, window, events: Mutex::new(HashMap::new()) }
    }

    /// Whether `key` is at its limit now.
    pub fn is_limited(&self, key: &str) -> bool {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        match events.get_mut(key) {
            Some(times) => {
                prune(times, now, self.window);
                times.len() >= self.limit
            }
            None => false,
        }
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if events.len() >= SWEEP_ABOVE && !events.contains_key(key) {
            events.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        let times = events.entry(key.to_owned()).or_default();
        prune(times, now, self.window);
        times.push_back(now);
    }

    /// Counts one event, or refuses it when `key` is at its limit.
    pub fn acquire(&self, key: &str) -> Result<(), ApiError> {
        if self.is_limited(key) {
            return Err(limited());
        }
        self.record(key);
        Ok(())
    }

    /// Forgets `key` (a successful login clears its failures).
    pub fn clear(&self, key: &str) {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|&at| now.duration_since(at) >= window) {
        times.pop_front();
    }
}

/// The RATE_LIMITED error.
pub fn limited() -> ApiError {
    ApiError::new(ErrorCode::RateLimited, "Too many attempts; wait a few minutes and try again")
}

/// The limits the account mutations apply.
pub struct RateLimits {
    /// Failed logins per email address.
    pub failed_logins_per_email: RateLimiter,
    /// Failed logins per client address.
    pub failed_logins_per_address: RateLimiter,
    /// Registrations per client address.
    pub registrations_per_address: RateLimiter,
    /// Password-reset and verification mails requested per client address.
    pub mail_requests_per_address: RateLimiter,
}

impl Default for RateLimits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Self {
            failed_logins_per_email: RateLimiter::new(10, quarter_hour),
            failed_logins_per_address: RateLimiter::new(10, quarter_hour),
            registrations_per_address: RateLimiter::new(20, Duration::from_secs(60 * 60)),
            mail_requests_per_address: RateLimiter::new(10, quarter_hour),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_forgets_after_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_millis(50));
        assert!(limiter.acquire("a").is_ok());
        assert!(limiter.acquire("a").is_ok());
        assert!(limiter.acquire("a").is_err());
        assert!(limiter.acquire("b").is_ok(), "keys are independent");
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.acquire("a").is_ok());
        limiter.clear("a");
        assert!(!limiter.is_limited("a"));
    }
}
