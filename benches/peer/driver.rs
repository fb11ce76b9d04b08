//! The side-by-side benchmark's driver: careergraph and PostGraphile 5 on one
//! database, started by `benches/peer/run.sh`, which passes their addresses
//! and process ids. It prepares the pages (a candidate with 50 applications,
//! a job with 50 applicants), checks that both servers answer every
//! operation with the same rows, runs the operations interleaved at each
//! concurrency, and prints one markdown table with the ratios, statements
//! per request (pg_stat_statements, by database role), CPU per request and
//! peak resident memory. `--pgbench` also replays the SQL careergraph issued
//! for each operation through pgbench at the same concurrency.

mod instructions;
#[path = "../../examples/support/mod.rs"]
mod support;

use support::login;

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Parser)]
struct Args {
    /// careergraph's base URL.
    #[arg(long)]
    careergraph: String,
    /// careergraph's process id (for CPU time and resident memory).
    #[arg(long)]
    careergraph_pid: u32,
    /// PostGraphile's base URL.
    #[arg(long)]
    postgraphile: String,
    /// PostGraphile's process id.
    #[arg(long)]
    postgraphile_pid: u32,
    /// The database both servers use, as a superuser (to read and reset
    /// pg_stat_statements and to log statements for --pgbench).
    #[arg(long)]
    database_url: String,
    /// The seeded accounts' password.
    #[arg(long, default_value = careergraph::demo::DEMO_PASSWORD)]
    password: String,
    /// Seconds each measured run lasts.
    #[arg(long, default_value_t = 6)]
    seconds: u64,
    /// Runs per server, operation and concurrency, interleaved; the best is kept.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Requests in flight, comma-separated.
    #[arg(long, default_value = "1,8,32", value_delimiter = ',')]
    concurrency: Vec<usize>,
    /// Run only the operations whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Also run pgbench over the SQL careergraph issued for each operation.
    #[arg(long)]
    pgbench: bool,
    /// The pgbench binary.
    #[arg(long, default_value = "pgbench")]
    pgbench_bin: PathBuf,
    /// PostgreSQL's log file (the statements of one request are read from it).
    #[arg(long)]
    postgres_log: Option<PathBuf>,
    /// Where the pgbench scripts are written.
    #[arg(long, default_value = "/tmp/careergraph-peer-bench/pgbench")]
    pgbench_dir: PathBuf,
    /// Instead of the timed runs, count careergraph's instructions per
    /// request over this many requests of each operation, sent one at a time
    /// (careergraph must run under callgrind: `run.sh --instructions N`).
    #[arg(long)]
    instructions: Option<usize>,
    /// Callgrind's output file for --instructions (its dumps are `<file>.<n>`).
    #[arg(long)]
    callgrind_out: Option<PathBuf>,
}

/// The database roles the two servers connect as, so pg_stat_statements
/// tells their statements apart (benches/peer/run.sh creates them).
const CAREERGRAPH_ROLE: &str = "careergraph";
const POSTGRAPHILE_ROLE: &str = "postgraphile";
/// Rows on every list page.
const PAGE: i64 = 50;

#[derive(Clone, Copy, PartialEq)]
enum Server {
    Careergraph,
    Postgraphile,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Careergraph => "careergraph",
            Server::Postgraphile => "PostGraphile",
        }
    }
}

/// One operation as each server spells it. Aliases make both answers the
/// same JSON, so the rows can be compared as they are.
struct Operation {
    name: &'static str,
    /// Whether it is the single-row lookup (its goal at 1 in flight is the
    /// distance to `{ __typename }`, not a ratio).
    lookup: bool,
    /// How deep its rows nest (the root's rows are level 1): the most
    /// statements a request of it may run.
    levels: usize,
    careergraph: Request,
    postgraphile: Request,
}

#[derive(Clone)]
struct Request {
    body: Arc<Vec<u8>>,
    token: Option<Arc<str>>,
}

impl Request {
    fn new(query: &str, variables: Value, token: Option<&str>) -> Self {
        let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap_or_default();
        Request { body: Arc::new(body), token: token.map(Arc::from) }
    }
}

/// The subjects of the pages, found (and filled up to a page) in the data.
struct Subjects {
    candidate_id: Uuid,
    candidate_email: String,
    recruiter_email: String,
    job_id: Uuid,
}

