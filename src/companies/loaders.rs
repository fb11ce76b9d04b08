//! The company loader of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::CompanyLoader;
use crate::auth::Viewer;
use crate::context::batched;
use crate::db::Db;

/// The company loader of one request.
pub struct Loaders {
    /// Companies by id.
    pub companies: DataLoader<CompanyLoader>,
}

impl Loaders {
    /// Every loader gathers keys for `window` before running its statement.
    pub fn new(db: &Db, _viewer: Viewer, window: Duration) -> Self {
        Self { companies: batched(CompanyLoader::new(db.clone()), window) }
    }
}

/// The companies loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
