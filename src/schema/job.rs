//! The `Job` object. Its fields reach into the domains above `jobs` (the
//! applications to a job, the viewer's cover letters for it), so it is
//! assembled here, above every domain; the struct, its matching and its
//! queries stay in `jobs`.

use async_graphql::{Context, ID, Object};

use crate::applications::{
    ApplicantOrder, Application, ApplicationConnection, ApplicationFilter, InterviewKit, Owner, application_page,
};
use crate::companies::Company;
use crate::context::request;
use crate::graphql::pagination::PageArgs;
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, db_enum, ids};
use crate::jobs::{Job, JobBookmark, JobMatch, JobStatus, NATIVE_SOURCE, RemoteType, Seniority, loaders};
use crate::profile::EmploymentType;
use crate::resumes::CoverLetter;
use crate::users::User;

/// A job posting: written by a recruiter in careergraph, or imported by a
/// candidate from another site to track.
#[Object]
impl Job {
    /// Globally unique, opaque identifier; `node(id:)` and `job(id:)` fetch it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The job title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The full description (plain text or Markdown).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Where the job is based.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// On site, hybrid or remote.
    async fn remote_type(&self) -> Option<RemoteType> {
        self.0.remote_type.as_deref().and_then(db_enum::from_db)
    }

    /// How the position is employed.
    async fn employment_type(&self) -> Option<EmploymentType> {
        self.0.employment_type.as_deref().and_then(db_enum::from_db)
    }

    /// How senior the position is.
    async fn seniority(&self) -> Option<Seniority> {
        self.0.seniority.as_deref().and_then(db_enum::from_db)
    }

    /// The lower end of the yearly salary range, in `salaryCurrency`.
    async fn salary_min(&self) -> Option<i32> {
        self.0.salary_min
    }

    /// The upper end of the yearly salary range, in `salaryCurrency`.
    async fn salary_max(&self) -> Option<i32> {
        self.0.salary_max
    }

    /// The ISO 4217 currency of the salary range, e.g. "EUR".
    async fn salary_currency(&self) -> Option<&str> {
        self.0.salary_currency.as_deref()
    }

    /// Skills the job requires, as the poster spelled them.
    async fn required_skills(&self) -> Vec<&str> {
        self.0.required().collect()
    }

    /// Skills the job would like, as the poster spelled them.
    async fn preferred_skills(&self) -> Vec<&str> {
        self.0.preferred().collect()
    }

    /// Draft, open or closed.
    async fn status(&self) -> JobStatus {
        db_enum::from_db(&self.0.status).unwrap_or(JobStatus::Closed)
    }

    /// `careergraph` for postings written here; otherwise the site it was
    /// imported from.
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// Whether a candidate imported it from another site.
    async fn imported(&self) -> bool {
        self.0.source != NATIVE_SOURCE
    }

    /// The posting's id on the site it was imported from.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    /// The posting's address on the site it was imported from.
    async fn external_url(&self) -> Option<&str> {
        self.0.external_url.as_deref()
    }

    /// When it was first opened; null for a draft.
    async fn posted_at(&self) -> Option<DateTime> {
        self.0.posted_at.map(DateTime)
    }

    /// When it was closed; null unless closed.
    async fn closed_at(&self) -> Option<DateTime> {
        self.0.closed_at.map(DateTime)
    }

