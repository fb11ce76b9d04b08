//! What each request carries into the resolvers.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::RequestId;
use crate::applications::{
    ApplicationCounts, ApplicationLoader, FirstEvents, InterviewLoader, InterviewsByApplication, ViewerApplications,
};
use crate::auth::{Auth, Viewer};
use crate::companies::CompanyLoader;
use crate::db::Db;
use crate::jobs::{JobLoader, ViewerBookmarks};
use crate::profile::{
    AchievementsByExperience, CertificationById, CertificationsByUser, EducationById, EducationsByUser, ExperienceById,
    ExperiencesByUser, ProjectById, ProjectsByUser, SkillById, SkillsByUser,
};
use crate::resumes::{LatestVersions, LetterLoader, ResumeLoader, VersionLoader, VersionsByNumber, ViewerLetters};
use crate::users::UserLoader;

/// Per-request state. Made fresh for every request, never shared.
#[derive(Clone)]
pub struct RequestContext {
    /// The pool as this request uses it (statements are counted per request).
    pub db: Db,
    pub request_id: RequestId,
    pub viewer: Viewer,
    pub auth: Arc<Auth>,
    /// The client's address, for rate limits.
    pub client_address: IpAddr,
    pub user_agent: Option<String>,
}

/// Every relation's DataLoader, created per request so that cached rows never
/// outlive the request (stale data) or cross to another viewer (leaked
/// authorization). Loaders that apply authorization carry the viewer.
pub struct Loaders {
    pub companies: DataLoader<CompanyLoader>,
    pub users: DataLoader<UserLoader>,
    /// Separate instances per relation, so each relation is one statement
    /// whatever the timing: one instance's batches can merge or split with
    /// the timing of the paths sharing it.
    pub applicants: DataLoader<UserLoader>,
    pub event_actors: DataLoader<UserLoader>,
    pub jobs: DataLoader<JobLoader>,
    pub viewer_bookmarks: DataLoader<ViewerBookmarks>,
    pub applications: DataLoader<ApplicationLoader>,
    pub viewer_applications: DataLoader<ViewerApplications>,
    pub application_counts: DataLoader<ApplicationCounts>,
    pub first_events: DataLoader<FirstEvents>,
    pub interviews: DataLoader<InterviewLoader>,
    pub resumes: DataLoader<ResumeLoader>,
    pub resume_versions: DataLoader<VersionLoader>,
    pub latest_versions: DataLoader<LatestVersions>,
    pub versions_by_number: DataLoader<VersionsByNumber>,
    pub cover_letters: DataLoader<LetterLoader>,
    pub viewer_letters: DataLoader<ViewerLetters>,
    pub interviews_by_application: DataLoader<InterviewsByApplication>,
    pub experiences_by_user: DataLoader<ExperiencesByUser>,
    pub experiences: DataLoader<ExperienceById>,
    pub achievements: DataLoader<AchievementsByExperience>,
    pub educations_by_user: DataLoader<EducationsByUser>,
    pub educations: DataLoader<EducationById>,
    pub certifications_by_user: DataLoader<CertificationsByUser>,
    pub certifications: DataLoader<CertificationById>,
    pub skills_by_user: DataLoader<SkillsByUser>,
    pub skills: DataLoader<SkillById>,
    pub projects_by_user: DataLoader<ProjectsByUser>,
    pub projects: DataLoader<ProjectById>,
}

/// A loader that gathers keys for `window` before running its statement.
fn batched<T: Send + Sync + 'static>(loader: T, window: Duration) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(window)
}

impl Loaders {
    /// Every loader gathers keys for `window` before running its statement.
    pub fn new(db: &Db, viewer: Viewer, window: Duration) -> Self {
        Self {
            companies: batched(CompanyLoader::new(db.clone()), window),
            users: batched(UserLoader::new(db.clone(), viewer), window),
            applicants: batched(UserLoader::new(db.clone(), viewer), window),
            event_actors: batched(UserLoader::new(db.clone(), viewer), window),
            jobs: batched(JobLoader::new(db.clone(), viewer), window),
            viewer_bookmarks: batched(ViewerBookmarks::new(db.clone(), viewer), window),
            applications: batched(ApplicationLoader::new(db.clone(), viewer), window),
            viewer_applications: batched(ViewerApplications::new(db.clone(), viewer), window),
            application_counts: batched(ApplicationCounts::new(db.clone(), viewer), window),
            first_events: batched(FirstEvents::new(db.clone()), window),
            interviews: batched(InterviewLoader::new(db.clone(), viewer), window),
            resumes: batched(ResumeLoader::new(db.clone(), viewer), window),
            resume_versions: batched(VersionLoader::new(db.clone(), viewer), window),
            latest_versions: batched(LatestVersions::new(db.clone()), window),
            versions_by_number: batched(VersionsByNumber::new(db.clone(), viewer), window),
            cover_letters: batched(LetterLoader::new(db.clone(), viewer), window),
            viewer_letters: batched(ViewerLetters::new(db.clone(), viewer), window),
            interviews_by_application: batched(InterviewsByApplication::new(db.clone(), viewer), window),
            experiences_by_user: batched(ExperiencesByUser::new(db.clone(), viewer), window),
            experiences: batched(ExperienceById::new(db.clone(), viewer), window),
            achievements: batched(AchievementsByExperience::new(db.clone(), viewer), window),
            educations_by_user: batched(EducationsByUser::new(db.clone(), viewer), window),
            educations: batched(EducationById::new(db.clone(), viewer), window),
            certifications_by_user: batched(CertificationsByUser::new(db.clone(), viewer), window),
            certifications: batched(CertificationById::new(db.clone(), viewer), window),
            skills_by_user: batched(SkillsByUser::new(db.clone(), viewer), window),
            skills: batched(SkillById::new(db.clone(), viewer), window),
            projects_by_user: batched(ProjectsByUser::new(db.clone(), viewer), window),
            projects: batched(ProjectById::new(db.clone(), viewer), window),
        }
    }
}

/// The loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// The request being resolved.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}
