//! The test harness: one throwaway PostgreSQL per test binary (or the server
//! at `TEST_DATABASE_URL`), one migrated template database, and a fresh
//! database cloned from it for every test, served by the real router over
//! real HTTP.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod pgbouncer;
pub mod replica;
pub mod server;
pub mod ws;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use careergraph::auth::Auth;
use careergraph::config::ServerArgs;
use careergraph::db::embedded::{Durability, EmbeddedPostgres};
use careergraph::db::{self, Pool, migrations};
use careergraph::http::{self, AppState};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

/// The secret test servers sign access tokens with, so tests can forge tokens.
pub const JWT_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// The PostgreSQL server the tests of this binary use.
struct Cluster {
    /// URL of the server with `{db}` where the database name goes.
    url_pattern: String,
    template: String,
    /// Kept alive for the whole test binary; it dies with the process.
    _embedded: Option<EmbeddedPostgres>,
    _dir: Option<TempDir>,
}

impl Cluster {
    fn url(&self, database: &str) -> String {
        self.url_pattern.replace("{db}", database)
    }

    /// Where the server is and who to log in as, for tools that take them
    /// apart (PgBouncer): the embedded cluster's socket URL
    /// (`postgresql://user@localhost/{db}?host=/dir&port=5432`) or a
    /// `postgres://user:password@host:port/{db}` TEST_DATABASE_URL.
    fn connection_parts(&self) -> ConnectionParts {
        let (_, rest) = self.url_pattern.split_once("://").expect("a postgres URL");
        let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("postgres", authority));
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user.to_owned(), Some(password.to_owned())),
            None => (userinfo.to_owned(), None),
        };
        let param = |name: &str| {
            tail.split_once('?').and_then(|(_, query)| {
                query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
            })
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), port.to_owned()),
            None => (hostport.to_owned(), "5432".to_owned()),
        };
        ConnectionParts { host: param("host").unwrap_or(host), port: param("port").unwrap_or(port), user, password }
    }
}

/// The test server's address and login, taken apart.
struct ConnectionParts {
    host: String,
    port: String,
    user: String,
    password: Option<String>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        // Started on its own runtime: each test has a runtime of its own, and
        // the cluster must outlive all of them.
        std::thread::spawn(|| block_on(start_cluster())).join().expect("test cluster thread panicked")
    })
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(future)
}

async fn start_cluster() -> Cluster {
    let (url_pattern, embedded, dir) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => (with_database(&url, "{db}"), None, None),
        _ => {
            sweep_stale_dirs();
            let dir = TempDir::new("cluster");
            let server = EmbeddedPostgres::start(&dir.path().join("postgres"), Durability::Throwaway)
                .await
                .unwrap_or_else(|err| panic!("cannot start the test PostgreSQL: {err}"));
            (server.url("{db}"), Some(server), Some(dir))
        }
    };
    let mut cluster = Cluster { url_pattern, template: String::new(), _embedded: embedded, _dir: dir };
    cluster.template = prepare_template(&cluster).await;
    cluster
}

/// Migrates a template database once; its name carries the migration set,
/// so a server shared across runs (TEST_DATABASE_URL) reuses it safely.
async fn prepare_template(cluster: &Cluster) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    migrations::embedded_versions().hash(&mut hasher);
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")).unwrap() {
        let dir = entry.unwrap().path();
        std::fs::read_to_string(dir.join("up.sql")).unwrap_or_default().hash(&mut hasher);
    }
    let template = format!("careergraph_template_{:016x}", hasher.finish());
    let mut admin = admin_connection(cluster).await;
    if database_exists(&mut admin, &template).await {
        return template;
    }
    // Build under a private name and rename, so concurrent test binaries
    // never clone a half-migrated template.
    let building = format!("{template}_{}", std::process::id());
    execute(&mut admin, &format!("DROP DATABASE IF EXISTS \"{building}\"")).await;
    execute(&mut admin, &format!("CREATE DATABASE \"{building}\"")).await;
    migrations::run_pending(&cluster.url(&building)).await.expect("migrating the template");
    let renamed =
        diesel::sql_query(format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"")).execute(&mut admin).await;
    if renamed.is_err() {
        execute(&mut admin, &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)")).await;
    }
    template
}

