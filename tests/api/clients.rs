//! The contract as client tooling sees it (npm packages pinned in
//! tests/clients): graphql-http's GraphQL-over-HTTP audit against a live
//! server (every MUST and SHOULD passes; docs/conformance.md), and
//! graphql-codegen (typescript + typescript-operations) over schema.graphql
//! and the operations in docs/examples, which also run against a live
//! server here, and graphql-ws's client receiving a subscription's events.

use crate::common;

use std::path::PathBuf;

use common::{TestApp, apply_to, await_subscriptions, clients_dir, install_clients, post_open_job, recruiter, sign_up};
use serde_json::{Value, json};
use tokio::process::Command;

#[tokio::test]
async fn the_graphql_http_audit_passes_every_must_and_should() {
    install_clients().await;
    let app = TestApp::spawn().await;
    let output = Command::new("node")
        .arg("audit.mjs")
        .arg(app.url("/graphql"))
        .current_dir(clients_dir())
        .output()
        .await
        .expect("node runs the audit");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(output.status.success(), "a MUST failed:\n{report}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary = report.lines().last().unwrap_or_default();
    assert!(summary.contains(" 0 warnings (SHOULD), 0 failures (MUST)"), "{summary}");
    let passed: usize = summary.split_whitespace().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 60, "the audit ran too few items: {summary}");
}

#[tokio::test]
async fn codegen_accepts_the_schema_and_every_example_operation() {
    install_clients().await;
    let output = Command::new("npx")
        .args(["--no-install", "graphql-codegen", "--config", "codegen.yml"])
        .current_dir(clients_dir())
        .output()
        .await
        .expect("npx runs graphql-codegen");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "graphql-codegen failed:\n{log}");
    let generated = std::fs::read_to_string(clients_dir().join("generated/graphql.ts")).unwrap();
    for operation in [
        "DashboardQuery",
        "JobSearchQuery",
        "ApplicationBoardQuery",
        "ResumeEditorQuery",
        "RecruiterPipelineQuery",
        "RankedApplicantsQuery",
    ] {
        assert!(generated.contains(&format!("export type {operation} ")), "no type for {operation}");
    }
}

/// The example file `name` in docs/examples.
fn example(name: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/examples").join(name)).unwrap()
}

/// Runs operation `name` of an example file (the whole file is the
/// document, as a client bundling it would send) and returns `data`.
async fn run(app: &TestApp, token: &str, file: &str, name: &str, variables: Value) -> Value {
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": example(file), "operationName": name, "variables": variables }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{file} {name}: {body}");
    if let Some(payload) = body["data"].as_object().and_then(|fields| fields.values().next())
        && let Some(errors) = payload.get("userErrors")
    {
        assert_eq!(errors, &json!([]), "{file} {name}: {body}");
    }
    body["data"].clone()
}

