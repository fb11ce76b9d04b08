//! docs/api.md stays true: every operation it shows runs, in order, with
//! the variables it shows, against a live server (the subscription over
//! WebSocket), and answers without errors (or with exactly the user error
//! the page promises).

use crate::common;

use std::collections::{BTreeSet, HashMap};

use common::TestApp;
use serde_json::{Value, json};

/// An operation on the page and the variables shown after it.
struct Example {
    document: String,
    variables: Vec<Value>,
}

/// The page's GraphQL blocks by operation name, each with the JSON blocks
/// that follow it.
fn examples() -> (Vec<String>, HashMap<String, Example>) {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md")).unwrap();
    let mut order = Vec::new();
    let mut examples: HashMap<String, Example> = HashMap::new();
    let mut current: Option<String> = None;
    for (index, block) in page.split("```").enumerate() {
        if index % 2 == 0 {
            continue;
        }
        let (language, body) = block.split_once('\n').unwrap_or((block, ""));
        match language.trim() {
            "graphql" => {
                let name = body
                    .split_whitespace()
                    .nth(1)
                    .map(|word| word.split(['(', '{']).next().unwrap().to_owned())
                    .unwrap_or_else(|| panic!("an unnamed operation on the page: {body}"));
                assert!(!examples.contains_key(&name), "{name} appears twice on the page");
                order.push(name.clone());
                examples.insert(name.clone(), Example { document: body.to_owned(), variables: Vec::new() });
                current = Some(name);
            }
            "json" => {
                let name = current.as_ref().expect("variables before any operation");
                let variables: Value =
                    serde_json::from_str(body).unwrap_or_else(|err| panic!("variables of {name} are not JSON: {err}"));
                examples.get_mut(name).unwrap().variables.push(variables);
            }
            "sh" | "" => {}
            other => panic!("an unexpected block language on the page: {other}"),
        }
    }
    (order, examples)
}

/// The commands of the `sh` blocks in the page's section headed `heading`.
fn shell_lines(heading: &str) -> Vec<String> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md")).unwrap();
    let section = page.split_once(heading).unwrap_or_else(|| panic!("no {heading} on the page")).1;
    let section = section.split("\n## ").next().unwrap();
    let lines: Vec<String> = section
        .split("```")
        .enumerate()
        .filter(|(index, _)| index % 2 == 1)
        .filter_map(|(_, block)| block.strip_prefix("sh\n"))
        .flat_map(|block| block.lines().map(str::to_owned))
        .filter(|line| !line.trim().is_empty())
        .collect();
    assert!(!lines.is_empty(), "no shell lines under {heading}");
    lines
}

/// Replaces `"<name>"` strings with what earlier steps returned.
fn fill(value: &Value, state: &HashMap<&str, Value>) -> Value {
    match value {
        Value::String(text) if text.starts_with('<') && text.ends_with('>') => {
            state.get(&text[1..text.len() - 1]).cloned().unwrap_or_else(|| panic!("nothing returned {text} yet"))
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, state))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, state)).collect()),
        other => other.clone(),
    }
}

struct Walk {
    app: TestApp,
    examples: HashMap<String, Example>,
    state: HashMap<&'static str, Value>,
    ran: BTreeSet<(String, usize)>,
}

impl Walk {
    /// Runs the page's operation `name` with its `variant`-th variables
    /// (adjusted by `edit`), as `token`; returns `data`.
    async fn run(&mut self, name: &str, variant: usize, token: Option<&str>, edit: impl FnOnce(&mut Value)) -> Value {
        let example = &self.examples[name];
        let mut variables = example.variables.get(variant).map_or(json!({}), |v| fill(v, &self.state));
        edit(&mut variables);
        let body = self.app.graphql_as(token, &example.document, variables).await;
        assert!(body.get("errors").is_none(), "{name}: {body}");
        self.ran.insert((name.to_owned(), variant));
        let data = body["data"].clone();
        if let Some(payload) = data.as_object().and_then(|fields| fields.values().next())
            && let Some(errors) = payload.get("userErrors")
            && !(name == "ApplyToJob" && variant == 1)
        {
            assert_eq!(errors, &json!([]), "{name}: {body}");
        }
        data
    }

