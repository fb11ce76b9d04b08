//! Applications as spreadsheet rows: a candidate's own (every application,
//! with its job, company, status, the date each stage was first reached,
//! source, tags and notes) and a job's applicants, for its poster. Rows come
//! in keyset-ordered batches, so an export of any length needs memory for
//! one batch and holds a connection only while a batch is read. The HTTP
//! layer writes them as CSV.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Application;
use crate::auth::Viewer;
use crate::db::Db;
use crate::db::tables::jobs;
use crate::graphql::{ApiError, ErrorCode, ids};
use crate::jobs::Job;

/// Where the next batch starts: after this row, in `(created_at, id)` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    created_at: DateTime<Utc>,
    id: Uuid,
}

/// One batch of rows, each a cell per column, and where the next begins
/// (`None` after the last).
pub struct Batch {
    pub rows: Vec<Vec<String>>,
    pub next: Option<After>,
}

/// An export a viewer may download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Every live application of this candidate.
    Candidate { user: Uuid },
    /// Every application sent to this job (not those merely saved).
    Applicants { job: Uuid },
}

/// The stages whose first dates the candidate's export has, in pipeline order.
const CANDIDATE_STAGES: [&str; 8] = super::STATUSES;

/// A recruiter never sees when a candidate saved a job for later.
const APPLICANT_STAGES: [&str; 7] = super::SENT_STATUSES;

const CANDIDATE_COLUMNS: [&str; 19] = [
    "application_id",
    "job_title",
    "company",
    "job_location",
    "status",
    "archived",
    "source",
    "tags",
    "notes",
    "last_status_change",
    "saved_at",
    "applied_at",
    "screening_at",
    "interviewing_at",
    "offered_at",
    "accepted_at",
    "rejected_at",
    "withdrawn_at",
    "job_id",
];

const APPLICANT_COLUMNS: [&str; 15] = [
    "application_id",
    "applicant",
    "headline",
    "location",
    "status",
    "source",
    "last_status_change",
    "applied_at",
    "screening_at",
    "interviewing_at",
    "offered_at",
    "accepted_at",
    "rejected_at",
    "withdrawn_at",
    "interview_score",
];

impl Export {
    /// The viewer's own applications.
    pub fn candidate(viewer: &Viewer) -> Result<Self, ApiError> {
        Ok(Self::Candidate { user: viewer.require()?.user_id })
    }

    /// The applicants of the job with global id `job_id`: for its poster
    /// and admins. A job the viewer cannot see is NOT_FOUND; one they can
    /// see but did not post is FORBIDDEN, as for the `jobApplications`
    /// subscription.
    pub async fn applicants(db: &Db, viewer: &Viewer, job_id: &str) -> Result<Self, ApiError> {
        let me = *viewer.require()?;
        let id = async_graphql::ID(job_id.to_owned());
        let job = ids::decode_as(&id, Job::TYPE_NAME)?;
        let mut conn = db.conn().await?;
        let poster: Option<Option<Uuid>> = jobs::table
            .filter(jobs::id.eq(job))
            .filter(crate::jobs::visible_to(viewer))
            .select(jobs::posted_by_id)
            .first(&mut conn)
            .await
            .optional()?;
        match poster {
            None => Err(ids::not_found(&id)),
            Some(poster) if poster == Some(me.user_id) || me.is_admin() => Ok(Self::Applicants { job }),
            Some(_) => Err(ApiError::new(ErrorCode::Forbidden, "Only the job's poster exports its applicants")),
        }
    }

    /// The header row.
    pub fn columns(&self) -> &'static [&'static str] {
        match self {
            Self::Candidate { .. } => &CANDIDATE_COLUMNS,
            Self::Applicants { .. } => &APPLICANT_COLUMNS,
        }
    }

    /// The name a download is saved under.
    pub fn file_name(&self) -> String {
        let today = Utc::now().format("%Y-%m-%d");
        match self {
            Self::Candidate { .. } => format!("applications-{today}.csv"),
            Self::Applicants { job } => format!("applicants-{}-{today}.csv", job.simple()),
        }
    }

    /// Up to `limit` rows after `after` (from the start when `None`), in
    /// the order the applications were created. One statement.
    pub async fn batch(&self, db: &Db, after: Option<After>, limit: usize) -> Result<Batch, ApiError> {
        match self {
            Self::Candidate { user } => {
                let select = format!(
                    "SELECT a.id, a.created_at, a.job_id, j.title AS job_title, c.name AS company,
                            j.location AS job_location, a.status, a.archived, a.source, a.tags, a.notes,
                            a.status_changed_at, stages.reached
                     FROM applications a
                     JOIN jobs j ON j.id = a.job_id
                     JOIN companies c ON c.id = j.company_id
                     {reached}
                     WHERE a.user_id = $1 AND a.deleted_at IS NULL",
                    reached = reached(&CANDIDATE_STAGES),
                );
                keyset_batch::<CandidateRow>(db, select, *user, after, limit).await
            }
            Self::Applicants { job } => {
                let select = format!(
                    "SELECT a.id, a.created_at, u.full_name AS applicant, u.headline, u.location, a.status,
                            a.source, a.status_changed_at, stages.reached, a.interview_score
                     FROM applications a
                     JOIN users u ON u.id = a.user_id
                     {reached}
                     WHERE a.job_id = $1 AND a.deleted_at IS NULL AND a.applied_at IS NOT NULL",
                    reached = reached(&APPLICANT_STAGES),
                );
                keyset_batch::<ApplicantRow>(db, select, *job, after, limit).await
            }
        }
    }
}

