//! Streaming read replicas and how far behind each one is.
//!
//! A background monitor samples the primary's WAL position and each
//! replica's replay position (`pg_last_wal_replay_lsn()`) every
//! [`SAMPLE_INTERVAL`]. A replica's lag is the age of the oldest primary
//! position it has not replayed: zero when it has everything (an idle
//! primary does not make an idle replica look late, as the time since its
//! last replayed transaction would), and growing while replay stands still
//! behind new writes. A replica that does not answer is down. Both are
//! skipped until they recover; nothing here runs on the request path.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Bool, Nullable};
use diesel_async::RunQueryDsl;

use super::{Db, Pool, redact_url};

/// How often the monitor samples positions.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(200);

/// How long one sample may take before its database counts as down.
const SAMPLE_TIMEOUT: Duration = Duration::from_millis(1000);

/// A WAL position, as bytes since the start of the WAL.
pub type Lsn = u64;

/// What the monitor last saw of a replica.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplicaState {
    /// Not sampled yet.
    Unknown,
    /// Answering, `lag` behind the primary, as sampled `at`.
    Streaming { replayed: Lsn, lag: Duration, at: Instant },
    /// Answering but not a standby (promoted, or misconfigured): never read from.
    NotInRecovery,
    /// Not answering; the reason, for `/health/ready` and the log.
    Down { reason: String },
}

/// One replica: its pool and its latest state.
pub struct Replica {
    /// Names it in health reports, logs and metrics (its URL, password masked).
    pub name: String,
    pub pool: Pool,
    state: Mutex<ReplicaState>,
    /// Read requests it served.
    reads: AtomicU64,
}

impl Replica {
    pub fn state(&self) -> ReplicaState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether a read that must see `position` may go here: streaming, no
    /// more than `max_lag` behind, sampled lately, and replayed that far.
    pub fn can_serve(&self, max_lag: Duration, position: Lsn) -> bool {
        matches!(self.state(), ReplicaState::Streaming { lag, replayed, at }
            if lag <= max_lag && replayed >= position && at.elapsed() <= FRESH_SAMPLE)
    }

    /// Read requests this replica served.
    pub fn reads(&self) -> u64 {
        AtomicU64::load(&self.reads, Ordering::Relaxed)
    }

    /// Records that the replica has replayed at least `seen`, learnt
    /// between the monitor's samples.
    fn observe_replayed(&self, seen: Lsn) {
        let mut current = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let ReplicaState::Streaming { replayed, .. } = &mut *current {
            *replayed = (*replayed).max(seen);
        }
    }

    fn set(&self, state: ReplicaState) {
        let mut current = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let was_usable = matches!(*current, ReplicaState::Streaming { .. });
        let now_usable = matches!(state, ReplicaState::Streaming { .. });
        if was_usable != now_usable || matches!(*current, ReplicaState::Unknown) {
            match &state {
                ReplicaState::Streaming { .. } => tracing::info!(replica = %self.name, "replica streaming"),
                ReplicaState::NotInRecovery => tracing::warn!(replica = %self.name, "replica is not in recovery"),
                ReplicaState::Down { reason } => tracing::warn!(replica = %self.name, reason, "replica down"),
                ReplicaState::Unknown => {}
            }
        }
        *current = state;
    }
}

/// A sample older than this (the primary stopped answering the monitor)
/// no longer vouches for a replica.
const FRESH_SAMPLE: Duration = Duration::from_secs(2);

/// The primary's pool and every configured replica.
#[derive(Clone)]
pub struct Replicas {
    replicas: Arc<[Arc<Replica>]>,
    max_lag: Duration,
    /// Turns, so reads spread over the usable replicas.
    next: Arc<AtomicUsize>,
    /// Read requests the primary served (none usable, or none had replayed far enough).
    primary_reads: Arc<AtomicU64>,
    written: Arc<WritePositions>,
}

impl Replicas {
    /// No replicas: every read goes to the primary.
    pub fn none() -> Self {
        Self::new(Vec::new(), Duration::from_secs(1))
    }

    /// One replica per pool, as `(url, pool)`; reads skip any more than
    /// `max_lag` behind.
    pub fn new(pools: Vec<(String, Pool)>, max_lag: Duration) -> Self {
        let replicas = pools
            .into_iter()
            .map(|(url, pool)| {
                let state = Mutex::new(ReplicaState::Unknown);
                Arc::new(Replica { name: redact_url(&url), pool, state, reads: AtomicU64::new(0) })
            })
            .collect();
        Self {
            replicas,
            max_lag,
            next: Arc::default(),
            primary_reads: Arc::default(),
            written: Arc::new(WritePositions::new(max_lag)),
        }
    }

