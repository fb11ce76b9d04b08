//! Streaming read replicas, watched: the real `careergraph serve` with a
//! real replica (`pg_basebackup -R`) reports it streaming, lagging while its
//! replay is paused behind new writes, down while it is stopped, and
//! streaming again once it recovers; the process stays ready throughout.

use crate::common;

use std::time::{Duration, Instant};

use common::TempDir;
use common::replica::Replicated;
use common::server::{ServerProcess, register_at};
use serde_json::Value;

/// `/health/ready`'s status code and its entry for the replica.
async fn replica_health(base_url: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{base_url}/health/ready")).await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let databases = body["databases"].as_array().cloned().unwrap_or_default();
    assert_eq!(databases.first().map(|d| d["role"].clone()), Some("PRIMARY".into()), "{body}");
    let replica = databases.iter().find(|d| d["role"] == "REPLICA").cloned().unwrap_or_else(|| panic!("{body}"));
    (status, replica)
}

/// Waits until the replica's reported status is `wanted`; returns its entry.
async fn await_replica(base_url: &str, wanted: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, replica) = replica_health(base_url).await;
        assert_eq!(status, 200, "a replica's state never makes the process unready: {replica}");
        if replica["status"] == wanted {
            return replica;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the replica never became {wanted}: {replica}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn metric(base_url: &str, name: &str) -> Option<f64> {
    let page = reqwest::get(format!("{base_url}/metrics")).await.unwrap().text().await.unwrap();
    page.lines().find(|line| line.starts_with(name)).and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_is_reported_streaming_lagging_down_and_back() {
    let mut databases = Replicated::start().await;
    let dir = TempDir::new("replica-serve");
    // The replica trusts local connections, so the password is only there to
    // be kept out of reports.
    let replica_url = format!("{}&password=hunter2-replica", databases.replica_url());
    let server = ServerProcess::start_with(
        dir.path(),
        Some(&databases.primary_url()),
        &[("DATABASE_REPLICA_URL", &replica_url), ("CAREERGRAPH_REPLICA_MAX_LAG", "500ms")],
    );
    let base = server.base_url.clone();
    let client = reqwest::Client::new();

    let streaming = await_replica(&base, "STREAMING").await;
    assert_eq!(streaming["lagSeconds"], 0.0, "{streaming}");
    assert!(streaming["name"].as_str().unwrap().contains("password=***"), "{streaming}");
    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    let logs = server.logs.lock().unwrap().join("\n");
    for report in [streaming.to_string(), metrics, logs] {
        assert!(!report.contains("hunter2"), "the replica's password leaked: {report}");
    }
    assert_eq!(metric(&base, "careergraph_replica_up{").await, Some(1.0));

    // Paused replay behind a write: the replica falls further behind every sample.
    databases.pause_replay(true).await;
    register_at(&client, &base, "ada@example.com", "CANDIDATE").await;
    let lagging = await_replica(&base, "LAGGING").await;
    assert!(lagging["lagSeconds"].as_f64().unwrap() > 0.5, "{lagging}");
    assert!(metric(&base, "careergraph_replica_lag_seconds{").await.unwrap() > 0.5);
    databases.pause_replay(false).await;
    databases.await_caught_up().await;
    await_replica(&base, "STREAMING").await;

    // Stopped: down, and the process stays ready on its primary.
    databases.stop_replica().await;
    await_replica(&base, "DOWN").await;
    assert_eq!(metric(&base, "careergraph_replica_up{").await, Some(0.0));
    register_at(&client, &base, "bob@example.com", "CANDIDATE").await;
    databases.start_replica().await;
    await_replica(&base, "STREAMING").await;
}

/// Reads served so far by the primary and by the replica, from `/metrics`.
async fn reads(base_url: &str) -> (f64, f64) {
    let page = reqwest::get(format!("{base_url}/metrics")).await.unwrap().text().await.unwrap();
    let value = |primary: bool| {
        page.lines()
            .filter(|line| line.starts_with("careergraph_database_reads_total{"))
            .find(|line| line.contains("database=\"primary\"") == primary)
            .and_then(|line| line.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no reads counter in {page}"))
    };
    (value(true), value(false))
}

/// POSTs `query` as `token`, echoing `read_after` when given; the body and
/// the `CareerGraph-Read-After` the response carries.
async fn post(base_url: &str, token: &str, query: &str, read_after: Option<&str>) -> (Value, Option<String>) {
    let mut request = reqwest::Client::new()
        .post(format!("{base_url}/graphql"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": query }));
    if let Some(position) = read_after {
        request = request.header("careergraph-read-after", position);
    }
    let response = request.send().await.unwrap();
    let position = response.headers().get("careergraph-read-after").map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    (body, position)
}

const HEADLINE: &str = "{ viewer { headline } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_read_from_a_replica_and_each_viewer_reads_their_own_writes() {
    let mut databases = Replicated::start().await;
    let replica_url = databases.replica_url();
    let secret = "replica-test-secret-replica-test-secret!";
    let env = [
        ("DATABASE_REPLICA_URL", replica_url.as_str()),
        ("CAREERGRAPH_REPLICA_MAX_LAG", "5s"),
        ("CAREERGRAPH_JWT_SECRET", secret),
    ];
    let (dir_one, dir_two) = (TempDir::new("replica-one"), TempDir::new("replica-two"));
    let one = ServerProcess::start_with(dir_one.path(), Some(&databases.primary_url()), &env);
    let two = ServerProcess::start_with(dir_two.path(), Some(&databases.primary_url()), &env);
    await_replica(&one.base_url, "STREAMING").await;
    await_replica(&two.base_url, "STREAMING").await;
    let ada = register_at(&reqwest::Client::new(), &one.base_url, "ada@example.com", "CANDIDATE").await;
    databases.await_caught_up().await;

    // Queries go to the replica once it has what they must see.
    let before = reads(&one.base_url).await;
    let (body, _) = post(&one.base_url, &ada, HEADLINE, None).await;
    assert_eq!(body["data"]["viewer"]["headline"], Value::Null);
    assert_eq!(reads(&one.base_url).await, (before.0, before.1 + 1.0), "served by the replica");

    // A write while the replica replays nothing: it cannot have it.
    databases.pause_replay(true).await;
    let (_, written) = post(
        &one.base_url,
        &ada,
        "mutation { updateViewer(input: { headline: \"Rust engineer\" }) { user { headline } } }",
        None,
    )
    .await;
    let written = written.expect("a mutation's response names its write position");
    // The same process remembers the session's write: its reads go to the primary.
    let before = reads(&one.base_url).await;
    let (body, _) = post(&one.base_url, &ada, HEADLINE, None).await;
    assert_eq!(body["data"]["viewer"]["headline"], "Rust engineer");
    assert_eq!(reads(&one.base_url).await, (before.0 + 1.0, before.1), "served by the primary");
    // Another process knows only what the client sends back.
    let (stale, _) = post(&two.base_url, &ada, HEADLINE, None).await;
    assert_eq!(stale["data"]["viewer"]["headline"], Value::Null, "without the position, the replica answers");
    let (fresh, _) = post(&two.base_url, &ada, HEADLINE, Some(&written)).await;
    assert_eq!(fresh["data"]["viewer"]["headline"], "Rust engineer", "with it, the primary does");

    // Caught up, the replica serves the echoed position itself.
    databases.pause_replay(false).await;
    databases.await_caught_up().await;
    tokio::time::sleep(Duration::from_millis(600)).await; // a monitor sample past the catch-up
    let before = reads(&two.base_url).await;
    let (body, _) = post(&two.base_url, &ada, HEADLINE, Some(&written)).await;
    assert_eq!(body["data"]["viewer"]["headline"], "Rust engineer");
    assert_eq!(reads(&two.base_url).await, (before.0, before.1 + 1.0), "served by the replica");

    // Stopped under load: every read still answers, from the primary.
    databases.stop_replica().await;
    for _ in 0..10 {
        let (body, _) = post(&one.base_url, &ada, HEADLINE, None).await;
        assert_eq!(body["data"]["viewer"]["headline"], "Rust engineer");
    }
    await_replica(&one.base_url, "DOWN").await;
    let before = reads(&one.base_url).await;
    post(&one.base_url, &ada, HEADLINE, None).await;
    assert_eq!(reads(&one.base_url).await.0, before.0 + 1.0, "down: the primary serves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_slice_is_served_with_a_replica_taking_the_reads() {
    let databases = Replicated::start().await;
    let dir = TempDir::new("replica-slice");
    let server = ServerProcess::start_with(
        dir.path(),
        Some(&databases.primary_url()),
        &[("DATABASE_REPLICA_URL", &databases.replica_url()), ("CAREERGRAPH_DB_POOL_SIZE", "8")],
    );
    await_replica(&server.base_url, "STREAMING").await;
    let app = common::TestApp::at(&server.base_url, common::TestDb::elsewhere(&databases.primary_url()));
    crate::scaling::serve_the_slice(&app).await;
    // Right after their writes, both viewers read from the primary until a
    // sample shows the replica past them (how many depends on timing); once
    // it has caught up, the replica serves them.
    let (primary, replica) = reads(&server.base_url).await;
    assert!(primary + replica >= 31.0, "{primary} reads from the primary, {replica} from the replica");
    let ada = common::login(&app, "ada@example.com", common::PASSWORD).await;
    databases.await_caught_up().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (body, _) =
        post(&server.base_url, &ada, "{ viewer { applications(first: 5) { nodes { status } } } }", None).await;
    assert_eq!(body["data"]["viewer"]["applications"]["nodes"][0]["status"], "SCREENING", "{body}");
    assert_eq!(reads(&server.base_url).await, (primary, replica + 1.0), "then the replica serves them");
}

const MY_EVENTS: &str = "subscription { applicationEvents { kind application { job { title } } } }";

/// Applies as `token` to a new job titled `title` and waits for the
/// subscription's event; returns the title the event reloaded and the
/// reads it cost (from the primary, from the replica).
async fn applied_and_announced(
    app: &common::TestApp,
    feed: &mut common::ws::Socket,
    (rita, ada): (&str, &str),
    title: &str,
) -> (Value, (f64, f64)) {
    let job = common::post_open_job(app, rita, title).await;
    let before = reads(&app.base_url).await;
    common::apply_to(app, ada, &job).await;
    let event = common::ws::next_message(feed, Duration::from_secs(10)).await.expect("the application's event");
    let after = reads(&app.base_url).await;
    let reloaded = event["payload"]["data"]["applicationEvents"]["application"]["job"]["title"].clone();
    (reloaded, (after.0 - before.0, after.1 - before.1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_reload_events_from_a_replica_once_it_has_replayed_them() {
    let mut databases = Replicated::start().await;
    let dir = TempDir::new("replica-subscriptions");
    // Lag never makes the replica unusable here: a paused one is still a
    // candidate, so only the event's position keeps reloads off it.
    let server = ServerProcess::start_with(
        dir.path(),
        Some(&databases.primary_url()),
        &[("DATABASE_REPLICA_URL", &databases.replica_url()), ("CAREERGRAPH_REPLICA_MAX_LAG", "30s")],
    );
    await_replica(&server.base_url, "STREAMING").await;
    let app = common::TestApp::at(&server.base_url, common::TestDb::elsewhere(&databases.primary_url()));
    let rita = common::recruiter(&app, "rita@example.com").await;
    let ada = common::sign_up(&app, "ada@example.com").await;
    let mut feed = common::ws::connect(&app.base_url, &ada).await.expect("a subscription socket");
    common::ws::subscribe(&mut feed, "mine", MY_EVENTS, serde_json::json!({})).await;
    common::await_subscriptions(&app.base_url, 1).await;

    // Streaming: the listener waits (briefly) for the replica to replay
    // each event, and the subscriber reloads it there. A machine too busy
    // to replay within the wait sends a reload to the primary instead, so
    // a few events get the chance.
    let mut served_by_replica = false;
    for n in 0..5 {
        let title = format!("Engineer {n}");
        let (reloaded, cost) = applied_and_announced(&app, &mut feed, (&rita, &ada), &title).await;
        assert_eq!(reloaded, title.as_str(), "the event reloads what was just written");
        assert_eq!(cost.0 + cost.1, 1.0, "one reload, counted once: {cost:?}");
        if cost == (0.0, 1.0) {
            served_by_replica = true;
            break;
        }
    }
    assert!(served_by_replica, "no event was reloaded from the replica");

    // Paused: the replica cannot have the event, so its reload goes to the
    // primary (read from the replica, it would find no application and the
    // event would never be sent).
    databases.pause_replay(true).await;
    let (reloaded, cost) = applied_and_announced(&app, &mut feed, (&rita, &ada), "Paused").await;
    assert_eq!(reloaded, "Paused");
    assert_eq!(cost, (1.0, 0.0), "reloaded from the primary");
    databases.pause_replay(false).await;

    // Stopped: reloads go on from the primary.
    databases.stop_replica().await;
    await_replica(&server.base_url, "DOWN").await;
    let (reloaded, cost) = applied_and_announced(&app, &mut feed, (&rita, &ada), "Stopped").await;
    assert_eq!(reloaded, "Stopped");
    assert_eq!(cost, (1.0, 0.0), "reloaded from the primary");
}
