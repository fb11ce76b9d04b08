//! `/graphql`: queries and mutations over HTTP, subscriptions over WebSocket.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use tracing::Instrument;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::IntoResponse;
use axum::response::Response;

use super::metrics::Outcome;
use super::{AppState, RequestId, over_http};
use crate::auth::{SignedIn, Viewer};
use crate::context::{Batching, RequestContext};
use crate::db::Db;
use crate::graphql::documents::{AlreadyParsed, ParsedDocuments};
use crate::graphql::errors::attach_request_id;

/// Executes one GraphQL request (POST body or GET query string) as the
/// viewer its `Authorization` header names, with fresh per-request loaders,
/// following the GraphQL-over-HTTP specification (see docs/conformance.md).
pub async fn execute(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let Some(media) = over_http::negotiate(&headers) else { return over_http::not_acceptable() };
    let multipart = method == Method::POST && over_http::is_multipart(&headers);
    if !multipart && body.len() > state.max_message_bytes {
        state.metrics.record(None, Outcome::Refused, started.elapsed(), 0);
        let refusal =
            over_http::too_large(format!("A request body may have at most {} bytes", state.max_message_bytes));
        return refusal.respond(media, &request_id);
    }
    let parsed = if multipart {
        over_http::parse_multipart(&headers, body, state.max_upload_bytes, state.max_message_bytes).await
    } else {
        over_http::parse(&method, &uri, &headers, &body, &state.persisted)
    };
    let request = match parsed {
        Ok(request) => request,
        Err(refusal) => {
            state.metrics.record(None, Outcome::Refused, started.elapsed(), 0);
            return refusal.respond(media, &request_id);
        }
    };
    // The document is needed here only when its operation must be known
    // before execution: a GET (mutations are refused) or an unnamed
    // operation (for metrics and logs). It comes from the schema's parsed
    // documents and is handed on, so it is looked up once per request.
    let mut request = request;
    // With replicas, every operation's kind is needed: queries may read from one.
    let routing = !state.replicas.all().is_empty();
    let operation = if routing || method == Method::GET || request.operation_name.is_none() {
        preparse(&state, &mut request)
    } else {
        None
    };
    let kind = operation.as_ref().map(|(_, kind)| *kind);
    let name = request.operation_name.clone().or_else(|| operation.as_ref().and_then(|(name, _)| name.clone()));
    if method == Method::GET && operation.is_some_and(|(_, kind)| kind == OperationType::Mutation) {
        state.metrics.record(name.as_deref(), Outcome::Refused, started.elapsed(), 0);
        return over_http::Refusal::mutation_over_get().respond(media, &request_id);
    }
    let viewer = viewer_from(&headers, &state);
    let user_agent = headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let client = super::client_address::client_address(peer.ip(), &headers, &state.trusted_proxies);
    let session = match &viewer {
        Viewer::SignedIn(signed_in) => Some(signed_in.session_id),
        _ => None,
    };
    let db = if routing && kind == Some(OperationType::Query) {
        reading_db(&state, &headers, session)
    } else {
        Db::new(state.pool.clone())
    };
    let batching = Batching::driven();
    let who = (viewer, request_id.clone());
    request_data(&mut request.data, &state, db.clone(), who, client, user_agent, &batching);
    let span = tracing::info_span!("graphql", operation = name.as_deref().unwrap_or("anonymous"));
    let mut response = batching.run(state.schema.execute(request)).instrument(span).await;
    attach_request_id(&mut response, &request_id);
    let statements = db.statements();
    if state.debug_sql_count {
        let count = u64::try_from(statements).unwrap_or(u64::MAX);
        response.extensions.insert("sqlStatements".to_owned(), async_graphql::Value::from(count));
    }
    let outcome = if over_http::is_request_error(&response) {
        Outcome::Refused
    } else if response.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Error
    };
    let elapsed = started.elapsed();
    state.metrics.record(name.as_deref(), outcome, elapsed, statements);
    if elapsed >= state.slow_operation {
        tracing::warn!(
            operation = name.as_deref().unwrap_or("anonymous"),
            request_id = request_id.as_str(),
            elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            sql_statements = statements,
            "slow GraphQL operation"
        );
    }
    let mut http = over_http::respond(media, &response);
    if routing && kind == Some(OperationType::Mutation) {
        remember_write(&state, session, &mut http).await;
    }
    http
}

/// The header that carries read-your-writes across processes: a mutation's
/// response names the WAL position its writes ended at, and a client that
/// sends it back on later requests reads from a replica only once that
/// replica has replayed past it (whichever careergraph process serves it).
pub const READ_AFTER: &str = "careergraph-read-after";

