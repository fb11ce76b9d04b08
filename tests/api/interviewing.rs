//! Structured interviews: interview kits with ordered questions, scorecards
//! (drafts, immutable submissions, revisions), interview reports, applicants
//! ranked by interview score, and none of it for candidates.

use crate::common;

use std::time::Duration;

use careergraph::config::ServerArgs;
use common::ws::{connect, next_message, subscribe};
use common::{
    TestApp, TestDb, apply_to, await_subscriptions, counted_app, demo_login, error_codes, post_open_job, recruiter,
    sign_up,
};
use serde_json::{Value, json};

const CREATE_KIT: &str = "mutation($input: CreateInterviewKitInput!) { createInterviewKit(input: $input) {
    kit { id name kind questions { id position text guidance competency weight } } userErrors { field code message } } }";
const SCHEDULE: &str = "mutation($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) {
    interview { id kit { id name } } userErrors { field code } } }";
const DRAFT: &str = "mutation($input: ScorecardInput!) { saveScorecardDraft(input: $input) {
    scorecard { id revision status recommendation summary score ratings { questionText competency weight rating notes } }
    userErrors { field code message } } }";
const SUBMIT: &str = "mutation($input: ScorecardInput!) { submitScorecard(input: $input) {
    scorecard { id revision status recommendation summary score submittedAt
                ratings { question { id } questionText competency weight rating notes } revisions { revision status } }
    userErrors { field code message } } }";
const REPORT: &str = "query($id: ID!) { node(id: $id) { ... on Application { interviewReport {
    score scorecardCount competencies { competency score ratingCount totalWeight }
    recommendations { interviewer { fullName } recommendation interview { id } scorecard { revision } } gaps } } } }";
const RANKED: &str =
    "query($job: ID!, $first: Int, $after: String, $direction: OrderDirection = DESC) { job(id: $job) {
    applicants(orderBy: { field: INTERVIEW_SCORE, direction: $direction }, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id applicant { fullName } interviewReport { score } } } } }";

/// Runs `query` as `token`, asserting there were no top-level errors.
async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(token), query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// A recruiter's open job with three applicants, a kit of three questions,
/// and a technical interview with that kit for each of the first two.
struct Hiring {
    app: TestApp,
    rita: String,
    job: String,
    /// (token, application id, interview id) of Ada, Grace and Alan (Alan
    /// has no interview).
    candidates: Vec<(String, String, Option<String>)>,
    kit: String,
    /// The kit's questions: Rust (weight 3), Communication (1), System design (2).
    questions: Vec<String>,
}

