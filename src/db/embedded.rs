//! A private PostgreSQL run from the installed server binaries.
//!
//! `careergraph serve` without `DATABASE_URL` uses it, and so does the test
//! harness. The cluster lives in one directory (`initdb` on first start, the
//! same cluster on every later start) and listens only on a unix socket, so no
//! port is claimed and no other user on the machine can reach it. PostgreSQL
//! refuses to run as root, so under root the binaries run as the `postgres`
//! OS user.
//!
//! The server process is tied to ours: it is started from a supervisor thread
//! that lives exactly as long as the child, with a parent-death signal, so a
//! crash of careergraph never leaves an orphaned PostgreSQL behind.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::oneshot;

/// The superuser of every embedded cluster.
const SUPERUSER: &str = "postgres";
/// Only names the socket file (`.s.PGSQL.5432`); nothing listens on TCP.
const SOCKET_PORT: u16 = 5432;
/// Unix socket paths longer than this do not fit in `sockaddr_un`.
const MAX_SOCKET_PATH: usize = 100;
/// Overrides where the server binaries are looked for.
pub const BIN_DIR_ENV: &str = "CAREERGRAPH_POSTGRES_BIN_DIR";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries (initdb, postgres) found{searched}: install PostgreSQL \
         (e.g. `apt-get install postgresql`) or set DATABASE_URL to use an existing server"
    )]
    BinariesNotFound { searched: String },
    #[error("running as root, but there is no `postgres` OS user to run PostgreSQL as: create one or set DATABASE_URL")]
    NoPostgresUser,
    #[error("{path}: {message}")]
    DataDir { path: PathBuf, message: String },
    #[error("initdb failed: {0}")]
    Initdb(String),
    #[error("PostgreSQL did not start: {0}")]
    Start(String),
    #[error("could not create database {name}: {message}")]
    CreateDatabase { name: String, message: String },
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// How much the cluster may trade durability for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Normal PostgreSQL settings: the data survives power loss.
    Durable,
    /// fsync off: for throwaway test clusters only.
    Throwaway,
}

/// Where the server binaries are.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub initdb: PathBuf,
    pub postgres: PathBuf,
}

impl Binaries {
    /// `CAREERGRAPH_POSTGRES_BIN_DIR` if set; otherwise `PATH`, then the
    /// newest `/usr/lib/postgresql/*/bin` (Debian and Ubuntu keep them there).
    pub fn locate() -> Result<Self, EmbeddedError> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os(BIN_DIR_ENV) {
            candidates.push(PathBuf::from(dir));
        } else {
            if let Some(path) = std::env::var_os("PATH") {
                candidates.extend(std::env::split_paths(&path));
            }
            candidates.extend(versioned_dirs("/usr/lib/postgresql"));
            candidates.extend(versioned_dirs("/usr/local/pgsql"));
        }
        for dir in &candidates {
            let initdb = dir.join("initdb");
            let postgres = dir.join("postgres");
            if is_executable(&initdb) && is_executable(&postgres) {
                return Ok(Self { initdb, postgres });
            }
        }
        let searched = match std::env::var_os(BIN_DIR_ENV) {
            Some(dir) => format!(" in {} ({BIN_DIR_ENV})", PathBuf::from(dir).display()),
            None => " on PATH or under /usr/lib/postgresql/*/bin".to_owned(),
        };
        Err(EmbeddedError::BinariesNotFound { searched })
    }

    /// The major version these binaries write into `PG_VERSION`.
    fn major_version(&self) -> Result<String, EmbeddedError> {
        let output = Command::new(&self.postgres).arg("--version").output()?;
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        let text = String::from_utf8_lossy(&output.stdout);
        text.split_whitespace()
            .nth(2)
            .and_then(|version| version.split('.').next())
            .map(str::to_owned)
            .ok_or_else(|| EmbeddedError::Start(format!("unexpected `postgres --version` output: {text}")))
    }
}

/// `<root>/<version>/bin` for each version directory, newest first.
fn versioned_dirs(root: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    dirs.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    dirs.into_iter().map(|(_, dir)| dir).collect()
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The OS account the server runs as: ourselves, or `postgres` under root.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    switch_to: Option<(u32, u32)>,
}

