//! Who is asking: the viewer every request carries into the resolvers and
//! the queries that load rows.

use async_graphql::Enum;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tokens::TokenError;
use crate::graphql::{ApiError, ErrorCode, db_enum};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// A job seeker: keeps a profile, resumes and applications.
    Candidate,
    /// Posts jobs and moves their applicants through the pipeline.
    Recruiter,
    /// Operates the platform: may list and look up every user.
    Admin,
}

impl Role {
    /// The value stored in `users.role`.
    pub fn as_db(self) -> &'static str {
        db_enum::to_db(self)
    }

    pub fn from_db(value: &str) -> Option<Self> {
        db_enum::from_db(value)
    }
}

/// A signed-in user, as proven by a valid access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: Uuid,
    pub role: Role,
    /// The refresh-token family (session) the access token came from.
    pub session_id: Uuid,
}

impl SignedIn {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The viewer of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// No `Authorization` header.
    Anonymous,
    SignedIn(SignedIn),
    /// A token was presented and refused. Never treated as anonymous: the
    /// request fails with UNAUTHENTICATED (see [`super::AuthGate`]).
    Rejected(TokenError),
}

impl Viewer {
    pub fn signed_in(&self) -> Option<&SignedIn> {
        match self {
            Self::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// The signed-in user, or the UNAUTHENTICATED error to return.
    pub fn require(&self) -> Result<&SignedIn, ApiError> {
        match self {
            Self::SignedIn(user) => Ok(user),
            Self::Anonymous => Err(ApiError::new(ErrorCode::Unauthenticated, "Sign in to do this")),
            Self::Rejected(reason) => Err(ApiError::new(ErrorCode::Unauthenticated, reason.message())),
        }
    }
}
