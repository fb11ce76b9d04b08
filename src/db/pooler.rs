//! Running behind a connection pooler in transaction mode (PgBouncer's
//! `pool_mode = transaction`): each transaction may run on another server
//! connection, so nothing may outlive one. careergraph's pooled queries then
//! run as unnamed statements (parsed, bound and executed in one round trip)
//! instead of named prepared statements kept per connection, and whatever
//! needs a session of its own (migrations' advisory lock, the LISTEN
//! connection) goes to the direct URL instead. See docs/scaling.md.

use diesel::sql_types::Integer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::{DbError, STARTUP_CONNECT_TIMEOUT};

/// How pooled connections send their statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statements {
    /// Named prepared statements, kept per connection: each is parsed and
    /// planned once. Needs a server session per connection (direct
    /// connections, or a pooler in session mode).
    Prepared,
    /// Unnamed statements: nothing outlives a statement or its transaction,
    /// so a pooler in transaction mode may switch server connections
    /// between any two of them. Each statement is parsed and planned anew.
    Unnamed,
}

/// How many times detection compares two connections' server processes.
const PROBE_ROUNDS: usize = 3;

/// Finds out whether `url` leads to a pooler in transaction (or statement)
/// mode: two client connections that, between transactions, are served by
/// the same PostgreSQL backend process share server connections, which
/// direct connections and session pooling never do. A pooler that hands
/// out server connections round-robin might not show it within the probe's
/// few rounds; say `--database-pool-mode transaction` then.
pub async fn detect(url: &str) -> Result<Statements, DbError> {
    tokio::time::timeout(STARTUP_CONNECT_TIMEOUT, probe(url)).await.map_err(|_| {
        let secs = STARTUP_CONNECT_TIMEOUT.as_secs();
        DbError::Connect(format!("the database did not answer a connection within {secs}s"))
    })?
}

async fn probe(url: &str) -> Result<Statements, DbError> {
    let connect = || async {
        let mut conn = AsyncPgConnection::establish(url).await.map_err(|err| DbError::Connect(err.to_string()))?;
        // The probe itself must work through the pooler it is looking for.
        conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
        Ok::<_, DbError>(conn)
    };
    let mut first = connect().await?;
    let mut second = connect().await?;
    for _ in 0..PROBE_ROUNDS {
        if backend(&mut first).await? == backend(&mut second).await? {
            return Ok(Statements::Unnamed);
        }
    }
    Ok(Statements::Prepared)
}

async fn backend(conn: &mut AsyncPgConnection) -> Result<i32, DbError> {
    diesel::select(diesel::dsl::sql::<Integer>("pg_backend_pid()"))
        .get_result(conn)
        .await
        .map_err(|err| DbError::Connect(err.to_string()))
}
