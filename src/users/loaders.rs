//! The user loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::UserLoader;
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The user loaders of one request.
pub struct Loaders {
    /// Users by id, as the viewer may see them.
    pub users: DataLoader<UserLoader>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self { users: batched(UserLoader::new(db.clone(), viewer), batching) }
    }
}

/// The users loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
