//! What each request carries into the resolvers.

use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::applications::{
    ApplicationCounts, ApplicationLoader, FirstEvents, InterviewLoader, InterviewsByApplication, ViewerApplications,
};
use crate::auth::{Auth, Viewer};
use crate::companies::CompanyLoader;
use crate::db::Db;
use crate::http::RequestId;
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

impl Loaders {
    pub fn new(db: &Db, viewer: Viewer) -> Self {
        Self {
            companies: DataLoader::new(CompanyLoader::new(db.clone()), tokio::spawn),
            users: DataLoader::new(UserLoader::new(db.clone(), viewer), tokio::spawn),
            applicants: DataLoader::new(UserLoader::new(db.clone(), viewer), tokio::spawn),
            event_actors: DataLoader::new(UserLoader::new(db.clone(), viewer), tokio::spawn),
            jobs: DataLoader::new(JobLoader::new(db.clone(), viewer), tokio::spawn),
            viewer_bookmarks: DataLoader::new(ViewerBookmarks::new(db.clone(), viewer), tokio::spawn),
            applications: DataLoader::new(ApplicationLoader::new(db.clone(), viewer), tokio::spawn),
            viewer_applications: DataLoader::new(ViewerApplications::new(db.clone(), viewer), tokio::spawn),
            application_counts: DataLoader::new(ApplicationCounts::new(db.clone(), viewer), tokio::spawn),
            first_events: DataLoader::new(FirstEvents::new(db.clone()), tokio::spawn),
            interviews: DataLoader::new(InterviewLoader::new(db.clone(), viewer), tokio::spawn),
            resumes: DataLoader::new(ResumeLoader::new(db.clone(), viewer), tokio::spawn),
            resume_versions: DataLoader::new(VersionLoader::new(db.clone(), viewer), tokio::spawn),
            latest_versions: DataLoader::new(LatestVersions::new(db.clone()), tokio::spawn),
            versions_by_number: DataLoader::new(VersionsByNumber::new(db.clone(), viewer), tokio::spawn),
            cover_letters: DataLoader::new(LetterLoader::new(db.clone(), viewer), tokio::spawn),
            viewer_letters: DataLoader::new(ViewerLetters::new(db.clone(), viewer), tokio::spawn),
            interviews_by_application: DataLoader::new(InterviewsByApplication::new(db.clone(), viewer), tokio::spawn),
            experiences_by_user: DataLoader::new(ExperiencesByUser::new(db.clone(), viewer), tokio::spawn),
            experiences: DataLoader::new(ExperienceById::new(db.clone(), viewer), tokio::spawn),
            achievements: DataLoader::new(AchievementsByExperience::new(db.clone(), viewer), tokio::spawn),
            educations_by_user: DataLoader::new(EducationsByUser::new(db.clone(), viewer), tokio::spawn),
            educations: DataLoader::new(EducationById::new(db.clone(), viewer), tokio::spawn),
            certifications_by_user: DataLoader::new(CertificationsByUser::new(db.clone(), viewer), tokio::spawn),
            certifications: DataLoader::new(CertificationById::new(db.clone(), viewer), tokio::spawn),
            skills_by_user: DataLoader::new(SkillsByUser::new(db.clone(), viewer), tokio::spawn),
            skills: DataLoader::new(SkillById::new(db.clone(), viewer), tokio::spawn),
            projects_by_user: DataLoader::new(ProjectsByUser::new(db.clone(), viewer), tokio::spawn),
            projects: DataLoader::new(ProjectById::new(db.clone(), viewer), tokio::spawn),
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