    /// The replica a read that must see `position` goes to, taking turns
    /// among those that can serve it; `None` sends it to the primary. Each
    /// call counts one read where it sends it.
    pub fn for_read(&self, position: Lsn) -> Option<&Arc<Replica>> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let chosen = (0..count)
            .map(|n| &self.replicas[(start + n) % count])
            .find(|replica| replica.can_serve(self.max_lag, position));
        match chosen {
            Some(replica) => replica.reads.fetch_add(1, Ordering::Relaxed),
            None => self.primary_reads.fetch_add(1, Ordering::Relaxed),
        };
        chosen
    }

    /// `db` reading from the replica [`Self::for_read`] chooses for
    /// `position`, or `db` itself when it chooses the primary.
    pub fn reading(&self, db: &Db, position: Lsn) -> Db {
        match self.for_read(position) {
            Some(replica) => db.reading_from(replica.pool.clone()),
            None => db.clone(),
        }
    }

    /// Waits up to `within` for a usable replica to replay `position`,
    /// asking those behind it directly (the monitor's last sample is up to
    /// [`SAMPLE_INTERVAL`] old; a streaming replica is usually milliseconds
    /// behind). Whether one has; without a usable replica it answers at once.
    pub async fn await_replayed(&self, position: Lsn, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let replayed_by_one = || self.replicas.iter().any(|replica| replica.can_serve(self.max_lag, position));
        let mut pause = Duration::from_millis(1);
        while !replayed_by_one() {
            let usable: Vec<_> = self.replicas.iter().filter(|replica| replica.can_serve(self.max_lag, 0)).collect();
            let left = deadline.saturating_duration_since(Instant::now());
            if usable.is_empty() || left.is_zero() {
                return false;
            }
            let asked = usable.into_iter().map(|replica| async move {
                let answer = tokio::time::timeout(left, replay_position(&replica.pool)).await;
                if let Some(replayed) = answer.ok().and_then(Result::ok).flatten() {
                    replica.observe_replayed(replayed);
                }
            });
            futures_util::future::join_all(asked).await;
            if replayed_by_one() || Instant::now() + pause > deadline {
                break;
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        replayed_by_one()
    }

    /// Read requests the primary served while replicas were configured.
    pub fn primary_reads(&self) -> u64 {
        AtomicU64::load(&self.primary_reads, Ordering::Relaxed)
    }

    /// Where each session's latest write ended, for read-your-writes.
    pub fn written(&self) -> &WritePositions {
        &self.written
    }

    pub fn all(&self) -> &[Arc<Replica>] {
        &self.replicas
    }

    pub fn max_lag(&self) -> Duration {
        self.max_lag
    }

    /// Samples the primary and every replica every [`SAMPLE_INTERVAL`]
    /// until the returned task is aborted. Without replicas it does nothing.
    pub fn spawn_monitor(&self, primary: Pool) -> Option<tokio::task::JoinHandle<()>> {
        if self.replicas.is_empty() {
            return None;
        }
        let replicas = self.clone();
        Some(tokio::spawn(async move {
            let mut history = History::default();
            let mut ticks = tokio::time::interval(SAMPLE_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                replicas.sample(&primary, &mut history).await;
            }
        }))
    }

    async fn sample(&self, primary: &Pool, history: &mut History) {
        // A primary that does not answer leaves the replicas' lag unknown;
        // their last states stand until it answers again.
        let Ok(position) = within_sample_timeout(primary_position(primary)).await else {
            return;
        };
        let now = Instant::now();
        history.record(now, position);
        let history = &*history;
        let samples = self.replicas.iter().map(|replica| async move {
            let state = match within_sample_timeout(replay_position(&replica.pool)).await {
                Err(reason) => ReplicaState::Down { reason },
                Ok(None) => ReplicaState::NotInRecovery,
                Ok(Some(replayed)) => {
                    ReplicaState::Streaming { replayed, lag: history.lag(now, replayed), at: Instant::now() }
                }
            };
            replica.set(state);
        });
        futures_util::future::join_all(samples).await;
    }
}

/// The WAL position each session's latest mutation ended at, kept while a
/// replica that is usable at all might not have replayed it: a usable
/// replica is at most `max_lag` behind (plus a sample's age), so older
/// entries are dropped. This serves read-your-writes within one process; the
/// `CareerGraph-Read-After` header carries the same position across them.
pub struct WritePositions {
    keep: Duration,
    positions: Mutex<HashMap<uuid::Uuid, (Lsn, Instant)>>,
}

/// Most sessions remembered at once; past it the oldest entries go first.
const MAX_REMEMBERED: usize = 100_000;

impl WritePositions {
    fn new(max_lag: Duration) -> Self {
        Self { keep: max_lag + FRESH_SAMPLE + SAMPLE_INTERVAL, positions: Mutex::new(HashMap::new()) }
    }

    /// Remembers that `session`'s latest write ended at `position`.
    pub fn record(&self, session: uuid::Uuid, position: Lsn) {
        let mut positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        if positions.len() >= MAX_REMEMBERED {
            let keep = self.keep;
            positions.retain(|_, (_, at)| at.elapsed() <= keep);
            if positions.len() >= MAX_REMEMBERED {
                // Forgetting only sends those sessions' reads to replicas
                // sooner; a bound matters more than the few.
                positions.clear();
            }
        }
        let entry = positions.entry(session).or_insert((position, Instant::now()));
        *entry = (entry.0.max(position), Instant::now());
    }

    /// The position `session`'s reads must see, if it wrote lately.
    pub fn of(&self, session: uuid::Uuid) -> Option<Lsn> {
        let positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        positions.get(&session).filter(|(_, at)| at.elapsed() <= self.keep).map(|(position, _)| *position)
    }
}

/// `sample`'s outcome, or why there is none (including taking longer than
/// [`SAMPLE_TIMEOUT`]).
pub async fn within_sample_timeout<T>(sample: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::time::timeout(SAMPLE_TIMEOUT, sample)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} ms", SAMPLE_TIMEOUT.as_millis())))
}

