//! `/health` and `/health/ready`, including readiness going to 503 when the
//! database stops or migrations are missing.

use crate::common;

use careergraph::config::ServerArgs;
use careergraph::db::embedded::{Durability, EmbeddedPostgres};
use careergraph::db::migrations;
use careergraph::graphql::ids;
use common::{TempDir, TestApp, TestDb, error_codes, serve_router};
use serde_json::{Value, json};

#[tokio::test]
async fn liveness_reports_ok_and_the_crate_version() {
    let app = TestApp::spawn().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }));
}

#[tokio::test]
async fn ready_when_the_database_answers_and_migrations_are_current() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn not_ready_while_migrations_are_pending() {
    let app = TestApp::serve(TestDb::empty().await, ServerArgs::default()).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    let reason = body["reason"].as_str().unwrap();
    let expected = migrations::embedded_versions().len();
    assert!(reason.starts_with(&format!("{expected} migration(s) pending")), "reason: {reason}");

    migrations::run_pending(&app.db.url).await.unwrap();
    assert_eq!(app.get("/health/ready").await.status(), 200);
}

#[tokio::test]
async fn not_ready_and_errors_masked_once_the_database_stops() {
    let dir = TempDir::new("stopping");
    let server = EmbeddedPostgres::start(&dir.path().join("postgres"), Durability::Throwaway).await.unwrap();
    server.ensure_database("careergraph").await.unwrap();
    let url = server.url("careergraph");
    migrations::run_pending(&url).await.unwrap();
    let base = serve_router(&url, &ServerArgs::default()).await;
    let client = reqwest::Client::new();

    let ready = client.get(format!("{base}/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    server.stop().await.unwrap();

    let ready = client.get(format!("{base}/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["reason"], "the database is unreachable");

    // Liveness does not depend on the database.
    assert_eq!(client.get(format!("{base}/health")).send().await.unwrap().status(), 200);

    // A query that needs the database fails as SERVICE_UNAVAILABLE (503,
    // retry later) with the request id, and says nothing about the
    // database or its socket.
    let id = ids::encode("Company", uuid::Uuid::now_v7());
    let response = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": id } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["SERVICE_UNAVAILABLE"]);
    assert_eq!(body["errors"][0]["extensions"]["requestId"], request_id.as_str());
    let text = body.to_string();
    for leak in ["postgres", "socket", "connect", dir.path().to_str().unwrap()] {
        assert!(!text.to_lowercase().contains(leak), "response leaks {leak:?}: {text}");
    }
}
