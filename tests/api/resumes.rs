//! Resumes over HTTP: a snapshot of the profile as JSON Resume, checked
//! versions, pinning, archiving, duplicating, deleting, privacy, and the
//! resume version a recruiter sees on an application.

use crate::common;

use common::{TestApp, counted_app, error_codes, recruiter, sign_up};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateResumeInput!) { createResume(input: $input) {
    resume { id title currentVersion { id version origin content } } userErrors { field code } } }";
const SAVE: &str = "mutation($input: SaveResumeVersionInput!) { saveResumeVersion(input: $input) {
    resumeVersion { id version origin } userErrors { field code } } }";

async fn mutate(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app.graphql_as(Some(token), query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].as_object().unwrap().values().next().unwrap().clone()
}

#[tokio::test]
async fn a_resume_starts_as_a_snapshot_of_the_profile_and_grows_versions() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    mutate(
        &app,
        &ada,
        "mutation($input: AddSkillInput!) { addSkill(input: $input) { userErrors { code } } }",
        json!({ "name": "Rust", "level": "EXPERT" }),
    )
    .await;
    mutate(
        &app,
        &ada,
        "mutation($input: AddWorkExperienceInput!) { addWorkExperience(input: $input) { userErrors { code } } }",
        json!({ "companyName": "Acme", "title": "Engineer", "startDate": "2020-01-01", "achievements": ["Built it"] }),
    )
    .await;

    let created = mutate(&app, &ada, CREATE, json!({ "title": "Backend roles" })).await;
    let resume = &created["resume"];
    let version = &resume["currentVersion"];
    assert_eq!((version["version"].as_i64(), version["origin"].as_str()), (Some(1), Some("SNAPSHOT")), "{created}");
    let content = &version["content"];
    assert_eq!(content["basics"]["name"], "ada@example.com", "sign_up names accounts after their email");
    assert_eq!(
        content["work"][0],
        json!({ "name": "Acme", "position": "Engineer", "startDate": "2020-01-01", "highlights": ["Built it"] })
    );
    assert_eq!(content["skills"][0]["name"], "Rust");
    let id = resume["id"].clone();

    let bad = mutate(
        &app,
        &ada,
        SAVE,
        json!({ "resumeId": id, "content": { "work": [{ "name": "Acme", "startDate": "May 2020" }] } }),
    )
    .await;
    assert_eq!(
        bad["userErrors"],
        json!([{ "field": ["input", "content", "work", "0", "startDate"], "code": "INVALID" }])
    );
    let mut edited = content.clone();
    edited["basics"]["label"] = json!("Rust engineer");
    let saved = mutate(&app, &ada, SAVE, json!({ "resumeId": id, "content": edited })).await;
    assert_eq!(saved["resumeVersion"]["version"], 2);
    let first_version = version["id"].clone();

    let current = "query($id: ID!) { node(id: $id) { ... on Resume { currentVersion { version } versions { totalCount nodes { version } } } } }";
    let view = app.graphql_as(Some(&ada), current, json!({ "id": id })).await;
    assert_eq!(view["data"]["node"]["currentVersion"]["version"], 2);
    assert_eq!(view["data"]["node"]["versions"]["nodes"], json!([{ "version": 2 }, { "version": 1 }]));

    let pin = "mutation($input: PinResumeVersionInput!) { pinResumeVersion(input: $input) { resume { currentVersion { version } pinnedVersion { version } } } }";
    let pinned = mutate(&app, &ada, pin, json!({ "resumeId": id, "versionId": first_version })).await;
    assert_eq!(pinned["resume"], json!({ "currentVersion": { "version": 1 }, "pinnedVersion": { "version": 1 } }));

    let duplicate = "mutation($input: DuplicateResumeInput!) { duplicateResume(input: $input) { resume { title currentVersion { version origin } } } }";
    let copy = mutate(&app, &ada, duplicate, json!({ "resumeId": id })).await;
    assert_eq!(
        copy["resume"],
        json!({ "title": "Backend roles (copy)", "currentVersion": { "version": 1, "origin": "DUPLICATED" } })
    );

    let archive = "mutation($input: ArchiveResumeInput!) { archiveResume(input: $input) { resume { archived } } }";
    mutate(&app, &ada, archive, json!({ "resumeId": id })).await;
    let listed = app
        .graphql_as(
            Some(&ada),
            "{ viewer { resumes { nodes { title } } all: resumes(includeArchived: true) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["viewer"]["resumes"]["nodes"], json!([{ "title": "Backend roles (copy)" }]));
    assert_eq!(listed["data"]["viewer"]["all"]["totalCount"], 2);

    let bob = sign_up(&app, "bob@example.com").await;
    assert_eq!(error_codes(&app.graphql_as(Some(&bob), current, json!({ "id": id })).await), ["NOT_FOUND"]);
    assert_eq!(
        error_codes(&app.graphql_as(Some(&bob), SAVE, json!({ "input": { "resumeId": id, "content": {} } })).await),
        ["NOT_FOUND"]
    );

    let delete = "mutation($input: DeleteResumeInput!) { deleteResume(input: $input) { deletedResumeId } }";
    mutate(&app, &ada, delete, json!({ "resumeId": id })).await;
    assert_eq!(error_codes(&app.graphql_as(Some(&ada), current, json!({ "id": id })).await), ["NOT_FOUND"]);
}

