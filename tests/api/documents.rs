//! Resume PDFs over real HTTP, read back with poppler's `pdftotext` (as an
//! applicant-tracking system would read them): every theme and paper size,
//! text in reading order, non-Latin names, links that stay links, who may
//! download, signed links, and ETag revalidation.

use crate::common;

use common::{TestApp, post_open_job, recruiter, sign_up};
use serde_json::{Value, json};

const SAVE: &str = "mutation($input: SaveResumeVersionInput!) { saveResumeVersion(input: $input) {
    resumeVersion { id version classic: pdfUrl modern: pdfUrl(theme: MODERN, paper: LETTER)
                    compact: pdfUrl(theme: COMPACT) } userErrors { message } } }";

/// A resume whose name is `name`, with three roles and skills in order.
fn content(name: &str) -> Value {
    json!({
        "basics": { "name": name, "label": "Staff engineer", "email": "zoe@example.com",
                    "url": "https://zoe.example.com",
                    "summary": "Builds data systems that stay fast as they grow." },
        "work": [
            { "name": "Analytical Engines", "position": "Staff Engineer", "startDate": "2022-03",
              "highlights": ["Halved p99 latency by reshaping the query planner", "Led a team of five"] },
            { "name": "Difference Works", "position": "Senior Backend Developer", "startDate": "2018-01",
              "endDate": "2022-02", "highlights": ["Moved billing to PostgreSQL without downtime"] },
            { "name": "Jacquard Looms", "position": "Junior Programmer", "startDate": "2015-09",
              "endDate": "2017-12" }
        ],
        "education": [{ "institution": "University of London", "studyType": "BSc", "area": "Mathematics" }],
        "skills": [{ "name": "Rust" }, { "name": "PostgreSQL" }, { "name": "GraphQL" }, { "name": "Kubernetes" }]
    })
}

/// Saves `content` as a new version of a new resume of `token`'s; returns
/// the version's id and its three `pdfUrl`s.
async fn version_with(app: &TestApp, token: &str, content: Value) -> (String, [String; 3]) {
    let created = app
        .graphql_as(Some(token), "mutation { createResume(input: { title: \"Main\" }) { resume { id } } }", json!({}))
        .await;
    let resume = created["data"]["createResume"]["resume"]["id"].as_str().unwrap().to_owned();
    let saved = app.graphql_as(Some(token), SAVE, json!({ "input": { "resumeId": resume, "content": content } })).await;
    let version = &saved["data"]["saveResumeVersion"]["resumeVersion"];
    let url = |key: &str| version[key].as_str().unwrap_or_else(|| panic!("{saved}")).to_owned();
    (url("id"), [url("classic"), url("modern"), url("compact")])
}

/// What poppler's `tool` (pdftotext, pdfinfo) prints for `pdf`.
fn poppler(tool: &str, pdf: &[u8]) -> String {
    let dir = common::TempDir::new("poppler");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut command = std::process::Command::new(tool);
    command.arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command.output().unwrap_or_else(|err| panic!("{tool} (poppler-utils; .ci/run installs it): {err}"));
    assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A PDF's text as `pdftotext` reads it, in reading order.
pub fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf)
}

