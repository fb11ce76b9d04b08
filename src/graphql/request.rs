//! What each request carries into the resolvers.

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::companies::CompanyLoader;
use crate::db::Pool;
use crate::http::RequestId;

/// Per-request state: the pool and the request id. Made fresh for every
/// request, never shared.
#[derive(Clone)]
pub struct RequestContext {
    pub pool: Pool,
    pub request_id: RequestId,
}

/// Every relation's DataLoader, created per request so that cached rows never
/// outlive the request (stale data) or cross to another viewer (leaked
/// authorization).
pub struct Loaders {
    pub companies: DataLoader<CompanyLoader>,
}

impl Loaders {
    pub fn new(pool: &Pool) -> Self {
        Self {
            companies: DataLoader::new(CompanyLoader::new(pool.clone()), tokio::spawn),
        }
    }
}

/// The loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
