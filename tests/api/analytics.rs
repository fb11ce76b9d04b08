//! Analytics over HTTP on a known data set: the candidate's funnel,
//! conversion, median time to a first response, weekly activity and skill
//! demand; the recruiter's pipeline; admin totals; who may see what; and
//! snapshots (the mutation and `careergraph analytics snapshot`).

use crate::common;

use std::process::Command;

use chrono::{Datelike, Duration, Utc};
use common::{PASSWORD, TestApp, error_codes, recruiter, sign_up};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

async fn data(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(token), query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn post_job(app: &TestApp, token: &str, title: &str, required: &[&str], preferred: &[&str]) -> String {
    let query = "mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } } }";
    let input = json!({ "title": title, "description": "d", "companyName": "Initech", "status": "OPEN",
                        "requiredSkills": required, "preferredSkills": preferred });
    data(app, token, query, json!({ "input": input })).await["createJob"]["job"]["id"].as_str().unwrap().to_owned()
}

async fn apply(app: &TestApp, token: &str, job: &str, source: Option<&str>) -> String {
    let query = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } } }";
    let body = data(app, token, query, json!({ "input": { "jobId": job, "source": source } })).await;
    body["applyToJob"]["application"]["id"].as_str().unwrap().to_owned()
}

async fn move_to(app: &TestApp, token: &str, application: &str, status: &str) {
    let query = "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) {
        userErrors { code } } }";
    let body = data(app, token, query, json!({ "input": { "applicationId": application, "status": status } })).await;
    assert_eq!(body["updateApplicationStatus"]["userErrors"], json!([]));
}

/// Rewrites an application's history so that it was sent `days_ago` days ago
/// and each later status change came `steps[i]` days after sending. The
/// timeline is append-only for the API; the fixture lifts the trigger for
/// its one transaction.
async fn backdate(app: &TestApp, application: &str, days_ago: i64, steps: &[i64]) {
    let id = decode(application);
    let sent = Utc::now() - Duration::days(days_ago);
    let mut sql = format!(
        "BEGIN;
         ALTER TABLE application_events DISABLE TRIGGER append_only;
         UPDATE applications SET created_at = '{sent}', applied_at = '{sent}' WHERE id = '{id}';
         UPDATE application_events SET occurred_at = '{sent}' WHERE application_id = '{id}' AND kind = 'CREATED';"
    );
    for (index, offset) in steps.iter().enumerate() {
        let at = sent + Duration::days(*offset);
        sql.push_str(&format!(
            "UPDATE application_events SET occurred_at = '{at}' WHERE id = (
                 SELECT id FROM application_events WHERE application_id = '{id}' AND kind = 'STATUS_CHANGED'
                 ORDER BY created_at, id OFFSET {index} LIMIT 1);"
        ));
    }
    sql.push_str("ALTER TABLE application_events ENABLE TRIGGER append_only; COMMIT;");
    app.db.connect().await.batch_execute(&sql).await.unwrap();
}

/// The uuid inside a global id.
fn decode(id: &str) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id).unwrap();
    String::from_utf8(text).unwrap().split_once(':').unwrap().1.to_owned()
}

const CANDIDATE: &str = "{ analytics {
    applicationFunnel { status count }
    conversion { applied responded interviewed offered responseRate interviewRate offerRate }
    medianDaysToFirstResponse
    weeklyActivity(weeks: 4) { weekStart newApplications applied interviews offers }
    skillDemand(limit: 3) { skill requiredBy listedBy viewerHas } } }";

const PIPELINE: &str = "query($job: ID) { analytics { pipeline(jobId: $job) {
    applicants stages { status count medianDaysInStage }
    conversions { from to reached advanced rate } sources { source count } } } }";

struct Fixture {
    app: TestApp,
    ada: String,
    rita: String,
    first_job: String,
}

