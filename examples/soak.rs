//! Soak: mixed reads and writes against a running server for N minutes,
//! printing every minute how many requests ran, how many failed, their
//! latency and the server's resident memory (from its `/metrics`), so a
//! leak or a slow drift shows as a trend. See docs/benchmarks.md.
//!
//! cargo run --release --example soak -- --url http://127.0.0.1:8099 --minutes 10

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser, Clone)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// How long to run.
    #[arg(long, default_value_t = 10)]
    minutes: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Candidates to register (the registration limit allows 20 an hour per address).
    #[arg(long, default_value_t = 4)]
    candidates: usize,
}

const PASSWORD: &str = "soak password 2026";
const SEARCH: &str = "{ jobs(first: 20, filter: { query: \"engineer\" }) { totalCount nodes { title company { name } match { score } } } }";
const DASHBOARD: &str = "{ viewer { applications(first: 20) { totalCount nodes { status job { title company { name } }
    events(first: 3) { nodes { kind actor { fullName } } } } } } }";
const JOB: &str = "query($id: ID!) { job(id: $id) { title description company { name } postedBy { fullName } } }";
const ANALYTICS: &str = "{ analytics { applicationFunnel { status count } weeklyActivity(weeks: 4) { applied } } }";
const APPLY: &str =
    "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } userErrors { code } } }";
const NOTE: &str =
    "mutation($input: AddApplicationNoteInput!) { addApplicationNote(input: $input) { userErrors { code } } }";
const ADD_SKILL: &str =
    "mutation($input: AddSkillInput!) { addSkill(input: $input) { skill { id } userErrors { code } } }";
const DELETE_SKILL: &str = "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { userErrors { code } } }";
const PIPELINE: &str = "{ analytics { pipeline { applicants stages { status count } } } }";

/// A signed-in account and what it has made.
struct Account {
    email: String,
    token: String,
    applications: Vec<String>,
}

struct Soak {
    client: reqwest::Client,
    url: String,
    jobs: Vec<String>,
    candidates: Vec<Mutex<Account>>,
    recruiter: Mutex<Account>,
    /// (latency, failed) of every request this minute.
    minute: std::sync::Mutex<Vec<(Duration, bool)>>,
}

impl Soak {
    /// Sends one operation; records its latency and whether it failed (a
    /// non-200 status, top-level errors or a transport error).
    async fn send(&self, token: &str, query: &str, variables: Value) -> Option<Value> {
        let started = Instant::now();
        let response = self
            .client
            .post(format!("{}/graphql", self.url))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await;
        let body = match response {
            Ok(response) if response.status() == 200 => response.json::<Value>().await.ok(),
            _ => None,
        };
        let body = body.filter(|body| body.get("errors").is_none());
        self.minute.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((started.elapsed(), body.is_none()));
        body
    }

    /// One step of the mix: mostly reads, one in three a write.
    async fn step(&self, n: usize) {
        let candidate = &self.candidates[n % self.candidates.len()];
        let job = &self.jobs[(n / 7) % self.jobs.len()];
        match n % 9 {
            0 | 1 => drop(self.send(&candidate.lock().await.token.clone(), SEARCH, json!({})).await),
            2 => drop(self.send(&candidate.lock().await.token.clone(), DASHBOARD, json!({})).await),
            3 => drop(self.send(&candidate.lock().await.token.clone(), JOB, json!({ "id": job })).await),
            4 => drop(self.send(&candidate.lock().await.token.clone(), ANALYTICS, json!({})).await),
            5 => drop(self.send(&self.recruiter.lock().await.token.clone(), PIPELINE, json!({})).await),
            6 => {
                let token = candidate.lock().await.token.clone();
                let body = self.send(&token, APPLY, json!({ "input": { "jobId": job } })).await;
                if let Some(id) = body.as_ref().and_then(|b| b["data"]["applyToJob"]["application"]["id"].as_str()) {
                    candidate.lock().await.applications.push(id.to_owned());
                }
            }
            7 => {
                let (token, application) = {
                    let account = candidate.lock().await;
                    (account.token.clone(), account.applications.get(n % account.applications.len().max(1)).cloned())
                };
                if let Some(application) = application {
                    let note = format!("soak note {n}");
                    let input = json!({ "input": { "applicationId": application, "note": note } });
                    drop(self.send(&token, NOTE, input).await);
                }
            }
            _ => {
                let token = candidate.lock().await.token.clone();
                let body = self.send(&token, ADD_SKILL, json!({ "input": { "name": format!("Skill {n}") } })).await;
                if let Some(id) = body.as_ref().and_then(|b| b["data"]["addSkill"]["skill"]["id"].as_str()) {
                    drop(self.send(&token, DELETE_SKILL, json!({ "input": { "id": id } })).await);
                }
            }
        }
    }
}

