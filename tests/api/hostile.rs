//! A hostile-input corpus against the real `careergraph serve` binary over
//! HTTP and WebSocket: malformed and oversized bodies, wrong media types,
//! invalid documents and variables, deep, wide, aliased, directive-flooded,
//! fragment-cyclic and nested-introspection queries, NUL and lone
//! surrogates, search syntax, forged ids, cursors and tokens, oversized
//! headers. Every case must get its documented status and code within a
//! bound, and after every case the process must still answer with its
//! resident memory under a bound (docs/operations.md#bounds).

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::server::{ServerProcess, register_at};
use common::{JWT_SECRET, PASSWORD, TempDir, TestDb};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Most resident memory the server may reach during the corpus.
const MEMORY_BOUND: u64 = 256 * 1024 * 1024;
/// Longest a hostile case may take to be answered (a debug build).
const ANSWER_BOUND: Duration = Duration::from_secs(10);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What a case must be answered with.
enum Expect {
    /// This status, and this `extensions.code` on the first error.
    Code(u16, &'static str),
    /// 200 and no errors.
    Data,
    /// 200 and a `userErrors` entry with this code in the named mutation's payload.
    UserError(&'static str, &'static str),
    /// Only this status (the body may not be GraphQL).
    Status(u16),
}

/// One request of the corpus.
struct Case {
    name: &'static str,
    method: reqwest::Method,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expect: Expect,
}

impl Case {
    /// A POST of a GraphQL request, asking for the GraphQL response type.
    fn graphql(name: &'static str, query: &str, variables: Value, expect: Expect) -> Self {
        Self::raw(name, json!({ "query": query, "variables": variables }).to_string().into_bytes(), expect)
    }

