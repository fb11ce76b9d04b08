//! What the download routes (exports, documents) answer alike: errors as
//! the JSON every route answers with, and file names.

use axum::http::StatusCode;
use axum::response::Response;

use super::RequestId;
use super::middleware::error_response;
use crate::graphql::{ApiError, ErrorCode};

/// An error as the JSON every other route answers with, its status from
/// its code. Internal details are logged, never sent.
pub(super) fn refusal(error: ApiError, request_id: &RequestId) -> Response {
    let (code, message) = match &error {
        ApiError::Public { code, message } => (*code, message.clone()),
        ApiError::Internal(detail) => {
            tracing::error!(request_id = request_id.as_str(), error = %detail, "an export failed");
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

/// `Content-Disposition` for a download saved as `file_name`: an ASCII
/// `filename` for old clients (other characters become `_`) and the exact
/// name, percent-encoded UTF-8, in `filename*` (RFC 6266).
pub(super) fn content_disposition(file_name: &str) -> String {
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
