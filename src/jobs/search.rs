//! `job(id:)` and `jobs(filter:, orderBy:, …)`: full-text search with
//! filters, three orderings, and keyset pagination on each of them.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Float4, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::Job;
use super::{FetchedRelations, JobRow, JobStatus, RemoteType, WantedRelations, visible_to};
use crate::auth::Viewer;
use crate::context::request;
use crate::db::tables::{job_bookmarks, jobs};
use crate::db::{CacheStatement, Limited};
use crate::graphql::pagination::{Cursor, Direction, OrderDirection, Page, PageArgs, TotalCount, node_selection};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, db_enum, ids};
use crate::profile::EmploymentType;

crate::connection!(
    JobConnection,
    JobEdge,
    Job,
    JobKey,
    "A page of jobs.",
    "A job in a `JobConnection`, with its cursor."
);

/// Narrows a job search. Every given condition must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct JobFilter {
    /// Full-text search over title, skills, location and description
    /// (web-search syntax: words, "quoted phrases", -exclusions, OR).
    pub query: Option<String>,
    /// Jobs listing these skills (required or preferred, any case).
    pub skills: Option<Vec<String>>,
    /// Whether a job must list ANY (the default) or ALL of `skills`.
    #[graphql(default_with = "SkillsMatch::Any")]
    pub skills_match: SkillsMatch,
    /// Only this remote type.
    pub remote_type: Option<RemoteType>,
    /// Only this employment type.
    pub employment_type: Option<EmploymentType>,
    /// Locations containing this text (any case).
    pub location: Option<String>,
    /// Jobs whose salary range reaches at least this much (in the job's currency).
    pub salary_at_least: Option<i32>,
    /// Jobs posted at or after this instant.
    pub posted_after: Option<DateTime>,
    /// Only jobs in this status; OPEN when omitted. DRAFT lists the viewer's own drafts.
    pub status: Option<JobStatus>,
    /// Only this company's jobs.
    pub company_id: Option<ID>,
    /// Include jobs the viewer hid with a bookmark (left out by default).
    #[graphql(default)]
    pub include_hidden: bool,
}

/// How `skills` must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
pub enum SkillsMatch {
    /// The job lists at least one of the skills.
    #[default]
    Any,
    /// The job lists every one of the skills.
    All,
}

/// How to order jobs.
#[derive(Debug, Clone, Copy, InputObject)]
pub struct JobOrder {
    /// What to order by.
    pub field: JobOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

/// What jobs can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum JobOrderField {
    /// How well the job matches `filter.query` (requires it).
    Relevance,
    /// When the job was posted (drafts: when created).
    PostedAt,
    /// The top of the salary range (jobs without a salary come last when descending).
    Salary,
}

/// The sort key of one job under one ordering; the cursor encodes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobKey {
    value: KeyValue,
    id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum KeyValue {
    Posted(ChronoDateTime<Utc>),
    Salary(i32),
    Rank(f32),
    /// A match score, then the posted date.
    Fit(i32, ChronoDateTime<Utc>),
}

impl Cursor for JobKey {
    fn encode(&self) -> String {
        let value = match self.value {
            KeyValue::Posted(at) => format!("P{}", at.timestamp_micros()),
            KeyValue::Salary(salary) => format!("S{salary}"),
            KeyValue::Rank(rank) => format!("R{}", rank.to_bits()),
            KeyValue::Fit(score, at) => format!("F{score}/{}", at.timestamp_micros()),
        };
        URL_SAFE_NO_PAD.encode(format!("{value}:{}", self.id.simple()))
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (value, id) = text.split_once(':')?;
        let (kind, number) = value.split_at_checked(1)?;
        let value = match kind {
            "P" => KeyValue::Posted(ChronoDateTime::from_timestamp_micros(number.parse().ok()?)?),
            "S" => KeyValue::Salary(number.parse().ok()?),
            "R" => KeyValue::Rank(f32::from_bits(number.parse().ok()?)),
            "F" => {
                let (score, micros) = number.split_once('/')?;
                KeyValue::Fit(score.parse().ok()?, ChronoDateTime::from_timestamp_micros(micros.parse().ok()?)?)
            }
            _ => return None,
        };
        Some(Self { value, id: Uuid::try_parse(id).ok()? })
    }
}

