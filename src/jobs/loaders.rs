//! The job loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{JobLoader, ViewerBookmarks};
use crate::auth::Viewer;
use crate::context::batched;
use crate::db::Db;

/// The job loaders of one request.
pub struct Loaders {
    /// Jobs by id, those the viewer may see.
    pub jobs: DataLoader<JobLoader>,
    /// The viewer's bookmark of each job.
    pub viewer_bookmarks: DataLoader<ViewerBookmarks>,
}

impl Loaders {
    /// Every loader gathers keys for `window` before running its statement.
    pub fn new(db: &Db, viewer: Viewer, window: Duration) -> Self {
        Self {
            jobs: batched(JobLoader::new(db.clone(), viewer), window),
            viewer_bookmarks: batched(ViewerBookmarks::new(db.clone(), viewer), window),
        }
    }
}

/// The jobs loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
