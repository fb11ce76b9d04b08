//! Writing jobs: recruiters create, update, close and delete their postings;
//! any signed-in user imports postings found elsewhere.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::Job;
use super::{JobRow, JobStatus, NATIVE_SOURCE, RemoteType, Seniority, company_named};
use crate::auth::{Role, SignedIn};
use crate::context::request;
use crate::db::tables::{jobs, users};
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, ErrorCode, UserError, UserErrorCode, db_enum, ids};
use crate::profile::EmploymentType;

/// The most skills one list of a job holds.
const MAX_SKILLS: usize = 50;

/// The fields that describe a posting, shared by `createJob` and `importJob`.
#[derive(InputObject)]
pub struct JobDetailsInput {
    /// The job title (1–300 characters).
    pub title: String,
    /// The employer; a company of that name (any case) is used, or created.
    pub company_name: String,
    /// Where the job is based (at most 200 characters).
    pub location: Option<String>,
    /// On site, hybrid or remote.
    pub remote_type: Option<RemoteType>,
    /// How the position is employed.
    pub employment_type: Option<EmploymentType>,
    /// How senior the position is.
    pub seniority: Option<Seniority>,
    /// The lower end of the yearly salary (0 or more).
    pub salary_min: Option<i32>,
    /// The upper end of the yearly salary (not below `salaryMin`).
    pub salary_max: Option<i32>,
    /// The salary's ISO 4217 currency, e.g. "EUR"; required with a salary.
    pub salary_currency: Option<String>,
    /// Skills the job requires (at most 50).
    #[graphql(default)]
    pub required_skills: Vec<String>,
    /// Skills the job would like (at most 50).
    #[graphql(default)]
    pub preferred_skills: Vec<String>,
}

/// A new posting. Only `title`, `description` and `companyName` are required.
#[derive(InputObject)]
pub struct CreateJobInput {
    #[graphql(flatten)]
    pub details: JobDetailsInput,
    /// The full description (at most 100,000 characters).
    pub description: String,
    /// DRAFT (the default) or OPEN.
    #[graphql(default_with = "JobStatus::Draft")]
    pub status: JobStatus,
}

/// A posting found on another site, to track applications to it.
#[derive(InputObject)]
pub struct ImportJobInput {
    #[graphql(flatten)]
    pub details: JobDetailsInput,
    /// The description, if copied (at most 100,000 characters).
    #[graphql(default)]
    pub description: String,
    /// The site it comes from, e.g. "linkedin" (1–100 characters; not "careergraph").
    pub source: String,
    /// Its id on that site: the same source and id always name the same job.
    pub external_id: Option<String>,
    /// Its address on that site (http or https).
    pub external_url: Option<String>,
}

/// Changes to a posting. Omitted fields stay; `null` clears an optional one;
/// a skills list replaces the stored one.
#[derive(InputObject)]
pub struct UpdateJobInput {
    /// The posting to change; it must be the signed-in recruiter's.
    pub id: ID,
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new employer.
    pub company_name: Option<String>,
    /// A new location.
    pub location: MaybeUndefined<String>,
    /// A new remote type.
    pub remote_type: MaybeUndefined<RemoteType>,
    /// A new employment type.
    pub employment_type: MaybeUndefined<EmploymentType>,
    /// A new seniority.
    pub seniority: MaybeUndefined<Seniority>,
    /// A new lower salary.
    pub salary_min: MaybeUndefined<i32>,
    /// A new upper salary.
    pub salary_max: MaybeUndefined<i32>,
    /// A new salary currency.
    pub salary_currency: MaybeUndefined<String>,
    /// Replaces the required skills.
    pub required_skills: Option<Vec<String>>,
    /// Replaces the preferred skills.
    pub preferred_skills: Option<Vec<String>>,
    /// A new status: OPEN publishes a draft or reopens a closed posting.
    pub status: Option<JobStatus>,
}