/// Rita posts four jobs; Ada (who knows Rust) saves one and applies to
/// three ten days ago: one goes to an offer (screened after 2 days,
/// interviewed after 5, offered after 9), one is rejected after 4 days, one
/// is not answered.
async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let first_job = post_job(&app, &rita, "Backend", &["Rust", "PostgreSQL"], &["Kubernetes"]).await;
    let second = post_job(&app, &rita, "Systems", &["rust", "Go"], &[]).await;
    let third = post_job(&app, &rita, "Data", &["Python"], &[]).await;
    let fourth = post_job(&app, &rita, "Tools", &["Rust"], &[]).await;
    let ada = sign_up(&app, "ada@example.com").await;
    data(&app, &ada, "mutation { addSkill(input: { name: \"RUST\" }) { skill { id } } }", json!({})).await;
    let save = "mutation($input: SaveJobInput!) { saveJob(input: $input) { application { id } } }";
    data(&app, &ada, save, json!({ "input": { "jobId": fourth } })).await;

    let offered = apply(&app, &ada, &first_job, Some("LinkedIn")).await;
    for status in ["SCREENING", "INTERVIEWING", "OFFERED"] {
        move_to(&app, &rita, &offered, status).await;
    }
    let rejected = apply(&app, &ada, &second, Some("Referral")).await;
    move_to(&app, &rita, &rejected, "REJECTED").await;
    let silent = apply(&app, &ada, &third, None).await;
    backdate(&app, &offered, 10, &[2, 5, 9]).await;
    backdate(&app, &rejected, 10, &[4]).await;
    backdate(&app, &silent, 10, &[]).await;
    Fixture { app, ada, rita, first_job }
}

#[tokio::test]
async fn candidate_figures_on_a_known_data_set() {
    let Fixture { app, ada, .. } = fixture().await;
    let analytics = data(&app, &ada, CANDIDATE, json!({})).await["analytics"].clone();
    assert_eq!(
        analytics["applicationFunnel"],
        json!([
            { "status": "SAVED", "count": 1 }, { "status": "APPLIED", "count": 1 },
            { "status": "SCREENING", "count": 0 }, { "status": "INTERVIEWING", "count": 0 },
            { "status": "OFFERED", "count": 1 }, { "status": "ACCEPTED", "count": 0 },
            { "status": "REJECTED", "count": 1 }, { "status": "WITHDRAWN", "count": 0 }
        ])
    );
    let conversion = &analytics["conversion"];
    assert_eq!(
        (&conversion["applied"], &conversion["responded"], &conversion["interviewed"], &conversion["offered"]),
        (&json!(3), &json!(2), &json!(1), &json!(1))
    );
    let close = |value: &Value, expected: f64| (value.as_f64().unwrap() - expected).abs() < 1e-6;
    assert!(close(&conversion["responseRate"], 2.0 / 3.0), "{conversion}");
    assert!(close(&conversion["interviewRate"], 1.0 / 3.0));
    assert!(close(&conversion["offerRate"], 1.0 / 3.0));
    // First answers after 2 and 4 days.
    assert!(close(&analytics["medianDaysToFirstResponse"], 3.0), "{analytics}");
    assert_eq!(
        analytics["skillDemand"],
        json!([
            { "skill": "Rust", "requiredBy": 3, "listedBy": 3, "viewerHas": true },
            { "skill": "Go", "requiredBy": 1, "listedBy": 1, "viewerHas": false },
            { "skill": "PostgreSQL", "requiredBy": 1, "listedBy": 1, "viewerHas": false }
        ])
    );

    // Four weeks, Monday to Sunday (UTC), oldest first, zeros included.
    let weeks = analytics["weeklyActivity"].as_array().unwrap();
    let monday = |at: chrono::DateTime<Utc>| {
        let day = at.date_naive();
        (day - Duration::days(i64::from(day.weekday().num_days_from_monday()))).to_string()
    };
    let now = Utc::now();
    let starts: Vec<String> = (0..4).rev().map(|back| monday(now - Duration::weeks(back))).collect();
    assert_eq!(weeks.iter().map(|week| week["weekStart"].as_str().unwrap()).collect::<Vec<_>>(), starts);
    let week_of =
        |at: chrono::DateTime<Utc>| weeks.iter().find(|week| week["weekStart"] == monday(at).as_str()).unwrap();
    let sent = now - Duration::days(10);
    assert_eq!(week_of(sent)["applied"], 3, "{weeks:?}");
    assert_eq!(week_of(sent)["newApplications"], 3);
    assert_eq!(week_of(now)["newApplications"], 1, "the saved job");
    assert_eq!(week_of(sent + Duration::days(9))["offers"], 1);
    let total = |field: &str| weeks.iter().map(|week| week[field].as_i64().unwrap()).sum::<i64>();
    assert_eq!((total("applied"), total("newApplications"), total("offers"), total("interviews")), (3, 4, 1, 0));

    let bad = app.graphql_as(Some(&ada), "{ analytics { weeklyActivity(weeks: 0) { applied } } }", json!({})).await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
    let anonymous = app.graphql("{ analytics { medianDaysToFirstResponse } }", json!({})).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
    // Someone else's figures are their own: a new candidate sees zeros.
    let bob = sign_up(&app, "bob@example.com").await;
    let fresh = data(&app, &bob, CANDIDATE, json!({})).await["analytics"].clone();
    assert!(fresh["applicationFunnel"].as_array().unwrap().iter().all(|stage| stage["count"] == 0));
    assert_eq!(fresh["conversion"]["responseRate"], Value::Null);
    assert_eq!(fresh["medianDaysToFirstResponse"], Value::Null);
}

