//! Applications over HTTP: saving and applying, the status state machine
//! and who may move it, the timeline, privacy between candidates and
//! recruiters, lists and filters, a race of concurrent changes, and the
//! dashboard's statement count.

use crate::common;

use careergraph::config::ServerArgs;
use common::{TestApp, counted_app, error_codes, recruiter, sign_up};
use serde_json::{Value, json};

async fn post_job(app: &TestApp, token: &str, title: &str, status: &str) -> String {
    let body = app
        .graphql_as(
            Some(token),
            "mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } userErrors { code } } }",
            json!({ "input": { "title": title, "description": "d", "companyName": "Acme", "status": status } }),
        )
        .await;
    body["data"]["createJob"]["job"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
}

const APPLY: &str = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) {
    application { id status appliedAt } userErrors { field code } } }";
const MOVE: &str = "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) {
    application { status } userErrors { field code } } }";
const TIMELINE: &str = "query($id: ID!) { node(id: $id) { ... on Application { status
    events(first: 20) { totalCount nodes { kind fromStatus toStatus note actor { fullName } } } } } }";

async fn apply(app: &TestApp, token: &str, job: &str) -> Value {
    app.graphql_as(Some(token), APPLY, json!({ "input": { "jobId": job } })).await["data"]["applyToJob"].clone()
}

async fn move_to(app: &TestApp, token: &str, application: &str, status: &str) -> Value {
    app.graphql_as(Some(token), MOVE, json!({ "input": { "applicationId": application, "status": status } })).await
}

#[tokio::test]
async fn saving_then_applying_makes_one_application_with_a_timeline() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;

    let saved = app
        .graphql_as(
            Some(&ada),
            "mutation($input: SaveJobInput!) { saveJob(input: $input) { application { id status appliedAt } } }",
            json!({ "input": { "jobId": job, "notes": "Looks great" } }),
        )
        .await;
    let saved = &saved["data"]["saveJob"]["application"];
    assert_eq!(saved["status"], "SAVED", "{saved}");
    assert_eq!(saved["appliedAt"], Value::Null);

    let applied = apply(&app, &ada, &job).await;
    assert_eq!(applied["application"]["id"], saved["id"], "the saved application is the one sent");
    assert_eq!(applied["application"]["status"], "APPLIED");
    assert!(applied["application"]["appliedAt"].is_string());

    let again = apply(&app, &ada, &job).await;
    assert_eq!(again["userErrors"], json!([{ "field": ["input", "jobId"], "code": "ALREADY_APPLIED" }]));

    let timeline = app.graphql_as(Some(&ada), TIMELINE, json!({ "id": saved["id"] })).await;
    let events = &timeline["data"]["node"]["events"];
    assert_eq!(events["totalCount"], 2, "{timeline}");
    assert_eq!(events["nodes"][0]["kind"], "CREATED");
    assert_eq!(
        events["nodes"][1],
        json!({ "kind": "STATUS_CHANGED", "fromStatus": "SAVED", "toStatus": "APPLIED", "note": null, "actor": { "fullName": "ada@example.com" } })
    );

    let draft = post_job(&app, &rita, "Draft", "DRAFT").await;
    assert_eq!(
        error_codes(&app.graphql_as(Some(&ada), APPLY, json!({ "input": { "jobId": draft } })).await),
        ["NOT_FOUND"]
    );
    let closed = post_job(&app, &rita, "Closing", "OPEN").await;
    app.graphql_as(
        Some(&rita),
        "mutation($input: CloseJobInput!) { closeJob(input: $input) { job { status } } }",
        json!({ "input": { "id": closed } }),
    )
    .await;
    assert_eq!(apply(&app, &ada, &closed).await["userErrors"][0]["code"], "JOB_NOT_OPEN");
}