/// Whether each of `words` appears in `text`, each after the one before.
fn in_order(text: &str, words: &[&str]) -> Result<(), String> {
    let mut from = 0;
    for word in words {
        match text[from..].find(word) {
            Some(at) => from += at + word.len(),
            None => return Err(format!("{word:?} missing or out of order in:\n{text}")),
        }
    }
    Ok(())
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_resume_renders_in_every_theme_with_its_text_in_reading_order() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let name = "Zoë Ŝmith";
    let (id, urls) = version_with(&app, &zoe, content(name)).await;
    let reading_order = [
        name,
        "Staff engineer",
        "Staff Engineer",
        "Analytical Engines",
        "Mar 2022 – Present",
        "Halved p99 latency",
        "Senior Backend Developer",
        "Jan 2018 – Feb 2022",
        "Junior Programmer",
        "Sep 2015 – Dec 2017",
        "University of London",
        "Rust",
        "PostgreSQL",
        "GraphQL",
        "Kubernetes",
    ];
    for (url, paper) in urls.iter().zip(["A4", "letter", "A4"]) {
        assert!(url.starts_with(&format!("/documents/resume-versions/{id}.pdf?theme=")), "{url}");
        // The signed link opens it without a bearer token, as from GraphiQL.
        let response = get(&app, None, url).await;
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("filename*=UTF-8''Zo%C3%AB%20%C5%9Cmith%20resume%20v2.pdf"), "{disposition}");
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdf_text(&pdf);
        in_order(&text, &reading_order).unwrap_or_else(|err| panic!("{url}: {err}"));
        assert!(text.contains("https://zoe.example.com"), "{text}");
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("/URI (https://zoe.example.com)") || raw.contains("/URI(https://zoe.example.com)"),
            "the site stays a clickable link ({url})"
        );
        assert!(poppler("pdfinfo", &pdf).contains(&format!("({paper})")), "{url} is not on {paper} paper");
    }
    // With the bearer token instead, the path alone works.
    let path = urls[1].split("&token=").next().unwrap();
    assert_eq!(get(&app, Some(&zoe), path).await.status(), 200);
}

#[tokio::test]
async fn chinese_and_accented_names_come_back_as_written() {
    let app = TestApp::spawn().await;
    let lei = sign_up(&app, "lei@example.com").await;
    // The last is Typst markup and code: it must print as written.
    for name in ["李雷", "Renée Ørsted", "Zoë Ŝmith", "Ada #eval(\"2+2\") *Lovelace* $x$"] {
        let (_, urls) = version_with(&app, &lei, content(name)).await;
        for url in &urls {
            let pdf = get(&app, None, url).await.bytes().await.unwrap();
            let text = pdf_text(&pdf);
            assert!(text.contains(name), "{name} did not round-trip through {url}:\n{text}");
        }
    }
}

#[tokio::test]
async fn only_the_owner_and_the_recruiter_it_was_sent_to_may_download_it() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let eve = sign_up(&app, "eve@example.com").await;
    let rita = recruiter(&app, "rita@example.com").await;
    let bob = recruiter(&app, "bob@example.com").await;
    let (id, urls) = version_with(&app, &zoe, content("Zoë Ŝmith")).await;
    let path = format!("/documents/resume-versions/{id}.pdf");

    let refused = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        (status, body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(refused(get(&app, None, &path).await).await, (401, "UNAUTHENTICATED".into()));
    assert_eq!(refused(get(&app, Some(&eve), &path).await).await, (404, "NOT_FOUND".into()));
    assert_eq!(refused(get(&app, Some(&rita), &path).await).await, (404, "NOT_FOUND".into()), "not sent to her yet");
    let forged = format!("{path}?token=not-a-token");
    assert_eq!(refused(get(&app, None, &forged).await).await, (401, "UNAUTHENTICATED".into()));
    // A link signed for one version opens no other.
    let (other, _) = version_with(&app, &zoe, content("Other")).await;
    let token = urls[0].split("token=").nth(1).unwrap();
    let borrowed = format!("/documents/resume-versions/{other}.pdf?token={token}");
    assert_eq!(refused(get(&app, None, &borrowed).await).await, (401, "UNAUTHENTICATED".into()));
    let unknown = format!("{path}?theme=fancy");
    assert_eq!(refused(get(&app, Some(&zoe), &unknown).await).await, (400, "BAD_USER_INPUT".into()));

    // Sent with an application, the job's recruiter may read it; others still not.
    let job = post_open_job(&app, &rita, "Engineer").await;
    let applied = app
        .graphql_as(
            Some(&zoe),
            "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { userErrors { code } } }",
            json!({ "input": { "jobId": job, "resumeVersionId": id } }),
        )
        .await;
    assert_eq!(applied["data"]["applyToJob"]["userErrors"], json!([]), "{applied}");
    let response = get(&app, Some(&rita), &path).await;
    assert_eq!(response.status(), 200);
    assert!(pdf_text(&response.bytes().await.unwrap()).contains("Zoë Ŝmith"));
    assert_eq!(refused(get(&app, Some(&bob), &path).await).await, (404, "NOT_FOUND".into()));
}

