//! Jobs: postings written by recruiters in careergraph, and postings
//! candidates import from elsewhere to track. Drafts are seen only by their
//! poster; everything else that is not deleted is public.

mod bookmarks;
mod graphql;
mod loaders;
mod mutations;
mod search;

pub use bookmarks::{
    BookmarkMutations, JobBookmark, JobBookmarkConnection, JobBookmarkFilter, ViewerBookmarks, bookmark_page,
};
use graphql::JobRelations;
pub use graphql::{Job, JobMatch};
pub use loaders::{Loaders, loaders};
pub use mutations::JobMutations;
pub use search::{JobConnection, JobFilter, JobQuery};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::companies::CompanyRow;
use crate::db::tables::jobs;
use crate::db::{CacheStatement, Db, Fetched, OneOfKeys, Related};
use crate::graphql::ApiError;
use crate::users::UserRow;

/// Where `source` says a job was written in careergraph.
pub const NATIVE_SOURCE: &str = "careergraph";

/// A row of `jobs` (without the search vector).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs, check_for_backend(Pg))]
pub struct JobRow {
    pub id: Uuid,
    pub company_id: Uuid,
    pub posted_by_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub remote_type: Option<String>,
    pub employment_type: Option<String>,
    pub seniority: Option<String>,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub salary_currency: Option<String>,
    pub required_skills: Vec<Option<String>>,
    pub preferred_skills: Vec<Option<String>>,
    pub status: String,
    pub source: String,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl JobRow {
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.required_skills.iter().flatten().map(String::as_str)
    }

    pub fn preferred(&self) -> impl Iterator<Item = &str> {
        self.preferred_skills.iter().flatten().map(String::as_str)
    }
}

/// Where the work happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RemoteType {
    /// At the employer's site.
    Onsite,
    /// Partly on site, partly remote.
    Hybrid,
    /// Fully remote.
    Remote,
}

/// How senior a position is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum Seniority {
    /// An internship.
    Intern,
    /// Early career.
    Junior,
    /// Mid-level.
    Mid,
    /// Senior.
    Senior,
    /// Leads a team or area.
    Lead,
    /// Principal or staff level.
    Principal,
    /// Executive.
    Executive,
}

/// Where a posting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum JobStatus {
    /// Being written: visible only to its poster, not open for applications.
    Draft,
    /// Published and taking applications.
    Open,
    /// No longer taking applications.
    Closed,
}

/// The SQL condition for the jobs `viewer` may see: live, and not a draft
/// unless the viewer posted it (admins see every draft). The status is
/// written, not bound, for the planner (see `db_enum::is`).
pub fn visible_to(viewer: &Viewer) -> Box<dyn BoxableExpression<jobs::table, Pg, SqlType = diesel::sql_types::Bool>> {
    let live = jobs::deleted_at.is_null();
    let published = || diesel::dsl::sql::<diesel::sql_types::Bool>("jobs.status <> 'DRAFT'");
    match viewer.signed_in() {
        Some(me) if me.is_admin() => Box::new(live),
        Some(me) => Box::new(live.and(published().or(jobs::posted_by_id.eq(me.user_id).assume_not_null()))),
        None => Box::new(live.and(published())),
    }
}

/// Which of a job's to-one relations the request will ask for, so that the
/// statement reading the job reads them too (`db::Related`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WantedRelations {
    company: bool,
    poster: bool,
}

/// The select-list columns of [`WantedRelations`].
type RelatedColumns = (Related<CompanyRow>, Related<UserRow>);

/// What [`RelatedColumns`] read.
type FetchedRelations = (Fetched<CompanyRow>, Fetched<UserRow>);

impl WantedRelations {
    /// The relations a selection asks for, given whether it selects a
    /// field of `Job` (by its GraphQL name).
    fn selected(selects: impl Fn(&str) -> bool) -> Self {
        Self { company: selects("company"), poster: selects("postedBy") }
    }

    /// Both sets at once.
    fn or(self, other: Self) -> Self {
        Self { company: self.company || other.company, poster: self.poster || other.poster }
    }

