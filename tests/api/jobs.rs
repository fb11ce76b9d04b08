//! Jobs over HTTP: posting and its refusals, drafts staying private,
//! imports that never duplicate, search filters, orderings and pagination,
//! the match score, and statement counts that do not grow with a page.

use crate::common;

use common::{TestApp, counted_app, error_codes, recruiter, sign_up};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateJobInput!) { createJob(input: $input) {
    job { id title status postedAt salaryMin salaryMax salaryCurrency requiredSkills company { id name } }
    userErrors { field code } } }";

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    let body = app.graphql_as(Some(token), CREATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["createJob"].clone()
}

async fn open_job(app: &TestApp, token: &str, input: Value) -> String {
    let mut input = input;
    input["status"] = json!("OPEN");
    if input.get("description").is_none() {
        input["description"] = json!("A role.");
    }
    if input.get("companyName").is_none() {
        input["companyName"] = json!("Acme");
    }
    let payload = create(app, token, input).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["job"]["id"].as_str().unwrap().to_owned()
}

const JOB: &str = "query($id: ID!) { job(id: $id) { id title status } }";

#[tokio::test]
async fn recruiters_post_jobs_and_drafts_stay_private() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let candidate = sign_up(&app, "cand@example.com").await;

    let draft = create(
        &app,
        &rita,
        json!({ "title": "Backend Engineer", "description": "Rust and SQL", "companyName": "Acme" }),
    )
    .await;
    assert_eq!(draft["job"]["status"], "DRAFT", "{draft}");
    assert_eq!(draft["job"]["postedAt"], Value::Null);
    let id = draft["job"]["id"].clone();

    let own = app.graphql_as(Some(&rita), JOB, json!({ "id": id })).await;
    assert_eq!(own["data"]["job"]["title"], "Backend Engineer");
    for token in [Some(candidate.as_str()), None] {
        let hidden = app.graphql_as(token, JOB, json!({ "id": id })).await;
        assert_eq!(error_codes(&hidden), ["NOT_FOUND"], "{hidden}");
    }

    let forbidden = app
        .graphql_as(
            Some(&candidate),
            CREATE,
            json!({ "input": { "title": "x", "description": "y", "companyName": "z" } }),
        )
        .await;
    assert_eq!(error_codes(&forbidden), ["FORBIDDEN"]);
    let anonymous =
        app.graphql(CREATE, json!({ "input": { "title": "x", "description": "y", "companyName": "z" } })).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);

    // Publishing gives it a posted date and makes it public.
    let update = "mutation($input: UpdateJobInput!) { updateJob(input: $input) { job { status postedAt title } userErrors { field code } } }";
    let published = app
        .graphql_as(
            Some(&rita),
            update,
            json!({ "input": { "id": id, "status": "OPEN", "title": "Senior Backend Engineer" } }),
        )
        .await;
    let job = &published["data"]["updateJob"]["job"];
    assert_eq!(job["status"], "OPEN", "{published}");
    assert!(job["postedAt"].is_string());
    let public = app.graphql(JOB, json!({ "id": id })).await;
    assert_eq!(public["data"]["job"]["title"], "Senior Backend Engineer");

    let back = app.graphql_as(Some(&rita), update, json!({ "input": { "id": id, "status": "DRAFT" } })).await;
    assert_eq!(back["data"]["updateJob"]["userErrors"][0]["code"], "INVALID");

    // Another recruiter sees it but may not change it.
    let other = recruiter(&app, "other@example.com").await;
    let foreign = app.graphql_as(Some(&other), update, json!({ "input": { "id": id, "title": "Mine now" } })).await;
    assert_eq!(error_codes(&foreign), ["FORBIDDEN"]);

    let close = "mutation($input: CloseJobInput!) { closeJob(input: $input) { job { status closedAt } } }";
    let closed = app.graphql_as(Some(&rita), close, json!({ "input": { "id": id } })).await;
    assert_eq!(closed["data"]["closeJob"]["job"]["status"], "CLOSED");
    assert!(closed["data"]["closeJob"]["job"]["closedAt"].is_string());

    let delete = "mutation($input: DeleteJobInput!) { deleteJob(input: $input) { deletedJobId } }";
    let deleted = app.graphql_as(Some(&rita), delete, json!({ "input": { "id": id } })).await;
    assert_eq!(deleted["data"]["deleteJob"]["deletedJobId"], id);
    assert_eq!(error_codes(&app.graphql_as(Some(&rita), JOB, json!({ "id": id })).await), ["NOT_FOUND"]);
}

