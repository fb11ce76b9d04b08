//! The job loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{JobLoader, ViewerBookmarks};
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The job loaders of one request.
pub struct Loaders {
    /// Jobs by id, those the viewer may see.
    pub jobs: DataLoader<JobLoader>,
    /// The viewer's bookmark of each job.
    pub viewer_bookmarks: DataLoader<ViewerBookmarks>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self {
            jobs: batched(JobLoader::new(db.clone(), viewer), batching),
            viewer_bookmarks: batched(ViewerBookmarks::new(db.clone(), viewer), batching),
        }
    }
}

/// The jobs loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
