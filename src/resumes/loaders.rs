//! The resume and cover-letter loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{LatestVersions, LetterLoader, ResumeLoader, VersionLoader, VersionsByNumber, ViewerLetters};
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The resume and cover-letter loaders of one request.
pub struct Loaders {
    /// Resumes by id.
    pub resumes: DataLoader<ResumeLoader>,
    /// Resume versions by id.
    pub resume_versions: DataLoader<VersionLoader>,
    /// The latest version of each resume.
    pub latest_versions: DataLoader<LatestVersions>,
    /// Resume versions by resume and number.
    pub versions_by_number: DataLoader<VersionsByNumber>,
    /// Cover letters by id.
    pub cover_letters: DataLoader<LetterLoader>,
    /// The viewer's cover letters for each job.
    pub viewer_letters: DataLoader<ViewerLetters>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self {
            resumes: batched(ResumeLoader::new(db.clone(), viewer), batching),
            resume_versions: batched(VersionLoader::new(db.clone(), viewer), batching),
            latest_versions: batched(LatestVersions::new(db.clone()), batching),
            versions_by_number: batched(VersionsByNumber::new(db.clone(), viewer), batching),
            cover_letters: batched(LetterLoader::new(db.clone(), viewer), batching),
            viewer_letters: batched(ViewerLetters::new(db.clone(), viewer), batching),
        }
    }
}

/// The resumes loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
