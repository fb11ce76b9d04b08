//! The migrations in `migrations/`, embedded in the binary.
//!
//! diesel_migrations is synchronous; diesel-async's `AsyncConnectionWrapper`
//! gives it a connection without libpq, driven on a blocking thread.

use std::collections::BTreeSet;

use diesel::pg::Pg;
use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

type SyncConnection = AsyncConnectionWrapper<AsyncPgConnection>;

/// The advisory lock key migrating processes take, so replicas starting
/// together apply each migration once: the others wait, then find nothing
/// pending.
const MIGRATION_LOCK: i64 = 0x6361_7265_6572_6d67; // "careermg"

/// Runs every pending migration; returns the versions applied.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, DbError> {
    with_sync_connection(database_url, |conn| {
        let lock = |conn: &mut SyncConnection, call: &str| {
            diesel::RunQueryDsl::execute(sql_query(format!("SELECT {call}({MIGRATION_LOCK})")), conn)
        };
        lock(conn, "pg_advisory_lock")?;
        let applied =
            conn.run_pending_migrations(MIGRATIONS).map(|versions| versions.iter().map(ToString::to_string).collect());
        // The lock also ends with the connection, should unlocking fail.
        lock(conn, "pg_advisory_unlock")?;
        applied
    })
    .await
}

/// Reverts every applied migration, newest first (used by tests and by
/// whoever needs an empty schema back).
pub async fn revert_all(database_url: &str) -> Result<Vec<String>, DbError> {
    with_sync_connection(database_url, |conn| {
        conn.revert_all_migrations(MIGRATIONS).map(|versions| versions.iter().map(ToString::to_string).collect())
    })
    .await
}

async fn with_sync_connection<T, F>(database_url: &str, work: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: FnOnce(&mut SyncConnection) -> diesel::migration::Result<T> + Send + 'static,
{
    use diesel::Connection;
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncConnection::establish(&url).map_err(|err| DbError::Connect(err.to_string()))?;
        work(&mut conn).map_err(|err| DbError::Migration(err.to_string()))
    })
    .await
    .map_err(|err| DbError::Migration(format!("migration task failed: {err}")))?
}

/// The versions this binary carries, in the form diesel records them.
pub fn embedded_versions() -> BTreeSet<String> {
    use diesel::migration::MigrationSource;
    MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map(|migrations| migrations.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The embedded migrations the database has not applied yet. A database
/// that never ran migrations has all of them pending.
pub async fn pending_versions(conn: &mut AsyncPgConnection) -> Result<Vec<String>, diesel::result::Error> {
    let table_exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "to_regclass('__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result(conn)
    .await?;
    let applied: BTreeSet<String> = if table_exists {
        sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<AppliedVersion>(conn)
            .await?
            .into_iter()
            .map(|row| row.version)
            .collect()
    } else {
        BTreeSet::new()
    };
    Ok(embedded_versions().difference(&applied).cloned().collect())
}
