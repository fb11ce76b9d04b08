//! Load benchmark: runs the operations a frontend sends most against a
//! running server and prints latency percentiles, throughput and SQL
//! statements per request. See docs/benchmarks.md for the full recipe.
//!
//! cargo run --release --example bench -- --candidate EMAIL --recruiter EMAIL
//!
//! With `--setup NAME=URL[,URL…]` (repeated) it compares deployments
//! instead: each operation runs on every setup in turn, `--rounds` times, and
//! one markdown table shows each setup's best throughput and latency beside
//! the first's (benches/scaling/run.sh runs it that way).

mod support;

use support::login;

use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};

#[derive(Parser, Clone)]
struct Args {
    /// The server's base URL (when no --setup is given).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A deployment to compare, `NAME=URL[,URL…]` (repeatable; the first is
    /// the baseline). Requests go round-robin over its URLs, as a load
    /// balancer in front of several processes would send them; the
    /// processes must share one signing secret.
    #[arg(long = "setup", value_parser = parse_setup)]
    setups: Vec<Setup>,
    /// With --setup: runs per operation and setup, interleaved; each
    /// setup's best is kept.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// A candidate to sign in as (e.g. from `careergraph seed --users …`).
    #[arg(long)]
    candidate: String,
    /// A recruiter to sign in as.
    #[arg(long)]
    recruiter: String,
    /// The accounts' password.
    #[arg(long, default_value = careergraph::demo::DEMO_PASSWORD)]
    password: String,
    /// Requests per operation.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Run only the operations whose name contains this (e.g. `search`).
    #[arg(long)]
    only: Option<String>,
}

const DASHBOARD: &str = "{ viewer { applications(first: 50) { totalCount nodes { status
    job { title company { name } postedBy { fullName } viewerBookmark { favorite } }
    resumeVersion { version } events(first: 3) { nodes { kind toStatus actor { fullName } } } } } } }";
const SEARCH_PAGE: &str = "{ jobs(first: 50) { edges { node { title company { name } postedBy { fullName }
    match { score } viewerApplication { status } } } } }";
const FULL_TEXT: &str = "{ jobs(first: 20, filter: { query: \"senior rust engineer\" }) { totalCount
    nodes { title company { name } } } }";
const RECOMMENDED: &str = "{ recommendedJobs(first: 20) { nodes { title match { score } } } }";
const CANDIDATE_ANALYTICS: &str = "{ analytics { applicationFunnel { status count } conversion { responseRate }
    medianDaysToFirstResponse weeklyActivity(weeks: 12) { applied } skillDemand { skill } } }";
const PIPELINE: &str = "{ analytics { pipeline { applicants stages { status count medianDaysInStage }
    conversions { rate } sources { source count } } } }";

#[derive(Clone, Debug)]
struct Setup {
    name: String,
    urls: Vec<String>,
}

fn parse_setup(text: &str) -> Result<Setup, String> {
    let (name, urls) = text.split_once('=').ok_or("a setup is NAME=URL[,URL…]")?;
    let urls: Vec<String> = urls.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
    if name.is_empty() || urls.is_empty() {
        return Err("a setup is NAME=URL[,URL…]".to_owned());
    }
    Ok(Setup { name: name.to_owned(), urls })
}

struct Outcome {
    elapsed: Duration,
    statements: Option<u64>,
    ok: bool,
    /// Answered 503: shed by admission control (or the database was away).
    shed: bool,
}

async fn run(
    client: &reqwest::Client,
    urls: &[String],
    token: &str,
    query: &str,
    args: &Args,
) -> (Vec<Outcome>, Duration) {
    let started = Instant::now();
    let outcomes = futures_util::stream::iter(0..args.requests)
        .map(|n| async move {
            let url = &urls[n % urls.len()];
            let begun = Instant::now();
            let response =
                client.post(format!("{url}/graphql")).bearer_auth(token).json(&json!({ "query": query })).send().await;
            let (shed, body): (bool, Option<Value>) = match response {
                Ok(response) => (response.status() == 503, response.json().await.ok()),
                Err(_) => (false, None),
            };
            let elapsed = begun.elapsed();
            let ok = body.as_ref().is_some_and(|body| body.get("errors").is_none() && body.get("data").is_some());
            let statements = body.as_ref().and_then(|body| body["extensions"]["sqlStatements"].as_u64());
            Outcome { elapsed, statements, ok, shed }
        })
        .buffer_unordered(args.concurrency)
        .collect::<Vec<_>>()
        .await;
    (outcomes, started.elapsed())
}

/// What one run of one operation came to.
struct Summary {
    mean: Duration,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    per_second: f64,
    statements: String,
    errors: usize,
    shed: usize,
}