/// The SQL of each ordering's sort expression.
const POSTED_SQL: &str = "coalesce(jobs.posted_at, jobs.created_at)";
const SALARY_SQL: &str = "coalesce(jobs.salary_max, jobs.salary_min, -1)";

type Condition = Box<dyn BoxableExpression<jobs::table, Pg, SqlType = Bool>>;

/// `websearch_to_tsquery('english', <text>)` around a bound text.
fn ranked(text: &str) -> diesel::expression::SqlLiteral<Float4, impl diesel::query_builder::QueryFragment<Pg> + Send> {
    sql::<Float4>("ts_rank_cd(jobs.search, websearch_to_tsquery('english', ").bind::<Text, _>(text.to_owned()).sql("))")
}

impl JobFilter {
    /// The filter's conditions, for the jobs `viewer` may see.
    fn query(&self, viewer: &Viewer) -> Result<jobs::BoxedQuery<'static, Pg>, ApiError> {
        self.check_sizes()?;
        let mut query = jobs::table.filter(visible_to(viewer)).into_boxed();
        let status = self.status.unwrap_or(JobStatus::Open);
        query = query.filter(db_enum::is("jobs.status", status));
        if let Some(text) = self.search_text() {
            query = query.filter(
                sql::<Bool>("jobs.search @@ websearch_to_tsquery('english', ")
                    .bind::<Text, _>(text.to_owned())
                    .sql(")"),
            );
        }
        if let Some(skills) = &self.skills {
            let wanted: Vec<String> =
                skills.iter().map(|skill| skill.trim().to_lowercase()).filter(|skill| !skill.is_empty()).collect();
            if !wanted.is_empty() {
                let operator = match self.skills_match {
                    SkillsMatch::Any => "&&",
                    SkillsMatch::All => "@>",
                };
                query = query.filter(
                    sql::<Bool>(&format!(
                        "careergraph_lower_text(jobs.required_skills || jobs.preferred_skills) {operator} "
                    ))
                    .bind::<Array<Text>, _>(wanted),
                );
            }
        }
        if let (Some(me), false) = (viewer.signed_in(), self.include_hidden) {
            let hidden = job_bookmarks::table
                .filter(job_bookmarks::user_id.eq(me.user_id))
                .filter(job_bookmarks::hidden)
                .select(job_bookmarks::job_id);
            query = query.filter(jobs::id.ne_all(hidden));
        }
        if let Some(remote) = self.remote_type {
            query = query.filter(jobs::remote_type.eq(db_enum::to_db(remote)));
        }
        if let Some(employment) = self.employment_type {
            query = query.filter(jobs::employment_type.eq(db_enum::to_db(employment)));
        }
        if let Some(location) = self.location.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
            let pattern =
                format!("%{}%", location.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            query = query.filter(sql::<Bool>("lower(jobs.location) LIKE ").bind::<Text, _>(pattern));
        }
        if let Some(salary) = self.salary_at_least {
            query =
                query.filter(sql::<Bool>("coalesce(jobs.salary_max, jobs.salary_min) >= ").bind::<Integer, _>(salary));
        }
        if let Some(posted_after) = self.posted_after {
            query = query.filter(jobs::posted_at.ge(posted_after.0));
        }
        if let Some(company) = &self.company_id {
            let Some(("Company", company)) = ids::decode(company).as_ref().map(|(kind, id)| (kind.as_str(), *id))
            else {
                return Err(ApiError::bad_user_input("`filter.companyId` is not a company id"));
            };
            query = query.filter(jobs::company_id.eq(company));
        }
        Ok(query)
    }

    /// Search text is parsed into a query whose cost grows with it; a
    /// search box never needs more than this.
    fn check_sizes(&self) -> Result<(), ApiError> {
        const MAX_QUERY_CHARS: usize = 500;
        const MAX_SKILLS: usize = 50;
        const MAX_TEXT_CHARS: usize = 200;
        if self.query.as_deref().is_some_and(|text| text.chars().count() > MAX_QUERY_CHARS) {
            return Err(ApiError::bad_user_input(format!("`filter.query` is at most {MAX_QUERY_CHARS} characters")));
        }
        if self.location.as_deref().is_some_and(|text| text.chars().count() > MAX_TEXT_CHARS) {
            return Err(ApiError::bad_user_input(format!("`filter.location` is at most {MAX_TEXT_CHARS} characters")));
        }
        if let Some(skills) = &self.skills {
            if skills.len() > MAX_SKILLS {
                return Err(ApiError::bad_user_input(format!("`filter.skills` holds at most {MAX_SKILLS} skills")));
            }
            if skills.iter().any(|skill| skill.chars().count() > MAX_TEXT_CHARS) {
                return Err(ApiError::bad_user_input(format!(
                    "each of `filter.skills` is at most {MAX_TEXT_CHARS} characters"
                )));
            }
        }
        Ok(())
    }

    fn search_text(&self) -> Option<&str> {
        self.query.as_deref().map(str::trim).filter(|text| !text.is_empty())
    }
}

