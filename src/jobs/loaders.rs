//! The job loaders of one request: one DataLoader per relation, made on its
//! first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::{JobLoader, ViewerBookmarks};
use crate::context::{Lazy, LoaderSeed};

/// The job loaders of one request.
pub struct Loaders {
    /// Jobs by id, those the viewer may see.
    pub jobs: Lazy<JobLoader>,
    /// The viewer's bookmark of each job.
    pub viewer_bookmarks: Lazy<ViewerBookmarks>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self {
            jobs: Lazy::new(seed, |s| JobLoader::new(s.db.clone(), s.viewer)),
            viewer_bookmarks: Lazy::new(seed, |s| ViewerBookmarks::new(s.db.clone(), s.viewer)),
        }
    }
}

/// The jobs loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