async fn graphql(client: &reqwest::Client, url: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = client.post(format!("{url}/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

async fn register(client: &reqwest::Client, url: &str, email: &str, role: &str) -> Result<Account, String> {
    let body = graphql(
        client,
        url,
        None,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken userErrors { message } } }",
        json!({ "input": { "email": email, "password": PASSWORD, "fullName": "Soak Tester", "role": role } }),
    )
    .await;
    let token = body["data"]["register"]["accessToken"].as_str().ok_or_else(|| format!("cannot register: {body}"))?;
    Ok(Account { email: email.to_owned(), token: token.to_owned(), applications: Vec::new() })
}

/// A fresh access token (they last 15 minutes; the soak may run longer).
async fn sign_in_again(client: &reqwest::Client, url: &str, account: &Mutex<Account>) {
    let email = account.lock().await.email.clone();
    let body = graphql(
        client,
        url,
        None,
        "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
        json!({ "input": { "email": email, "password": PASSWORD } }),
    )
    .await;
    if let Some(token) = body["data"]["login"]["accessToken"].as_str() {
        account.lock().await.token = token.to_owned();
    }
}

async fn resident_mb(client: &reqwest::Client, url: &str) -> String {
    let page = match client.get(format!("{url}/metrics")).send().await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    page.lines()
        .find_map(|line| line.strip_prefix("process_resident_memory_bytes "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map_or_else(|| "-".to_owned(), |bytes| format!("{:.1}", bytes / (1024.0 * 1024.0)))
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let client = reqwest::Client::new();
    let run = uuid::Uuid::now_v7().simple().to_string();
    let run = &run[run.len() - 8..];
    let recruiter = register(&client, &args.url, &format!("soak-{run}-recruiter@example.com"), "RECRUITER").await?;
    let mut jobs = Vec::new();
    for n in 0..10 {
        let input = json!({ "input": { "title": format!("Soak engineer {n}"), "description": "A job for the soak.",
                                       "companyName": "Soak Inc", "status": "OPEN", "requiredSkills": ["Rust"] } });
        let body = graphql(
            &client,
            &args.url,
            Some(&recruiter.token),
            "mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } } }",
            input,
        )
        .await;
        jobs.push(
            body["data"]["createJob"]["job"]["id"].as_str().ok_or_else(|| format!("createJob: {body}"))?.to_owned(),
        );
    }
    let mut candidates = Vec::new();
    for n in 0..args.candidates.max(1) {
        let email = format!("soak-{run}-{n}@example.com");
        candidates.push(Mutex::new(register(&client, &args.url, &email, "CANDIDATE").await?));
    }
    let soak = Arc::new(Soak {
        client: client.clone(),
        url: args.url.clone(),
        jobs,
        candidates,
        recruiter: Mutex::new(recruiter),
        minute: std::sync::Mutex::new(Vec::new()),
    });
    println!(
        "soak: {} minutes, {} in flight, against {} (resident memory at start: {} MB)",
        args.minutes,
        args.concurrency,
        args.url,
        resident_mb(&client, &args.url).await
    );
    println!(
        "{:>6} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8}",
        "minute", "requests", "errors", "req/s", "p50 ms", "p99 ms", "RSS MB"
    );
    let deadline = Instant::now() + Duration::from_secs(args.minutes * 60);
    let counter = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (soak, counter) = (soak.clone(), counter.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    soak.step(counter.fetch_add(1, Ordering::Relaxed)).await;
                }
            })
        })
        .collect();
    let mut worst_p99 = 0.0_f64;
    let mut failures = 0;
    for minute in 1..=args.minutes {
        tokio::time::sleep_until((deadline - Duration::from_secs((args.minutes - minute) * 60)).into()).await;
        let taken = std::mem::take(&mut *soak.minute.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut times: Vec<Duration> = taken.iter().map(|(elapsed, _)| *elapsed).collect();
        times.sort();
        let errors = taken.iter().filter(|(_, failed)| *failed).count();
        failures += errors;
        worst_p99 = worst_p99.max(percentile(&times, 0.99));
        println!(
            "{minute:>6} {:>9} {errors:>7} {:>8.0} {:>8.1} {:>8.1} {:>8}",
            taken.len(),
            taken.len() as f64 / 60.0,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            resident_mb(&client, &args.url).await
        );
        for account in soak.candidates.iter().chain(std::iter::once(&soak.recruiter)) {
            sign_in_again(&client, &args.url, account).await;
        }
    }
    for worker in workers {
        let _ = worker.await;
    }
    println!("done: {failures} failed requests; worst minute's p99 {worst_p99:.1} ms");
    Ok(())
}
