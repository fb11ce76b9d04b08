//! Users: accounts, sessions and the account-care flows (verification,
//! password reset). Who may read which user is decided in the SQL here.

mod accounts;
mod admin;
mod graphql;
mod loaders;
mod one_time;
mod sessions;

pub use accounts::AccountMutations;
pub use admin::create_admin;
pub use graphql::{User, UserConnection, UserFilter, UserMutations, UserQuery};
pub use loaders::{Loaders, loaders};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::db::tables::users;
use crate::db::{CacheStatement, Db, OneOfKeys, Related};
use crate::graphql::ApiError;
use crate::graphql::pagination::{Page, TimeKey, TimeOrder};

/// A row of `users`, without the password hash (which is only ever read by
/// the login and password checks).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub headline: Option<String>,
    pub location: Option<String>,
    pub links: serde_json::Value,
    pub company_id: Option<Uuid>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::from_db(&self.role).unwrap_or(Role::Candidate)
    }
}

/// Users the viewer may see: themself; everyone who posted a public job in
/// careergraph (their public profile, as its poster); the candidates who
/// applied to the viewer's jobs and whoever submitted a scorecard on one of
/// those applications (a fellow interviewer); anyone when the viewer is an
/// admin.
/// Deleted accounts are nobody's.
fn visible_to(viewer: &Viewer) -> users::BoxedQuery<'static, diesel::pg::Pg> {
    let live = users::table.filter(users::deleted_at.is_null()).into_boxed();
    let public_poster = diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM jobs WHERE jobs.posted_by_id = users.id AND jobs.source = 'careergraph'
                 AND jobs.status <> 'DRAFT' AND jobs.deleted_at IS NULL)",
    );
    match viewer.signed_in() {
        Some(me) if me.is_admin() => live,
        Some(me) => {
            // A recruiter sees the candidates who applied to their jobs.
            let my_applicant = diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM applications JOIN jobs ON jobs.id = applications.job_id
                         WHERE applications.user_id = users.id AND applications.applied_at IS NOT NULL
                           AND applications.deleted_at IS NULL AND jobs.source = 'careergraph'
                           AND jobs.posted_by_id = ",
            )
            .bind::<diesel::sql_types::Uuid, _>(me.user_id)
            .sql(")");
            let my_applicants_interviewer = diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM scorecards JOIN applications ON applications.id = scorecards.application_id
                         JOIN jobs ON jobs.id = applications.job_id
                         WHERE scorecards.interviewer_id = users.id AND scorecards.submitted_at IS NOT NULL
                           AND applications.deleted_at IS NULL AND jobs.source = 'careergraph'
                           AND jobs.posted_by_id = ",
            )
            .bind::<diesel::sql_types::Uuid, _>(me.user_id)
            .sql(")");
            live.filter(users::id.eq(me.user_id).or(public_poster).or(my_applicant).or(my_applicants_interviewer))
        }
        None => live.filter(public_poster),
    }
}

/// The user whose id is the parent statement's `id_column` (e.g.
/// `"jobs.posted_by_id"`), as the viewer may see them, read in that statement
/// (see `db::Related`): the same rows [`UserLoader`] would give.
pub fn related(viewer: &Viewer, id_column: &'static str) -> Related<UserRow> {
    Related::of(visible_to(viewer).filter(user_at(id_column)).select(UserRow::as_select()))
}

/// The live user whose id is the parent statement's `id_column`, read in
/// that statement (see `db::Related`), for a parent whose own visibility
/// already shows the viewer may see that user (an application's applicant:
/// the viewer sent it, or it was sent to their job, which is what
/// [`visible_to`] asks). Writing the rule again would make PostgreSQL test
/// it once per parent row, where the batch [`UserLoader`] tests it for the
/// set of ids at once.
pub fn related_live(id_column: &'static str) -> Related<UserRow> {
    Related::of(
        users::table.filter(users::deleted_at.is_null()).filter(user_at(id_column)).select(UserRow::as_select()),
    )
}

/// `users.id = <id_column>`: ties a related user to its parent's row.
fn user_at(id_column: &str) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(&format!("users.id = {id_column}"))
}

/// Loads users by id, returning only those the viewer may see.
pub struct UserLoader {
    db: Db,
    viewer: Viewer,
}

impl UserLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for UserLoader {
    type Value = UserRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, UserRow>, ApiError> {
        let mut conn = self.db.conn().await?;
        let rows = visible_to(&self.viewer)
            .filter(users::id.one_of(keys))
            .select(UserRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Live users matching `filter`, for one page read in the page's direction.
pub(crate) async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    page: &Page<TimeKey>,
) -> Result<Vec<UserRow>, diesel::result::Error> {
    let mut query = filtered(filter);
    for condition in page.conditions("users.created_at, users.id", TimeOrder::NewestFirst) {
        query = query.filter(condition);
    }
    query = if page.reads_newest_first(TimeOrder::NewestFirst) {
        query.order((users::created_at.desc(), users::id.desc()))
    } else {
        query.order((users::created_at.asc(), users::id.asc()))
    };
    query.limit(page.fetch_limit()).select(UserRow::as_select()).load(conn).await
}

/// How many live users match `filter`.
pub(crate) async fn count(conn: &mut AsyncPgConnection, filter: &UserFilter) -> Result<i64, diesel::result::Error> {
    filtered(filter).count().get_result(conn).await
}

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = users::table.filter(users::deleted_at.is_null()).into_boxed();
    if let Some(email) = &filter.email {
        query = query.filter(users::email.eq(normalize_email(email)));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_db()));
    }
    query
}

/// What a password check needs about a live account.
#[derive(Queryable)]
pub(crate) struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
}

pub(crate) async fn credentials_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<Credentials>, diesel::result::Error> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::deleted_at.is_null())
        .select((users::id, users::password_hash))
        .first(conn)
        .await
        .optional()
}

pub(crate) async fn credentials_by_id(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Credentials>, diesel::result::Error> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::deleted_at.is_null())
        .select((users::id, users::password_hash))
        .first(conn)
        .await
        .optional()
}

/// Trimmed and lower-cased: the form emails are stored and compared in.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Why an (already normalised) email is refused, if it is.
pub fn check_email(email: &str) -> Result<(), &'static str> {
    let Some((local, domain)) = email.split_once('@') else {
        return Err("Enter an email address like name@example.com");
    };
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace);
    if !plausible {
        return Err("Enter an email address like name@example.com");
    }
    if email.len() > 320 {
        return Err("An email address is at most 320 characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
        assert!(check_email("ada@example.com").is_ok());
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.com", "ada@.com"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
