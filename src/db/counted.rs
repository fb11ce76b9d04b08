//! A request's handle on the pool. Every connection it checks out counts the
//! SQL statements it runs into the request's counter, which is how tests
//! (and `--debug-sql-count`) prove that statement counts follow a query's
//! shape, not its result size.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::{CONNECTION_TIMEOUT, Pool, PooledConnection};

/// The pool, as one request uses it.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// Where connections come from when `pool` (a replica's) has none to give.
    fallback: Option<Pool>,
    statements: Arc<AtomicUsize>,
}

/// The error of checking out a connection.
pub type CheckoutError = deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>;

impl Db {
    pub fn new(pool: Pool) -> Self {
        Self { pool, fallback: None, statements: Arc::new(AtomicUsize::new(0)) }
    }

    /// This handle reading from a replica's pool instead, falling back to
    /// its own when no connection to the replica can be had (it went down
    /// since the monitor last looked); statements count as this one's.
    pub fn reading_from(&self, replica: Pool) -> Self {
        Self { pool: replica, fallback: Some(self.pool.clone()), statements: self.statements.clone() }
    }

    /// A connection that counts its statements for this request until it is
    /// returned.
    ///
    /// The whole checkout is bounded by [`CONNECTION_TIMEOUT`]: the pool
    /// bounds each step (the wait, each recycling ping, the connect), but on
    /// a stalled link it would ping every idle connection in turn.
    pub async fn conn(&self) -> Result<Conn, CheckoutError> {
        let checkout = |pool: &Pool| {
            let pool = pool.clone();
            async move {
                tokio::time::timeout(CONNECTION_TIMEOUT, pool.get())
                    .await
                    .map_err(|_| CheckoutError::Timeout(deadpool::managed::TimeoutType::Wait))?
            }
        };
        let mut conn = match (checkout(&self.pool).await, &self.fallback) {
            (Ok(conn), _) => conn,
            (Err(err), Some(primary)) => {
                tracing::warn!(error = %err, "no replica connection; reading from the primary");
                checkout(primary).await?
            }
            (Err(err), None) => return Err(err),
        };
        conn.set_instrumentation(StatementCounter(self.statements.clone()));
        Ok(Conn(conn))
    }

    /// How many statements this request has run so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::Relaxed)
    }
}

/// A checked-out connection; see [`Db::conn`].
pub struct Conn(PooledConnection);

impl Deref for Conn {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        &self.0
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.0
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // The pool's own health checks on the next checkout count for nobody.
        self.0.set_instrumentation(NoCounting);
    }
}

struct StatementCounter(Arc<AtomicUsize>);

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

struct NoCounting;

impl Instrumentation for NoCounting {
    fn on_connection_event(&mut self, _event: InstrumentationEvent<'_>) {}
}