    fn token(&self, key: &str) -> String {
        self.state[key].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn every_operation_in_the_api_guide_runs_as_shown() {
    let (order, examples) = examples();
    let mut walk = Walk { app: TestApp::spawn().await, examples, state: HashMap::new(), ran: BTreeSet::new() };

    // 1. Accounts: Ada as shown; Rita the same way, as a recruiter.
    let ada = walk.run("Register", 0, None, |_| {}).await;
    walk.state.insert("ada", ada["register"]["accessToken"].clone());
    assert_eq!(ada["register"]["user"]["role"], "CANDIDATE");
    let rita = walk
        .run("Register", 0, None, |v| {
            v["input"]["email"] = json!("rita@example.com");
            v["input"]["fullName"] = json!("Rita Recruiter");
            v["input"]["role"] = json!("RECRUITER");
        })
        .await;
    walk.state.insert("rita", rita["register"]["accessToken"].clone());
    let (ada, rita) = (walk.token("ada"), walk.token("rita"));
    let viewer = walk.run("Viewer", 0, Some(&ada), |_| {}).await;
    assert_eq!(viewer["viewer"]["email"], "ada@example.com");

    // 2. The profile.
    walk.run("AddSkill", 0, Some(&ada), |_| {}).await;
    let role = walk.run("AddWorkExperience", 0, Some(&ada), |_| {}).await;
    assert_eq!(role["addWorkExperience"]["workExperience"]["achievements"].as_array().unwrap().len(), 2);

    // 3. Jobs.
    let job = walk.run("CreateJob", 0, Some(&rita), |_| {}).await;
    walk.state.insert("jobId", job["createJob"]["job"]["id"].clone());
    let found = walk.run("SearchJobs", 0, Some(&ada), |_| {}).await;
    let hit = &found["jobs"]["nodes"][0];
    assert_eq!(hit["title"], "Senior Rust Engineer", "{found}");
    assert_eq!(hit["match"]["matchedSkills"], json!(["Rust"]));
    assert_eq!(hit["viewerApplication"], Value::Null);

    // 4. Resumes.
    let resume = walk.run("CreateResume", 0, Some(&ada), |_| {}).await;
    walk.state.insert("resumeId", resume["createResume"]["resume"]["id"].clone());
    let tailored = walk.run("TailorResume", 0, Some(&ada), |_| {}).await;
    let version = &tailored["tailorResume"]["resumeVersion"];
    assert_eq!((version["version"].as_i64(), version["origin"].as_str()), (Some(2), Some("TAILORED")));
    walk.state.insert("resumeVersionId", version["id"].clone());

    // 5. Applying, the recruiter's view, the pipeline, the dashboard.
    let applied = walk.run("ApplyToJob", 0, Some(&ada), |_| {}).await;
    assert_eq!(applied["applyToJob"]["application"]["source"], "LinkedIn");
    walk.state.insert("applicationId", applied["applyToJob"]["application"]["id"].clone());
    let twice = walk.run("ApplyToJob", 1, Some(&ada), |_| {}).await;
    assert_eq!(twice["applyToJob"]["userErrors"][0]["code"], "ALREADY_APPLIED", "{twice}");
    let applicants = walk.run("JobApplicants", 0, Some(&rita), |_| {}).await;
    assert_eq!(applicants["node"]["applications"]["nodes"][0]["applicant"]["fullName"], "Ada Lovelace");
    assert_eq!(applicants["node"]["applications"]["nodes"][0]["resumeVersion"]["version"], 2);
    let moved = walk.run("MoveApplication", 0, Some(&rita), |_| {}).await;
    assert_eq!(moved["updateApplicationStatus"]["application"]["status"], "SCREENING");
    let dashboard = walk.run("Dashboard", 0, Some(&ada), |_| {}).await;
    let application = &dashboard["viewer"]["applications"]["nodes"][0];
    assert_eq!(application["status"], "SCREENING");
    assert_eq!(application["events"]["nodes"][1]["toStatus"], "SCREENING");

    // 6. Analytics.
    let mine = walk.run("CandidateAnalytics", 0, Some(&ada), |_| {}).await;
    assert_eq!(mine["analytics"]["conversion"]["responded"], 1);
    let pipeline = walk.run("RecruiterPipeline", 0, Some(&rita), |_| {}).await;
    assert_eq!(pipeline["analytics"]["pipeline"]["sources"], json!([{ "source": "LinkedIn", "count": 1 }]));

    // 7. Live updates: the subscription as shown, over WebSocket, sees the
    // next move.
    let example = &walk.examples["JobApplications"];
    let variables = fill(&example.variables[0], &walk.state);
    let mut socket = common::ws::connect(&walk.app.base_url, &rita).await.unwrap();
    common::ws::subscribe(&mut socket, "board", &example.document, variables).await;
    common::await_subscriptions(&walk.app.base_url, 1).await;
    walk.ran.insert(("JobApplications".to_owned(), 0));
    walk.run("MoveApplication", 0, Some(&rita), |v| v["input"]["status"] = json!("INTERVIEWING")).await;
    let message = common::ws::next_message(&mut socket, std::time::Duration::from_secs(10)).await.unwrap();
    assert_eq!(message["payload"]["data"]["jobApplications"]["status"], "INTERVIEWING", "{message}");

    // 8. Documents: the PDF link, then the shell lines, with real curl, in
    // a directory of their own.
    let pdf = walk.run("ResumePdf", 0, Some(&ada), |_| {}).await;
    let pdf_url = pdf["node"]["pdfUrl"].as_str().unwrap().to_owned();
    let files = common::TempDir::new("api-docs-downloads");
    for line in shell_lines("## 8. Documents") {
        let mut command = std::process::Command::new("bash");
        command
            .args(["-euo", "pipefail", "-c", &line])
            .current_dir(files.path())
            .env("CAREERGRAPH", &walk.app.base_url)
            .env("TOKEN", &ada)
            .env("RECRUITER_TOKEN", &rita)
            .env("JOB_ID", walk.state["jobId"].as_str().unwrap())
            .env("VERSION_ID", walk.state["resumeVersionId"].as_str().unwrap())
            .env("PDF_URL", &pdf_url);
        // Off the runtime's thread: the server answering curl runs on it.
        let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("bash");
        assert!(output.status.success(), "{line}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let read =
        |name: &str| std::fs::read_to_string(files.path().join(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
    for pdf in ["resume.pdf", "compact.pdf"] {
        let bytes = std::fs::read(files.path().join(pdf)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{pdf} is not a PDF");
    }
    let uploaded: Value = serde_json::from_str(&read("uploaded.json")).unwrap();
    let document = &uploaded["data"]["uploadDocument"]["document"];
    assert_eq!(document["mediaType"], "application/pdf", "{uploaded}");
    assert_eq!(document["fileName"], "resume.pdf", "{uploaded}");
    let mine = read("applications.csv");
    assert!(mine.starts_with("application_id,job_title,company,") && mine.contains(",INTERVIEWING,"), "{mine}");
    let theirs = read("applicants.csv");
    assert!(theirs.contains(",Ada Lovelace,") && theirs.contains(",INTERVIEWING,"), "{theirs}");

    // 9. Structured interviews: Rita's kit, an interview with it, a draft,
    // a submission, the report and the ranking; Ada sees none of it.
    let kit = walk.run("CreateInterviewKit", 0, Some(&rita), |_| {}).await;
    let kit = &kit["createInterviewKit"]["kit"];
    walk.state.insert("kitId", kit["id"].clone());
    walk.state.insert("rustQuestionId", kit["questions"][0]["id"].clone());
    walk.state.insert("designQuestionId", kit["questions"][1]["id"].clone());
    let added = walk.run("AddInterviewQuestion", 0, Some(&rita), |_| {}).await;
    let positions = &added["addInterviewQuestion"]["question"]["kit"]["questions"];
    assert_eq!(positions[0]["text"], "Walk me through a project you led.", "{added}");
    let scheduled = walk.run("ScheduleInterview", 0, Some(&rita), |_| {}).await;
    walk.state.insert("interviewId", scheduled["scheduleInterview"]["interview"]["id"].clone());
    let draft = walk.run("SaveScorecardDraft", 0, Some(&rita), |_| {}).await;
    assert_eq!(draft["saveScorecardDraft"]["scorecard"]["status"], "DRAFT");
    let submitted = walk.run("SubmitScorecard", 0, Some(&rita), |_| {}).await;
    let card = &submitted["submitScorecard"]["scorecard"];
    assert_eq!((card["status"].as_str(), card["revision"].as_i64()), (Some("SUBMITTED"), Some(1)), "{submitted}");
    // (4×3 + 3×2) / 5
    assert_eq!(card["score"], 3.6);
    let report = walk.run("InterviewReport", 0, Some(&rita), |_| {}).await;
    let report = &report["node"]["interviewReport"];
    assert_eq!(report["score"], 3.6);
    assert_eq!(report["gaps"], json!(["Communication"]), "{report}");
    let ranked = walk.run("RankedApplicants", 0, Some(&rita), |_| {}).await;
    assert_eq!(ranked["job"]["applicants"]["nodes"][0]["interviewReport"]["score"], 3.6);
    let candidate = walk.run("CandidateApplication", 0, Some(&ada), |_| {}).await;
    assert_eq!(candidate["node"]["interviewReport"], Value::Null);
    assert_eq!(candidate["node"]["interviews"][0]["kit"], Value::Null);
    assert!(!candidate["node"]["events"].to_string().contains("SCORECARD"), "{candidate}");

    // Nothing on the page went unrun.
    let shown: BTreeSet<(String, usize)> = order
        .iter()
        .flat_map(|name| {
            let count = walk.examples[name].variables.len().max(1);
            (0..count).map(move |variant| (name.clone(), variant))
        })
        .collect();
    assert_eq!(walk.ran, shown);
}
