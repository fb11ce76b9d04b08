//! Request ids, GraphiQL, CORS, the body limit and unknown routes.

mod common;

use careergraph::config::ServerArgs;
use common::TestApp;
use serde_json::{Value, json};

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("an x-request-id header").to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_response_carries_a_fresh_request_id() {
    let app = TestApp::spawn().await;
    let mut seen = std::collections::HashSet::new();
    for path in ["/health", "/health", "/graphiql", "/no/such/route", "/graphql?query=%7B__typename%7D"] {
        let id = request_id(&app.get(path).await);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{path}: generated id {id:?} is not a UUID");
        assert!(seen.insert(id), "{path}: request id repeated");
    }
}

#[tokio::test]
async fn a_valid_incoming_request_id_is_echoed_and_an_invalid_one_replaced() {
    let app = TestApp::spawn().await;
    let response =
        app.client.get(app.url("/health")).header("x-request-id", "edge-proxy:1234.abc_DEF").send().await.unwrap();
    assert_eq!(request_id(&response), "edge-proxy:1234.abc_DEF");

    for forged in ["has spaces in it", "quote\"inside", &"x".repeat(129)] {
        let response = app.client.get(app.url("/health")).header("x-request-id", forged).send().await.unwrap();
        let id = request_id(&response);
        assert_ne!(id, forged);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "replacement {id:?} is not a UUID");
    }
}

#[tokio::test]
async fn graphql_errors_carry_the_request_id_of_the_response() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "trace-me-42")
        .json(&json!({ "query": "{ node(id: \"nope\") { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&response), "trace-me-42");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "trace-me-42");
}

#[tokio::test]
async fn graphiql_is_served_and_points_at_the_graphql_endpoint() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphiql").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "content-type {content_type}");
    let page = response.text().await.unwrap();
    assert!(page.contains("graphiql"), "no GraphiQL in the page");
    assert!(page.contains("/graphql"), "GraphiQL is not pointed at /graphql");
}

#[tokio::test]
async fn unknown_routes_are_json_404s() {
    let app = TestApp::spawn().await;
    let response = app.get("/nope").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not found");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let config = ServerArgs { cors_origins: vec!["https://app.example.com".into()], ..ServerArgs::default() };
    let app = TestApp::spawn_with(config).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.com");
    let allowed_headers = allowed.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed_headers.contains("authorization"), "{allowed_headers}");

    let refused = preflight("https://evil.example.net").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    let simple = app.client.get(app.url("/health")).header("origin", "https://app.example.com").send().await.unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], "https://app.example.com");
    let exposed = simple.headers()["access-control-expose-headers"].to_str().unwrap();
    assert!(exposed.contains("x-request-id"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let config = ServerArgs { max_body_bytes: 2048, ..ServerArgs::default() };
    let app = TestApp::spawn_with(config).await;
    let padding = " ".repeat(4096);
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": format!("{{ __typename {padding} }}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.headers().contains_key("x-request-id"));

    let small = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(small["data"]["__typename"], "Query");
}

#[tokio::test]
async fn a_request_that_outlives_the_timeout_gets_a_coded_503() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = ServerArgs { request_timeout_secs: 1, ..ServerArgs::default() };
    let app = TestApp::spawn_with(config).await;
    // Announce a body and never send it: the handler waits past the limit.
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    let mut raw = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await.unwrap();
            raw.extend_from_slice(&buffer[..n]);
            if n == 0 || String::from_utf8_lossy(&raw).contains("}]}") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 10s");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("x-request-id"), "{text}");
    assert!(text.contains(r#""code":"INTERNAL_SERVER_ERROR""#), "{text}");
    assert!(text.contains("did not finish within 1s"), "{text}");
}
