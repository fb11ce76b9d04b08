//! The binary as a user runs it: `careergraph serve` with no DATABASE_URL
//! starts its own PostgreSQL, reuses it on the next start, stops it on
//! shutdown, survives a crash; `careergraph migrate` fills an empty database.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use careergraph::db::embedded;
use careergraph::graphql::ids;
use careergraph::schema::companies;
use common::{TempDir, TestDb};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

/// A `careergraph serve` child process.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    /// Starts the binary on a free port with `data_dir` and waits until it
    /// says where it listens.
    fn start(data_dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_careergraph"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
            .arg(data_dir)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting careergraph");
        let stderr = child.stderr.take().unwrap();
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let address =
                    serde_json::from_str::<Value>(&line).ok().and_then(|v| v["address"].as_str().map(str::to_owned));
                match address {
                    Some(address) => {
                        let _ = address_tx.send(Ok(address));
                    }
                    None => eprintln!("server: {line}"),
                }
            }
            let _ = address_tx.send(Err("the server exited before listening".to_owned()));
        });
        let address = address_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("no listening address within 120s")
            .unwrap_or_else(|err| panic!("{err}"));
        Self { child, base_url: format!("http://{address}") }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
    }

    /// Sends `signal` and waits for the process to exit.
    fn stop_with(self, signal: libc::c_int) -> std::process::ExitStatus {
        self.signal(signal);
        self.wait()
    }

    fn wait(mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within 60s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

async fn ready(client: &reqwest::Client, server: &Server) -> u16 {
    client.get(format!("{}/health/ready", server.base_url)).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn serve_runs_its_own_postgres_reuses_the_data_and_stops_it() {
    let data = TempDir::new("serve");
    let cluster = data.path().join("postgres");
    let client = reqwest::Client::new();

    // First start: initdb, migrations, serving.
    let first = Server::start(data.path());
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
    let second = Server::start(data.path());
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
    let third = Server::start(data.path());
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
    assert_eq!(tables.count, 20);
}