fn summarize(outcomes: &[Outcome], wall: Duration) -> Summary {
    // Latency of the answered requests; shed ones are counted apart.
    let mut times: Vec<Duration> = outcomes.iter().filter(|o| !o.shed).map(|o| o.elapsed).collect();
    if times.is_empty() {
        times.push(Duration::ZERO);
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / u32::try_from(times.len().max(1)).unwrap_or(1);
    let succeeded = outcomes.iter().filter(|o| o.ok).count();
    // A range: under load a DataLoader batch can split (see docs/benchmarks.md).
    let counts: Vec<u64> = outcomes.iter().filter_map(|o| o.statements).collect();
    let statements = match (counts.iter().min(), counts.iter().max()) {
        (Some(low), Some(high)) if low == high => low.to_string(),
        (Some(low), Some(high)) => format!("{low}-{high}"),
        _ => "-".to_owned(),
    };
    Summary {
        mean,
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        per_second: succeeded as f64 / wall.as_secs_f64(),
        statements,
        errors: outcomes.iter().filter(|o| !o.ok && !o.shed).count(),
        shed: outcomes.iter().filter(|o| o.shed).count(),
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let client = reqwest::Client::new();
    let first_url = args.setups.first().map_or(args.url.as_str(), |setup| setup.urls[0].as_str());
    let candidate = login(&client, first_url, &args.candidate, &args.password).await?;
    let recruiter = login(&client, first_url, &args.recruiter, &args.password).await?;
    let operations = [
        ("dashboard (50 applications)", &candidate, DASHBOARD),
        ("job search page (50 jobs)", &candidate, SEARCH_PAGE),
        ("full-text search (20)", &candidate, FULL_TEXT),
        ("recommendedJobs (20)", &candidate, RECOMMENDED),
        ("candidate analytics", &candidate, CANDIDATE_ANALYTICS),
        ("recruiter pipeline", &recruiter, PIPELINE),
    ];
    let chosen: Vec<_> = operations
        .iter()
        .filter(|(name, ..)| args.only.as_ref().is_none_or(|only| name.contains(only.as_str())))
        .collect();
    if !args.setups.is_empty() {
        return compare(&client, &args, &chosen).await;
    }
    let urls = [args.url.clone()];
    println!("{} requests per operation, {} in flight, against {}", args.requests, args.concurrency, args.url);
    println!(
        "{:<30} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7}",
        "operation", "mean ms", "p50", "p95", "p99", "ok/s", "SQL", "errors", "503s"
    );
    for &&(name, token, query) in &chosen {
        // One warm-up request per operation, so the first connection setup is not measured.
        run(&client, &urls, token, query, &Args { requests: 1, concurrency: 1, ..args.clone() }).await;
        let (outcomes, wall) = run(&client, &urls, token, query, &args).await;
        let m = summarize(&outcomes, wall);
        println!(
            "{:<30} {:>8} {:>8} {:>8} {:>8} {:>9.0} {:>7} {:>7} {:>7}",
            name,
            ms(m.mean),
            ms(m.p50),
            ms(m.p95),
            ms(m.p99),
            m.per_second,
            m.statements,
            m.errors,
            m.shed
        );
    }
    Ok(())
}

/// `--setup`: every chosen operation on every setup, interleaved over the
/// rounds; one markdown row per operation with each setup's best run.
async fn compare(client: &reqwest::Client, args: &Args, chosen: &[&(&str, &String, &str)]) -> Result<(), String> {
    println!(
        "{} requests per operation and run, {} in flight, best of {} interleaved rounds\n",
        args.requests, args.concurrency, args.rounds
    );
    let header: Vec<String> = args.setups.iter().map(|s| format!("{} req/s (p50 / p99 ms)", s.name)).collect();
    println!("| operation | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(args.setups.len()));
    for &&(name, token, query) in chosen {
        let mut best: Vec<Option<Summary>> = args.setups.iter().map(|_| None).collect();
        for _ in 0..args.rounds {
            for (setup, kept) in args.setups.iter().zip(&mut best) {
                let warm_up = Args { requests: setup.urls.len() * 4, concurrency: 4, ..args.clone() };
                run(client, &setup.urls, token, query, &warm_up).await;
                let (outcomes, wall) = run(client, &setup.urls, token, query, args).await;
                let m = summarize(&outcomes, wall);
                eprintln!("{name} on {}: {:.0} req/s, p99 {} ms", setup.name, m.per_second, ms(m.p99));
                if kept.as_ref().is_none_or(|k| m.per_second > k.per_second) {
                    *kept = Some(m);
                }
            }
        }
        let baseline = best[0].as_ref().map_or(0.0, |m| m.per_second);
        let cells: Vec<String> = best
            .iter()
            .flatten()
            .enumerate()
            .map(|(n, m)| {
                let trouble = if m.errors + m.shed > 0 {
                    format!(", {} errors, {} shed", m.errors, m.shed)
                } else {
                    String::new()
                };
                let ratio = if n == 0 { String::new() } else { format!(" ×{:.2}", m.per_second / baseline.max(1e-9)) };
                format!("{:.0} ({} / {}){ratio}{trouble}", m.per_second, ms(m.p50), ms(m.p99))
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    Ok(())
}
