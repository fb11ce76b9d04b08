//! Analytics over the viewer's own data: the candidate's funnel, outcomes
//! and activity, the recruiter's pipeline, platform totals for admins, and
//! daily snapshots for trends. Every figure is one SQL statement, run only
//! when its field is selected.

mod metrics;
mod snapshot;

pub use snapshot::{AnalyticsMutations, snapshot_everyone};

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::NaiveDate;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::applications::ApplicationStatus;
use crate::auth::{Role, SignedIn};
use crate::context::request;
use crate::graphql::scalars::{Date, Json};
use crate::graphql::{ApiError, ErrorCode, db_enum, ids};
use crate::jobs::Job;

/// The `analytics` root field.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Figures over the signed-in viewer's own data.
    async fn analytics(&self, ctx: &Context<'_>) -> Result<Analytics, ApiError> {
        Ok(Analytics { me: *request(ctx).viewer.require()? })
    }
}

/// Figures over the viewer's own data. The candidate figures cover the
/// viewer's applications; `pipeline` is for recruiters, `platform` for admins.
pub struct Analytics {
    me: SignedIn,
}

/// How many applications are in one status.
#[derive(SimpleObject)]
pub struct FunnelStage {
    /// The status.
    pub status: ApplicationStatus,
    /// How many applications are in it now.
    pub count: i32,
}

/// What became of the applications the viewer sent.
#[derive(SimpleObject)]
pub struct Conversion {
    /// Applications sent.
    pub applied: i32,
    /// Sent applications the employer answered (screening, interview, offer or rejection).
    pub responded: i32,
    /// Sent applications that reached interviews (or had one scheduled).
    pub interviewed: i32,
    /// Sent applications that got an offer.
    pub offered: i32,
    /// responded / applied, from 0 to 1; null before anything is sent.
    pub response_rate: Option<f64>,
    /// interviewed / applied, from 0 to 1; null before anything is sent.
    pub interview_rate: Option<f64>,
    /// offered / applied, from 0 to 1; null before anything is sent.
    pub offer_rate: Option<f64>,
}

/// The viewer's activity in one week (Monday to Sunday, UTC).
#[derive(SimpleObject)]
pub struct WeekActivity {
    /// The Monday the week starts on.
    pub week_start: Date,
    /// Applications started (saved or sent directly) that week.
    pub new_applications: i32,
    /// Applications sent that week.
    pub applied: i32,
    /// Interviews scheduled to take place that week.
    pub interviews: i32,
    /// Offers received that week.
    pub offers: i32,
}

/// How much the jobs the viewer is pursuing ask for one skill.
#[derive(SimpleObject)]
pub struct SkillDemand {
    /// The skill, in the spelling most of those jobs use.
    pub skill: String,
    /// How many of the viewer's saved or applied-to jobs require it.
    pub required_by: i32,
    /// How many list it, as required or preferred.
    pub listed_by: i32,
    /// Whether the viewer's profile has it (ignoring case).
    pub viewer_has: bool,
}

/// One day's stored figures.
#[derive(SimpleObject)]
pub struct AnalyticsSnapshot {
    /// The day (UTC) the figures were taken.
    pub date: Date,
    /// The figures: `funnel`, `outcomes` and `medianDaysToFirstResponse`
    /// for everyone, `pipeline` for recruiters, `platform` for admins.
    pub metrics: Json,
}