#[derive(QueryableByName)]
struct Subject {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Picks the first generated candidate and the newest open job, and gives
/// each a full page: 50 fresh applications with a three-step timeline for the
/// candidate, 50 fresh applicants with a resume version for the job. Runs
/// once per database; later runs find the pages full.
async fn prepare(conn: &mut AsyncPgConnection) -> Result<Subjects, String> {
    let candidate: Subject = diesel::sql_query(
        "SELECT id, email FROM users WHERE role = 'CANDIDATE' AND email LIKE 'bench-%' ORDER BY email LIMIT 1",
    )
    .get_result(conn)
    .await
    .map_err(|e| format!("no generated candidate (seed with --users first): {e}"))?;
    let job: Subject = diesel::sql_query(
        "SELECT j.id, u.email FROM jobs j JOIN users u ON u.id = j.posted_by_id
         WHERE j.status = 'OPEN' AND j.deleted_at IS NULL ORDER BY j.posted_at DESC, j.id DESC LIMIT 1",
    )
    .get_result(conn)
    .await
    .map_err(|e| format!("no open job (seed with --jobs first): {e}"))?;
    let filled: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM applications WHERE source = 'peer-benchmark' AND (user_id = $1 OR job_id = $2)",
    )
    .bind::<diesel::sql_types::Uuid, _>(candidate.id)
    .bind::<diesel::sql_types::Uuid, _>(job.id)
    .get_result(conn)
    .await
    .map_err(|e| e.to_string())?;
    if filled.count < 2 * PAGE {
        let fill = format!(
            "BEGIN;
             CREATE TEMP TABLE peer_new ON COMMIT DROP AS
             SELECT gen_random_uuid() AS id, '{candidate}'::uuid AS user_id, j.id AS job_id, j.posted_by_id AS recruiter,
                    NULL::uuid AS resume_version_id, now() - n * interval '1 minute' AS at
             FROM (SELECT id, posted_by_id, row_number() OVER (ORDER BY posted_at DESC, id DESC) AS n
                   FROM jobs WHERE status = 'OPEN' AND deleted_at IS NULL AND id <> '{job}'
                     AND id NOT IN (SELECT job_id FROM applications WHERE user_id = '{candidate}')
                   ORDER BY posted_at DESC, id DESC LIMIT {PAGE}) AS j (id, posted_by_id, n);
             CREATE TEMP TABLE peer_applicants ON COMMIT DROP AS
             SELECT u.id AS user_id, gen_random_uuid() AS resume_id, gen_random_uuid() AS version_id, u.n
             FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users
                   WHERE role = 'CANDIDATE' AND email LIKE 'bench-%' AND id <> '{candidate}'
                     AND id NOT IN (SELECT user_id FROM applications WHERE job_id = '{job}')
                   ORDER BY email LIMIT {PAGE}) AS u (id, n);
             INSERT INTO resumes (id, user_id, title) SELECT resume_id, user_id, 'Resume' FROM peer_applicants;
             INSERT INTO resume_versions (id, resume_id, version, content, origin)
             SELECT version_id, resume_id, 1, '{{\"basics\": {{}}}}', 'SNAPSHOT' FROM peer_applicants;
             INSERT INTO peer_new
             SELECT gen_random_uuid(), a.user_id, '{job}', j.posted_by_id, a.version_id, now() - a.n * interval '1 minute'
             FROM peer_applicants a CROSS JOIN (SELECT posted_by_id FROM jobs WHERE id = '{job}') AS j;
             INSERT INTO applications (id, user_id, job_id, resume_version_id, status, status_changed_at, applied_at,
                                       source, created_at, updated_at)
             SELECT id, user_id, job_id, resume_version_id, 'INTERVIEWING', at + interval '2 seconds', at,
                    'peer-benchmark', at, at FROM peer_new;
             INSERT INTO application_events (id, application_id, actor_id, kind, from_status, to_status, occurred_at)
             SELECT gen_random_uuid(), id, user_id, 'CREATED', NULL, 'APPLIED', at FROM peer_new
             UNION ALL
             SELECT gen_random_uuid(), id, recruiter, 'STATUS_CHANGED', 'APPLIED', 'SCREENING', at + interval '1 second'
             FROM peer_new
             UNION ALL
             SELECT gen_random_uuid(), id, recruiter, 'STATUS_CHANGED', 'SCREENING', 'INTERVIEWING',
                    at + interval '2 seconds' FROM peer_new;
             COMMIT;
             ANALYZE applications; ANALYZE application_events;",
            candidate = candidate.id,
            job = job.id,
        );
        conn.batch_execute(&fill).await.map_err(|e| format!("filling the pages failed: {e}"))?;
    }
    Ok(Subjects {
        candidate_id: candidate.id,
        candidate_email: candidate.email,
        recruiter_email: job.email,
        job_id: job.id,
    })
}

