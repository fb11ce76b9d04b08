//! Single-use tokens for email verification and password reset: random,
//! stored only as digests, expiring, and consumed at most once.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::secrets;
use crate::db::tables::one_time_tokens;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    EmailVerification,
    PasswordReset,
}

impl Purpose {
    fn as_db(self) -> &'static str {
        match self {
            Self::EmailVerification => "EMAIL_VERIFICATION",
            Self::PasswordReset => "PASSWORD_RESET",
        }
    }

    /// How long a token of this purpose stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::EmailVerification => Duration::hours(24),
            Self::PasswordReset => Duration::hours(1),
        }
    }
}

/// Creates a token for `user_id`; returns the raw token, which exists only
/// in the mail that carries it.
pub async fn create(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    purpose: Purpose,
) -> Result<String, diesel::result::Error> {
    let token = secrets::random_token(32);
    let now = Utc::now();
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(Uuid::now_v7()),
            one_time_tokens::user_id.eq(user_id),
            one_time_tokens::purpose.eq(purpose.as_db()),
            one_time_tokens::token_hash.eq(secrets::digest(&token)),
            one_time_tokens::expires_at.eq(now + purpose.lifetime()),
            one_time_tokens::created_at.eq(now),
            one_time_tokens::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Marks `token` used if it is a live token of `purpose`; returns its user.
/// The single UPDATE makes a token usable exactly once, even under races.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<Uuid>, diesel::result::Error> {
    diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::token_hash.eq(secrets::digest(token)))
        .filter(one_time_tokens::purpose.eq(purpose.as_db()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(Utc::now()))
        .set(one_time_tokens::used_at.eq(Utc::now()))
        .returning(one_time_tokens::user_id)
        .get_result(conn)
        .await
        .optional()
}
