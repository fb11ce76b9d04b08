//! An application's interview report: per competency the weighted average
//! rating across the latest submitted revision of every scorecard, each
//! interviewer's recommendation, and the competencies the job's kits name
//! that no scorecard rated. Only the job's poster and admins get one.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::interviews::Interview;
use super::loaders;
use super::scorecards::{Rating, RatingEntry, Scorecard, ScorecardRow, current_scorecards, weighted_average};
use crate::auth::Viewer;
use crate::db::tables::{applications, interview_kits, interview_questions, jobs};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::ApiError;
use crate::graphql::scalars::DateTime;
use crate::jobs::NATIVE_SOURCE;
use crate::users::User;

/// What a report is made of.
#[derive(Debug, Clone)]
pub struct InterviewReport {
    /// The latest submitted revision of each scorecard, by interview and
    /// interviewer.
    scorecards: Vec<ScorecardRow>,
    /// Their ratings, read from the scorecards' JSON once.
    entries: Vec<RatingEntry>,
    /// The competencies the job's live kits name, as first spelled.
    kit_competencies: Vec<String>,
}

/// Whether two spellings name one competency (case-insensitively, in any script).
fn same_competency(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// The ratings of one competency across an application's scorecards.
#[derive(SimpleObject)]
pub struct CompetencyScore {
    /// The competency, as its first rated question spelled it.
    pub competency: String,
    /// The weighted average rating, from 1 (STRONG_NO) to 4 (STRONG_YES).
    pub score: f64,
    /// How many ratings went into it.
    pub rating_count: i32,
    /// The sum of their weights.
    pub total_weight: i32,
}

/// One interviewer's recommendation from one interview.
pub struct InterviewerRecommendation(ScorecardRow);

/// What one interviewer recommended after one interview.
#[Object]
impl InterviewerRecommendation {
    /// Who recommended it (their public profile).
    async fn interviewer(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let row = crate::users::loaders(ctx).users.load_one(self.0.interviewer_id).await?;
        Ok(row.map(|row| User::seen_by(row, &crate::context::request(ctx).viewer)))
    }

    /// The interview it came from.
    async fn interview(&self, ctx: &Context<'_>) -> Result<Option<Interview>, ApiError> {
        Ok(loaders(ctx).interviews.load_one(self.0.interview_id).await?.map(Interview))
    }

    /// The recommendation.
    async fn recommendation(&self) -> Option<Rating> {
        self.0.recommendation.and_then(Rating::from_value)
    }

    /// When the scorecard was submitted.
    async fn submitted_at(&self) -> Option<DateTime> {
        self.0.submitted_at.map(DateTime)
    }

    /// The scorecard (its latest submitted revision).
    async fn scorecard(&self) -> Scorecard {
        Scorecard(self.0.clone())
    }
}

/// How an applicant did across their interviews, from the submitted
/// scorecards. Seen only by the job's poster and admins.
#[Object]
impl InterviewReport {
    /// The weighted average of every rating (1–4): what
    /// `Job.applicants(orderBy: { field: INTERVIEW_SCORE })` ranks by; null
    /// until a scorecard with ratings is submitted.
    async fn score(&self) -> Option<f64> {
        weighted_average(&self.entries)
    }

    /// How many scorecards were submitted (each interviewer's latest
    /// revision per interview).
    async fn scorecard_count(&self) -> i32 {
        i32::try_from(self.scorecards.len()).unwrap_or(i32::MAX)
    }

    /// Per competency the weighted average rating, highest first (ties by name).
    async fn competencies(&self) -> Vec<CompetencyScore> {
        let mut groups: Vec<(String, Vec<&RatingEntry>)> = Vec::new();
        for entry in &self.entries {
            match groups.iter_mut().find(|(name, _)| same_competency(name, &entry.competency)) {
                Some((_, entries)) => entries.push(entry),
                None => groups.push((entry.competency.clone(), vec![entry])),
            }
        }
        let mut scores: Vec<CompetencyScore> = groups
            .into_iter()
            .filter_map(|(competency, entries)| {
                Some(CompetencyScore {
                    score: weighted_average(entries.iter().copied())?,
                    rating_count: i32::try_from(entries.len()).unwrap_or(i32::MAX),
                    total_weight: entries.iter().map(|entry| entry.weight).sum(),
                    competency,
                })
            })
            .collect();
        scores.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.competency.cmp(&b.competency)));
        scores
    }

    /// Each interviewer's recommendation per interview, in order of submission.
    async fn recommendations(&self) -> Vec<InterviewerRecommendation> {
        let mut rows = self.scorecards.clone();
        rows.sort_by_key(|row| (row.submitted_at, row.id));
        rows.into_iter().map(InterviewerRecommendation).collect()
    }

    /// The competencies the job's interview kits name that no submitted
    /// scorecard rated: what is still to be assessed.
    async fn gaps(&self) -> Vec<String> {
        let rated =
            |competency: &String| self.entries.iter().any(|entry| same_competency(&entry.competency, competency));
        self.kit_competencies.iter().filter(|competency| !rated(competency)).cloned().collect()
    }
}

