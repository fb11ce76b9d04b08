//! The company loader of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::CompanyLoader;
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The company loader of one request.
pub struct Loaders {
    /// Companies by id.
    pub companies: DataLoader<CompanyLoader>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, _viewer: Viewer, batching: &Batching) -> Self {
        Self { companies: batched(CompanyLoader::new(db.clone()), batching) }
    }
}

/// The companies loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