#[tokio::test]
async fn an_unchanged_version_is_revalidated_not_rendered_again() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let (_, urls) = version_with(&app, &zoe, content("Zoë Ŝmith")).await;
    let first = get(&app, None, &urls[0]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "private, no-cache");
    let again = app.client.get(app.url(&urls[0])).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());
    // Another theme is another document.
    let modern = get(&app, None, &urls[1]).await;
    assert_ne!(modern.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn a_cover_letter_renders_and_reaches_the_recruiter_it_was_sent_to() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let rita = recruiter(&app, "rita@example.com").await;
    let eve = sign_up(&app, "eve@example.com").await;
    let job = post_open_job(&app, &rita, "Platform Engineer").await;
    let created = app
        .graphql_as(
            Some(&zoe),
            "mutation($input: CreateCoverLetterInput!) { createCoverLetter(input: $input) {
                 coverLetter { id pdfUrl letter: pdfUrl(theme: MODERN, paper: LETTER) } userErrors { message } } }",
            json!({ "input": { "jobId": job, "title": "Why Acme",
                               "body": "Dear hiring team,\n\nI build databases that stay fast.\nI would like to help.\n\n李雷 sends regards." } }),
        )
        .await;
    let letter = &created["data"]["createCoverLetter"]["coverLetter"];
    let (id, urls) = (letter["id"].as_str().unwrap().to_owned(), [letter["pdfUrl"].clone(), letter["letter"].clone()]);
    for (url, paper) in urls.iter().zip(["A4", "letter"]) {
        let url = url.as_str().unwrap_or_else(|| panic!("{created}"));
        let response = get(&app, None, url).await;
        assert_eq!(response.status(), 200, "{url}");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("cover%20letter%20Acme%20v1.pdf"), "{disposition}");
        let pdf = response.bytes().await.unwrap();
        assert!(poppler("pdfinfo", &pdf).contains(&format!("({paper})")));
        let text = pdf_text(&pdf);
        in_order(
            &text,
            &["zoe@example.com", "Acme", "Platform Engineer", "Why Acme", "Dear hiring team", "stay fast", "李雷"],
        )
        .unwrap();
    }
    let path = format!("/documents/cover-letters/{id}.pdf");
    assert_eq!(get(&app, Some(&eve), &path).await.status(), 404);
    assert_eq!(get(&app, Some(&rita), &path).await.status(), 404, "not sent yet");
    let applied = app
        .graphql_as(
            Some(&zoe),
            "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { userErrors { code } } }",
            json!({ "input": { "jobId": job, "coverLetterId": id } }),
        )
        .await;
    assert_eq!(applied["data"]["applyToJob"]["userErrors"], json!([]), "{applied}");
    assert_eq!(get(&app, Some(&rita), &path).await.status(), 200);
}

#[tokio::test]
async fn a_version_previews_as_a_page_with_its_text_and_no_script() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let eve = sign_up(&app, "eve@example.com").await;
    let mut written = content("Zoë <script>alert(1)</script> Ŝmith");
    written["work"][0]["highlights"][1] = json!("<img src=x onerror=alert(1)>");
    let (id, _) = version_with(&app, &zoe, written).await;
    let query = "query($id: ID!) { node(id: $id) { ... on ResumeVersion { previewUrl(theme: MODERN) } } }";
    let link = app.graphql_as(Some(&zoe), query, json!({ "id": id })).await;
    let url = link["data"]["node"]["previewUrl"].as_str().unwrap_or_else(|| panic!("{link}")).to_owned();
    assert!(url.starts_with(&format!("/documents/resume-versions/{id}.html?theme=modern&token=")), "{url}");

    let response = get(&app, None, &url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script") && !page.contains("<img"), "what the user wrote is escaped: {page}");
    in_order(&page, &["Zoë &lt;script&gt;", "Staff Engineer", "Senior Backend Developer", "Rust", "Kubernetes"])
        .unwrap();
    assert!(page.contains("href=\"https://zoe.example.com\""));

    let path = format!("/documents/resume-versions/{id}.html");
    assert_eq!(get(&app, Some(&eve), &path).await.status(), 404);
    assert_eq!(get(&app, None, &path).await.status(), 401);
}