#[tokio::test]
async fn job_input_is_checked_and_companies_are_shared_by_name() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let base = json!({ "title": "Engineer", "description": "d", "companyName": "Acme" });
    let with = |extra: Value| {
        let mut input = base.clone();
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input
    };
    for (extra, field, code) in [
        (json!({ "salaryMin": 200, "salaryMax": 100, "salaryCurrency": "EUR" }), "salaryMax", "INVALID"),
        (json!({ "salaryMin": 100 }), "salaryCurrency", "BLANK"),
        (json!({ "salaryMin": 100, "salaryCurrency": "euro" }), "salaryCurrency", "INVALID"),
        (json!({ "title": "  " }), "title", "BLANK"),
        (json!({ "status": "CLOSED" }), "status", "INVALID"),
    ] {
        let payload = create(&app, &rita, with(extra.clone())).await;
        assert_eq!(payload["job"], Value::Null, "{extra}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", field]), "{extra}: {payload}");
        assert_eq!(payload["userErrors"][0]["code"], code, "{extra}");
    }
    let first = create(
        &app,
        &rita,
        with(json!({ "salaryMin": 90000, "salaryMax": 120000, "salaryCurrency": "eur",
        "requiredSkills": ["Rust", "rust", " SQL "] })),
    )
    .await;
    assert_eq!(first["job"]["salaryCurrency"], "EUR");
    assert_eq!(first["job"]["requiredSkills"], json!(["Rust", "SQL"]), "repeats and blanks dropped");
    let second = create(&app, &rita, with(json!({ "companyName": "ACME" }))).await;
    assert_eq!(first["job"]["company"]["id"], second["job"]["company"]["id"], "one company per name");
    assert_eq!(first["job"]["company"]["name"], "Acme");
    let viewer = app.graphql_as(Some(&rita), "{ viewer { company { name } } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["company"]["name"], "Acme");
}

const IMPORT: &str = "mutation($input: ImportJobInput!) { importJob(input: $input) {
    job { id source externalId imported status postedBy { id } } created userErrors { field code } } }";

#[tokio::test]
async fn imports_never_duplicate_a_posting() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    let input = json!({ "title": "Data Engineer", "companyName": "Initech", "source": "LinkedIn", "externalId": "123",
                        "externalUrl": "https://example.com/jobs/123" });
    let first = app.graphql_as(Some(&ada), IMPORT, json!({ "input": input })).await;
    let payload = &first["data"]["importJob"];
    assert_eq!(payload["created"], true, "{first}");
    assert_eq!(payload["job"]["source"], "linkedin");
    assert_eq!(payload["job"]["imported"], true);
    assert_eq!(payload["job"]["status"], "OPEN");
    assert!(payload["job"]["postedBy"]["id"].is_string(), "the importer sees themself");

    let again = app.graphql_as(Some(&bob), IMPORT, json!({ "input": input })).await;
    assert_eq!(again["data"]["importJob"]["created"], false);
    assert_eq!(again["data"]["importJob"]["job"]["id"], payload["job"]["id"]);
    assert_eq!(again["data"]["importJob"]["job"]["postedBy"], Value::Null, "importers stay private");

    let mut elsewhere = input.clone();
    elsewhere["source"] = json!("indeed");
    let other = app.graphql_as(Some(&bob), IMPORT, json!({ "input": elsewhere })).await;
    assert_eq!(other["data"]["importJob"]["created"], true);

    let mut native = input.clone();
    native["source"] = json!("careergraph");
    let refused = app.graphql_as(Some(&bob), IMPORT, json!({ "input": native })).await;
    assert_eq!(refused["data"]["importJob"]["userErrors"][0]["field"], json!(["input", "source"]));
}

