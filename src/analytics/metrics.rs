//! The analytics figures, each one SQL statement. Shared by the `analytics`
//! fields and by snapshots, so a stored day and a live figure agree.

use chrono::NaiveDate;
use diesel::sql_types::{Array, Double, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::graphql::ApiError;

pub use crate::applications::{SENT_STATUSES, STATUSES};

/// The forward stages a sent application passes through, in order.
pub const FORWARD_STAGES: [&str; 5] = ["APPLIED", "SCREENING", "INTERVIEWING", "OFFERED", "ACCEPTED"];

/// Statuses that show the employer answered (a rejection is an answer).
const RESPONSES: &str = "'SCREENING', 'INTERVIEWING', 'OFFERED', 'ACCEPTED', 'REJECTED'";

#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct StatusCount {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub count: i32,
}

/// How many of the candidate's live applications are in each status.
pub async fn funnel(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Vec<StatusCount>, ApiError> {
    Ok(sql_query(
        "SELECT s.status, count(a.id)::int4 AS count
         FROM unnest($2::text[]) WITH ORDINALITY AS s (status, ord)
         LEFT JOIN applications a ON a.status = s.status AND a.user_id = $1 AND a.deleted_at IS NULL
         GROUP BY s.status, s.ord
         ORDER BY s.ord",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Array<Text>, _>(STATUSES.to_vec())
    .load(conn)
    .await?)
}

/// Of the applications sent, how many got an answer, an interview, an offer.
#[derive(Debug, Clone, Copy, Serialize, QueryableByName)]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    #[diesel(sql_type = Integer)]
    pub applied: i32,
    #[diesel(sql_type = Integer)]
    pub responded: i32,
    #[diesel(sql_type = Integer)]
    pub interviewed: i32,
    #[diesel(sql_type = Integer)]
    pub offered: i32,
}

/// What happened to the candidate's sent applications, from their timelines:
/// an application that was interviewed and then rejected still counts as
/// interviewed.
pub async fn outcomes(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Outcomes, ApiError> {
    Ok(sql_query(format!(
        "WITH sent AS (
             SELECT a.id,
                    coalesce(bool_or(e.to_status IN ({RESPONSES})), false) AS responded,
                    coalesce(bool_or(e.to_status IN ('INTERVIEWING', 'OFFERED', 'ACCEPTED')), false)
                        OR EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id) AS interviewed,
                    coalesce(bool_or(e.to_status IN ('OFFERED', 'ACCEPTED')), false) AS offered
             FROM applications a
             LEFT JOIN application_events e
                    ON e.application_id = a.id AND e.kind IN ('CREATED', 'STATUS_CHANGED')
             WHERE a.user_id = $1 AND a.deleted_at IS NULL AND a.applied_at IS NOT NULL
             GROUP BY a.id)
         SELECT count(*)::int4 AS applied,
                count(*) FILTER (WHERE responded)::int4 AS responded,
                count(*) FILTER (WHERE interviewed)::int4 AS interviewed,
                count(*) FILTER (WHERE offered)::int4 AS offered
         FROM sent"
    ))
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Median {
    #[diesel(sql_type = Nullable<Double>)]
    days: Option<f64>,
}

/// The median number of days from sending an application to the employer's
/// first answer, over the applications that got one.
pub async fn median_days_to_first_response(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Option<f64>, ApiError> {
    let median: Median = sql_query(format!(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS days
         FROM (SELECT extract(epoch FROM min(e.occurred_at) - a.applied_at)::float8 / 86400 AS days
               FROM applications a
               JOIN application_events e
                 ON e.application_id = a.id AND e.kind = 'STATUS_CHANGED'
                AND e.to_status IN ({RESPONSES}) AND e.occurred_at >= a.applied_at
               WHERE a.user_id = $1 AND a.deleted_at IS NULL AND a.applied_at IS NOT NULL
               GROUP BY a.id, a.applied_at) AS firsts"
    ))
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await?;
    Ok(median.days)
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Week {
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub week_start: NaiveDate,
    #[diesel(sql_type = Integer)]
    pub new_applications: i32,
    #[diesel(sql_type = Integer)]
    pub applied: i32,
    #[diesel(sql_type = Integer)]
    pub interviews: i32,
    #[diesel(sql_type = Integer)]
    pub offers: i32,
}

/// The candidate's activity in each of the last `weeks` weeks (Monday to
/// Sunday, UTC), oldest first, weeks without activity included.
pub async fn weekly_activity(conn: &mut AsyncPgConnection, user: Uuid, weeks: i32) -> Result<Vec<Week>, ApiError> {
    Ok(sql_query(
        "WITH weeks AS (
             SELECT generate_series(
                        date_trunc('week', now() AT TIME ZONE 'UTC') - ($2 - 1) * interval '1 week',
                        date_trunc('week', now() AT TIME ZONE 'UTC'),
                        interval '1 week') AS starts),
         mine AS (
             SELECT id, created_at AT TIME ZONE 'UTC' AS created, applied_at AT TIME ZONE 'UTC' AS applied
             FROM applications WHERE user_id = $1 AND deleted_at IS NULL)
         SELECT w.starts::date AS week_start,
                (SELECT count(*) FROM mine
                  WHERE mine.created >= w.starts AND mine.created < w.starts + interval '1 week')::int4
                    AS new_applications,
                (SELECT count(*) FROM mine
                  WHERE mine.applied >= w.starts AND mine.applied < w.starts + interval '1 week')::int4 AS applied,
                (SELECT count(*) FROM interviews i JOIN mine ON mine.id = i.application_id
                  WHERE i.scheduled_at AT TIME ZONE 'UTC' >= w.starts
                    AND i.scheduled_at AT TIME ZONE 'UTC' < w.starts + interval '1 week')::int4 AS interviews,
                (SELECT count(*) FROM application_events e JOIN mine ON mine.id = e.application_id
                  WHERE e.kind = 'STATUS_CHANGED' AND e.to_status = 'OFFERED'
                    AND e.occurred_at AT TIME ZONE 'UTC' >= w.starts
                    AND e.occurred_at AT TIME ZONE 'UTC' < w.starts + interval '1 week')::int4 AS offers
         FROM weeks w
         ORDER BY w.starts",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Integer, _>(weeks)
    .load(conn)
    .await?)
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Demand {
    #[diesel(sql_type = Text)]
    pub skill: String,
    #[diesel(sql_type = Integer)]
    pub required_by: i32,
    #[diesel(sql_type = Integer)]
    pub listed_by: i32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub viewer_has: bool,
}

/// The skills most asked for by the jobs the candidate saved or applied to.
pub async fn skill_demand(conn: &mut AsyncPgConnection, user: Uuid, limit: i32) -> Result<Vec<Demand>, ApiError> {
    Ok(sql_query(
        "WITH mine AS (
             SELECT DISTINCT job_id FROM applications WHERE user_id = $1 AND deleted_at IS NULL),
         listed AS (
             SELECT j.id, btrim(s.skill) AS skill, s.required
             FROM mine
             JOIN jobs j ON j.id = mine.job_id AND j.deleted_at IS NULL
             CROSS JOIN LATERAL (
                 SELECT skill, true AS required FROM unnest(j.required_skills) AS skill
                 UNION ALL
                 SELECT skill, false FROM unnest(j.preferred_skills) AS skill) AS s
             WHERE btrim(s.skill) <> ''),
         grouped AS (
             SELECT lower(skill) AS key,
                    mode() WITHIN GROUP (ORDER BY skill) AS skill,
                    count(DISTINCT id) FILTER (WHERE required)::int4 AS required_by,
                    count(DISTINCT id)::int4 AS listed_by
             FROM listed
             GROUP BY lower(skill))
         SELECT g.skill, g.required_by, g.listed_by,
                EXISTS (SELECT 1 FROM skills k
                        WHERE k.user_id = $1 AND k.deleted_at IS NULL AND lower(k.name) = g.key) AS viewer_has
         FROM grouped g
         ORDER BY g.required_by DESC, g.listed_by DESC, g.key
         LIMIT $2",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Integer, _>(limit)
    .load(conn)
    .await?)
}

/// Which applications a recruiter pipeline covers: those sent to the jobs
/// `poster` posted, or to one of them.
const PIPELINE_SCOPE: &str = "scope AS (
    SELECT a.id, a.status, a.source, a.interview_score
    FROM applications a
    JOIN jobs j ON j.id = a.job_id
    WHERE j.posted_by_id = $1 AND ($2::uuid IS NULL OR j.id = $2)
      AND j.source = 'careergraph'
      AND a.deleted_at IS NULL AND a.applied_at IS NOT NULL)";

#[derive(Debug, Clone, Serialize, QueryableByName)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub count: i32,
    #[diesel(sql_type = Nullable<Double>)]
    pub median_days_in_stage: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub average_interview_score: Option<f64>,
}

/// Applicants per stage, with the median days spent in each stage by the
/// applicants who have left it and the average interview score of those
/// scored.
pub async fn stages(conn: &mut AsyncPgConnection, poster: Uuid, job: Option<Uuid>) -> Result<Vec<Stage>, ApiError> {
    Ok(sql_query(format!(
        "WITH {PIPELINE_SCOPE},
         moves AS (
             SELECT e.to_status, e.occurred_at,
                    lead(e.occurred_at) OVER (PARTITION BY e.application_id ORDER BY e.occurred_at, e.id) AS left_at
             FROM application_events e
             JOIN scope ON scope.id = e.application_id
             WHERE e.kind IN ('CREATED', 'STATUS_CHANGED') AND e.to_status IS NOT NULL),
         stays AS (
             SELECT to_status AS status,
                    percentile_cont(0.5) WITHIN GROUP (
                        ORDER BY extract(epoch FROM left_at - occurred_at)::float8 / 86400) AS median_days
             FROM moves WHERE left_at IS NOT NULL
             GROUP BY to_status),
         counts AS (SELECT status, count(*) AS count, avg(interview_score) AS average_interview_score
                    FROM scope GROUP BY status)
         SELECT s.status, coalesce(c.count, 0)::int4 AS count, st.median_days AS median_days_in_stage,
                c.average_interview_score
         FROM unnest($3::text[]) WITH ORDINALITY AS s (status, ord)
         LEFT JOIN counts c ON c.status = s.status
         LEFT JOIN stays st ON st.status = s.status
         ORDER BY s.ord"
    ))
    .bind::<SqlUuid, _>(poster)
    .bind::<Nullable<SqlUuid>, _>(job)
    .bind::<Array<Text>, _>(SENT_STATUSES.to_vec())
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Reached {
    #[diesel(sql_type = Array<Integer>)]
    counts: Vec<i32>,
}

/// How many applicants reached each forward stage (at some point: an
/// applicant interviewed and then rejected reached INTERVIEWING), in
/// [`FORWARD_STAGES`] order.
pub async fn reached(conn: &mut AsyncPgConnection, poster: Uuid, job: Option<Uuid>) -> Result<Vec<i32>, ApiError> {
    let row: Reached = sql_query(format!(
        "WITH {PIPELINE_SCOPE},
         furthest AS (
             SELECT e.application_id, max(array_position($3::text[], e.to_status)) AS rank
             FROM application_events e
             JOIN scope ON scope.id = e.application_id
             WHERE e.kind IN ('CREATED', 'STATUS_CHANGED')
             GROUP BY e.application_id)
         SELECT array_agg((SELECT count(*) FROM furthest WHERE rank >= n)::int4 ORDER BY n) AS counts
         FROM generate_series(1, cardinality($3::text[])) AS n"
    ))
    .bind::<SqlUuid, _>(poster)
    .bind::<Nullable<SqlUuid>, _>(job)
    .bind::<Array<Text>, _>(FORWARD_STAGES.to_vec())
    .get_result(conn)
    .await?;
    Ok(row.counts)
}

#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct SourceCount {
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    #[diesel(sql_type = Integer)]
    pub count: i32,
}

/// Applicants by where they found the job, most first.
pub async fn sources(
    conn: &mut AsyncPgConnection,
    poster: Uuid,
    job: Option<Uuid>,
) -> Result<Vec<SourceCount>, ApiError> {
    Ok(sql_query(format!(
        "WITH {PIPELINE_SCOPE}
         SELECT source, count(*)::int4 AS count FROM scope GROUP BY source ORDER BY count DESC, source NULLS LAST"
    ))
    .bind::<SqlUuid, _>(poster)
    .bind::<Nullable<SqlUuid>, _>(job)
    .load(conn)
    .await?)
}

/// Platform-wide totals, for admins.
#[derive(Debug, Clone, Copy, Serialize, QueryableByName)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    #[diesel(sql_type = Integer)]
    pub users: i32,
    #[diesel(sql_type = Integer)]
    pub candidates: i32,
    #[diesel(sql_type = Integer)]
    pub recruiters: i32,
    #[diesel(sql_type = Integer)]
    pub jobs: i32,
    #[diesel(sql_type = Integer)]
    pub open_jobs: i32,
    #[diesel(sql_type = Integer)]
    pub applications: i32,
    #[diesel(sql_type = Integer)]
    pub applications_sent: i32,
    #[diesel(sql_type = Integer)]
    pub resumes: i32,
}

pub async fn totals(conn: &mut AsyncPgConnection) -> Result<Totals, ApiError> {
    Ok(sql_query(
        "SELECT u.users, u.candidates, u.recruiters, j.jobs, j.open_jobs, a.applications, a.applications_sent,
                r.resumes
         FROM (SELECT count(*)::int4 AS users,
                      count(*) FILTER (WHERE role = 'CANDIDATE')::int4 AS candidates,
                      count(*) FILTER (WHERE role = 'RECRUITER')::int4 AS recruiters
               FROM users WHERE deleted_at IS NULL) AS u,
              (SELECT count(*)::int4 AS jobs, count(*) FILTER (WHERE status = 'OPEN')::int4 AS open_jobs
               FROM jobs WHERE deleted_at IS NULL) AS j,
              (SELECT count(*)::int4 AS applications,
                      count(*) FILTER (WHERE applied_at IS NOT NULL)::int4 AS applications_sent
               FROM applications WHERE deleted_at IS NULL) AS a,
              (SELECT count(*)::int4 AS resumes FROM resumes WHERE deleted_at IS NULL) AS r",
    )
    .get_result(conn)
    .await?)
}