async fn hiring(app: TestApp) -> Hiring {
    let rita = recruiter(&app, "rita@example.com").await;
    let job = post_open_job(&app, &rita, "Backend Engineer").await;
    let mut candidates = Vec::new();
    for name in ["ada", "grace", "alan"] {
        let token = sign_up(&app, &format!("{name}@example.com")).await;
        apply_to(&app, &token, &job).await;
        let mine = ok(&app, &token, "{ viewer { applications { nodes { id } } } }", json!({})).await;
        candidates.push((token, mine["viewer"]["applications"]["nodes"][0]["id"].as_str().unwrap().to_owned(), None));
    }
    let questions = json!([
        { "text": "Explain ownership.", "guidance": "Moves, borrows, lifetimes.", "competency": "Rust", "weight": 3 },
        { "text": "Explain a design to a PM.", "competency": "Communication" },
        { "text": "Design a rate limiter.", "competency": "System design", "weight": 2 },
    ]);
    let input = json!({ "jobId": job, "name": "Backend technical", "kind": "TECHNICAL", "questions": questions });
    let created = ok(&app, &rita, CREATE_KIT, json!({ "input": input })).await;
    let kit = &created["createInterviewKit"]["kit"];
    let kit_id = kit["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let questions: Vec<String> =
        kit["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect();
    for (_, application, interview) in candidates.iter_mut().take(2) {
        let input = json!({ "applicationId": application, "kind": "TECHNICAL",
                            "scheduledAt": "2030-05-01T09:00:00Z", "kitId": kit_id });
        let scheduled = ok(&app, &rita, SCHEDULE, json!({ "input": input })).await;
        assert_eq!(scheduled["scheduleInterview"]["interview"]["kit"]["id"], kit_id.as_str(), "{scheduled}");
        *interview = Some(scheduled["scheduleInterview"]["interview"]["id"].as_str().unwrap().to_owned());
    }
    Hiring { app, rita, job, candidates, kit: kit_id, questions }
}

impl Hiring {
    fn interview(&self, candidate: usize) -> &str {
        self.candidates[candidate].2.as_deref().unwrap()
    }

    fn application(&self, candidate: usize) -> &str {
        &self.candidates[candidate].1
    }

    /// Submits Rita's scorecard for `candidate`'s interview with `ratings`
    /// (question index, rating).
    async fn submit(&self, candidate: usize, ratings: &[(usize, &str)], recommendation: &str) -> Value {
        let ratings: Vec<Value> = ratings
            .iter()
            .map(|(question, rating)| json!({ "questionId": self.questions[*question], "rating": rating, "notes": "seen" }))
            .collect();
        let input = json!({ "interviewId": self.interview(candidate), "ratings": ratings,
                            "recommendation": recommendation, "summary": "Summary" });
        let submitted = ok(&self.app, &self.rita, SUBMIT, json!({ "input": input })).await;
        assert_eq!(submitted["submitScorecard"]["userErrors"], json!([]), "{submitted}");
        submitted["submitScorecard"]["scorecard"].clone()
    }
}

#[tokio::test]
async fn a_recruiter_keeps_kits_with_ordered_questions_and_copies_them() {
    let h = hiring(TestApp::spawn().await).await;
    let (app, rita) = (&h.app, &h.rita);
    let kit_questions = "query($id: ID!) { node(id: $id) { ... on InterviewKit { name kind job { id }
        questions { id position text competency weight guidance } } } }";
    let kit = ok(app, rita, kit_questions, json!({ "id": h.kit })).await;
    let texts = |kit: &Value| -> Vec<String> {
        kit["node"]["questions"].as_array().unwrap().iter().map(|q| q["text"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(texts(&kit), ["Explain ownership.", "Explain a design to a PM.", "Design a rate limiter."]);
    assert_eq!(kit["node"]["questions"][1]["weight"], 1, "the default weight");
    assert_eq!(kit["node"]["questions"][0]["guidance"], "Moves, borrows, lifetimes.");
    assert_eq!(kit["node"]["job"]["id"], h.job.as_str());

    // Add at the front, change, reorder, delete: positions stay 0..n.
    let add = "mutation($input: AddInterviewQuestionInput!) { addInterviewQuestion(input: $input) {
        question { id position kit { questions { position text } } } userErrors { field code } } }";
    let input = json!({ "kitId": h.kit, "position": 0, "question": { "text": "Tell me about a team conflict.", "competency": "Collaboration" } });
    let added = ok(app, rita, add, json!({ "input": input })).await;
    let added_id = added["addInterviewQuestion"]["question"]["id"].as_str().unwrap().to_owned();
    let positions: Vec<i64> = added["addInterviewQuestion"]["question"]["kit"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1, 2, 3]);
    let refused = ok(
        app,
        rita,
        add,
        json!({ "input": { "kitId": h.kit, "question": { "text": " ", "competency": "x", "weight": 11 } } }),
    )
    .await;
    let fields: Vec<&Value> =
        refused["addInterviewQuestion"]["userErrors"].as_array().unwrap().iter().map(|e| &e["field"]).collect();
    assert_eq!(fields, [&json!(["input", "question", "text"]), &json!(["input", "question", "weight"])], "{refused}");

    let update = "mutation($input: UpdateInterviewQuestionInput!) { updateInterviewQuestion(input: $input) {
        question { text guidance weight competency } userErrors { field code } } }";
    let input = json!({ "questionId": h.questions[0], "weight": 4, "guidance": null });
    let updated = ok(app, rita, update, json!({ "input": input })).await;
    assert_eq!(
        updated["updateInterviewQuestion"]["question"],
        json!({ "text": "Explain ownership.", "guidance": null, "weight": 4, "competency": "Rust" })
    );

    let reorder = "mutation($input: ReorderInterviewQuestionsInput!) { reorderInterviewQuestions(input: $input) {
        kit { questions { text position } } userErrors { field code } } }";
    let partial = ok(app, rita, reorder, json!({ "input": { "kitId": h.kit, "questionIds": [h.questions[0]] } })).await;
    assert_eq!(partial["reorderInterviewQuestions"]["userErrors"][0]["field"], json!(["input", "questionIds"]));
    let twice = json!([h.questions[0], h.questions[0], h.questions[1], h.questions[2]]);
    let doubled = ok(app, rita, reorder, json!({ "input": { "kitId": h.kit, "questionIds": twice } })).await;
    assert_eq!(doubled["reorderInterviewQuestions"]["userErrors"][0]["code"], "INVALID", "{doubled}");
    let order = json!([h.questions[2], h.questions[0], added_id, h.questions[1]]);
    let reordered = ok(app, rita, reorder, json!({ "input": { "kitId": h.kit, "questionIds": order } })).await;
    let kit = &reordered["reorderInterviewQuestions"]["kit"];
    assert_eq!(
        kit["questions"],
        json!([
            { "text": "Design a rate limiter.", "position": 0 },
            { "text": "Explain ownership.", "position": 1 },
            { "text": "Tell me about a team conflict.", "position": 2 },
            { "text": "Explain a design to a PM.", "position": 3 },
        ])
    );
    let delete = "mutation($input: DeleteInterviewQuestionInput!) { deleteInterviewQuestion(input: $input) {
        kit { questions { text position } } } }";
    let deleted = ok(app, rita, delete, json!({ "input": { "questionId": added_id } })).await;
    let positions: Vec<(String, i64)> = deleted["deleteInterviewQuestion"]["kit"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["text"].as_str().unwrap().to_owned(), q["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(positions.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(!positions.iter().any(|(text, _)| text.contains("conflict")));

    // Copy into another of Rita's jobs, renamed; the copy is its own.
    let other = post_open_job(app, rita, "Platform Engineer").await;
    let copy = "mutation($input: CopyInterviewKitInput!) { copyInterviewKit(input: $input) {
        kit { id name kind job { id } questions { id text position } } userErrors { field code } } }";
    let copied =
        ok(app, rita, copy, json!({ "input": { "kitId": h.kit, "jobId": other, "name": "Platform technical" } })).await;
    let copy_kit = &copied["copyInterviewKit"]["kit"];
    assert_eq!((copy_kit["name"].as_str(), copy_kit["kind"].as_str()), (Some("Platform technical"), Some("TECHNICAL")));
    assert_eq!(copy_kit["job"]["id"], other.as_str());
    assert_eq!(copy_kit["questions"].as_array().unwrap().len(), 3);
    assert!(!h.questions.iter().any(|id| id == copy_kit["questions"][0]["id"].as_str().unwrap()), "new questions");
    let kits =
        ok(app, rita, "query($id: ID!) { job(id: $id) { interviewKits { name } } }", json!({ "id": other })).await;
    assert_eq!(kits["job"]["interviewKits"], json!([{ "name": "Platform technical" }]));

    // Another recruiter's job is theirs: no copying into it, no kit of Rita's for them.
    let sam = recruiter(app, "sam@example.com").await;
    let sams_job = post_open_job(app, &sam, "Sam's job").await;
    let into_sams = app.graphql_as(Some(rita), copy, json!({ "input": { "kitId": h.kit, "jobId": sams_job } })).await;
    assert_eq!(error_codes(&into_sams), ["FORBIDDEN"], "{into_sams}");
    let create = json!({ "input": { "jobId": sams_job, "name": "Mine", "kind": "OTHER" } });
    assert_eq!(error_codes(&app.graphql_as(Some(rita), CREATE_KIT, create).await), ["FORBIDDEN"]);
    let from_rita = app.graphql_as(Some(&sam), copy, json!({ "input": { "kitId": h.kit, "jobId": sams_job } })).await;
    assert_eq!(error_codes(&from_rita), ["NOT_FOUND"], "{from_rita}");
    let update = "mutation($input: UpdateInterviewQuestionInput!) { updateInterviewQuestion(input: $input) { question { id } } }";
    let theirs =
        app.graphql_as(Some(&sam), update, json!({ "input": { "questionId": h.questions[1], "weight": 2 } })).await;
    assert_eq!(error_codes(&theirs), ["NOT_FOUND"]);
    assert!(theirs["errors"][0]["message"].as_str().unwrap().contains(&h.questions[1]), "names the question: {theirs}");
    let seen = app.graphql_as(Some(&sam), kit_questions, json!({ "id": h.kit })).await;
    assert_eq!((seen["data"]["node"].clone(), error_codes(&seen)), (Value::Null, vec!["NOT_FOUND".to_owned()]));

    // A kit of another job is refused for an interview; deleting hides a kit.
    let input = json!({ "applicationId": h.application(2), "kind": "TECHNICAL", "scheduledAt": "2030-05-02T09:00:00Z",
                        "kitId": copy_kit["id"] });
    let wrong_kit = ok(app, rita, SCHEDULE, json!({ "input": input })).await;
    assert_eq!(
        wrong_kit["scheduleInterview"]["userErrors"],
        json!([{ "field": ["input", "kitId"], "code": "INVALID" }])
    );
    let delete_kit = "mutation($input: DeleteInterviewKitInput!) { deleteInterviewKit(input: $input) { kit { id } } }";
    ok(app, rita, delete_kit, json!({ "input": { "kitId": copy_kit["id"] } })).await;
    let kits =
        ok(app, rita, "query($id: ID!) { job(id: $id) { interviewKits { name } } }", json!({ "id": other })).await;
    assert_eq!(kits["job"]["interviewKits"], json!([]));

    let blank = json!({ "input": { "jobId": h.job, "name": "  ", "kind": "TECHNICAL" } });
    let refused = ok(app, rita, CREATE_KIT, blank).await;
    assert_eq!(refused["createInterviewKit"]["userErrors"][0]["field"], json!(["input", "name"]));
}

