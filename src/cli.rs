//! The `careergraph` command: `serve` (default), `migrate`, `schema`.

use std::process::ExitCode;

use clap::Parser;

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{self, Auth};
use crate::config::{Cli, Command, DatabaseArgs, ServerArgs};
use crate::db::{self, Database, migrations};
use crate::{graphql, http, mail, telemetry};

/// How often queued mail is handed to the mailer.
const MAIL_DRAIN_INTERVAL: Duration = Duration::from_secs(5);

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let command = cli.command.take().unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", graphql::sdl());
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
    let database = Database::open(args.database_url.as_deref(), &args.data_dir).await.map_err(|e| e.to_string())?;
    let outcome = run_migrations(database.url()).await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

async fn run_migrations(url: &str) -> Result<(), String> {
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
    let database =
        Database::open(db_args.database_url.as_deref(), &db_args.data_dir).await.map_err(|e| e.to_string())?;
    let outcome = serve_on(&database, db_args, &cli.server, Auth::new(&jwt_secret)).await;
    // The embedded PostgreSQL stops whether serving ended well or not.
    let closed = database.close().await.map_err(|e| e.to_string());
    outcome.and(closed)
}

async fn serve_on(database: &Database, db_args: &DatabaseArgs, server: &ServerArgs, auth: Auth) -> Result<(), String> {
    run_migrations(database.url()).await?;
    let pool = db::build_pool(database.url(), db_args.db_pool_size).map_err(|e| e.to_string())?;
    let mailer = mail::spawn_drainer(pool.clone(), Arc::new(mail::LoggingMailer), MAIL_DRAIN_INTERVAL);
    let state = http::AppState::new(pool, auth);
    let listener = tokio::net::TcpListener::bind(server.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", server.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%address, "careergraph listening; GraphiQL at http://{address}/graphiql");
    http::serve(listener, http::router(state, server), shutdown_signal(), server.shutdown_grace())
        .await
        .map_err(|err| format!("server error: {err}"))?;
    mailer.abort();
    tracing::info!("server stopped");
    Ok(())
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