#[tokio::test]
async fn recruiters_move_the_pipeline_candidates_withdraw_or_accept() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let id = apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned();

    assert_eq!(
        error_codes(&move_to(&app, &ada, &id, "SCREENING").await),
        ["FORBIDDEN"],
        "candidates do not screen themselves"
    );
    for status in ["SCREENING", "INTERVIEWING"] {
        let body = move_to(&app, &rita, &id, status).await;
        assert_eq!(body["data"]["updateApplicationStatus"]["application"]["status"], status, "{body}");
    }
    let backwards = move_to(&app, &rita, &id, "SCREENING").await;
    assert_eq!(
        backwards["data"]["updateApplicationStatus"]["userErrors"],
        json!([{ "field": ["input", "status"], "code": "INVALID_TRANSITION" }])
    );
    assert_eq!(
        error_codes(&move_to(&app, &rita, &id, "WITHDRAWN").await),
        ["FORBIDDEN"],
        "only the candidate withdraws"
    );
    move_to(&app, &rita, &id, "OFFERED").await;
    let accepted = move_to(&app, &ada, &id, "ACCEPTED").await;
    assert_eq!(accepted["data"]["updateApplicationStatus"]["application"]["status"], "ACCEPTED", "{accepted}");
    let withdraw = app
        .graphql_as(Some(&ada), "mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { userErrors { code } } }", json!({ "input": { "applicationId": id } }))
        .await;
    assert_eq!(
        withdraw["data"]["withdrawApplication"]["userErrors"][0]["code"], "INVALID_TRANSITION",
        "ACCEPTED is final"
    );

    let timeline = app.graphql_as(Some(&rita), TIMELINE, json!({ "id": id })).await;
    let moves: Vec<String> = timeline["data"]["node"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!("{}:{}", e["toStatus"].as_str().unwrap_or("-"), e["actor"]["fullName"].as_str().unwrap_or("?"))
        })
        .collect();
    assert_eq!(
        moves,
        [
            "APPLIED:ada@example.com",
            "SCREENING:Rita Recruiter",
            "INTERVIEWING:Rita Recruiter",
            "OFFERED:Rita Recruiter",
            "ACCEPTED:ada@example.com"
        ]
    );
}

#[tokio::test]
async fn candidates_track_imported_jobs_themselves() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let imported = app
        .graphql_as(
            Some(&ada),
            "mutation($input: ImportJobInput!) { importJob(input: $input) { job { id } } }",
            json!({ "input": { "title": "Elsewhere", "companyName": "Globex", "source": "board", "externalId": "9" } }),
        )
        .await;
    let job = imported["data"]["importJob"]["job"]["id"].as_str().unwrap().to_owned();
    let id = apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned();
    for status in ["SCREENING", "OFFERED", "REJECTED"] {
        let body = move_to(&app, &ada, &id, status).await;
        assert_eq!(body["data"]["updateApplicationStatus"]["application"]["status"], status, "{body}");
    }
}

#[tokio::test]
async fn applications_are_private_to_the_candidate_and_the_jobs_recruiter() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let other_recruiter = recruiter(&app, "other@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let saved_job = post_job(&app, &rita, "Maybe later", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    let id = apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned();
    app.graphql_as(
        Some(&ada),
        "mutation($input: TagApplicationInput!) { tagApplication(input: $input) { userErrors { code } } }",
        json!({ "input": { "applicationId": id, "tags": ["top"] } }),
    )
    .await;
    let saved = app
        .graphql_as(
            Some(&ada),
            "mutation($input: SaveJobInput!) { saveJob(input: $input) { application { id } } }",
            json!({ "input": { "jobId": saved_job } }),
        )
        .await;
    let saved_id = saved["data"]["saveJob"]["application"]["id"].clone();

    let query = "query($id: ID!) { node(id: $id) { ... on Application { status tags applicant { fullName email } } } }";
    for token in [&bob, &other_recruiter] {
        assert_eq!(error_codes(&app.graphql_as(Some(token), query, json!({ "id": id })).await), ["NOT_FOUND"]);
    }
    let seen = app.graphql_as(Some(&rita), query, json!({ "id": id })).await;
    assert_eq!(
        seen["data"]["node"],
        json!({ "status": "APPLIED", "tags": [], "applicant": { "fullName": "ada@example.com", "email": null } }),
        "{seen}"
    );
    assert_eq!(
        error_codes(&app.graphql_as(Some(&rita), query, json!({ "id": saved_id })).await),
        ["NOT_FOUND"],
        "saved applications are not sent"
    );
    let own = app.graphql_as(Some(&ada), query, json!({ "id": id })).await;
    assert_eq!(own["data"]["node"]["tags"], json!(["top"]));

    let jobs_view =
        "query($id: ID!) { job(id: $id) { applicationCount applications { totalCount nodes { status } } } }";
    let recruiter_view = app.graphql_as(Some(&rita), jobs_view, json!({ "id": job })).await;
    assert_eq!(
        recruiter_view["data"]["job"],
        json!({ "applicationCount": 1, "applications": { "totalCount": 1, "nodes": [{ "status": "APPLIED" }] } })
    );
    let outsider_view = app.graphql_as(Some(&bob), jobs_view, json!({ "id": job })).await;
    assert_eq!(outsider_view["data"]["job"], json!({ "applicationCount": null, "applications": null }));
    let tag_by_recruiter = app
        .graphql_as(
            Some(&rita),
            "mutation($input: TagApplicationInput!) { tagApplication(input: $input) { userErrors { code } } }",
            json!({ "input": { "applicationId": id, "tags": ["x"] } }),
        )
        .await;
    assert_eq!(error_codes(&tag_by_recruiter), ["FORBIDDEN"]);
}

