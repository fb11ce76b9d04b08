//! `/graphiql`: GraphiQL served from the binary (graphiql/dist), with a
//! Content-Security-Policy that allows only the server, assets cached by
//! their hash and sent gzipped, the operations of docs/examples as tabs, and
//! in a real browser (Debian's Chromium, driven by puppeteer-core from
//! tests/clients): rendering, signing in, a typed query and a subscription,
//! with no request leaving the server.

use crate::common;

use std::path::PathBuf;

use careergraph::config::ServerArgs;
use careergraph::demo::DEMO_PASSWORD;
use common::{TestApp, TestDb, apply_to, await_subscriptions, demo_login, post_open_job};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The page's settings block (the JSON GraphiQL starts from).
fn settings_of(page: &str) -> Value {
    let start = page.find(r#"<script type="application/json" id="careergraph-settings">"#).expect("a settings block");
    let rest = &page[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).expect("the settings are JSON")
}

/// The `/graphiql/assets/…` URLs the page names.
fn assets_of(page: &str) -> Vec<String> {
    page.match_indices("/graphiql/assets/").map(|(at, _)| page[at..].split('"').next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_page_loads_only_from_the_server_and_says_so_in_its_csp() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphiql").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = headers["content-security-policy"].to_str().unwrap().to_owned();
    for directive in ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{directive} missing from {policy}");
    }
    assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{policy}");
    let page = response.text().await.unwrap();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a style nonce");
    assert_eq!(settings_of(&page)["styleNonce"], nonce, "the page's nonce is its policy's");
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"), "{page}");
    // The only script is the bundle; the settings block is data, not code.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert!(page.contains(r#"<script src="/graphiql/assets/graphiql."#), "{page}");

    // A new nonce for every page.
    let again = app.get("/graphiql").await;
    assert_ne!(again.headers()["content-security-policy"].to_str().unwrap(), policy);
}

#[tokio::test]
async fn assets_are_cached_by_their_hash_and_sent_gzipped() {
    let app = TestApp::spawn().await;
    let page = app.get("/graphiql").await.text().await.unwrap();
    let assets = assets_of(&page);
    assert_eq!(assets.len(), 2, "a script and a stylesheet: {assets:?}");
    for asset in &assets {
        let plain = app.client.get(app.url(asset)).send().await.unwrap();
        assert_eq!(plain.status(), 200, "{asset}");
        let headers = plain.headers().clone();
        assert!(headers.get("content-encoding").is_none(), "{asset}: gzip to a client that did not ask");
        assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
        let expected = if asset.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(headers["content-type"].to_str().unwrap().starts_with(expected), "{asset}");
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let hash = asset.split('.').nth(1).unwrap();
        assert_eq!(etag, format!("\"{hash}\""), "the ETag is the name's hash");
        let plain = plain.bytes().await.unwrap();
        assert!(plain.len() > 100_000, "{asset}: {} bytes", plain.len());
        let digest: String = Sha256::digest(&plain)[..8].iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(hash, digest, "{asset} is named by its content's SHA-256");

        let gzipped = app.client.get(app.url(asset)).header("accept-encoding", "gzip, br").send().await.unwrap();
        assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{asset}");
        assert_eq!(gzipped.headers()["vary"], "accept-encoding");
        let gzipped = gzipped.bytes().await.unwrap();
        assert_eq!(&gzipped[..2], &[0x1f, 0x8b], "{asset}: a gzip stream");
        assert!(gzipped.len() < plain.len(), "{asset}: {} of {} bytes", gzipped.len(), plain.len());

        let revalidated = app.client.get(app.url(asset)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(revalidated.status(), 304, "{asset}");
        assert!(revalidated.bytes().await.unwrap().is_empty());
    }
    // A name whose hash is not the served content's is not found.
    let stale = app.get("/graphiql/assets/graphiql.0000000000000000.js").await;
    assert_eq!(stale.status(), 404);
    assert_eq!(stale.json::<Value>().await.unwrap()["error"], "not found");
}

#[tokio::test]
async fn the_tabs_teach_the_api_and_their_operations_run() {
    let db = TestDb::migrated().await;
    let app = TestApp::serve(db, ServerArgs { demo: true, ..ServerArgs::default() }).await;
    let settings = settings_of(&app.get("/graphiql").await.text().await.unwrap());
    assert_eq!(settings["endpoint"], "/graphql");
    assert_eq!(settings["demoPassword"], DEMO_PASSWORD);
    let logins: Vec<&str> =
        settings["demoLogins"].as_array().unwrap().iter().map(|l| l["email"].as_str().unwrap()).collect();
    assert!(logins.contains(&"candidate1@demo.careergraph.dev") && logins.contains(&"recruiter1@demo.careergraph.dev"));

    // One tab for the welcome, then one per file of docs/examples.
    let tabs: Vec<String> =
        settings["examples"].as_array().unwrap().iter().map(|tab| tab["query"].as_str().unwrap().to_owned()).collect();
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/examples");
    let mut files: Vec<String> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    files.sort();
    let mut shown = tabs[1..].to_vec();
    shown.sort();
    assert_eq!(shown, files, "every example opens as a tab");

    // The welcome's operations work as written against the demo data.
    let welcome = &tabs[0];
    assert!(welcome.contains(r#"{ "Authorization": "Bearer <accessToken>" }"#), "{welcome}");
    let mut conn = app.db.connect().await;
    careergraph::demo::seed_if_empty(&mut conn).await.unwrap().expect("an empty database is seeded");
    let app = &app;
    let run = |name: &'static str, token: Option<String>| {
        let body = json!({ "query": welcome.clone(), "operationName": name });
        async move { app.post_graphql(token.as_deref(), &body).await }
    };
    let signed_in = run("Login", None).await;
    let token = signed_in["data"]["login"]["accessToken"].as_str().unwrap_or_else(|| panic!("{signed_in}")).to_owned();
    for name in ["Dashboard", "JobSearch"] {
        let body = run(name, Some(token.clone())).await;
        assert!(body.get("errors").is_none(), "{name}: {body}");
    }
    let dashboard = run("Dashboard", Some(token.clone())).await;
    assert!(!dashboard["data"]["viewer"]["applications"]["nodes"].as_array().unwrap().is_empty());

    // Each example opens with variables for its first operation: every one
    // it requires, none it does not declare; those without an id to paste
    // run as they are.
    for tab in &settings["examples"].as_array().unwrap()[1..] {
        let document = tab["query"].as_str().unwrap();
        let variables: Value = serde_json::from_str(tab["variables"].as_str().expect("variables")).unwrap();
        let parsed = async_graphql::parser::parse_query(document).unwrap();
        let (name, operation) = parsed.operations.iter().min_by_key(|(_, op)| (op.pos.line, op.pos.column)).unwrap();
        let name = name.unwrap().to_string();
        let declared = &operation.node.variable_definitions;
        let names: Vec<String> = declared.iter().map(|v| v.node.name.node.to_string()).collect();
        for given in variables.as_object().unwrap().keys() {
            assert!(names.contains(given), "{name} declares no ${given}");
        }
        for required in declared.iter().filter(|v| !v.node.var_type.node.nullable && v.node.default_value.is_none()) {
            let required = required.node.name.node.to_string();
            assert!(variables.get(&required).is_some(), "{name} needs ${required}");
        }
        if variables.to_string().contains(" id: ") {
            continue;
        }
        let body = json!({ "query": document, "operationName": name, "variables": variables });
        let answer = app.post_graphql(Some(&token), &body).await;
        assert!(answer.get("errors").is_none(), "{name} with {variables}: {answer}");
    }
}

#[tokio::test]
async fn the_embedded_assets_are_the_build_of_graphiql_src() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("graphiql");
    common::npm_ci(&dir, &["esbuild", "graphiql", "react"]).await;
    let output = tokio::process::Command::new("node")
        .args(["build.mjs", "--check"])
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs the build");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `$CHROMIUM`, or the first `chromium` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromium")).find(|candidate| candidate.is_file())
}

