//! The error conventions of the API.
//!
//! Problems a user can fix inside a mutation are `userErrors` in its payload.
//! Everything else is a top-level GraphQL error whose `extensions.code` is one
//! of [`ErrorCode`]. Internal failures are logged with the request id and
//! reach the client only as INTERNAL_SERVER_ERROR plus that request id.

use std::fmt;
use std::sync::{Arc, Mutex};

use async_graphql::{Response, ServerError, ServerResult, Value};

use super::RequestId;
use super::budget::is_budget_error;

/// The `extensions.code` values clients can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    RateLimited,
    QueryTooComplex,
    PersistedQueryNotFound,
    /// The database is unreachable or the server is overloaded: retry later
    /// (HTTP 503 with `Retry-After`).
    ServiceUnavailable,
    InternalServerError,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::RateLimited => "RATE_LIMITED",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a resolver returns. `?` turns it into a GraphQL error; the
/// [`ErrorConventions`] extension then attaches its code (or masks it).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Safe to show: the message is written for the client.
    #[error("{message}")]
    Public { code: ErrorCode, message: String },
    /// Never shown: logged with the request id.
    #[error("internal server error")]
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Public { code, message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn bad_user_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Arc::new(source))
    }

    /// The database could not be reached (an outage, not a bug): logged as
    /// a warning, answered SERVICE_UNAVAILABLE without the cause.
    pub fn unavailable(cause: &dyn fmt::Display) -> Self {
        tracing::warn!(error = %cause, "the database is unavailable");
        Self::new(ErrorCode::ServiceUnavailable, UNAVAILABLE_MESSAGE)
    }
}

/// What a client reads when the database cannot be reached.
pub const UNAVAILABLE_MESSAGE: &str = "The service is temporarily unavailable; retry shortly";

/// Whether `err` says the connection, not the statement, failed: the link
/// is gone, the backend was terminated, or the server cannot take
/// connections now. PostgreSQL's SQLSTATE is not exposed through diesel, so
/// the server's messages for classes 08, 53300 and 57 are matched.
fn lost_connection(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    const OUTAGES: [&str; 5] = [
        "terminating connection",
        "the database system is",
        "too many clients",
        "canceling statement due to",
        "connection to server",
    ];
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            OUTAGES.iter().any(|phrase| info.message().contains(phrase))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

impl From<diesel::result::Error> for ApiError {
    /// A statement PostgreSQL refused for the data it was given (a CHECK,
    /// a value out of range or too long) is the client's to fix, even when
    /// no input check caught it first: BAD_USER_INPUT, logged as a warning
    /// (a check to add), never internal. Everything else is internal.
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if lost_connection(&err) {
            return Self::unavailable(&err);
        }
        const DATA_EXCEPTIONS: [&str; 5] =
            ["invalid byte sequence", "out of range", "value too long", "too long for tsvector", "too long to be"];
        if let Error::DatabaseError(kind, info) = &err {
            let refused_data = matches!(kind, DatabaseErrorKind::CheckViolation)
                || (matches!(kind, DatabaseErrorKind::Unknown)
                    && DATA_EXCEPTIONS.iter().any(|phrase| info.message().contains(phrase)));
            if refused_data {
                tracing::warn!(
                    constraint = info.constraint_name(),
                    error = info.message(),
                    "the database refused a value no input check caught"
                );
                return Self::bad_user_input("A value is too long, out of range or not allowed for its field");
            }
        }
        Self::internal(err)
    }
}

impl From<crate::db::CheckoutError> for ApiError {
    /// No connection within the checkout bound, or none could be made: an
    /// outage. A closed pool or a missing runtime is our own bug.
    fn from(err: crate::db::CheckoutError) -> Self {
        use deadpool::managed::PoolError;
        match err {
            PoolError::Timeout(_) | PoolError::Backend(_) => Self::unavailable(&err),
            _ => Self::internal(err),
        }
    }
}

/// Gives every error in a response an `extensions.code`, keeps internal
/// details on the server, and makes a failed nullable field `null`.
///
/// async-graphql 7 leaves a failed field out of its parent object (and an
/// object left empty becomes `null`), where the GraphQL specification wants
/// a failed nullable field to be `null` beside its siblings: clients
/// generated from the schema treat a missing field as malformed. So a
/// nullable field's error is set aside, the field answers `null`, and the
/// error joins the response's errors at the end.
///
/// The schema's request pipeline applies them: [`RequestErrors::settle`]
/// on each field's outcome, [`RequestErrors::finish`] on the response.
#[derive(Default, Clone)]
pub struct RequestErrors {
    /// Errors of nullable fields that answered `null`.
    set_aside: Arc<Mutex<Vec<ServerError>>>,
}