#[tokio::test]
async fn every_example_operation_runs_against_the_server() {
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let posted = run(
        &app,
        &rita,
        "recruiter-pipeline.graphql",
        "PostJob",
        json!({ "input": {
        "title": "Rust Engineer", "description": "Systems work", "companyName": "Initech", "status": "OPEN",
        "requiredSkills": ["Rust"] } }),
    )
    .await;
    let job = posted["createJob"]["job"]["id"].clone();

    let found = run(&app, &ada, "job-search.graphql", "JobSearch", json!({ "filter": { "query": "rust" } })).await;
    assert_eq!(found["jobs"]["edges"][0]["node"]["id"], job);
    run(&app, &ada, "job-search.graphql", "BookmarkJob", json!({ "input": { "jobId": job, "favorite": true } })).await;

    let resume =
        run(&app, &ada, "resume-editor.graphql", "CreateResume", json!({ "input": { "title": "Main" } })).await;
    let resume_id = resume["createResume"]["resume"]["id"].clone();
    let mut content = resume["createResume"]["resume"]["currentVersion"]["content"].clone();
    content["basics"]["label"] = json!("Rust engineer");
    let saved = run(
        &app,
        &ada,
        "resume-editor.graphql",
        "SaveResumeVersion",
        json!({ "input": { "resumeId": resume_id, "content": content } }),
    )
    .await;
    assert_eq!(saved["saveResumeVersion"]["resumeVersion"]["diff"][0]["path"], "/basics/label");
    run(
        &app,
        &ada,
        "resume-editor.graphql",
        "TailorResume",
        json!({ "input": { "resumeId": resume_id, "jobId": job } }),
    )
    .await;
    let editor = run(&app, &ada, "resume-editor.graphql", "ResumeEditor", json!({ "id": resume_id })).await;
    assert_eq!(editor["node"]["versions"]["nodes"].as_array().unwrap().len(), 3);
    let version = editor["node"]["currentVersion"]["id"].clone();

    let applied = run(
        &app,
        &ada,
        "application-board.graphql",
        "ApplyToJob",
        json!({ "input": { "jobId": job, "resumeVersionId": version } }),
    )
    .await;
    let application = applied["applyToJob"]["application"]["id"].clone();
    run(
        &app,
        &rita,
        "recruiter-pipeline.graphql",
        "MoveApplication",
        json!({ "input": { "applicationId": application, "status": "INTERVIEWING" } }),
    )
    .await;
    let kit = run(
        &app,
        &rita,
        "interviews.graphql",
        "CreateInterviewKit",
        json!({ "input": { "jobId": job, "name": "Technical", "kind": "TECHNICAL",
                           "questions": [{ "text": "Explain ownership.", "competency": "Rust", "weight": 2 }] } }),
    )
    .await;
    let kit = &kit["createInterviewKit"]["kit"];
    let scheduled = run(&app, &rita, "recruiter-pipeline.graphql", "ScheduleInterview", json!({ "input": { "applicationId": application, "kind": "TECHNICAL", "scheduledAt": "2030-01-15T10:00:00Z", "kitId": kit["id"] } })).await;
    let interview = scheduled["scheduleInterview"]["interview"]["id"].clone();
    let ratings = json!([{ "questionId": kit["questions"][0]["id"], "rating": "STRONG_YES", "notes": "Clear" }]);
    run(
        &app,
        &rita,
        "interviews.graphql",
        "SaveScorecardDraft",
        json!({ "input": { "interviewId": interview, "ratings": ratings } }),
    )
    .await;
    let input = json!({ "interviewId": interview, "ratings": ratings, "recommendation": "YES" });
    let submitted = run(&app, &rita, "interviews.graphql", "SubmitScorecard", json!({ "input": input })).await;
    assert_eq!(submitted["submitScorecard"]["scorecard"]["score"], 4.0);
    let ranked = run(&app, &rita, "interviews.graphql", "RankedApplicants", json!({ "jobId": job })).await;
    assert_eq!(ranked["job"]["applicants"]["nodes"][0]["interviewReport"]["score"], 4.0, "{ranked}");
    let pipeline = run(&app, &rita, "recruiter-pipeline.graphql", "RecruiterPipeline", json!({ "jobId": job })).await;
    assert_eq!(pipeline["node"]["applications"]["nodes"][0]["resumeVersion"]["version"], 3);
    assert_eq!(pipeline["analytics"]["pipeline"]["applicants"], 1);

    let board =
        run(&app, &ada, "application-board.graphql", "ApplicationBoard", json!({ "status": "INTERVIEWING" })).await;
    assert_eq!(board["viewer"]["applications"]["nodes"][0]["interviews"][0]["kind"], "TECHNICAL");
    let dashboard =
        run(&app, &ada, "dashboard.graphql", "Dashboard", json!({ "orderBy": { "field": "UPDATED_AT" } })).await;
    assert_eq!(dashboard["viewer"]["applications"]["nodes"][0]["job"]["viewerBookmark"]["favorite"], true);
    run(
        &app,
        &ada,
        "application-board.graphql",
        "WithdrawApplication",
        json!({ "input": { "applicationId": application } }),
    )
    .await;
}

#[tokio::test]
async fn a_graphql_ws_client_receives_the_events_it_subscribed_to() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    install_clients().await;
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let job = post_open_job(&app, &rita, "Engineer").await;

    let mut child = Command::new("node")
        .arg("subscribe.mjs")
        .arg(format!("{}/graphql", app.base_url.replacen("http://", "ws://", 1)))
        .arg(&rita)
        .arg("subscription($job: ID!) { jobApplications(jobId: $job) { status applicant { fullName } } }")
        .arg(json!({ "job": job }).to_string())
        .current_dir(clients_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs the graphql-ws client");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line()).await;
    assert_eq!(first.expect("the client connects").unwrap().as_deref(), Some("subscribed"));
    await_subscriptions(&app.base_url, 1).await;

    apply_to(&app, &ada, &job).await;
    let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("the event arrives")
        .unwrap()
        .expect("a result line");
    let result: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        result["data"]["jobApplications"],
        json!({ "status": "APPLIED", "applicant": { "fullName": "ada@example.com" } }),
        "{line}"
    );
    assert!(child.wait().await.unwrap().success());
}
