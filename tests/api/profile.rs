//! The master profile over HTTP: each section's add, update, delete and
//! reorder, their refusals, privacy, and statement counts that do not grow
//! with the profile.

use crate::common;

use common::{TestApp, counted_app, error_codes, sign_up};
use serde_json::{Value, json};

/// Runs a mutation and returns its payload, asserting no top-level error.
async fn mutate(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app.graphql_as(Some(token), query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let data = body["data"].as_object().unwrap();
    data.values().next().unwrap().clone()
}

const ADD_SKILL: &str = "mutation($input: AddSkillInput!) { addSkill(input: $input) {
    skill { id name category level years position } userErrors { field code } } }";

#[tokio::test]
async fn skills_are_added_refused_updated_reordered_and_deleted() {
    let app = counted_app().await;
    let token = sign_up(&app, "skills@example.com").await;
    let rust = mutate(&app, &token, ADD_SKILL, json!({ "name": "Rust", "level": "EXPERT", "years": 6 })).await;
    assert_eq!(rust["skill"]["position"], 0, "{rust}");
    let sql = mutate(&app, &token, ADD_SKILL, json!({ "name": " PostgreSQL ", "category": "Databases" })).await;
    assert_eq!(sql["skill"]["name"], "PostgreSQL");
    assert_eq!(sql["skill"]["position"], 1);

    let duplicate = mutate(&app, &token, ADD_SKILL, json!({ "name": "rust" })).await;
    assert_eq!(duplicate["skill"], Value::Null);
    assert_eq!(duplicate["userErrors"], json!([{ "field": ["input", "name"], "code": "TAKEN" }]));
    let bad = mutate(&app, &token, ADD_SKILL, json!({ "name": "", "years": 99 })).await;
    assert_eq!(bad["userErrors"].as_array().unwrap().len(), 2, "{bad}");

    let update = "mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { name level years } userErrors { code } } }";
    let rust_id = rust["skill"]["id"].clone();
    let sql_id = sql["skill"]["id"].clone();
    let updated = mutate(&app, &token, update, json!({ "id": rust_id, "years": null, "level": "ADVANCED" })).await;
    assert_eq!(updated["skill"], json!({ "name": "Rust", "level": "ADVANCED", "years": null }));
    let clash = mutate(&app, &token, update, json!({ "id": sql_id, "name": "RUST" })).await;
    assert_eq!(clash["userErrors"][0]["code"], "TAKEN");

    let reorder = "mutation($input: ReorderSkillsInput!) { reorderSkills(input: $input) { skills { name position } userErrors { code } } }";
    let reordered = mutate(&app, &token, reorder, json!({ "ids": [sql_id, rust_id] })).await;
    assert_eq!(
        reordered["skills"],
        json!([{ "name": "PostgreSQL", "position": 0 }, { "name": "Rust", "position": 1 }])
    );
    let partial = mutate(&app, &token, reorder, json!({ "ids": [sql_id] })).await;
    assert_eq!(partial["userErrors"][0]["code"], "INVALID");
    assert_eq!(partial["skills"], Value::Null);

    let viewer = app.graphql_as(Some(&token), "{ viewer { skills { name } } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["skills"], json!([{ "name": "PostgreSQL" }, { "name": "Rust" }]));

    let delete = "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { deletedId } }";
    let deleted = mutate(&app, &token, delete, json!({ "id": rust_id })).await;
    assert_eq!(deleted["deletedId"], rust_id);
    let again = app.graphql_as(Some(&token), delete, json!({ "input": { "id": rust_id } })).await;
    assert_eq!(error_codes(&again), ["NOT_FOUND"]);
    // A deleted name can be added again.
    let readded = mutate(&app, &token, ADD_SKILL, json!({ "name": "Rust" })).await;
    assert_eq!(readded["userErrors"], json!([]));
}

#[tokio::test]
async fn nobody_else_reads_or_writes_a_profile() {
    let app = counted_app().await;
    let owner = sign_up(&app, "owner@example.com").await;
    let other = sign_up(&app, "other@example.com").await;
    let skill = mutate(&app, &owner, ADD_SKILL, json!({ "name": "Go" })).await;
    let id = skill["skill"]["id"].clone();

    let read = app.graphql_as(Some(&other), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(error_codes(&read), ["NOT_FOUND"]);
    let write = app
        .graphql_as(
            Some(&other),
            "mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { name } } }",
            json!({ "input": { "id": id, "name": "Stolen" } }),
        )
        .await;
    assert_eq!(error_codes(&write), ["NOT_FOUND"]);
    let delete = app
        .graphql_as(
            Some(&other),
            "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { deletedId } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(error_codes(&delete), ["NOT_FOUND"]);
    let anonymous = app.graphql(ADD_SKILL, json!({ "input": { "name": "Go" } })).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);

    let own = app
        .graphql_as(Some(&owner), "query($id: ID!) { node(id: $id) { ... on Skill { name } } }", json!({ "id": id }))
        .await;
    assert_eq!(own["data"]["node"]["name"], "Go");
}

const ADD_EXPERIENCE: &str = "mutation($input: AddWorkExperienceInput!) { addWorkExperience(input: $input) {
    workExperience { id companyName title employmentType startDate endDate current achievements { description position } }
    userErrors { field code } } }";

