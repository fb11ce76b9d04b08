//! The binary as a user runs it: `careergraph serve` with no DATABASE_URL
//! starts its own PostgreSQL, reuses it on the next start, stops it on
//! shutdown, survives a crash; `careergraph migrate` fills an empty database.

use crate::common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use careergraph::db::embedded;
use careergraph::db::tables::companies;
use careergraph::graphql::ids;
use common::server::ServerProcess;
use common::{TempDir, TestDb};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn wait_until_gone(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while process_alive(pid) {
        assert!(Instant::now() < deadline, "PostgreSQL (pid {pid}) still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn postmaster_pid(cluster: &Path) -> i32 {
    let text = std::fs::read_to_string(cluster.join("postmaster.pid")).expect("postmaster.pid while serving");
    text.lines().next().unwrap().trim().parse().unwrap()
}

async fn ready(client: &reqwest::Client, server: &ServerProcess) -> u16 {
    client.get(format!("{}/health/ready", server.base_url)).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn serve_runs_its_own_postgres_reuses_the_data_and_stops_it() {
    let data = TempDir::new("serve");
    let cluster = data.path().join("postgres");
    let client = reqwest::Client::new();

    // First start: initdb, migrations, serving.
    let first = ServerProcess::start(data.path(), None);
    assert_eq!(ready(&client, &first).await, 200);
    assert!(cluster.join("PG_VERSION").exists(), "no cluster in <data-dir>/postgres");
    let postgres = postmaster_pid(&cluster);
    let mut conn = AsyncPgConnection::establish(&embedded::connection_url(&cluster, "careergraph")).await.unwrap();
    let company = uuid::Uuid::now_v7();
    diesel::insert_into(companies::table)
        .values((companies::id.eq(company), companies::name.eq("Persisted Inc")))
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    // SIGTERM while a request is in flight: the request still completes,
    // then the server exits cleanly and takes its PostgreSQL with it.
    let body = br#"{"query":"{ __typename }"}"#;
    let mut in_flight = std::net::TcpStream::connect(first.base_url.trim_start_matches("http://")).unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).unwrap();
    in_flight.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    first.signal(libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    in_flight.write_all(&body[10..]).unwrap();
    in_flight.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = String::new();
    let _ = in_flight.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "in-flight request was not finished: {answer:?}");
    assert!(answer.contains(r#"{"data":{"__typename":"Query"}}"#), "{answer}");
    let status = first.wait();
    assert!(status.success(), "exit status {status}");
    wait_until_gone(postgres);
    assert!(!cluster.join("postmaster.pid").exists(), "PostgreSQL did not shut down cleanly");

    // A crash can leave a postmaster.pid whose pid now belongs to another
    // live process (here: this test); it must not block the next start.
    std::fs::write(cluster.join("postmaster.pid"), format!("{}\n{}\n", std::process::id(), cluster.display())).unwrap();

    // Second start: same cluster, same data.
    let second = ServerProcess::start(data.path(), None);
    assert_eq!(ready(&client, &second).await, 200);
    let body: Value = client
        .post(format!("{}/graphql", second.base_url))
        .json(&json!({
            "query": "query($id: ID!) { node(id: $id) { ... on Company { name } } }",
            "variables": { "id": ids::encode("Company", company) },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["node"]["name"], "Persisted Inc", "{body}");

    // A crash (SIGKILL) of careergraph still stops its PostgreSQL…
    let postgres = postmaster_pid(&cluster);
    let status = second.stop_with(libc::SIGKILL);
    assert!(!status.success());
    wait_until_gone(postgres);

    // …and the next start recovers.
    let third = ServerProcess::start(data.path(), None);
    assert_eq!(ready(&client, &third).await, 200);
    let postgres = postmaster_pid(&cluster);
    assert!(third.stop_with(libc::SIGINT).success());
    wait_until_gone(postgres);
}

#[test]
fn serve_without_postgres_binaries_names_the_fix_and_fails() {
    let data = TempDir::new("nobin");
    let empty_bin = data.path().join("bin");
    std::fs::create_dir(&empty_bin).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_careergraph"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env_remove("DATABASE_URL")
        .env(embedded::BIN_DIR_ENV, &empty_bin)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].contains("install PostgreSQL"), "{stderr}");
    assert!(lines[0].contains("DATABASE_URL"), "{stderr}");
}

#[tokio::test]
async fn migrate_fills_an_empty_database_given_by_url() {
    let db = TestDb::empty().await;
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_careergraph"))
            .arg("migrate")
            .env("DATABASE_URL", &db.url)
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let mut conn = db.connect().await;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let tables = diesel::sql_query(
        "SELECT count(*) AS count FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables.count, 27);
}
