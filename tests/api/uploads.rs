//! Uploads over real HTTP with the GraphQL multipart request specification
//! (bodies built by hand, as any client sends them): the type read from
//! the bytes, a name that lies refused, limits, the viewer's documents, the
//! download for the owner only, deletion.

use crate::common;

use common::{TestApp, sign_up};
use serde_json::{Value, json};

const UPLOAD: &str = "mutation($file: Upload!, $kind: DocumentKind!) {
    uploadDocument(input: { file: $file, kind: $kind }) {
        document { id kind fileName mediaType sizeBytes sha256 downloadUrl }
        userErrors { field code message } } }";

/// A multipart request (operations, map, one file) uploading `bytes` as
/// `file_name`, claimed by the client to be `claimed_type`.
async fn upload(
    app: &TestApp,
    token: Option<&str>,
    file_name: &str,
    claimed_type: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let operations = json!({ "query": UPLOAD, "variables": { "file": null, "kind": "CV" } });
    multipart(app, token, &operations, (file_name, claimed_type, bytes)).await
}

/// A multipart request of `operations` and one file, its `map` binding the
/// file to `$file`.
async fn multipart(
    app: &TestApp,
    token: Option<&str>,
    operations: &Value,
    (file_name, claimed_type, bytes): (&str, &str, &[u8]),
) -> reqwest::Response {
    let boundary = "careergraph-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in
        [("operations", operations.to_string()), ("map", json!({ "0": ["variables.file"] }).to_string())]
    {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: {claimed_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST multipart")
}

async fn uploaded(app: &TestApp, token: &str, file_name: &str, bytes: &[u8]) -> Value {
    let response = upload(app, Some(token), file_name, "application/octet-stream", bytes).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["uploadDocument"].clone()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn an_upload_is_stored_as_its_bytes_say_and_comes_back_to_its_owner_only() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let eve = sign_up(&app, "eve@example.com").await;

    let stored = uploaded(&app, &zoe, "../../Zoë CV.pdf", PDF).await;
    assert_eq!(stored["userErrors"], json!([]));
    let document = &stored["document"];
    assert_eq!(document["fileName"], "Zoë CV.pdf", "directories are dropped");
    assert_eq!(document["kind"], "CV");
    assert_eq!(document["mediaType"], "application/pdf", "read from the bytes, not the client's octet-stream");
    assert_eq!(document["sizeBytes"], PDF.len() as f64);
    let sha256 = document["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha256.len(), 64);
    let url = document["downloadUrl"].as_str().unwrap().to_owned();
    let id = document["id"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/documents/uploads/{id}?token=")), "{url}");

    // The signed link opens it as it was stored.
    let response = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["etag"], format!("\"{sha256}\"").as_str());
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename*=UTF-8''Zo%C3%AB%20CV.pdf"), "{disposition}");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    // Listed for its owner; nobody else sees or downloads it.
    let list =
        app.graphql_as(Some(&zoe), "{ viewer { documents(first: 10) { totalCount nodes { id } } } }", json!({})).await;
    assert_eq!(list["data"]["viewer"]["documents"]["totalCount"], 1, "{list}");
    let path = format!("/documents/uploads/{id}");
    assert_eq!(app.client.get(app.url(&path)).bearer_auth(&eve).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url(&path)).send().await.unwrap().status(), 401);
    let node = app.graphql_as(Some(&eve), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(node["errors"][0]["extensions"]["code"], "NOT_FOUND", "{node}");
    let theirs = app.graphql_as(Some(&eve), "{ viewer { documents(first: 10) { totalCount } } }", json!({})).await;
    assert_eq!(theirs["data"]["viewer"]["documents"]["totalCount"], 0);

    // Deleted: gone from the list and from downloads; deleting again is NOT_FOUND.
    let delete = "mutation($id: ID!) { deleteDocument(input: { documentId: $id }) { deletedDocumentId } }";
    let deleted = app.graphql_as(Some(&zoe), delete, json!({ "id": id })).await;
    assert_eq!(deleted["data"]["deleteDocument"]["deletedDocumentId"], id.as_str(), "{deleted}");
    assert_eq!(app.client.get(app.url(&path)).bearer_auth(&zoe).send().await.unwrap().status(), 404);
    let again = app.graphql_as(Some(&zoe), delete, json!({ "id": id })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "NOT_FOUND", "{again}");
    let eves = app.graphql_as(Some(&eve), delete, json!({ "id": id })).await;
    assert_eq!(eves["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn bytes_that_are_not_what_their_name_says_are_refused() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    for (name, bytes, expected) in [
        ("cv.pdf", &png[..], "INVALID"),
        ("cv.exe", b"plain text", "INVALID"),
        ("cv.pdf", b"MZ\x90\0\x03\0\0\0", "INVALID"),
        ("empty.txt", b"", "BLANK"),
    ] {
        let refused = uploaded(&app, &zoe, name, bytes).await;
        assert_eq!(refused["document"], Value::Null, "{name}: {refused}");
        assert_eq!(refused["userErrors"][0]["code"], expected, "{name}: {refused}");
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", "file"]));
    }
    // What the bytes are is what counts: a PNG named as one, a text file.
    assert_eq!(uploaded(&app, &zoe, "photo.png", png).await["document"]["mediaType"], "image/png");
    assert_eq!(
        uploaded(&app, &zoe, "notes.txt", "Zoë's notes".as_bytes()).await["document"]["mediaType"],
        "text/plain"
    );
    let list = app.graphql_as(Some(&zoe), "{ viewer { documents(first: 10) { totalCount } } }", json!({})).await;
    assert_eq!(list["data"]["viewer"]["documents"]["totalCount"], 2, "nothing refused was stored");
}

#[tokio::test]
async fn uploads_past_the_limit_and_without_a_viewer_are_refused() {
    let config = careergraph::config::ServerArgs { max_upload_bytes: 1024, max_body_bytes: 2048, ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let mut big = PDF.to_vec();
    big.resize(2048, b' ');
    let response = upload(&app, Some(&zoe), "big.pdf", "application/pdf", &big).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");

    // The operation itself is held to the body limit, file or no file.
    let padded = format!("{UPLOAD}{}", " ".repeat(4096));
    let operations = json!({ "query": padded, "variables": { "file": null, "kind": "CV" } });
    let response = multipart(&app, Some(&zoe), &operations, ("cv.pdf", "application/pdf", PDF)).await;
    assert_eq!(response.status(), 413);

    let response = upload(&app, None, "cv.pdf", "application/pdf", PDF).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    let list = app.graphql_as(Some(&zoe), "{ viewer { documents(first: 10) { totalCount } } }", json!({})).await;
    assert_eq!(list["data"]["viewer"]["documents"]["totalCount"], 0);
}

#[tokio::test]
async fn a_cv_sent_with_an_application_reaches_the_jobs_recruiter_only() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let eve = sign_up(&app, "eve@example.com").await;
    let rita = common::recruiter(&app, "rita@example.com").await;
    let bob = common::recruiter(&app, "bob@example.com").await;
    let job = common::post_open_job(&app, &rita, "Engineer").await;
    let cv = uploaded(&app, &zoe, "cv.pdf", PDF).await["document"]["id"].as_str().unwrap().to_owned();
    let eves = uploaded(&app, &eve, "eve.pdf", PDF).await["document"]["id"].as_str().unwrap().to_owned();
    let apply = "mutation($input: ApplyToJobInput!) { applyToJob(input: $input) {
        application { id documents { id fileName } } userErrors { field code } } }";

    // Someone else's document, or too many, cannot be sent.
    let refused =
        app.graphql_as(Some(&zoe), apply, json!({ "input": { "jobId": job, "documentIds": [cv, eves] } })).await;
    let errors = &refused["data"]["applyToJob"]["userErrors"];
    assert_eq!(errors, &json!([{ "field": ["input", "documentIds", "1"], "code": "INVALID" }]), "{refused}");
    let many: Vec<&str> = std::iter::repeat_n(cv.as_str(), 6).collect();
    let refused = app.graphql_as(Some(&zoe), apply, json!({ "input": { "jobId": job, "documentIds": many } })).await;
    assert_eq!(refused["data"]["applyToJob"]["userErrors"][0]["code"], "TOO_LONG", "{refused}");

    let applied =
        app.graphql_as(Some(&zoe), apply, json!({ "input": { "jobId": job, "documentIds": [cv, cv] } })).await;
    let application = &applied["data"]["applyToJob"]["application"];
    assert_eq!(application["documents"], json!([{ "id": cv, "fileName": "cv.pdf" }]), "{applied}");
    let application = application["id"].as_str().unwrap().to_owned();

    // The recruiter finds it on the application and downloads it, even
    // after the candidate deletes it from her list.
    let query = "query($id: ID!) { node(id: $id) { ... on Application { documents { id downloadUrl } } } }";
    let seen = app.graphql_as(Some(&rita), query, json!({ "id": application })).await;
    let url =
        seen["data"]["node"]["documents"][0]["downloadUrl"].as_str().unwrap_or_else(|| panic!("{seen}")).to_owned();
    let download = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    let delete = "mutation($id: ID!) { deleteDocument(input: { documentId: $id }) { deletedDocumentId } }";
    app.graphql_as(Some(&zoe), delete, json!({ "id": cv })).await;
    let path = format!("/documents/uploads/{cv}");
    assert_eq!(app.client.get(app.url(&path)).bearer_auth(&rita).send().await.unwrap().status(), 200);

    // Another recruiter sees neither the application nor the document.
    assert_eq!(app.client.get(app.url(&path)).bearer_auth(&bob).send().await.unwrap().status(), 404);
    let node = app.graphql_as(Some(&bob), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": cv })).await;
    assert_eq!(node["errors"][0]["extensions"]["code"], "NOT_FOUND", "{node}");
}

const TEXT: &str = "query($id: ID!) { node(id: $id) { ... on Document { textStatus text } } }";

/// The document's text status once it is no longer PENDING, and its text.
async fn read_text(app: &TestApp, token: &str, id: &str) -> (String, Value) {
    let started = std::time::Instant::now();
    loop {
        let body = app.graphql_as(Some(token), TEXT, json!({ "id": id })).await;
        let status = body["data"]["node"]["textStatus"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
        if status != "PENDING" {
            return (status, body["data"]["node"]["text"].clone());
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "still PENDING: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_text_of_pdfs_and_text_files_is_read_in_the_background_and_searchable() {
    let app = TestApp::spawn().await;
    let zoe = sign_up(&app, "zoe@example.com").await;
    let resume = json!({ "basics": { "name": "Zoe Smith", "label": "Backend engineer" },
                         "work": [{ "name": "Analytical Engines", "position": "Engineer",
                                    "highlights": ["Tuned PostgreSQL planners"] }],
                         "skills": [{ "name": "Rust" }] });
    let pdf = careergraph::resumes::render::resume_pdf(
        &resume,
        careergraph::resumes::render::ResumeTheme::Classic,
        careergraph::resumes::render::PaperSize::A4,
    )
    .unwrap();
    let stored = uploaded(&app, &zoe, "resume.pdf", &pdf.bytes).await;
    assert_eq!(stored["document"]["mediaType"], "application/pdf", "{stored}");
    let id = stored["document"]["id"].as_str().unwrap().to_owned();
    let (status, text) = read_text(&app, &zoe, &id).await;
    assert_eq!(status, "DONE", "{text}");
    let text = text.as_str().unwrap();
    assert!(text.contains("Zoe Smith") && text.contains("PostgreSQL") && text.contains("Rust"), "{text}");

    let notes = uploaded(&app, &zoe, "notes.txt", b"Interview prep: Kubernetes operators").await;
    let (status, text) = read_text(&app, &zoe, notes["document"]["id"].as_str().unwrap()).await;
    assert_eq!((status.as_str(), text.as_str()), ("DONE", Some("Interview prep: Kubernetes operators")));
    let broken = uploaded(&app, &zoe, "broken.pdf", b"%PDF-1.7\nnot really a PDF").await;
    assert_eq!(read_text(&app, &zoe, broken["document"]["id"].as_str().unwrap()).await.0, "FAILED");
    let png = uploaded(&app, &zoe, "photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").await;
    assert_eq!(read_text(&app, &zoe, png["document"]["id"].as_str().unwrap()).await.0, "NOT_APPLICABLE");

    let search = "query($q: String) { viewer { documents(query: $q, first: 10) { totalCount nodes { fileName } } } }";
    for (words, expected) in
        [("postgresql rust", json!(["resume.pdf"])), ("kubernetes", json!(["notes.txt"])), ("haskell", json!([]))]
    {
        let found = app.graphql_as(Some(&zoe), search, json!({ "q": words })).await;
        let names: Vec<Value> = found["data"]["viewer"]["documents"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{found}"))
            .iter()
            .map(|node| node["fileName"].clone())
            .collect();
        assert_eq!(Value::Array(names), expected, "{words}");
    }
    // Another user's search never finds Zoe's documents.
    let eve = sign_up(&app, "eve@example.com").await;
    let theirs = app.graphql_as(Some(&eve), search, json!({ "q": "rust" })).await;
    assert_eq!(theirs["data"]["viewer"]["documents"]["totalCount"], 0);
}