#[tokio::test]
async fn the_recruiter_pipeline_on_a_known_data_set() {
    let Fixture { app, ada, rita, first_job } = fixture().await;
    let pipeline = data(&app, &rita, PIPELINE, json!({})).await["analytics"]["pipeline"].clone();
    assert_eq!(pipeline["applicants"], 3, "the saved application is Ada's own");
    let stages: Vec<(String, i64, Option<f64>)> = pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["status"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap(), s["medianDaysInStage"].as_f64())
        })
        .collect();
    let rounded = |days: Option<f64>| days.map(|d| (d * 1000.0).round() / 1000.0);
    let stages: Vec<(&str, i64, Option<f64>)> =
        stages.iter().map(|(status, count, days)| (status.as_str(), *count, rounded(*days))).collect();
    assert_eq!(
        stages,
        [
            // Left APPLIED after 2 and 4 days; the unanswered one has not left.
            ("APPLIED", 1, Some(3.0)),
            ("SCREENING", 0, Some(3.0)),
            ("INTERVIEWING", 0, Some(4.0)),
            ("OFFERED", 1, None),
            ("ACCEPTED", 0, None),
            ("REJECTED", 1, None),
            ("WITHDRAWN", 0, None)
        ]
    );
    let conversions: Vec<(String, String, i64, i64)> = pipeline["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |field: &str| c[field].as_str().unwrap().to_owned();
            (text("from"), text("to"), c["reached"].as_i64().unwrap(), c["advanced"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        conversions,
        [
            ("APPLIED".into(), "SCREENING".into(), 3, 1),
            ("SCREENING".into(), "INTERVIEWING".into(), 1, 1),
            ("INTERVIEWING".into(), "OFFERED".into(), 1, 1),
            ("OFFERED".into(), "ACCEPTED".into(), 1, 0)
        ]
    );
    assert_eq!(pipeline["conversions"][3]["rate"], 0.0);
    assert_eq!(
        pipeline["sources"],
        json!([{ "source": "LinkedIn", "count": 1 }, { "source": "Referral", "count": 1 }, { "source": null, "count": 1 }])
    );
    let one = data(&app, &rita, PIPELINE, json!({ "job": first_job })).await["analytics"]["pipeline"].clone();
    assert_eq!(one["applicants"], 1);
    assert_eq!(one["sources"], json!([{ "source": "LinkedIn", "count": 1 }]));

    // Candidates have no pipeline; other recruiters do not see Rita's.
    let refused = app.graphql_as(Some(&ada), PIPELINE, json!({})).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let sam = recruiter(&app, "sam@example.com").await;
    assert_eq!(error_codes(&app.graphql_as(Some(&sam), PIPELINE, json!({ "job": first_job })).await), ["FORBIDDEN"]);
    let empty = data(&app, &sam, PIPELINE, json!({})).await["analytics"]["pipeline"].clone();
    assert_eq!(empty["applicants"], 0);
    assert_eq!(empty["conversions"][0]["rate"], Value::Null);

    // Platform totals are for admins.
    let platform = "{ analytics { platform { users candidates recruiters jobs openJobs applications applicationsSent resumes } } }";
    assert_eq!(error_codes(&app.graphql_as(Some(&rita), platform, json!({})).await), ["FORBIDDEN"]);
    let mut conn = app.db.connect().await;
    careergraph::users::create_admin(&mut conn, "root@example.com", "Root", PASSWORD).await.unwrap();
    let admin = common::login(&app, "root@example.com", PASSWORD).await;
    assert_eq!(
        data(&app, &admin, platform, json!({})).await["analytics"]["platform"],
        json!({ "users": 4, "candidates": 1, "recruiters": 2, "jobs": 4, "openJobs": 4, "applications": 4,
                "applicationsSent": 3, "resumes": 0 })
    );
}

#[tokio::test]
async fn snapshots_store_the_day_and_history_reads_them() {
    let Fixture { app, ada, rita, .. } = fixture().await;
    let take = "mutation { snapshotAnalytics { snapshot { date metrics } userErrors { code } } }";
    let first = data(&app, &ada, take, json!({})).await["snapshotAnalytics"]["snapshot"].clone();
    let today = Utc::now().date_naive().to_string();
    assert_eq!(first["date"], today.as_str());
    assert_eq!(first["metrics"]["funnel"]["OFFERED"], 1);
    assert_eq!(first["metrics"]["outcomes"], json!({ "applied": 3, "responded": 2, "interviewed": 1, "offered": 1 }));
    assert!(first["metrics"].get("pipeline").is_none(), "candidates have no pipeline");
    // Taking it again the same day replaces it.
    data(&app, &ada, take, json!({})).await;
    let history = "query($days: Int!) { analytics { history(days: $days) { date metrics } } }";
    let stored = data(&app, &ada, history, json!({ "days": 7 })).await["analytics"]["history"].clone();
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(stored[0]["metrics"]["medianDaysToFirstResponse"].as_f64().map(f64::round), Some(3.0));

    // An older day shows up within its window only.
    let mut conn = app.db.connect().await;
    diesel::sql_query(
        "INSERT INTO analytics_snapshots (id, user_id, snapshot_date, metrics)
         SELECT gen_random_uuid(), user_id, snapshot_date - 5, '{\"funnel\": {}}' FROM analytics_snapshots",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let week = data(&app, &ada, history, json!({ "days": 7 })).await["analytics"]["history"].clone();
    let dates: Vec<&str> = week.as_array().unwrap().iter().map(|s| s["date"].as_str().unwrap()).collect();
    assert_eq!(dates, [(Utc::now().date_naive() - Duration::days(5)).to_string(), today.clone()]);
    assert_eq!(
        data(&app, &ada, history, json!({ "days": 5 })).await["analytics"]["history"].as_array().unwrap().len(),
        1
    );
    assert_eq!(error_codes(&app.graphql_as(Some(&ada), history, json!({ "days": 0 })).await), ["BAD_USER_INPUT"]);

    // The command line takes everyone's.
    let output = Command::new(env!("CARGO_BIN_EXE_careergraph"))
        .args(["analytics", "snapshot"])
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("for 2 users"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let recruiter_day = data(&app, &rita, history, json!({ "days": 1 })).await["analytics"]["history"].clone();
    assert_eq!(recruiter_day[0]["metrics"]["pipeline"]["applicants"], 3, "{recruiter_day}");
}
