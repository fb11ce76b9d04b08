//! Admins: made from the command line, and the only ones who may list users
//! and see every user's email. Also exercises connection pagination.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{PASSWORD, TestApp, error_codes, sign_up};
use serde_json::{Value, json};

fn admin_create(database_url: &str, email: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_careergraph"))
        .args(["admin", "create", "--email", email, "--full-name", "Root"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

const USERS: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: UserFilter) {
    users(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { email role } }
        nodes { email }
    } }";

fn emails(body: &Value) -> Vec<String> {
    body["data"]["users"]["nodes"].as_array().unwrap().iter().map(|n| n["email"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_admin_made_on_the_command_line_pages_through_every_user() {
    let app = TestApp::spawn().await;
    for email in ["u1@example.com", "u2@example.com", "u3@example.com"] {
        sign_up(&app, email).await;
    }
    let output = admin_create(&app.db.url, "Root@Example.com", PASSWORD);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let admin = common::login(&app, "root@example.com", PASSWORD).await;
    let viewer = app.graphql_as(Some(&admin), "{ viewer { role emailVerified } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"], json!({ "role": "ADMIN", "emailVerified": true }));

    // Forward, newest first.
    let page1 = app.graphql_as(Some(&admin), USERS, json!({ "first": 2 })).await;
    assert_eq!(emails(&page1), ["root@example.com", "u3@example.com"], "{page1}");
    let info = &page1["data"]["users"]["pageInfo"];
    assert_eq!((info["hasNextPage"].as_bool(), info["hasPreviousPage"].as_bool()), (Some(true), Some(false)));
    assert_eq!(page1["data"]["users"]["totalCount"], 4);
    assert_eq!(info["endCursor"], page1["data"]["users"]["edges"][1]["cursor"]);

    let page2 = app.graphql_as(Some(&admin), USERS, json!({ "first": 2, "after": info["endCursor"] })).await;
    assert_eq!(emails(&page2), ["u2@example.com", "u1@example.com"]);
    let info2 = &page2["data"]["users"]["pageInfo"];
    assert_eq!((info2["hasNextPage"].as_bool(), info2["hasPreviousPage"].as_bool()), (Some(false), Some(true)));

    // Backward from the end, and from a cursor: same order, stable cursors.
    let last2 = app.graphql_as(Some(&admin), USERS, json!({ "last": 2 })).await;
    assert_eq!(emails(&last2), ["u2@example.com", "u1@example.com"]);
    assert_eq!(last2["data"]["users"]["edges"], page2["data"]["users"]["edges"], "cursors must be stable");
    assert_eq!(last2["data"]["users"]["pageInfo"]["hasPreviousPage"], true);
    let back = app.graphql_as(Some(&admin), USERS, json!({ "last": 5, "before": info2["startCursor"] })).await;
    assert_eq!(emails(&back), ["root@example.com", "u3@example.com"]);
    assert_eq!(back["data"]["users"]["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(back["data"]["users"]["pageInfo"]["hasNextPage"], true);

    let filtered = app.graphql_as(Some(&admin), USERS, json!({ "filter": { "email": "U2@example.com" } })).await;
    assert_eq!(emails(&filtered), ["u2@example.com"]);
    assert_eq!(filtered["data"]["users"]["totalCount"], 1);
    let admins = app.graphql_as(Some(&admin), USERS, json!({ "filter": { "role": "ADMIN" } })).await;
    assert_eq!(emails(&admins), ["root@example.com"]);

    // An admin looks up any user by id and sees their email.
    let id = page2["data"]["users"]["edges"][0]["node"]["email"].clone();
    assert_eq!(id, "u2@example.com");
    let all = app.graphql_as(Some(&admin), "{ users(first: 10) { nodes { id email } } }", json!({})).await;
    let u1 = all["data"]["users"]["nodes"][3]["id"].clone();
    let node = app
        .graphql_as(Some(&admin), "query($id: ID!) { node(id: $id) { ... on User { email } } }", json!({ "id": u1 }))
        .await;
    assert_eq!(node["data"]["node"]["email"], "u1@example.com");

    for bad in [json!({ "first": 101 }), json!({ "first": 1, "last": 1 }), json!({ "after": "not-a-cursor" })] {
        let body = app.graphql_as(Some(&admin), USERS, bad.clone()).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{bad}: {body}");
    }
}

#[tokio::test]
async fn only_admins_may_list_users() {
    let app = TestApp::spawn().await;
    let candidate = sign_up(&app, "candidate@example.com").await;
    let body = app.graphql_as(Some(&candidate), USERS, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = app.graphql(USERS, json!({})).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
}

#[tokio::test]
async fn admin_create_refuses_weak_passwords_and_taken_emails() {
    let app = TestApp::spawn().await;
    sign_up(&app, "taken@example.com").await;
    for (email, password, expected) in [
        ("new@example.com", "short", "at least 10"),
        ("taken@example.com", PASSWORD, "already exists"),
        ("bad", PASSWORD, "email"),
    ] {
        let output = admin_create(&app.db.url, email, password);
        assert!(!output.status.success(), "{email}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{email}: {stderr}");
        assert!(!stderr.contains(password), "the password must not be echoed: {stderr}");
    }
}
