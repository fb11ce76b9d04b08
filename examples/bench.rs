//! Load benchmark: runs the operations a frontend sends most against a
//! running server and prints latency percentiles, throughput and SQL
//! statements per request. See docs/benchmarks.md for the full recipe.
//!
//! cargo run --release --example bench -- --candidate EMAIL --recruiter EMAIL

mod support;

use support::login;

use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};

#[derive(Parser, Clone)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
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

struct Outcome {
    elapsed: Duration,
    statements: Option<u64>,
    ok: bool,
    /// Answered 503: shed by admission control (or the database was away).
    shed: bool,
}

async fn run(client: &reqwest::Client, url: &str, token: &str, query: &str, args: &Args) -> (Vec<Outcome>, Duration) {
    let started = Instant::now();
    let outcomes = futures_util::stream::iter(0..args.requests)
        .map(|_| async {
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
    let candidate = login(&client, &args.url, &args.candidate, &args.password).await?;
    let recruiter = login(&client, &args.url, &args.recruiter, &args.password).await?;
    let operations = [
        ("dashboard (50 applications)", &candidate, DASHBOARD),
        ("job search page (50 jobs)", &candidate, SEARCH_PAGE),
        ("full-text search (20)", &candidate, FULL_TEXT),
        ("recommendedJobs (20)", &candidate, RECOMMENDED),
        ("candidate analytics", &candidate, CANDIDATE_ANALYTICS),
        ("recruiter pipeline", &recruiter, PIPELINE),
    ];
    println!("{} requests per operation, {} in flight, against {}", args.requests, args.concurrency, args.url);
    println!(
        "{:<30} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7}",
        "operation", "mean ms", "p50", "p95", "p99", "ok/s", "SQL", "errors", "503s"
    );
    let chosen =
        operations.iter().filter(|(name, ..)| args.only.as_ref().is_none_or(|only| name.contains(only.as_str())));
    for &(name, token, query) in chosen {
        // One warm-up request per operation, so the first connection setup is not measured.
        run(&client, &args.url, token, query, &Args { requests: 1, concurrency: 1, ..args.clone() }).await;
        let (outcomes, wall) = run(&client, &args.url, token, query, &args).await;
        // Latency of the answered requests; shed ones are counted apart.
        let mut times: Vec<Duration> = outcomes.iter().filter(|o| !o.shed).map(|o| o.elapsed).collect();
        if times.is_empty() {
            times.push(Duration::ZERO);
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / u32::try_from(times.len().max(1)).unwrap_or(1);
        let shed = outcomes.iter().filter(|o| o.shed).count();
        let errors = outcomes.iter().filter(|o| !o.ok && !o.shed).count();
        let succeeded = outcomes.iter().filter(|o| o.ok).count();
        // A range: under load a DataLoader batch can split (see docs/benchmarks.md).
        let counts: Vec<u64> = outcomes.iter().filter_map(|o| o.statements).collect();
        let statements = match (counts.iter().min(), counts.iter().max()) {
            (Some(low), Some(high)) if low == high => low.to_string(),
            (Some(low), Some(high)) => format!("{low}-{high}"),
            _ => "-".to_owned(),
        };
        println!(
            "{:<30} {:>8} {:>8} {:>8} {:>8} {:>9.0} {:>7} {:>7} {:>7}",
            name,
            ms(mean),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 0.99)),
            succeeded as f64 / wall.as_secs_f64(),
            statements,
            errors,
            shed
        );
    }
    Ok(())
}
