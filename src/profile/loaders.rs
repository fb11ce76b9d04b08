//! The profile loaders of one request: one DataLoader per relation, made on its
//! first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::experiences::AchievementsByExperience;
use super::{certifications, educations, experiences, projects, skills};
use crate::context::{Lazy, LoaderSeed};

/// The profile loaders of one request.
pub struct Loaders {
    /// Each user's work experiences.
    pub experiences_by_user: Lazy<experiences::ByUser>,
    /// Work experiences by id.
    pub experiences: Lazy<experiences::ById>,
    /// Each work experience's achievements.
    pub achievements: Lazy<AchievementsByExperience>,
    /// Each user's educations.
    pub educations_by_user: Lazy<educations::ByUser>,
    /// Educations by id.
    pub educations: Lazy<educations::ById>,
    /// Each user's certifications.
    pub certifications_by_user: Lazy<certifications::ByUser>,
    /// Certifications by id.
    pub certifications: Lazy<certifications::ById>,
    /// Each user's skills.
    pub skills_by_user: Lazy<skills::ByUser>,
    /// Skills by id.
    pub skills: Lazy<skills::ById>,
    /// Each user's projects.
    pub projects_by_user: Lazy<projects::ByUser>,
    /// Projects by id.
    pub projects: Lazy<projects::ById>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self {
            experiences_by_user: Lazy::new(seed, |s| experiences::ByUser::new(s.db.clone(), s.viewer)),
            experiences: Lazy::new(seed, |s| experiences::ById::new(s.db.clone(), s.viewer)),
            achievements: Lazy::new(seed, |s| AchievementsByExperience::new(s.db.clone(), s.viewer)),
            educations_by_user: Lazy::new(seed, |s| educations::ByUser::new(s.db.clone(), s.viewer)),
            educations: Lazy::new(seed, |s| educations::ById::new(s.db.clone(), s.viewer)),
            certifications_by_user: Lazy::new(seed, |s| certifications::ByUser::new(s.db.clone(), s.viewer)),
            certifications: Lazy::new(seed, |s| certifications::ById::new(s.db.clone(), s.viewer)),
            skills_by_user: Lazy::new(seed, |s| skills::ByUser::new(s.db.clone(), s.viewer)),
            skills: Lazy::new(seed, |s| skills::ById::new(s.db.clone(), s.viewer)),
            projects_by_user: Lazy::new(seed, |s| projects::ByUser::new(s.db.clone(), s.viewer)),
            projects: Lazy::new(seed, |s| projects::ById::new(s.db.clone(), s.viewer)),
        }
    }
}

/// The profile loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
