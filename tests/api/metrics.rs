//! `/metrics` in the Prometheus text format, and slow operations in the log.

use crate::common;

use common::server::ServerProcess;
use common::{TempDir, TestApp, TestDb};
use serde_json::{Value, json};

/// The value of the sample `series` (name and labels exactly as written).
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_operations_by_name_and_outcome() {
    let app = TestApp::spawn().await;
    for _ in 0..2 {
        app.graphql("query Viewer { __typename viewer { id } }", json!({})).await;
    }
    app.graphql("query Broken { node(id: \"x\") { id } }", json!({})).await;
    let deep = "query Deep { jobs { nodes { company { jobs { nodes { company { jobs { nodes { company { jobs { nodes { id } } } } } } } } } } } }";
    let refused = app.graphql(deep, json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused}");
    let malformed =
        app.client.post(app.url("/graphql")).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let page = response.text().await.unwrap();
    let requests = |operation: &str, outcome: &str| {
        sample(&page, &format!("careergraph_graphql_requests_total{{operation=\"{operation}\",outcome=\"{outcome}\"}}"))
    };
    assert_eq!(requests("Viewer", "ok"), Some(2.0), "{page}");
    assert_eq!(requests("Broken", "error"), Some(1.0));
    assert_eq!(requests("Deep", "refused"), Some(1.0));
    assert_eq!(requests("anonymous", "refused"), Some(1.0));
    assert_eq!(sample(&page, "careergraph_graphql_request_duration_seconds_count{operation=\"Viewer\"}"), Some(2.0));
    assert_eq!(
        sample(&page, "careergraph_graphql_request_duration_seconds_bucket{operation=\"Viewer\",le=\"+Inf\"}"),
        Some(2.0)
    );
    assert_eq!(sample(&page, "careergraph_graphql_sql_statements_count"), Some(5.0));
    // The refused requests ran no SQL.
    assert!(sample(&page, "careergraph_graphql_sql_statements_bucket{le=\"0\"}").unwrap() >= 2.0);
    assert_eq!(sample(&page, "careergraph_db_pool_max_size"), Some(4.0), "the test pool");
    assert!(sample(&page, "careergraph_db_pool_size").is_some());
    assert_eq!(sample(&page, "careergraph_db_pool_waiting"), Some(0.0));
    assert_eq!(sample(&page, "careergraph_subscriptions_active"), Some(0.0));
    for family in
        ["careergraph_graphql_requests_total counter", "careergraph_graphql_request_duration_seconds histogram"]
    {
        assert!(page.contains(&format!("# TYPE {family}\n")), "{family}");
    }
}

#[tokio::test]
async fn slow_operations_are_logged_with_their_name_and_request_id() {
    let db = TestDb::migrated().await;
    let dir = TempDir::new("slow");
    let server = ServerProcess::start_with(dir.path(), Some(&db.url), &[("CAREERGRAPH_SLOW_OPERATION_MS", "0")]);
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({ "query": "query Ping { __typename }" }))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["__typename"], "Query");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let line = loop {
        let found = server.logs.lock().unwrap().iter().find(|line| line.contains("slow GraphQL operation")).cloned();
        if let Some(line) = found {
            break line;
        }
        assert!(std::time::Instant::now() < deadline, "no slow-operation log line");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let entry: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["operation"], "Ping", "{line}");
    assert_eq!(entry["request_id"], request_id.as_str());
    assert!(entry["sql_statements"].is_number());
    server.stop_with(libc::SIGTERM);
}
