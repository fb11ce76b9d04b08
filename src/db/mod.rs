//! Database plumbing: the connection pool, the embedded migrations and the
//! embedded PostgreSQL that serves when no `DATABASE_URL` is given.

mod cached;
mod counted;
pub mod embedded;
mod keys;
mod limited;
pub mod migrations;
pub mod pooler;
mod related;
pub mod replicas;
pub mod tables;

use std::time::Duration;

pub use cached::{CacheStatement, Cached};
pub use counted::{CheckoutError, Conn, Db};
pub use keys::{KeyList, OneOfKeys};
pub use limited::Limited;
pub use pooler::Statements;
pub use related::{ColumnsOf, Fetched, Related};
pub use replicas::Replicas;

use deadpool::Runtime;
use deadpool::managed::{Object, Timeouts};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection};

/// The shared pool of async PostgreSQL connections.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// One connection checked out of the pool; it goes back when dropped.
pub type PooledConnection = Object<AsyncDieselConnectionManager<AsyncPgConnection>>;

/// How long a request waits for a pooled connection, or for a new one to be
/// made, before it fails instead of hanging.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// How long start-up waits for the database to answer a first connection.
pub const STARTUP_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Builds the pool. Connections are made lazily, so this succeeds even while
/// the database is down; `/health/ready` reports that.
///
/// A connection goes back into use without a ping (`RecyclingMethod::Fast`):
/// the default sends `SELECT 1` on every checkout, a round trip that was half
/// the statements of a typical request. Liveness is checked on error
/// instead: a connection whose socket has closed (the server restarted, the
/// backend was terminated) reports itself broken and is dropped at its next
/// checkout, and a request that meets a connection dying under it answers
/// SERVICE_UNAVAILABLE, which clients retry.
pub fn build_pool(database_url: &str, max_size: usize) -> Result<Pool, DbError> {
    build_pool_for(database_url, max_size, Statements::Prepared)
}

/// [`build_pool`], with connections sending their statements as told
/// (unnamed ones behind a pooler in transaction mode).
pub fn build_pool_for(database_url: &str, max_size: usize, statements: Statements) -> Result<Pool, DbError> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    if statements == Statements::Unnamed {
        config.custom_setup = Box::new(|url| {
            Box::pin(async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
                Ok(conn)
            })
        });
    }
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size.max(1))
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(CONNECTION_TIMEOUT),
            create: Some(CONNECTION_TIMEOUT),
            recycle: Some(CONNECTION_TIMEOUT),
        })
        .build()
        .map_err(|err| DbError::Pool(err.to_string()))
}

/// Failures of the database plumbing. Messages never carry credentials: URLs
/// are reported through [`redact_url`].
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not build the connection pool: {0}")]
    Pool(String),
    #[error("could not connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Embedded(#[from] embedded::EmbeddedError),
}

/// The URL with any password replaced, safe for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let masked = match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) if userinfo.contains(':') => {
                    let user = userinfo.split(':').next().unwrap_or_default();
                    format!("{scheme}://{user}:***@{host}{tail}")
                }
                _ => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    mask_password_params(&masked)
}

/// Masks `password=…` in a query string or a key=value connection string.
fn mask_password_params(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("password=") {
        let value_start = at + "password=".len();
        out.push_str(&rest[..value_start]);
        out.push_str("***");
        let value_len = rest[value_start..].find(['&', ' ']).unwrap_or(rest.len() - value_start);
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

/// The database the server uses: one given by URL, or the embedded one.
pub struct Database {
    url: String,
    /// Where sessions of their own go (migrations, LISTEN): the database
    /// itself when `url` leads to a pooler in transaction mode.
    direct_url: String,
    statements: Statements,
    embedded: Option<embedded::EmbeddedPostgres>,
}

/// The database the embedded cluster serves careergraph from.
pub const EMBEDDED_DATABASE: &str = "careergraph";

impl Database {
    /// Uses `database_url` when given; otherwise starts the embedded
    /// PostgreSQL in `<data_dir>/postgres`.
    pub async fn open(database_url: Option<&str>, data_dir: &std::path::Path) -> Result<Self, DbError> {
        if let Some(url) = database_url {
            tracing::info!(database = %redact_url(url), "using the database at DATABASE_URL");
            return Ok(Self::at(url));
        }
        let server =
            embedded::EmbeddedPostgres::start(&data_dir.join("postgres"), embedded::Durability::Durable).await?;
        server.ensure_database(EMBEDDED_DATABASE).await?;
        let url = server.url(EMBEDDED_DATABASE);
        Ok(Self { embedded: Some(server), ..Self::at(&url) })
    }

    /// The database at `url`, connected to directly with prepared statements.
    fn at(url: &str) -> Self {
        Self { url: url.to_owned(), direct_url: url.to_owned(), statements: Statements::Prepared, embedded: None }
    }

    /// Sends what needs a session of its own (migrations, LISTEN) to
    /// `direct_url` rather than through the pooler at [`Self::url`].
    pub fn with_direct_url(mut self, direct_url: &str) -> Self {
        tracing::info!(database = %redact_url(direct_url), "sessions (migrations, LISTEN) use DATABASE_DIRECT_URL");
        self.direct_url = direct_url.to_owned();
        self
    }

    /// How pooled connections send statements; see [`Statements`].
    pub fn set_statements(&mut self, statements: Statements) {
        self.statements = statements;
    }

    /// Whether this process started the PostgreSQL it uses.
    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The URL pooled connections use (perhaps a pooler's).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of a connection with a session of its own.
    pub fn direct_url(&self) -> &str {
        &self.direct_url
    }

    pub fn statements(&self) -> Statements {
        self.statements
    }

    /// A pool of up to `max_size` connections to [`Self::url`].
    pub fn pool(&self, max_size: usize) -> Result<Pool, DbError> {
        build_pool_for(&self.url, max_size, self.statements)
    }

    /// Stops the embedded PostgreSQL, if this process started one.
    pub async fn close(self) -> Result<(), DbError> {
        if let Some(server) = self.embedded {
            server.stop().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/cg"), "postgres://app:***@db:5432/cg");
        assert_eq!(redact_url("postgres://app@db/cg"), "postgres://app@db/cg");
        assert_eq!(redact_url("host=db password=s3cret user=app"), "host=db password=*** user=app");
        assert_eq!(redact_url("postgresql://u:p@x/db?password=no"), "postgresql://u:***@x/db?password=***");
    }
}
