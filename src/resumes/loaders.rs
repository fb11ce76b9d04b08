//! The resume and cover-letter loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{LatestVersions, LetterLoader, ResumeLoader, VersionLoader, VersionsByNumber, ViewerLetters};
use crate::auth::Viewer;
use crate::context::batched;
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
    /// Every loader gathers keys for `window` before running its statement.
    pub fn new(db: &Db, viewer: Viewer, window: Duration) -> Self {
        Self {
            resumes: batched(ResumeLoader::new(db.clone(), viewer), window),
            resume_versions: batched(VersionLoader::new(db.clone(), viewer), window),
            latest_versions: batched(LatestVersions::new(db.clone()), window),
            versions_by_number: batched(VersionsByNumber::new(db.clone(), viewer), window),
            cover_letters: batched(LetterLoader::new(db.clone(), viewer), window),
            viewer_letters: batched(ViewerLetters::new(db.clone(), viewer), window),
        }
    }
}

/// The resumes loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
