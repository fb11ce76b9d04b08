//! A real PgBouncer (Debian's `pgbouncer`) in front of the test cluster, on
//! a free loopback port, with a pool small enough that client connections
//! keep trading server connections.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{TempDir, cluster, run_as_postgres_when_root};

/// PgBouncer's `pool_mode`.
#[derive(Debug, Clone, Copy)]
pub enum PoolMode {
    Session,
    Transaction,
}

/// A running PgBouncer; stopped when dropped.
pub struct PgBouncer {
    child: Child,
    port: u16,
    user: String,
    dir: TempDir,
}

/// Server connections PgBouncer keeps per database and user: fewer than the
/// server's own pool, so server connections are shared.
const SERVER_POOL: usize = 2;

impl PgBouncer {
    /// PgBouncer in `mode` in front of the test cluster, accepting every
    /// database on it.
    pub fn start(mode: PoolMode) -> Self {
        let target = cluster().connection_parts();
        let dir = TempDir::new("pgbouncer");
        let port = free_port();
        let mode = match mode {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
        };
        let mut server = format!("host={} port={} user={}", target.host, target.port, target.user);
        if let Some(password) = &target.password {
            server.push_str(&format!(" password={password}"));
        }
        let config = format!(
            "[databases]\n* = {server}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = trust\nauth_file = {users}\npool_mode = {mode}\n\
             default_pool_size = {SERVER_POOL}\nmax_client_conn = 1000\n\
             ignore_startup_parameters = extra_float_digits,options\nlogfile = {log}\n",
            users = dir.path().join("users.txt").display(),
            log = dir.path().join("pgbouncer.log").display(),
        );
        std::fs::write(dir.path().join("users.txt"), format!("\"{}\" \"\"\n", target.user)).unwrap();
        let config_path = dir.path().join("pgbouncer.ini");
        std::fs::write(&config_path, config).unwrap();
        let mut command = Command::new(binary());
        command.arg(&config_path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        run_as_postgres_when_root(&mut command, dir.path());
        // SAFETY: prctl only asks the kernel to end the child with us.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().expect("starting pgbouncer");
        let bouncer = Self { child, port, user: target.user, dir };
        bouncer.await_listening();
        bouncer
    }

    /// The URL of `database` through this PgBouncer.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{}@127.0.0.1:{}/{database}", self.user, self.port)
    }

    /// PgBouncer's own log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pgbouncer.log")).unwrap_or_default()
    }

    fn await_listening(&self) {
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "pgbouncer did not start: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pgbouncer` on PATH, else where Debian installs it (`/usr/sbin`, which is
/// not on every user's PATH).
fn binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join("pgbouncer")).find(|p| p.is_file()));
    on_path.flatten().unwrap_or_else(|| {
        let debian = PathBuf::from("/usr/sbin/pgbouncer");
        assert!(debian.is_file(), "pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)");
        debian
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
