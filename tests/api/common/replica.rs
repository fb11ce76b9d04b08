//! A primary of its own with a real streaming replica: two embedded
//! PostgreSQL clusters in one temp dir, the replica made with
//! `pg_basebackup -R` (so it streams from the primary at once). The test
//! cluster is not used: stopping a replica and pausing its replay must touch
//! nobody else's databases.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use careergraph::db::embedded::{Binaries, Durability, EmbeddedPostgres};
use careergraph::db::migrations;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::{TempDir, run_as_postgres_when_root};

/// The database the primary serves careergraph from (migrated).
pub const DATABASE: &str = "careergraph";

pub struct Replicated {
    primary: EmbeddedPostgres,
    replica: Option<EmbeddedPostgres>,
    replica_dir: PathBuf,
    _dir: TempDir,
}

impl Replicated {
    /// Starts the primary, migrates its database, and starts a replica of it.
    pub async fn start() -> Self {
        let dir = TempDir::new("replicated");
        let primary = EmbeddedPostgres::start(&dir.path().join("primary"), Durability::Throwaway)
            .await
            .unwrap_or_else(|err| panic!("cannot start the primary: {err}"));
        primary.ensure_database(DATABASE).await.expect("creating the database");
        migrations::run_pending(&primary.url(DATABASE)).await.expect("migrating the primary");
        // Commits wait for their WAL to be flushed, as in production, so it
        // streams to the replica at once (the throwaway cluster's
        // `synchronous_commit=off` leaves it to the WAL writer, up to 200 ms
        // later). A database's setting overrides the server's.
        let mut conn = AsyncPgConnection::establish(&primary.url(DATABASE)).await.expect("connecting to the primary");
        diesel::sql_query(format!("ALTER DATABASE {DATABASE} SET synchronous_commit = on"))
            .execute(&mut conn)
            .await
            .expect("synchronous commits");
        drop(conn);

        let replica_dir = dir.path().join("replica");
        // Beside the real initdb (PATH may hold a symlink to it).
        let initdb = std::fs::canonicalize(Binaries::locate().expect("PostgreSQL binaries").initdb).unwrap();
        let pg_basebackup = initdb.with_file_name("pg_basebackup");
        let mut command = std::process::Command::new(pg_basebackup);
        command
            .arg("--pgdata")
            .arg(&replica_dir)
            .args(["--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast", "--dbname"])
            .arg(format!("host={} port=5432 user=postgres", socket_dir(&primary.url(DATABASE))));
        run_as_postgres_when_root(&mut command, dir.path());
        let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("pg_basebackup");
        assert!(output.status.success(), "pg_basebackup failed: {}", String::from_utf8_lossy(&output.stderr));
        // The embedded primary keeps its socket in its data directory, so the
        // copy holds the primary's socket lock, which would stop the replica.
        let _ = std::fs::remove_file(replica_dir.join(".s.PGSQL.5432.lock"));

        let replica = EmbeddedPostgres::start(&replica_dir, Durability::Throwaway)
            .await
            .unwrap_or_else(|err| panic!("cannot start the replica: {err}"));
        Self { primary, replica: Some(replica), replica_dir, _dir: dir }
    }

    pub fn primary_url(&self) -> String {
        self.primary.url(DATABASE)
    }

    /// The replica's URL (the same while it is stopped and started again).
    pub fn replica_url(&self) -> String {
        let replica = self.replica.as_ref().expect("the replica runs");
        replica.url(DATABASE)
    }

    /// Stops the replica as an outage would (fast shutdown).
    pub async fn stop_replica(&mut self) {
        self.replica.take().expect("the replica runs").stop().await.expect("stopping the replica");
    }

    /// Starts the stopped replica again; it catches up by streaming.
    pub async fn start_replica(&mut self) {
        assert!(self.replica.is_none(), "the replica runs already");
        let replica = EmbeddedPostgres::start(&self.replica_dir, Durability::Throwaway)
            .await
            .unwrap_or_else(|err| panic!("cannot restart the replica: {err}"));
        self.replica = Some(replica);
    }

    /// Stops (`true`) or resumes replaying WAL on the replica: it keeps
    /// receiving, so it falls behind as the primary writes.
    pub async fn pause_replay(&self, paused: bool) {
        let mut conn = AsyncPgConnection::establish(&self.replica_url()).await.expect("connecting to the replica");
        let call = if paused { "pg_wal_replay_pause()" } else { "pg_wal_replay_resume()" };
        diesel::sql_query(format!("SELECT {call}")).execute(&mut conn).await.expect(call);
    }

    /// Waits until the replica has replayed everything the primary wrote so far.
    pub async fn await_caught_up(&self) {
        let primary = position(&self.primary_url(), "pg_current_wal_insert_lsn()").await;
        let started = Instant::now();
        while position(&self.replica_url(), "pg_last_wal_replay_lsn()").await < primary {
            assert!(started.elapsed() < Duration::from_secs(20), "the replica never caught up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A WAL position (`call` is the function that reports it) as bytes.
async fn position(url: &str, call: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connecting");
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("pg_wal_lsn_diff({call}, '0/0')::bigint")))
        .get_result(&mut conn)
        .await
        .expect(call)
}

/// The `host=` of an embedded cluster's socket URL.
fn socket_dir(url: &str) -> &str {
    let query = url.split_once('?').expect("a socket URL").1;
    query.split('&').find_map(|pair| pair.strip_prefix("host=")).expect("a host parameter")
}
