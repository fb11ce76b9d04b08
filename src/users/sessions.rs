//! Sessions as families of opaque refresh tokens. Each refresh rotates the
//! token (the old one is marked used, a new one joins the family); presenting
//! a used token again means it was stolen or replayed, so the whole family is
//! revoked.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::secrets;
use crate::db::tables::refresh_tokens;

/// How long a refresh token is valid (each rotation starts a new period).
pub const REFRESH_TOKEN_TTL: Duration = Duration::days(30);
/// Marks careergraph refresh tokens, so secret scanners can recognise them.
const TOKEN_PREFIX: &str = "cgr_";

/// A refresh token just handed out.
pub struct Issued {
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub refresh_token: String,
}

/// Starts a new session for `user_id`.
pub async fn start(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    user_agent: Option<&str>,
) -> Result<Issued, diesel::result::Error> {
    insert(conn, user_id, Uuid::now_v7(), user_agent).await
}

async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    family_id: Uuid,
    user_agent: Option<&str>,
) -> Result<Issued, diesel::result::Error> {
    let refresh_token = format!("{TOKEN_PREFIX}{}", secrets::random_token(32));
    let now = Utc::now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::now_v7()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(secrets::digest(&refresh_token)),
            refresh_tokens::expires_at.eq(now + REFRESH_TOKEN_TTL),
            refresh_tokens::user_agent.eq(user_agent.map(|agent| truncate(agent, 512))),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(Issued { user_id, family_id, refresh_token })
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// What presenting a refresh token led to.
pub enum Refresh {
    /// The token was current: here is its successor.
    Rotated(Issued),
    /// The token had already been used: its family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

#[derive(Queryable)]
struct StoredToken {
    id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Rotates `presented`. The row is locked, so two concurrent refreshes with
/// one token cannot both succeed: the second counts as reuse.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    presented: &str,
    user_agent: Option<&str>,
) -> Result<Refresh, diesel::result::Error> {
    let digest = secrets::digest(presented);
    let user_agent = user_agent.map(str::to_owned);
    conn.transaction(async |conn| {
        let stored = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&digest))
            .select((
                refresh_tokens::id,
                refresh_tokens::user_id,
                refresh_tokens::family_id,
                refresh_tokens::expires_at,
                refresh_tokens::rotated_at,
                refresh_tokens::revoked_at,
            ))
            .for_update()
            .first::<StoredToken>(conn)
            .await
            .optional()?;
        let Some(stored) = stored else { return Ok(Refresh::Invalid) };
        if stored.revoked_at.is_some() || stored.expires_at <= Utc::now() {
            return Ok(Refresh::Invalid);
        }
        if stored.rotated_at.is_some() {
            revoke_family(conn, stored.family_id).await?;
            tracing::warn!(user_id = %stored.user_id, family_id = %stored.family_id, "refresh token reused: session revoked");
            return Ok(Refresh::Reused);
        }
        diesel::update(refresh_tokens::table.find(stored.id))
            .set(refresh_tokens::rotated_at.eq(Utc::now()))
            .execute(conn)
            .await?;
        let issued = insert(conn, stored.user_id, stored.family_id, user_agent.as_deref()).await?;
        Ok(Refresh::Rotated(issued))
    })
    .await
}

/// Revokes every live token of one session; returns how many.
pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> Result<usize, diesel::result::Error> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
        .await
}

/// Revokes every session of `user_id` but `keep` (the caller's own, when it
/// should survive); returns how many sessions ended.
pub async fn revoke_all(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<usize, diesel::result::Error> {
    let families: Vec<Uuid> = diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::family_id.ne(keep.unwrap_or(Uuid::nil())))
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .returning(refresh_tokens::family_id)
        .get_results(conn)
        .await?;
    let mut distinct = families;
    distinct.sort_unstable();
    distinct.dedup();
    Ok(distinct.len())
}