/// Recent primary positions and when each was first seen.
#[derive(Default)]
struct History {
    samples: VecDeque<(Instant, Lsn)>,
}

/// Samples older than this are dropped: a replica further behind reads as
/// this late, which is past any sensible `--replica-max-lag`.
const HISTORY: Duration = Duration::from_secs(600);

impl History {
    fn record(&mut self, at: Instant, position: Lsn) {
        if self.samples.back().is_none_or(|&(_, last)| position > last) {
            self.samples.push_back((at, position));
        }
        while self.samples.front().is_some_and(|&(first, _)| at.duration_since(first) > HISTORY) {
            self.samples.pop_front();
        }
    }

    /// How long ago the primary first reached a position past `replayed`.
    fn lag(&self, now: Instant, replayed: Lsn) -> Duration {
        self.samples
            .iter()
            .find(|&&(_, position)| position > replayed)
            .map_or(Duration::ZERO, |&(at, _)| now.duration_since(at))
    }
}

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
}

/// The primary's WAL position now: a read after it sees every write
/// committed before it. The insert position, not the write position: with
/// `synchronous_commit = off` a commit returns before its record is written.
pub async fn primary_position(pool: &Pool) -> Result<Lsn, String> {
    let row = position(pool, "pg_current_wal_insert_lsn()", "false").await?;
    Ok(row.position.unwrap_or(0).max(0) as Lsn)
}

/// The replica's replayed position, or `None` when it is not a standby.
async fn replay_position(pool: &Pool) -> Result<Option<Lsn>, String> {
    let row = position(pool, "pg_last_wal_replay_lsn()", "pg_is_in_recovery()").await?;
    Ok(row.in_recovery.then(|| row.position.unwrap_or(0).max(0) as Lsn))
}

/// A WAL position (the `lsn` expression, as bytes) and whether the server
/// is in recovery (the `in_recovery` expression).
async fn position(pool: &Pool, lsn: &'static str, in_recovery: &'static str) -> Result<Position, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    // Both expressions are constants of this module: the text takes two shapes.
    diesel::sql_query(format!("SELECT pg_wal_lsn_diff({lsn}, '0/0')::bigint AS position, {in_recovery} AS in_recovery"))
        .get_result(&mut conn)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_the_oldest_position_not_replayed() {
        let start = Instant::now();
        let mut history = History::default();
        history.record(start, 100);
        history.record(start + Duration::from_secs(1), 100); // idle primary: no new sample
        history.record(start + Duration::from_secs(2), 250);
        history.record(start + Duration::from_secs(3), 400);
        let now = start + Duration::from_secs(4);
        assert_eq!(history.lag(now, 400), Duration::ZERO, "caught up");
        assert_eq!(history.lag(now, 100), Duration::from_secs(2), "missing what arrived at 2 s");
        assert_eq!(history.lag(now, 300), Duration::from_secs(1));
        assert_eq!(history.lag(now, 50), Duration::from_secs(4));
    }
}