impl RunAs {
    fn current() -> Result<Self, EmbeddedError> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Self { switch_to: None });
        }
        let name = c"postgres";
        // SAFETY: getpwnam reads a NUL-terminated name; the returned record is
        // copied out before any other call could overwrite it.
        let entry = unsafe { libc::getpwnam(name.as_ptr()) };
        if entry.is_null() {
            return Err(EmbeddedError::NoPostgresUser);
        }
        // SAFETY: entry is non-null and points at a valid passwd record.
        let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
        Ok(Self { switch_to: Some((uid, gid)) })
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command.env_remove("PGDATA").env("LC_ALL", "C").current_dir("/");
        if let Some((uid, gid)) = self.switch_to {
            command.uid(uid).gid(gid);
        }
        command
    }

    /// Hands a directory we created to the account that runs the server.
    fn give(&self, path: &Path, mode: u32) -> Result<(), EmbeddedError> {
        let data_dir_error =
            |err: io::Error| EmbeddedError::DataDir { path: path.to_owned(), message: err.to_string() };
        if let Some((uid, gid)) = self.switch_to {
            chown(path, Some(uid), Some(gid)).map_err(data_dir_error)?;
        }
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(data_dir_error)
    }
}

/// A running embedded PostgreSQL. Stop it with [`EmbeddedPostgres::stop`];
/// dropping it asks the server to shut down without waiting.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    pid: u32,
    exited: Option<oneshot::Receiver<io::Result<ExitStatus>>>,
}

impl EmbeddedPostgres {
    /// Starts (and on first use creates) the cluster in `cluster_dir`.
    /// Server output goes to `<cluster_dir>.log`.
    pub async fn start(cluster_dir: &Path, durability: Durability) -> Result<Self, EmbeddedError> {
        let cluster_dir = absolute(cluster_dir)?;
        let binaries = Binaries::locate()?;
        let run_as = RunAs::current()?;
        let (socket_dir, child) = {
            let cluster_dir = cluster_dir.clone();
            tokio::task::spawn_blocking(move || {
                prepare_cluster(&binaries, run_as, &cluster_dir)?;
                let socket_dir = prepare_socket_dir(&cluster_dir, run_as)?;
                clear_stale_lock(&cluster_dir)?;
                let child = spawn_server(&binaries, run_as, &cluster_dir, &socket_dir, durability)?;
                Ok::<_, EmbeddedError>((socket_dir, child))
            })
            .await
            .map_err(|err| EmbeddedError::Start(err.to_string()))??
        };
        let (pid, exited) = child;
        let mut server = Self { cluster_dir, socket_dir, pid, exited: Some(exited) };
        server.wait_until_accepting().await?;
        tracing::info!(cluster = %server.cluster_dir.display(), pid, "embedded PostgreSQL started");
        Ok(server)
    }

    /// The connection URL for `database` on this server.
    pub fn url(&self, database: &str) -> String {
        url_for_socket_dir(&self.socket_dir, database)
    }

    /// Creates `database` unless it exists.
    pub async fn ensure_database(&self, database: &str) -> Result<(), EmbeddedError> {
        use diesel_async::RunQueryDsl;
        let failed = |message: String| EmbeddedError::CreateDatabase { name: database.to_owned(), message };
        let mut conn =
            AsyncPgConnection::establish(&self.url("postgres")).await.map_err(|err| failed(err.to_string()))?;
        let exists: bool = diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Bool>("EXISTS (SELECT 1 FROM pg_database WHERE datname = ")
                .bind::<diesel::sql_types::Text, _>(database)
                .sql(")"),
        )
        .get_result(&mut conn)
        .await
        .map_err(|err| failed(err.to_string()))?;
        if !exists {
            diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(database)))
                .execute(&mut conn)
                .await
                .map_err(|err| failed(err.to_string()))?;
        }
        Ok(())
    }

    /// Fast shutdown (open sessions are ended, data is checkpointed), and
    /// waits for the server to exit.
    pub async fn stop(mut self) -> Result<(), EmbeddedError> {
        let Some(exited) = self.exited.take() else {
            return Ok(());
        };
        signal(self.pid, libc::SIGINT);
        let exited = match tokio::time::timeout(Duration::from_secs(60), exited).await {
            Ok(_) => true,
            Err(_) => {
                tracing::warn!(pid = self.pid, "embedded PostgreSQL ignored fast shutdown; forcing it");
                signal(self.pid, libc::SIGQUIT);
                false
            }
        };
        if exited {
            tracing::info!(pid = self.pid, "embedded PostgreSQL stopped");
        }
        Ok(())
    }

    async fn wait_until_accepting(&mut self) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = self.url("postgres");
        loop {
            if let Some(exited) = self.exited.as_mut()
                && let Ok(status) = exited.try_recv()
            {
                self.exited = None;
                let status = status.map(|s| s.to_string()).unwrap_or_else(|err| err.to_string());
                return Err(EmbeddedError::Start(format!(
                    "the server exited ({status}); its log says:\n{}",
                    log_tail(&log_path(&self.cluster_dir))
                )));
            }
            match AsyncPgConnection::establish(&url).await {
                Ok(_) => return Ok(()),
                Err(err) if Instant::now() > deadline => {
                    return Err(EmbeddedError::Start(format!(
                        "not accepting connections after 60s ({err}); its log says:\n{}",
                        log_tail(&log_path(&self.cluster_dir))
                    )));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if self.exited.is_some() {
            signal(self.pid, libc::SIGINT);
        }
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, signal) };
    }
}