/// A query's database: a replica that has replayed what this viewer last
/// wrote (by this process's memory of the session, or the position the
/// client sent back), else the primary.
pub(super) fn reading_db(state: &AppState, headers: &HeaderMap, session: Option<uuid::Uuid>) -> Db {
    // A position that does not parse cannot be honoured by any replica.
    let sent = headers
        .get(READ_AFTER)
        .map(|value| value.to_str().ok().and_then(|v| v.trim().parse().ok()).unwrap_or(u64::MAX));
    let remembered = session.and_then(|session| state.replicas.written().of(session));
    let position = sent.into_iter().chain(remembered).max().unwrap_or(0);
    state.replicas.reading(&Db::new(state.pool.clone()), position)
}

/// After a mutation: where the primary's WAL is now (past the mutation's
/// commit), remembered for the session and sent in [`READ_AFTER`].
async fn remember_write(state: &AppState, session: Option<uuid::Uuid>, http: &mut Response) {
    match crate::db::replicas::primary_position(&state.pool).await {
        Ok(position) => {
            if let Some(session) = session {
                state.replicas.written().record(session, position);
            }
            http.headers_mut().insert(READ_AFTER, axum::http::HeaderValue::from(position));
        }
        // Without a position this viewer's next reads may be stale on a
        // replica for up to --replica-max-lag; the mutation itself stands.
        Err(error) => tracing::warn!(error, "could not read the primary's WAL position after a mutation"),
    }
}

/// The operation `request` selects, its document put in the request's data
/// from the schema's parsed documents. None when the document does not parse or
/// names no such operation: execution then reports why.
fn preparse(state: &AppState, request: &mut async_graphql::Request) -> Option<(Option<String>, OperationType)> {
    let documents = state.schema.data::<Arc<ParsedDocuments>>()?;
    let document = documents.parse(&request.query).ok()?;
    let operation = over_http::selected_operation(&document, request.operation_name.as_deref());
    request.data.insert(AlreadyParsed::new(document));
    operation
}

/// `GET /graphql`: a WebSocket upgrade for subscriptions
/// (graphql-transport-ws), else a query over HTTP.
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let upgrading = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    if !upgrading {
        return execute.call(request, state).await;
    }
    let (mut parts, _) = request.into_parts();
    let protocol = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|name| name.trim().parse::<WebSocketProtocols>().ok()));
    let Some(protocol) = protocol else {
        return (axum::http::StatusCode::BAD_REQUEST, "Offer the graphql-transport-ws subprotocol").into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let request_id = parts.extensions.get::<RequestId>().cloned();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| super::client_address::client_address(info.0.ip(), &parts.headers, &state.trusted_proxies));
    // A message is held whole before it is parsed: the same bound as a body.
    let upgrade = upgrade.max_message_size(state.max_message_bytes).max_frame_size(state.max_message_bytes);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| super::socket::serve(state, socket, protocol, request_id, peer))
}

/// Fills `data` with what every resolver reads (the request's context: a
/// statement-counting database handle, the viewer, the request id; and
/// fresh loaders batching as `batching` says), and returns the database
/// handle, for its statement count.
pub(super) fn request_data(
    data: &mut async_graphql::Data,
    state: &AppState,
    db: Db,
    (viewer, request_id): (Viewer, RequestId),
    client_address: std::net::IpAddr,
    user_agent: Option<String>,
    batching: &Batching,
) {
    let context = RequestContext { db, request_id, viewer, auth: state.auth.clone(), client_address, user_agent };
    crate::schema::request_data(data, context, batching);
}

/// Anonymous without an `Authorization` header; otherwise the bearer token
/// must verify, or the viewer is `Rejected`.
pub(super) fn viewer_from(headers: &HeaderMap, state: &AppState) -> Viewer {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Viewer::Anonymous };
    match value.to_str().ok().and_then(bearer) {
        Some(token) => verified(state, token),
        None => Viewer::Rejected(crate::auth::tokens::TokenError::Invalid),
    }
}

/// The token of a `Bearer <token>` credential.
pub(super) fn bearer(credential: &str) -> Option<&str> {
    credential.strip_prefix("Bearer ").or_else(|| credential.strip_prefix("bearer "))
}

/// The viewer an access token names, or why it is refused.
fn verified(state: &AppState, token: &str) -> Viewer {
    match claims_of(state, token) {
        Ok(claims) => viewer_of(&claims),
        Err(reason) => Viewer::Rejected(reason),
    }
}

/// What a verified access token asserts.
pub(super) fn claims_of(
    state: &AppState,
    token: &str,
) -> Result<crate::auth::tokens::Claims, crate::auth::tokens::TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(crate::auth::tokens::TokenError::Invalid);
    }
    state.auth.tokens.verify(token)
}

/// The viewer a verified token's claims name.
pub(super) fn viewer_of(claims: &crate::auth::tokens::Claims) -> Viewer {
    Viewer::SignedIn(SignedIn { user_id: claims.sub, role: claims.role, session_id: claims.sid })
}
