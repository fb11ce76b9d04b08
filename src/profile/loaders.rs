//! The profile loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{
    AchievementsByExperience, CertificationById, CertificationsByUser, EducationById, EducationsByUser, ExperienceById,
    ExperiencesByUser, ProjectById, ProjectsByUser, SkillById, SkillsByUser,
};
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The profile loaders of one request.
pub struct Loaders {
    /// Each user's work experiences.
    pub experiences_by_user: DataLoader<ExperiencesByUser>,
    /// Work experiences by id.
    pub experiences: DataLoader<ExperienceById>,
    /// Each work experience's achievements.
    pub achievements: DataLoader<AchievementsByExperience>,
    /// Each user's educations.
    pub educations_by_user: DataLoader<EducationsByUser>,
    /// Educations by id.
    pub educations: DataLoader<EducationById>,
    /// Each user's certifications.
    pub certifications_by_user: DataLoader<CertificationsByUser>,
    /// Certifications by id.
    pub certifications: DataLoader<CertificationById>,
    /// Each user's skills.
    pub skills_by_user: DataLoader<SkillsByUser>,
    /// Skills by id.
    pub skills: DataLoader<SkillById>,
    /// Each user's projects.
    pub projects_by_user: DataLoader<ProjectsByUser>,
    /// Projects by id.
    pub projects: DataLoader<ProjectById>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self {
            experiences_by_user: batched(ExperiencesByUser::new(db.clone(), viewer), batching),
            experiences: batched(ExperienceById::new(db.clone(), viewer), batching),
            achievements: batched(AchievementsByExperience::new(db.clone(), viewer), batching),
            educations_by_user: batched(EducationsByUser::new(db.clone(), viewer), batching),
            educations: batched(EducationById::new(db.clone(), viewer), batching),
            certifications_by_user: batched(CertificationsByUser::new(db.clone(), viewer), batching),
            certifications: batched(CertificationById::new(db.clone(), viewer), batching),
            skills_by_user: batched(SkillsByUser::new(db.clone(), viewer), batching),
            skills: batched(SkillById::new(db.clone(), viewer), batching),
            projects_by_user: batched(ProjectsByUser::new(db.clone(), viewer), batching),
            projects: batched(ProjectById::new(db.clone(), viewer), batching),
        }
    }
}

/// The profile loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