/// The browser script's output, a line per step: `name [JSON detail]`.
struct Steps<'a> {
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    child: &'a mut tokio::process::Child,
}

impl Steps<'_> {
    /// The detail of the next step, which must be `name`; on anything else,
    /// what the script wrote to stderr (the page's editors, its errors).
    async fn step(&mut self, name: &str) -> Value {
        use tokio::io::AsyncReadExt;
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.lines.next_line()).await;
        if let Ok(Ok(Some(line))) = &line {
            let (said, detail) = line.split_once(' ').unwrap_or((line, "null"));
            assert_eq!(said, name, "the browser said: {line}");
            return serde_json::from_str(detail).expect("a JSON detail");
        }
        let mut why = String::new();
        if let Some(stderr) = self.child.stderr.as_mut() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stderr.read_to_string(&mut why)).await;
        }
        panic!("no `{name}` from the browser ({line:?}):\n{why}");
    }
}

#[tokio::test]
async fn in_chromium_the_page_signs_in_queries_and_receives_a_subscription_event() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let chromium = chromium().expect("the browser test needs Chromium (apt-get install chromium; .ci/run installs it)");
    common::install_clients().await;
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    careergraph::demo::seed_if_empty(&mut conn).await.unwrap().expect("an empty database is seeded");
    let app = TestApp::serve(db, ServerArgs { demo: true, ..ServerArgs::default() }).await;

    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("graphiql.png");
    let _ = std::fs::remove_file(&screenshot);
    let mut child = tokio::process::Command::new("node")
        .arg("browser.mjs")
        .arg(&app.base_url)
        .arg("candidate1@demo.careergraph.dev")
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .current_dir(common::clients_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs the browser test");
    let mut browser = Steps { lines: BufReader::new(child.stdout.take().unwrap()).lines(), child: &mut child };
    let rendered = browser.step("rendered").await;
    assert!(rendered["csp"].as_str().unwrap().contains("script-src 'self'"), "{rendered}");
    let signed_in = browser.step("signed-in").await;
    assert_eq!(signed_in["authorization"], true, "the Headers tab holds the bearer token");
    let queried = browser.step("queried").await;
    assert_eq!(queried["typed"], "query Me { viewer { fullName email } }", "the editor holds what was typed");
    assert_eq!(
        queried["response"]["data"]["viewer"],
        json!({ "fullName": "Ada Lovelace", "email": "candidate1@demo.careergraph.dev" }),
        "{queried}"
    );

    let explored = browser.step("explored").await;
    let query = explored["query"].as_str().unwrap();
    assert!(query.contains("viewer") && query.contains("jobs"), "ticking `jobs` added it to the query: {query}");

    // The subscription is open; a recruiter's new job and Ada's application to it.
    browser.step("subscribing").await;
    await_subscriptions(&app.base_url, 1).await;
    let rita = demo_login(&app, "recruiter1@demo.careergraph.dev").await;
    let ada = demo_login(&app, "candidate1@demo.careergraph.dev").await;
    let job = post_open_job(&app, &rita, "Browser engineer").await;
    apply_to(&app, &ada, &job).await;
    let event = browser.step("event").await;
    assert_eq!(event["data"]["applicationEvents"], json!({ "kind": "CREATED", "toStatus": "APPLIED" }), "{event}");

    let refreshed = browser.step("refreshed").await;
    assert_eq!(refreshed["before"], "Bearer ", "{refreshed}");
    assert_eq!(refreshed["changed"], true, "a new access token in the Headers tab: {refreshed}");
    assert_eq!(refreshed["response"]["data"]["viewer"]["fullName"], "Ada Lovelace", "{refreshed}");

    let finished = browser.step("finished").await;
    assert_eq!(finished["outside"], json!([]), "requests that left the server: {finished}");
    assert_eq!(finished["violations"], json!([]), "CSP violations: {finished}");
    assert_eq!(finished["problems"], json!([]), "page errors: {finished}");
    assert!(browser.child.wait().await.unwrap().success());
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000, "a screenshot at {}", screenshot.display());
}