#[tokio::test]
async fn the_recruiter_sees_the_resume_version_sent_with_an_application() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = app
        .graphql_as(Some(&rita), "mutation { createJob(input: { title: \"Engineer\", description: \"d\", companyName: \"Acme\", status: OPEN }) { job { id } } }", json!({}))
        .await["data"]["createJob"]["job"]["id"]
        .clone();
    let ada = sign_up(&app, "ada@example.com").await;
    let created = mutate(&app, &ada, CREATE, json!({ "title": "For Acme" })).await;
    let version = created["resume"]["currentVersion"]["id"].clone();
    let applied = mutate(
        &app,
        &ada,
        "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } userErrors { field code } } }",
        json!({ "jobId": job, "resumeVersionId": version }),
    )
    .await;
    let application = applied["application"]["id"].clone();
    let view = "query($id: ID!) { node(id: $id) { ... on Application { resumeVersion { version content } } } }";
    let seen = app.graphql_as(Some(&rita), view, json!({ "id": application })).await;
    assert_eq!(seen["data"]["node"]["resumeVersion"]["version"], 1, "{seen}");
    assert_eq!(seen["data"]["node"]["resumeVersion"]["content"]["basics"]["name"], "ada@example.com");

    let bob = sign_up(&app, "bob@example.com").await;
    let foreign = mutate(
        &app,
        &bob,
        "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } userErrors { field code } } }",
        json!({ "jobId": job, "resumeVersionId": version }),
    )
    .await;
    assert_eq!(foreign["userErrors"], json!([{ "field": ["input", "resumeVersionId"], "code": "INVALID" }]));
}

#[tokio::test]
async fn cover_letters_are_versioned_per_job_and_pinnable() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let job = app
        .graphql_as(Some(&rita), "mutation { createJob(input: { title: \"Engineer\", description: \"d\", companyName: \"Acme\", status: OPEN }) { job { id } } }", json!({}))
        .await["data"]["createJob"]["job"]["id"]
        .clone();
    let ada = sign_up(&app, "ada@example.com").await;
    let create = "mutation($input: CreateCoverLetterInput!) { createCoverLetter(input: $input) { coverLetter { id version pinned } userErrors { field code } } }";
    let save = "mutation($input: SaveCoverLetterVersionInput!) { saveCoverLetterVersion(input: $input) { coverLetter { id version } userErrors { field code } } }";
    let first = mutate(&app, &ada, create, json!({ "jobId": job, "body": "Dear Acme," })).await;
    assert_eq!(first["coverLetter"]["version"], 1, "{first}");
    let again = mutate(&app, &ada, create, json!({ "jobId": job, "body": "Again" })).await;
    assert_eq!(again["userErrors"], json!([{ "field": ["input", "jobId"], "code": "TAKEN" }]));
    let blank = mutate(&app, &ada, save, json!({ "jobId": job, "body": " " })).await;
    assert_eq!(blank["userErrors"][0]["code"], "BLANK");
    let second = mutate(&app, &ada, save, json!({ "jobId": job, "body": "Dear Acme team," })).await;
    assert_eq!(second["coverLetter"]["version"], 2);

    let pin =
        "mutation($input: PinCoverLetterInput!) { pinCoverLetter(input: $input) { coverLetter { version pinned } } }";
    mutate(&app, &ada, pin, json!({ "coverLetterId": second["coverLetter"]["id"] })).await;
    let pinned = mutate(&app, &ada, pin, json!({ "coverLetterId": first["coverLetter"]["id"] })).await;
    assert_eq!(pinned["coverLetter"], json!({ "version": 1, "pinned": true }));
    let listed = app
        .graphql_as(
            Some(&ada),
            "query($id: ID!) { job(id: $id) { viewerCoverLetters { version pinned } } }",
            json!({ "id": job }),
        )
        .await;
    assert_eq!(
        listed["data"]["job"]["viewerCoverLetters"],
        json!([{ "version": 2, "pinned": false }, { "version": 1, "pinned": true }])
    );

    let applied = mutate(
        &app,
        &ada,
        "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { application { id } userErrors { field code } } }",
        json!({ "jobId": job, "coverLetterId": first["coverLetter"]["id"] }),
    )
    .await;
    let seen = app
        .graphql_as(
            Some(&rita),
            "query($id: ID!) { node(id: $id) { ... on Application { coverLetter { body } } } }",
            json!({ "id": applied["application"]["id"] }),
        )
        .await;
    assert_eq!(seen["data"]["node"]["coverLetter"]["body"], "Dear Acme,", "{seen}");
    let bob = sign_up(&app, "bob@example.com").await;
    let hidden = app
        .graphql_as(Some(&bob), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": first["coverLetter"]["id"] }))
        .await;
    assert_eq!(error_codes(&hidden), ["NOT_FOUND"]);
}

