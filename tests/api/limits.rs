//! Query limits: past a bound, a request fails with QUERY_TOO_COMPLEX and a
//! message naming the bound, before any SQL runs; introspection can be
//! switched off.

use crate::common;

use careergraph::config::ServerArgs;
use common::{TestApp, counted_app, error_codes, sign_up};
use serde_json::{Value, json};

async fn refused(app: &TestApp, token: Option<&str>, query: &str) -> (u16, Value) {
    let mut request = app.client.post(app.url("/graphql")).header("accept", "application/graphql-response+json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.json(&json!({ "query": query })).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn oversized_queries_are_refused_before_touching_the_database() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;

    let deep = "{ viewer { applications { nodes { job { applications { nodes { job { applications { nodes {
        job { applications { nodes { job { applications { nodes { job { title } } } } } } } } } } } } } } } } }";
    let (status, body) = refused(&app, Some(&ada), deep).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"]);
    assert_eq!(body["errors"][0]["message"], "The query is 17 levels deep; the limit is 15 (2 over)");
    assert_eq!(body["extensions"]["sqlStatements"], 0, "refused before any SQL: {body}");
    assert!(body.get("data").is_none());

    // 1 + 100 × (nodes 1 + title 1 + applications (1 + 100 × (nodes 1 + applicant (1 + fullName 1))))
    let wide = "{ jobs(first: 100) { nodes { title applications(first: 100) { nodes { applicant { fullName } } } } } }";
    let (_, body) = refused(&app, Some(&ada), wide).await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"]);
    assert_eq!(
        body["errors"][0]["message"],
        format!("The query's complexity is {}; the limit is 20000 ({} over)", 1 + 100 * 303, 1 + 100 * 303 - 20_000)
    );

    let aliases: String = (0..31).map(|n| format!("a{n}: __typename ")).collect();
    let (_, body) = refused(&app, None, &format!("{{ {aliases} }}")).await;
    assert_eq!(body["errors"][0]["message"], "The query uses 31 aliases; the limit is 30 (1 over)");

    // Within the bounds, the same shapes run, and the database does the work.
    let fine = app
        .graphql_as(
            Some(&ada),
            "{ jobs(first: 100) { nodes { title applications(first: 10) { totalCount } } } }",
            json!({}),
        )
        .await;
    assert!(fine.get("errors").is_none(), "{fine}");
    assert!(fine["extensions"]["sqlStatements"].as_u64().unwrap() > 0);
    // Introspection costs nothing and is on by default (GraphiQL needs it).
    let introspection = app
        .graphql(
            "{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }",
            json!({}),
        )
        .await;
    assert!(introspection.get("errors").is_none(), "{introspection}");
}

#[tokio::test]
async fn bounds_are_configurable_and_introspection_can_be_switched_off() {
    let app = TestApp::spawn_with(ServerArgs {
        max_root_fields: 2,
        max_query_depth: 3,
        no_introspection: true,
        ..ServerArgs::default()
    })
    .await;
    let (_, body) = refused(
        &app,
        None,
        "{ a: __typename jobs { totalCount } recommendedJobs { totalCount } node(id: \"x\") { id } }",
    )
    .await;
    assert_eq!(body["errors"][0]["message"], "The query selects 3 root fields; the limit is 2 (1 over)", "{body}");
    let (_, body) = refused(&app, None, "{ jobs { nodes { company { name } } } }").await;
    assert_eq!(body["errors"][0]["message"], "The query is 4 levels deep; the limit is 3 (1 over)");
    let (status, body) = refused(&app, None, "{ __schema { queryType { name } } }").await;
    assert_eq!((status, error_codes(&body)), (400, vec!["FORBIDDEN".to_owned()]));
    let (_, body) = refused(&app, None, "{ __type(name: \"Job\") { name } }").await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    assert_eq!(app.graphql("{ __typename }", json!({})).await["data"]["__typename"], "Query");
}

#[tokio::test]
async fn the_output_budget_stops_a_response_and_reports_once() {
    let app = TestApp::spawn_with(ServerArgs { max_response_values: 50, ..ServerArgs::default() }).await;
    // Within every static bound: only the output budget can stop it.
    let (status, body) = refused(&app, None, "{ __schema { types { name fields { name } } } }").await;
    assert_eq!(status, 200, "an execution result: {body}");
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "one error, however many fields failed: {body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "OUTPUT_BUDGET");
    assert!(body["data"].is_null(), "no partial data: {body}");
    assert!(body["errors"][0]["path"].as_array().is_some_and(|path| !path.is_empty()), "{body}");
    // A small response fits, and the budget is per request.
    for _ in 0..3 {
        let small = app.graphql("{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(small["data"]["__schema"]["queryType"]["name"], "Query", "{small}");
    }

    let bytes = TestApp::spawn_with(ServerArgs { max_response_bytes: 2_000, ..ServerArgs::default() }).await;
    let (_, body) = refused(&bytes, None, "{ __schema { types { name description } } }").await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
}

#[tokio::test]
async fn graphiql_introspection_fits_the_default_bounds() {
    let app = TestApp::spawn().await;
    let query =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/introspection.graphql")).unwrap();
    let body = app.graphql(&query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    fn values(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(values).sum::<usize>(),
            Value::Object(fields) => 1 + fields.values().map(values).sum::<usize>(),
            _ => 1,
        }
    }
    let count = values(&body["data"]);
    // Headroom for the schema to grow several times over.
    assert!(count < careergraph::graphql::OutputBudget::default().max_values / 2, "{count} values");
    println!("GraphiQL's introspection: {count} values, {} bytes", body.to_string().len());
}
