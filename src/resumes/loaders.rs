//! The resume and cover-letter loaders of one request: one DataLoader per relation, made on its
//! first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::{LatestVersions, LetterLoader, ResumeLoader, VersionLoader, VersionsByNumber, ViewerLetters};
use crate::context::{Lazy, LoaderSeed};

/// The resume and cover-letter loaders of one request.
pub struct Loaders {
    /// Resumes by id.
    pub resumes: Lazy<ResumeLoader>,
    /// Resume versions by id.
    pub resume_versions: Lazy<VersionLoader>,
    /// The latest version of each resume.
    pub latest_versions: Lazy<LatestVersions>,
    /// Resume versions by resume and number.
    pub versions_by_number: Lazy<VersionsByNumber>,
    /// Cover letters by id.
    pub cover_letters: Lazy<LetterLoader>,
    /// The viewer's cover letters for each job.
    pub viewer_letters: Lazy<ViewerLetters>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self {
            resumes: Lazy::new(seed, |s| ResumeLoader::new(s.db.clone(), s.viewer)),
            resume_versions: Lazy::new(seed, |s| VersionLoader::new(s.db.clone(), s.viewer)),
            latest_versions: Lazy::new(seed, |s| LatestVersions::new(s.db.clone())),
            versions_by_number: Lazy::new(seed, |s| VersionsByNumber::new(s.db.clone(), s.viewer)),
            cover_letters: Lazy::new(seed, |s| LetterLoader::new(s.db.clone(), s.viewer)),
            viewer_letters: Lazy::new(seed, |s| ViewerLetters::new(s.db.clone(), s.viewer)),
        }
    }
}

/// The resumes loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
