//! The `careergraph` command: `serve` (default), `migrate`, `schema`.

use std::process::ExitCode;

use clap::Parser;

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{self, Auth};
use crate::config::{AdminCommand, AnalyticsCommand, Cli, Command, DatabaseArgs, PoolMode, SeedVolume, ServerArgs};
use crate::db::{self, Database, STARTUP_CONNECT_TIMEOUT, migrations};
use crate::{analytics, bulk, demo, http, mail, schema, telemetry, users};

/// How often queued mail is handed to the mailer.
const MAIL_DRAIN_INTERVAL: Duration = Duration::from_secs(5);
/// How often the document text worker looks for PDFs another process (or a
/// crash) left waiting; uploads here wake it at once.
const TEXT_SWEEP_INTERVAL: Duration = Duration::from_secs(30);

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let command = cli.command.take().unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", schema::sdl());
        return ExitCode::SUCCESS;
    }
    telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("cannot start the async runtime: {err}")),
    };
    let outcome = runtime.block_on(async {
        match command {
            Command::Serve => serve(&cli).await,
            Command::Migrate => migrate(&cli.database).await,
            Command::Seed { volume } => seed(&cli.database, cli.server.demo, volume).await,
            Command::Analytics { command: AnalyticsCommand::Snapshot } => snapshot(&cli.database).await,
            Command::Admin { command: AdminCommand::Create { email, full_name } } => {
                create_admin(&cli.database, &email, &full_name).await
            }
            Command::Schema => unreachable!("handled above"),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("careergraph: {message}");
    ExitCode::FAILURE
}

async fn migrate(args: &DatabaseArgs) -> Result<(), String> {
    let mut database = open_database(args).await?;
    let outcome = prepare_database(&mut database, args).await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

async fn create_admin(args: &DatabaseArgs, email: &str, full_name: &str) -> Result<(), String> {
    let password = read_password("Password for the new admin: ")?;
    let mut database = open_database(args).await?;
    let outcome = async {
        prepare_database(&mut database, args).await?;
        let pool = database.pool(1).map_err(|e| e.to_string())?;
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let id = users::create_admin(&mut conn, email, full_name, &password).await?;
        tracing::info!(user_id = %id, "admin account created");
        Ok(())
    }
    .await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

/// One line from stdin, without its newline. On a terminal the prompt goes
/// to stderr and typing is not echoed.
fn read_password(prompt: &str) -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let echo = terminal.then(|| {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        disable_echo()
    });
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(Some(original)) = echo {
        restore_echo(original);
        eprintln!();
    }
    read.map_err(|err| format!("cannot read the password: {err}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Turns terminal echo off; returns the settings to restore.
fn disable_echo() -> Option<libc::termios> {
    // SAFETY: termios is plain data; tcgetattr fills it for fd 0.
    unsafe {
        let mut settings: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(0, &mut settings) != 0 {
            return None;
        }
        let original = settings;
        settings.c_lflag &= !libc::ECHO;
        libc::tcsetattr(0, libc::TCSANOW, &settings);
        Some(original)
    }
}

fn restore_echo(original: libc::termios) {
    // SAFETY: restores settings read by tcgetattr for the same fd.
    unsafe {
        libc::tcsetattr(0, libc::TCSANOW, &original);
    }
}

async fn seed(args: &DatabaseArgs, demo: bool, volume: SeedVolume) -> Result<(), String> {
    let bulk = volume.users + volume.jobs + volume.applications > 0;
    if !demo && !bulk {
        return Err("say what to seed: `careergraph seed --demo` or `careergraph seed --users N --jobs N \
                    --applications N`"
            .to_owned());
    }
    let mut database = open_database(args).await?;
    let outcome = async {
        prepare_database(&mut database, args).await?;
        if demo {
            seed_demo(&database).await?;
        }
        if bulk {
            let pool = database.pool(1).map_err(|e| e.to_string())?;
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let added = bulk::seed(&mut conn, volume).await.map_err(|e| format!("seeding failed: {e}"))?;
            println!(
                "Added {} users, {} jobs, {} applications ({} timeline events) in {:.1?}.",
                added.users,
                added.jobs,
                added.applications,
                added.events,
                started.elapsed()
            );
            if added.users > added.recruiters {
                println!(
                    "Sign in with password \"{}\" as a recruiter ({}) or a candidate ({}).",
                    demo::DEMO_PASSWORD,
                    added.email(0),
                    added.email(added.recruiters)
                );
            }
        }
        Ok(())
    }
    .await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

/// Seeds the demo data set into an empty database and prints how to sign in.
async fn seed_demo(database: &Database) -> Result<(), String> {
    let pool = database.pool(1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    match demo::seed_if_empty(&mut conn).await.map_err(|e| format!("seeding failed: {e}"))? {
        None => tracing::info!("the database already has data; demo data not seeded"),
        Some(seeded) => {
            println!(
                "Seeded demo data: {} jobs, {} applications. Sign in with password \"{}\" as:",
                seeded.jobs,
                seeded.applications,
                demo::DEMO_PASSWORD
            );
            for (email, role) in &seeded.logins {
                println!("  {email:<40} {role}");
            }
        }
    }
    Ok(())
}

async fn snapshot(args: &DatabaseArgs) -> Result<(), String> {
    let mut database = open_database(args).await?;
    let outcome = async {
        prepare_database(&mut database, args).await?;
        let pool = database.pool(4).map_err(|e| e.to_string())?;
        let stored = analytics::snapshot_everyone(&pool).await.map_err(|e| e.to_string())?;
        println!("Stored today's analytics snapshot for {stored} users.");
        Ok(())
    }
    .await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

/// Opens the database `args` name (starting the embedded one without a URL).
async fn open_database(args: &DatabaseArgs) -> Result<Database, String> {
    if args.database_url.is_none() && args.database_direct_url.is_some() {
        return Err("DATABASE_DIRECT_URL needs DATABASE_URL: it is the direct way to the database that a pooler \
                    at DATABASE_URL leads to"
            .to_owned());
    }
    let database = Database::open(args.database_url.as_deref(), &args.data_dir).await.map_err(|e| e.to_string())?;
    Ok(match &args.database_direct_url {
        Some(direct) => database.with_direct_url(direct),
        None => database,
    })
}

/// Settles how pooled connections send statements, then migrates the
/// database over its direct URL (the migrations' advisory lock needs a
/// session of its own).
async fn prepare_database(database: &mut Database, args: &DatabaseArgs) -> Result<(), String> {
    let statements = match args.database_pool_mode {
        PoolMode::Session => db::Statements::Prepared,
        PoolMode::Transaction => db::Statements::Unnamed,
        PoolMode::Auto if database.is_embedded() => db::Statements::Prepared,
        PoolMode::Auto => db::pooler::detect(database.url()).await.map_err(|e| e.to_string())?,
    };
    if statements == db::Statements::Unnamed {
        if database.direct_url() == database.url() {
            return Err("DATABASE_URL leads to a connection pooler in transaction mode, which cannot hold the \
                        session that migrations and subscriptions need: set DATABASE_DIRECT_URL to the database \
                        itself (docs/scaling.md)"
                .to_owned());
        }
        tracing::info!(
            detected = args.database_pool_mode == PoolMode::Auto,
            "DATABASE_URL is a pooler in transaction mode: pooled statements are sent unnamed"
        );
    }
    database.set_statements(statements);
    run_migrations(database.direct_url()).await
}

async fn run_migrations(url: &str) -> Result<(), String> {
    // Migrations may rightly take long (or wait for another replica's), so
    // only the first connection is bounded: a database that accepts the
    // socket but never answers would otherwise hang start-up silently.
    use diesel_async::AsyncConnection;
    let probe = tokio::time::timeout(STARTUP_CONNECT_TIMEOUT, diesel_async::AsyncPgConnection::establish(url))
        .await
        .map_err(|_| {
            let secs = STARTUP_CONNECT_TIMEOUT.as_secs();
            format!("the database did not answer a connection within {secs}s")
        })?;
    probe.map_err(|err| format!("could not connect to the database: {err}"))?;
    let applied = migrations::run_pending(url).await.map_err(|e| e.to_string())?;
    if applied.is_empty() {
        tracing::info!("migrations are current");
    } else {
        tracing::info!(count = applied.len(), versions = ?applied, "applied migrations");
    }
    Ok(())
}

async fn serve(cli: &Cli) -> Result<(), String> {
    let db_args = &cli.database;
    let jwt_secret = auth::load_jwt_secret(cli.jwt_secret.as_deref(), &db_args.data_dir)?;
    if cli.jwt_secret.is_none() && db_args.database_url.is_some() {
        tracing::warn!("no --jwt-secret given: replicas sharing this database must share one secret");
    }
    let mut database = open_database(db_args).await?;
    let outcome = serve_on(&mut database, db_args, &cli.server, Auth::new(&jwt_secret)).await;
    // The embedded PostgreSQL stops whether serving ended well or not.
    let closed = database.close().await.map_err(|e| e.to_string());
    outcome.and(closed)
}

async fn serve_on(
    database: &mut Database,
    db_args: &DatabaseArgs,
    server: &ServerArgs,
    auth: Auth,
) -> Result<(), String> {
    prepare_database(database, db_args).await?;
    if server.demo {
        seed_demo(database).await?;
    }
    let pool = database.pool(db_args.db_pool_size).map_err(|e| e.to_string())?;
    let replicas = replicas(database, db_args)?;
    let monitor = replicas.spawn_monitor(pool.clone());
    let mailer = mail::spawn_drainer(pool.clone(), Arc::new(mail::LoggingMailer), MAIL_DRAIN_INTERVAL);
    let texts = crate::documents::extract::spawn_worker(pool.clone(), TEXT_SWEEP_INTERVAL);
    let persisted = http::PersistedQueries::configured(server)?;
    if let Some(count) = persisted.safelist_len() {
        tracing::info!(operations = count, "running registered operations only");
    }
    let events =
        crate::live::EventHub::listen_reading_from(database.direct_url().to_owned(), replicas.clone(), pool.clone());
    let state = http::AppState::new(pool, auth)
        .with_persisted_queries(persisted)
        .with_sql_count(server.debug_sql_count)
        .with_batch_window(server.loader_batch_window())
        .with_limits(server.query_limits())
        .with_slow_operation(server.slow_operation())
        .with_demo_logins(if server.demo { demo::logins() } else { Vec::new() })
        .with_replicas(replicas)
        .with_events(events);
    let listener = tokio::net::TcpListener::bind(server.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", server.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%address, "careergraph listening; GraphiQL at http://{address}/graphiql");
    http::serve(listener, http::router(state, server), shutdown_signal(), server.shutdown_grace())
        .await
        .map_err(|err| format!("server error: {err}"))?;
    mailer.abort();
    texts.abort();
    if let Some(monitor) = monitor {
        monitor.abort();
    }
    tracing::info!("server stopped");
    Ok(())
}

/// A pool per `--database-replica-url`, sending statements as the primary's do.
fn replicas(database: &Database, args: &DatabaseArgs) -> Result<db::Replicas, String> {
    let pools = args
        .database_replica_urls
        .iter()
        .map(|url| {
            tracing::info!(replica = %db::redact_url(url), "read replica configured");
            db::build_pool_for(url, args.db_pool_size, database.statements()).map(|pool| (url.clone(), pool))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(db::Replicas::new(pools, args.replica_max_lag))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
