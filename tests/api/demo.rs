//! `careergraph seed --demo`: a believable data set in an empty database,
//! usable through the API at once, and never seeded twice.

use crate::common;

use std::process::Command;

use careergraph::config::ServerArgs;
use common::{TestApp, TestDb, demo_login};
use serde_json::json;

fn seed(url: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_careergraph"))
        .args(["seed", "--demo"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn demo_data_is_seeded_once_and_explorable() {
    let db = TestDb::migrated().await;
    let printed = seed(&db.url);
    assert!(printed.contains("candidate1@demo.careergraph.dev"), "{printed}");
    assert!(printed.contains("recruiter1@demo.careergraph.dev"), "{printed}");
    let app = TestApp::serve(db, ServerArgs::default()).await;

    let candidate = demo_login(&app, "candidate1@demo.careergraph.dev").await;
    let dashboard = app
        .graphql_as(
            Some(&candidate),
            "{ viewer { fullName skills { name } experiences { title achievements { description } }
               applications(first: 20) { totalCount nodes { status job { title company { name } } events { totalCount } } } }
               jobs(first: 5) { totalCount nodes { title match { score } } }
               recommendedJobs(first: 3) { nodes { title } } }",
            json!({}),
        )
        .await;
    assert!(dashboard.get("errors").is_none(), "{dashboard}");
    let viewer = &dashboard["data"]["viewer"];
    assert_eq!(viewer["skills"].as_array().unwrap().len(), 6);
    assert_eq!(viewer["experiences"][0]["achievements"].as_array().unwrap().len(), 2);
    let applications = viewer["applications"]["nodes"].as_array().unwrap();
    // Nine across the pipeline, and the flagship opening's interviews.
    assert_eq!(viewer["applications"]["totalCount"], 10);
    let statuses: std::collections::HashSet<&str> =
        applications.iter().map(|a| a["status"].as_str().unwrap()).collect();
    for status in ["SAVED", "APPLIED", "SCREENING", "INTERVIEWING", "OFFERED", "ACCEPTED", "REJECTED", "WITHDRAWN"] {
        assert!(statuses.contains(status), "no {status} application: {statuses:?}");
    }
    assert!(dashboard["data"]["jobs"]["totalCount"].as_i64().unwrap() > 150);
    assert_eq!(dashboard["data"]["recommendedJobs"]["nodes"].as_array().unwrap().len(), 3);

    // The demo resume downloads in every theme from the URL GraphiQL shows.
    let links = app
        .graphql_as(
            Some(&candidate),
            "{ viewer { resumes(first: 1) { nodes { currentVersion {
                 classic: pdfUrl modern: pdfUrl(theme: MODERN) compact: pdfUrl(theme: COMPACT, paper: LETTER) } } } } }",
            json!({}),
        )
        .await;
    let version = &links["data"]["viewer"]["resumes"]["nodes"][0]["currentVersion"];
    for theme in ["classic", "modern", "compact"] {
        let url = version[theme].as_str().unwrap_or_else(|| panic!("{links}"));
        let response = reqwest::get(app.url(url)).await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let text = crate::documents::pdf_text(&response.bytes().await.unwrap());
        assert!(text.contains("Ada Lovelace") && text.to_lowercase().contains("skills"), "{theme}: {text}");
    }

    let recruiter = demo_login(&app, "recruiter1@demo.careergraph.dev").await;
    let pipeline = app.graphql_as(Some(&recruiter), "{ viewer { fullName company { name } } }", json!({})).await;
    assert_eq!(pipeline["data"]["viewer"]["company"]["name"], "Northwind Labs", "{pipeline}");

    // A second seed leaves the data alone.
    let again = seed(&app.db.url);
    assert!(!again.contains("Seeded"), "{again}");
    let admin = demo_login(&app, "admin@demo.careergraph.dev").await;
    let users = app.graphql_as(Some(&admin), "{ users { totalCount } }", json!({})).await;
    assert_eq!(users["data"]["users"]["totalCount"], 10);
}

#[tokio::test]
async fn bulk_seeding_adds_consistent_data_in_every_stage() {
    let db = TestDb::migrated().await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_careergraph"))
            .arg("seed")
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    };
    let refused = run(&["--users", "5", "--jobs", "3"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("jobs need recruiters"));
    let output = run(&["--users", "40", "--jobs", "12", "--applications", "200"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.contains("Added 40 users, 12 jobs, 200 applications"), "{printed}");
    // A second run adds alongside the first.
    assert!(run(&["--users", "10"]).status.success());

    let candidate = printed.split("a candidate (").nth(1).and_then(|rest| rest.split(')').next()).unwrap().to_owned();
    let app = TestApp::serve(db, ServerArgs::default()).await;
    let token = demo_login(&app, &candidate).await;
    let body = app
        .graphql_as(
            Some(&token),
            "{ viewer { skills { name } applications(first: 100) { totalCount nodes { status events(first: 10) { nodes { fromStatus toStatus } } } } } }",
            json!({}),
        )
        .await;
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["skills"].as_array().unwrap().len(), 3, "{body}");
    // 200 applications over 36 candidates: 5 or 6 each.
    let total = viewer["applications"]["totalCount"].as_i64().unwrap();
    assert!((5..=6).contains(&total), "{total}");
    for application in viewer["applications"]["nodes"].as_array().unwrap() {
        let events = application["events"]["nodes"].as_array().unwrap();
        assert_eq!(events.last().unwrap()["toStatus"], application["status"], "{application}");
        for pair in events.windows(2) {
            assert_eq!(pair[1]["fromStatus"], pair[0]["toStatus"], "the timeline chains: {application}");
        }
    }
    let mut conn = app.db.connect().await;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Stage {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
    }
    let statuses: Vec<Stage> =
        diesel::sql_query("SELECT DISTINCT status FROM applications ORDER BY status").load(&mut conn).await.unwrap();
    let statuses: Vec<&str> = statuses.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(statuses, ["APPLIED", "INTERVIEWING", "OFFERED", "REJECTED", "SAVED", "SCREENING"]);
}
