//! Streaming read replicas, watched: the real `careergraph serve` with a
//! real replica (`pg_basebackup -R`) reports it streaming, lagging while its
//! replay is paused behind new writes, down while it is stopped, and
//! streaming again once it recovers; the process stays ready throughout.

use crate::common;

use std::time::{Duration, Instant};

use common::TempDir;
use common::replica::Replicated;
use common::server::{ServerProcess, register_at};
use serde_json::Value;

/// `/health/ready`'s status code and its entry for the replica.
async fn replica_health(base_url: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{base_url}/health/ready")).await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let databases = body["databases"].as_array().cloned().unwrap_or_default();
    assert_eq!(databases.first().map(|d| d["role"].clone()), Some("PRIMARY".into()), "{body}");
    let replica = databases.iter().find(|d| d["role"] == "REPLICA").cloned().unwrap_or_else(|| panic!("{body}"));
    (status, replica)
}

/// Waits until the replica's reported status is `wanted`; returns its entry.
async fn await_replica(base_url: &str, wanted: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, replica) = replica_health(base_url).await;
        assert_eq!(status, 200, "a replica's state never makes the process unready: {replica}");
        if replica["status"] == wanted {
            return replica;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the replica never became {wanted}: {replica}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn metric(base_url: &str, name: &str) -> Option<f64> {
    let page = reqwest::get(format!("{base_url}/metrics")).await.unwrap().text().await.unwrap();
    page.lines().find(|line| line.starts_with(name)).and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_is_reported_streaming_lagging_down_and_back() {
    let mut databases = Replicated::start().await;
    let dir = TempDir::new("replica-serve");
    let replica_url = databases.replica_url();
    let server = ServerProcess::start_with(
        dir.path(),
        Some(&databases.primary_url()),
        &[("DATABASE_REPLICA_URL", &replica_url), ("CAREERGRAPH_REPLICA_MAX_LAG", "500ms")],
    );
    let base = server.base_url.clone();
    let client = reqwest::Client::new();

    let streaming = await_replica(&base, "STREAMING").await;
    assert_eq!(streaming["lagSeconds"], 0.0, "{streaming}");
    assert!(!streaming["name"].as_str().unwrap().contains("password"), "{streaming}");
    assert_eq!(metric(&base, "careergraph_replica_up{").await, Some(1.0));

    // Paused replay behind a write: the replica falls further behind every sample.
    databases.pause_replay(true).await;
    register_at(&client, &base, "ada@example.com", "CANDIDATE").await;
    let lagging = await_replica(&base, "LAGGING").await;
    assert!(lagging["lagSeconds"].as_f64().unwrap() > 0.5, "{lagging}");
    assert!(metric(&base, "careergraph_replica_lag_seconds{").await.unwrap() > 0.5);
    databases.pause_replay(false).await;
    databases.await_caught_up().await;
    await_replica(&base, "STREAMING").await;

    // Stopped: down, and the process stays ready on its primary.
    databases.stop_replica().await;
    await_replica(&base, "DOWN").await;
    assert_eq!(metric(&base, "careergraph_replica_up{").await, Some(0.0));
    register_at(&client, &base, "bob@example.com", "CANDIDATE").await;
    databases.start_replica().await;
    await_replica(&base, "STREAMING").await;
}