#[tokio::test]
async fn viewer_applications_filter_and_page() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let job = post_job(&app, &rita, &format!("Job {n}"), "OPEN").await;
        ids.push(apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned());
    }
    app.graphql_as(
        Some(&ada),
        "mutation($input: ArchiveApplicationInput!) { archiveApplication(input: $input) { application { archived } } }",
        json!({ "input": { "applicationId": ids[0] } }),
    )
    .await;
    app.graphql_as(
        Some(&ada),
        "mutation($input: TagApplicationInput!) { tagApplication(input: $input) { userErrors { code } } }",
        json!({ "input": { "applicationId": ids[1], "tags": ["dream"] } }),
    )
    .await;
    let note = app
        .graphql_as(Some(&rita), "mutation($input: AddApplicationNoteInput!) { addApplicationNote(input: $input) { application { id } userErrors { code } } }", json!({ "input": { "applicationId": ids[2], "note": "Strong profile" } }))
        .await;
    assert_eq!(note["data"]["addApplicationNote"]["application"]["id"], ids[2].as_str(), "{note}");
    move_to(&app, &rita, &ids[3], "REJECTED").await;

    let list = "query($filter: ApplicationFilter, $first: Int, $after: String) { viewer { applications(filter: $filter, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id job { title } } } } }";
    let titles = |body: &Value| -> Vec<String> {
        body["data"]["viewer"]["applications"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|n| n["job"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = app.graphql_as(Some(&ada), list, json!({ "first": 3 })).await;
    assert_eq!(titles(&first), ["Job 3", "Job 2", "Job 1"]);
    assert_eq!(first["data"]["viewer"]["applications"]["totalCount"], 4);
    let rest = app
        .graphql_as(
            Some(&ada),
            list,
            json!({ "first": 3, "after": first["data"]["viewer"]["applications"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(titles(&rest), ["Job 0"]);
    for (filter, expected) in [
        (json!({ "archived": true }), vec!["Job 0"]),
        (json!({ "tag": "dream" }), vec!["Job 1"]),
        (json!({ "status": "REJECTED" }), vec!["Job 3"]),
    ] {
        assert_eq!(titles(&app.graphql_as(Some(&ada), list, json!({ "filter": filter })).await), expected, "{filter}");
    }
    let timeline = app.graphql_as(Some(&ada), TIMELINE, json!({ "id": ids[2] })).await;
    assert_eq!(timeline["data"]["node"]["events"]["nodes"][1]["note"], "Strong profile");

    // orderBy: the oldest first, recent activity first, and cursors that
    // belong to their ordering.
    let ordered = "query($order: ApplicationOrder, $first: Int, $after: String, $last: Int, $before: String) {
        viewer { applications(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id job { title } } } } }";
    let oldest = json!({ "field": "CREATED_AT", "direction": "ASC" });
    let page = app.graphql_as(Some(&ada), ordered, json!({ "order": oldest, "first": 2 })).await;
    assert_eq!(titles(&page), ["Job 0", "Job 1"]);
    let cursor = page["data"]["viewer"]["applications"]["pageInfo"]["endCursor"].clone();
    let next = app.graphql_as(Some(&ada), ordered, json!({ "order": oldest, "first": 2, "after": cursor })).await;
    assert_eq!(titles(&next), ["Job 2", "Job 3"]);
    let back = app.graphql_as(Some(&ada), ordered, json!({ "order": oldest, "last": 1, "before": cursor })).await;
    assert_eq!(titles(&back), ["Job 0"]);
    app.graphql_as(
        Some(&ada),
        "mutation($input: TagApplicationInput!) { tagApplication(input: $input) { userErrors { code } } }",
        json!({ "input": { "applicationId": ids[0], "tags": ["revisit"] } }),
    )
    .await;
    let recent = json!({ "field": "UPDATED_AT" });
    let active = app.graphql_as(Some(&ada), ordered, json!({ "order": recent, "first": 1 })).await;
    assert_eq!(titles(&active), ["Job 0"], "the application touched last leads");
    let mixed = app.graphql_as(Some(&ada), ordered, json!({ "order": recent, "first": 1, "after": cursor })).await;
    assert_eq!(error_codes(&mixed), ["BAD_USER_INPUT"]);
    let others = app.graphql_as(Some(&rita), "{ viewer { applications { totalCount } } }", json!({})).await;
    assert_eq!(others["data"]["viewer"]["applications"]["totalCount"], 0);
}

#[tokio::test]
async fn concurrent_status_changes_never_lose_an_update() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let id = apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned();

    // Race several moves from APPLIED; each is legal alone.
    let targets = ["SCREENING", "INTERVIEWING", "OFFERED", "REJECTED", "SCREENING", "INTERVIEWING"];
    let results = futures_util::future::join_all(targets.iter().map(|status| move_to(&app, &rita, &id, status))).await;
    let succeeded =
        results.iter().filter(|body| body["data"]["updateApplicationStatus"]["application"].is_object()).count();
    assert!(succeeded >= 1);

    // The timeline holds exactly the successful moves, each starting where the last one ended.
    let timeline = app.graphql_as(Some(&rita), TIMELINE, json!({ "id": id })).await;
    let events = timeline["data"]["node"]["events"]["nodes"].as_array().unwrap();
    let moves: Vec<&Value> = events.iter().filter(|e| e["kind"] == "STATUS_CHANGED").collect();
    assert_eq!(moves.len(), succeeded, "{timeline}");
    let mut current = "APPLIED".to_owned();
    for event in moves {
        assert_eq!(event["fromStatus"], current.as_str(), "a lost update: {timeline}");
        current = event["toStatus"].as_str().unwrap().to_owned();
    }
    assert_eq!(timeline["data"]["node"]["status"], current.as_str());
}

#[tokio::test]
async fn the_dashboard_costs_the_same_statements_for_2_or_50_applications() {
    // All 32 of the concurrent round below run at once, none queued or shed.
    let config = ServerArgs { debug_sql_count: true, max_in_flight: Some(32), ..ServerArgs::default() };
    let app = TestApp::spawn_with(config).await;
    let ada = sign_up(&app, "ada@example.com").await;
    let mut recruiters = Vec::new();
    for n in 0..5 {
        recruiters.push(recruiter(&app, &format!("r{n}@example.com")).await);
    }
    let resume = app
        .graphql_as(
            Some(&ada),
            "mutation { createResume(input: { title: \"Main\" }) { resume { currentVersion { id } } } }",
            json!({}),
        )
        .await["data"]["createResume"]["resume"]["currentVersion"]["id"]
        .clone();
    for n in 0..50 {
        let job = post_job(&app, &recruiters[n % 5], &format!("Job {n}"), "OPEN").await;
        let input = json!({ "input": { "jobId": job, "resumeVersionId": resume } });
        let applied = app.graphql_as(Some(&ada), APPLY, input).await;
        let id = applied["data"]["applyToJob"]["application"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{applied}"))
            .to_owned();
        move_to(&app, &recruiters[n % 5], &id, "SCREENING").await;
        app.graphql_as(
            Some(&ada),
            "mutation($input: BookmarkJobInput!) { bookmarkJob(input: $input) { userErrors { code } } }",
            json!({ "input": { "jobId": job, "favorite": true } }),
        )
        .await;
    }
    let dashboard = "query($first: Int) { viewer { applications(first: $first) { nodes { status
        job { title company { name } postedBy { fullName } viewerBookmark { favorite } }
        resumeVersion { version }
        events(first: 3) { nodes { kind toStatus actor { fullName } } } } } } }";
    let mut counts = Vec::new();
    for first in [2, 50] {
        let body = app.graphql_as(Some(&ada), dashboard, json!({ "first": first })).await;
        let nodes = body["data"]["viewer"]["applications"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(nodes.len(), first);
        assert_eq!(nodes[0]["events"]["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(nodes[0]["job"]["viewerBookmark"]["favorite"], true);
        assert!(nodes.iter().all(|node| node["resumeVersion"]["version"] == 1));
        counts.push(body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(counts[0], counts[1], "statements for 2 vs 50 applications: {counts:?}");
    // The viewer; the page with its resume versions in it; its jobs with
    // their companies and posters in them, and its events with their actors
    // in them; then the jobs' bookmarks.
    assert_eq!(counts[0], 5, "one statement per kind of row at each level: {counts:?}");

    // The same with 32 in flight on this machine's cores: batches do not
    // depend on timing.
    let concurrent = (0..32).map(|_| app.graphql_as(Some(&ada), dashboard, json!({ "first": 50 })));
    let under_load: Vec<u64> = futures_util::future::join_all(concurrent)
        .await
        .iter()
        .map(|body| body["extensions"]["sqlStatements"].as_u64().unwrap_or_else(|| panic!("{body}")))
        .collect();
    assert!(under_load.iter().all(|&count| count == counts[0]), "{under_load:?} vs {}", counts[0]);
}

#[tokio::test]
async fn the_pipeline_page_costs_the_same_statements_for_2_or_12_applicants() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    for n in 0..12 {
        let candidate = sign_up(&app, &format!("c{n}@example.com")).await;
        let id = apply(&app, &candidate, &job).await["application"]["id"].as_str().unwrap().to_owned();
        if n % 2 == 0 {
            move_to(&app, &rita, &id, "SCREENING").await;
        }
    }
    // The recruiter's pipeline: each applicant's last event, and the last
    // two in timeline order, batched across the page.
    let pipeline = "query($id: ID!, $first: Int) { node(id: $id) { ... on Job { applications(first: $first) {
        nodes { status applicant { fullName }
          last: events(last: 1) { nodes { kind toStatus } pageInfo { hasPreviousPage } }
          lastTwo: events(last: 2) { nodes { kind } pageInfo { hasPreviousPage } } } } } } }";
    let mut counts = Vec::new();
    for first in [2, 12] {
        let body = app.graphql_as(Some(&rita), pipeline, json!({ "id": job, "first": first })).await;
        let nodes = body["data"]["node"]["applications"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(nodes.len(), first, "{body}");
        for node in nodes {
            let moved = node["status"] == "SCREENING";
            let last = &node["last"];
            let expected = if moved {
                json!([{ "kind": "STATUS_CHANGED", "toStatus": "SCREENING" }])
            } else {
                json!([{ "kind": "CREATED", "toStatus": "APPLIED" }])
            };
            assert_eq!(last["nodes"], expected, "{body}");
            assert_eq!(last["pageInfo"]["hasPreviousPage"], moved, "{body}");
            let two = if moved {
                json!([{ "kind": "CREATED" }, { "kind": "STATUS_CHANGED" }])
            } else {
                json!([{ "kind": "CREATED" }])
            };
            assert_eq!(node["lastTwo"]["nodes"], two, "{body}");
            assert_eq!(node["lastTwo"]["pageInfo"]["hasPreviousPage"], false, "{body}");
        }
        counts.push(body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(counts[0], counts[1], "statements for 2 vs 12 applicants: {counts:?}");
    // The job, the page with its applicants in it, both ends of the
    // timelines.
    assert_eq!(counts[0], 3, "{counts:?}");
}

#[tokio::test]
async fn a_pages_applicants_resume_versions_and_actors_are_those_each_application_shows_alone() {
    // A page of applications reads its applicants and resume versions in
    // its own statement (`db::Related`), from the application's visibility
    // rather than the users' and versions' own rules; the candidate and the
    // recruiter must see there what `node(id:)` shows them through the
    // loaders, before and after the resume is deleted. The first events of
    // a timeline read their actors in their statement too, and must show
    // what a page after a cursor loads.
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    let resume = "mutation { createResume(input: { title: \"Main\" }) { resume { id currentVersion { id } } } }";
    let created = app.graphql_as(Some(&ada), resume, json!({})).await;
    let resume_id = created["data"]["createResume"]["resume"]["id"].clone();
    let version = created["data"]["createResume"]["resume"]["currentVersion"]["id"].clone();
    let sent =
        app.graphql_as(Some(&ada), APPLY, json!({ "input": { "jobId": job, "resumeVersionId": version } })).await;
    assert_eq!(sent["data"]["applyToJob"]["userErrors"], json!([]), "{sent}");
    apply(&app, &bob, &job).await;

    let parts = "fragment Parts on Application { id applicant { fullName email } resumeVersion { version } }";
    let mine = format!("{{ viewer {{ applications(first: 10) {{ nodes {{ ...Parts }} }} }} }} {parts}");
    let theirs = format!(
        "query($id: ID!) {{ job(id: $id) {{ applications(first: 10) {{ edges {{ node {{ ...Parts }} }} }} }} }} {parts}"
    );
    let alone = format!("query($id: ID!) {{ node(id: $id) {{ ...Parts }} }} {parts}");
    let pages = async || {
        let ada_page = app.graphql_as(Some(&ada), &mine, json!({})).await;
        let rita_page = app.graphql_as(Some(&rita), &theirs, json!({ "id": job })).await;
        let ada_listed = ada_page["data"]["viewer"]["applications"]["nodes"].as_array().unwrap().clone();
        let rita_listed: Vec<Value> = rita_page["data"]["job"]["applications"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{rita_page}"))
            .iter()
            .map(|edge| edge["node"].clone())
            .collect();
        assert_eq!(ada_listed.len(), 1);
        assert_eq!(rita_listed.len(), 2);
        for (viewer, listed) in [(&ada, &ada_listed), (&rita, &rita_listed)] {
            for node in listed {
                let single = app.graphql_as(Some(viewer), &alone, json!({ "id": node["id"] })).await;
                assert_eq!(*node, single["data"]["node"]);
            }
        }
        (ada_listed, rita_listed)
    };
    let (ada_listed, rita_listed) = pages().await;
    assert_eq!(ada_listed[0]["applicant"], json!({ "fullName": "ada@example.com", "email": "ada@example.com" }));
    assert_eq!(ada_listed[0]["resumeVersion"], json!({ "version": 1 }));
    let adas = rita_listed.iter().find(|node| node["resumeVersion"] == json!({ "version": 1 }));
    let adas = adas.expect("the recruiter sees the version sent").clone();
    assert_eq!(adas["applicant"]["email"], Value::Null);

    let delete = "mutation($input: DeleteResumeInput!) { deleteResume(input: $input) { deletedResumeId } }";
    let deleted = app.graphql_as(Some(&ada), delete, json!({ "input": { "resumeId": resume_id } })).await;
    assert_eq!(deleted["data"]["deleteResume"]["deletedResumeId"], resume_id, "{deleted}");
    let (ada_listed, rita_listed) = pages().await;
    let versions = ada_listed.iter().chain(&rita_listed).map(|node| &node["resumeVersion"]);
    assert!(versions.clone().all(Value::is_null), "a deleted resume's versions are nobody's: {ada_listed:?}");
    assert!(rita_listed.iter().all(|node| node["applicant"]["fullName"].is_string()));

    // The first events of a timeline read their actors in their statement;
    // a page after a cursor loads them through the users loader.
    let moved = move_to(&app, &rita, adas["id"].as_str().unwrap(), "SCREENING").await;
    assert!(moved.get("errors").is_none(), "{moved}");
    let timeline = "query($id: ID!, $after: String) { node(id: $id) { ... on Application {
        all: events(first: 5) { edges { cursor node { kind actor { fullName email } } } }
        rest: events(first: 5, after: $after) { edges { node { kind actor { fullName email } } } } } } }";
    for viewer in [&ada, &rita] {
        let first = app.graphql_as(Some(viewer), timeline, json!({ "id": adas["id"], "after": null })).await;
        let all = first["data"]["node"]["all"]["edges"].as_array().unwrap_or_else(|| panic!("{first}")).clone();
        assert_eq!(all.len(), 2, "{first}");
        let after = all[0]["cursor"].clone();
        let second = app.graphql_as(Some(viewer), timeline, json!({ "id": adas["id"], "after": after })).await;
        let rest = &second["data"]["node"]["rest"]["edges"];
        assert_eq!(rest[0]["node"], all[1]["node"], "{second}");
        assert_eq!(all[0]["node"]["actor"]["fullName"], "ada@example.com");
        assert_eq!(all[1]["node"]["actor"]["fullName"], "Rita Recruiter");
    }
}

#[tokio::test]
async fn interviews_are_scheduled_changed_and_recorded_on_the_timeline() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_job(&app, &rita, "Engineer", "OPEN").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let id = apply(&app, &ada, &job).await["application"]["id"].as_str().unwrap().to_owned();
    let schedule = "mutation($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) {
        interview { id kind scheduledAt durationMinutes outcome } userErrors { field code } } }";
    let input = json!({ "applicationId": id, "kind": "TECHNICAL", "scheduledAt": "2030-05-01T09:00:00Z", "durationMinutes": 60 });

    assert_eq!(
        error_codes(&app.graphql_as(Some(&ada), schedule, json!({ "input": input })).await),
        ["FORBIDDEN"],
        "the recruiter runs interviews on their jobs"
    );
    let mut too_long = input.clone();
    too_long["durationMinutes"] = json!(5000);
    let refused = app.graphql_as(Some(&rita), schedule, json!({ "input": too_long })).await;
    assert_eq!(refused["data"]["scheduleInterview"]["userErrors"][0]["field"], json!(["input", "durationMinutes"]));

    let scheduled = app.graphql_as(Some(&rita), schedule, json!({ "input": input })).await;
    let interview = &scheduled["data"]["scheduleInterview"]["interview"];
    assert_eq!(interview["scheduledAt"], "2030-05-01T09:00:00.000Z", "{scheduled}");
    assert_eq!(interview["outcome"], "PENDING");
    let interview_id = interview["id"].clone();

    let update =
        "mutation($input: UpdateInterviewInput!) { updateInterview(input: $input) { interview { durationMinutes } } }";
    let updated = app
        .graphql_as(Some(&rita), update, json!({ "input": { "interviewId": interview_id, "durationMinutes": 45 } }))
        .await;
    assert_eq!(updated["data"]["updateInterview"]["interview"]["durationMinutes"], 45, "{updated}");
    let record = "mutation($input: RecordInterviewOutcomeInput!) { recordInterviewOutcome(input: $input) { interview { outcome feedback completedAt } } }";
    let recorded = app
        .graphql_as(
            Some(&rita),
            record,
            json!({ "input": { "interviewId": interview_id, "outcome": "PASSED", "feedback": "Great" } }),
        )
        .await;
    assert_eq!(recorded["data"]["recordInterviewOutcome"]["interview"]["outcome"], "PASSED", "{recorded}");

    let view =
        "query($id: ID!) { node(id: $id) { ... on Application { interviews { outcome } events { nodes { kind } } } } }";
    let seen = app.graphql_as(Some(&ada), view, json!({ "id": id })).await;
    assert_eq!(seen["data"]["node"]["interviews"], json!([{ "outcome": "PASSED" }]));
    let kinds: Vec<&str> = seen["data"]["node"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CREATED", "INTERVIEW_SCHEDULED", "INTERVIEW_UPDATED", "INTERVIEW_COMPLETED"]);
    let bob = sign_up(&app, "bob@example.com").await;
    let hidden =
        app.graphql_as(Some(&bob), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": interview_id })).await;
    assert_eq!(error_codes(&hidden), ["NOT_FOUND"]);
}
