//! Request ids, the request timeout and the panic guard.

use std::any::Any;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::graphql::{ErrorCode, RequestId};

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Assigns the request id, runs the request inside a span that carries it,
/// and logs the outcome.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .and_then(RequestId::from_caller)
        .unwrap_or_else(RequestId::generate);
    request.extensions_mut().insert(id.clone());
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request done"
        );
    });
    response
}

/// Answers 503 SERVICE_UNAVAILABLE with a GraphQL-shaped error when a
/// request takes too long (a stalled database ends here too).
pub async fn timeout(limit: Duration, request: Request, next: Next) -> Response {
    let id = request.extensions().get::<RequestId>().cloned();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_secs = limit.as_secs(), "request timed out");
            super::over_http::unavailable(error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                &format!("The request did not finish within {}s and was stopped", limit.as_secs()),
                id.as_ref(),
            ))
        }
    }
}

/// Turns a panic into a masked 500 instead of a dropped connection.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "request handler panicked");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalServerError, "Internal server error", None)
}

pub(super) fn error_response(status: StatusCode, code: ErrorCode, message: &str, id: Option<&RequestId>) -> Response {
    let mut extensions = serde_json::json!({ "code": code.as_str() });
    if let Some(id) = id {
        extensions["requestId"] = id.as_str().into();
    }
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": extensions }] });
    (status, axum::Json(body)).into_response()
}