#[tokio::test]
async fn scorecards_are_drafted_submitted_once_and_corrected_by_revision() {
    let h = hiring(TestApp::spawn().await).await;
    let (app, rita) = (&h.app, &h.rita);
    let interview = h.interview(0);

    // A draft without a recommendation, changed, then seen only by Rita.
    let draft = json!({ "interviewId": interview, "ratings": [{ "questionId": h.questions[0], "rating": "YES" }] });
    let saved = ok(app, rita, DRAFT, json!({ "input": draft })).await;
    let card = &saved["saveScorecardDraft"]["scorecard"];
    assert_eq!((card["revision"].as_i64(), card["status"].as_str()), (Some(1), Some("DRAFT")), "{saved}");
    let draft = json!({ "interviewId": interview, "summary": "Halfway",
                        "ratings": [{ "questionId": h.questions[0], "rating": "STRONG_YES", "notes": " sharp " }] });
    let saved = ok(app, rita, DRAFT, json!({ "input": draft })).await;
    let card = &saved["saveScorecardDraft"]["scorecard"];
    assert_eq!(card["revision"], 1, "the draft is edited in place");
    assert_eq!(
        card["ratings"],
        json!([{ "questionText": "Explain ownership.", "competency": "Rust", "weight": 3, "rating": "STRONG_YES", "notes": "sharp" }])
    );
    let report = ok(app, rita, REPORT, json!({ "id": h.application(0) })).await;
    assert_eq!(report["node"]["interviewReport"]["scorecardCount"], 0, "a draft counts nowhere: {report}");

    // Submitting needs a recommendation and questions of the interview's kit.
    let no_recommendation = json!({ "interviewId": interview });
    let refused = ok(app, rita, SUBMIT, json!({ "input": no_recommendation })).await;
    assert_eq!(
        refused["submitScorecard"]["userErrors"],
        json!([{ "field": ["input", "recommendation"], "code": "BLANK", "message": "Give a recommendation to submit" }])
    );
    let stranger = json!({ "interviewId": interview, "recommendation": "YES",
                           "ratings": [{ "questionId": h.kit, "rating": "YES" }] });
    let refused = ok(app, rita, SUBMIT, json!({ "input": stranger })).await;
    assert_eq!(refused["submitScorecard"]["userErrors"][0]["field"], json!(["input", "ratings", "0", "questionId"]));
    let candidate = &h.candidates[0].0;
    let by_ada = app
        .graphql_as(
            Some(candidate),
            SUBMIT,
            json!({ "input": { "interviewId": interview, "recommendation": "STRONG_YES" } }),
        )
        .await;
    assert_eq!(error_codes(&by_ada), ["FORBIDDEN"], "{by_ada}");

    // The submission is the draft, now immutable; resubmitting is revision 2.
    let first = h.submit(0, &[(0, "STRONG_YES"), (1, "YES")], "STRONG_YES").await;
    assert_eq!((first["revision"].as_i64(), first["status"].as_str()), (Some(1), Some("SUBMITTED")), "{first}");
    assert_eq!(first["id"], card["id"], "the draft became the submission");
    assert_eq!(first["ratings"][0]["question"]["id"], h.questions[0].as_str());
    // (4×3 + 3×1) / 4
    assert_eq!(first["score"], 3.75);
    let second = h.submit(0, &[(0, "YES"), (1, "YES"), (2, "NO")], "YES").await;
    assert_eq!(second["revision"], 2);
    assert_eq!(
        second["revisions"],
        json!([{ "revision": 1, "status": "SUBMITTED" }, { "revision": 2, "status": "SUBMITTED" }])
    );
    let earlier = ok(
        app,
        rita,
        "query($id: ID!) { node(id: $id) { ... on Scorecard { recommendation ratings { rating } } } }",
        json!({ "id": first["id"] }),
    )
    .await;
    assert_eq!(
        earlier["node"],
        json!({ "recommendation": "STRONG_YES", "ratings": [{ "rating": "STRONG_YES" }, { "rating": "YES" }] })
    );

    // The database itself refuses to rewrite a submission.
    let mut conn = app.db.connect().await;
    let rewrite = diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE scorecards SET summary = 'rewritten' WHERE revision = 1"),
        &mut conn,
    )
    .await;
    assert!(rewrite.unwrap_err().to_string().contains("never changed"));

    // Interview.scorecards shows each interviewer's latest; the report the latest only.
    let listed = ok(
        app,
        rita,
        "query($id: ID!) { node(id: $id) { ... on Interview { scorecards { revision interviewer { fullName } } } } }",
        json!({ "id": interview }),
    )
    .await;
    assert_eq!(
        listed["node"]["scorecards"],
        json!([{ "revision": 2, "interviewer": { "fullName": "Rita Recruiter" } }])
    );
    let report = ok(app, rita, REPORT, json!({ "id": h.application(0) })).await;
    let report = &report["node"]["interviewReport"];
    assert_eq!(report["scorecardCount"], 1);
    // (3×3 + 3×1 + 2×2) / 6
    assert_eq!(report["score"].as_f64().unwrap(), 16.0 / 6.0);

    // Editing the kit later leaves the submission as it was rated.
    let update = "mutation($input: UpdateInterviewQuestionInput!) { updateInterviewQuestion(input: $input) { question { weight } } }";
    ok(app, rita, update, json!({ "input": { "questionId": h.questions[2], "weight": 10, "text": "Changed" } })).await;
    let again = ok(
        app,
        rita,
        "query($id: ID!) { node(id: $id) { ... on Scorecard { ratings { questionText weight } } } }",
        json!({ "id": second["id"] }),
    )
    .await;
    assert_eq!(again["node"]["ratings"][2], json!({ "questionText": "Design a rate limiter.", "weight": 2 }));

    // Corrections are bounded: 20 revisions in all.
    for revision in 3..=20 {
        assert_eq!(h.submit(0, &[(0, "YES")], "YES").await["revision"], revision);
    }
    let input = json!({ "interviewId": interview, "recommendation": "YES" });
    let refused = ok(app, rita, SUBMIT, json!({ "input": input })).await;
    assert_eq!(refused["submitScorecard"]["userErrors"][0]["code"], "TOO_LONG", "{refused}");

    // Submitting is on the recruiting side of the timeline.
    let timeline = "query($id: ID!) { node(id: $id) { ... on Application { events(last: 3) { totalCount nodes { kind actor { fullName } } } } } }";
    let seen = ok(app, rita, timeline, json!({ "id": h.application(0) })).await;
    let kinds: Vec<&str> =
        seen["node"]["events"]["nodes"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["SCORECARD_SUBMITTED", "SCORECARD_SUBMITTED", "SCORECARD_SUBMITTED"], "{seen}");
    assert_eq!(seen["node"]["events"]["totalCount"], 22, "created, scheduled and 20 submissions");
}