/// A row of an export: where it sits in `(created_at, id)` order, and its cells.
trait ExportRow: QueryableByName<diesel::pg::Pg> + Send + 'static {
    fn key(&self) -> (DateTime<Utc>, Uuid);
    fn cells(self) -> Vec<String>;
}

/// The rows `select` (filtered by `$1 = owner`) finds after `after`, up to
/// `limit`, in `(created_at, id)` order of `applications a`. The first batch
/// starts after every row, so all batches share one statement text.
async fn keyset_batch<Row: ExportRow>(
    db: &Db,
    select: String,
    owner: Uuid,
    after: Option<After>,
    limit: usize,
) -> Result<Batch, ApiError> {
    let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let (created_at, id) = after.map_or((None, Uuid::nil()), |after| (Some(after.created_at), after.id));
    let mut conn = db.conn().await?;
    let rows: Vec<Row> = sql_query(format!(
        "{select} AND (a.created_at, a.id) > (coalesce($2, '-infinity'), $3) ORDER BY a.created_at, a.id LIMIT $4"
    ))
    .bind::<SqlUuid, _>(owner)
    .bind::<Nullable<Timestamptz>, _>(created_at)
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(limit)
    .load(&mut conn)
    .await?;
    let full = i64::try_from(rows.len()).is_ok_and(|len| len >= limit);
    let next = rows.last().filter(|_| full).map(|row| row.key()).map(|(created_at, id)| After { created_at, id });
    Ok(Batch { rows: rows.into_iter().map(ExportRow::cells).collect(), next })
}

/// The lateral join computing each stage's first date from the status
/// changes on the timeline, in one pass over the application's events
/// (the partial index `application_events_status_changes_idx` holds them).
fn reached(stages: &[&str]) -> String {
    let firsts: Vec<String> =
        stages.iter().map(|stage| format!("min(e.occurred_at) FILTER (WHERE e.to_status = '{stage}')")).collect();
    format!(
        "LEFT JOIN LATERAL (
             SELECT ARRAY[{}] AS reached
             FROM application_events e
             WHERE e.application_id = a.id AND e.kind IN ('CREATED', 'STATUS_CHANGED')
         ) stages ON true",
        firsts.join(", ")
    )
}

#[derive(QueryableByName)]
struct CandidateRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    job_id: Uuid,
    #[diesel(sql_type = Text)]
    job_title: String,
    #[diesel(sql_type = Text)]
    company: String,
    #[diesel(sql_type = Nullable<Text>)]
    job_location: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    archived: bool,
    #[diesel(sql_type = Nullable<Text>)]
    source: Option<String>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    tags: Vec<Option<String>>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    status_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Array<Nullable<Timestamptz>>)]
    reached: Vec<Option<DateTime<Utc>>>,
}

impl ExportRow for CandidateRow {
    fn key(&self) -> (DateTime<Utc>, Uuid) {
        (self.created_at, self.id)
    }

    fn cells(self) -> Vec<String> {
        let mut cells = vec![
            ids::encode(Application::TYPE_NAME, self.id).0,
            self.job_title,
            self.company,
            self.job_location.unwrap_or_default(),
            self.status,
            self.archived.to_string(),
            self.source.unwrap_or_default(),
            self.tags.into_iter().flatten().collect::<Vec<_>>().join("; "),
            self.notes.unwrap_or_default(),
            timestamp(Some(self.status_changed_at)),
        ];
        cells.extend(self.reached.into_iter().map(timestamp));
        cells.push(ids::encode(Job::TYPE_NAME, self.job_id).0);
        cells
    }
}

#[derive(QueryableByName)]
struct ApplicantRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    applicant: String,
    #[diesel(sql_type = Nullable<Text>)]
    headline: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    location: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    source: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    status_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Array<Nullable<Timestamptz>>)]
    reached: Vec<Option<DateTime<Utc>>>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Double>)]
    interview_score: Option<f64>,
}

impl ExportRow for ApplicantRow {
    fn key(&self) -> (DateTime<Utc>, Uuid) {
        (self.created_at, self.id)
    }

    fn cells(self) -> Vec<String> {
        let mut cells = vec![
            ids::encode(Application::TYPE_NAME, self.id).0,
            self.applicant,
            self.headline.unwrap_or_default(),
            self.location.unwrap_or_default(),
            self.status,
            self.source.unwrap_or_default(),
            timestamp(Some(self.status_changed_at)),
        ];
        cells.extend(self.reached.into_iter().map(timestamp));
        cells.push(self.interview_score.map(|score| format!("{score:.2}")).unwrap_or_default());
        cells
    }
}

/// RFC 3339 in UTC to the second, as the API's `DateTime`; empty for none.
fn timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default()
}
