//! `userErrors`: problems with a mutation's input that the user can fix.

use async_graphql::{Enum, SimpleObject};

/// A problem with a mutation's input that the user can fix. Mutations return
/// these in their payload's `userErrors` instead of failing the request.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// The path to the input field at fault, e.g. `["input", "email"]`; null
    /// when the problem is not tied to one field.
    pub field: Option<Vec<String>>,
    /// What is wrong, written for the person using the app.
    pub message: String,
    /// What kind of problem it is, for code to branch on.
    pub code: UserErrorCode,
}

impl UserError {
    pub fn new(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        let field = (!field.is_empty()).then(|| field.iter().map(|part| (*part).to_owned()).collect());
        Self { field, message: message.into(), code }
    }
}

/// Kinds of `UserError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UserErrorCode {
    /// The value is malformed or not allowed.
    Invalid,
    /// A required value is empty.
    Blank,
    /// The value is shorter than allowed.
    TooShort,
    /// The value is longer than allowed.
    TooLong,
    /// The value must be unique and is already in use.
    Taken,
    /// The email and password do not match an account.
    InvalidCredentials,
    /// The password given to confirm the change is wrong.
    IncorrectPassword,
    /// The token is unknown, expired or already used.
    InvalidToken,
    /// The email address is already verified.
    AlreadyVerified,
    /// The application cannot move from its status to the one asked for.
    InvalidTransition,
    /// The job is a draft or closed.
    JobNotOpen,
    /// The viewer already has a live application for the job.
    AlreadyApplied,
}