const SEARCH: &str =
    "query($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { title } } } }";

fn titles(body: &Value) -> Vec<String> {
    body["data"]["jobs"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no jobs: {body}"))
        .iter()
        .map(|edge| edge["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(app: &TestApp, variables: Value) -> Value {
    app.graphql(SEARCH, variables).await
}

#[tokio::test]
async fn search_filters_rank_and_pages_in_every_ordering() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    open_job(
        &app,
        &rita,
        json!({ "title": "Rust Engineer", "description": "Build services.", "requiredSkills": ["Rust", "PostgreSQL"],
        "remoteType": "REMOTE", "employmentType": "FULL_TIME", "location": "Lisbon, Portugal",
        "salaryMin": 80000, "salaryMax": 120000, "salaryCurrency": "EUR" }),
    )
    .await;
    open_job(
        &app,
        &rita,
        json!({ "title": "Platform Engineer", "description": "Some Rust, mostly Go.", "requiredSkills": ["Go"],
        "preferredSkills": ["rust"], "remoteType": "HYBRID", "employmentType": "CONTRACT", "location": "Berlin",
        "salaryMin": 70000, "salaryMax": 90000, "salaryCurrency": "EUR" }),
    )
    .await;
    open_job(
        &app,
        &rita,
        json!({ "title": "Data Analyst", "description": "SQL and dashboards.", "requiredSkills": ["SQL"],
        "remoteType": "ONSITE", "employmentType": "FULL_TIME", "location": "Porto, Portugal" }),
    )
    .await;
    create(&app, &rita, json!({ "title": "Secret Rust Draft", "description": "Rust", "companyName": "Acme" })).await;

    // Full text, ranked: the title match beats the description mention; drafts never show.
    let ranked = search(&app, json!({ "filter": { "query": "rust" } })).await;
    assert_eq!(titles(&ranked), ["Rust Engineer", "Platform Engineer"], "{ranked}");
    assert_eq!(ranked["data"]["jobs"]["totalCount"], 2);

    for (filter, expected) in [
        (json!({ "skills": ["RUST"] }), vec!["Platform Engineer", "Rust Engineer"]),
        (json!({ "skills": ["rust", "postgresql"], "skillsMatch": "ALL" }), vec!["Rust Engineer"]),
        (json!({ "remoteType": "HYBRID" }), vec!["Platform Engineer"]),
        (json!({ "employmentType": "FULL_TIME" }), vec!["Data Analyst", "Rust Engineer"]),
        (json!({ "location": "portugal" }), vec!["Data Analyst", "Rust Engineer"]),
        (json!({ "salaryAtLeast": 100000 }), vec!["Rust Engineer"]),
        (json!({ "postedAfter": "2999-01-01T00:00:00Z" }), vec![]),
        (json!({ "status": "CLOSED" }), vec![]),
    ] {
        let body =
            search(&app, json!({ "filter": filter, "orderBy": { "field": "POSTED_AT", "direction": "ASC" } })).await;
        let mut found = titles(&body);
        found.sort();
        assert_eq!(found, expected, "{filter}");
    }
    let drafts = app.graphql_as(Some(&rita), SEARCH, json!({ "filter": { "status": "DRAFT" } })).await;
    assert_eq!(titles(&drafts), ["Secret Rust Draft"], "a recruiter lists their own drafts");
    assert_eq!(titles(&search(&app, json!({ "filter": { "status": "DRAFT" } })).await), Vec::<String>::new());

    // Salary order, descending: no-salary jobs last.
    let by_salary = search(&app, json!({ "orderBy": { "field": "SALARY", "direction": "DESC" } })).await;
    assert_eq!(titles(&by_salary), ["Rust Engineer", "Platform Engineer", "Data Analyst"]);

    // Paging forward and back returns the same edges with the same cursors, in every ordering.
    for (order, filter) in [
        (json!({ "field": "POSTED_AT", "direction": "DESC" }), json!({})),
        (json!({ "field": "SALARY", "direction": "ASC" }), json!({})),
        (json!({ "field": "RELEVANCE", "direction": "DESC" }), json!({ "query": "engineer OR analyst" })),
    ] {
        let all = search(&app, json!({ "filter": filter, "orderBy": order, "first": 10 })).await;
        let all_edges = all["data"]["jobs"]["edges"].as_array().unwrap_or_else(|| panic!("{order}: {all}")).clone();
        assert_eq!(all_edges.len(), 3, "{order}: {all}");
        let one = search(&app, json!({ "filter": filter, "orderBy": order, "first": 1 })).await;
        assert_eq!(one["data"]["jobs"]["pageInfo"]["hasNextPage"], true);
        let rest = search(&app, json!({ "filter": filter, "orderBy": order, "first": 10, "after": one["data"]["jobs"]["pageInfo"]["endCursor"] })).await;
        assert_eq!(
            rest["data"]["jobs"]["edges"].as_array().unwrap_or_else(|| panic!("{rest}"))[..],
            all_edges[1..],
            "{order}"
        );
        assert_eq!(rest["data"]["jobs"]["pageInfo"]["hasNextPage"], false);
        let back =
            search(&app, json!({ "filter": filter, "orderBy": order, "last": 2, "before": all_edges[2]["cursor"] }))
                .await;
        assert_eq!(back["data"]["jobs"]["edges"].as_array().unwrap()[..], all_edges[..2], "{order}");
        assert_eq!(back["data"]["jobs"]["pageInfo"]["hasPreviousPage"], false);
    }

    let posted_cursor = search(&app, json!({ "first": 1 })).await["data"]["jobs"]["pageInfo"]["endCursor"].clone();
    let mixed =
        search(&app, json!({ "orderBy": { "field": "SALARY", "direction": "DESC" }, "after": posted_cursor })).await;
    assert_eq!(error_codes(&mixed), ["BAD_USER_INPUT"]);
    let no_query = search(&app, json!({ "orderBy": { "field": "RELEVANCE", "direction": "DESC" } })).await;
    assert_eq!(error_codes(&no_query), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn match_compares_the_viewers_skills_with_the_job() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let id = open_job(&app, &rita, json!({ "title": "Rust Engineer", "requiredSkills": ["Rust", "Kubernetes"], "preferredSkills": ["PostgreSQL"] })).await;
    let none = open_job(&app, &rita, json!({ "title": "Anything" })).await;
    let ada = sign_up(&app, "ada@example.com").await;
    for skill in ["rust", "POSTGRESQL", "Go"] {
        app.graphql_as(
            Some(&ada),
            "mutation($input: AddSkillInput!) { addSkill(input: $input) { userErrors { code } } }",
            json!({ "input": { "name": skill } }),
        )
        .await;
    }
    let query =
        "query($id: ID!) { job(id: $id) { match { score matchedSkills missingSkills } postedBy { fullName email } } }";
    let body = app.graphql_as(Some(&ada), query, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["job"]["match"],
        json!({ "score": 60, "matchedSkills": ["Rust", "PostgreSQL"], "missingSkills": ["Kubernetes"] }),
        "{body}"
    );
    // The poster's public profile shows; their email does not.
    assert_eq!(body["data"]["job"]["postedBy"], json!({ "fullName": "Rita Recruiter", "email": null }));
    let anonymous = app.graphql(query, json!({ "id": id })).await;
    assert_eq!(anonymous["data"]["job"]["match"], Value::Null);
    let unlisted = app.graphql_as(Some(&ada), query, json!({ "id": none })).await;
    assert_eq!(unlisted["data"]["job"]["match"], Value::Null);
}

#[tokio::test]
async fn a_search_page_costs_the_same_statements_for_2_or_50_jobs() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    app.graphql_as(Some(&ada), "mutation { addSkill(input: { name: \"Rust\" }) { userErrors { code } } }", json!({}))
        .await;
    let mut posters = Vec::new();
    for n in 0..10 {
        posters.push(recruiter(&app, &format!("r{n}@example.com")).await);
    }
    for n in 0..50 {
        let poster = &posters[n % 10];
        let job = open_job(
            &app,
            poster,
            json!({ "title": format!("Rust Job {n}"), "companyName": format!("Company {}", n % 7),
            "requiredSkills": ["Rust", "Go"] }),
        )
        .await;
        if n % 2 == 0 {
            let save = "mutation($input: SaveJobInput!) { saveJob(input: $input) { userErrors { code } } }";
            app.graphql_as(Some(&ada), save, json!({ "input": { "jobId": job } })).await;
        }
    }
    let query = "query($first: Int) { jobs(first: $first) { edges { node { title company { name } postedBy { fullName }
        match { score } viewerApplication { status } } } } }";
    let mut counts = Vec::new();
    for first in [2, 50] {
        let body = app.graphql_as(Some(&ada), query, json!({ "first": first })).await;
        let edges = body["data"]["jobs"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(edges.len(), first);
        assert_eq!(edges[0]["node"]["match"]["score"], 50);
        assert!(edges.iter().all(|edge| edge["node"]["postedBy"]["fullName"] == "Rita Recruiter"));
        let saved = edges.iter().filter(|edge| edge["node"]["viewerApplication"]["status"] == "SAVED").count();
        assert_eq!(saved, first / 2, "every other job is saved");
        counts.push(body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(counts[0], counts[1], "statements for 2 vs 50 jobs: {counts:?}");
    // The page with its companies and posters in it; the viewer's skills
    // for `match`, the viewer's applications.
    assert_eq!(counts[0], 3, "{counts:?}");
}

#[tokio::test]
async fn a_pages_companies_and_posters_are_those_each_job_shows_alone() {
    // The search page and `job(id:)` read their jobs' companies and posters
    // in the jobs' statement (`db::Related`), `recommendedJobs` loads them
    // in batches; each viewer must see the same every way: a recruiter's
    // public profile, an importer only to themself, a draft's poster to its
    // poster.
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    open_job(&app, &rita, json!({ "title": "Open", "companyName": "Initech" })).await;
    create(&app, &rita, json!({ "title": "Draft", "description": "d", "companyName": "Hooli", "status": "DRAFT" }))
        .await;
    let import = json!({ "title": "Imported", "companyName": "Globex", "source": "LinkedIn", "externalId": "9" });
    app.graphql_as(Some(&ada), IMPORT, json!({ "input": import })).await;

    let by_nodes = "query($status: JobStatus) { jobs(first: 10, filter: { status: $status }) {
        nodes { id company { name } postedBy { fullName email } } } }";
    let by_edges = "query($status: JobStatus) { jobs(first: 10, filter: { status: $status }) {
        edges { node { ...Parts } } } } fragment Parts on Job { id company { name } postedBy { fullName email } }";
    let alone = "query($id: ID!) { job(id: $id) { id company { name } postedBy { fullName email } } }";
    let loaded = "{ recommendedJobs(first: 10) { nodes { id company { name } postedBy { fullName email } } } }";
    let mut seen = 0;
    for viewer in [None, Some(&ada), Some(&bob), Some(&rita)] {
        for status in ["OPEN", "DRAFT"] {
            let nodes = app.graphql_as(viewer.map(String::as_str), by_nodes, json!({ "status": status })).await;
            let edges = app.graphql_as(viewer.map(String::as_str), by_edges, json!({ "status": status })).await;
            let listed = nodes["data"]["jobs"]["nodes"].as_array().unwrap_or_else(|| panic!("{nodes}")).clone();
            let through_edges: Vec<Value> =
                edges["data"]["jobs"]["edges"].as_array().unwrap().iter().map(|edge| edge["node"].clone()).collect();
            assert_eq!(listed, through_edges);
            if let (Some(viewer), "OPEN") = (viewer, status) {
                let recommended = app.graphql_as(Some(viewer), loaded, json!({})).await;
                let mut recommended = recommended["data"]["recommendedJobs"]["nodes"].as_array().unwrap().clone();
                let mut open = listed.clone();
                let by_id = |job: &Value| job["id"].as_str().unwrap_or_default().to_owned();
                recommended.sort_by_key(by_id);
                open.sort_by_key(by_id);
                assert_eq!(open, recommended, "{viewer:?}");
            }
            for job in listed {
                let single = app.graphql_as(viewer.map(String::as_str), alone, json!({ "id": job["id"] })).await;
                assert_eq!(job, single["data"]["job"], "{viewer:?}");
                seen += 1;
            }
        }
    }
    // Open and imported for everyone, and the draft for its poster.
    assert_eq!(seen, 4 * 2 + 1);
    let own = app.graphql_as(Some(&ada), by_nodes, json!({ "status": "OPEN" })).await;
    let imported =
        own["data"]["jobs"]["nodes"].as_array().unwrap().iter().find(|job| job["company"]["name"] == "Globex");
    assert_eq!(imported.unwrap()["postedBy"]["email"], "ada@example.com", "{own}");
    let public = app.graphql(by_nodes, json!({ "status": "OPEN" })).await;
    let names: Vec<&Value> =
        public["data"]["jobs"]["nodes"].as_array().unwrap().iter().map(|job| &job["postedBy"]).collect();
    assert!(names.contains(&&json!({ "fullName": "Rita Recruiter", "email": null })), "{public}");
    assert!(names.contains(&&Value::Null), "an importer stays private: {public}");
}

