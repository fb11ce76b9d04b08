//! Past one database connection budget: the real `careergraph serve`
//! through a real PgBouncer in transaction mode, with migrations and the
//! LISTEN connection on the direct URL (docs/scaling.md).

use crate::common;

use std::time::Duration;

use careergraph::db::{Statements, pooler};
use common::pgbouncer::{PgBouncer, PoolMode};
use common::server::ServerProcess;
use common::ws::{connect, next_message, subscribe};
use common::{TempDir, TestApp, TestDb, await_subscriptions, post_open_job, recruiter, sign_up};
use serde_json::{Value, json};

const EVENTS: &str = "subscription { applicationEvents { kind toStatus application { status } } }";
const APPLY: &str = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) {
    application { id status } userErrors { code } } }";
const MOVE: &str = "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) {
    application { status } userErrors { code } } }";
const STATUS: &str = "query($id: ID!) { node(id: $id) { ... on Application { status
    events(first: 10) { totalCount } } } }";

/// The part of the API a deployment must serve, whatever sits between it
/// and PostgreSQL: sign up, post a job, apply with a subscription open, move
/// the application on and read it back at once (the mover reads its own
/// write), then a burst of concurrent requests that keeps server
/// connections changing hands. tests/api/replicas.rs serves it with a
/// replica too.
pub async fn serve_the_slice(app: &TestApp) {
    let rita = recruiter(app, "rita@example.com").await;
    let ada = sign_up(app, "ada@example.com").await;
    let job = post_open_job(app, &rita, "Engineer").await;
    let mut feed = connect(&app.base_url, &ada).await.expect("a subscription socket");
    subscribe(&mut feed, "mine", EVENTS, json!({})).await;
    await_subscriptions(&app.base_url, 1).await;

    let applied = app.graphql_as(Some(&ada), APPLY, json!({ "input": { "jobId": job } })).await;
    let application = applied["data"]["applyToJob"]["application"]["id"].as_str().expect("applied").to_owned();
    let created = next_message(&mut feed, Duration::from_secs(10)).await.expect("the application's event");
    assert_eq!(created["payload"]["data"]["applicationEvents"]["kind"], "CREATED", "{created}");

    let moved = app
        .graphql_as(Some(&rita), MOVE, json!({ "input": { "applicationId": application, "status": "SCREENING" } }))
        .await;
    assert_eq!(moved["data"]["updateApplicationStatus"]["application"]["status"], "SCREENING", "{moved}");
    let read = app.graphql_as(Some(&rita), STATUS, json!({ "id": application })).await;
    assert_eq!(read["data"]["node"], json!({ "status": "SCREENING", "events": { "totalCount": 2 } }), "{read}");
    let changed = next_message(&mut feed, Duration::from_secs(10)).await.expect("the status change's event");
    assert_eq!(
        changed["payload"]["data"]["applicationEvents"],
        json!({ "kind": "STATUS_CHANGED", "toStatus": "SCREENING", "application": { "status": "SCREENING" } }),
    );

    let burst = (0..30).map(|n| {
        let (token, query) = match n % 3 {
            0 => (
                &ada,
                "{ viewer { applications(first: 5) { totalCount nodes { status job { title company { name } } } } } }",
            ),
            1 => (
                &rita,
                "{ jobs(first: 10) { nodes { title postedBy { fullName } applications(first: 5) { totalCount } } } }",
            ),
            _ => (&ada, "{ analytics { applicationFunnel { status count } } }"),
        };
        app.graphql_as(Some(token), query, json!({}))
    });
    for body in futures_util::future::join_all(burst).await {
        assert!(body.get("errors").is_none(), "{body}");
    }
}

