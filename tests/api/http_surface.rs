//! Request ids, GraphiQL, CORS, the body limit, unknown routes, and GraphQL
//! over HTTP: media types, status codes, GET for queries only.

use crate::common;

use careergraph::config::ServerArgs;
use common::{TestApp, error_codes};
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
    assert!(text.contains(r#""code":"SERVICE_UNAVAILABLE""#), "{text}");
    assert!(text.to_ascii_lowercase().contains("retry-after: 2"), "{text}");
    assert!(text.contains("did not finish within 1s"), "{text}");
}

#[tokio::test]
async fn past_its_bounds_the_server_sheds_load_with_a_coded_503() {
    use diesel_async::RunQueryDsl;
    // One request may run and none may wait.
    let config = ServerArgs { max_in_flight: Some(1), max_queued: Some(0), ..ServerArgs::default() };
    let app = TestApp::spawn_with(config).await;
    let token = common::sign_up(&app, "busy@example.com").await;
    // Hold the skills table, so adding a skill runs until it is released.
    let mut blocker = app.db.connect().await;
    diesel::sql_query("BEGIN").execute(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE skills IN EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();
    let running = {
        let (client, url, token) = (app.client.clone(), app.url("/graphql"), token.clone());
        tokio::spawn(async move {
            let query = "mutation { addSkill(input: { name: \"Rust\" }) { skill { name } } }";
            client.post(url).bearer_auth(token).json(&json!({ "query": query })).send().await.unwrap()
        })
    };
    common::await_lock_waiter(&mut app.db.connect().await).await;

    // The one place is taken: the next request is shed at once, for both media types.
    for accept in ["application/graphql-response+json", "application/json"] {
        let shed = app
            .client
            .post(app.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(shed.status(), 503, "{accept}");
        assert_eq!(shed.headers()["retry-after"], "2");
        let body: Value = shed.json().await.unwrap();
        assert_eq!(error_codes(&body), ["SERVICE_UNAVAILABLE"], "{body}");
        assert!(body["errors"][0]["extensions"]["requestId"].is_string(), "{body}");
    }
    // Health checks are not GraphQL requests and are never shed.
    assert_eq!(app.get("/health").await.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("careergraph_requests_shed_total 2\n"), "{metrics}");

    diesel::sql_query("ROLLBACK").execute(&mut blocker).await.unwrap();
    let body: Value = running.await.unwrap().json().await.unwrap();
    assert_eq!(body["data"]["addSkill"]["skill"]["name"], "Rust", "{body}");
    // With the place free again, requests run.
    assert_eq!(app.graphql("{ __typename }", json!({})).await["data"]["__typename"], "Query");
}

/// Sends `body` to /graphql with the given method, Accept and Content-Type.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    accept: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.body(body.to_owned()).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn graphql_over_http_negotiates_the_media_type_and_its_status_codes() {
    let app = TestApp::spawn().await;
    let post = |accept, body: &'static str| {
        send(&app, reqwest::Method::POST, "/graphql", accept, Some("application/json"), body)
    };

    // The media type follows Accept; a missing Accept means JSON.
    let (status, kind, body) = post(Some(GRAPHQL_RESPONSE), r#"{"query":"{ __typename }"}"#).await;
    assert_eq!((status, kind.as_str()), (200, "application/graphql-response+json; charset=utf-8"), "{body}");
    let (status, kind, _) = post(Some("application/json"), r#"{"query":"{ __typename }"}"#).await;
    assert_eq!((status, kind.as_str()), (200, "application/json; charset=utf-8"));
    let (_, kind, _) = post(None, r#"{"query":"{ __typename }"}"#).await;
    assert!(kind.starts_with("application/json"));
    let (status, _, _) = post(Some("text/html"), r#"{"query":"{ __typename }"}"#).await;
    assert_eq!(status, 406);

    // A document that does not validate: 400 without data for the GraphQL
    // response type, 200 with the errors for plain JSON.
    let (status, _, body) = post(Some(GRAPHQL_RESPONSE), r#"{"query":"{ noSuchField }"}"#).await;
    let parsed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(parsed.get("data").is_none(), "{body}");
    assert_eq!(error_codes(&parsed), ["BAD_USER_INPUT"]);
    let (status, _, body) = post(Some("application/json"), r#"{"query":"{ noSuchField }"}"#).await;
    assert_eq!(status, 200, "{body}");
    // An error during execution is still 200 with data.
    let (status, _, body) = post(Some(GRAPHQL_RESPONSE), r#"{"query":"{ node(id: \"nope\") { id } }"}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["data"], json!({ "node": null }));

    // Malformed requests are 400 in either media type; no JSON body is 415.
    for bad in
        [r#"{"query":"#, r#"{"variables":{}}"#, r#"{"query":1}"#, r#"{"query":"{ __typename }","variables":"x"}"#, "[]"]
    {
        let (status, _, body) = post(Some("application/json"), bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error_codes(&parsed), ["BAD_USER_INPUT"], "{bad}");
        assert!(parsed["errors"][0]["extensions"]["requestId"].is_string());
    }
    let (status, _, _) =
        send(&app, reqwest::Method::POST, "/graphql", None, Some("text/plain"), r#"{"query":"{ __typename }"}"#).await;
    assert_eq!(status, 415);

    // operationName picks one of several operations.
    let (_, _, body) =
        post(None, r#"{"query":"query A { a: __typename } query B { b: __typename }","operationName":"B"}"#).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["data"], json!({ "b": "Query" }));
}

#[tokio::test]
async fn the_same_answer_is_the_same_bytes_with_keys_in_order() {
    let app = TestApp::spawn().await;
    // Fields that finish in any order, keys that sort unlike their
    // selection, at two levels, an error, and extensions.
    let body = r#"{"query":"{ zebra: __typename nested: jobs(first: 1) { totalCount pageInfo { hasNextPage endCursor } } apple: node(id: \"nope\") { id } }"}"#;
    let mut answers = std::collections::HashSet::new();
    for _ in 0..5 {
        let (status, _, text) =
            send(&app, reqwest::Method::POST, "/graphql", Some(GRAPHQL_RESPONSE), Some("application/json"), body).await;
        assert_eq!(status, 200, "{text}");
        // serde_json's own maps keep keys in byte order at every level.
        let sorted = serde_json::from_str::<Value>(&text).unwrap().to_string();
        let without_request_id = |text: &str| text.split("requestId").next().unwrap().to_owned();
        assert_eq!(text, sorted);
        answers.insert(without_request_id(&text));
    }
    assert_eq!(answers.len(), 1, "{answers:?}");
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = TestApp::spawn().await;
    let get = |path: &'static str| send(&app, reqwest::Method::GET, path, Some(GRAPHQL_RESPONSE), None, "");
    let (status, _, body) = get("/graphql?query=%7B__typename%7D").await;
    assert_eq!((status, body.as_str()), (200, r#"{"data":{"__typename":"Query"}}"#));
    let (status, _, body) =
        get("/graphql?query=query%20Q(%24id%3A%20ID!)%20%7B%20node(id%3A%20%24id)%20%7B%20id%20%7D%20%7D&variables=%7B%22id%22%3A%22x%22%7D").await;
    assert_eq!(status, 200, "{body}");

    let response = app
        .client
        .get(app.url("/graphql?query=mutation%20%7B%20logout%20%7B%20userErrors%20%7B%20code%20%7D%20%7D%20%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    // A document with a query and a mutation: the operation named decides.
    let (status, _, _) = get("/graphql?query=query%20A%20%7B__typename%7D%20mutation%20B%20%7B%20logout%20%7B%20userErrors%20%7B%20code%20%7D%20%7D%20%7D&operationName=A").await;
    assert_eq!(status, 200);
    let (status, _, _) = get("/graphql?query=query%20A%20%7B__typename%7D%20mutation%20B%20%7B%20logout%20%7B%20userErrors%20%7B%20code%20%7D%20%7D%20%7D&operationName=B").await;
    assert_eq!(status, 405);
    let (status, _, _) = get("/graphql?variables=%7B%7D").await;
    assert_eq!(status, 400, "no query");
}