/// Waits until a server answers `{ __typename }` (PostGraphile introspects
/// the database first).
async fn wait_ready(client: &reqwest::Client, url: &str) -> Result<(), String> {
    let probe = Request::new("{ __typename }", json!({}), None);
    let started = Instant::now();
    loop {
        match answer(client, url, &probe).await {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() > Duration::from_secs(90) => return Err(format!("{url} never answered: {e}")),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn operations(subjects: &Subjects, candidate: &str, recruiter: &str) -> Vec<Operation> {
    let job_gid = careergraph::graphql::ids::encode("Job", subjects.job_id).0;
    let job_uuid = subjects.job_id.to_string();
    let candidate_uuid = subjects.candidate_id.to_string();
    vec![
        Operation {
            name: "typename",
            lookup: false,
            levels: 0,
            careergraph: Request::new("{ __typename }", json!({}), None),
            postgraphile: Request::new("{ __typename }", json!({}), None),
        },
        Operation {
            name: "one job by id",
            lookup: true,
            levels: 1,
            careergraph: Request::new(
                "query($id: ID!) { job(id: $id) { title location salaryMin salaryMax requiredSkills } }",
                json!({ "id": job_gid }),
                Some(candidate),
            ),
            postgraphile: Request::new(
                "query($id: UUID!) { job: jobByRowId(rowId: $id) { title location salaryMin salaryMax requiredSkills } }",
                json!({ "id": job_uuid }),
                None,
            ),
        },
        Operation {
            name: "search page: 50 jobs, company, poster",
            lookup: false,
            levels: 2,
            careergraph: Request::new(
                "{ jobs(first: 50) { nodes { title location company { name } postedBy { fullName } } } }",
                json!({}),
                Some(candidate),
            ),
            postgraphile: Request::new(
                "{ jobs: allJobs(first: 50, condition: { status: \"OPEN\" }, orderBy: [POSTED_AT_DESC, PRIMARY_KEY_DESC]) {
                     nodes { title location company: companyByCompanyId { name } postedBy: userByPostedById { fullName } } } }",
                json!({}),
                None,
            ),
        },
        Operation {
            name: "dashboard: 50 applications, job, company, poster, 3 events, actor",
            lookup: false,
            levels: 4,
            careergraph: Request::new(
                "{ viewer { applications(first: 50) { nodes { status
                     job { title company { name } postedBy { fullName } }
                     events(first: 3) { nodes { kind toStatus actor { fullName } } } } } } }",
                json!({}),
                Some(candidate),
            ),
            postgraphile: Request::new(
                "query($id: UUID!) { viewer: userByRowId(rowId: $id) {
                     applications: applicationsByUserId(first: 50, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { status
                       job: jobByJobId { title company: companyByCompanyId { name } postedBy: userByPostedById { fullName } }
                       events: applicationEventsByApplicationId(first: 3, orderBy: [OCCURRED_AT_ASC, PRIMARY_KEY_ASC]) {
                         nodes { kind toStatus actor: userByActorId { fullName } } } } } } }",
                json!({ "id": candidate_uuid }),
                None,
            ),
        },
        Operation {
            name: "pipeline: a job's 50 applicants, resume version, last event",
            lookup: false,
            levels: 3,
            careergraph: Request::new(
                "query($id: ID!) { job(id: $id) { applications(first: 50) { nodes { status
                     applicant { fullName } resumeVersion { version } events(last: 1) { nodes { kind toStatus } } } } } }",
                json!({ "id": careergraph::graphql::ids::encode("Job", subjects.job_id).0 }),
                Some(recruiter),
            ),
            postgraphile: Request::new(
                "query($id: UUID!) { job: jobByRowId(rowId: $id) {
                     applications: applicationsByJobId(first: 50, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { status
                       applicant: userByUserId { fullName } resumeVersion: resumeVersionByResumeVersionId { version }
                       events: applicationEventsByApplicationId(first: 1, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) {
                         nodes { kind toStatus } } } } } }",
                json!({ "id": subjects.job_id.to_string() }),
                None,
            ),
        },
    ]
}