#[tokio::test]
async fn bookmarks_mark_hide_and_list_jobs() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let first = open_job(&app, &rita, json!({ "title": "First" })).await;
    let second = open_job(&app, &rita, json!({ "title": "Second" })).await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bookmark = "mutation($input: BookmarkJobInput!) { bookmarkJob(input: $input) {
        bookmark { favorite hidden notes tags job { title } } userErrors { field code } } }";

    let saved = app
        .graphql_as(
            Some(&ada),
            bookmark,
            json!({ "input": { "jobId": first, "favorite": true, "notes": "Apply soon", "tags": ["dream", " "] } }),
        )
        .await;
    assert_eq!(
        saved["data"]["bookmarkJob"]["bookmark"],
        json!({ "favorite": true, "hidden": false, "notes": "Apply soon", "tags": ["dream"], "job": { "title": "First" } }),
        "{saved}"
    );
    // A second call changes only what it names.
    let changed = app.graphql_as(Some(&ada), bookmark, json!({ "input": { "jobId": first, "notes": null } })).await;
    assert_eq!(changed["data"]["bookmarkJob"]["bookmark"]["favorite"], true);
    assert_eq!(changed["data"]["bookmarkJob"]["bookmark"]["notes"], Value::Null);
    app.graphql_as(Some(&ada), bookmark, json!({ "input": { "jobId": second, "hidden": true } })).await;

    // Hidden jobs leave the viewer's search unless asked for.
    let mine = app.graphql_as(Some(&ada), SEARCH, json!({})).await;
    assert_eq!(titles(&mine), ["First"]);
    let all = app.graphql_as(Some(&ada), SEARCH, json!({ "filter": { "includeHidden": true } })).await;
    assert_eq!(titles(&all), ["Second", "First"]);
    assert_eq!(titles(&search(&app, json!({})).await), ["Second", "First"], "others are unaffected");

    let listed = app
        .graphql_as(
            Some(&ada),
            "{ viewer { bookmarks(first: 10) { totalCount nodes { job { title } hidden } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["viewer"]["bookmarks"],
        json!({ "totalCount": 2, "nodes": [{ "job": { "title": "Second" }, "hidden": true }, { "job": { "title": "First" }, "hidden": false }] })
    );
    let favorites = app
        .graphql_as(
            Some(&ada),
            "{ viewer { bookmarks(filter: { favorite: true, tag: \"dream\" }) { nodes { job { title } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(favorites["data"]["viewer"]["bookmarks"]["nodes"], json!([{ "job": { "title": "First" } }]));
    let own = app
        .graphql_as(
            Some(&ada),
            "query($id: ID!) { job(id: $id) { viewerBookmark { favorite } } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(own["data"]["job"]["viewerBookmark"]["favorite"], true);
    let others = app
        .graphql_as(
            Some(&rita),
            "query($id: ID!) { job(id: $id) { viewerBookmark { favorite } } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(others["data"]["job"]["viewerBookmark"], Value::Null);

    let unbookmark = "mutation($input: UnbookmarkJobInput!) { unbookmarkJob(input: $input) { unbookmarkedJobId } }";
    let removed = app.graphql_as(Some(&ada), unbookmark, json!({ "input": { "jobId": first } })).await;
    assert_eq!(removed["data"]["unbookmarkJob"]["unbookmarkedJobId"], first.as_str());
    let again = app.graphql_as(Some(&ada), unbookmark, json!({ "input": { "jobId": first } })).await;
    assert_eq!(again["data"]["unbookmarkJob"]["unbookmarkedJobId"], Value::Null);

    let draft = create(&app, &rita, json!({ "title": "Draft", "description": "d", "companyName": "Acme" })).await;
    let hidden = app.graphql_as(Some(&ada), bookmark, json!({ "input": { "jobId": draft["job"]["id"] } })).await;
    assert_eq!(error_codes(&hidden), ["NOT_FOUND"], "someone else's draft cannot be bookmarked");
}

#[tokio::test]
async fn recommended_jobs_rank_by_the_same_score_as_match() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    for (title, required, preferred) in [
        ("Go Engineer", json!(["Go"]), json!([])),
        ("Rust Engineer", json!(["Rust", "Kubernetes"]), json!(["PostgreSQL"])),
        ("Rust and SQL", json!(["rust"]), json!(["postgresql", "RUST"])),
        ("No Skills Listed", json!([]), json!([])),
    ] {
        open_job(&app, &rita, json!({ "title": title, "requiredSkills": required, "preferredSkills": preferred }))
            .await;
    }
    let ada = sign_up(&app, "ada@example.com").await;
    for skill in ["Rust", "PostgreSQL"] {
        app.graphql_as(
            Some(&ada),
            "mutation($input: AddSkillInput!) { addSkill(input: $input) { userErrors { code } } }",
            json!({ "input": { "name": skill } }),
        )
        .await;
    }
    let query = "query($first: Int, $after: String) { recommendedJobs(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title match { score } } } }";
    let all = app.graphql_as(Some(&ada), query, json!({ "first": 10 })).await;
    let nodes = all["data"]["recommendedJobs"]["nodes"].as_array().unwrap_or_else(|| panic!("{all}"));
    let ranked: Vec<(&str, Value)> =
        nodes.iter().map(|n| (n["title"].as_str().unwrap(), n["match"]["score"].clone())).collect();
    assert_eq!(
        ranked,
        [
            ("Rust and SQL", json!(100)),
            ("Rust Engineer", json!(60)),
            ("No Skills Listed", Value::Null),
            ("Go Engineer", json!(0))
        ],
        "SQL ranking and Rust scores must agree (no listed skills ranks as 0, newer first)"
    );
    let first = app.graphql_as(Some(&ada), query, json!({ "first": 2 })).await;
    let rest = app
        .graphql_as(
            Some(&ada),
            query,
            json!({ "first": 10, "after": first["data"]["recommendedJobs"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest_titles: Vec<&str> = rest["data"]["recommendedJobs"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(rest_titles, ["No Skills Listed", "Go Engineer"]);
    assert_eq!(error_codes(&app.graphql(query, json!({})).await), ["UNAUTHENTICATED"]);
}
