//! The profile loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::experiences::AchievementsByExperience;
use super::{certifications, educations, experiences, projects, skills};
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The profile loaders of one request.
pub struct Loaders {
    /// Each user's work experiences.
    pub experiences_by_user: DataLoader<experiences::ByUser>,
    /// Work experiences by id.
    pub experiences: DataLoader<experiences::ById>,
    /// Each work experience's achievements.
    pub achievements: DataLoader<AchievementsByExperience>,
    /// Each user's educations.
    pub educations_by_user: DataLoader<educations::ByUser>,
    /// Educations by id.
    pub educations: DataLoader<educations::ById>,
    /// Each user's certifications.
    pub certifications_by_user: DataLoader<certifications::ByUser>,
    /// Certifications by id.
    pub certifications: DataLoader<certifications::ById>,
    /// Each user's skills.
    pub skills_by_user: DataLoader<skills::ByUser>,
    /// Skills by id.
    pub skills: DataLoader<skills::ById>,
    /// Each user's projects.
    pub projects_by_user: DataLoader<projects::ByUser>,
    /// Projects by id.
    pub projects: DataLoader<projects::ById>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self {
            experiences_by_user: batched(experiences::ByUser::new(db.clone(), viewer), batching),
            experiences: batched(experiences::ById::new(db.clone(), viewer), batching),
            achievements: batched(AchievementsByExperience::new(db.clone(), viewer), batching),
            educations_by_user: batched(educations::ByUser::new(db.clone(), viewer), batching),
            educations: batched(educations::ById::new(db.clone(), viewer), batching),
            certifications_by_user: batched(certifications::ByUser::new(db.clone(), viewer), batching),
            certifications: batched(certifications::ById::new(db.clone(), viewer), batching),
            skills_by_user: batched(skills::ByUser::new(db.clone(), viewer), batching),
            skills: batched(skills::ById::new(db.clone(), viewer), batching),
            projects_by_user: batched(projects::ByUser::new(db.clone(), viewer), batching),
            projects: batched(projects::ById::new(db.clone(), viewer), batching),
        }
    }
}

/// The profile loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
