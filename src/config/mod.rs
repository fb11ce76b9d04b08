//! Command-line flags and their environment twins.

mod cidr;

pub use cidr::Cidr;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::graphql::{OutputBudget, QueryLimits};

/// careergraph: a GraphQL backend for the resume and job-search domain.
///
/// With no subcommand it serves. Without a database URL it runs its own
/// PostgreSQL from the installed server binaries, with its data in
/// `<data-dir>/postgres`.
#[derive(Debug, Parser)]
#[command(name = "careergraph", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub server: ServerArgs,

    /// Secret that signs access tokens (at least 32 bytes). Without it, one
    /// is generated once and kept in `<data-dir>/jwt-secret`; replicas
    /// sharing a database must share this secret.
    #[arg(long, env = "CAREERGRAPH_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// How log lines are written to stderr (filter them with RUST_LOG).
    #[arg(long, env = "CAREERGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations, then serve GraphQL over HTTP (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout; it must equal `schema.graphql`.
    Schema,
    /// Fill a database with data (runs migrations first): `seed --demo`
    /// writes the demo data set into an empty database; `seed --users N
    /// --jobs N --applications N` adds generated data in bulk, for benchmarks.
    Seed {
        #[command(flatten)]
        volume: SeedVolume,
    },
    /// Analytics tasks.
    Analytics {
        #[command(subcommand)]
        command: AnalyticsCommand,
    },
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// How much generated data `seed` adds.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct SeedVolume {
    /// Users to add (one in ten a recruiter), each with a small profile.
    #[arg(long, default_value_t = 0)]
    pub users: usize,
    /// Open jobs to add, posted by the generated recruiters.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Applications to add, from generated candidates to generated jobs,
    /// each with its timeline.
    #[arg(long, default_value_t = 0)]
    pub applications: usize,
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Store today's figures for every user (what `snapshotAnalytics` does
    /// for one); run it daily, e.g. from cron.
    Snapshot,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account. The password is read from stdin (prompted
    /// for, without echo, on a terminal).
    Create {
        /// The admin's email address.
        #[arg(long)]
        email: String,
        /// The admin's name.
        #[arg(long, default_value = "Administrator")]
        full_name: String,
    },
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL. Without it, an embedded PostgreSQL is started
    /// from the installed server binaries.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for local state; the embedded PostgreSQL keeps its cluster in
    /// `<data-dir>/postgres`.
    #[arg(long, env = "CAREERGRAPH_DATA_DIR", default_value = ".data", global = true)]
    pub data_dir: PathBuf,

    /// Largest number of pooled database connections.
    #[arg(long, env = "CAREERGRAPH_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: usize,

    /// Connection URL for what needs a database session of its own
    /// (migrations and their advisory lock, the LISTEN connection that
    /// feeds subscriptions) when DATABASE_URL leads to a pooler in
    /// transaction mode. Defaults to DATABASE_URL.
    #[arg(long, env = "DATABASE_DIRECT_URL", global = true, hide_env_values = true)]
    pub database_direct_url: Option<String>,

    /// How pooled connections to DATABASE_URL send statements: `session`
    /// keeps named prepared statements (direct connections, session
    /// pooling), `transaction` sends unnamed ones (PgBouncer's
    /// `pool_mode = transaction`), `auto` finds out at start-up.
    #[arg(long, env = "DATABASE_POOL_MODE", value_enum, default_value_t = PoolMode::Auto, global = true)]
    pub database_pool_mode: PoolMode,

    /// A streaming read replica's connection URL (repeatable;
    /// comma-separated in the environment). Its replay position is watched,
    /// and `/health/ready` and `/metrics` report it.
    #[arg(
        long = "database-replica-url",
        env = "DATABASE_REPLICA_URL",
        value_delimiter = ',',
        global = true,
        hide_env_values = true
    )]
    pub database_replica_urls: Vec<String>,

    /// How far behind the primary a replica may be and still serve reads
    /// (`1s`, `500ms`).
    #[arg(long, env = "CAREERGRAPH_REPLICA_MAX_LAG", default_value = "1s", value_parser = parse_duration, global = true)]
    pub replica_max_lag: Duration,
}

/// `250ms`, `1s`, `1.5s` or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix("ms") {
        Some(number) => (number, 0.001),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 && value * unit <= 86_400.0 => {
            Ok(Duration::from_secs_f64(value * unit))
        }
        _ => Err(format!("`{text}` is not a duration such as 500ms or 2s")),
    }
}