#[tokio::test]
async fn work_experiences_keep_ordered_achievements_and_valid_dates() {
    let app = counted_app().await;
    let token = sign_up(&app, "work@example.com").await;
    let added = mutate(
        &app,
        &token,
        ADD_EXPERIENCE,
        json!({ "companyName": "Acme", "title": "Engineer", "employmentType": "FULL_TIME", "startDate": "2021-03-01",
                "achievements": ["Shipped the API", "Cut p99 latency by 40%"] }),
    )
    .await;
    let role = &added["workExperience"];
    assert_eq!(role["current"], true, "{added}");
    assert_eq!(role["employmentType"], "FULL_TIME");
    assert_eq!(
        role["achievements"],
        json!([{ "description": "Shipped the API", "position": 0 }, { "description": "Cut p99 latency by 40%", "position": 1 }])
    );

    let backwards = mutate(
        &app,
        &token,
        ADD_EXPERIENCE,
        json!({ "companyName": "Acme", "title": "Intern", "startDate": "2020-06-01", "endDate": "2020-01-01" }),
    )
    .await;
    assert_eq!(backwards["userErrors"], json!([{ "field": ["input", "endDate"], "code": "INVALID" }]));
    let bad_date = app
        .graphql_as(
            Some(&token),
            ADD_EXPERIENCE,
            json!({ "input": { "companyName": "A", "title": "B", "startDate": "2020-13-45" } }),
        )
        .await;
    assert_eq!(error_codes(&bad_date), ["BAD_USER_INPUT"]);

    let update = "mutation($input: UpdateWorkExperienceInput!) { updateWorkExperience(input: $input) {
        workExperience { title endDate current achievements { description } } userErrors { field code } } }";
    let id = role["id"].clone();
    let updated =
        mutate(&app, &token, update, json!({ "id": id, "endDate": "2023-12-31", "achievements": ["Led the team"] }))
            .await;
    assert_eq!(
        updated["workExperience"],
        json!({ "title": "Engineer", "endDate": "2023-12-31", "current": false, "achievements": [{ "description": "Led the team" }] })
    );
    // The end date is checked against the stored start date.
    let early = mutate(&app, &token, update, json!({ "id": id, "endDate": "2019-01-01" })).await;
    assert_eq!(early["userErrors"][0]["code"], "INVALID");
    let reopened = mutate(&app, &token, update, json!({ "id": id, "endDate": null })).await;
    assert_eq!(reopened["workExperience"]["current"], true);

    let second = mutate(
        &app,
        &token,
        ADD_EXPERIENCE,
        json!({ "companyName": "Globex", "title": "Lead", "startDate": "2024-01-01" }),
    )
    .await;
    let second_id = second["workExperience"]["id"].clone();
    let reorder = "mutation($input: ReorderWorkExperiencesInput!) { reorderWorkExperiences(input: $input) { workExperiences { companyName } } }";
    let reordered = mutate(&app, &token, reorder, json!({ "ids": [second_id, id] })).await;
    assert_eq!(reordered["workExperiences"], json!([{ "companyName": "Globex" }, { "companyName": "Acme" }]));

    let delete = "mutation($input: DeleteWorkExperienceInput!) { deleteWorkExperience(input: $input) { deletedId } }";
    mutate(&app, &token, delete, json!({ "id": second_id })).await;
    let viewer = app
        .graphql_as(Some(&token), "{ viewer { experiences { companyName achievements { description } } } }", json!({}))
        .await;
    assert_eq!(
        viewer["data"]["viewer"]["experiences"],
        json!([{ "companyName": "Acme", "achievements": [{ "description": "Led the team" }] }])
    );
}