/// One page of jobs, plus the rank of each when ordered by relevance.
async fn page_of_jobs(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    filter: &JobFilter,
    order: JobOrder,
    page: &Page<JobKey>,
    wanted: WantedRelations,
) -> Result<Vec<(JobRow, Option<f32>, FetchedRelations)>, ApiError> {
    let ascending = order.direction == OrderDirection::Asc;
    let text = filter.search_text().unwrap_or_default();
    let mut query = filter.query(viewer)?;
    // In the connection's order, `after` means "further along the list".
    let (past_after, before_before) = if ascending { (">", "<") } else { ("<", ">") };
    for (cursor, operator) in [(page.after, past_after), (page.before, before_before)] {
        if let Some(cursor) = cursor {
            query = query.filter(key_condition(order.field, text, cursor, operator)?);
        }
    }
    let reads_ascending = ascending == (page.direction == Direction::Forward);
    let direction = if reads_ascending { "ASC" } else { "DESC" };
    // The SQL type of an ORDER BY list is never read; Bool satisfies diesel.
    let ordered = match order.field {
        JobOrderField::PostedAt => query.order(sql::<Bool>(&format!("{POSTED_SQL} {direction}, jobs.id {direction}"))),
        JobOrderField::Salary => query.order(sql::<Bool>(&format!("{SALARY_SQL} {direction}, jobs.id {direction}"))),
        JobOrderField::Relevance => query.order(
            sql::<Bool>("ts_rank_cd(jobs.search, websearch_to_tsquery('english', ")
                .bind::<Text, _>(text.to_owned())
                .sql(&format!(")) {direction}, jobs.id {direction}")),
        ),
    };
    let rank: Box<dyn BoxableExpression<jobs::table, Pg, SqlType = Nullable<Float4>>> = match order.field {
        JobOrderField::Relevance => Box::new(ranked(text).nullable()),
        _ => Box::new(sql::<Nullable<Float4>>("NULL::real")),
    };
    let columns = (JobRow::as_select(), rank, wanted.columns(viewer));
    let limited = Limited::new(ordered.select(columns), page.kept_fetch_limit());
    Ok(limited.cached().load(conn).await?)
}