#[tokio::test]
async fn reports_weigh_competencies_and_rank_applicants_by_score() {
    let h = hiring(TestApp::spawn().await).await;
    let (app, rita) = (&h.app, &h.rita);
    // Ada: Rust STRONG_YES (w3), Communication NO (w1) → 3.5; Grace: Rust NO, System design YES (w2) → 2.4.
    h.submit(0, &[(0, "STRONG_YES"), (1, "NO")], "YES").await;
    h.submit(1, &[(0, "NO"), (2, "YES")], "NO").await;

    let report = ok(app, rita, REPORT, json!({ "id": h.application(0) })).await;
    let report = &report["node"]["interviewReport"];
    assert_eq!(report["score"], 3.5, "{report}");
    assert_eq!(
        report["competencies"],
        json!([
            { "competency": "Rust", "score": 4.0, "ratingCount": 1, "totalWeight": 3 },
            { "competency": "Communication", "score": 2.0, "ratingCount": 1, "totalWeight": 1 },
        ])
    );
    assert_eq!(report["gaps"], json!(["System design"]), "no interview rated it");
    assert_eq!(report["recommendations"][0]["recommendation"], "YES");
    assert_eq!(report["recommendations"][0]["interview"]["id"], h.interview(0));
    let grace = ok(app, rita, REPORT, json!({ "id": h.application(1) })).await;
    assert_eq!(grace["node"]["interviewReport"]["score"].as_f64().unwrap(), (2.0 * 3.0 + 3.0 * 2.0) / 5.0);
    assert_eq!(grace["node"]["interviewReport"]["gaps"], json!(["Communication"]));

    // Ranked: Ada, Grace, then Alan (unscored), a page at a time.
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(app, rita, RANKED, json!({ "job": h.job, "first": 1, "after": after })).await;
        let applicants = &page["job"]["applicants"];
        assert_eq!(applicants["totalCount"], 3);
        names.push(applicants["nodes"][0]["applicant"]["fullName"].as_str().unwrap().to_owned());
        if applicants["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = applicants["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(names, ["ada@example.com", "grace@example.com", "alan@example.com"]);
    let ascending = ok(app, rita, RANKED, json!({ "job": h.job, "direction": "ASC" })).await;
    let scores: Vec<Value> = ascending["job"]["applicants"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["interviewReport"]["score"].clone())
        .collect();
    assert_eq!(scores, [Value::Null, json!(2.4), json!(3.5)]);
    // A cursor of another ordering is refused, not misread.
    let by_date = ok(
        app,
        rita,
        "query($job: ID!) { job(id: $job) { applicants(first: 1) { pageInfo { endCursor } } } }",
        json!({ "job": h.job }),
    )
    .await;
    let cursor = by_date["job"]["applicants"]["pageInfo"]["endCursor"].clone();
    let mixed = app.graphql_as(Some(rita), RANKED, json!({ "job": h.job, "after": cursor })).await;
    assert_eq!(error_codes(&mixed), ["BAD_USER_INPUT"], "{mixed}");

    // The job's applicants export carries the score; the candidate's own export does not.
    let path = format!("/exports/jobs/{}/applicants.csv", h.job);
    let csv = crate::exports::download(app, Some(rita), &path).await.text().await.unwrap();
    let rows = crate::exports::records(&csv);
    let (header, rows) = rows.split_first().unwrap();
    let scores: std::collections::BTreeMap<&str, &str> = rows
        .iter()
        .map(|row| {
            (crate::exports::cell(header, row, "applicant"), crate::exports::cell(header, row, "interview_score"))
        })
        .collect();
    let expected = [("ada@example.com", "3.50"), ("alan@example.com", ""), ("grace@example.com", "2.40")];
    assert_eq!(scores, expected.into_iter().collect(), "{csv}");
    let own = crate::exports::download(app, Some(&h.candidates[0].0), "/exports/applications.csv").await;
    assert!(!own.text().await.unwrap().contains("interview_score"));

    // The pipeline's stages carry the average score of those scored.
    let pipeline =
        ok(app, rita, "{ analytics { pipeline { stages { status count averageInterviewScore } } } }", json!({})).await;
    let applied = pipeline["analytics"]["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|stage| stage["status"] == "APPLIED")
        .cloned()
        .unwrap();
    assert_eq!(applied["count"], 3);
    assert!((applied["averageInterviewScore"].as_f64().unwrap() - (3.5 + 2.4) / 2.0).abs() < 1e-9, "{applied}");

    // A deleted kit leaves the scores and their ratings alone, and its
    // competencies the gaps; nothing more is rated against it.
    let delete_kit = "mutation($input: DeleteInterviewKitInput!) { deleteInterviewKit(input: $input) { kit { id } } }";
    ok(app, rita, delete_kit, json!({ "input": { "kitId": h.kit } })).await;
    let after = ok(app, rita, REPORT, json!({ "id": h.application(0) })).await;
    assert_eq!(after["node"]["interviewReport"]["score"], 3.5);
    assert_eq!(after["node"]["interviewReport"]["competencies"], report["competencies"]);
    assert_eq!(after["node"]["interviewReport"]["gaps"], json!([]));
    let kit = ok(
        app,
        rita,
        "query($id: ID!) { node(id: $id) { ... on Interview { kit { id } } } }",
        json!({ "id": h.interview(0) }),
    )
    .await;
    assert_eq!(kit["node"]["kit"], Value::Null);
    let input = json!({ "interviewId": h.interview(0), "recommendation": "YES",
                        "ratings": [{ "questionId": h.questions[0], "rating": "YES" }] });
    let refused = ok(app, rita, SUBMIT, json!({ "input": input })).await;
    assert_eq!(refused["submitScorecard"]["userErrors"][0]["field"], json!(["input", "ratings", "0", "questionId"]));
}

#[tokio::test]
async fn candidates_never_see_kits_scorecards_or_reports() {
    let h = hiring(TestApp::spawn().await).await;
    let (app, rita) = (&h.app, &h.rita);
    let (ada, application) = (&h.candidates[0].0, h.application(0).to_owned());
    let draft = json!({ "interviewId": h.interview(0), "ratings": [{ "questionId": h.questions[0], "rating": "NO" }] });
    let drafted = ok(app, rita, DRAFT, json!({ "input": draft })).await;
    let draft_id = drafted["saveScorecardDraft"]["scorecard"]["id"].clone();
    let before = ok(
        app,
        ada,
        "query($id: ID!) { node(id: $id) { ... on Application { updatedAt } } }",
        json!({ "id": application }),
    )
    .await;

    // Ada follows her timeline while Rita submits and then adds a note.
    let mut feed = connect(&app.base_url, ada).await.unwrap();
    subscribe(
        &mut feed,
        "mine",
        "subscription { applicationEvents { kind note application { interviewReport { score } } } }",
        json!({}),
    )
    .await;
    await_subscriptions(&app.base_url, 1).await;
    let submitted = h.submit(0, &[(0, "STRONG_NO")], "STRONG_NO").await;
    let after = ok(
        app,
        ada,
        "query($id: ID!) { node(id: $id) { ... on Application { updatedAt } } }",
        json!({ "id": application }),
    )
    .await;
    assert_eq!(after, before, "scoring leaves the application's updatedAt alone");
    let note =
        "mutation($input: AddApplicationNoteInput!) { addApplicationNote(input: $input) { application { id } } }";
    ok(app, rita, note, json!({ "input": { "applicationId": application, "note": "Thanks for coming in" } })).await;
    let heard = next_message(&mut feed, Duration::from_secs(10)).await.expect("the note reaches Ada");
    assert_eq!(
        heard["payload"]["data"]["applicationEvents"],
        json!({ "kind": "NOTE_ADDED", "note": "Thanks for coming in", "application": { "interviewReport": null } }),
        "the scorecard's event never reaches her: {heard}"
    );

    // By id: every object is NOT_FOUND to her.
    let question = h.questions[0].clone();
    for id in
        [h.kit.clone(), question, submitted["id"].as_str().unwrap().to_owned(), draft_id.as_str().unwrap().to_owned()]
    {
        let seen = app.graphql_as(Some(ada), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(
            (seen["data"]["node"].clone(), error_codes(&seen)),
            (Value::Null, vec!["NOT_FOUND".to_owned()]),
            "{id}"
        );
        let many =
            app.graphql_as(Some(ada), "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [id] })).await;
        assert_eq!(many["data"]["nodes"], json!([null]), "{id}");
    }

    // Through her application, her job and her lists: nothing.
    let view = "query($id: ID!) { node(id: $id) { ... on Application { updatedAt interviewReport { score }
        interviews { kit { id } scorecards { id } }
        events(first: 50) { totalCount nodes { kind } } last: events(last: 50) { nodes { kind } }
        job { interviewKits { id } applicants(orderBy: { field: INTERVIEW_SCORE }) { totalCount } } } } }";
    let seen = ok(app, ada, view, json!({ "id": application })).await;
    let node = &seen["node"];
    assert_eq!(node["interviewReport"], Value::Null);
    assert_eq!(node["interviews"], json!([{ "kit": null, "scorecards": [] }]));
    assert_eq!(node["job"], json!({ "interviewKits": null, "applicants": null }));
    let kinds = |events: &Value| -> Vec<String> {
        events["nodes"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(kinds(&node["events"]), ["CREATED", "INTERVIEW_SCHEDULED", "NOTE_ADDED"], "{seen}");
    assert_eq!(kinds(&node["last"]), kinds(&node["events"]));
    assert_eq!(node["events"]["totalCount"], 3);
    let own = ok(
        app,
        ada,
        "{ viewer { applications { nodes { interviewReport { score } interviews { kit { id } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(own["viewer"]["applications"]["nodes"][0]["interviewReport"], Value::Null);
    // Her cursor-paged timeline (the second page) leaves it out as well.
    let first = ok(
        app,
        ada,
        "query($id: ID!) { node(id: $id) { ... on Application { events(first: 1) { pageInfo { endCursor } } } } }",
        json!({ "id": application }),
    )
    .await;
    let cursor = first["node"]["events"]["pageInfo"]["endCursor"].clone();
    let rest = ok(app, ada, "query($id: ID!, $after: String) { node(id: $id) { ... on Application { events(first: 10, after: $after) { nodes { kind } } } } }", json!({ "id": application, "after": cursor })).await;
    assert_eq!(kinds(&rest["node"]["events"]), ["INTERVIEW_SCHEDULED", "NOTE_ADDED"]);

    // Nor does she write any of it.
    let draft = app.graphql_as(Some(ada), DRAFT, json!({ "input": { "interviewId": h.interview(0) } })).await;
    assert_eq!(error_codes(&draft), ["FORBIDDEN"]);
    let add =
        "mutation($input: AddInterviewQuestionInput!) { addInterviewQuestion(input: $input) { question { id } } }";
    let input = json!({ "kitId": h.kit, "question": { "text": "Mine?", "competency": "Rust" } });
    assert_eq!(error_codes(&app.graphql_as(Some(ada), add, json!({ "input": input })).await), ["NOT_FOUND"]);
    let create = json!({ "input": { "jobId": h.job, "name": "Mine", "kind": "OTHER" } });
    assert_eq!(error_codes(&app.graphql_as(Some(ada), CREATE_KIT, create).await), ["FORBIDDEN"]);

    // Rita sees all of it, the scorecard's event included.
    let seen = ok(app, rita, view, json!({ "id": application })).await;
    assert_eq!(seen["node"]["interviewReport"]["score"], 1.0);
    assert_eq!(kinds(&seen["node"]["events"]), ["CREATED", "INTERVIEW_SCHEDULED", "SCORECARD_SUBMITTED", "NOTE_ADDED"]);
}

#[tokio::test]
async fn the_ranked_applicants_page_costs_the_same_statements_whatever_its_size() {
    let app = counted_app().await;
    let h = hiring(app).await;
    h.submit(0, &[(0, "YES"), (1, "STRONG_YES")], "YES").await;
    h.submit(1, &[(2, "NO")], "NO").await;
    let query = "query($job: ID!, $first: Int) { job(id: $job) {
        applicants(orderBy: { field: INTERVIEW_SCORE }, first: $first) { nodes {
          applicant { fullName }
          interviewReport { score gaps competencies { competency score }
            recommendations { recommendation interviewer { fullName } scorecard { revision ratings { question { text } } } } }
          interviews { kit { name questions { text } } scorecards { revision interviewer { fullName } } } } } } }";
    let mut counts = Vec::new();
    for first in [1, 3] {
        let body = h.app.graphql_as(Some(&h.rita), query, json!({ "job": h.job, "first": first })).await;
        assert!(body.get("errors").is_none(), "{body}");
        let nodes = body["data"]["job"]["applicants"]["nodes"].as_array().unwrap().len();
        assert_eq!(nodes, first as usize);
        counts.push(body["extensions"]["sqlStatements"].as_u64().unwrap_or_else(|| panic!("{body}")));
    }
    assert_eq!(counts[0], counts[1], "statements per page size 1 and 3: {counts:?}");
}

/// The "done when": in the demo data, a recruiter prepares a kit,
/// scores two interviews and sees applicants ranked by score, while the
/// candidate's view of the same application shows none of it.
#[tokio::test]
async fn in_the_demo_a_recruiter_scores_interviews_and_ranks_applicants_unseen_by_candidates() {
    let db = TestDb::migrated().await;
    careergraph::demo::seed_if_empty(&mut db.connect().await).await.unwrap().expect("seeded");
    let app = TestApp::serve(db, ServerArgs::default()).await;
    let rita = demo_login(&app, "recruiter1@demo.careergraph.dev").await;
    let linus = demo_login(&app, "candidate5@demo.careergraph.dev").await;

    // Linus finds the flagship opening among his applications.
    let mine = ok(
        &app,
        &linus,
        "{ viewer { applications(first: 20) { nodes { id status job { id title postedBy { fullName } } } } } }",
        json!({}),
    )
    .await;
    let applications = mine["viewer"]["applications"]["nodes"].as_array().unwrap().clone();
    let flagship = applications
        .iter()
        .find(|a| a["status"] == "INTERVIEWING" && a["job"]["postedBy"]["fullName"] == "Rita Ramos")
        .unwrap_or_else(|| panic!("{mine}"));
    let (job, linus_application) = (flagship["job"]["id"].clone(), flagship["id"].clone());

    // The demo already shows a report and a ranking.
    let ranked = "query($job: ID!) { job(id: $job) { interviewKits { name }
        applicants(orderBy: { field: INTERVIEW_SCORE }, first: 10) { nodes { id applicant { fullName }
          interviewReport { score recommendations { recommendation } } interviews { id kit { name } scorecards { id } } } } } }";
    let seen = ok(&app, &rita, ranked, json!({ "job": job })).await;
    assert_eq!(seen["job"]["interviewKits"], json!([{ "name": "Technical interview" }]));
    let nodes = seen["job"]["applicants"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 6, "{seen}");
    assert!(
        nodes[0]["interviewReport"]["score"].is_number()
            && !nodes[0]["interviewReport"]["recommendations"].as_array().unwrap().is_empty()
    );
    let unscored: Vec<&Value> = nodes.iter().filter(|n| n["interviewReport"]["score"].is_null()).collect();
    assert_eq!(unscored.len(), 2, "two applicants wait for their interviews");

    // Rita prepares a kit of her own and scores the two waiting interviews with it.
    let input = json!({ "jobId": job, "name": "Final round", "kind": "FINAL", "questions": [
        { "text": "What would you change in our API?", "competency": "Product sense", "weight": 2 },
        { "text": "Pair on a failing test.", "competency": "Rust", "weight": 3 },
    ] });
    let created = ok(&app, &rita, CREATE_KIT, json!({ "input": input })).await;
    let kit = &created["createInterviewKit"]["kit"];
    let questions: Vec<Value> = kit["questions"].as_array().unwrap().iter().map(|q| q["id"].clone()).collect();
    let update =
        "mutation($input: UpdateInterviewInput!) { updateInterview(input: $input) { interview { kit { name } } } }";
    for (waiting, ratings) in unscored.iter().zip([["STRONG_YES", "STRONG_YES"], ["NO", "STRONG_NO"]]) {
        let interview = waiting["interviews"][0]["id"].clone();
        let moved = ok(&app, &rita, update, json!({ "input": { "interviewId": interview, "kitId": kit["id"] } })).await;
        assert_eq!(moved["updateInterview"]["interview"]["kit"]["name"], "Final round");
        let ratings: Vec<Value> =
            questions.iter().zip(ratings).map(|(id, rating)| json!({ "questionId": id, "rating": rating })).collect();
        let input =
            json!({ "interviewId": interview, "ratings": ratings, "recommendation": ratings_recommendation(&ratings) });
        let submitted = ok(&app, &rita, SUBMIT, json!({ "input": input })).await;
        assert_eq!(submitted["submitScorecard"]["scorecard"]["status"], "SUBMITTED", "{submitted}");
    }

    // Ranked by score: the STRONG_YES applicant first, the weakest last, every score in order.
    let seen = ok(&app, &rita, ranked, json!({ "job": job })).await;
    let nodes = seen["job"]["applicants"]["nodes"].as_array().unwrap().clone();
    let scores: Vec<f64> = nodes.iter().map(|n| n["interviewReport"]["score"].as_f64().expect("all scored")).collect();
    assert!(scores.windows(2).all(|pair| pair[0] >= pair[1]), "{scores:?}");
    assert_eq!(nodes[0]["id"], unscored[0]["id"], "4.0 tops the list: {scores:?}");
    assert_eq!(nodes[5]["id"], unscored[1]["id"], "(2×2 + 1×3) / 5 = 1.4 ends it: {scores:?}");

    // Linus (one of the two) sees none of it on the same application.
    let view = "query($id: ID!) { node(id: $id) { ... on Application { interviewReport { score }
        interviews { kit { name } scorecards { id } } events(first: 50) { nodes { kind } }
        job { interviewKits { name } applicants { totalCount } } } } }";
    let his = ok(&app, &linus, view, json!({ "id": linus_application })).await;
    let node = &his["node"];
    assert_eq!(node["interviewReport"], Value::Null);
    assert_eq!(node["interviews"], json!([{ "kit": null, "scorecards": [] }]));
    assert_eq!(node["job"], json!({ "interviewKits": null, "applicants": null }));
    assert!(!node["events"].to_string().contains("SCORECARD"), "{his}");
    let recruiter_view = ok(&app, &rita, view, json!({ "id": linus_application })).await;
    assert!(recruiter_view["node"]["interviewReport"]["score"].is_number(), "{recruiter_view}");
    assert!(recruiter_view["node"]["events"].to_string().contains("SCORECARD_SUBMITTED"));
}

