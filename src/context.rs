//! What each request carries into the resolvers: who is asking (the viewer,
//! the client's address), the database handle and the request id. The schema
//! roof builds it, beside one loader set per domain (`schema::request_data`);
//! it sits below the domains and knows none of them.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::auth::{Auth, Viewer};
use crate::db::Db;
use crate::graphql::RequestId;

/// Per-request state. Made fresh for every request, never shared.
#[derive(Clone)]
pub struct RequestContext {
    /// The pool as this request uses it (statements are counted per request).
    pub db: Db,
    pub request_id: RequestId,
    pub viewer: Viewer,
    pub auth: Arc<Auth>,
    /// The client's address, for rate limits.
    pub client_address: IpAddr,
    pub user_agent: Option<String>,
}

/// A DataLoader that gathers keys for `window` before running its statement.
/// Each domain's per-request loader set (e.g. `jobs::Loaders`) is made of
/// these, so that cached rows never outlive the request (stale data) or
/// cross to another viewer (leaked authorization).
pub fn batched<T: Send + Sync + 'static>(loader: T, window: Duration) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(window)
}

/// The request being resolved.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}