/// Loads the reports of many applications: only of applications to jobs the
/// viewer posted in careergraph (any for an admin), in three statements
/// however many there are.
pub struct Reports {
    db: Db,
    viewer: Viewer,
}

impl Reports {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for Reports {
    type Value = InterviewReport;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, InterviewReport>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let mut query = applications::table
            .inner_join(jobs::table)
            .filter(applications::id.one_of(keys))
            .filter(applications::deleted_at.is_null())
            .filter(applications::applied_at.is_not_null())
            .filter(jobs::source.eq(NATIVE_SOURCE))
            .into_boxed();
        if !me.is_admin() {
            query = query.filter(jobs::posted_by_id.eq(me.user_id)).filter(applications::user_id.ne(me.user_id));
        }
        let scoped: Vec<(Uuid, Uuid)> =
            query.select((applications::id, applications::job_id)).cached().load(&mut conn).await?;
        if scoped.is_empty() {
            return Ok(HashMap::new());
        }
        let applications: Vec<Uuid> = scoped.iter().map(|(application, _)| *application).collect();
        let jobs: Vec<Uuid> = scoped.iter().map(|(_, job)| *job).collect();
        let scorecards = current_scorecards(&mut conn, &applications).await?;
        let competencies: Vec<(Uuid, String)> = interview_questions::table
            .inner_join(interview_kits::table)
            .filter(interview_kits::job_id.one_of(jobs))
            .filter(interview_kits::deleted_at.is_null())
            .order((interview_kits::created_at, interview_kits::id, interview_questions::position))
            .select((interview_kits::job_id, interview_questions::competency))
            .cached()
            .load(&mut conn)
            .await?;
        // Each job's competencies once, as first spelled.
        let mut by_job: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (job, competency) in competencies {
            let names = by_job.entry(job).or_default();
            if !names.iter().any(|known| same_competency(known, &competency)) {
                names.push(competency);
            }
        }
        let mut reports: HashMap<Uuid, InterviewReport> = scoped
            .into_iter()
            .map(|(application, job)| {
                let kit_competencies = by_job.get(&job).cloned().unwrap_or_default();
                (application, InterviewReport { scorecards: Vec::new(), entries: Vec::new(), kit_competencies })
            })
            .collect();
        for row in scorecards {
            if let Some(report) = reports.get_mut(&row.application_id) {
                report.entries.extend(row.entries());
                report.scorecards.push(row);
            }
        }
        Ok(reports)
    }
}

#[cfg(test)]
mod tests {
    use super::same_competency;

    #[test]
    fn competencies_match_whatever_their_case_in_any_script() {
        assert!(same_competency("Rust", "rust"));
        assert!(same_competency("ÜBERBLICK", "überblick"));
        assert!(same_competency("Σύνθεση", "σύνθεση"));
        assert!(!same_competency("Rust", "Rusty"));
        assert!(!same_competency("Go", "Rust"));
    }
}
