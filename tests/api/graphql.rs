//! The first GraphQL schema: `Node` with global ids, the error conventions,
//! GET and POST, and `schema.graphql` as the contract.

use crate::common;

use careergraph::db::tables::companies;
use careergraph::graphql::ids;
use common::{TestApp, error_codes};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use uuid::Uuid;

async fn insert_company(app: &TestApp, name: &str, size: Option<&str>) -> Uuid {
    let id = Uuid::now_v7();
    let mut conn = app.db.connect().await;
    diesel::insert_into(companies::table)
        .values((companies::id.eq(id), companies::name.eq(name), companies::size.eq(size)))
        .execute(&mut conn)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn typename_answers_over_post_and_get() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));

    let response = app.get("/graphql?query=%7B__typename%7D").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn node_fetches_a_company_by_its_global_id() {
    let app = TestApp::spawn().await;
    let uuid = insert_company(&app, "Acme Robotics", Some("SIZE_51_200")).await;
    let id = ids::encode("Company", uuid);
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { __typename id ... on Company { name size createdAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let node = &body["data"]["node"];
    assert_eq!(node["__typename"], "Company");
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["name"], "Acme Robotics");
    assert_eq!(node["size"], "SIZE_51_200");
    let created_at = node["createdAt"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok(), "createdAt {created_at}");
}

#[tokio::test]
async fn unknown_malformed_and_mistyped_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let company = insert_company(&app, "Globex", None).await;
    let query = "query($id: ID!) { node(id: $id) { id } }";
    for id in [
        ids::encode("Company", Uuid::now_v7()).to_string(),
        "definitely-not-an-id".to_owned(),
        ids::encode("Job", company).to_string(),
    ] {
        let body = app.graphql(query, json!({ "id": id })).await;
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["node"]));
    }
}

#[tokio::test]
async fn nodes_keeps_order_and_reports_each_missing_id_at_its_index() {
    let app = TestApp::spawn().await;
    let first = ids::encode("Company", insert_company(&app, "Initech", None).await);
    let second = ids::encode("Company", insert_company(&app, "Umbrella", None).await);
    let missing = ids::encode("Company", Uuid::now_v7());
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { name } } }",
            json!({ "ids": [second, missing, first] }),
        )
        .await;
    assert_eq!(body["data"]["nodes"], json!([{ "name": "Umbrella" }, null, { "name": "Initech" }]));
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
    assert_eq!(body["errors"][0]["path"], json!(["nodes", 1]));

    let too_many: Vec<String> = (0..101).map(|_| ids::encode("Company", Uuid::now_v7()).to_string()).collect();
    let body = app.graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": too_many })).await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn bad_documents_and_variables_are_bad_user_input_with_the_request_id() {
    let app = TestApp::spawn().await;
    for (query, variables) in [
        ("{ node(id: ", json!({})),
        ("{ noSuchField }", json!({})),
        ("query($id: ID!) { node(id: $id) { id } }", json!({})),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [{ "not": "an id" }] })),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        let codes = error_codes(&body);
        assert!(!codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"), "{query}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["requestId"], request_id.as_str());
    }
}

#[test]
fn schema_graphql_matches_what_the_binary_prints() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_careergraph"))
        .arg("schema")
        .env_remove("DATABASE_URL")
        .output()
        .expect("running careergraph schema");
    assert!(output.status.success(), "careergraph schema failed: {}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        printed == committed,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it"
    );
}

/// GraphiQL and code generators show descriptions; every element of ours has one.
#[tokio::test]
async fn every_schema_element_has_a_description() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ __schema { types { name kind description
                 fields(includeDeprecated: true) { name description args { name description } }
                 inputFields { name description }
                 enumValues(includeDeprecated: true) { name description } } } }",
            json!({}),
        )
        .await;
    let builtin = ["String", "Boolean", "ID", "Int", "Float"];
    let mut missing = Vec::new();
    let described = |value: &Value| value.as_str().is_some_and(|text| !text.trim().is_empty());
    for ty in body["data"]["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        if !described(&ty["description"]) {
            missing.push(name.to_owned());
        }
        for field in
            ty["fields"].as_array().into_iter().flatten().chain(ty["inputFields"].as_array().into_iter().flatten())
        {
            let field_name = field["name"].as_str().unwrap();
            if !described(&field["description"]) {
                missing.push(format!("{name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(&arg["description"]) {
                    missing.push(format!("{name}.{field_name}({})", arg["name"].as_str().unwrap()));
                }
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if !described(&value["description"]) {
                missing.push(format!("{name}.{}", value["name"].as_str().unwrap()));
            }
        }
    }
    assert!(missing.is_empty(), "schema elements without a description: {missing:?}");
}

#[tokio::test]
async fn nodes_cost_one_statement_per_type_however_many_ids() {
    use careergraph::config::ServerArgs;
    let app = TestApp::spawn_with(ServerArgs { debug_sql_count: true, ..ServerArgs::default() }).await;
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(ids::encode("Company", insert_company(&app, &format!("Company {n}"), None).await));
    }
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { name } } }";
    let mut counts = Vec::new();
    for size in [1, 2, 30] {
        let body = app.graphql(query, json!({ "ids": ids[..size] })).await;
        assert_eq!(body["data"]["nodes"].as_array().unwrap().len(), size);
        counts.push(body["extensions"]["sqlStatements"].as_u64().expect("a statement count"));
    }
    assert_eq!(counts, [1, 1, 1], "statements for 1, 2 and 30 ids");
}
