//! `/health` (the process is up) and `/health/ready` (it can serve).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use crate::db::migrations;
use crate::db::replicas::ReplicaState;

/// How long readiness may take before it counts as "not ready": under a
/// second, so a load balancer sees an outage within one probe.
const READY_TIMEOUT: Duration = Duration::from_millis(800);

/// Liveness: answers without touching the database.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok", "version": crate::VERSION }))
}

/// Readiness: the primary answers and every embedded migration is applied.
/// Each database is listed, replicas with their state and lag; a replica
/// that is down or behind does not make the process unready (reads go to
/// the primary then).
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let outcome = tokio::time::timeout(READY_TIMEOUT, check(&state))
        .await
        .unwrap_or_else(|_| Err(format!("the database did not answer within {} ms", READY_TIMEOUT.as_millis())));
    let primary =
        json!({ "name": "primary", "role": "PRIMARY", "status": if outcome.is_ok() { "UP" } else { "DOWN" } });
    let databases: Vec<Value> =
        std::iter::once(primary).chain(state.replicas.all().iter().map(|r| replica(r, &state))).collect();
    match outcome {
        Ok(()) => {
            (StatusCode::OK, Json(json!({ "status": "ready", "version": crate::VERSION, "databases": databases })))
        }
        Err(reason) => {
            tracing::warn!(reason, "not ready");
            let body = json!({ "status": "unavailable", "reason": reason, "databases": databases });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

fn replica(replica: &crate::db::replicas::Replica, state: &AppState) -> Value {
    let max_lag = state.replicas.max_lag();
    let mut entry = json!({ "name": replica.name, "role": "REPLICA" });
    match replica.state() {
        ReplicaState::Unknown => entry["status"] = json!("UNKNOWN"),
        ReplicaState::Streaming { lag, .. } => {
            entry["status"] = json!(if lag <= max_lag { "STREAMING" } else { "LAGGING" });
            entry["lagSeconds"] = json!(lag.as_secs_f64());
        }
        ReplicaState::NotInRecovery => {
            entry["status"] = json!("NOT_IN_RECOVERY");
            entry["reason"] = json!("it answers but is not a standby, so it is not read from");
        }
        ReplicaState::Down { .. } => {
            // The driver's message may name hosts; the log has it.
            entry["status"] = json!("DOWN");
        }
    }
    entry
}

async fn check(state: &AppState) -> Result<(), String> {
    let mut conn = state.pool.get().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness: no database connection");
        "the database is unreachable".to_owned()
    })?;
    let pending = migrations::pending_versions(&mut conn).await.map_err(|err| {
        tracing::warn!(error = %err, "readiness: migration check failed");
        "the database did not answer the migration check".to_owned()
    })?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(format!("{} migration(s) pending: {}", pending.len(), pending.join(", ")))
    }
}
