//! Accounts and sessions over HTTP: registration and its refusals, login,
//! the viewer, refresh-token rotation and reuse detection, logout, bad
//! tokens, email verification and password reset through the outbox,
//! password change, account deletion, the login rate limit, and privacy.

use crate::common;

use careergraph::auth::{Role, TokenKeys};
use careergraph::graphql::ids;
use common::{JWT_SECRET, TestApp, error_codes};
use diesel::QueryableByName;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) {
    accessToken refreshToken accessTokenExpiresAt
    user { id email fullName role emailVerified }
    userErrors { field message code } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) {
    accessToken refreshToken user { id email } userErrors { field message code } } }";
const REFRESH: &str = "mutation($token: String!) { refreshSession(input: { refreshToken: $token }) {
    accessToken refreshToken user { id } userErrors { code } } }";
const VIEWER: &str = "{ viewer { id email fullName role headline emailVerified } }";

/// A signed-in session.
struct Session {
    access: String,
    refresh: String,
    user_id: String,
}

fn session_from(payload: &Value) -> Session {
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Session {
        access: payload["accessToken"].as_str().expect("an access token").to_owned(),
        refresh: payload["refreshToken"].as_str().expect("a refresh token").to_owned(),
        user_id: payload["user"]["id"].as_str().unwrap().to_owned(),
    }
}

async fn register(app: &TestApp, email: &str, role: Option<&str>) -> Session {
    let mut input = json!({ "email": email, "password": PASSWORD, "fullName": "Ada Lovelace" });
    if let Some(role) = role {
        input["role"] = json!(role);
    }
    let body = app.graphql(REGISTER, json!({ "input": input })).await;
    session_from(&body["data"]["register"])
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    let body = app.graphql(LOGIN, json!({ "input": { "email": email, "password": password } })).await;
    body["data"]["login"].clone()
}

async fn refresh(app: &TestApp, token: &str) -> Value {
    app.graphql(REFRESH, json!({ "token": token })).await
}

#[derive(QueryableByName)]
struct Mail {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    body: String,
}

/// The mails queued for `email`, oldest first.
async fn outbox(app: &TestApp, email: &str) -> Vec<Mail> {
    let mut conn = app.db.connect().await;
    diesel::sql_query("SELECT kind, body FROM email_outbox WHERE to_address = $1 ORDER BY created_at, id")
        .bind::<Text, _>(email)
        .load(&mut conn)
        .await
        .unwrap()
}

