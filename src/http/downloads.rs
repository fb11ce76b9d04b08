//! What the download routes (exports, documents) answer alike: private
//! responses with their headers, errors as the JSON every route answers
//! with, and file names.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::RequestId;
use super::middleware::error_response;
use crate::graphql::{ApiError, ErrorCode};

/// An error as the JSON every other route answers with, its status from
/// its code. Internal details are logged, never sent.
pub(super) fn refusal(error: ApiError, request_id: &RequestId) -> Response {
    let (code, message) = match &error {
        ApiError::Public { code, message } => (*code, message.clone()),
        ApiError::Internal(detail) => {
            tracing::error!(request_id = request_id.as_str(), error = %detail, "a download failed");
            (ErrorCode::InternalServerError, "Internal server error".to_owned())
        }
    };
    let status = match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let response = error_response(status, code, &message, Some(request_id));
    if status == StatusCode::SERVICE_UNAVAILABLE { super::over_http::unavailable(response) } else { response }
}

/// How a private download is served; see [`private`].
pub(super) struct Served<'a> {
    pub content_type: &'a str,
    /// `private, no-cache` for documents (revalidated by `etag`), `private,
    /// no-store` for exports.
    pub cache_control: &'static str,
    pub etag: Option<&'a str>,
    /// Saved under this name (`Content-Disposition: attachment`).
    pub file_name: Option<&'a str>,
    /// What the content may load or run, for kinds a browser renders.
    pub policy: Option<&'static str>,
}

/// A 200 carrying `body` for one viewer's eyes, never sniffed into another type.
pub(super) fn private(body: impl Into<Body>, served: &Served<'_>) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(served.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(served.cache_control));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(policy) = served.policy {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    if let Some(value) = served.etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
        headers.insert(header::ETAG, value);
    }
    if let Some(value) = served.file_name.and_then(|name| HeaderValue::from_str(&content_disposition(name)).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `Content-Disposition` for a download saved as `file_name`: an ASCII
/// `filename` for old clients (other characters become `_`) and the exact
/// name, percent-encoded UTF-8, in `filename*` (RFC 6266).
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_survive_for_every_client() {
        assert_eq!(
            content_disposition("Zoë Ŝmith resume v2.pdf"),
            "attachment; filename=\"Zo_ _mith resume v2.pdf\"; filename*=UTF-8''Zo%C3%AB%20%C5%9Cmith%20resume%20v2.pdf"
        );
        assert!(content_disposition("a\"b\r\n.pdf").starts_with("attachment; filename=\"a_b__.pdf\""));
    }
}