#[tokio::test]
async fn educations_certifications_and_projects_round_trip() {
    let app = counted_app().await;
    let token = sign_up(&app, "sections@example.com").await;
    let education = mutate(
        &app,
        &token,
        "mutation($input: AddEducationInput!) { addEducation(input: $input) { education { id institution degree startDate endDate } userErrors { code } } }",
        json!({ "institution": "MIT", "degree": "BSc", "startDate": "2012-09-01", "endDate": "2016-06-30" }),
    )
    .await;
    assert_eq!(education["education"]["institution"], "MIT", "{education}");
    let moved = mutate(
        &app,
        &token,
        "mutation($input: UpdateEducationInput!) { updateEducation(input: $input) { education { degree } userErrors { field code } } }",
        json!({ "id": education["education"]["id"], "startDate": "2017-01-01" }),
    )
    .await;
    assert_eq!(
        moved["userErrors"],
        json!([{ "field": ["input", "endDate"], "code": "INVALID" }]),
        "start after the stored end"
    );

    let certification = mutate(
        &app,
        &token,
        "mutation($input: AddCertificationInput!) { addCertification(input: $input) { certification { name issuedOn credentialUrl } userErrors { field code } } }",
        json!({ "name": "CKA", "issuedOn": "2022-01-10", "credentialUrl": "ftp://nope" }),
    )
    .await;
    assert_eq!(certification["userErrors"], json!([{ "field": ["input", "credentialUrl"], "code": "INVALID" }]));
    let certification = mutate(
        &app,
        &token,
        "mutation($input: AddCertificationInput!) { addCertification(input: $input) { certification { name issuedOn credentialUrl } userErrors { code } } }",
        json!({ "name": "CKA", "issuedOn": "2022-01-10", "credentialUrl": "https://cncf.io/cert/1" }),
    )
    .await;
    assert_eq!(
        certification["certification"],
        json!({ "name": "CKA", "issuedOn": "2022-01-10", "credentialUrl": "https://cncf.io/cert/1" })
    );

    let add_project = "mutation($input: AddProjectInput!) { addProject(input: $input) {
        project { id name technologies highlights links { label url } } userErrors { field code } } }";
    let project = mutate(
        &app,
        &token,
        add_project,
        json!({ "name": "careergraph", "technologies": ["Rust", " ", "PostgreSQL"], "highlights": ["Fast"],
                "links": [{ "label": "Source", "url": "https://example.com/src" }] }),
    )
    .await;
    assert_eq!(
        project["project"],
        json!({ "id": project["project"]["id"], "name": "careergraph", "technologies": ["Rust", "PostgreSQL"], "highlights": ["Fast"],
                "links": [{ "label": "Source", "url": "https://example.com/src" }] })
    );
    let bad_link =
        mutate(&app, &token, add_project, json!({ "name": "x", "links": [{ "label": "", "url": "nope" }] })).await;
    assert_eq!(bad_link["userErrors"].as_array().unwrap().len(), 2, "{bad_link}");
    let updated = mutate(
        &app,
        &token,
        "mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { technologies description } } }",
        json!({ "id": project["project"]["id"], "technologies": ["Go"], "description": "An API" }),
    )
    .await;
    assert_eq!(updated["project"], json!({ "technologies": ["Go"], "description": "An API" }));

    let viewer = app
        .graphql_as(
            Some(&token),
            "{ viewer { educations { degree } certifications { name } projects { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "educations": [{ "degree": "BSc" }], "certifications": [{ "name": "CKA" }], "projects": [{ "name": "careergraph" }] })
    );
}