/// The token a mail of `kind` carried: the word after "token: ".
async fn mailed_token(app: &TestApp, email: &str, kind: &str) -> String {
    let mails = outbox(app, email).await;
    let mail = mails.iter().rev().find(|mail| mail.kind == kind).unwrap_or_else(|| panic!("no {kind} mail"));
    let (_, rest) = mail.body.split_once("token: ").expect("a token in the mail");
    rest.split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn register_signs_in_and_viewer_is_the_new_user() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": "  Ada@Example.COM ", "password": PASSWORD, "fullName": " Ada " } }),
        )
        .await;
    let payload = &body["data"]["register"];
    let session = session_from(payload);
    assert_eq!(payload["user"]["email"], "ada@example.com");
    assert_eq!(payload["user"]["fullName"], "Ada");
    assert_eq!(payload["user"]["role"], "CANDIDATE");
    assert_eq!(payload["user"]["emailVerified"], false);
    let expires_at = chrono::DateTime::parse_from_rfc3339(payload["accessTokenExpiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((14..=15).contains(&minutes), "access token lives {minutes} minutes");

    let viewer = app.graphql_as(Some(&session.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["id"], session.user_id.as_str());
    assert_eq!(viewer["data"]["viewer"]["email"], "ada@example.com");

    let anonymous = app.graphql(VIEWER, json!({})).await;
    assert_eq!(anonymous, json!({ "data": { "viewer": null } }));

    // The password is stored as an argon2id hash, never as given.
    #[derive(QueryableByName)]
    struct Hash {
        #[diesel(sql_type = Text)]
        password_hash: String,
    }
    let mut conn = app.db.connect().await;
    let stored: Hash = diesel::sql_query("SELECT password_hash FROM users").get_result(&mut conn).await.unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", stored.password_hash);
    assert!(!stored.password_hash.contains(PASSWORD));

    // A verification mail was queued.
    assert_eq!(
        outbox(&app, "ada@example.com").await.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
        ["EMAIL_VERIFICATION"]
    );
}

#[tokio::test]
async fn register_refuses_bad_input_with_user_errors_and_no_tokens() {
    let app = TestApp::spawn().await;
    register(&app, "taken@example.com", None).await;
    let cases = [
        (json!({ "email": "not-an-email", "password": PASSWORD, "fullName": "X" }), "email", "INVALID"),
        (json!({ "email": "short@example.com", "password": "tooshort", "fullName": "X" }), "password", "TOO_SHORT"),
        (json!({ "email": "long@example.com", "password": "x".repeat(257), "fullName": "X" }), "password", "TOO_LONG"),
        (json!({ "email": "blank@example.com", "password": PASSWORD, "fullName": "   " }), "fullName", "BLANK"),
        (json!({ "email": "TAKEN@example.com", "password": PASSWORD, "fullName": "X" }), "email", "TAKEN"),
        (
            json!({ "email": "admin@example.com", "password": PASSWORD, "fullName": "X", "role": "ADMIN" }),
            "role",
            "INVALID",
        ),
    ];
    for (input, field, code) in cases {
        let body = app.graphql(REGISTER, json!({ "input": input })).await;
        let payload = &body["data"]["register"];
        assert_eq!(payload["accessToken"], Value::Null, "{body}");
        assert_eq!(payload["refreshToken"], Value::Null);
        assert_eq!(payload["user"], Value::Null);
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", field]), "{body}");
        assert_eq!(payload["userErrors"][0]["code"], code, "{body}");
    }
    // Several problems are reported together.
    let body = app.graphql(REGISTER, json!({ "input": { "email": "x", "password": "y", "fullName": "" } })).await;
    assert_eq!(body["data"]["register"]["userErrors"].as_array().unwrap().len(), 3);

    let recruiter = register(&app, "recruiter@example.com", Some("RECRUITER")).await;
    let viewer = app.graphql_as(Some(&recruiter.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["role"], "RECRUITER");
}

#[tokio::test]
async fn login_succeeds_with_any_email_case_and_refuses_wrong_credentials_alike() {
    let app = TestApp::spawn().await;
    let registered = register(&app, "grace@example.com", None).await;
    let payload = login(&app, "GRACE@example.com", PASSWORD).await;
    let session = session_from(&payload);
    assert_eq!(session.user_id, registered.user_id);

    let wrong_password = login(&app, "grace@example.com", "not the password").await;
    let unknown_email = login(&app, "nobody@example.com", PASSWORD).await;
    for payload in [&wrong_password, &unknown_email] {
        assert_eq!(payload["accessToken"], Value::Null);
        assert_eq!(payload["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    }
    assert_eq!(wrong_password["userErrors"], unknown_email["userErrors"], "the answers must not differ");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = register(&app, "rotate@example.com", None).await;

    let body = refresh(&app, &first.refresh).await;
    let second = session_from(&body["data"]["refreshSession"]);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let viewer = app.graphql_as(Some(&second.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["id"], first.user_id.as_str());

    let body = refresh(&app, &second.refresh).await;
    let third = session_from(&body["data"]["refreshSession"]);

    // Replaying a rotated token is theft: it fails, and so does every token
    // of its family, including the newest one.
    let replay = refresh(&app, &first.refresh).await;
    assert_eq!(error_codes(&replay), ["UNAUTHENTICATED"], "{replay}");
    assert_eq!(replay["data"], Value::Null);
    let newest = refresh(&app, &third.refresh).await;
    assert_eq!(error_codes(&newest), ["UNAUTHENTICATED"], "{newest}");

    // Other sessions of the same user are untouched.
    let other = session_from(&login(&app, "rotate@example.com", PASSWORD).await);
    let body = refresh(&app, &other.refresh).await;
    session_from(&body["data"]["refreshSession"]);

    let garbage = refresh(&app, "cgr_not-a-real-token").await;
    assert_eq!(error_codes(&garbage), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn logout_ends_this_session_and_logout_everywhere_ends_all() {
    let app = TestApp::spawn().await;
    let phone = register(&app, "logout@example.com", None).await;
    let laptop = session_from(&login(&app, "logout@example.com", PASSWORD).await);
    let tablet = session_from(&login(&app, "logout@example.com", PASSWORD).await);

    let body = app
        .graphql_as(Some(&phone.access), "mutation { logout { revokedSessions userErrors { code } } }", json!({}))
        .await;
    assert_eq!(body["data"]["logout"]["revokedSessions"], 1, "{body}");
    assert_eq!(error_codes(&refresh(&app, &phone.refresh).await), ["UNAUTHENTICATED"]);
    let body = refresh(&app, &laptop.refresh).await;
    let laptop = session_from(&body["data"]["refreshSession"]);

    let body =
        app.graphql_as(Some(&laptop.access), "mutation { logoutEverywhere { revokedSessions } }", json!({})).await;
    assert_eq!(body["data"]["logoutEverywhere"]["revokedSessions"], 2, "{body}");
    assert_eq!(error_codes(&refresh(&app, &laptop.refresh).await), ["UNAUTHENTICATED"]);
    assert_eq!(error_codes(&refresh(&app, &tablet.refresh).await), ["UNAUTHENTICATED"]);

    let anonymous = app.graphql("mutation { logout { revokedSessions } }", json!({})).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn tampered_unsigned_foreign_and_expired_tokens_are_unauthenticated() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = TestApp::spawn().await;
    let session = register(&app, "tokens@example.com", None).await;
    let keys = TokenKeys::from_secret(JWT_SECRET);
    let claims = keys.verify(&session.access).unwrap();

    let parts: Vec<&str> = session.access.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["role"] = json!("ADMIN");
    let forged_payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let unsigned = format!("{}.{forged_payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let foreign =
        TokenKeys::from_secret(b"some-other-secret-that-is-32-bytes!!").issue(claims.sub, Role::Admin, claims.sid).0;
    let mut old = claims.clone();
    old.iat -= 3600;
    old.exp = chrono::Utc::now().timestamp() - 60;
    let expired = keys.sign(&old);

    for (name, token) in [
        ("tampered", tampered),
        ("unsigned", unsigned),
        ("foreign", foreign),
        ("expired", expired),
        ("garbage", "abc".into()),
    ] {
        let body = app.graphql_as(Some(&token), VIEWER, json!({})).await;
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{name}: {body}");
        assert!(
            body.get("data").is_none_or(Value::is_null),
            "{name}: a rejected token must not be served as anonymous: {body}"
        );
        // Public data is refused too: never a silent anonymous.
        let body = app.graphql_as(Some(&token), "{ __typename }", json!({})).await;
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{name}");
    }
    let body = app.graphql_as(Some(&keys.sign(&old)), VIEWER, json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("expired"), "{body}");

    // A client holding a stale token can still sign in again.
    let body = app
        .graphql_as(
            Some(&keys.sign(&old)),
            LOGIN,
            json!({ "input": { "email": "tokens@example.com", "password": PASSWORD } }),
        )
        .await;
    session_from(&body["data"]["login"]);
}

#[tokio::test]
async fn email_verification_through_the_outbox() {
    let app = TestApp::spawn().await;
    let session = register(&app, "verify@example.com", None).await;
    let token = mailed_token(&app, "verify@example.com", "EMAIL_VERIFICATION").await;
    let verify =
        "mutation($token: String!) { verifyEmail(input: { token: $token }) { verified userErrors { field code } } }";

    let body = app.graphql(verify, json!({ "token": "wrong-token" })).await;
    assert_eq!(body["data"]["verifyEmail"]["verified"], false);
    assert_eq!(body["data"]["verifyEmail"]["userErrors"][0]["code"], "INVALID_TOKEN");

    let body = app.graphql(verify, json!({ "token": token })).await;
    assert_eq!(body["data"]["verifyEmail"], json!({ "verified": true, "userErrors": [] }), "{body}");
    let viewer = app.graphql_as(Some(&session.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["emailVerified"], true);

    // Single use.
    let body = app.graphql(verify, json!({ "token": token })).await;
    assert_eq!(body["data"]["verifyEmail"]["userErrors"][0]["code"], "INVALID_TOKEN");

    // Asking again once verified is a user error.
    let again = "mutation { requestEmailVerification { sent userErrors { code } } }";
    let body = app.graphql_as(Some(&session.access), again, json!({})).await;
    assert_eq!(body["data"]["requestEmailVerification"]["userErrors"][0]["code"], "ALREADY_VERIFIED");
    assert_eq!(error_codes(&app.graphql(again, json!({})).await), ["UNAUTHENTICATED"]);

    // Tokens are stored only as digests.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut conn = app.db.connect().await;
    let plain: Count =
        diesel::sql_query("SELECT count(*) AS count FROM one_time_tokens WHERE token_hash = convert_to($1, 'UTF8')")
            .bind::<Text, _>(&token)
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(plain.count, 0);
}

#[tokio::test]
async fn password_reset_through_the_outbox_ends_every_session() {
    let app = TestApp::spawn().await;
    let session = register(&app, "reset@example.com", None).await;
    let request =
        "mutation($email: String!) { requestPasswordReset(input: { email: $email }) { userErrors { code } } }";

    let known = app.graphql(request, json!({ "email": "Reset@Example.com" })).await;
    let unknown = app.graphql(request, json!({ "email": "ghost@example.com" })).await;
    assert_eq!(known, unknown, "the answer must not reveal whether the account exists");
    assert!(outbox(&app, "ghost@example.com").await.is_empty());
    let token = mailed_token(&app, "reset@example.com", "PASSWORD_RESET").await;

    let reset = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { passwordReset userErrors { field code } } }";
    let weak = app.graphql(reset, json!({ "input": { "token": token, "newPassword": "short" } })).await;
    assert_eq!(weak["data"]["resetPassword"]["userErrors"][0]["code"], "TOO_SHORT", "{weak}");
    let body =
        app.graphql(reset, json!({ "input": { "token": token, "newPassword": "a brand new passphrase" } })).await;
    assert_eq!(body["data"]["resetPassword"], json!({ "passwordReset": true, "userErrors": [] }), "{body}");
    let reused =
        app.graphql(reset, json!({ "input": { "token": token, "newPassword": "yet another passphrase" } })).await;
    assert_eq!(reused["data"]["resetPassword"]["userErrors"][0]["code"], "INVALID_TOKEN");

    assert_eq!(error_codes(&refresh(&app, &session.refresh).await), ["UNAUTHENTICATED"], "sessions must end");
    assert_eq!(login(&app, "reset@example.com", PASSWORD).await["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    session_from(&login(&app, "reset@example.com", "a brand new passphrase").await);
    let kinds: Vec<String> = outbox(&app, "reset@example.com").await.into_iter().map(|m| m.kind).collect();
    assert_eq!(kinds, ["EMAIL_VERIFICATION", "PASSWORD_RESET", "PASSWORD_CHANGED"]);
}

#[tokio::test]
async fn change_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    let here = register(&app, "change@example.com", None).await;
    let elsewhere = session_from(&login(&app, "change@example.com", PASSWORD).await);
    let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { passwordChanged userErrors { field code } } }";

    let wrong = app
        .graphql_as(
            Some(&here.access),
            change,
            json!({ "input": { "currentPassword": "nope nope nope", "newPassword": "fresh passphrase 1" } }),
        )
        .await;
    assert_eq!(wrong["data"]["changePassword"]["userErrors"][0]["code"], "INCORRECT_PASSWORD");
    assert_eq!(wrong["data"]["changePassword"]["userErrors"][0]["field"], json!(["input", "currentPassword"]));

    let body = app
        .graphql_as(
            Some(&here.access),
            change,
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": "fresh passphrase 1" } }),
        )
        .await;
    assert_eq!(body["data"]["changePassword"], json!({ "passwordChanged": true, "userErrors": [] }), "{body}");
    session_from(&refresh(&app, &here.refresh).await["data"]["refreshSession"]);
    assert_eq!(error_codes(&refresh(&app, &elsewhere.refresh).await), ["UNAUTHENTICATED"]);
    session_from(&login(&app, "change@example.com", "fresh passphrase 1").await);
}

#[tokio::test]
async fn update_viewer_edits_the_profile_and_validates() {
    let app = TestApp::spawn().await;
    let session = register(&app, "profile@example.com", None).await;
    let update = "mutation($input: UpdateViewerInput!) { updateViewer(input: $input) {
        user { fullName headline location links { label url } } userErrors { field code } } }";
    let body = app
        .graphql_as(
            Some(&session.access),
            update,
            json!({ "input": { "headline": "Rust engineer", "location": "Lisbon", "links": [{ "label": "GitHub", "url": "https://github.com/ada" }] } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateViewer"]["user"],
        json!({ "fullName": "Ada Lovelace", "headline": "Rust engineer", "location": "Lisbon", "links": [{ "label": "GitHub", "url": "https://github.com/ada" }] }),
        "{body}"
    );
    let body = app.graphql_as(Some(&session.access), update, json!({ "input": { "headline": null } })).await;
    assert_eq!(body["data"]["updateViewer"]["user"]["headline"], Value::Null);
    assert_eq!(body["data"]["updateViewer"]["user"]["location"], "Lisbon", "omitted fields stay");

    let body = app
        .graphql_as(
            Some(&session.access),
            update,
            json!({ "input": { "fullName": "", "links": [{ "label": "x", "url": "javascript:alert(1)" }] } }),
        )
        .await;
    let errors = &body["data"]["updateViewer"]["userErrors"];
    assert_eq!(errors[0]["field"], json!(["input", "fullName"]));
    assert_eq!(errors[1]["field"], json!(["input", "links", "0", "url"]));
    assert_eq!(body["data"]["updateViewer"]["user"], Value::Null);
    let viewer = app.graphql_as(Some(&session.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["fullName"], "Ada Lovelace", "a refused update changes nothing");

    assert_eq!(error_codes(&app.graphql(update, json!({ "input": { "headline": "x" } })).await), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn delete_account_stops_login_and_frees_the_email() {
    let app = TestApp::spawn().await;
    let session = register(&app, "leaving@example.com", None).await;
    let delete = "mutation($password: String!) { deleteAccount(input: { password: $password }) { deletedUserId userErrors { code } } }";

    let wrong = app.graphql_as(Some(&session.access), delete, json!({ "password": "not my password" })).await;
    assert_eq!(wrong["data"]["deleteAccount"]["userErrors"][0]["code"], "INCORRECT_PASSWORD");

    let body = app.graphql_as(Some(&session.access), delete, json!({ "password": PASSWORD })).await;
    assert_eq!(body["data"]["deleteAccount"]["deletedUserId"], session.user_id.as_str(), "{body}");
    assert_eq!(login(&app, "leaving@example.com", PASSWORD).await["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    assert_eq!(error_codes(&refresh(&app, &session.refresh).await), ["UNAUTHENTICATED"]);
    // The still-unexpired access token no longer reaches the account.
    let viewer = app.graphql_as(Some(&session.access), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"], Value::Null);

    let again = register(&app, "leaving@example.com", None).await;
    assert_ne!(again.user_id, session.user_id);
}

#[tokio::test]
async fn failed_logins_are_rate_limited_without_checking_the_password() {
    let app = TestApp::spawn().await;
    register(&app, "limited@example.com", None).await;
    for attempt in 0..10 {
        let payload = login(&app, "limited@example.com", "wrong password!").await;
        assert_eq!(payload["userErrors"][0]["code"], "INVALID_CREDENTIALS", "attempt {attempt}");
    }
    // Past the limit even the right password is refused, before it is checked.
    let body = app.graphql(LOGIN, json!({ "input": { "email": "limited@example.com", "password": PASSWORD } })).await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    let body =
        app.graphql(LOGIN, json!({ "input": { "email": "someone-else@example.com", "password": PASSWORD } })).await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "the client address is limited too");
}

#[tokio::test]
async fn users_cannot_read_each_other_through_node() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com", None).await;
    let bob = register(&app, "bob@example.com", None).await;
    let query = "query($id: ID!) { node(id: $id) { ... on User { id email fullName } } }";

    let own = app.graphql_as(Some(&ada.access), query, json!({ "id": ada.user_id })).await;
    assert_eq!(own["data"]["node"]["email"], "ada@example.com", "{own}");

    let other = app.graphql_as(Some(&ada.access), query, json!({ "id": bob.user_id })).await;
    let unknown =
        app.graphql_as(Some(&ada.access), query, json!({ "id": ids::encode("User", uuid::Uuid::now_v7()) })).await;
    for body in [&other, &unknown] {
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
        assert_eq!(error_codes(body), ["NOT_FOUND"]);
    }
    for body in [&other, &unknown] {
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("Could not resolve to a node with the global id of"), "{message}");
    }
    let anonymous = app.graphql(query, json!({ "id": bob.user_id })).await;
    assert_eq!(error_codes(&anonymous), ["NOT_FOUND"]);

    // The user row really exists: only authorization hid it.
    let mut conn = app.db.connect().await;
    let (_, bob_uuid) = ids::decode(&bob.user_id).unwrap();
    #[derive(QueryableByName)]
    struct Email {
        #[diesel(sql_type = Text)]
        email: String,
    }
    let row: Email = diesel::sql_query("SELECT email FROM users WHERE id = $1")
        .bind::<SqlUuid, _>(bob_uuid)
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.email, "bob@example.com");
}

/// Sends `query` to the server at `base_url`, claiming to forward for
/// `forwarded_for`; returns the JSON body.
async fn post_forwarded(base_url: &str, forwarded_for: &str, query: &str, variables: Value) -> Value {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
    common::server::post_graphql(&client, base_url, None, query, variables).await.body
}

#[tokio::test]
async fn rate_limits_hold_across_replicas_and_see_through_trusted_proxies_only() {
    use common::server::{ServerProcess, register_at};
    let db = common::TestDb::migrated().await;
    let (dir_a, dir_b) = (common::TempDir::new("replica-a"), common::TempDir::new("replica-b"));
    let secret = std::str::from_utf8(JWT_SECRET).unwrap();
    let a = ServerProcess::start_with(dir_a.path(), Some(&db.url), &[("CAREERGRAPH_JWT_SECRET", secret)]);
    // B sits behind a "proxy" on loopback; A trusts nobody.
    let b = ServerProcess::start_with(
        dir_b.path(),
        Some(&db.url),
        &[("CAREERGRAPH_JWT_SECRET", secret), ("CAREERGRAPH_TRUSTED_PROXIES", "127.0.0.1/32")],
    );
    let client = reqwest::Client::new();
    register_at(&client, &a.base_url, "shared@example.com", "CANDIDATE").await;

    // Ten failures, half on each replica, use up the address's limit on both.
    let wrong = json!({ "input": { "email": "shared@example.com", "password": "wrong password!" } });
    for attempt in 0..10 {
        let replica = if attempt % 2 == 0 { &a.base_url } else { &b.base_url };
        let body = post_forwarded(replica, "203.0.113.50", LOGIN, wrong.clone()).await;
        assert_eq!(body["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS", "attempt {attempt}: {body}");
    }
    let right = json!({ "input": { "email": "shared@example.com", "password": PASSWORD } });
    for replica in [&a.base_url, &b.base_url] {
        let body = post_forwarded(replica, "203.0.113.51", LOGIN, right.clone()).await;
        assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{replica}: {body}");
    }

    // Mail requests are limited per client address (ten per quarter hour).
    // B takes the client from X-Forwarded-For: two clients, two budgets.
    const RESET: &str = "mutation($input: RequestPasswordResetInput!) {
        requestPasswordReset(input: $input) { userErrors { code } } }";
    let reset = json!({ "input": { "email": "shared@example.com" } });
    for _ in 0..10 {
        let body = post_forwarded(&b.base_url, "198.51.100.1", RESET, reset.clone()).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = post_forwarded(&b.base_url, "198.51.100.1", RESET, reset.clone()).await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    let body = post_forwarded(&b.base_url, "198.51.100.2", RESET, reset.clone()).await;
    assert!(body["errors"].is_null(), "another client behind the proxy has its own budget: {body}");
    // A ignores the header: whatever a client claims, it is its peer.
    for claimed in 0..10 {
        let body = post_forwarded(&a.base_url, &format!("192.0.2.{claimed}"), RESET, reset.clone()).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = post_forwarded(&a.base_url, "192.0.2.200", RESET, reset.clone()).await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "a forged X-Forwarded-For dodged the limit: {body}");
}