/// A recommendation in line with the ratings.
fn ratings_recommendation(ratings: &[Value]) -> &'static str {
    if ratings.iter().any(|r| r["rating"] == "STRONG_NO") { "NO" } else { "STRONG_YES" }
}

#[tokio::test]
async fn every_interviewer_scores_and_a_draft_stays_with_its_author() {
    let h = hiring(TestApp::spawn().await).await;
    let (app, rita) = (&h.app, &h.rita);
    sign_up(app, "avery@example.com").await;
    let mut conn = app.db.connect().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE users SET role = 'ADMIN', full_name = 'Avery Admin' WHERE email = 'avery@example.com'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let avery = common::login(app, "avery@example.com", common::PASSWORD).await;
    let interview = h.interview(0);

    // Avery's draft is hers alone: Rita sees no scorecard yet, and not by id.
    let draft = json!({ "interviewId": interview, "ratings": [{ "questionId": h.questions[0], "rating": "NO" }] });
    let saved = ok(app, &avery, DRAFT, json!({ "input": draft })).await;
    let draft_id = saved["saveScorecardDraft"]["scorecard"]["id"].clone();
    let listed =
        "query($id: ID!) { node(id: $id) { ... on Interview { scorecards { status interviewer { fullName } } } } }";
    let seen = ok(app, rita, listed, json!({ "id": interview })).await;
    assert_eq!(seen["node"]["scorecards"], json!([]), "{seen}");
    let by_id = app.graphql_as(Some(rita), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": draft_id })).await;
    assert_eq!(error_codes(&by_id), ["NOT_FOUND"]);

    // Both submit: the interview lists both, and the report weighs every rating.
    h.submit(0, &[(0, "STRONG_YES"), (2, "YES")], "STRONG_YES").await;
    let input = json!({ "interviewId": interview, "recommendation": "NO",
                        "ratings": [{ "questionId": h.questions[0], "rating": "NO" }] });
    let submitted = ok(app, &avery, SUBMIT, json!({ "input": input })).await;
    assert_eq!(submitted["submitScorecard"]["scorecard"]["id"], draft_id, "her draft became her submission");
    let seen = ok(app, rita, listed, json!({ "id": interview })).await;
    let mut names: Vec<&str> = seen["node"]["scorecards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["interviewer"]["fullName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Avery Admin", "Rita Recruiter"]);
    let report = ok(app, rita, REPORT, json!({ "id": h.application(0) })).await;
    let report = &report["node"]["interviewReport"];
    assert_eq!(report["scorecardCount"], 2);
    // Rust: (4×3 + 2×3) / 6 = 3; System design: 3; all: (12 + 6 + 6) / 8 = 3.
    assert_eq!(report["score"], 3.0);
    assert_eq!(
        report["competencies"],
        json!([
            { "competency": "Rust", "score": 3.0, "ratingCount": 2, "totalWeight": 6 },
            { "competency": "System design", "score": 3.0, "ratingCount": 1, "totalWeight": 2 },
        ])
    );
    let recommendations: Vec<(&str, &str)> = report["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["interviewer"]["fullName"].as_str().unwrap(), r["recommendation"].as_str().unwrap()))
        .collect();
    assert_eq!(recommendations, [("Rita Recruiter", "STRONG_YES"), ("Avery Admin", "NO")], "in order of submission");
}