fn rate(part: i32, whole: i32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

fn status(text: &str) -> Result<ApplicationStatus, ApiError> {
    db_enum::from_db(text).ok_or_else(|| ApiError::internal(std::io::Error::other(format!("unknown status {text}"))))
}

/// Figures over the viewer's own data. The candidate figures cover the
/// viewer's applications; `pipeline` is for recruiters, `platform` for admins.
#[Object]
impl Analytics {
    /// How many of the viewer's applications are in each status, every
    /// status listed (zeros included), in pipeline order.
    async fn application_funnel(&self, ctx: &Context<'_>) -> Result<Vec<FunnelStage>, ApiError> {
        let mut conn = request(ctx).db.conn().await?;
        let rows = metrics::funnel(&mut conn, self.me.user_id).await?;
        rows.into_iter().map(|row| Ok(FunnelStage { status: status(&row.status)?, count: row.count })).collect()
    }

    /// What became of the applications the viewer sent, from their timelines.
    async fn conversion(&self, ctx: &Context<'_>) -> Result<Conversion, ApiError> {
        let mut conn = request(ctx).db.conn().await?;
        let outcomes = metrics::outcomes(&mut conn, self.me.user_id).await?;
        Ok(Conversion {
            applied: outcomes.applied,
            responded: outcomes.responded,
            interviewed: outcomes.interviewed,
            offered: outcomes.offered,
            response_rate: rate(outcomes.responded, outcomes.applied),
            interview_rate: rate(outcomes.interviewed, outcomes.applied),
            offer_rate: rate(outcomes.offered, outcomes.applied),
        })
    }

    /// The median number of days from sending an application to the
    /// employer's first answer; null until an application is answered.
    async fn median_days_to_first_response(&self, ctx: &Context<'_>) -> Result<Option<f64>, ApiError> {
        let mut conn = request(ctx).db.conn().await?;
        metrics::median_days_to_first_response(&mut conn, self.me.user_id).await
    }

    /// The viewer's activity per week, oldest first, ending with this week;
    /// weeks without activity are listed with zeros.
    async fn weekly_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many weeks (1–104).", default = 12)] weeks: i32,
    ) -> Result<Vec<WeekActivity>, ApiError> {
        if !(1..=104).contains(&weeks) {
            return Err(ApiError::bad_user_input("weeks must be between 1 and 104"));
        }
        let mut conn = request(ctx).db.conn().await?;
        let rows = metrics::weekly_activity(&mut conn, self.me.user_id, weeks).await?;
        Ok(rows
            .into_iter()
            .map(|week| WeekActivity {
                week_start: week.week_start.into(),
                new_applications: week.new_applications,
                applied: week.applied,
                interviews: week.interviews,
                offers: week.offers,
            })
            .collect())
    }

    /// The skills most required by the jobs the viewer saved or applied to,
    /// and whether the viewer's profile has them.
    async fn skill_demand(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many skills (1–100).", default = 10)] limit: i32,
    ) -> Result<Vec<SkillDemand>, ApiError> {
        if !(1..=100).contains(&limit) {
            return Err(ApiError::bad_user_input("limit must be between 1 and 100"));
        }
        let mut conn = request(ctx).db.conn().await?;
        let rows = metrics::skill_demand(&mut conn, self.me.user_id, limit).await?;
        Ok(rows
            .into_iter()
            .map(|row| SkillDemand {
                skill: row.skill,
                required_by: row.required_by,
                listed_by: row.listed_by,
                viewer_has: row.viewer_has,
            })
            .collect())
    }

    /// The applicant pipeline of the jobs the viewer posted, or of one of
    /// them. For recruiters and admins (an admin may name any job);
    /// FORBIDDEN for candidates.
    async fn pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One job; all the viewer's jobs when omitted.")] job_id: Option<ID>,
    ) -> Result<Pipeline, ApiError> {
        if self.me.role == Role::Candidate {
            return Err(ApiError::new(ErrorCode::Forbidden, "The pipeline is for recruiters"));
        }
        let Some(id) = job_id else { return Ok(Pipeline::new(self.me.user_id, None)) };
        let uuid = ids::decode_as(&id, Job::TYPE_NAME)?;
        let job = crate::jobs::visible_row(ctx, uuid).await?.ok_or_else(|| ids::not_found(&id))?;
        match job.posted_by_id {
            Some(poster) if poster == self.me.user_id || self.me.is_admin() => Ok(Pipeline::new(poster, Some(uuid))),
            _ => Err(ApiError::new(ErrorCode::Forbidden, "Only the job's poster sees its pipeline")),
        }
    }

    /// Totals over the whole platform; FORBIDDEN for everyone but admins.
    async fn platform(&self, ctx: &Context<'_>) -> Result<PlatformTotals, ApiError> {
        if !self.me.is_admin() {
            return Err(ApiError::new(ErrorCode::Forbidden, "Platform totals are for admins"));
        }
        let mut conn = request(ctx).db.conn().await?;
        let totals = metrics::totals(&mut conn).await?;
        Ok(PlatformTotals {
            users: totals.users,
            candidates: totals.candidates,
            recruiters: totals.recruiters,
            jobs: totals.jobs,
            open_jobs: totals.open_jobs,
            applications: totals.applications,
            applications_sent: totals.applications_sent,
            resumes: totals.resumes,
        })
    }

    /// The viewer's stored daily snapshots (see `snapshotAnalytics`) of the
    /// last `days` days, oldest first.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many days back, today included (1–366).", default = 30)] days: i32,
    ) -> Result<Vec<AnalyticsSnapshot>, ApiError> {
        if !(1..=366).contains(&days) {
            return Err(ApiError::bad_user_input("days must be between 1 and 366"));
        }
        let mut conn = request(ctx).db.conn().await?;
        let rows: Vec<(NaiveDate, serde_json::Value)> = snapshot::history(&mut conn, self.me.user_id, days).await?;
        Ok(rows
            .into_iter()
            .map(|(date, metrics)| AnalyticsSnapshot { date: date.into(), metrics: Json(metrics) })
            .collect())
    }
}