/// What DATABASE_URL leads to, as far as statements are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PoolMode {
    /// Detect it: two connections served by one PostgreSQL process between
    /// transactions mean a pooler in transaction mode.
    Auto,
    /// The database, or a pooler in session mode: prepared statements.
    Session,
    /// A pooler in transaction mode: unnamed statements.
    Transaction,
}

const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);
const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 30;
const DEFAULT_QUEUE_WAIT_MS: u64 = 1000;
/// A local statement costs well under a millisecond, so a split batch is
/// cheaper than a long wait; see docs/architecture.md.
const DEFAULT_BATCH_WINDOW_MS: u64 = 2;

/// How the HTTP server behaves.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Address to listen on (port 0 picks a free port; the log says which).
    #[arg(
        long,
        env = "CAREERGRAPH_LISTEN",
        default_value_t = DEFAULT_LISTEN,
        global = true
    )]
    pub listen: SocketAddr,

    /// Browser origins allowed to call the API (comma-separated, or `*` for any).
    /// None: no cross-origin access.
    #[arg(long = "cors-origin", env = "CAREERGRAPH_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "CAREERGRAPH_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES, global = true)]
    pub max_body_bytes: usize,

    /// Largest file `uploadDocument` accepts, in bytes (a multipart
    /// request may be this much larger than `--max-body-bytes`).
    #[arg(
        long,
        env = "CAREERGRAPH_MAX_UPLOAD_BYTES",
        default_value_t = crate::documents::DEFAULT_MAX_UPLOAD_BYTES,
        global = true
    )]
    pub max_upload_bytes: usize,

    /// Seconds a request may take before it is answered with a timeout error.
    #[arg(
        long,
        env = "CAREERGRAPH_REQUEST_TIMEOUT_SECS",
        default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Seed the demo data set (companies, recruiters, candidates with
    /// profiles, jobs, applications at every stage) when the database is empty.
    #[arg(long, env = "CAREERGRAPH_DEMO", global = true)]
    pub demo: bool,

    /// Report how many SQL statements each GraphQL request ran, in the
    /// response's `extensions.sqlStatements` (for development and tests).
    #[arg(long, env = "CAREERGRAPH_DEBUG_SQL_COUNT", global = true)]
    pub debug_sql_count: bool,

    /// Milliseconds a subscription's DataLoader waits to gather the keys of
    /// one level into one statement. Over HTTP, loaders batch without a
    /// timer: a level's statement starts once all its keys are asked for.
    #[arg(
        long,
        env = "CAREERGRAPH_LOADER_BATCH_WINDOW_MS",
        default_value_t = DEFAULT_BATCH_WINDOW_MS,
        global = true
    )]
    pub loader_batch_window_ms: u64,

    /// Deepest field nesting a query may have.
    #[arg(long, env = "CAREERGRAPH_MAX_QUERY_DEPTH", default_value_t = QueryLimits::default().max_depth, global = true)]
    pub max_query_depth: usize,

    /// Most estimated work a query may ask for (each field 1; a connection's
    /// items times its `first`/`last`).
    #[arg(
        long,
        env = "CAREERGRAPH_MAX_QUERY_COMPLEXITY",
        default_value_t = QueryLimits::default().max_complexity,
        global = true
    )]
    pub max_query_complexity: usize,

    /// Most aliased fields in a query.
    #[arg(long, env = "CAREERGRAPH_MAX_QUERY_ALIASES", default_value_t = QueryLimits::default().max_aliases, global = true)]
    pub max_query_aliases: usize,

    /// Most root fields in one operation.
    #[arg(long, env = "CAREERGRAPH_MAX_ROOT_FIELDS", default_value_t = QueryLimits::default().max_root_fields, global = true)]
    pub max_root_fields: usize,

    /// Most values (fields and list items) one response may hold; past it the
    /// operation stops and answers QUERY_TOO_COMPLEX.
    #[arg(
        long,
        env = "CAREERGRAPH_MAX_RESPONSE_VALUES",
        default_value_t = OutputBudget::default().max_values,
        global = true
    )]
    pub max_response_values: usize,

    /// Most bytes of JSON one response may take (estimated as it is built);
    /// past it the operation stops and answers QUERY_TOO_COMPLEX.
    #[arg(
        long,
        env = "CAREERGRAPH_MAX_RESPONSE_BYTES",
        default_value_t = OutputBudget::default().max_bytes,
        global = true
    )]
    pub max_response_bytes: usize,

    /// Run only the operations registered in this file (an Apollo persisted
    /// query manifest, or a JSON map of SHA-256 hash to document such as
    /// graphql-codegen's persisted-documents.json); anything else is refused.
    #[arg(long, env = "CAREERGRAPH_PERSISTED_ONLY", value_name = "FILE", global = true)]
    pub persisted_only: Option<PathBuf>,

    /// GraphQL operations that take at least this many milliseconds are
    /// logged as slow, with their name and request id.
    #[arg(long, env = "CAREERGRAPH_SLOW_OPERATION_MS", default_value_t = 1000, global = true)]
    pub slow_operation_ms: u64,

    /// Refuse introspection (`__schema`, `__type`), e.g. in production.
    #[arg(long, env = "CAREERGRAPH_NO_INTROSPECTION", global = true)]
    pub no_introspection: bool,

    /// A proxy (an address or CIDR network, repeatable) whose
    /// `X-Forwarded-For` names the client; rate limits then key on that
    /// client. From any other peer the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CAREERGRAPH_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<Cidr>,

    /// Most `/graphql` requests running at once (default: twice the CPU
    /// cores, at most the database pool size). Past it requests queue, then
    /// are answered 503.
    #[arg(long, env = "CAREERGRAPH_MAX_IN_FLIGHT", global = true)]
    pub max_in_flight: Option<usize>,

    /// Most requests waiting for a place to run (default: four times the
    /// database pool size); past it they are answered 503 with `Retry-After`.
    #[arg(long, env = "CAREERGRAPH_MAX_QUEUED", global = true)]
    pub max_queued: Option<usize>,

    /// Milliseconds a queued request waits for a place before it is
    /// answered 503 with `Retry-After`.
    #[arg(long, env = "CAREERGRAPH_QUEUE_WAIT_MS", default_value_t = DEFAULT_QUEUE_WAIT_MS, global = true)]
    pub queue_wait_ms: u64,

    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(
        long,
        env = "CAREERGRAPH_SHUTDOWN_GRACE_SECS",
        default_value_t = DEFAULT_SHUTDOWN_GRACE_SECS,
        global = true
    )]
    pub shutdown_grace_secs: u64,
}