/// Adds the errors set aside so far to `response` and gives every error its
/// code (and, when given, the request id).
fn finish(response: &mut Response, set_aside: &Mutex<Vec<ServerError>>, request_id: Option<&RequestId>) {
    let set_aside = std::mem::take(&mut *set_aside.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    response.errors.extend(set_aside);
    super::budget::keep_first_budget_error(&mut response.errors);
    for error in &mut response.errors {
        apply_conventions(error);
    }
    if let Some(request_id) = request_id {
        attach_request_id(response, request_id);
    }
}

impl RequestErrors {
    /// A field's outcome as the response has it: a nullable field's error
    /// is set aside and the field answers `null`.
    pub fn settle(&self, nullable: bool, outcome: ServerResult<Option<Value>>) -> ServerResult<Option<Value>> {
        match outcome {
            Err(error) if nullable => {
                let mut set_aside = self.set_aside.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                // Once the output budget is spent every field fails with it;
                // one report is enough, and memory stays bounded.
                if !(is_budget_error(&error) && set_aside.iter().any(is_budget_error)) {
                    set_aside.push(error);
                }
                Ok(Some(Value::Null))
            }
            outcome => outcome,
        }
    }

    /// Adds the errors set aside to the response and gives every error its
    /// code. Over HTTP the handler adds the request id once the response is
    /// back (query data is not visible here when the document fails to
    /// parse); a subscription's events get their connection's id here.
    pub fn finish(&self, response: &mut Response, request_id: Option<&RequestId>) {
        finish(response, &self.set_aside, request_id);
    }
}

/// Adds the request id to every error so a user's report can be matched to
/// the server's logs (which carry it on the request span).
pub fn attach_request_id(response: &mut Response, request_id: &RequestId) {
    for error in &mut response.errors {
        error.extensions.get_or_insert_with(Default::default).set("requestId", Value::from(request_id.as_str()));
    }
}

fn apply_conventions(error: &mut ServerError) {
    let code = match error.source::<ApiError>() {
        Some(ApiError::Public { code, .. }) => *code,
        Some(ApiError::Internal(source)) => {
            tracing::error!(path = ?error.path, error = %source, "internal error");
            mask(error);
            ErrorCode::InternalServerError
        }
        // Any other source is an error that reached `?` without being
        // classified: treat it as internal rather than leak its text.
        None if error.source.is_some() => {
            tracing::error!(path = ?error.path, error = %error.message, "unclassified error");
            mask(error);
            ErrorCode::InternalServerError
        }
        // No source: raised by async-graphql itself for a bad document,
        // bad variables or a bad argument, or already carrying its code.
        None => match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
            Some(_) => return,
            None => ErrorCode::BadUserInput,
        },
    };
    error.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
}

fn mask(error: &mut ServerError) {
    error.message = "Internal server error; quote the request id when reporting it".to_owned();
    error.source = None;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn refused(kind: DatabaseErrorKind, message: &str) -> ApiError {
        ApiError::from(Error::DatabaseError(kind, Box::new(message.to_owned())))
    }

    #[test]
    fn data_the_database_refuses_is_the_clients_to_fix_and_nothing_else_is() {
        let public = |error: ApiError| match error {
            ApiError::Public { code, message } => Some((code, message)),
            ApiError::Internal(_) => None,
        };
        let check = public(refused(
            DatabaseErrorKind::CheckViolation,
            "new row violates check constraint \"jobs_title_check\"",
        ));
        let (code, message) = check.expect("a CHECK violation is public");
        assert_eq!(code, ErrorCode::BadUserInput);
        assert!(!message.contains("jobs_title_check"), "no internal names leak: {message}");
        let nul = refused(DatabaseErrorKind::Unknown, "invalid byte sequence for encoding \"UTF8\": 0x00");
        assert_eq!(public(nul).map(|(code, _)| code), Some(ErrorCode::BadUserInput));
        // Our own mistakes stay internal.
        assert!(public(refused(DatabaseErrorKind::Unknown, "column \"nope\" does not exist")).is_none());
        assert!(public(refused(DatabaseErrorKind::ForeignKeyViolation, "violates foreign key")).is_none());
        assert!(public(ApiError::from(Error::NotFound)).is_none());
        // A lost connection is an outage: retry later, no details.
        for (kind, message) in [
            (DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            (DatabaseErrorKind::ClosedConnection, "server closed the connection unexpectedly"),
            (DatabaseErrorKind::Unknown, "terminating connection due to administrator command"),
            (DatabaseErrorKind::Unknown, "the database system is shutting down"),
        ] {
            let (code, message) = public(refused(kind, message)).expect("an outage is public");
            assert_eq!((code, message.as_str()), (ErrorCode::ServiceUnavailable, UNAVAILABLE_MESSAGE));
        }
    }
}
