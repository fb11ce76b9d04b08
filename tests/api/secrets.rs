//! Secrets stay secret: no password or token reaches the logs at INFO, and
//! the generated signing key lives privately in the data dir, so tokens
//! survive a restart.

use crate::common;

use std::time::{Duration, Instant};

use common::server::ServerProcess;
use common::{TempDir, TestDb};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const PASSWORD: &str = "first secret passphrase";
const NEW_PASSWORD: &str = "second secret passphrase";
const NEWEST_PASSWORD: &str = "third secret passphrase";

async fn graphql(server: &ServerProcess, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[derive(QueryableByName)]
struct Body {
    #[diesel(sql_type = Text)]
    body: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn token_in(body: &str) -> String {
    body.split_once("token: ").unwrap().1.split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn no_password_or_token_reaches_the_logs_at_info() {
    let db = TestDb::migrated().await;
    let data = TempDir::new("logs");
    let server = ServerProcess::start(data.path(), Some(&db.url));
    let mut secrets = vec![PASSWORD.to_owned(), NEW_PASSWORD.to_owned(), NEWEST_PASSWORD.to_owned()];

    let register = graphql(
        &server,
        None,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken } }",
        json!({ "input": { "email": "quiet@example.com", "password": PASSWORD, "fullName": "Quiet" } }),
    )
    .await;
    let refresh_token = register["data"]["register"]["refreshToken"].as_str().unwrap().to_owned();
    secrets.push(register["data"]["register"]["accessToken"].as_str().unwrap().to_owned());
    secrets.push(refresh_token.clone());
    let refreshed = graphql(
        &server,
        None,
        "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken } }",
        json!({ "t": refresh_token }),
    )
    .await;
    let access = refreshed["data"]["refreshSession"]["accessToken"].as_str().unwrap().to_owned();
    secrets.push(access.clone());
    secrets.push(refreshed["data"]["refreshSession"]["refreshToken"].as_str().unwrap().to_owned());
    // A replayed refresh token is logged as an incident, without the token.
    graphql(
        &server,
        None,
        "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken } }",
        json!({ "t": refresh_token }),
    )
    .await;

    graphql(
        &server,
        Some(&access),
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { passwordChanged } }",
        json!({ "i": { "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD } }),
    )
    .await;
    graphql(
        &server,
        None,
        "mutation { requestPasswordReset(input: { email: \"quiet@example.com\" }) { userErrors { code } } }",
        json!({}),
    )
    .await;

    let mut conn = db.connect().await;
    let bodies: Vec<Body> =
        diesel::sql_query("SELECT body FROM email_outbox WHERE kind <> 'PASSWORD_CHANGED' ORDER BY created_at")
            .load(&mut conn)
            .await
            .unwrap();
    let tokens: Vec<String> = bodies.iter().map(|mail| token_in(&mail.body)).collect();
    assert_eq!(tokens.len(), 2, "a verification and a reset mail");
    secrets.extend(tokens.iter().cloned());
    let reset = graphql(
        &server,
        None,
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { passwordReset } }",
        json!({ "i": { "token": tokens[1], "newPassword": NEWEST_PASSWORD } }),
    )
    .await;
    assert_eq!(reset["data"]["resetPassword"]["passwordReset"], true, "{reset}");
    let login = graphql(
        &server,
        None,
        "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
        json!({ "i": { "email": "quiet@example.com", "password": "a wrong guess here" } }),
    )
    .await;
    assert_eq!(login["data"]["login"]["accessToken"], Value::Null);

    // Wait for the mailer to drain the outbox, so its log lines are in.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let unsent: Count = diesel::sql_query("SELECT count(*) AS count FROM email_outbox WHERE sent_at IS NULL")
            .get_result(&mut conn)
            .await
            .unwrap();
        if unsent.count == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the outbox was not drained");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    secrets.push(std::fs::read_to_string(data.path().join("jwt-secret")).unwrap().trim().to_owned());
    let logs = server.logs.clone();
    assert!(server.stop_with(libc::SIGTERM).success());
    let text = logs.lock().unwrap().join("\n");
    assert!(text.contains("mail delivered to the log"), "the mailer did not run:\n{text}");
    assert!(text.contains("refresh token reused"), "reuse was not logged:\n{text}");
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret reached the logs: {secret}");
    }
}

#[tokio::test]
async fn the_generated_signing_key_is_private_and_survives_restarts() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::migrated().await;
    let data = TempDir::new("key");
    let first = ServerProcess::start(data.path(), Some(&db.url));
    let body = graphql(
        &first,
        None,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
        json!({ "input": { "email": "stay@example.com", "password": PASSWORD, "fullName": "Stay" } }),
    )
    .await;
    let token = body["data"]["register"]["accessToken"].as_str().unwrap().to_owned();
    assert!(first.stop_with(libc::SIGTERM).success());

    let key = data.path().join("jwt-secret");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the signing key must be readable by its owner only");

    let second = ServerProcess::start(data.path(), Some(&db.url));
    let viewer = graphql(&second, Some(&token), "{ viewer { fullName } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["fullName"], "Stay", "{viewer}");
}
