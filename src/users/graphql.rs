//! The `User` type, `viewer`, and editing one's own profile. User's GraphQL
//! fields reach into domains above `users`, so its object is assembled in
//! the roof (`crate::schema`'s `user` module).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::UserRow;
use super::loaders;
use crate::auth::{Role, Viewer};
use crate::context::request;
use crate::db::tables::users;
use crate::graphql::link::LinkInput;
use crate::graphql::pagination::{PageArgs, TimeKey, TotalCount};
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, UserError};

/// A user row as one viewer sees it.
pub struct User {
    row: UserRow,
    /// Whether private fields (email) are shown: to the user and to admins.
    shows_private: bool,
}

impl User {
    pub const TYPE_NAME: &'static str = "User";

    /// The user as `viewer` sees them.
    pub fn seen_by(row: UserRow, viewer: &Viewer) -> Self {
        let shows_private = viewer.signed_in().is_some_and(|me| me.user_id == row.id || me.is_admin());
        Self { row, shows_private }
    }

    /// Whether this user is the one signed in.
    pub fn is_viewer(&self, ctx: &Context<'_>) -> bool {
        request(ctx).viewer.signed_in().is_some_and(|me| me.user_id == self.row.id)
    }

    /// The user as they see themself (e.g. in the session they just started).
    pub fn own(row: UserRow) -> Self {
        Self { row, shows_private: true }
    }

    /// The stored row.
    pub fn row(&self) -> &UserRow {
        &self.row
    }

    /// Whether the viewer may see the user's private fields (email).
    pub fn shows_private(&self) -> bool {
        self.shows_private
    }
}

crate::connection!(
    UserConnection,
    UserEdge,
    User,
    TimeKey,
    "A page of users, newest account first.",
    "A user in a `UserConnection`, with its cursor."
);

/// Narrows the list of users.
#[derive(Debug, Clone, Default, InputObject)]
pub struct UserFilter {
    /// Only the account with this email address (any case).
    pub email: Option<String>,
    /// Only users with this role.
    pub role: Option<Role>,
}

/// Queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user; null when the request carries no access token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(me) = request(ctx).viewer.signed_in() else { return Ok(None) };
        Ok(loaders(ctx).users.load_one(me.user_id).await?.map(User::own))
    }

    /// Every live account, newest first. Admins only: anyone else gets FORBIDDEN.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilter>,
        #[graphql(desc = "Returns the first n users after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns users after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n users before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns users before this cursor.")] before: Option<String>,
    ) -> Result<UserConnection, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        if !me.is_admin() {
            return Err(ApiError::new(ErrorCode::Forbidden, "Only admins can list users"));
        }
        let page = PageArgs { first, after, last, before }.page::<TimeKey>()?;
        let filter = filter.unwrap_or_default();
        let mut conn = request.db.conn().await?;
        let rows = super::list(&mut conn, &filter, &page).await?;
        let (edges, more) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
        let db = request.db.clone();
        let total_count = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move {
                let mut conn = db.conn().await?;
                Ok(super::count(&mut conn, &filter).await?)
            }
        });
        let viewer = request.viewer;
        let edges = edges.into_iter().map(|(key, row)| (key, User::seen_by(row, &viewer))).collect();
        Ok(UserConnection::new(edges, more, total_count))
    }
}

/// Changes to the signed-in user's own profile. Omitted fields stay as they
/// are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateViewerInput {
    /// The name to go by (1–200 characters).
    pub full_name: Option<String>,
    /// A one-line professional summary (at most 300 characters).
    pub headline: MaybeUndefined<String>,
    /// Where the user is based (at most 200 characters).
    pub location: MaybeUndefined<String>,
    /// Replaces all links (at most 20).
    pub links: Option<Vec<LinkInput>>,
}

/// The result of `updateViewer`.
#[derive(SimpleObject)]
pub struct UpdateViewerPayload {
    /// The updated user; null when nothing was saved.
    pub user: Option<User>,
    /// Why nothing was saved, when the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations on the signed-in user's profile.
#[derive(Default)]
pub struct UserMutations;

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct ProfileChanges {
    full_name: Option<String>,
    headline: Option<Option<String>>,
    location: Option<Option<String>>,
    links: Option<serde_json::Value>,
}

#[Object]
impl UserMutations {
    /// Updates the signed-in user's name, headline, location and links.
    async fn update_viewer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateViewerInput,
    ) -> Result<UpdateViewerPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let mut changes = ProfileChanges::default();
        if let Some(name) = input.full_name {
            changes.full_name = checks.text("fullName", &name, 200, true);
        }
        changes.headline = checks.change_text("headline", input.headline, 300);
        changes.location = checks.change_text("location", input.location, 200);
        if let Some(links) = input.links {
            changes.links = checks.links("links", links);
        }
        if !checks.is_ok() {
            return Ok(UpdateViewerPayload { user: None, user_errors: checks.errors });
        }
        let mut conn = request.db.conn().await?;
        let row = if changes.is_empty() {
            users::table.find(me.user_id).select(UserRow::as_select()).first(&mut conn).await?
        } else {
            diesel::update(users::table.find(me.user_id))
                .set((&changes, users::updated_at.eq(Utc::now())))
                .returning(UserRow::as_returning())
                .get_result(&mut conn)
                .await?
        };
        Ok(UpdateViewerPayload { user: Some(User::own(row)), user_errors: Vec::new() })
    }
}

impl ProfileChanges {
    fn is_empty(&self) -> bool {
        self.full_name.is_none() && self.headline.is_none() && self.location.is_none() && self.links.is_none()
    }
}
