//! Subscriptions over WebSocket (graphql-transport-ws): events reach the
//! people who may see them and nobody else, a refused token refuses the
//! connection, and an event written through one server process reaches a
//! subscriber connected to another.

use crate::common;

use std::time::Duration;

use common::server::ServerProcess;
use common::ws::{connect, next_message, subscribe};
use common::{JWT_SECRET, TempDir, TestApp, TestDb, await_subscriptions, recruiter, sign_up};
use serde_json::{Value, json};

const EVENTS: &str = "subscription($id: ID) { applicationEvents(applicationId: $id) {
    kind fromStatus toStatus application { id status job { title } } } }";
const APPLICANTS: &str = "subscription($job: ID!) { jobApplications(jobId: $job) { status applicant { fullName } } }";

async fn post_job(app_url: &str, token: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{app_url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "mutation { createJob(input: { title: \"Engineer\", description: \"d\", companyName: \"Acme\", status: OPEN }) { job { id } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["createJob"]["job"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
}

async fn graphql(app_url: &str, token: &str, query: &str, variables: Value) -> Value {
    let body: Value = reqwest::Client::new()
        .post(format!("{app_url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn events_reach_those_who_may_see_them_and_nobody_else() {
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    let job = post_job(&app.base_url, &rita).await;

    let mut ada_feed = connect(&app.base_url, &ada).await.unwrap();
    subscribe(&mut ada_feed, "mine", EVENTS, json!({})).await;
    let mut rita_feed = connect(&app.base_url, &rita).await.unwrap();
    subscribe(&mut rita_feed, "job", APPLICANTS, json!({ "job": job })).await;
    let mut bob_feed = connect(&app.base_url, &bob).await.unwrap();
    subscribe(&mut bob_feed, "mine", EVENTS, json!({})).await;
    await_subscriptions(&app.base_url, 3).await;

    let applied = graphql(
        &app.base_url,
        &ada,
        "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } } }",
        json!({ "input": { "jobId": job } }),
    )
    .await;
    let application = applied["applyToJob"]["application"]["id"].clone();

    let event = next_message(&mut ada_feed, Duration::from_secs(10)).await.expect("Ada hears of her application");
    assert_eq!(event["id"], "mine");
    let data = &event["payload"]["data"]["applicationEvents"];
    assert_eq!((data["kind"].as_str(), data["toStatus"].as_str()), (Some("CREATED"), Some("APPLIED")), "{event}");
    assert_eq!(data["application"]["job"]["title"], "Engineer");
    let applicant = next_message(&mut rita_feed, Duration::from_secs(10)).await.expect("Rita hears of the applicant");
    assert_eq!(
        applicant["payload"]["data"]["jobApplications"],
        json!({ "status": "APPLIED", "applicant": { "fullName": "ada@example.com" } })
    );

    graphql(
        &app.base_url,
        &rita,
        "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) { application { status } } }",
        json!({ "input": { "applicationId": application, "status": "SCREENING" } }),
    )
    .await;
    let moved = next_message(&mut ada_feed, Duration::from_secs(10)).await.unwrap();
    assert_eq!(moved["payload"]["data"]["applicationEvents"]["toStatus"], "SCREENING");
    assert_eq!(
        next_message(&mut rita_feed, Duration::from_secs(10)).await.unwrap()["payload"]["data"]["jobApplications"]["status"],
        "SCREENING"
    );
    // Bob may see neither event.
    assert_eq!(next_message(&mut bob_feed, Duration::from_millis(500)).await, None);

    // Bob cannot follow Rita's job, nor subscribe to Ada's application.
    subscribe(&mut bob_feed, "job", APPLICANTS, json!({ "job": job })).await;
    let refused = next_message(&mut bob_feed, Duration::from_secs(10)).await.unwrap();
    assert_eq!(refused["id"], "job", "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    assert!(refused["payload"]["errors"][0]["extensions"]["requestId"].is_string());
    subscribe(&mut bob_feed, "hers", EVENTS, json!({ "id": application })).await;
    let hidden = next_message(&mut bob_feed, Duration::from_secs(10)).await.unwrap();
    assert_eq!(hidden["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND", "{hidden}");

    // A refused token refuses the connection with 4403, as the protocol asks.
    let Err((code, reason)) = connect(&app.base_url, "not-a-token").await else {
        panic!("the connection was accepted")
    };
    assert_eq!(code, 4403);
    assert!(reason.to_lowercase().contains("token"), "{reason}");
    // Closing a connection ends its subscriptions.
    drop((ada_feed, rita_feed, bob_feed));
    await_subscriptions(&app.base_url, 0).await;
}

#[tokio::test]
async fn an_event_written_on_one_server_reaches_a_subscriber_on_another() {
    let db = TestDb::migrated().await;
    let (dir_a, dir_b) = (TempDir::new("server-a"), TempDir::new("server-b"));
    let secret = std::str::from_utf8(JWT_SECRET).unwrap();
    let env = [("CAREERGRAPH_JWT_SECRET", secret)];
    let a = ServerProcess::start_with(dir_a.path(), Some(&db.url), &env);
    let b = ServerProcess::start_with(dir_b.path(), Some(&db.url), &env);

    let register = |email: &'static str, role: &'static str| {
        let url = b.base_url.clone();
        async move {
            let body: Value = reqwest::Client::new()
                .post(format!("{url}/graphql"))
                .json(&json!({ "query": "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
                    "variables": { "input": { "email": email, "password": common::PASSWORD, "fullName": email, "role": role } } }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["data"]["register"]["accessToken"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
        }
    };
    let rita = register("rita@example.com", "RECRUITER").await;
    let ada = register("ada@example.com", "CANDIDATE").await;
    let job = post_job(&b.base_url, &rita).await;

    // Rita follows her job on A; Ada applies through B.
    let mut feed = connect(&a.base_url, &rita).await.unwrap();
    subscribe(&mut feed, "job", APPLICANTS, json!({ "job": job })).await;
    await_subscriptions(&a.base_url, 1).await;
    graphql(
        &b.base_url,
        &ada,
        "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } } }",
        json!({ "input": { "jobId": job } }),
    )
    .await;
    let message = next_message(&mut feed, Duration::from_secs(10)).await.expect("the event crosses servers");
    assert_eq!(message["payload"]["data"]["jobApplications"]["applicant"]["fullName"], "ada@example.com", "{message}");
    drop(feed);
    a.stop_with(libc::SIGTERM);
    b.stop_with(libc::SIGTERM);
}

#[tokio::test]
async fn an_open_socket_closes_when_its_access_token_expires() {
    let app = TestApp::spawn().await;
    let token = common::signed_token(&common::claims_expiring_in(2));
    let mut socket = connect(&app.base_url, &token).await.expect("a valid token is admitted");
    subscribe(&mut socket, "mine", EVENTS, json!({})).await;
    await_subscriptions(&app.base_url, 1).await;
    let started = std::time::Instant::now();
    let close = close_frame(&mut socket, Duration::from_secs(10)).await.expect("closed within 10 s");
    assert_eq!(u16::from(close.code), 4403, "{close:?}");
    assert!(close.reason.contains("expired"), "{close:?}");
    assert!(started.elapsed() < Duration::from_secs(4), "closed {:?} after subscribing", started.elapsed());
    // Its subscriptions end with it.
    await_subscriptions(&app.base_url, 0).await;
}

/// The close frame that ends `socket` within `wait`.
async fn close_frame(
    socket: &mut common::ws::Socket,
    wait: Duration,
) -> Option<tokio_tungstenite::tungstenite::protocol::CloseFrame> {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await.ok()? {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => return frame,
            Some(Ok(_)) => {}
            other => panic!("the socket ended without a close frame: {other:?}"),
        }
    }
}

#[tokio::test]
async fn logging_out_on_any_replica_closes_that_sessions_sockets() {
    let app = TestApp::spawn().await;
    // A second replica on the same database: the logout goes through it.
    let other = common::serve_router(&app.db.url, &careergraph::config::ServerArgs::default()).await;
    let phone = sign_up(&app, "ada@example.com").await;
    let login = graphql(
        &app.base_url,
        &phone,
        "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
        json!({ "input": { "email": "ada@example.com", "password": common::PASSWORD } }),
    )
    .await;
    let laptop = login["login"]["accessToken"].as_str().unwrap().to_owned();

    let mut phone_socket = connect(&app.base_url, &phone).await.unwrap();
    subscribe(&mut phone_socket, "mine", EVENTS, json!({})).await;
    let mut laptop_socket = connect(&app.base_url, &laptop).await.unwrap();
    subscribe(&mut laptop_socket, "mine", EVENTS, json!({})).await;
    await_subscriptions(&app.base_url, 2).await;

    graphql(&other, &phone, "mutation { logout { revokedSessions } }", json!({})).await;
    let close = close_frame(&mut phone_socket, Duration::from_secs(5)).await.expect("closed within 5 s");
    assert_eq!((u16::from(close.code), close.reason.as_str()), (4403, "The session has ended: sign in again"));
    // The other session's socket stays open…
    assert!(close_frame(&mut laptop_socket, Duration::from_millis(500)).await.is_none(), "another session closed");
    await_subscriptions(&app.base_url, 1).await;

    // …until every session ends.
    graphql(&other, &laptop, "mutation { logoutEverywhere { revokedSessions } }", json!({})).await;
    let close = close_frame(&mut laptop_socket, Duration::from_secs(5)).await.expect("closed within 5 s");
    assert_eq!(u16::from(close.code), 4403, "{close:?}");
    await_subscriptions(&app.base_url, 0).await;
}