    /// The columns reading them, beside the `jobs` row.
    fn columns(self, viewer: &Viewer) -> RelatedColumns {
        (
            Related::when(self.company, || crate::companies::related("jobs.company_id")),
            Related::when(self.poster, || crate::users::related(viewer, "jobs.posted_by_id")),
        )
    }

    /// The job with what its columns read.
    fn job(self, row: JobRow, (company, poster): FetchedRelations) -> Job {
        if self == Self::default() {
            return Job::from(row);
        }
        let relations =
            JobRelations { company: company.into_wanted(self.company), poster: poster.into_wanted(self.poster) };
        Job(row, Some(Box::new(relations)))
    }
}

/// Loads jobs by id, only those the viewer may see.
pub struct JobLoader {
    db: Db,
    viewer: Viewer,
}

impl JobLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

/// Keyed by the job's id and the relations the field asking for it will
/// ask of it: a batch reads the relations any of its keys wants, in the
/// same statement as the jobs.
impl Loader<(Uuid, WantedRelations)> for JobLoader {
    type Value = Job;
    type Error = ApiError;

    async fn load(&self, keys: &[(Uuid, WantedRelations)]) -> Result<HashMap<(Uuid, WantedRelations), Job>, ApiError> {
        let wanted = keys.iter().fold(WantedRelations::default(), |all, (_, more)| all.or(*more));
        let ids: Vec<Uuid> = keys.iter().map(|(id, _)| *id).collect();
        let mut conn = self.db.conn().await?;
        let rows: Vec<(JobRow, FetchedRelations)> = jobs::table
            .filter(jobs::id.one_of(ids))
            .filter(visible_to(&self.viewer))
            .select((JobRow::as_select(), wanted.columns(&self.viewer)))
            .cached()
            .load(&mut conn)
            .await?;
        // Each job moves to the last key asking for it; only a job asked for
        // under two keys (two selections of it) is copied.
        let mut found = HashMap::with_capacity(keys.len());
        for (row, related) in rows {
            let job = wanted.job(row, related);
            let mut asking = keys.iter().filter(|key| key.0 == job.0.id).peekable();
            while let Some(key) = asking.next() {
                if asking.peek().is_none() {
                    found.insert(*key, job);
                    break;
                }
                found.insert(*key, job.clone());
            }
        }
        Ok(found)
    }
}

/// The job `id` if the viewer may see it, with the relations the field
/// being resolved selects of it read in the same statement.
pub async fn visible_job(ctx: &Context<'_>, id: Uuid) -> Result<Option<Job>, ApiError> {
    let selection = ctx.look_ahead();
    let wanted = WantedRelations::selected(|field| selection.field(field).exists());
    loaders(ctx).jobs.load_one((id, wanted)).await
}

/// The row of job `id` if the viewer may see it (batched with
/// [`visible_job`]'s).
pub async fn visible_row(ctx: &Context<'_>, id: Uuid) -> Result<Option<JobRow>, ApiError> {
    Ok(loaders(ctx).jobs.load_one((id, WantedRelations::default())).await?.map(|job| job.0))
}

#[derive(QueryableByName)]
struct CompanyId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The company named `name` (case-insensitively), created if there is none.
/// One statement; when a concurrent call creates the same company between
/// this statement's snapshot and its insert, the second attempt finds it.
pub async fn company_named(conn: &mut AsyncPgConnection, name: &str) -> Result<Uuid, diesel::result::Error> {
    match find_or_create_company(conn, name).await {
        Err(diesel::result::Error::NotFound) => find_or_create_company(conn, name).await,
        outcome => outcome,
    }
}

async fn find_or_create_company(conn: &mut AsyncPgConnection, name: &str) -> Result<Uuid, diesel::result::Error> {
    let found: CompanyId = diesel::sql_query(
        "WITH created AS (
             INSERT INTO companies (id, name) VALUES ($1, $2)
             ON CONFLICT ((lower(name))) DO NOTHING
             RETURNING id
         )
         SELECT id FROM created
         UNION ALL
         SELECT id FROM companies WHERE lower(name) = lower($2)
         LIMIT 1",
    )
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<Text, _>(name)
    .get_result(conn)
    .await?;
    Ok(found.id)
}