/// `(sort expression, id) <operator> (cursor)`; the cursor must come from
/// the same ordering.
fn key_condition(field: JobOrderField, text: &str, cursor: JobKey, operator: &str) -> Result<Condition, ApiError> {
    let tail = format!(", jobs.id) {operator} (");
    let condition: Condition = match (field, cursor.value) {
        (JobOrderField::PostedAt, KeyValue::Posted(at)) => Box::new(
            sql::<Bool>(&format!("({POSTED_SQL}{tail}"))
                .bind::<Timestamptz, _>(at)
                .sql(", ")
                .bind::<SqlUuid, _>(cursor.id)
                .sql(")"),
        ),
        (JobOrderField::Salary, KeyValue::Salary(salary)) => Box::new(
            sql::<Bool>(&format!("({SALARY_SQL}{tail}"))
                .bind::<Integer, _>(salary)
                .sql(", ")
                .bind::<SqlUuid, _>(cursor.id)
                .sql(")"),
        ),
        (JobOrderField::Relevance, KeyValue::Rank(rank)) => Box::new(
            sql::<Bool>("(ts_rank_cd(jobs.search, websearch_to_tsquery('english', ")
                .bind::<Text, _>(text.to_owned())
                .sql(&format!(")){tail}"))
                .bind::<Float4, _>(rank)
                .sql(", ")
                .bind::<SqlUuid, _>(cursor.id)
                .sql(")"),
        ),
        _ => return Err(ApiError::bad_user_input("The cursor belongs to another ordering of this list")),
    };
    Ok(condition)
}

fn key_of(field: JobOrderField, row: &JobRow, rank: Option<f32>) -> JobKey {
    let value = match field {
        JobOrderField::PostedAt => KeyValue::Posted(row.posted_at.unwrap_or(row.created_at)),
        JobOrderField::Salary => KeyValue::Salary(row.salary_max.or(row.salary_min).unwrap_or(-1)),
        JobOrderField::Relevance => KeyValue::Rank(rank.unwrap_or_default()),
    };
    JobKey { value, id: row.id }
}

/// The SQL of the match score for skills bound as `$skills`.
const FIT_SQL: &str = "coalesce(careergraph_match_score(jobs.required_skills, jobs.preferred_skills, ";

/// One page of open jobs ranked by how well `skills` cover them, best
/// first, ties newest first; each with its score.
async fn page_of_recommendations(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    skills: &[String],
    page: &Page<JobKey>,
) -> Result<Vec<(JobRow, i32)>, ApiError> {
    let mut query = JobFilter::default().query(viewer)?;
    let posted_id = format!(", {POSTED_SQL}, jobs.id) ");
    for (cursor, operator) in [(page.after, "<"), (page.before, ">")] {
        let Some(cursor) = cursor else { continue };
        let KeyValue::Fit(score, at) = cursor.value else {
            return Err(ApiError::bad_user_input("The cursor belongs to another list"));
        };
        let condition = sql::<Bool>("(")
            .sql(FIT_SQL)
            .bind::<Array<Text>, _>(skills.to_vec())
            .sql(&format!("), 0){posted_id}{operator} ("))
            .bind::<Integer, _>(score)
            .sql(", ")
            .bind::<Timestamptz, _>(at)
            .sql(", ")
            .bind::<SqlUuid, _>(cursor.id)
            .sql(")");
        query = query.filter(condition);
    }
    let direction = if page.direction == Direction::Forward { "DESC" } else { "ASC" };
    let order = sql::<Bool>(FIT_SQL)
        .bind::<Array<Text>, _>(skills.to_vec())
        .sql(&format!("), 0) {direction}, {POSTED_SQL} {direction}, jobs.id {direction}"));
    let score = sql::<Integer>(FIT_SQL).bind::<Array<Text>, _>(skills.to_vec()).sql("), 0)");
    Ok(query.order(order).select((JobRow::as_select(), score)).limit(page.fetch_limit()).load(conn).await?)
}

/// Reading jobs.
#[derive(Default)]
pub struct JobQuery;

