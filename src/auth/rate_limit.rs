//! Fixed-window rate limits kept in PostgreSQL, so every replica on one
//! database counts the same attempts. One row counts one key's attempts in
//! one window; counting is a single upsert, checking a single select. Keys
//! (emails, client addresses) are stored as SHA-256 digests.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::secrets;
use crate::db::tables::rate_limit_hits;
use crate::graphql::{ApiError, ErrorCode};

/// At most `limit` attempts per key in each `window` (fixed windows aligned
/// to the epoch, so every replica agrees on where a window starts).
#[derive(Debug, Clone, Copy)]
pub struct RateLimiter {
    scope: &'static str,
    limit: i32,
    window: Duration,
}

/// One in this many counts also sweeps rows of windows that have passed.
const SWEEP_ONE_IN: u8 = 200;

impl RateLimiter {
    pub const fn new(scope: &'static str, limit: i32, window: Duration) -> Self {
        Self { scope, limit, window }
    }

    /// The start and end of the window `now` falls in.
    fn window_at(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let length = i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX).max(1);
        let start = now.timestamp().div_euclid(length) * length;
        let start = Utc.timestamp_opt(start, 0).single().unwrap_or(now);
        (start, start + chrono::Duration::seconds(length))
    }

    /// Counts one attempt for `key`, or refuses it (RATE_LIMITED) when the
    /// key is past its limit. Refused attempts count too.
    pub async fn acquire(&self, conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
        let hits = record(conn, &[(*self, key)]).await?;
        if <[i32]>::first(&hits).is_some_and(|&hits| hits > self.limit) { Err(limited()) } else { Ok(()) }
    }

    /// Forgets `key`'s attempts in the current window (a successful login
    /// clears its failures).
    pub async fn clear(&self, conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
        let (start, _) = self.window_at(Utc::now());
        diesel::delete(rate_limit_hits::table)
            .filter(rate_limit_hits::scope.eq(self.scope))
            .filter(rate_limit_hits::key_hash.eq(secrets::digest(key)))
            .filter(rate_limit_hits::window_start.eq(start))
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// Counts one attempt for each `(limiter, key)` in one statement; returns
/// each key's count in its window, in order.
pub async fn record(conn: &mut AsyncPgConnection, keys: &[(RateLimiter, &str)]) -> Result<Vec<i32>, ApiError> {
    let now = Utc::now();
    let rows: Vec<_> = keys
        .iter()
        .map(|(limiter, key)| {
            let (start, end) = limiter.window_at(now);
            (
                rate_limit_hits::id.eq(Uuid::now_v7()),
                rate_limit_hits::scope.eq(limiter.scope),
                rate_limit_hits::key_hash.eq(secrets::digest(key)),
                rate_limit_hits::window_start.eq(start),
                rate_limit_hits::expires_at.eq(end),
                rate_limit_hits::hits.eq(1),
            )
        })
        .collect();
    let counted: Vec<(String, Vec<u8>, i32)> = diesel::insert_into(rate_limit_hits::table)
        .values(rows)
        .on_conflict((rate_limit_hits::scope, rate_limit_hits::key_hash, rate_limit_hits::window_start))
        .do_update()
        .set((
            rate_limit_hits::hits.eq(rate_limit_hits::hits + excluded(rate_limit_hits::hits)),
            rate_limit_hits::updated_at.eq(now),
        ))
        .returning((rate_limit_hits::scope, rate_limit_hits::key_hash, rate_limit_hits::hits))
        .get_results(conn)
        .await?;
    if sweep_now() {
        diesel::delete(rate_limit_hits::table).filter(rate_limit_hits::expires_at.lt(now)).execute(conn).await?;
    }
    Ok(keys
        .iter()
        .map(|(limiter, key)| {
            let digest = secrets::digest(key);
            counted
                .iter()
                .find(|(scope, hash, _)| scope == limiter.scope && *hash == digest)
                .map_or(0, |(_, _, hits)| *hits)
        })
        .collect())
}

/// Whether any `(limiter, key)` is at its limit now, in one statement.
pub async fn any_limited(conn: &mut AsyncPgConnection, keys: &[(RateLimiter, &str)]) -> Result<bool, ApiError> {
    let now = Utc::now();
    let mut query = rate_limit_hits::table.select((rate_limit_hits::scope, rate_limit_hits::hits)).into_boxed();
    for (limiter, key) in keys {
        let (start, _) = limiter.window_at(now);
        query = query.or_filter(
            rate_limit_hits::scope
                .eq(limiter.scope)
                .and(rate_limit_hits::key_hash.eq(secrets::digest(key)))
                .and(rate_limit_hits::window_start.eq(start)),
        );
    }
    let counts: Vec<(String, i32)> = query.load(conn).await?;
    Ok(counts
        .iter()
        .any(|(scope, hits)| keys.iter().any(|(limiter, _)| limiter.scope == scope && *hits >= limiter.limit)))
}

/// Whether this count should also sweep old rows (about one in
/// [`SWEEP_ONE_IN`]), so the table stays as small as the live windows.
fn sweep_now() -> bool {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).is_ok() && byte[0] % SWEEP_ONE_IN == 0
}

/// The RATE_LIMITED error.
pub fn limited() -> ApiError {
    ApiError::new(ErrorCode::RateLimited, "Too many attempts; wait a few minutes and try again")
}

const QUARTER_HOUR: Duration = Duration::from_secs(15 * 60);

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
        Self {
            failed_logins_per_email: RateLimiter::new("failed_login_email", 10, QUARTER_HOUR),
            failed_logins_per_address: RateLimiter::new("failed_login_address", 10, QUARTER_HOUR),
            registrations_per_address: RateLimiter::new("registration_address", 20, Duration::from_secs(60 * 60)),
            mail_requests_per_address: RateLimiter::new("mail_request_address", 10, QUARTER_HOUR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_so_replicas_agree() {
        let limiter = RateLimiter::new("t", 1, QUARTER_HOUR);
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 7, 30).unwrap();
        let (start, end) = limiter.window_at(at);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 1, 10, 15, 0).unwrap());
        assert_eq!(limiter.window_at(end - chrono::Duration::seconds(1)).0, start);
    }
}
