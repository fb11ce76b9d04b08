//! The `User` object. Its fields reach into the domains above `users`
//! (a user's applications, resumes and bookmarks), so it is assembled here,
//! above every domain; the struct, who sees what, and the queries stay in
//! `users`.

use async_graphql::{Context, ID, Object};

use crate::applications::{ApplicationConnection, ApplicationFilter, ApplicationOrder, Owner, application_page};
use crate::auth::Role;
use crate::companies::Company;
use crate::graphql::link::{Link, links_from_json};
use crate::graphql::pagination::PageArgs;
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, ids};
use crate::jobs::{JobBookmarkConnection, JobBookmarkFilter, bookmark_page};
use crate::profile::{Certification, Education, Project, Skill, WorkExperience};
use crate::resumes::{ResumeConnection, resume_page};
use crate::users::User;

/// A person with an account: a candidate, a recruiter or an admin. Users see
/// themselves; admins see everyone.
#[Object]
impl User {
    /// Globally unique, opaque identifier; `node(id:)` fetches the user again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.row().id)
    }

    /// The account's email address. Only the user and admins see it; null
    /// for everyone else.
    async fn email(&self) -> Option<&str> {
        self.shows_private().then_some(self.row().email.as_str())
    }

    /// The name the user goes by.
    async fn full_name(&self) -> &str {
        &self.row().full_name
    }

    /// What the user may do.
    async fn role(&self) -> Role {
        self.row().role()
    }

    /// A one-line professional summary, e.g. "Backend engineer, Rust and PostgreSQL".
    async fn headline(&self) -> Option<&str> {
        self.row().headline.as_deref()
    }

    /// Where the user is based.
    async fn location(&self) -> Option<&str> {
        self.row().location.as_deref()
    }

    /// The user's links (portfolio, GitHub, LinkedIn, …), in their order.
    async fn links(&self) -> Vec<Link> {
        links_from_json(&self.row().links)
    }

    /// Whether the user proved they own their email address.
    async fn email_verified(&self) -> bool {
        self.row().email_verified_at.is_some()
    }

    /// When the email address was verified.
    async fn email_verified_at(&self) -> Option<DateTime> {
        self.row().email_verified_at.map(DateTime)
    }

    /// The company a recruiter hires for.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>, ApiError> {
        let Some(id) = self.row().company_id else { return Ok(None) };
        Ok(crate::companies::loaders(ctx).companies.load_one(id).await?.map(Company))
    }

    /// The roles on the user's profile, in their order.
    async fn experiences(&self, ctx: &Context<'_>) -> Result<Vec<WorkExperience>, ApiError> {
        let rows = crate::profile::loaders(ctx).experiences_by_user.load_one(self.row().id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(WorkExperience).collect())
    }

    /// The education entries on the user's profile, in their order.
    async fn educations(&self, ctx: &Context<'_>) -> Result<Vec<Education>, ApiError> {
        let rows = crate::profile::loaders(ctx).educations_by_user.load_one(self.row().id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Education).collect())
    }

    /// The certifications on the user's profile, in their order.
    async fn certifications(&self, ctx: &Context<'_>) -> Result<Vec<Certification>, ApiError> {
        let rows = crate::profile::loaders(ctx).certifications_by_user.load_one(self.row().id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Certification).collect())
    }

    /// The skills on the user's profile, in their order.
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>, ApiError> {
        let rows = crate::profile::loaders(ctx).skills_by_user.load_one(self.row().id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Skill).collect())
    }

    /// The projects on the user's profile, in their order.
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>, ApiError> {
        let rows = crate::profile::loaders(ctx).projects_by_user.load_one(self.row().id).await?;
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
        // Boxed: async-graphql gives every field of this type room for its
        // largest field future; a page query held inline would be that.
        Ok(Some(Box::pin(application_page(ctx, Owner::Applicant(self.row().id), filter, order.into(), args)).await?))
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
        // Boxed: async-graphql gives every field of this type room for its
        // largest field future; a page query held inline would be that.
        Ok(Some(Box::pin(resume_page(ctx, self.row().id, include_archived, args)).await?))
    }

    /// The documents the user uploaded, newest first; only the user sees
    /// them (null for everyone else).
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only documents whose text holds all these words (PDFs and text files).")] query: Option<
            String,
        >,
        #[graphql(desc = "Returns the first n documents after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns documents after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n documents before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns documents before this cursor.")] before: Option<String>,
    ) -> Result<Option<crate::documents::DocumentConnection>, ApiError> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let args = PageArgs { first, after, last, before };
        Ok(Some(Box::pin(crate::documents::document_page(ctx, self.row().id, query, args)).await?))
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
        // Boxed: async-graphql gives every field of this type room for its
        // largest field future; a page query held inline would be that.
        Ok(Some(Box::pin(bookmark_page(ctx, self.row().id, filter.unwrap_or_default(), args)).await?))
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.row().created_at.into()
    }

    /// When the account's details last changed.
    async fn updated_at(&self) -> DateTime {
        self.row().updated_at.into()
    }
}