async fn admin_connection(cluster: &Cluster) -> AsyncPgConnection {
    AsyncPgConnection::establish(&cluster.url("postgres")).await.expect("connecting to the test server")
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::select(
        diesel::dsl::sql::<diesel::sql_types::Bool>("EXISTS (SELECT 1 FROM pg_database WHERE datname = ")
            .bind::<diesel::sql_types::Text, _>(name)
            .sql(")"),
    )
    .get_result(conn)
    .await
    .expect("querying pg_database")
}

async fn execute(conn: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql).execute(conn).await.unwrap_or_else(|err| panic!("{sql}: {err}"));
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("TEST_DATABASE_URL must be a postgres:// URL");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map(|at| &tail[at..]).unwrap_or("");
    format!("{scheme}://{authority}/{database}{query}")
}

/// A database of its own for one test; dropped when the value is.
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// Whether it lives in the test cluster, to be dropped with this value.
    owned: bool,
}

impl TestDb {
    /// A copy of the migrated template.
    pub async fn migrated() -> Self {
        let cluster = cluster();
        Self::create(&format!("TEMPLATE \"{}\"", cluster.template)).await
    }

    /// An empty database: no migrations applied.
    pub async fn empty() -> Self {
        Self::create("").await
    }

    async fn create(options: &str) -> Self {
        let cluster = cluster();
        let name = format!("test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = admin_connection(cluster).await;
        execute(&mut admin, &format!("CREATE DATABASE \"{name}\" {options}")).await;
        Self { url: cluster.url(&name), name, owned: true }
    }

    /// A database outside the test cluster (a test's own primary), left
    /// alone when dropped.
    pub fn elsewhere(url: &str) -> Self {
        Self { name: String::new(), url: url.to_owned(), owned: false }
    }

    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.expect("connecting to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            block_on(async {
                let mut admin = admin_connection(cluster()).await;
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            })
        })
        .join();
    }
}

/// A careergraph server on a free loopback port, over its own database.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(ServerArgs::default()).await
    }

    pub async fn spawn_with(config: ServerArgs) -> Self {
        Self::serve(TestDb::migrated().await, config).await
    }

    /// Serves the real router over `db`.
    pub async fn serve(db: TestDb, config: ServerArgs) -> Self {
        let base_url = serve_router(&db.url, &config).await;
        let pool = db::build_pool(&db.url, 4).expect("pool");
        Self { base_url, client: reqwest::Client::new(), pool, db }
    }

    /// A handle on a server already running at `base_url` over `db` (a
    /// `careergraph serve` process), so the helpers here can drive it.
    pub fn at(base_url: &str, db: TestDb) -> Self {
        let pool = db::build_pool(&db.url, 2).expect("pool");
        Self { base_url: base_url.to_owned(), client: reqwest::Client::new(), pool, db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// POSTs a GraphQL request and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// POSTs a GraphQL request with `Authorization: Bearer <token>` when a
    /// token is given, and returns the JSON body.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post_graphql(token, &json!({ "query": query, "variables": variables })).await
    }

    /// POSTs a whole GraphQL request body (e.g. with an `operationName`),
    /// as `graphql_as` does.
    pub async fn post_graphql(&self, token: Option<&str>, body: &Value) -> Value {
        let mut request = self.client.post(self.url("/graphql")).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /graphql");
        assert!(response.status().is_success(), "POST /graphql answered {}", response.status());
        response.json().await.expect("a JSON body")
    }
}