/// Names a posting.
#[derive(InputObject)]
pub struct CloseJobInput {
    /// The posting to close; it must be the signed-in recruiter's.
    pub id: ID,
}

/// Names a posting.
#[derive(InputObject)]
pub struct DeleteJobInput {
    /// The posting to delete; it must be the signed-in recruiter's.
    pub id: ID,
}

/// The result of `createJob`.
#[derive(SimpleObject)]
pub struct CreateJobPayload {
    /// The new posting; null when the input was refused.
    pub job: Option<Job>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `importJob`.
#[derive(SimpleObject)]
pub struct ImportJobPayload {
    /// The posting: the one already imported from the same source and id, or a new one.
    pub job: Option<Job>,
    /// Whether this call created it (false when it was imported before).
    pub created: bool,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `updateJob`.
#[derive(SimpleObject)]
pub struct UpdateJobPayload {
    /// The updated posting; null when the input was refused.
    pub job: Option<Job>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `closeJob`.
#[derive(SimpleObject)]
pub struct CloseJobPayload {
    /// The closed posting.
    pub job: Option<Job>,
    /// Why it was not closed (a draft cannot be closed).
    pub user_errors: Vec<UserError>,
}

/// The result of `deleteJob`.
#[derive(SimpleObject)]
pub struct DeleteJobPayload {
    /// The id of the deleted posting.
    pub deleted_job_id: Option<ID>,
    /// Always empty.
    pub user_errors: Vec<UserError>,
}

/// A posting's descriptive fields, checked and in their stored form.
struct Checked {
    title: String,
    description: String,
    company_name: String,
    location: Option<String>,
    remote_type: Option<&'static str>,
    employment_type: Option<&'static str>,
    seniority: Option<&'static str>,
    salary_min: Option<i32>,
    salary_max: Option<i32>,
    salary_currency: Option<String>,
    required_skills: Vec<Option<String>>,
    preferred_skills: Vec<Option<String>>,
}

fn check_details(checks: &mut Checks, details: &JobDetailsInput, description: &str) -> Option<Checked> {
    let title = checks.text("title", &details.title, 300, true);
    let description = checks.text("description", description, 100_000, false);
    let company_name = checks.text("companyName", &details.company_name, 200, true);
    let location = checks.optional_text("location", details.location.as_deref(), 200);
    let salary_currency =
        check_salary(checks, details.salary_min, details.salary_max, details.salary_currency.as_deref());
    let required_skills = check_skills(checks, "requiredSkills", &details.required_skills);
    let preferred_skills = check_skills(checks, "preferredSkills", &details.preferred_skills);
    Some(Checked {
        title: title?,
        description: description?,
        company_name: company_name?,
        location: location?,
        remote_type: details.remote_type.map(db_enum::to_db),
        employment_type: details.employment_type.map(db_enum::to_db),
        seniority: details.seniority.map(db_enum::to_db),
        salary_min: details.salary_min,
        salary_max: details.salary_max,
        salary_currency: salary_currency?,
        required_skills: required_skills?,
        preferred_skills: preferred_skills?,
    })
}

/// Where a new posting comes from.
struct Origin<'a> {
    poster: Uuid,
    status: JobStatus,
    source: &'a str,
    external_id: Option<&'a str>,
    external_url: Option<&'a str>,
}

/// Inserts a posting (finding or creating its company); None when an
/// import with the same source and external id already exists.
async fn insert_job(
    conn: &mut AsyncPgConnection,
    job: &Checked,
    origin: Origin<'_>,
) -> Result<Option<JobRow>, diesel::result::Error> {
    let company = company_named(conn, &job.company_name).await?;
    let now = Utc::now();
    diesel::insert_into(jobs::table)
        .values((
            (
                jobs::id.eq(Uuid::now_v7()),
                jobs::company_id.eq(company),
                jobs::posted_by_id.eq(origin.poster),
                jobs::title.eq(&job.title),
                jobs::description.eq(&job.description),
                jobs::location.eq(&job.location),
                jobs::remote_type.eq(job.remote_type),
                jobs::employment_type.eq(job.employment_type),
                jobs::seniority.eq(job.seniority),
                jobs::salary_min.eq(job.salary_min),
                jobs::salary_max.eq(job.salary_max),
                jobs::salary_currency.eq(&job.salary_currency),
            ),
            (
                jobs::required_skills.eq(&job.required_skills),
                jobs::preferred_skills.eq(&job.preferred_skills),
                jobs::status.eq(db_enum::to_db(origin.status)),
                jobs::source.eq(origin.source),
                jobs::external_id.eq(origin.external_id),
                jobs::external_url.eq(origin.external_url),
                jobs::posted_at.eq((origin.status == JobStatus::Open).then_some(now)),
                jobs::created_at.eq(now),
                jobs::updated_at.eq(now),
            ),
        ))
        .on_conflict_do_nothing()
        .returning(JobRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Checks a salary range; returns the normalised currency.
fn check_salary(
    checks: &mut Checks,
    min: Option<i32>,
    max: Option<i32>,
    currency: Option<&str>,
) -> Option<Option<String>> {
    let before = checks.errors.len();
    if min.is_some_and(|min| min < 0) || max.is_some_and(|max| max < 0) {
        checks.fail(&["input", "salaryMin"], UserErrorCode::Invalid, "Salaries cannot be negative");
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        checks.fail(&["input", "salaryMax"], UserErrorCode::Invalid, "salaryMax cannot be below salaryMin");
    }
    let currency = currency.map(|code| code.trim().to_uppercase());
    match &currency {
        Some(code) if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) => {
            checks.fail(
                &["input", "salaryCurrency"],
                UserErrorCode::Invalid,
                "Use a three-letter ISO 4217 code, e.g. EUR",
            );
        }
        None if min.is_some() || max.is_some() => {
            checks.fail(&["input", "salaryCurrency"], UserErrorCode::Blank, "A salary needs its currency");
        }
        _ => {}
    }
    (checks.errors.len() == before).then_some(currency)
}

/// Trimmed skills without blanks or case-insensitive repeats, in the
/// poster's spelling.
fn check_skills(checks: &mut Checks, field: &str, skills: &[String]) -> Option<Vec<Option<String>>> {
    let kept = checks.text_list(field, skills, MAX_SKILLS, 100)?;
    let mut seen = HashSet::new();
    Some(kept.into_iter().filter(|skill| seen.insert(skill.to_lowercase())).map(Some).collect())
}

/// Who may post jobs.
fn require_recruiter(me: &SignedIn) -> Result<(), ApiError> {
    match me.role {
        Role::Recruiter | Role::Admin => Ok(()),
        Role::Candidate => Err(ApiError::new(ErrorCode::Forbidden, "Only recruiters can post jobs")),
    }
}

/// The signed-in recruiter's live posting `id`: NOT_FOUND when the viewer
/// cannot see it, FORBIDDEN when they can but it is not theirs.
async fn own_job(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Result<JobRow, ApiError> {
    let uuid = ids::decode_as(id, Job::TYPE_NAME)?;
    let row = jobs::table
        .filter(jobs::id.eq(uuid))
        .filter(super::visible_to(&crate::auth::Viewer::SignedIn(*me)))
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ids::not_found(id))?;
    if row.posted_by_id != Some(me.user_id) || row.source != NATIVE_SOURCE {
        return Err(ApiError::new(ErrorCode::Forbidden, "Only the recruiter who posted this job can change it"));
    }
    Ok(row)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = jobs)]
struct JobChanges {
    company_id: Option<uuid::Uuid>,
    title: Option<String>,
    description: Option<String>,
    location: Option<Option<String>>,
    remote_type: Option<Option<String>>,
    employment_type: Option<Option<String>>,
    seniority: Option<Option<String>>,
    salary_min: Option<Option<i32>>,
    salary_max: Option<Option<i32>>,
    salary_currency: Option<Option<String>>,
    required_skills: Option<Vec<Option<String>>>,
    preferred_skills: Option<Vec<Option<String>>>,
    status: Option<String>,
    posted_at: Option<Option<chrono::DateTime<Utc>>>,
    closed_at: Option<Option<chrono::DateTime<Utc>>>,
}

/// Posting and importing jobs.
#[derive(Default)]
pub struct JobMutations;

#[Object]
impl JobMutations {
    /// Creates a posting for the signed-in recruiter (FORBIDDEN for
    /// candidates). The recruiter's company becomes this company if they had none.
    async fn create_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateJobInput,
    ) -> Result<CreateJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        require_recruiter(&me)?;
        let mut checks = Checks::default();
        if input.status == JobStatus::Closed {
            checks.fail(&["input", "status"], UserErrorCode::Invalid, "A new job is DRAFT or OPEN");
        }
        let Some(checked) = check_details(&mut checks, &input.details, &input.description).filter(|_| checks.is_ok())
        else {
            return Ok(CreateJobPayload { job: None, user_errors: checks.errors });
        };
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let origin = Origin {
                    poster: me.user_id,
                    status: input.status,
                    source: NATIVE_SOURCE,
                    external_id: None,
                    external_url: None,
                };
                let row = insert_job(conn, &checked, origin).await?.ok_or(diesel::result::Error::NotFound)?;
                diesel::update(users::table.find(me.user_id))
                    .filter(users::company_id.is_null())
                    .set(users::company_id.eq(row.company_id))
                    .execute(conn)
                    .await?;
                Ok::<_, diesel::result::Error>(row)
            })
            .await?;
        Ok(CreateJobPayload { job: Some(Job::from(row)), user_errors: Vec::new() })
    }

    /// Records a posting from another site so the signed-in user can track
    /// an application to it. The same `source` and `externalId` always give
    /// the same job, never a duplicate.
    async fn import_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ImportJobInput,
    ) -> Result<ImportJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let source = checks.text("source", &input.source, 100, true).map(|source| source.to_lowercase());
        if source.as_deref() == Some(NATIVE_SOURCE) {
            checks.fail(&["input", "source"], UserErrorCode::Invalid, "\"careergraph\" is not a source to import from");
        }
        let external_id = checks.optional_text("externalId", input.external_id.as_deref(), 500);
        let external_url = input.external_url.as_deref().and_then(|url| checks.url(&["input", "externalUrl"], url));
        let checked = check_details(&mut checks, &input.details, &input.description);
        let (Some(checked), Some(source), Some(external_id), true) = (checked, source, external_id, checks.is_ok())
        else {
            return Ok(ImportJobPayload { job: None, created: false, user_errors: checks.errors });
        };
        let mut conn = request.db.conn().await?;
        let (row, created) = conn
            .transaction(async |conn| {
                let origin = Origin {
                    poster: me.user_id,
                    status: JobStatus::Open,
                    source: &source,
                    external_id: external_id.as_deref(),
                    external_url: external_url.as_deref(),
                };
                if let Some(row) = insert_job(conn, &checked, origin).await? {
                    return Ok::<_, diesel::result::Error>((row, true));
                }
                let existing = jobs::table
                    .filter(jobs::source.eq(&source))
                    .filter(jobs::external_id.eq(&external_id))
                    .filter(jobs::deleted_at.is_null())
                    .select(JobRow::as_select())
                    .first(conn)
                    .await?;
                Ok((existing, false))
            })
            .await?;
        Ok(ImportJobPayload { job: Some(Job::from(row)), created, user_errors: Vec::new() })
    }

    /// Changes one of the signed-in recruiter's postings. Setting OPEN
    /// publishes a draft (it gets its `postedAt`) or reopens a closed one.
    async fn update_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateJobInput,
    ) -> Result<UpdateJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let current = own_job(&mut conn, &me, &input.id).await?;
        let mut checks = Checks::default();
        let salary_min = change(input.salary_min, |value| value);
        let salary_max = change(input.salary_max, |value| value);
        let currency = change(input.salary_currency, |code| code);
        let salary_currency = check_salary(
            &mut checks,
            after(salary_min, current.salary_min),
            after(salary_max, current.salary_max),
            currency.clone().unwrap_or(current.salary_currency.clone()).as_deref(),
        );
        let now = Utc::now();
        let mut changes = JobChanges {
            title: input.title.as_deref().and_then(|text| checks.text("title", text, 300, true)),
            description: input.description.as_deref().and_then(|text| checks.text("description", text, 100_000, false)),
            location: checks.change_text("location", input.location, 200),
            remote_type: change(input.remote_type, |value| db_enum::to_db(value).to_owned()),
            employment_type: change(input.employment_type, |value| db_enum::to_db(value).to_owned()),
            seniority: change(input.seniority, |value| db_enum::to_db(value).to_owned()),
            salary_min,
            salary_max,
            salary_currency: currency.and(salary_currency),
            required_skills: input
                .required_skills
                .and_then(|skills| check_skills(&mut checks, "requiredSkills", &skills)),
            preferred_skills: input
                .preferred_skills
                .and_then(|skills| check_skills(&mut checks, "preferredSkills", &skills)),
            ..JobChanges::default()
        };
        let company_name = input.company_name.as_deref().and_then(|name| checks.text("companyName", name, 200, true));
        match input.status {
            Some(JobStatus::Draft) if current.status != "DRAFT" => {
                checks.fail(&["input", "status"], UserErrorCode::Invalid, "A published job cannot go back to DRAFT");
            }
            Some(status) if db_enum::to_db(status) != current.status => {
                changes.status = Some(db_enum::to_db(status).to_owned());
                if status == JobStatus::Open {
                    changes.posted_at = current.posted_at.is_none().then_some(Some(now));
                    changes.closed_at = Some(None);
                } else if status == JobStatus::Closed {
                    changes.closed_at = Some(Some(now));
                }
            }
            _ => {}
        }
        if !checks.is_ok() {
            return Ok(UpdateJobPayload { job: None, user_errors: checks.errors });
        }
        let row = conn
            .transaction(async |conn| {
                if let Some(name) = &company_name {
                    changes.company_id = Some(company_named(conn, name).await?);
                }
                diesel::update(jobs::table.find(current.id))
                    .set((&changes, jobs::updated_at.eq(now)))
                    .returning(JobRow::as_returning())
                    .get_result(conn)
                    .await
            })
            .await?;
        Ok(UpdateJobPayload { job: Some(Job::from(row)), user_errors: Vec::new() })
    }

    /// Closes one of the signed-in recruiter's open postings: it stays
    /// visible but takes no more applications.
    async fn close_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CloseJobInput,
    ) -> Result<CloseJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let current = own_job(&mut conn, &me, &input.id).await?;
        if current.status == "DRAFT" {
            let error = UserError::new(&["input", "id"], UserErrorCode::Invalid, "A draft cannot be closed; delete it");
            return Ok(CloseJobPayload { job: None, user_errors: vec![error] });
        }
        let now = Utc::now();
        let row = diesel::update(jobs::table.find(current.id))
            .set((
                jobs::status.eq("CLOSED"),
                jobs::closed_at.eq(current.closed_at.unwrap_or(now)),
                jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(CloseJobPayload { job: Some(Job::from(row)), user_errors: Vec::new() })
    }

    /// Deletes one of the signed-in recruiter's postings (a soft delete:
    /// applications to it keep their history).
    async fn delete_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteJobInput,
    ) -> Result<DeleteJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let current = own_job(&mut conn, &me, &input.id).await?;
        let now = Utc::now();
        diesel::update(jobs::table.find(current.id))
            .set((jobs::deleted_at.eq(now), jobs::updated_at.eq(now)))
            .execute(&mut conn)
            .await?;
        Ok(DeleteJobPayload { deleted_job_id: Some(input.id), user_errors: Vec::new() })
    }
}
