//! The company loader of one request: one DataLoader per relation, made on its
//! first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::CompanyLoader;
use crate::context::{Lazy, LoaderSeed};

/// The company loader of one request.
pub struct Loaders {
    /// Companies by id.
    pub companies: Lazy<CompanyLoader>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self { companies: Lazy::new(seed, |s| CompanyLoader::new(s.db.clone())) }
    }
}

/// The companies loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
