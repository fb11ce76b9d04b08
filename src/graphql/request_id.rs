//! The id of one request (or WebSocket connection), carried by logs, error
//! extensions and the `x-request-id` header. It lives with the conventions
//! because errors carry it; the HTTP layer assigns it.

use std::sync::Arc;

/// Identifies one request in logs, in error extensions and in the
/// `x-request-id` response header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string().into())
    }

    /// A caller's id is kept when it is 1–128 characters of letters, digits
    /// and `-_.:`; anything else could forge log lines, so it is replaced.
    pub fn from_caller(value: &str) -> Option<Self> {
        let valid = !value.is_empty()
            && value.len() <= 128
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        valid.then(|| Self(value.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
