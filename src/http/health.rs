//! `/health` (the process is up) and `/health/ready` (it can serve).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use crate::db::migrations;

/// How long readiness may take before it counts as "not ready": under a
/// second, so a load balancer sees an outage within one probe.
const READY_TIMEOUT: Duration = Duration::from_millis(800);

/// Liveness: answers without touching the database.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok", "version": crate::VERSION }))
}

/// Readiness: the database answers and every embedded migration is applied.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let outcome = tokio::time::timeout(READY_TIMEOUT, check(&state))
        .await
        .unwrap_or_else(|_| Err(format!("the database did not answer within {} ms", READY_TIMEOUT.as_millis())));
    match outcome {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready", "version": crate::VERSION }))),
        Err(reason) => {
            tracing::warn!(reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": reason })))
        }
    }
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