const IMPORT: &str = "mutation($input: ImportJsonResumeInput!) { importJsonResume(input: $input) {
    imported { experiences educations certifications skills projects skipped }
    user { headline location links { label url } skills { name category level }
           experiences { companyName title startDate endDate achievements { description } } }
    userErrors { field code } } }";

fn sample_document() -> Value {
    json!({
        "basics": { "name": "Ada", "label": "Backend engineer", "location": { "city": "Lisbon", "countryCode": "PT" },
                    "profiles": [{ "network": "GitHub", "url": "https://github.com/ada" }] },
        "work": [
            { "name": "Acme", "position": "Engineer", "startDate": "2019-03", "endDate": "2021",
              "highlights": ["Cut p99 latency by tuning PostgreSQL", "Ran the book club"] },
            { "name": "Globex", "position": "Staff engineer", "startDate": "2021-02-01",
              "highlights": ["Rewrote billing in Rust"] }
        ],
        "education": [{ "institution": "IST", "studyType": "MSc", "area": "Computer Science", "startDate": "2013" }],
        "skills": [{ "name": "Rust", "level": "Expert", "keywords": ["Languages"] }, { "name": "Excel" },
                   { "name": "PostgreSQL", "level": "advanced" }, { "name": "rust" }],
        "projects": [{ "name": "Knitting patterns" }, { "name": "pgbench notes", "keywords": ["PostgreSQL"] }],
        "certificates": [{ "name": "CKA", "issuer": "CNCF", "date": "2022-06-01" }]
    })
}

