//! Database faults against the real `careergraph serve` binary: a fault
//! proxy between it and PostgreSQL cuts and stalls the link, and backends
//! are terminated in the middle of a mutation. The server must say it is
//! not ready within a second, answer SERVICE_UNAVAILABLE (503, Retry-After)
//! within a bound instead of hanging, heal by itself when the link returns,
//! leave no partial write and leak no connection; and a database that never
//! answers stops start-up with a clear error (docs/operations.md#outages).

use crate::common;

use std::time::{Duration, Instant};

use common::fault_proxy::{FaultProxy, Link};
use common::server::{Answer, ServerProcess, post_graphql, register_at};
use common::{JWT_SECRET, TempDir, TestDb, await_lock_waiter, count};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

/// The request timeout the server runs with here: how long a request
/// stuck on a stalled link may take.
const REQUEST_TIMEOUT_SECS: u64 = 3;
const POOL_SIZE: i64 = 4;
/// How fast `/health/ready` must notice an outage.
const READY_BOUND: Duration = Duration::from_secs(1);
/// How long a request may take to fail during an outage: the request
/// timeout or the checkout bound (5 s), whichever ends it, plus slack for
/// a debug build.
const FAIL_BOUND: Duration = Duration::from_secs(7);
/// How long the server may take to serve again once the link is back.
const HEAL_BOUND: Duration = Duration::from_secs(8);

const VIEWER: &str = "{ viewer { email } }";

struct Setup {
    db: TestDb,
    proxy: FaultProxy,
    server: ServerProcess,
    client: reqwest::Client,
    _dir: TempDir,
}

/// The proxy runs on this runtime while the server starts (a blocking
/// wait), hence the multi-threaded tests.
async fn setup() -> Setup {
    let db = TestDb::migrated().await;
    let proxy = FaultProxy::in_front_of(&db.url).await;
    let dir = TempDir::new("faults");
    let timeout = REQUEST_TIMEOUT_SECS.to_string();
    let pool = POOL_SIZE.to_string();
    let server = ServerProcess::start_with(
        dir.path(),
        Some(&proxy.url),
        &[
            ("CAREERGRAPH_JWT_SECRET", std::str::from_utf8(JWT_SECRET).unwrap()),
            ("CAREERGRAPH_REQUEST_TIMEOUT_SECS", &timeout),
            ("CAREERGRAPH_DB_POOL_SIZE", &pool),
        ],
    );
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    Setup { db, proxy, server, client, _dir: dir }
}

/// `/health/ready`'s status, and how long it took to answer.
async fn readiness(setup: &Setup) -> (u16, Duration) {
    let started = Instant::now();
    let response = setup.client.get(format!("{}/health/ready", setup.server.base_url)).send().await.unwrap();
    (response.status().as_u16(), started.elapsed())
}

/// Asserts the answer is the documented outage answer.
fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.body);
    assert_eq!(answer.headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("2"), "{what}");
    assert_eq!(answer.body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE", "{what}: {}", answer.body);
    assert!(answer.body["errors"][0]["extensions"]["requestId"].is_string(), "{what}: {}", answer.body);
}