fn serve_through(bouncer: &PgBouncer, db: &TestDb, dir: &TempDir, extra: &[(&str, &str)]) -> ServerProcess {
    let mut env = vec![("DATABASE_DIRECT_URL", db.url.as_str()), ("CAREERGRAPH_DB_POOL_SIZE", "8")];
    env.extend_from_slice(extra);
    ServerProcess::start_with(dir.path(), Some(&bouncer.url(&db.name)), &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_pgbouncer_in_transaction_mode_the_api_works_and_start_up_detects_it() {
    let bouncer = PgBouncer::start(PoolMode::Transaction);
    // An empty database: the migrations run at start, over the direct URL.
    let db = TestDb::empty().await;
    let dir = TempDir::new("pgbouncer-serve");
    let server = serve_through(&bouncer, &db, &dir, &[]);
    let detected = server.logs.lock().unwrap().iter().any(|line| {
        let line: Value = serde_json::from_str(line).unwrap_or_default();
        line["message"].as_str().is_some_and(|m| m.contains("pooled statements are sent unnamed"))
            && line["detected"] == true
    });
    assert!(detected, "start-up did not detect transaction pooling: {:?}", server.logs.lock().unwrap());
    let app = TestApp::at(&server.base_url, db);
    serve_the_slice(&app).await;
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(!logs.contains("prepared statement"), "{logs}\n{}", bouncer.log());
    assert!(!logs.contains("\"ERROR\""), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_pooler_without_a_direct_url_is_refused_at_start_up() {
    let bouncer = PgBouncer::start(PoolMode::Transaction);
    let db = TestDb::empty().await;
    let dir = TempDir::new("pgbouncer-no-direct");
    let output = common::server::failed_start(dir.path(), &[("DATABASE_URL", &bouncer.url(&db.name))]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pooler in transaction mode") && stderr.contains("set DATABASE_DIRECT_URL"), "{stderr}");
    let mut conn = db.connect().await;
    let tables = common::count(&mut conn, "(SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").await;
    assert_eq!(tables, 0, "nothing was migrated through the pooler");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detection_tells_transaction_pooling_from_direct_and_session_pooled_connections() {
    let db = TestDb::migrated().await;
    let transaction = PgBouncer::start(PoolMode::Transaction);
    let session = PgBouncer::start(PoolMode::Session);
    assert_eq!(pooler::detect(&db.url).await.unwrap(), Statements::Prepared);
    assert_eq!(pooler::detect(&session.url(&db.name)).await.unwrap(), Statements::Prepared);
    assert_eq!(pooler::detect(&transaction.url(&db.name)).await.unwrap(), Statements::Unnamed);
}

/// One row of docs/scaling.md's placement table.
struct Placement {
    table: String,
    kind: String,
    column: String,
    group: String,
}

/// The rows of the markdown table under `heading` in docs/scaling.md, cells trimmed.
fn plan_table(heading: &str) -> Vec<Vec<String>> {
    let plan = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scaling.md")).unwrap();
    let section = plan.split_once(heading).unwrap_or_else(|| panic!("docs/scaling.md has no {heading}")).1;
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2) // the header and its rule
        .map(|line| line.trim_matches('|').split('|').map(|cell| cell.trim().trim_matches('`').to_owned()).collect())
        .collect()
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

#[derive(diesel::QueryableByName)]
struct UniqueIndex {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    index_name: String,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    columns: Vec<String>,
}

#[derive(diesel::QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    referenced: String,
    /// (column, referenced column) pairs.
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    referenced_columns: Vec<String>,
}

#[tokio::test]
async fn the_citus_distribution_plan_covers_every_unique_index_and_foreign_key() {
    use diesel_async::RunQueryDsl;
    let placements: Vec<Placement> = plan_table("### Placement")
        .into_iter()
        .map(|row| Placement {
            table: row[0].clone(),
            kind: row[1].clone(),
            column: row[2].clone(),
            group: row[3].clone(),
        })
        .collect();
    let planned_changes: std::collections::BTreeSet<(String, String)> =
        plan_table("### Changes the plan needs").into_iter().map(|row| (row[0].clone(), row[1].clone())).collect();
    assert!(placements.len() > 10 && planned_changes.len() > 10, "the plan's tables were not found");

    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    // Unique indexes (primary keys and unique constraints included) with
    // their plain key columns; an expression contributes none.
    let uniques: Vec<UniqueIndex> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name,
                array(SELECT a.attname::text FROM unnest(x.indkey) AS k(attnum)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace AND t.relname <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let foreign_keys: Vec<ForeignKey> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS name, c.confrelid::regclass::text AS referenced,
                array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
                array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)
                  AS referenced_columns
         FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace",
    )
    .load(&mut conn)
    .await
    .unwrap();

    let tables: std::collections::BTreeSet<&str> = columns.iter().map(|c| c.table_name.as_str()).collect();
    let placed: std::collections::BTreeSet<&str> = placements.iter().map(|p| p.table.as_str()).collect();
    assert_eq!(placed, tables, "docs/scaling.md must place every table, and only tables that exist");
    let placement = |table: &str| placements.iter().find(|p| p.table == table).expect("placed");

    // What Citus would refuse, as (table, constraint, index or `column …`).
    let mut needed = std::collections::BTreeSet::new();
    for p in placements.iter().filter(|p| p.kind == "distributed") {
        if !columns.iter().any(|c| c.table_name == p.table && c.column_name == p.column) {
            needed.insert((p.table.clone(), format!("column {}", p.column)));
        }
    }
    for index in &uniques {
        let p = placement(&index.table_name);
        if p.kind == "distributed" && !index.columns.contains(&p.column) {
            needed.insert((index.table_name.clone(), index.index_name.clone()));
        }
    }
    for key in &foreign_keys {
        let (from, to) = (placement(&key.table_name), placement(&key.referenced));
        let allowed = match (from.kind.as_str(), to.kind.as_str()) {
            (_, "reference") => true,
            ("distributed", "distributed") => {
                from.group == to.group
                    && key
                        .columns
                        .iter()
                        .zip(&key.referenced_columns)
                        .any(|(c, r)| *c == from.column && *r == to.column)
            }
            // Local tables reference local tables; nothing else references them.
            ("local", "local") => true,
            _ => false,
        };
        if !allowed {
            needed.insert((key.table_name.clone(), key.name.clone()));
        }
    }
    let missing: Vec<_> = needed.difference(&planned_changes).collect();
    let stale: Vec<_> = planned_changes.difference(&needed).collect();
    assert!(missing.is_empty(), "Citus would refuse these; plan a change in docs/scaling.md: {missing:?}");
    assert!(stale.is_empty(), "docs/scaling.md plans changes nothing needs any more: {stale:?}");
}