#[tokio::test]
async fn importing_a_json_resume_fills_the_profile_once() {
    let app = counted_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bad = mutate(
        &app,
        &ada,
        IMPORT,
        json!({ "json": { "work": [{ "name": "Acme", "startDate": "2020" }, { "position": "x", "startDate": "2021", "endDate": "2020" }] } }),
    )
    .await;
    assert_eq!(
        bad["userErrors"],
        json!([
            { "field": ["input", "json", "work", "0", "position"], "code": "BLANK" },
            { "field": ["input", "json", "work", "1", "name"], "code": "BLANK" },
            { "field": ["input", "json", "work", "1", "endDate"], "code": "INVALID" }
        ]),
        "{bad}"
    );
    let shape = mutate(&app, &ada, IMPORT, json!({ "json": { "skills": "Rust" } })).await;
    assert_eq!(shape["userErrors"], json!([{ "field": ["input", "json", "skills"], "code": "INVALID" }]));

    let imported = mutate(&app, &ada, IMPORT, json!({ "json": sample_document() })).await;
    assert_eq!(
        imported["imported"],
        json!({ "experiences": 2, "educations": 1, "certifications": 1, "skills": 3, "projects": 2, "skipped": 1 }),
        "{imported}"
    );
    let user = &imported["user"];
    assert_eq!(user["headline"], "Backend engineer");
    assert_eq!(user["location"], "Lisbon, PT");
    assert_eq!(user["links"], json!([{ "label": "GitHub", "url": "https://github.com/ada" }]));
    assert_eq!(
        user["skills"],
        json!([
            { "name": "Rust", "category": "Languages", "level": "EXPERT" },
            { "name": "Excel", "category": null, "level": null },
            { "name": "PostgreSQL", "category": null, "level": "ADVANCED" }
        ])
    );
    assert_eq!(
        user["experiences"][0],
        json!({ "companyName": "Acme", "title": "Engineer", "startDate": "2019-03-01", "endDate": "2021-01-01",
                "achievements": [{ "description": "Cut p99 latency by tuning PostgreSQL" }, { "description": "Ran the book club" }] })
    );

    // The same document again adds nothing, and a stored headline stays.
    let mut again = sample_document();
    again["basics"]["label"] = json!("Something else");
    let second = mutate(&app, &ada, IMPORT, json!({ "json": again })).await;
    assert_eq!(
        second["imported"],
        json!({ "experiences": 0, "educations": 0, "certifications": 0, "skills": 0, "projects": 0, "skipped": 10 })
    );
    assert_eq!(second["user"]["headline"], "Backend engineer");
    assert_eq!(second["user"]["experiences"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tailoring_leads_with_the_jobs_skills_and_diff_names_the_changes() {
    let app = counted_app().await;
    let rita = recruiter(&app, "rita@example.com").await;
    let create_job = "mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } } }";
    let job = mutate(
        &app,
        &rita,
        create_job,
        json!({ "title": "Database engineer", "description": "d", "companyName": "Initech", "status": "OPEN",
                "requiredSkills": ["PostgreSQL"], "preferredSkills": ["Rust"] }),
    )
    .await["job"]["id"]
        .clone();
    let bare_job = mutate(
        &app,
        &rita,
        create_job,
        json!({ "title": "Generalist", "description": "d", "companyName": "Initech", "status": "OPEN" }),
    )
    .await["job"]["id"]
        .clone();
    let ada = sign_up(&app, "ada@example.com").await;
    mutate(&app, &ada, IMPORT, json!({ "json": sample_document() })).await;
    let resume = mutate(&app, &ada, CREATE, json!({ "title": "Databases" })).await["resume"].clone();

    let tailor = "mutation($input: TailorResumeInput!) { tailorResume(input: $input) {
        resumeVersion { id version origin tailoredFor { title } content
                        diff { path kind before after } }
        userErrors { field code } } }";
    let tailored = mutate(&app, &ada, tailor, json!({ "resumeId": resume["id"], "jobId": job })).await;
    let version = &tailored["resumeVersion"];
    assert_eq!((version["version"].as_i64(), version["origin"].as_str()), (Some(2), Some("TAILORED")), "{tailored}");
    assert_eq!(version["tailoredFor"]["title"], "Database engineer");
    let content = &version["content"];
    let names = |section: &str| -> Vec<String> {
        content[section].as_array().unwrap().iter().map(|entry| entry["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names("skills"), ["Rust", "PostgreSQL", "Excel"], "both asked-for skills lead, in profile order");
    assert_eq!(names("projects"), ["pgbench notes"], "projects that mention none of the skills are left out");
    // Acme's highlights mention PostgreSQL, Globex's mention Rust: one each,
    // so the profile's order stands.
    assert_eq!(names("work"), ["Acme", "Globex"]);
    assert_eq!(content["work"][0]["highlights"][0], "Cut p99 latency by tuning PostgreSQL");

    // The diff against the previous version names exactly the moved paths.
    let diff = version["diff"].as_array().unwrap();
    let paths: Vec<&str> = diff.iter().map(|change| change["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/projects/0/keywords/0",
            "/projects/0/name",
            "/projects/1",
            "/skills/1/name",
            "/skills/1/level",
            "/skills/2/level",
            "/skills/2/name"
        ],
        "{diff:?}"
    );
    assert_eq!(
        diff[1],
        json!({ "path": "/projects/0/name", "kind": "CHANGED", "before": "Knitting patterns", "after": "pgbench notes" })
    );
    assert_eq!((diff[2]["kind"].as_str(), diff[2]["after"].is_null()), (Some("REMOVED"), true));

    let first = "query($id: ID!, $against: ID) { node(id: $id) { ... on ResumeVersion { diff(against: $against) { path kind } } } }";
    let first_id = resume["currentVersion"]["id"].clone();
    let whole = app.graphql_as(Some(&ada), first, json!({ "id": first_id })).await;
    let kinds: Vec<&str> =
        whole["data"]["node"]["diff"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|kind| *kind == "ADDED"),
        "the first version adds everything: {whole}"
    );
    let against = app.graphql_as(Some(&ada), first, json!({ "id": first_id, "against": version["id"] })).await;
    assert_eq!(against["data"]["node"]["diff"][1], json!({ "path": "/projects/0/name", "kind": "CHANGED" }));
    assert_eq!(against["data"]["node"]["diff"][2], json!({ "path": "/projects/1", "kind": "ADDED" }));

    let refused = mutate(&app, &ada, tailor, json!({ "resumeId": resume["id"], "jobId": bare_job })).await;
    assert_eq!(refused["userErrors"], json!([{ "field": ["input", "jobId"], "code": "INVALID" }]));
    let bob = sign_up(&app, "bob@example.com").await;
    let foreign =
        app.graphql_as(Some(&bob), tailor, json!({ "input": { "resumeId": resume["id"], "jobId": job } })).await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"]);
    let peek = app.graphql_as(Some(&bob), first, json!({ "id": version["id"], "against": first_id })).await;
    assert_eq!(error_codes(&peek), ["NOT_FOUND"]);
}