/// Waits until the server is ready and serves `token`'s viewer again.
async fn assert_heals(setup: &Setup, token: &str) {
    let started = Instant::now();
    loop {
        let (ready, _) = readiness(setup).await;
        if ready == 200 {
            let answer = post_graphql(&setup.client, &setup.server.base_url, Some(token), VIEWER, json!({})).await;
            if answer.status == 200 && answer.body["errors"].is_null() {
                return;
            }
        }
        assert!(started.elapsed() < HEAL_BOUND, "the server did not heal within {HEAL_BOUND:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Once idle, every pooled connection is back in the pool, and PostgreSQL
/// holds no open transaction and no more backends than the pool and the
/// event listener may use.
async fn assert_no_leaks(setup: &Setup) {
    let started = Instant::now();
    let (size, available) = loop {
        let page = setup.client.get(format!("{}/metrics", setup.server.base_url)).send().await.unwrap();
        let page = page.text().await.unwrap();
        let gauge = |name: &str| {
            page.lines().find_map(|line| line.strip_prefix(name)?.trim().parse::<i64>().ok()).unwrap_or(-1)
        };
        let (size, available) = (gauge("careergraph_db_pool_size "), gauge("careergraph_db_pool_available "));
        if size == available || started.elapsed() > Duration::from_secs(5) {
            break (size, available);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(size, available, "pooled connections still checked out when idle");
    assert!(size <= POOL_SIZE, "the pool holds {size} connections");
    let mut conn = setup.db.connect().await;
    let open = count(
        &mut conn,
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND state LIKE 'idle in transaction%')",
    )
    .await;
    assert_eq!(open, 0, "a backend was left inside a transaction");
    let backends = count(
        &mut conn,
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())",
    )
    .await;
    assert!(backends <= POOL_SIZE + 1, "{backends} backends for a pool of {POOL_SIZE} and one listener");
}

/// No log line at ERROR: an outage is reported as warnings.
fn assert_no_error_logs(setup: &Setup) {
    let logs = setup.server.logs.lock().unwrap();
    let errors: Vec<&String> = logs
        .iter()
        .filter(|line| serde_json::from_str::<Value>(line).is_ok_and(|entry| entry["level"] == "ERROR"))
        .collect();
    assert!(errors.is_empty(), "ERROR log lines: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_link_is_reported_at_once_and_heals_without_a_restart() {
    let mut setup = setup().await;
    let token = register_at(&setup.client, &setup.server.base_url, "cut@example.com", "CANDIDATE").await;

    setup.proxy.set(Link::Cut);
    let (status, took) = readiness(&setup).await;
    assert_eq!(status, 503);
    assert!(took < READY_BOUND, "/health/ready took {took:?} to notice the cut");

    let started = Instant::now();
    let answer = post_graphql(&setup.client, &setup.server.base_url, Some(&token), VIEWER, json!({})).await;
    assert_unavailable(&answer, "a query over a cut link");
    assert!(started.elapsed() < FAIL_BOUND, "the query took {:?} to fail", started.elapsed());
    // Mutations too, and without a trace of the request's failure in the body.
    let answer = post_graphql(
        &setup.client,
        &setup.server.base_url,
        Some(&token),
        "mutation { addSkill(input: { name: \"Rust\" }) { skill { name } userErrors { code } } }",
        json!({}),
    )
    .await;
    assert_unavailable(&answer, "a mutation over a cut link");
    assert!(!answer.body.to_string().to_lowercase().contains("postgres"), "{}", answer.body);

    setup.proxy.set(Link::Pass);
    assert_heals(&setup, &token).await;
    assert!(setup.server.is_alive());
    assert_no_leaks(&setup).await;
    assert_no_error_logs(&setup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_link_fails_requests_within_a_bound_and_heals() {
    let setup = setup().await;
    let token = register_at(&setup.client, &setup.server.base_url, "stall@example.com", "CANDIDATE").await;

    setup.proxy.set(Link::Stall);
    let base = setup.server.base_url.clone();
    let client = setup.client.clone();
    let stuck_token = token.clone();
    let in_flight = tokio::spawn(async move {
        let started = Instant::now();
        (post_graphql(&client, &base, Some(&stuck_token), VIEWER, json!({})).await, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, took) = readiness(&setup).await;
    assert_eq!(status, 503);
    assert!(took < READY_BOUND, "/health/ready took {took:?} to notice the stall");

    let (answer, took) = in_flight.await.unwrap();
    assert_unavailable(&answer, "a query over a stalled link");
    assert!(took < FAIL_BOUND, "the query took {took:?} to fail");

    setup.proxy.set(Link::Pass);
    assert_heals(&setup, &token).await;
    assert_no_leaks(&setup).await;
    assert_no_error_logs(&setup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_terminated_mid_transaction_leaves_no_partial_write() {
    let setup = setup().await;
    let base = setup.server.base_url.clone();
    let recruiter = register_at(&setup.client, &base, "rita@example.com", "RECRUITER").await;
    let candidate = register_at(&setup.client, &base, "cara@example.com", "CANDIDATE").await;
    let job = post_graphql(
        &setup.client,
        &base,
        Some(&recruiter),
        "mutation { createJob(input: { title: \"Engineer\", description: \"d\", companyName: \"Acme\", \
         status: OPEN }) { job { id } } }",
        json!({}),
    )
    .await;
    let job = job.body["data"]["createJob"]["job"]["id"].as_str().unwrap().to_owned();
    const APPLY: &str = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) {
        application { id } userErrors { code } } }";

    // Applying writes the application, then its first timeline event. Hold
    // the timeline's table so the mutation stops between the two writes.
    let mut blocker = setup.db.connect().await;
    diesel::sql_query("BEGIN").execute(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE application_events IN EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();
    let client = setup.client.clone();
    let (applying_base, applying_token, applying_job) = (base.clone(), candidate.clone(), job.clone());
    let applying = tokio::spawn(async move {
        post_graphql(
            &client,
            &applying_base,
            Some(&applying_token),
            APPLY,
            json!({ "input": { "jobId": applying_job } }),
        )
        .await
    });
    let mut watcher = setup.db.connect().await;
    await_lock_waiter(&mut watcher).await;
    let terminated = count(
        &mut watcher,
        "(SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock') AS killed)",
    )
    .await;
    assert_eq!(terminated, 1);
    diesel::sql_query("ROLLBACK").execute(&mut blocker).await.unwrap();

    let answer = applying.await.unwrap();
    assert_unavailable(&answer, "a mutation whose backend was terminated");
    let applications = count(&mut watcher, "(SELECT count(*) FROM applications)").await;
    assert_eq!(applications, 0, "the application was written without its timeline event");

    // Retrying succeeds, with both writes.
    let answer =
        post_graphql(&setup.client, &base, Some(&candidate), APPLY, json!({ "input": { "jobId": job } })).await;
    assert!(answer.body["data"]["applyToJob"]["application"]["id"].is_string(), "{}", answer.body);
    let orphans = count(
        &mut watcher,
        "(SELECT count(*) FROM applications a WHERE NOT EXISTS \
         (SELECT 1 FROM application_events e WHERE e.application_id = a.id))",
    )
    .await;
    assert_eq!((count(&mut watcher, "(SELECT count(*) FROM applications)").await, orphans), (1, 0));
    assert_no_leaks(&setup).await;
    assert_no_error_logs(&setup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_never_answers_stops_start_up_with_a_clear_error() {
    let db = TestDb::migrated().await;
    let proxy = FaultProxy::in_front_of(&db.url).await;
    proxy.set(Link::Stall);
    let dir = TempDir::new("stalled-start");
    let started = Instant::now();
    let output = common::server::failed_start(dir.path(), &[("DATABASE_URL", &proxy.url)]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the database did not answer a connection within 15s"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30), "start-up took {:?} to give up", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_connections_go_back_into_use_without_a_ping_and_dead_ones_are_replaced() {
    let db = TestDb::migrated().await;
    let pool = careergraph::db::build_pool(&db.url, 1).expect("pool");
    let first = backend_pid(&pool).await.expect("the first statement");
    // The one pooled connection is checked out again and returned unused…
    drop(pool.get().await.expect("the same connection again"));
    // …and its backend's last statement is still ours: no `SELECT 1` ran on
    // the way back into use.
    let mut observer = db.connect().await;
    let last = format!(
        "(SELECT count(*) FROM pg_stat_activity WHERE pid = {first} AND query LIKE 'SELECT pg_backend_pid()%')"
    );
    assert_eq!(count(&mut observer, &last).await, 1, "a statement ran on checkout");

    // A connection whose backend died is replaced, at the latest after the
    // one request that finds it dead.
    diesel::sql_query(format!("SELECT pg_terminate_backend({first}, 5000)")).execute(&mut observer).await.unwrap();
    let gone = format!("(SELECT count(*) FROM pg_stat_activity WHERE pid = {first})");
    assert_eq!(count(&mut observer, &gone).await, 0, "the backend outlived its termination");
    let (mut failures, mut replaced) = (0, None);
    while replaced.is_none() && failures < 3 {
        match backend_pid(&pool).await {
            Ok(pid) => replaced = Some(pid),
            Err(_) => failures += 1,
        }
        // The driver's connection task notices the closed socket on its own.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failures <= 1, "{failures} requests met the dead connection");
    assert_ne!(replaced.expect("a working connection"), first);
}

/// The backend process id of a pooled connection.
async fn backend_pid(pool: &careergraph::db::Pool) -> diesel::QueryResult<i32> {
    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut conn = pool.get().await.expect("a connection");
    let row: Backend = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(&mut *conn).await?;
    Ok(row.pid)
}