impl ServerArgs {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_depth: self.max_query_depth,
            max_complexity: self.max_query_complexity,
            max_aliases: self.max_query_aliases,
            max_root_fields: self.max_root_fields,
            introspection: !self.no_introspection,
            output: OutputBudget { max_values: self.max_response_values, max_bytes: self.max_response_bytes },
        }
    }

    pub fn slow_operation(&self) -> Duration {
        Duration::from_millis(self.slow_operation_ms)
    }

    pub fn loader_batch_window(&self) -> Duration {
        Duration::from_millis(self.loader_batch_window_ms)
    }

    /// Admission control's bounds. By default two requests per core run
    /// (the benchmark's peak: more only contend for the cores), never more
    /// than the pool has connections, and four times the pool may wait.
    pub fn admission_limits(&self, pool_size: usize) -> AdmissionLimits {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let max_in_flight = self.max_in_flight.unwrap_or((cores * 2).min(pool_size.max(1))).max(1);
        AdmissionLimits {
            max_in_flight,
            max_queued: self.max_queued.unwrap_or(pool_size.max(1) * 4),
            queue_wait: Duration::from_millis(self.queue_wait_ms),
        }
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

impl Default for ServerArgs {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            cors_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_upload_bytes: crate::documents::DEFAULT_MAX_UPLOAD_BYTES,
            request_timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            shutdown_grace_secs: DEFAULT_SHUTDOWN_GRACE_SECS,
            debug_sql_count: false,
            loader_batch_window_ms: DEFAULT_BATCH_WINDOW_MS,
            max_query_depth: QueryLimits::default().max_depth,
            max_query_complexity: QueryLimits::default().max_complexity,
            max_query_aliases: QueryLimits::default().max_aliases,
            max_root_fields: QueryLimits::default().max_root_fields,
            max_response_values: OutputBudget::default().max_values,
            max_response_bytes: OutputBudget::default().max_bytes,
            no_introspection: false,
            persisted_only: None,
            trusted_proxies: Vec::new(),
            max_in_flight: None,
            max_queued: None,
            queue_wait_ms: DEFAULT_QUEUE_WAIT_MS,
            slow_operation_ms: 1000,
            demo: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How many requests run and wait, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionLimits {
    pub max_in_flight: usize,
    pub max_queued: usize,
    pub queue_wait: Duration,
}
