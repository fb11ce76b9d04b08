//! The user loaders of one request: one DataLoader per relation, made on its
//! first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::UserLoader;
use crate::context::{Lazy, LoaderSeed};

/// The user loaders of one request.
pub struct Loaders {
    /// Users by id, as the viewer may see them.
    pub users: Lazy<UserLoader>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self { users: Lazy::new(seed, |s| UserLoader::new(s.db.clone(), s.viewer)) }
    }
}

/// The users loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
