//! The `User` type, `viewer`, and editing one's own profile.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::UserRow;
use super::loaders;
use crate::applications::{ApplicationConnection, ApplicationFilter, ApplicationOrder, Owner, application_page};
use crate::auth::{Role, Viewer};
use crate::companies::Company;
use crate::context::request;
use crate::db::tables::users;
use crate::graphql::link::{Link, LinkInput, links_from_json};
use crate::graphql::pagination::{PageArgs, TimeKey, TotalCount};
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, UserError, ids};
use crate::jobs::{JobBookmarkConnection, JobBookmarkFilter, bookmark_page};
use crate::profile::{Certification, Education, Project, Skill, WorkExperience};
use crate::resumes::{ResumeConnection, resume_page};

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
    fn is_viewer(&self, ctx: &Context<'_>) -> bool {
        request(ctx).viewer.signed_in().is_some_and(|me| me.user_id == self.row.id)
    }

    /// The user as they see themself (e.g. in the session they just started).
    pub fn own(row: UserRow) -> Self {
        Self { row, shows_private: true }
    }
}

/// A person with an account: a candidate, a recruiter or an admin. Users see
/// themselves; admins see everyone.
#[Object]
impl User {
    /// Globally unique, opaque identifier; `node(id:)` fetches the user again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.row.id)
    }

    /// The account's email address. Only the user and admins see it; null
    /// for everyone else.
    async fn email(&self) -> Option<&str> {
        self.shows_private.then_some(self.row.email.as_str())
    }

    /// The name the user goes by.
    async fn full_name(&self) -> &str {
        &self.row.full_name
    }

    /// What the user may do.
    async fn role(&self) -> Role {
        self.row.role()
    }

    /// A one-line professional summary, e.g. "Backend engineer, Rust and PostgreSQL".
    async fn headline(&self) -> Option<&str> {
        self.row.headline.as_deref()
    }

    /// Where the user is based.
    async fn location(&self) -> Option<&str> {
        self.row.location.as_deref()
    }

    /// The user's links (portfolio, GitHub, LinkedIn, …), in their order.
    async fn links(&self) -> Vec<Link> {
        links_from_json(&self.row.links)
    }

    /// Whether the user proved they own their email address.
    async fn email_verified(&self) -> bool {
        self.row.email_verified_at.is_some()
    }

    /// When the email address was verified.
    async fn email_verified_at(&self) -> Option<DateTime> {
        self.row.email_verified_at.map(DateTime)
    }

    /// The company a recruiter hires for.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>, ApiError> {
        let Some(id) = self.row.company_id else { return Ok(None) };
        Ok(crate::companies::loaders(ctx).companies.load_one(id).await?.map(Company))
    }

    /// The roles on the user's profile, in their order.
    async fn experiences(&self, ctx: &Context<'_>) -> Result<Vec<WorkExperience>, ApiError> {
        let rows = crate::profile::loaders(ctx).experiences_by_user.load_one(self.row.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(WorkExperience).collect())
    }

    /// The education entries on the user's profile, in their order.
    async fn educations(&self, ctx: &Context<'_>) -> Result<Vec<Education>, ApiError> {
        let rows = crate::profile::loaders(ctx).educations_by_user.load_one(self.row.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Education).collect())
    }

    /// The certifications on the user's profile, in their order.
    async fn certifications(&self, ctx: &Context<'_>) -> Result<Vec<Certification>, ApiError> {
        let rows = crate::profile::loaders(ctx).certifications_by_user.load_one(self.row.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Certification).collect())
    }

    /// The skills on the user's profile, in their order.
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>, ApiError> {
        let rows = crate::profile::loaders(ctx).skills_by_user.load_one(self.row.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Skill).collect())
    }

    /// The projects on the user's profile, in their order.
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>, ApiError> {
        let rows = crate::profile::loaders(ctx).projects_by_user.load_one(self.row.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Project).collect())
    }

    /// The user's applications, newest first unless `orderBy` says
    /// otherwise; only the user sees them (null for everyone else).
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ApplicationFilter>,
        #[graphql(desc = "The order; by default newest first (CREATED_AT, DESC).")] order_by: Option<ApplicationOrder>,
        #[graphql(desc = "Returns the first n applications after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns applications after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n applications before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns applications before this cursor.")] before: Option<String>,
    ) -> Result<Option<ApplicationConnection>, ApiError> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let args = PageArgs { first, after, last, before };
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        Ok(Some(application_page(ctx, Owner::Applicant(self.row.id), filter, order, args).await?))
    }

    /// The user's resumes, newest first; only the user sees them (null for
    /// everyone else).
    async fn resumes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include archived resumes.", default)] include_archived: bool,
        #[graphql(desc = "Returns the first n resumes after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns resumes after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n resumes before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns resumes before this cursor.")] before: Option<String>,
    ) -> Result<Option<ResumeConnection>, ApiError> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let args = PageArgs { first, after, last, before };
        Ok(Some(resume_page(ctx, self.row.id, include_archived, args).await?))
    }

    /// The user's job bookmarks, newest first; only the user sees them (null
    /// for everyone else).
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn bookmarks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<JobBookmarkFilter>,
        #[graphql(desc = "Returns the first n bookmarks after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns bookmarks after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n bookmarks before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns bookmarks before this cursor.")] before: Option<String>,
    ) -> Result<Option<JobBookmarkConnection>, ApiError> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let args = PageArgs { first, after, last, before };
        Ok(Some(bookmark_page(ctx, self.row.id, filter.unwrap_or_default(), args).await?))
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// When the account's details last changed.
    async fn updated_at(&self) -> DateTime {
        self.row.updated_at.into()
    }
}

crate::connection!(
    UserConnection,
    UserEdge,
    User,
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
        let (edges, page_info) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
        let db = request.db.clone();
        let total_count = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move {
                let mut conn = db.conn().await?;
                Ok(super::count(&mut conn, &filter).await?)
            }
        });
        let viewer = request.viewer;
        let edges = edges.into_iter().map(|(cursor, row)| (cursor, User::seen_by(row, &viewer))).collect();
        Ok(UserConnection::new(edges, page_info, total_count))
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