#[Object]
impl JobQuery {
    /// A job by id; null with NOT_FOUND when it does not exist or is someone
    /// else's draft.
    async fn job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's global id.")] id: ID,
    ) -> Result<Option<Job>, ApiError> {
        let uuid = ids::decode_as(&id, Job::TYPE_NAME)?;
        Ok(Some(super::visible_job(ctx, uuid).await?.ok_or_else(|| ids::not_found(&id))?))
    }

    /// Searches jobs: open ones unless `filter.status` says otherwise,
    /// ordered by relevance when `filter.query` is given, else newest first.
    #[allow(clippy::too_many_arguments, reason = "GraphQL arguments")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions every job must meet.")] filter: Option<JobFilter>,
        #[graphql(desc = "The order; RELEVANCE needs `filter.query`.")] order_by: Option<JobOrder>,
        #[graphql(desc = "Returns the first n jobs after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns jobs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n jobs before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns jobs before this cursor.")] before: Option<String>,
    ) -> Result<JobConnection, ApiError> {
        let request = request(ctx);
        let filter = filter.unwrap_or_default();
        let order = order_by.unwrap_or(JobOrder {
            field: if filter.search_text().is_some() { JobOrderField::Relevance } else { JobOrderField::PostedAt },
            direction: OrderDirection::Desc,
        });
        if order.field == JobOrderField::Relevance && filter.search_text().is_none() {
            return Err(ApiError::bad_user_input("Ordering by RELEVANCE needs `filter.query`"));
        }
        let page = PageArgs { first, after, last, before }.page::<JobKey>()?;
        let viewer = request.viewer;
        let mut conn = request.db.conn().await?;
        let nodes = node_selection(ctx);
        let wanted = WantedRelations::selected(|field| nodes.has(field));
        let rows = page_of_jobs(&mut conn, &viewer, &filter, order, &page, wanted).await?;
        let (edges, more) = page.finish(rows, |(row, rank, _)| key_of(order.field, row, *rank));
        let db = request.db.clone();
        let total_count = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move {
                let query = filter.query(&viewer)?;
                let mut conn = db.conn().await?;
                Ok(query.count().get_result(&mut conn).await?)
            }
        });
        let edges = edges.into_iter().map(|(key, (row, _, related))| (key, wanted.job(row, related))).collect();
        Ok(JobConnection::new(edges, more, total_count))
    }

    /// Open jobs ranked by how well the signed-in user's profile skills
    /// cover them (`Job.match.score`, computed in SQL), best first.
    async fn recommended_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n jobs after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns jobs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n jobs before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns jobs before this cursor.")] before: Option<String>,
    ) -> Result<JobConnection, ApiError> {
        let request = request(ctx);
        let viewer = request.viewer;
        let me = viewer.require()?;
        let page = PageArgs { first, after, last, before }.page::<JobKey>()?;
        let skills: Vec<String> = crate::profile::loaders(ctx)
            .skills_by_user
            .load_one(me.user_id)
            .await?
            .unwrap_or_default()
            .iter()
            .map(|skill| skill.name.to_lowercase())
            .collect();
        let mut conn = request.db.conn().await?;
        let rows = page_of_recommendations(&mut conn, &viewer, &skills, &page).await?;
        let (edges, more) = page.finish(rows, |(row, score)| JobKey {
            value: KeyValue::Fit(*score, row.posted_at.unwrap_or(row.created_at)),
            id: row.id,
        });
        let db = request.db.clone();
        let total_count = TotalCount::new(move || {
            let db = db.clone();
            async move {
                let query = JobFilter::default().query(&viewer)?;
                let mut conn = db.conn().await?;
                Ok(query.count().get_result(&mut conn).await?)
            }
        });
        let edges = edges.into_iter().map(|(key, (row, _))| (key, Job::from(row))).collect();
        Ok(JobConnection::new(edges, more, total_count))
    }
}