/// Fills every section of `token`'s profile with `n` items.
async fn fill_profile(app: &TestApp, token: &str, n: usize) {
    for i in 0..n {
        mutate(app, token, ADD_EXPERIENCE, json!({ "companyName": format!("C{i}"), "title": "Dev", "startDate": "2020-01-01", "achievements": ["a", "b"] })).await;
        mutate(
            app,
            token,
            "mutation($input: AddEducationInput!) { addEducation(input: $input) { userErrors { code } } }",
            json!({ "institution": format!("U{i}") }),
        )
        .await;
        mutate(
            app,
            token,
            "mutation($input: AddCertificationInput!) { addCertification(input: $input) { userErrors { code } } }",
            json!({ "name": format!("Cert{i}") }),
        )
        .await;
        mutate(app, token, ADD_SKILL, json!({ "name": format!("Skill{i}") })).await;
        mutate(
            app,
            token,
            "mutation($input: AddProjectInput!) { addProject(input: $input) { userErrors { code } } }",
            json!({ "name": format!("P{i}") }),
        )
        .await;
    }
}

#[tokio::test]
async fn a_full_profile_costs_the_same_statements_as_a_small_one() {
    let app = counted_app().await;
    let small = sign_up(&app, "small@example.com").await;
    let large = sign_up(&app, "large@example.com").await;
    fill_profile(&app, &small, 2).await;
    fill_profile(&app, &large, 25).await;
    let query = "{ viewer { fullName experiences { title achievements { description } } educations { institution }
        certifications { name } skills { name } projects { name } } }";
    let mut counts = Vec::new();
    for (token, n) in [(&small, 2), (&large, 25)] {
        let body = app.graphql_as(Some(token), query, json!({})).await;
        assert_eq!(body["data"]["viewer"]["experiences"].as_array().unwrap().len(), n);
        assert_eq!(body["data"]["viewer"]["experiences"][n - 1]["achievements"].as_array().unwrap().len(), 2);
        counts.push(body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(counts[0], counts[1], "statements for 2 vs 25 items per section: {counts:?}");
    assert!(counts[0] <= 7, "one statement per relation expected, got {}", counts[0]);
}

#[tokio::test]
async fn certifications_are_changed_field_by_field_and_cleared_with_null() {
    let app = counted_app().await;
    let token = sign_up(&app, "certs@example.com").await;
    let fields = "certification { id name issuer issuedOn expiresOn credentialId credentialUrl position } userErrors { field code }";
    let added = mutate(
        &app,
        &token,
        &format!("mutation($input: AddCertificationInput!) {{ addCertification(input: $input) {{ {fields} }} }}"),
        json!({ "name": "CKA", "issuer": "CNCF", "issuedOn": "2022-01-10", "credentialId": "LF-1",
                "credentialUrl": "https://example.com/cka" }),
    )
    .await;
    let stored = &added["certification"];
    assert_eq!(stored["position"], 0, "{added}");
    assert_eq!(stored["expiresOn"], Value::Null);
    let update =
        format!("mutation($input: UpdateCertificationInput!) {{ updateCertification(input: $input) {{ {fields} }} }}");

    // Omitted fields stay, null clears an optional one, a value replaces.
    let changed =
        mutate(&app, &token, &update, json!({ "id": stored["id"], "issuer": null, "expiresOn": "2025-01-10" })).await;
    let expected = json!({ "id": stored["id"], "name": "CKA", "issuer": null, "issuedOn": "2022-01-10",
        "expiresOn": "2025-01-10", "credentialId": "LF-1", "credentialUrl": "https://example.com/cka", "position": 0 });
    assert_eq!(changed["certification"], expected, "{changed}");
    assert_eq!(changed["userErrors"], json!([]));

    // A refused change writes nothing.
    let refused =
        mutate(&app, &token, &update, json!({ "id": stored["id"], "name": "", "expiresOn": "2020-01-01" })).await;
    assert_eq!(refused["certification"], Value::Null);
    assert_eq!(refused["userErrors"].as_array().unwrap().len(), 2, "{refused}");
    let read = app.graphql_as(Some(&token), "{ viewer { certifications { name expiresOn } } }", json!({})).await;
    assert_eq!(read["data"]["viewer"]["certifications"], json!([{ "name": "CKA", "expiresOn": "2025-01-10" }]));

    // Someone else's item is not found, and stays as it was.
    let other = sign_up(&app, "other@example.com").await;
    let body = app.graphql_as(Some(&other), &update, json!({ "input": { "id": stored["id"], "name": "Mine" } })).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let read = app.graphql_as(Some(&token), "{ viewer { certifications { name } } }", json!({})).await;
    assert_eq!(read["data"]["viewer"]["certifications"], json!([{ "name": "CKA" }]));
}