fn absolute(path: &Path) -> Result<PathBuf, EmbeddedError> {
    std::path::absolute(path).map_err(|err| EmbeddedError::DataDir { path: path.to_owned(), message: err.to_string() })
}

fn log_path(cluster_dir: &Path) -> PathBuf {
    let mut name = cluster_dir.file_name().map(OsString::from).unwrap_or_else(|| "postgres".into());
    name.push(".log");
    cluster_dir.with_file_name(name)
}

/// The last lines of the server log, for error messages.
fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(path) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(4096)));
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the cluster on first use; checks an existing one belongs to these binaries.
fn prepare_cluster(binaries: &Binaries, run_as: RunAs, cluster_dir: &Path) -> Result<(), EmbeddedError> {
    let data_dir_error = |message: String| EmbeddedError::DataDir { path: cluster_dir.to_owned(), message };
    let version_file = cluster_dir.join("PG_VERSION");
    let wanted = binaries.major_version()?;
    if version_file.exists() {
        let found = fs::read_to_string(&version_file).map_err(|err| data_dir_error(err.to_string()))?;
        if found.trim() != wanted {
            return Err(data_dir_error(format!(
                "the cluster was made by PostgreSQL {}, but the binaries found are PostgreSQL {wanted}; \
                 use matching binaries ({BIN_DIR_ENV}) or move the directory away",
                found.trim()
            )));
        }
        return Ok(());
    }
    if let Some(parent) = cluster_dir.parent() {
        fs::create_dir_all(parent).map_err(|err| data_dir_error(err.to_string()))?;
    }
    match fs::read_dir(cluster_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(data_dir_error(
                    "exists, is not empty and holds no PostgreSQL cluster; move it away or choose another --data-dir"
                        .to_owned(),
                ));
            }
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fs::create_dir(cluster_dir).map_err(|err| data_dir_error(err.to_string()))?;
        }
        Err(err) => return Err(data_dir_error(err.to_string())),
    }
    run_as.give(cluster_dir, 0o700)?;
    let output = run_as
        .command(&binaries.initdb)
        .arg("--pgdata")
        .arg(cluster_dir)
        .args(["--username", SUPERUSER, "--auth", "trust", "--encoding", "UTF8", "--no-locale"])
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        let mut message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if run_as.switch_to.is_some() {
            message.push_str(&format!(
                " (initdb runs as the `postgres` OS user, which must be able to reach {}; \
                 choose a --data-dir it can reach)",
                cluster_dir.display()
            ));
        }
        return Err(EmbeddedError::Initdb(message));
    }
    tracing::info!(cluster = %cluster_dir.display(), "created a new PostgreSQL cluster");
    Ok(())
}

/// The connection URL for `database` on the embedded cluster in
/// `cluster_dir` (for `psql` and tools while careergraph runs it).
pub fn connection_url(cluster_dir: &Path, database: &str) -> String {
    url_for_socket_dir(&socket_dir(cluster_dir), database)
}

fn url_for_socket_dir(socket_dir: &Path, database: &str) -> String {
    format!("postgresql://{SUPERUSER}@localhost/{database}?host={}&port={SOCKET_PORT}", socket_dir.display())
}