/// Claims for an unknown candidate whose token expires `secs` from now
/// (in the past when negative).
pub fn claims_expiring_in(secs: i64) -> careergraph::auth::tokens::Claims {
    let now = chrono::Utc::now().timestamp();
    careergraph::auth::tokens::Claims {
        sub: uuid::Uuid::now_v7(),
        role: careergraph::auth::Role::Candidate,
        sid: uuid::Uuid::now_v7(),
        iat: now.min(now + secs) - 1,
        exp: now + secs,
        jti: uuid::Uuid::now_v7(),
        iss: "careergraph".to_owned(),
    }
}

/// `claims` signed with the key test servers verify with.
pub fn signed_token(claims: &careergraph::auth::tokens::Claims) -> String {
    careergraph::auth::tokens::TokenKeys::from_secret(JWT_SECRET).sign(claims)
}

/// The password test accounts are registered with.
pub const PASSWORD: &str = "correct horse battery staple";

/// Registers an account named after `email`; returns its access token.
pub async fn sign_up(app: &TestApp, email: &str) -> String {
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": email, "password": PASSWORD, "fullName": email } }),
        )
        .await;
    body["data"]["register"]["accessToken"].as_str().unwrap_or_else(|| panic!("registration failed: {body}")).to_owned()
}

/// Registers a recruiter account; returns its access token.
pub async fn recruiter(app: &TestApp, email: &str) -> String {
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": email, "password": PASSWORD, "fullName": "Rita Recruiter", "role": "RECRUITER" } }),
        )
        .await;
    body["data"]["register"]["accessToken"].as_str().unwrap_or_else(|| panic!("registration failed: {body}")).to_owned()
}

/// A server that reports each request's statement count, with the
/// production settings: its loaders batch without a timer, so counts reflect
/// how the queries are built, not the scheduler.
pub async fn counted_app() -> TestApp {
    TestApp::spawn_with(ServerArgs { debug_sql_count: true, ..ServerArgs::default() }).await
}

/// Serves the real router over `database_url` on a free port; returns its base URL.
pub async fn serve_router(database_url: &str, config: &ServerArgs) -> String {
    let pool = db::build_pool(database_url, 4).expect("pool");
    // The text worker on a pool of its own, so the app's pool metrics are the requests' alone.
    let worker_pool = db::build_pool(database_url, 1).expect("pool");
    careergraph::documents::extract::spawn_worker(worker_pool, std::time::Duration::from_secs(1));
    let state = AppState::new(pool, Auth::new(JWT_SECRET))
        .with_persisted_queries(http::PersistedQueries::configured(config).expect("the persisted query file"))
        .with_sql_count(config.debug_sql_count)
        .with_batch_window(config.loader_batch_window())
        .with_limits(config.query_limits())
        .with_slow_operation(config.slow_operation())
        .with_demo_logins(if config.demo { careergraph::demo::logins() } else { Vec::new() })
        .with_events(careergraph::live::EventHub::listen(database_url.to_owned()));
    let router = http::router(state, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(http::serve(listener, router, std::future::pending(), std::time::Duration::from_secs(1)));
    format!("http://{address}")
}

/// Signs in as a demo account (`careergraph::demo`) and returns its token.
pub async fn demo_login(app: &TestApp, email: &str) -> String {
    login(app, email, careergraph::demo::DEMO_PASSWORD).await
}

/// Signs in with `password` and returns the access token.
pub async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let body = app
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken userErrors { code } } }",
            json!({ "input": { "email": email, "password": password } }),
        )
        .await;
    body["data"]["login"]["accessToken"].as_str().unwrap_or_else(|| panic!("{email}: {body}")).to_owned()
}

/// An open job at Acme posted by the recruiter with `token`; its id.
pub async fn post_open_job(app: &TestApp, token: &str, title: &str) -> String {
    let posted = app
        .graphql_as(
            Some(token),
            "mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } userErrors { message } } }",
            json!({ "input": { "title": title, "description": "d", "companyName": "Acme", "status": "OPEN" } }),
        )
        .await;
    posted["data"]["createJob"]["job"]["id"].as_str().unwrap_or_else(|| panic!("{posted}")).to_owned()
}