/// Totals over the whole platform.
#[derive(SimpleObject)]
pub struct PlatformTotals {
    /// Live accounts.
    pub users: i32,
    /// Live candidate accounts.
    pub candidates: i32,
    /// Live recruiter accounts.
    pub recruiters: i32,
    /// Live jobs (drafts, open, closed; posted and imported).
    pub jobs: i32,
    /// Open jobs.
    pub open_jobs: i32,
    /// Live applications, saved ones included.
    pub applications: i32,
    /// Live applications that were sent.
    pub applications_sent: i32,
    /// Live resumes.
    pub resumes: i32,
}

/// A recruiter's applicant pipeline: over all their jobs, or one.
pub struct Pipeline {
    poster: Uuid,
    job: Option<Uuid>,
    stages: OnceCell<Vec<metrics::Stage>>,
}

impl Pipeline {
    fn new(poster: Uuid, job: Option<Uuid>) -> Self {
        Self { poster, job, stages: OnceCell::new() }
    }

    /// The stage figures, fetched once however many fields use them.
    async fn stage_rows(&self, ctx: &Context<'_>) -> Result<&[metrics::Stage], ApiError> {
        let rows = self
            .stages
            .get_or_try_init(|| async {
                let mut conn = request(ctx).db.conn().await?;
                metrics::stages(&mut conn, self.poster, self.job).await
            })
            .await?;
        Ok(rows)
    }
}

/// Applicants in one stage.
#[derive(SimpleObject)]
pub struct PipelineStage {
    /// The stage.
    pub status: ApplicationStatus,
    /// How many applicants are in it now.
    pub count: i32,
    /// The median days applicants who moved on spent in it; null until one has.
    pub median_days_in_stage: Option<f64>,
    /// The average interview score (1–4) of its applicants who have one
    /// (`Application.interviewReport.score`); null when none has.
    pub average_interview_score: Option<f64>,
}

/// How many applicants who reached one stage went on to the next.
#[derive(SimpleObject)]
pub struct StageConversion {
    /// The earlier stage.
    pub from: ApplicationStatus,
    /// The next stage.
    pub to: ApplicationStatus,
    /// Applicants who reached `from` (at any time, whatever came after).
    pub reached: i32,
    /// Of those, how many reached `to` (or beyond).
    pub advanced: i32,
    /// advanced / reached, from 0 to 1; null when nobody reached `from`.
    pub rate: Option<f64>,
}

/// Applicants who found the job through one source.
#[derive(SimpleObject)]
pub struct SourceCount {
    /// What the candidate gave as the source; null when they gave none.
    pub source: Option<String>,
    /// How many applicants.
    pub count: i32,
}

/// A recruiter's applicant pipeline: over all the jobs they posted, or one.
/// Only sent applications count (a saved one is the candidate's own).
#[Object]
impl Pipeline {
    /// Applicants (sent applications) in the pipeline.
    async fn applicants(&self, ctx: &Context<'_>) -> Result<i32, ApiError> {
        Ok(self.stage_rows(ctx).await?.iter().map(|stage| stage.count).sum())
    }

    /// Applicants per stage, every stage listed, in pipeline order.
    async fn stages(&self, ctx: &Context<'_>) -> Result<Vec<PipelineStage>, ApiError> {
        self.stage_rows(ctx)
            .await?
            .iter()
            .map(|stage| {
                Ok(PipelineStage {
                    status: status(&stage.status)?,
                    count: stage.count,
                    median_days_in_stage: stage.median_days_in_stage,
                    average_interview_score: stage.average_interview_score,
                })
            })
            .collect()
    }

    /// Conversion between consecutive forward stages: APPLIED → SCREENING →
    /// INTERVIEWING → OFFERED → ACCEPTED.
    async fn conversions(&self, ctx: &Context<'_>) -> Result<Vec<StageConversion>, ApiError> {
        let mut conn = request(ctx).db.conn().await?;
        let reached = metrics::reached(&mut conn, self.poster, self.job).await?;
        metrics::FORWARD_STAGES
            .windows(2)
            .zip(reached.windows(2))
            .map(|(stages, counts)| {
                Ok(StageConversion {
                    from: status(stages[0])?,
                    to: status(stages[1])?,
                    reached: counts[0],
                    advanced: counts[1],
                    rate: rate(counts[1], counts[0]),
                })
            })
            .collect()
    }

    /// Applicants by where they found the job, most first.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceCount>, ApiError> {
        let mut conn = request(ctx).db.conn().await?;
        let rows = metrics::sources(&mut conn, self.poster, self.job).await?;
        Ok(rows.into_iter().map(|row| SourceCount { source: row.source, count: row.count }).collect())
    }
}
