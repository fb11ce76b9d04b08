//! The `Job` type and how well a job matches the viewer's skills. Its
//! GraphQL fields reach into domains above `jobs`, so its object is
//! assembled in the roof (`crate::schema`'s `job` module).

use std::collections::HashSet;

use async_graphql::{Context, SimpleObject};

use super::{JobRow, NATIVE_SOURCE};
use crate::companies::CompanyRow;
use crate::context::request;
use crate::users::UserRow;

/// A job posting as the API shows it, with the relations read in the
/// statement that read it (boxed, and only when there are any: a job is
/// moved through every field's future).
#[derive(Clone)]
pub struct Job(pub JobRow, pub Option<Box<JobRelations>>);

/// A job's company and poster when the statement that read the job read
/// them too (`super::WantedRelations`); `None` leaves them to their
/// DataLoaders.
#[derive(Clone)]
pub struct JobRelations {
    pub company: Option<Option<CompanyRow>>,
    pub poster: Option<Option<UserRow>>,
}

impl From<JobRow> for Job {
    fn from(row: JobRow) -> Self {
        Self(row, None)
    }
}

impl Job {
    pub const TYPE_NAME: &'static str = "Job";

    /// Whether the viewer posted this job in careergraph (or is an admin).
    pub fn viewer_posted(&self, ctx: &Context<'_>) -> bool {
        request(ctx).viewer.signed_in().is_some_and(|me| {
            me.is_admin() || (self.0.posted_by_id == Some(me.user_id) && self.0.source == NATIVE_SOURCE)
        })
    }
}

/// How a candidate's skills fit a job. Required skills weigh twice as much
/// as preferred ones; names compare case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct JobMatch {
    /// 0 (no listed skill) to 100 (every listed skill).
    pub score: i32,
    /// The job's skills (required first, in the job's spelling) the candidate has.
    pub matched_skills: Vec<String>,
    /// The job's skills (required first, in the job's spelling) the candidate lacks.
    pub missing_skills: Vec<String>,
}

impl JobMatch {
    /// The match of `job` for someone with `skills`; None when the job lists none.
    pub fn between(job: &JobRow, skills: &[&str]) -> Option<Self> {
        let have: HashSet<String> = skills.iter().map(|skill| skill.to_lowercase()).collect();
        let mut seen = HashSet::new();
        let (mut earned, mut possible) = (0, 0);
        let (mut matched, mut missing) = (Vec::new(), Vec::new());
        let listed = job.required().map(|skill| (skill, 2)).chain(job.preferred().map(|skill| (skill, 1)));
        for (skill, weight) in listed {
            if !seen.insert(skill.to_lowercase()) {
                continue;
            }
            possible += weight;
            if have.contains(&skill.to_lowercase()) {
                earned += weight;
                matched.push(skill.to_owned());
            } else {
                missing.push(skill.to_owned());
            }
        }
        (possible > 0).then(|| Self {
            score: (earned * 100 + possible / 2) / possible,
            matched_skills: matched,
            missing_skills: missing,
        })
    }
}
