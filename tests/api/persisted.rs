//! Persisted queries over HTTP: Apollo's automatic persisted queries as an
//! Apollo client sends them (hash first, document when asked, then hash
//! only over GET), and `--persisted-only` safelists.

use crate::common;

use careergraph::config::ServerArgs;
use careergraph::http::PersistedQueries;
use common::{TempDir, TestApp, error_codes};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, accept: &str, body: Value) -> (u16, Value) {
    let response = app.client.post(app.url("/graphql")).header("accept", accept).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(app: &TestApp, parameters: &[(&str, String)]) -> (u16, Value) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "application/graphql-response+json, application/json;q=0.9")
        .query(parameters)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const MODERN: &str = "application/graphql-response+json, application/json;q=0.9";
const JOBS: &str = "query OpenJobs($first: Int) { jobs(first: $first) { totalCount } }";

#[tokio::test]
async fn an_apollo_client_registers_a_query_once_then_sends_its_hash() {
    let app = TestApp::spawn().await;
    let hash = sha256(JOBS);
    let variables = json!({ "first": 5 });

    // 1. The hash alone: unknown yet.
    let (status, body) = post(&app, MODERN, json!({ "variables": variables, "extensions": extension(&hash) })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);
    // Legacy JSON clients read it from a 200.
    let (status, _) =
        post(&app, "application/json", json!({ "variables": variables, "extensions": extension(&hash) })).await;
    assert_eq!(status, 200);

    // 2. The document with its hash: registered and run.
    let (status, body) =
        post(&app, MODERN, json!({ "query": JOBS, "variables": variables, "extensions": extension(&hash) })).await;
    assert_eq!((status, &body["data"]), (200, &json!({ "jobs": { "totalCount": 0 } })), "{body}");

    // 3. From now on the hash alone works, over GET too (cacheable URLs).
    let (status, body) = get(
        &app,
        &[
            ("operationName", "OpenJobs".into()),
            ("variables", variables.to_string()),
            ("extensions", extension(&hash).to_string()),
        ],
    )
    .await;
    assert_eq!((status, &body["data"]), (200, &json!({ "jobs": { "totalCount": 0 } })), "{body}");

    // A hash that is not the document's, and other versions, are refused.
    let (status, body) = post(&app, MODERN, json!({ "query": "{ __typename }", "extensions": extension(&hash) })).await;
    assert_eq!((status, error_codes(&body)), (400, vec!["BAD_USER_INPUT".to_owned()]));
    let (status, _) =
        post(&app, MODERN, json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } })).await;
    assert_eq!(status, 400);

    // A registered mutation is still POST-only.
    let logout = "mutation { logout { userErrors { code } } }";
    post(&app, MODERN, json!({ "query": logout, "extensions": extension(&sha256(logout)) })).await;
    let (status, _) = get(&app, &[("extensions", extension(&sha256(logout)).to_string())]).await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn a_safelisted_server_runs_registered_operations_only() {
    let dir = TempDir::new("safelist");
    let registered = "query Viewer { viewer { id } }";
    let path = dir.path().join("persisted-documents.json");
    std::fs::write(&path, json!({ sha256(registered): registered, sha256(JOBS): JOBS }).to_string()).unwrap();
    let app = TestApp::spawn_with(ServerArgs { persisted_only: Some(path), ..ServerArgs::default() }).await;

    // By hash, without ever sending the document; or as the document itself.
    let (status, body) =
        post(&app, MODERN, json!({ "extensions": extension(&sha256(JOBS)), "variables": { "first": 1 } })).await;
    assert_eq!((status, &body["data"]["jobs"]["totalCount"]), (200, &json!(0)), "{body}");
    let (_, body) = post(&app, MODERN, json!({ "query": registered })).await;
    assert_eq!(body["data"]["viewer"], Value::Null, "{body}");
    assert!(body.get("errors").is_none());

    // Anything else is refused before it runs.
    for request in [
        json!({ "query": "{ __typename }" }),
        json!({ "query": "{ __typename }", "extensions": extension(&sha256("{ __typename }")) }),
        json!({ "extensions": extension(&sha256("{ users { totalCount } }")) }),
    ] {
        let (status, body) = post(&app, MODERN, request.clone()).await;
        assert_eq!((status, error_codes(&body)), (400, vec!["FORBIDDEN".to_owned()]), "{request}");
    }

    // The other file format, Apollo's manifest; and files that lie are refused.
    let manifest = dir.path().join("manifest.json");
    std::fs::write(
        &manifest,
        json!({ "format": "apollo-persisted-query-manifest", "version": 1,
                "operations": [{ "id": sha256(JOBS), "name": "OpenJobs", "type": "query", "body": JOBS }] })
        .to_string(),
    )
    .unwrap();
    assert_eq!(PersistedQueries::safelist(&manifest).unwrap().safelist_len(), Some(1));
    let lying = dir.path().join("lying.json");
    std::fs::write(&lying, json!({ sha256("{ a }"): "{ b }" }).to_string()).unwrap();
    let Err(refusal) = PersistedQueries::safelist(&lying) else { panic!("a lying safelist was accepted") };
    assert!(refusal.contains("is not the SHA-256 of its document"), "{refusal}");
}
