//! The master profile over HTTP: each section's add, update, delete and
//! reorder, their refusals, privacy, and statement counts that do not grow
//! with the profile.

mod common;

use careergraph::config::ServerArgs;
use common::{TestApp, error_codes};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn sign_up(app: &TestApp, email: &str) -> String {
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": email, "password": PASSWORD, "fullName": email } }),
        )
        .await;
    body["data"]["register"]["accessToken"].as_str().expect("registered").to_owned()
}

async fn counted_app() -> TestApp {
    TestApp::spawn_with(ServerArgs { debug_sql_count: true, ..ServerArgs::default() }).await
}

/// Runs a mutation and returns its payload, asserting no top-level error.
async fn mutate(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app.graphql_as(Some(token), query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let data = body["data"].as_object().unwrap();
    data.values().next().unwrap().clone()
}

const ADD_SKILL: &str = "mutation($input: AddSkillInput!) { addSkill(input: $input) {
    skill { id name category level years position } userErrors { field code } } }";

#[tokio::test]
async fn skills_are_added_refused_updated_reordered_and_deleted() {
    let app = counted_app().await;
    let token = sign_up(&app, "skills@example.com").await;
    let rust = mutate(&app, &token, ADD_SKILL, json!({ "name": "Rust", "level": "EXPERT", "years": 6 })).await;
    assert_eq!(rust["skill"]["position"], 0, "{rust}");
    let sql = mutate(&app, &token, ADD_SKILL, json!({ "name": " PostgreSQL ", "category": "Databases" })).await;
    assert_eq!(sql["skill"]["name"], "PostgreSQL");
    assert_eq!(sql["skill"]["position"], 1);

    let duplicate = mutate(&app, &token, ADD_SKILL, json!({ "name": "rust" })).await;
    assert_eq!(duplicate["skill"], Value::Null);
    assert_eq!(duplicate["userErrors"], json!([{ "field": ["input", "name"], "code": "TAKEN" }]));
    let bad = mutate(&app, &token, ADD_SKILL, json!({ "name": "", "years": 99 })).await;
    assert_eq!(bad["userErrors"].as_array().unwrap().len(), 2, "{bad}");

    let update = "mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { name level years } userErrors { code } } }";
    let rust_id = rust["skill"]["id"].clone();
    let sql_id = sql["skill"]["id"].clone();
    let updated = mutate(&app, &token, update, json!({ "id": rust_id, "years": null, "level": "ADVANCED" })).await;
    assert_eq!(updated["skill"], json!({ "name": "Rust", "level": "ADVANCED", "years": null }));
    let clash = mutate(&app, &token, update, json!({ "id": sql_id, "name": "RUST" })).await;
    assert_eq!(clash["userErrors"][0]["code"], "TAKEN");

    let reorder = "mutation($input: ReorderSkillsInput!) { reorderSkills(input: $input) { skills { name position } userErrors { code } } }";
    let reordered = mutate(&app, &token, reorder, json!({ "ids": [sql_id, rust_id] })).await;
    assert_eq!(reordered["skills"], json!([{ "name": "PostgreSQL", "position": 0 }, { "name": "Rust", "position": 1 }]));
    let partial = mutate(&app, &token, reorder, json!({ "ids": [sql_id] })).await;
    assert_eq!(partial["userErrors"][0]["code"], "INVALID");
    assert_eq!(partial["skills"], Value::Null);

    let viewer = app.graphql_as(Some(&token), "{ viewer { skills { name } } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["skills"], json!([{ "name": "PostgreSQL" }, { "name": "Rust" }]));

    let delete = "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { deletedId } }";
    let deleted = mutate(&app, &token, delete, json!({ "id": rust_id })).await;
    assert_eq!(deleted["deletedId"], rust_id);
    let again = app.graphql_as(Some(&token), delete, json!({ "input": { "id": rust_id } })).await;
    assert_eq!(error_codes(&again), ["NOT_FOUND"]);
    // A deleted name can be added again.
    let readded = mutate(&app, &token, ADD_SKILL, json!({ "name": "Rust" })).await;
    assert_eq!(readded["userErrors"], json!([]));
}

#[tokio::test]
async fn nobody_else_reads_or_writes_a_profile() {
    let app = counted_app().await;
    let owner = sign_up(&app, "owner@example.com").await;
    let other = sign_up(&app, "other@example.com").await;
    let skill = mutate(&app, &owner, ADD_SKILL, json!({ "name": "Go" })).await;
    let id = skill["skill"]["id"].clone();

    let read = app.graphql_as(Some(&other), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(error_codes(&read), ["NOT_FOUND"]);
    let write = app
        .graphql_as(Some(&other), "mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { name } } }", json!({ "input": { "id": id, "name": "Stolen" } }))
        .await;
    assert_eq!(error_codes(&write), ["NOT_FOUND"]);
    let delete = app
        .graphql_as(Some(&other), "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { deletedId } }", json!({ "input": { "id": id } }))
        .await;
    assert_eq!(error_codes(&delete), ["NOT_FOUND"]);
    let anonymous = app.graphql(ADD_SKILL, json!({ "input": { "name": "Go" } })).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);

    let own = app.graphql_as(Some(&owner), "query($id: ID!) { node(id: $id) { ... on Skill { name } } }", json!({ "id": id })).await;
    assert_eq!(own["data"]["node"]["name"], "Go");
}