async fn send(client: &reqwest::Client, url: &str, request: &Request) -> Result<Vec<u8>, String> {
    let mut builder = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(reqwest::Body::from(request.body.as_ref().clone()));
    if let Some(token) = &request.token {
        builder = builder.bearer_auth(token);
    }
    let response = builder.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok(body.to_vec())
}

/// The answer's `data`, or why there is none.
async fn answer(client: &reqwest::Client, url: &str, request: &Request) -> Result<Value, String> {
    let body: Value = serde_json::from_slice(&send(client, url, request).await?).map_err(|e| e.to_string())?;
    if let Some(errors) = body.get("errors") {
        return Err(errors.to_string());
    }
    Ok(body["data"].clone())
}

/// Counts the rows of every list in an answer, to show the pages are full.
fn rows(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(rows).sum(),
        Value::Array(items) => items.len() + items.iter().map(rows).sum::<usize>(),
        _ => 0,
    }
}

/// What one server did during one measured run.
#[derive(Clone, Default)]
struct Measured {
    requests: usize,
    errors: usize,
    wall: Duration,
    p50: Duration,
    p99: Duration,
    statements: f64,
    cpu_ms: f64,
    rss_mb: f64,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

fn rss_kb(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn statements_of(conn: &mut AsyncPgConnection, role: &str) -> Result<i64, String> {
    // Transaction control is not a statement of the query; everything else is.
    let count: Count = diesel::sql_query(
        "SELECT coalesce(sum(s.calls), 0)::bigint AS count FROM pg_stat_statements s
         JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON d.oid = s.dbid
         WHERE r.rolname = $1 AND d.datname = current_database()
           AND s.query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\\b'",
    )
    .bind::<Text, _>(role)
    .get_result(conn)
    .await
    .map_err(|e| format!("reading pg_stat_statements: {e}"))?;
    Ok(count.count)
}

/// `concurrency` clients sending `request` back to back for `seconds`.
/// One server under test: its GraphQL endpoint and process.
#[derive(Clone, Copy)]
struct Target<'a> {
    server: Server,
    url: &'a str,
    pid: u32,
}

async fn measure(
    client: &reqwest::Client,
    conn: &mut AsyncPgConnection,
    target: &Target<'_>,
    request: &Request,
    concurrency: usize,
    seconds: u64,
) -> Result<Measured, String> {
    let Target { server, url, pid } = *target;
    let role = if server == Server::Careergraph { CAREERGRAPH_ROLE } else { POSTGRAPHILE_ROLE };
    diesel::sql_query("SELECT pg_stat_statements_reset()").execute(conn).await.map_err(|e| e.to_string())?;
    let statements_before = statements_of(conn, role).await?;
    let peak_rss = Arc::new(AtomicU64::new(rss_kb(pid)));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak_rss, done) = (peak_rss.clone(), done.clone());
        tokio::spawn(async move {
            while !AtomicBool::load(&done, Ordering::Relaxed) {
                peak_rss.fetch_max(rss_kb(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let ticks_before = cpu_ticks(pid);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers = (0..concurrency).map(|_| {
        let (client, url, request) = (client.clone(), url.to_owned(), request.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let begun = Instant::now();
                match send(&client, &url, &request).await {
                    // The whole answer is read; an error anywhere in it counts.
                    Ok(body) if !body.windows(8).any(|w| w == b"\"errors\"") => times.push(begun.elapsed()),
                    _ => errors += 1,
                }
            }
            (times, errors)
        })
    });
    let mut times = Vec::new();
    let mut errors = 0;
    for worker in futures_util::future::join_all(workers).await {
        let (worker_times, worker_errors) = worker.map_err(|e| e.to_string())?;
        times.extend(worker_times);
        errors += worker_errors;
    }
    let wall = started.elapsed();
    let ticks = cpu_ticks(pid).saturating_sub(ticks_before);
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let statements = statements_of(conn, role).await? - statements_before;
    times.sort();
    let requests = times.len();
    // /proc reports CPU time in USER_HZ ticks, 100 a second on Linux.
    let cpu_ms = ticks as f64 * 10.0 / requests.max(1) as f64;
    Ok(Measured {
        requests,
        errors,
        wall,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        statements: statements as f64 / requests.max(1) as f64,
        cpu_ms,
        rss_mb: AtomicU64::load(&peak_rss, Ordering::Relaxed) as f64 / 1024.0,
    })
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn cell(m: &Measured) -> String {
    let errors = if m.errors > 0 { format!(", {} errors", m.errors) } else { String::new() };
    format!("{:.0} ({} / {}{errors})", m.per_second(), ms(m.p50), ms(m.p99))
}

/// One measured pair: the same operation and load on both servers.
struct Pair {
    operation: usize,
    concurrency: usize,
    careergraph: Measured,
    postgraphile: Measured,
}

fn goal_met(pair: &Pair, operation: &Operation, typename_p50: Option<Duration>) -> (bool, String) {
    let (ours, theirs) = (&pair.careergraph, &pair.postgraphile);
    if operation.lookup && pair.concurrency == 1 {
        let floor = typename_p50.unwrap_or(Duration::ZERO);
        let gap = ours.p50.saturating_sub(floor);
        return (gap <= Duration::from_micros(150), format!("p50 {} ms over `{{ __typename }}`", ms(gap)));
    }
    let throughput = ours.per_second() / theirs.per_second().max(1e-9);
    let p99 = ours.p99.as_secs_f64() / theirs.p99.as_secs_f64().max(1e-9);
    (throughput >= 2.0 && p99 <= 0.5, format!("{throughput:.2}× req/s, {p99:.2}× p99"))
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    setting: String,
}

/// The statements one careergraph request ran, with their parameters bound
/// in, read from PostgreSQL's log (every statement logged for that request).
async fn statements_of_request(
    client: &reqwest::Client,
    conn: &mut AsyncPgConnection,
    log: &PathBuf,
    url: &str,
    request: &Request,
) -> Result<Vec<String>, String> {
    let prefix: Setting = diesel::sql_query("SELECT setting FROM pg_settings WHERE name = 'log_line_prefix'")
        .get_result(conn)
        .await
        .map_err(|e| e.to_string())?;
    if !prefix.setting.contains("%u") {
        return Err("log_line_prefix must name the user (%u); benches/peer/run.sh sets it".into());
    }
    let start = fs::metadata(log).map_err(|e| format!("{}: {e}", log.display()))?.len();
    conn.batch_execute("ALTER SYSTEM SET log_min_duration_statement = 0").await.map_err(|e| e.to_string())?;
    conn.batch_execute("SELECT pg_reload_conf()").await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = send(client, url, request).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    conn.batch_execute("ALTER SYSTEM RESET log_min_duration_statement").await.map_err(|e| e.to_string())?;
    conn.batch_execute("SELECT pg_reload_conf()").await.map_err(|e| e.to_string())?;
    sent?;
    let text = fs::read(log).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&text[usize::try_from(start).unwrap_or(0).min(text.len())..]).into_owned();
    // The mail worker's poll (every 5 s, in its own transaction) is not the request's.
    Ok(parse_log(&text, CAREERGRAPH_ROLE)
        .into_iter()
        .filter(|sql| !sql.contains("email_outbox") && !is_transaction_control(sql))
        .collect())
}

fn is_transaction_control(sql: &str) -> bool {
    let word = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    matches!(word.trim_end_matches(';'), "BEGIN" | "COMMIT" | "ROLLBACK" | "START")
}

/// Entries of `log_line_prefix = '%m [%p] %u '`: a timestamp line, then
/// continuation lines of a multi-line statement.
fn parse_log(text: &str, role: &str) -> Vec<String> {
    let mut entries: Vec<(String, String)> = Vec::new(); // (user, message)
    for line in text.lines() {
        let is_entry = line.len() > 24 && line.as_bytes()[4] == b'-' && line.as_bytes()[10] == b' ';
        let parsed = is_entry
            .then(|| {
                let after_pid = line.split_once("] ")?.1;
                let (user, message) = after_pid.split_once(' ')?;
                Some((user.to_owned(), message.to_owned()))
            })
            .flatten();
        match parsed {
            Some(entry) => entries.push(entry),
            None => {
                if let Some((_, message)) = entries.last_mut() {
                    message.push('\n');
                    message.push_str(line);
                }
            }
        }
    }
    let mut statements: Vec<String> = Vec::new();
    // Parameters follow both the bind and the execute; only the latter's count.
    let mut after_execute = false;
    for (_, message) in entries.into_iter().filter(|(user, _)| user == role) {
        if let Some(parameters) =
            message.strip_prefix("DETAIL:  ").filter(|m| m.to_ascii_lowercase().starts_with("parameters: "))
        {
            if let (true, Some(last)) = (after_execute, statements.last_mut()) {
                *last = bind(last, &parameters["parameters: ".len()..]);
            }
            after_execute = false;
            continue;
        }
        after_execute = false;
        let Some(rest) = message.strip_prefix("LOG:  duration: ") else { continue };
        let Some((_, statement)) = rest.split_once(" ms  ") else { continue };
        // Extended protocol logs parse, bind and execute; execute is the run.
        if let Some(sql) = statement.strip_prefix("statement: ") {
            statements.push(sql.to_owned());
        } else if let Some((_, sql)) = statement.strip_prefix("execute ").and_then(|e| e.split_once(": ")) {
            statements.push(sql.to_owned());
            after_execute = true;
        }
    }
    statements
}

/// `sql` with `$n` replaced by the logged literals (`$1 = 'a', $2 = NULL`),
/// uuids cast to their type.
fn bind(sql: &str, parameters: &str) -> String {
    let mut values: Vec<(usize, String)> = Vec::new();
    let mut rest = parameters;
    while let Some(after) = rest.strip_prefix('$') {
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let Ok(n) = digits.parse::<usize>() else { break };
        let after = after[digits.len()..].trim_start_matches(" = ");
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('\'') {
            // A quoted literal; '' inside it is one quote.
            let mut end = 0;
            let bytes = quoted.as_bytes();
            while end < bytes.len() {
                if bytes[end] == b'\'' {
                    if bytes.get(end + 1) == Some(&b'\'') {
                        end += 2;
                        continue;
                    }
                    break;
                }
                end += 1;
            }
            // A uuid keeps its type: inside `ARRAY[…]` (a batch's keys,
            // `db::OneOfKeys`) an untyped literal would be read as text.
            let literal = &quoted[..end];
            let cast = if literal.len() == 36 && uuid::Uuid::try_parse(literal).is_ok() { "::uuid" } else { "" };
            (format!("'{literal}'{cast}"), &quoted[(end + 1).min(quoted.len())..])
        } else {
            let end = after.find(", $").unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        };
        values.push((n, value));
        rest = remainder.trim_start_matches(", ");
    }
    values.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let mut bound = sql.to_owned();
    for (n, value) in values {
        bound = bound.replace(&format!("${n}"), &value);
    }
    bound
}

/// `--instructions`: careergraph's instructions and statements per request
/// of each chosen operation, its requests sent one at a time.
async fn count_instructions(
    client: &reqwest::Client,
    conn: &mut AsyncPgConnection,
    args: &Args,
    url: &str,
    all: &[Operation],
    chosen: &[usize],
    count: usize,
) -> Result<(), String> {
    let out = args.callgrind_out.as_ref().ok_or("--instructions needs --callgrind-out (run.sh passes it)")?;
    let mut callgrind = instructions::Callgrind::new(args.careergraph_pid, out);
    println!("\n| operation | requests | instructions / request (millions) | statements / request |");
    println!("|---|---|---|---|");
    for &i in chosen {
        let operation = &all[i];
        // Warm the connections, the prepared statements and the caches.
        for _ in 0..10 {
            answer(client, url, &operation.careergraph).await.map_err(|e| format!("{}: {e}", operation.name))?;
        }
        diesel::sql_query("SELECT pg_stat_statements_reset()").execute(conn).await.map_err(|e| e.to_string())?;
        let statements_before = statements_of(conn, CAREERGRAPH_ROLE).await?;
        callgrind.start()?;
        for _ in 0..count {
            send(client, url, &operation.careergraph).await?;
        }
        let total = callgrind.stop().await?;
        let statements = statements_of(conn, CAREERGRAPH_ROLE).await? - statements_before;
        println!(
            "| {} | {count} | {:.3} | {:.1} |",
            operation.name,
            total as f64 / count as f64 / 1e6,
            statements as f64 / count as f64
        );
    }
    Ok(())
}

/// pgbench's transactions per second for `script` at `concurrency`.
fn pgbench(args: &Args, script: &PathBuf, concurrency: usize) -> Result<f64, String> {
    let output = std::process::Command::new(&args.pgbench_bin)
        .args(["-n", "-M", "prepared"])
        .args(["-c", &concurrency.to_string(), "-j", &concurrency.min(2).to_string()])
        .args(["-T", &args.seconds.to_string(), "-f"])
        .arg(script)
        // libpq takes a connection URI where the database name goes.
        .arg(&args.database_url)
        .output()
        .map_err(|e| format!("{}: {e}", args.pgbench_bin.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .ok_or_else(|| format!("pgbench: {}{}", stdout, String::from_utf8_lossy(&output.stderr)))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let mut conn = AsyncPgConnection::establish(&args.database_url).await.map_err(|e| e.to_string())?;
    let subjects = prepare(&mut conn).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().map_err(|e| e.to_string())?;
    let (cg_url, pg_url) = (format!("{}/graphql", args.careergraph), format!("{}/graphql", args.postgraphile));
    wait_ready(&client, &cg_url).await?;
    wait_ready(&client, &pg_url).await?;
    let candidate = login(&client, &args.careergraph, &subjects.candidate_email, &args.password).await?;
    let recruiter = login(&client, &args.careergraph, &subjects.recruiter_email, &args.password).await?;
    let all = operations(&subjects, &candidate, &recruiter);
    let chosen: Vec<usize> = (0..all.len())
        .filter(|&i| i == 0 || args.only.as_ref().is_none_or(|only| all[i].name.contains(only.as_str())))
        .collect();

    // Same rows from both, or the comparison means nothing.
    for &i in &chosen {
        let operation = &all[i];
        let ours = answer(&client, &cg_url, &operation.careergraph)
            .await
            .map_err(|e| format!("careergraph, {}: {e}", operation.name))?;
        let theirs = answer(&client, &pg_url, &operation.postgraphile)
            .await
            .map_err(|e| format!("PostGraphile, {}: {e}", operation.name))?;
        if ours != theirs {
            return Err(format!(
                "{}: the servers disagree\ncareergraph:  {ours}\nPostGraphile: {theirs}",
                operation.name
            ));
        }
        eprintln!("same answer from both: {} ({} list rows)", operation.name, rows(&ours));
    }

    if let Some(count) = args.instructions {
        return count_instructions(&client, &mut conn, &args, &cg_url, &all, &chosen, count).await;
    }

    let careergraph = Target { server: Server::Careergraph, url: &cg_url, pid: args.careergraph_pid };
    let postgraphile = Target { server: Server::Postgraphile, url: &pg_url, pid: args.postgraphile_pid };
    let mut pairs: Vec<Pair> = Vec::new();
    for &i in &chosen {
        for &concurrency in &args.concurrency {
            if i == 0 && concurrency != 1 {
                continue;
            }
            let operation = &all[i];
            let mut best: Option<Pair> = None;
            for _ in 0..args.rounds {
                // Warm both (connections, plans) before measuring.
                for (url, request) in [(&cg_url, &operation.careergraph), (&pg_url, &operation.postgraphile)] {
                    for _ in 0..concurrency.max(4) {
                        let _ = send(&client, url, request).await;
                    }
                }
                let ours = measure(&client, &mut conn, &careergraph, &operation.careergraph, concurrency, args.seconds)
                    .await?;
                let theirs =
                    measure(&client, &mut conn, &postgraphile, &operation.postgraphile, concurrency, args.seconds)
                        .await?;
                eprintln!(
                    "{} at {concurrency}: {} {} | {} {}",
                    operation.name,
                    Server::Careergraph.name(),
                    cell(&ours),
                    Server::Postgraphile.name(),
                    cell(&theirs)
                );
                let pair = Pair { operation: i, concurrency, careergraph: ours, postgraphile: theirs };
                // Best of the rounds, each server on its own.
                best = Some(match best {
                    None => pair,
                    Some(mut kept) => {
                        if pair.careergraph.per_second() > kept.careergraph.per_second() {
                            kept.careergraph = pair.careergraph;
                        }
                        if pair.postgraphile.per_second() > kept.postgraphile.per_second() {
                            kept.postgraphile = pair.postgraphile;
                        }
                        kept
                    }
                });
            }
            pairs.extend(best);
        }
    }

    let typename_p50 = pairs.iter().find(|p| p.operation == 0).map(|p| p.careergraph.p50);
    println!();
    println!(
        "| operation | in flight | careergraph req/s (p50 / p99 ms) | PostGraphile req/s (p50 / p99 ms) | against the goal | \
         statements / request (cg / PG) | CPU ms / request (cg / PG) | peak RSS MB (cg / PG) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut met = 0;
    let mut judged = 0;
    for pair in &pairs {
        let operation = &all[pair.operation];
        let verdict = if pair.operation == 0 {
            "baseline".to_owned()
        } else {
            let (ok, text) = goal_met(pair, operation, typename_p50);
            judged += 1;
            met += usize::from(ok);
            format!("{} {text}", if ok { "met:" } else { "short:" })
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} / {:.1} | {:.2} / {:.2} | {:.0} / {:.0} |",
            operation.name,
            pair.concurrency,
            cell(&pair.careergraph),
            cell(&pair.postgraphile),
            verdict,
            pair.careergraph.statements,
            pair.postgraphile.statements,
            pair.careergraph.cpu_ms,
            pair.postgraphile.cpu_ms,
            pair.careergraph.rss_mb,
            pair.postgraphile.rss_mb,
        );
    }
    // Throughput should not fall past saturation.
    for &i in &chosen[1..] {
        let at = |c: usize| {
            pairs.iter().find(|p| p.operation == i && p.concurrency == c).map(|p| p.careergraph.per_second())
        };
        if let (Some(eight), Some(thirty_two)) = (at(8), at(32)) {
            let ok = thirty_two >= eight;
            judged += 1;
            met += usize::from(ok);
            println!(
                "\n{}: careergraph at 32 in flight {:.0} req/s, at 8 {:.0}: {}",
                all[i].name,
                thirty_two,
                eight,
                if ok { "met" } else { "short" }
            );
        }
    }
    // One statement per level of rows, whatever the load.
    for &i in &chosen[1..] {
        let most = pairs.iter().filter(|p| p.operation == i).map(|p| p.careergraph.statements).fold(0.0, f64::max);
        let ok = most <= all[i].levels as f64 + 0.5;
        judged += 1;
        met += usize::from(ok);
        println!(
            "{}: at most {most:.1} statements per request for {} levels of rows: {}",
            all[i].name,
            all[i].levels,
            if ok { "met" } else { "short" }
        );
    }

    if args.pgbench {
        let log = args.postgres_log.clone().ok_or("--pgbench needs --postgres-log")?;
        fs::create_dir_all(&args.pgbench_dir).map_err(|e| e.to_string())?;
        println!("\n| operation | in flight | statements | pgbench tx/s | careergraph req/s | share of pgbench |");
        println!("|---|---|---|---|---|---|");
        for &i in &chosen[1..] {
            let operation = &all[i];
            let statements = statements_of_request(&client, &mut conn, &log, &cg_url, &operation.careergraph).await?;
            if statements.is_empty() {
                return Err(format!("{}: no statements found in {}", operation.name, log.display()));
            }
            let script = args.pgbench_dir.join(format!("operation-{i}.sql"));
            let text: String =
                statements.iter().map(|s| format!("{};\n", s.trim_end().trim_end_matches(';'))).collect();
            fs::write(&script, text).map_err(|e| e.to_string())?;
            for &concurrency in &args.concurrency {
                let tps = pgbench(&args, &script, concurrency)?;
                let ours = pairs.iter().find(|p| p.operation == i && p.concurrency == concurrency);
                let ours = ours.map(|p| p.careergraph.per_second()).unwrap_or(0.0);
                judged += 1;
                met += usize::from(ours >= 0.5 * tps);
                println!(
                    "| {} | {concurrency} | {} | {tps:.0} | {ours:.0} | {:.0} % |",
                    operation.name,
                    statements.len(),
                    100.0 * ours / tps.max(1e-9)
                );
            }
        }
        println!("\npgbench scripts: {}", args.pgbench_dir.display());
    }
    println!("\ngoals met: {met} of {judged}");
    Ok(())
}