    /// A POST of `body` as JSON.
    fn raw(name: &'static str, body: impl Into<Vec<u8>>, expect: Expect) -> Self {
        Self {
            name,
            method: reqwest::Method::POST,
            path_and_query: "/graphql".to_owned(),
            headers: vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("accept".to_owned(), GRAPHQL_RESPONSE.to_owned()),
            ],
            body: body.into(),
            expect,
        }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    fn signed_in_as(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    fn get(name: &'static str, path_and_query: String, expect: Expect) -> Self {
        Self {
            name,
            method: reqwest::Method::GET,
            path_and_query,
            headers: vec![("accept".to_owned(), GRAPHQL_RESPONSE.to_owned())],
            body: Vec::new(),
            expect,
        }
    }
}

/// Registers an account on the process; returns its access token.
/// `open` repeated `levels` times around `leaf`, every brace closed.
fn chain(open: &str, levels: usize, leaf: &str) -> String {
    format!("{}{leaf}{}", open.repeat(levels), " }".repeat(levels * open.matches('{').count()))
}

fn corpus(token: &str) -> Vec<Case> {
    use Expect::{Code, Data, Status, UserError};
    let deep_data = format!("{{ viewer {{ {} }} }}", chain("applications { nodes { job { ", 10, "title"));
    let introspection_bomb = format!("{{ __schema {{ types {{ {} }} }} }}", chain("fields { type { ", 12, "name"));
    // Within the depth bound, but every level fans out over every type that
    // implements Node: only the output budget stops it.
    let budget_bomb = format!("{{ __schema {{ types {{ {} }} }} }}", chain("interfaces { possibleTypes { ", 6, "name"));
    let aliases: String = (0..1000).map(|n| format!("a{n}: __typename ")).collect();
    let roots: String = (0..25).map(|n| format!("j{n}: jobs {{ totalCount }} ")).collect();
    let directives = "@include(if: true) ".repeat(2000);
    let mut fragment_bomb = String::from("query { ...F0 }");
    for level in 0..40 {
        fragment_bomb.push_str(&format!(
            " fragment F{level} on Query {{ a: __typename ...F{n} b: __typename ...F{n} }}",
            n = level + 1
        ));
    }
    fragment_bomb.push_str(" fragment F40 on Query { __typename }");
    let introspection =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/introspection.graphql")).unwrap();
    let expired = common::signed_token(&common::claims_expiring_in(-120));
    let unsigned_claims = URL_SAFE_NO_PAD.encode(serde_json::to_string(&common::claims_expiring_in(600)).unwrap());
    let alg_none = format!("{}.{unsigned_claims}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let search = "query($q: String) { jobs(filter: { query: $q }) { totalCount } }";
    let add_skill =
        "mutation($input: AddSkillInput!) { addSkill(input: $input) { skill { id } userErrors { field code } } }";
    let forged_job_id = base64::engine::general_purpose::STANDARD.encode("Job:not-a-uuid");

    vec![
        // Bodies and media types.
        Case::raw("malformed JSON", &b"{\"query\": \"{ __typename }\""[..], Code(400, "BAD_USER_INPUT")),
        Case::raw("a batch", json!([{ "query": "{ __typename }" }]).to_string(), Code(400, "BAD_USER_INPUT")),
        Case::raw("a JSON string", &b"\"{ __typename }\""[..], Code(400, "BAD_USER_INPUT")),
        Case::raw("an empty body", Vec::new(), Code(400, "BAD_USER_INPUT")),
        Case::raw("a 2 MB body", vec![b' '; 2 * 1024 * 1024], Status(413)),
        Case::raw("text/plain", &b"{ __typename }"[..], Code(415, "BAD_USER_INPUT")).header("content-type", "text/plain"),
        Case::raw("a form", &b"query=%7B__typename%7D"[..], Code(415, "BAD_USER_INPUT"))
            .header("content-type", "application/x-www-form-urlencoded"),
        Case::graphql("no acceptable media type", "{ __typename }", json!({}), Code(406, "BAD_USER_INPUT"))
            .header("accept", "text/html"),
        Case::raw("query is a number", json!({ "query": 42 }).to_string(), Code(400, "BAD_USER_INPUT")),
        Case::raw("variables is a list", json!({ "query": "{ __typename }", "variables": [1] }).to_string(), Code(400, "BAD_USER_INPUT")),
        Case::get("a mutation over GET", "/graphql?query=mutation%7BsnapshotAnalytics%7BuserErrors%7Bcode%7D%7D%7D".to_owned(), Code(405, "BAD_USER_INPUT")),
        // Documents and variables.
        Case::graphql("unparseable document", "{ jobs { ", json!({}), Code(400, "BAD_USER_INPUT")),
        Case::graphql("unknown field", "{ secrets }", json!({}), Code(400, "BAD_USER_INPUT")),
        Case::graphql("variable of the wrong type", search, json!({ "q": { "$gt": "" } }), Code(400, "BAD_USER_INPUT")),
        Case::graphql("missing required variable", "query($id: ID!) { node(id: $id) { id } }", json!({}), Code(200, "BAD_USER_INPUT")),
        Case::graphql("Int out of range", "{ jobs(first: 2147483648) { totalCount } }", json!({}), Code(200, "BAD_USER_INPUT")),
        Case::graphql("negative page", "{ jobs(first: -1) { totalCount } }", json!({}), Code(200, "BAD_USER_INPUT")),
        Case::graphql("page over the cap", "{ jobs(first: 100000) { totalCount } }", json!({}), Code(200, "BAD_USER_INPUT")),
        // Shapes.
        Case::graphql("30 levels deep", &deep_data, json!({}), Code(400, "QUERY_TOO_COMPLEX")).signed_in_as(token),
        Case::graphql("wide pages", "{ jobs(first: 100) { nodes { applications(first: 100) { nodes { applicant { fullName } } } } } }", json!({}), Code(400, "QUERY_TOO_COMPLEX")).signed_in_as(token),
        Case::graphql("1000 aliases", &format!("{{ {aliases} }}"), json!({}), Code(400, "QUERY_TOO_COMPLEX")),
        Case::graphql("25 root fields", &format!("{{ {roots} }}"), json!({}), Code(400, "QUERY_TOO_COMPLEX")),
        Case::graphql("2000 directives", &format!("{{ __typename {directives} }}"), json!({}), Code(400, "QUERY_TOO_COMPLEX")),
        Case::graphql("a fragment cycle", "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", json!({}), Code(400, "BAD_USER_INPUT")),
        Case::graphql("a doubling fragment bomb", &fragment_bomb, json!({}), Code(400, "QUERY_TOO_COMPLEX")),
        Case::graphql("nested introspection, 25 levels", &introspection_bomb, json!({}), Code(400, "QUERY_TOO_COMPLEX")),
        Case::graphql("nested introspection within the depth bound", &budget_bomb, json!({}), Code(200, "QUERY_TOO_COMPLEX")),
        Case::graphql("GraphiQL's introspection query", &introspection, json!({}), Data),
        // Text PostgreSQL cannot store, and search syntax.
        Case::graphql("NUL in a search variable", search, json!({ "q": "x\u{0}y" }), Code(400, "BAD_USER_INPUT")),
        Case::graphql("NUL in a search literal", r#"{ jobs(filter: { query: "x\u0000y" }) { totalCount } }"#, json!({}), Code(400, "BAD_USER_INPUT")),
        Case::graphql("NUL in a mutation input", add_skill, json!({ "input": { "name": "a\u{0}b" } }), Code(400, "BAD_USER_INPUT")).signed_in_as(token),
        Case::graphql("NUL in a registration", "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": "nul@example.com", "password": PASSWORD, "fullName": "\u{0}" } }), Code(400, "BAD_USER_INPUT")),
        Case::raw("a lone surrogate in variables", format!(r#"{{"query": "{search}", "variables": {{"q": "\ud800"}}}}"#), Code(400, "BAD_USER_INPUT")),
        Case::graphql("a lone surrogate in a literal", r#"{ jobs(filter: { query: "\uD800" }) { totalCount } }"#, json!({}), Code(400, "BAD_USER_INPUT")),
        Case::graphql("tsquery operators in search", search, json!({ "q": "rust & | ! ( ) :* <-> \\ ' \" -" }), Data),
        Case::graphql("an over-long search", search, json!({ "q": "rust ".repeat(2000) }), Code(200, "BAD_USER_INPUT")),
        Case::graphql("an over-long skill", add_skill, json!({ "input": { "name": "x".repeat(5000) } }), UserError("addSkill", "TOO_LONG")).signed_in_as(token),
        Case::graphql("a date-time in year 0", "{ jobs(filter: { postedAfter: \"0000-01-01T00:00:00Z\" }) { totalCount } }", json!({}), Code(200, "BAD_USER_INPUT")),
        Case::graphql("a date in year 10000", "mutation { addEducation(input: { institution: \"MIT\", startDate: \"10000-01-01\" }) { userErrors { code } } }", json!({}), Code(200, "BAD_USER_INPUT")).signed_in_as(token),
        // Ids and cursors.
        Case::graphql("a 100 KB id", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": "A".repeat(100_000) }), Code(200, "NOT_FOUND")),
        Case::graphql("a forged id", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": forged_job_id }), Code(200, "NOT_FOUND")),
        Case::graphql("a garbage cursor", "{ jobs(after: \"garbage\") { totalCount } }", json!({}), Code(200, "BAD_USER_INPUT")),
        Case::graphql("a 50 KB cursor", "query($c: String) { jobs(after: $c) { totalCount } }", json!({ "c": "Q".repeat(50_000) }), Code(200, "BAD_USER_INPUT")),
        // Tokens and headers.
        Case::graphql("a random token", "{ viewer { id } }", json!({}), Code(400, "UNAUTHENTICATED")).signed_in_as("not-a-token"),
        Case::graphql("an expired token", "{ viewer { id } }", json!({}), Code(400, "UNAUTHENTICATED")).signed_in_as(&expired),
        Case::graphql("an alg:none token", "{ viewer { id } }", json!({}), Code(400, "UNAUTHENTICATED")).signed_in_as(&alg_none),
        Case::graphql("a 64 KB token", "{ viewer { id } }", json!({}), Code(400, "UNAUTHENTICATED")).signed_in_as(&"e".repeat(64 * 1024)),
        Case::graphql("a 1 MB header", "{ __typename }", json!({}), Status(431)).header("x-padding", "p".repeat(1024 * 1024)),
    ]
}

/// Checks one answer against its expectation; says what is wrong.
fn check(case: &Case, status: u16, body: &[u8]) -> Result<(), String> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let shown = String::from_utf8_lossy(&body[..body.len().min(600)]).into_owned();
    let first_code = json.as_ref().and_then(|body| body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned));
    let internal = json.as_ref().is_some_and(|body| {
        body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|error| error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"))
    });
    let fine = !internal
        && match case.expect {
            Expect::Code(expected_status, code) => status == expected_status && first_code.as_deref() == Some(code),
            Expect::Data => {
                status == 200
                    && json.as_ref().is_some_and(|body| body.get("errors").is_none() && body["data"].is_object())
            }
            Expect::UserError(mutation, code) => {
                status == 200
                    && json.as_ref().is_some_and(|body| body["data"][mutation]["userErrors"][0]["code"] == code)
            }
            Expect::Status(expected_status) => status == expected_status,
        };
    if fine { Ok(()) } else { Err(format!("{}: answered {status} {shown}", case.name)) }
}

/// The server answers `/health` and holds less than the memory bound.
async fn assert_healthy(server: &mut ServerProcess, client: &reqwest::Client, after: &str) {
    assert!(server.is_alive(), "the server died after {after}");
    let health = client.get(format!("{}/health", server.base_url)).send().await;
    assert!(health.is_ok_and(|response| response.status() == 200), "/health failed after {after}");
    let resident = server.resident_bytes();
    assert!(resident < MEMORY_BOUND, "{after} left the server at {} MB resident", resident / (1024 * 1024));
}

async fn start() -> (TestDb, TempDir, ServerProcess) {
    let db = TestDb::migrated().await;
    let dir = TempDir::new("hostile");
    let secret = std::str::from_utf8(JWT_SECRET).unwrap();
    let server = ServerProcess::start_with(dir.path(), Some(&db.url), &[("CAREERGRAPH_JWT_SECRET", secret)]);
    (db, dir, server)
}

#[tokio::test]
async fn no_hostile_http_request_gets_an_internal_error_or_hurts_the_server() {
    let (_db, _dir, mut server) = start().await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let token = register_at(&client, &server.base_url, "mallory@example.com", "CANDIDATE").await;
    let corpus = corpus(&token);
    assert!(corpus.len() >= 40, "the corpus has {} cases", corpus.len());
    let mut wrong = Vec::new();
    for case in &corpus {
        let mut request = client.request(case.method.clone(), format!("{}{}", server.base_url, case.path_and_query));
        for (name, value) in &case.headers {
            request = request.header(name, value);
        }
        let started = Instant::now();
        let response = tokio::time::timeout(ANSWER_BOUND, request.body(case.body.clone()).send())
            .await
            .unwrap_or_else(|_| panic!("{}: no answer within {ANSWER_BOUND:?}", case.name));
        match response {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap_or_default();
                if let Err(answer) = check(case, status, &body) {
                    wrong.push(answer);
                }
            }
            // The server may close a connection whose header it refuses
            // outright; that is an answer too, if it goes on serving.
            Err(err) => assert!(matches!(case.expect, Expect::Status(431)), "{}: {err}", case.name),
        }
        assert!(started.elapsed() < ANSWER_BOUND, "{}: took {:?}", case.name, started.elapsed());
        assert_healthy(&mut server, &client, case.name).await;
    }
    assert!(wrong.is_empty(), "answers not as documented:\n{}", wrong.join("\n"));
    // A client's mistakes are not the server's errors.
    let logs = server.logs.lock().unwrap().clone();
    let errors: Vec<&String> = logs.iter().filter(|line| line.contains(r#""level":"ERROR""#)).collect();
    assert!(errors.is_empty(), "the corpus logged errors: {errors:#?}");
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base_url: &str) -> Socket {
    let mut request = format!("{}/graphql", base_url.replacen("http://", "ws://", 1)).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The next text message as JSON, or the close code, within the bound.
async fn next(socket: &mut Socket) -> Result<Value, u16> {
    loop {
        let message = tokio::time::timeout(ANSWER_BOUND, socket.next()).await.expect("an answer within the bound");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] != "ping" && value["type"] != "pong" {
                    return Ok(value);
                }
            }
            Some(Ok(Message::Close(frame))) => return Err(frame.map_or(1005, |frame| u16::from(frame.code))),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::text(message.to_string())).await.unwrap();
}

/// An acknowledged connection as `token`.
async fn initialised(base_url: &str, token: &str) -> Socket {
    let mut socket = open(base_url).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
        .await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket
}

/// The code of the first error a subscription answers with.
async fn subscription_error(base_url: &str, token: &str, query: &str, variables: Value) -> String {
    let mut socket = initialised(base_url, token).await;
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } }))
        .await;
    let message = next(&mut socket).await.expect("an answer, not a close");
    let errors = if message["type"] == "error" { &message["payload"] } else { &message["payload"]["errors"] };
    errors[0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no coded error: {message}")).to_owned()
}

#[tokio::test]
async fn no_hostile_websocket_message_gets_an_internal_error_or_hurts_the_server() {
    let (_db, _dir, mut server) = start().await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = server.base_url.clone();
    let token = register_at(&client, &base, "mallory@example.com", "CANDIDATE").await;
    let events = "subscription($id: ID) { applicationEvents(applicationId: $id) { id } }";

    // Malformed messages close the connection as the protocol asks.
    let mut socket = open(&base).await;
    socket.send(Message::text("{ not json")).await.unwrap();
    assert_eq!(next(&mut socket).await.err(), Some(4400), "malformed JSON is an invalid message");
    assert_healthy(&mut server, &client, "malformed WebSocket JSON").await;

    let mut socket = open(&base).await;
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": events } })).await;
    assert_eq!(next(&mut socket).await.err(), Some(4401), "subscribing before connection_init is unauthorized");
    assert_healthy(&mut server, &client, "subscribe before init").await;

    let mut socket = open(&base).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": "Bearer forged" } })).await;
    assert_eq!(next(&mut socket).await.err(), Some(4403), "a forged token is refused as the protocol asks");
    assert_healthy(&mut server, &client, "a forged WebSocket token").await;

    let mut socket = open(&base).await;
    let oversized = format!(r#"{{"type":"connection_init","payload":{{"pad":"{}"}}}}"#, "p".repeat(2 * 1024 * 1024));
    let _ = socket.send(Message::text(oversized)).await;
    assert!(next(&mut socket).await.is_err(), "a 2 MB message closes the socket");
    assert_healthy(&mut server, &client, "a 2 MB WebSocket message").await;

    // Documents and variables over a socket follow the HTTP conventions.
    let deep = format!(
        "subscription {{ applicationEvents {{ {} }} }}",
        chain("application { job { applications { nodes { ", 4, "id")
    );
    let cases: [(&str, &str, Value, &str); 5] = [
        ("NUL in a variable", events, json!({ "id": "x\u{0}" }), "BAD_USER_INPUT"),
        ("an unparseable document", "subscription {", json!({}), "BAD_USER_INPUT"),
        ("an 18-level document", &deep, json!({}), "QUERY_TOO_COMPLEX"),
        ("two root fields", "subscription { applicationEvents { id } __typename }", json!({}), "BAD_USER_INPUT"),
        ("a malformed application id", events, json!({ "id": "bm90aGluZw" }), "BAD_USER_INPUT"),
    ];
    for (name, query, variables, code) in cases {
        assert_eq!(subscription_error(&base, &token, query, variables).await, code, "{name}");
        assert_healthy(&mut server, &client, name).await;
    }
    let logs = server.logs.lock().unwrap().clone();
    let errors: Vec<&String> = logs.iter().filter(|line| line.contains(r#""level":"ERROR""#)).collect();
    assert!(errors.is_empty(), "the corpus logged errors: {errors:#?}");
}