    /// When the posting was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the posting last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// The employer.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>, ApiError> {
        if let Some(read) = self.1.as_ref().and_then(|read| read.company.as_ref()) {
            return Ok(read.clone().map(Company));
        }
        Ok(crate::companies::loaders(ctx).companies.load_one(self.0.company_id).await?.map(Company))
    }

    /// The recruiter who posted it (their public profile), or for an imported
    /// posting the candidate who imported it, shown only to them.
    async fn posted_by(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(poster) = self.0.posted_by_id else { return Ok(None) };
        let viewer = request(ctx).viewer;
        let row = match self.1.as_ref().and_then(|read| read.poster.as_ref()) {
            Some(read) => read.clone(),
            None => crate::users::loaders(ctx).users.load_one(poster).await?,
        };
        Ok(row.map(|row| User::seen_by(row, &viewer)))
    }

    /// The viewer's live application to this job; null when none.
    async fn viewer_application(&self, ctx: &Context<'_>) -> Result<Option<Application>, ApiError> {
        Ok(crate::applications::loaders(ctx).viewer_applications.load_one(self.0.id).await?.map(Application::from))
    }

    /// How many applications were sent to this job; only its poster (and
    /// admins) see it, null for everyone else.
    async fn application_count(&self, ctx: &Context<'_>) -> Result<Option<i64>, ApiError> {
        if !self.viewer_posted(ctx) {
            return Ok(None);
        }
        Ok(Some(crate::applications::loaders(ctx).application_counts.load_one(self.0.id).await?.unwrap_or(0)))
    }

    /// The applications sent to this job, newest first; only its poster
    /// (and admins) see them, null for everyone else. `applicants` lists the
    /// same and can order them.
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ApplicationFilter>,
        #[graphql(desc = "Returns the first n applications after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns applications after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n applications before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns applications before this cursor.")] before: Option<String>,
    ) -> Result<Option<ApplicationConnection>, ApiError> {
        self.applicants(ctx, filter, None, first, after, last, before).await
    }

    /// The applications sent to this job in the order asked for (newest
    /// first by default), e.g. ranked by interview score; only its poster
    /// (and admins) see them, null for everyone else.
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn applicants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ApplicationFilter>,
        #[graphql(desc = "The order; newest first when omitted.")] order_by: Option<ApplicantOrder>,
        #[graphql(desc = "Returns the first n applicants after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns applicants after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n applicants before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns applicants before this cursor.")] before: Option<String>,
    ) -> Result<Option<ApplicationConnection>, ApiError> {
        if !self.viewer_posted(ctx) {
            return Ok(None);
        }
        let args = PageArgs { first, after, last, before };
        let order = order_by.unwrap_or_default();
        let owner = Owner::Job(self.0.id);
        Ok(Some(Box::pin(application_page(ctx, owner, filter.unwrap_or_default(), order, args)).await?))
    }

    /// The job's interview kits, oldest first (at most 20); only its poster
    /// (and admins) see them, null for everyone else.
    async fn interview_kits(&self, ctx: &Context<'_>) -> Result<Option<Vec<InterviewKit>>, ApiError> {
        if !self.viewer_posted(ctx) {
            return Ok(None);
        }
        let rows = crate::applications::loaders(ctx).kits_by_job.load_one(self.0.id).await?.unwrap_or_default();
        Ok(Some(rows.into_iter().map(InterviewKit).collect()))
    }

    /// The viewer's cover letter versions for this job, newest first.
    async fn viewer_cover_letters(&self, ctx: &Context<'_>) -> Result<Vec<CoverLetter>, ApiError> {
        let rows = crate::resumes::loaders(ctx).viewer_letters.load_one(self.0.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(CoverLetter).collect())
    }

    /// The viewer's bookmark of this job; null when none or anonymous.
    async fn viewer_bookmark(&self, ctx: &Context<'_>) -> Result<Option<JobBookmark>, ApiError> {
        Ok(loaders(ctx).viewer_bookmarks.load_one(self.0.id).await?.map(JobBookmark))
    }

    /// How well the viewer's profile skills fit this job; null for anonymous
    /// viewers and for jobs that list no skills.
    #[graphql(name = "match")]
    async fn job_match(&self, ctx: &Context<'_>) -> Result<Option<JobMatch>, ApiError> {
        let Some(me) = request(ctx).viewer.signed_in() else { return Ok(None) };
        let skills = crate::profile::loaders(ctx).skills_by_user.load_one(me.user_id).await?.unwrap_or_default();
        let names: Vec<&str> = skills.iter().map(|skill| skill.name.as_str()).collect();
        Ok(JobMatch::between(&self.0, &names))
    }
}