/// The socket goes inside the cluster directory unless the path would be too
/// long for a unix socket; then into a private directory under /tmp.
fn socket_dir(cluster_dir: &Path) -> PathBuf {
    let socket_name_len = format!("/.s.PGSQL.{SOCKET_PORT}").len();
    if cluster_dir.as_os_str().len() + socket_name_len <= MAX_SOCKET_PATH {
        return cluster_dir.to_owned();
    }
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    cluster_dir.hash(&mut hasher);
    std::env::temp_dir().join(format!("careergraph-pg-{:016x}", hasher.finish()))
}

fn prepare_socket_dir(cluster_dir: &Path, run_as: RunAs) -> Result<PathBuf, EmbeddedError> {
    let dir = socket_dir(cluster_dir);
    if dir != cluster_dir {
        fs::create_dir_all(&dir)?;
        run_as.give(&dir, 0o700)?;
    }
    Ok(dir)
}

/// A `postmaster.pid` left by a crash must not block the start: PostgreSQL
/// itself refuses when the recorded pid now belongs to another live process.
/// A PostgreSQL still serving this cluster (an earlier careergraph killed
/// before it could stop it) is shut down first.
fn clear_stale_lock(cluster_dir: &Path) -> Result<(), EmbeddedError> {
    let lock = cluster_dir.join("postmaster.pid");
    let Ok(contents) = fs::read_to_string(&lock) else {
        return Ok(());
    };
    let pid = contents.lines().next().and_then(|line| line.trim().parse::<libc::pid_t>().ok());
    if let Some(pid) = pid.filter(|&pid| pid > 0)
        && is_postgres_for(pid, cluster_dir)
    {
        tracing::warn!(pid, "a PostgreSQL from an earlier run still serves this cluster; stopping it");
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(60);
        while process_alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if !process_alive(pid) {
            return Ok(());
        }
        return Err(EmbeddedError::Start(format!("PostgreSQL (pid {pid}) from an earlier run does not stop")));
    }
    tracing::info!("removing a stale postmaster.pid left by a crash");
    fs::remove_file(&lock).map_err(|err| EmbeddedError::DataDir { path: lock, message: err.to_string() })
}

fn process_alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 || *libc::__errno_location() == libc::EPERM }
}

/// Whether `pid` is a live PostgreSQL postmaster serving `cluster_dir`.
fn is_postgres_for(pid: libc::pid_t, cluster_dir: &Path) -> bool {
    let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let is_postgres = args.first().is_some_and(|program| program.ends_with(b"postgres"));
    is_postgres && args.contains(&cluster_dir.as_os_str().as_encoded_bytes())
}

type Child = (u32, oneshot::Receiver<io::Result<ExitStatus>>);

/// Starts `postgres` from a supervisor thread that waits on it: the thread
/// lives as long as the child, which gets SIGINT (fast shutdown) if our
/// process dies first.
fn spawn_server(
    binaries: &Binaries,
    run_as: RunAs,
    cluster_dir: &Path,
    socket_dir: &Path,
    durability: Durability,
) -> Result<Child, EmbeddedError> {
    let log = fs::OpenOptions::new().create(true).append(true).open(log_path(cluster_dir))?;
    let mut command = run_as.command(&binaries.postgres);
    command
        .arg("-D")
        .arg(cluster_dir)
        .args(["-c", "listen_addresses="])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", socket_dir.display()))
        .args(["-c", &format!("port={SOCKET_PORT}")])
        .args(["-c", "max_connections=200"])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        // Ctrl-C in a terminal reaches careergraph only; it stops the server
        // after in-flight requests are done.
        .process_group(0);
    if durability == Durability::Throwaway {
        for setting in ["fsync=off", "synchronous_commit=off", "full_page_writes=off"] {
            command.args(["-c", setting]);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: the closure only calls prctl, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }

    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (exited_tx, exited_rx) = oneshot::channel();
    std::thread::Builder::new().name("postgres-supervisor".into()).spawn(move || match command.spawn() {
        Ok(mut child) => {
            let _ = started_tx.send(Ok(child.id()));
            let _ = exited_tx.send(child.wait());
        }
        Err(err) => {
            let _ = started_tx.send(Err(err));
        }
    })?;
    let pid = started_rx
        .recv()
        .map_err(|_| EmbeddedError::Start("the supervisor thread died".into()))?
        .map_err(|err| EmbeddedError::Start(format!("could not run {}: {err}", binaries.postgres.display())))?;
    Ok((pid, exited_rx))
}
