//! The real `careergraph serve` binary as a child process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `careergraph serve`, on a free loopback port.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    /// Every log line it wrote to stderr so far.
    pub logs: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl ServerProcess {
    /// Starts the binary with `data_dir` (and `database_url`, else its
    /// embedded PostgreSQL), JSON logs at `RUST_LOG=info`, and waits until it
    /// says where it listens.
    pub fn start(data_dir: &Path, database_url: Option<&str>) -> Self {
        Self::start_with(data_dir, database_url, &[])
    }

    /// [`Self::start`] with extra environment variables (flags' twins).
    pub fn start_with(data_dir: &Path, database_url: Option<&str>, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_careergraph"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .env_remove("CAREERGRAPH_JWT_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match database_url {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        command.envs(env.iter().copied());
        let mut child = command.spawn().expect("starting careergraph");
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let collected = logs.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) =
                    serde_json::from_str::<Value>(&line).ok().and_then(|v| v["address"].as_str().map(str::to_owned))
                {
                    let _ = address_tx.send(Ok(address));
                }
                collected.lock().unwrap().push(line);
            }
            let _ = address_tx.send(Err("the server exited before listening".to_owned()));
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(address)) => address,
            outcome => panic!("the server did not start ({outcome:?}); its log:\n{}", logs.lock().unwrap().join("\n")),
        };
        Self { child, base_url: format!("http://{address}"), logs, reader: Some(reader) }
    }

    /// The process's resident memory, from /proc.
    pub fn resident_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        let kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmRSS in /proc status");
        kib * 1024
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
    }

    /// Sends `signal` and waits for the process to exit.
    pub fn stop_with(self, signal: libc::c_int) -> ExitStatus {
        self.signal(signal);
        self.wait()
    }

    /// Waits for the process to exit and for its last log lines to be read.
    pub fn wait(mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within 60s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a server answered a GraphQL POST: status, headers and JSON body
/// (`Value::Null` when the body is not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// POSTs a GraphQL request to the server at `base_url`, with
/// `Authorization: Bearer <token>` when a token is given.
pub async fn post_graphql(
    client: &reqwest::Client,
    base_url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Answer {
    let mut request =
        client.post(format!("{base_url}/graphql")).json(&serde_json::json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST /graphql");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, headers, body }
}

/// Runs `careergraph serve` with `env` (flags' twins) and no log, to its
/// exit: for start-ups that must fail.
pub async fn failed_start(data_dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_careergraph"));
    command.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data_dir).env("RUST_LOG", "off");
    command.env_remove("DATABASE_DIRECT_URL").envs(env.iter().copied());
    let output = tokio::task::spawn_blocking(move || command.output().expect("running careergraph")).await.unwrap();
    assert!(!output.status.success(), "the server started: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Registers an account with `role` at the server at `base_url`; returns
/// its access token.
pub async fn register_at(client: &reqwest::Client, base_url: &str, email: &str, role: &str) -> String {
    let answer = post_graphql(
        client,
        base_url,
        None,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
        serde_json::json!({ "input": { "email": email, "password": super::PASSWORD, "fullName": email, "role": role } }),
    )
    .await;
    let body = answer.body;
    body["data"]["register"]["accessToken"].as_str().unwrap_or_else(|| panic!("registration failed: {body}")).to_owned()
}
