//! The `careergraph` command: `serve` (default), `migrate`, `schema`.

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Cli, Command, DatabaseArgs, ServerArgs};
use crate::db::{self, Database, migrations};
use crate::{graphql, http, telemetry};

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("cannot start the async runtime: {err}")),
    };
    let outcome = runtime.block_on(async {
        match command {
            Command::Serve => serve(&cli.database, &cli.server).await,
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
    let database = Database::open(args.database_url.as_deref(), &args.data_dir)
        .await
        .map_err(|e| e.to_string())?;
    let outcome = run_migrations(database.url()).await;
    database.close().await.map_err(|e| e.to_string())?;
    outcome
}

async fn run_migrations(url: &str) -> Result<(), String> {
    let applied = migrations::run_pending(url)
        .await
        .map_err(|e| e.to_string())?;
    if applied.is_empty() {
        tracing::info!("migrations are current");
    } else {
        tracing::info!(count = applied.len(), versions = ?applied, "applied migrations");
    }
    Ok(())
}

async fn serve(db_args: &DatabaseArgs, server: &ServerArgs) -> Result<(), String> {
    let database = Database::open(db_args.database_url.as_deref(), &db_args.data_dir)
        .await
        .map_err(|e| e.to_string())?;
    let outcome = serve_on(&database, db_args, server).await;
    // The embedded PostgreSQL stops whether serving ended well or not.
    let closed = database.close().await.map_err(|e| e.to_string());
    outcome.and(closed)
}

async fn serve_on(
    database: &Database,
    db_args: &DatabaseArgs,
    server: &ServerArgs,
) -> Result<(), String> {
    run_migrations(database.url()).await?;
    let pool = db::build_pool(database.url(), db_args.db_pool_size).map_err(|e| e.to_string())?;
    let state = http::AppState {
        pool,
        schema: graphql::build_schema(),
    };
    let listener = tokio::net::TcpListener::bind(server.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", server.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%address, "careergraph listening; GraphiQL at http://{address}/graphiql");
    http::serve(
        listener,
        http::router(state, server),
        shutdown_signal(),
        server.shutdown_grace(),
    )
    .await
    .map_err(|err| format!("server error: {err}"))?;
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