/// The candidate with `token` applies to `job`; panics on any error.
pub async fn apply_to(app: &TestApp, token: &str, job: &str) {
    let applied = app
        .graphql_as(
            Some(token),
            "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } } }",
            json!({ "input": { "jobId": job } }),
        )
        .await;
    assert!(applied.get("errors").is_none(), "{applied}");
}

/// tests/clients: the npm packages the client tooling and browser tests run.
pub fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Installs tests/clients' pinned packages when any is missing.
pub async fn install_clients() {
    npm_ci(&clients_dir(), &["graphql-http", "@graphql-codegen/cli", "graphql-ws", "ws", "puppeteer-core"]).await;
}

/// `npm ci` in `dir` (from its lock file) unless `packages` are all there.
pub async fn npm_ci(dir: &Path, packages: &[&str]) {
    let installed = packages.iter().all(|package| dir.join("node_modules").join(package).join("package.json").exists());
    if installed {
        return;
    }
    let output = tokio::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .output()
        .await
        .expect("npm (Node.js) is needed for the client tooling tests");
    assert!(output.status.success(), "npm ci in {} failed: {}", dir.display(), String::from_utf8_lossy(&output.stderr));
}

/// The `extensions.code` of every error in a GraphQL response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("<none>").to_owned()).collect())
        .unwrap_or_default()
}

/// A directory under the system temp dir, removed when dropped. It is
/// world-traversable so the `postgres` OS user can reach a cluster in it
/// when the tests run as root.
pub struct TempDir(PathBuf);

const TEMP_PREFIX: &str = "careergraph-test-";

impl TempDir {
    pub fn new(label: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!(
            "{TEMP_PREFIX}{}-{label}-{}",
            std::process::id(),
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&path).expect("creating a temp dir");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes temp dirs left by test processes that are gone (the cluster of a
/// test binary is never dropped: it dies with the process).
fn sweep_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(TEMP_PREFIX).and_then(|rest| rest.split('-').next()) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Waits until the server at `base_url` counts `count` live subscriptions,
/// so an event written next is not raced past them.
pub async fn await_subscriptions(base_url: &str, count: usize) {
    let client = reqwest::Client::new();
    let mut live = None;
    for _ in 0..200 {
        let page = client.get(format!("{base_url}/metrics")).send().await.unwrap().text().await.unwrap();
        live = page
            .lines()
            .find_map(|line| line.strip_prefix("careergraph_subscriptions_active "))
            .and_then(|value| value.parse::<usize>().ok());
        if live == Some(count) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the server never counted {count} subscriptions (last: {live:?})");
}

/// The single `bigint` that `sql` (a parenthesised subquery) selects.
pub async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(sql))
        .get_result(conn)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
}

/// Waits until some backend of `conn`'s database is blocked on a lock (a
/// request the test holds with `LOCK TABLE`); panics after 10 s.
pub async fn await_lock_waiter(conn: &mut AsyncPgConnection) {
    let started = std::time::Instant::now();
    while count(
        conn,
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')",
    )
    .await
        == 0
    {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "no request reached the held lock");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// PostgreSQL and PgBouncer refuse to run as root: when the tests do, the
/// command runs as the `postgres` OS user, which is given `dir`.
pub fn run_as_postgres_when_root(command: &mut std::process::Command, dir: &Path) {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions; getpwnam reads a static entry.
    unsafe {
        if libc::geteuid() != 0 {
            return;
        }
        let entry = libc::getpwnam(c"postgres".as_ptr());
        assert!(!entry.is_null(), "running as root, but there is no postgres OS user to run PostgreSQL tools as");
        let (uid, gid) = ((*entry).pw_uid, (*entry).pw_gid);
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap();
        command.uid(uid).gid(gid);
    }
}
