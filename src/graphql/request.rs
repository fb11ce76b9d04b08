//! What each request carries into the resolvers.

use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::auth::{Auth, Viewer};
use crate::companies::CompanyLoader;
use crate::db::Db;
use crate::http::RequestId;
use crate::profile::{SkillById, SkillsByUser};
use crate::users::UserLoader;

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

/// Every relation's DataLoader, created per request so that cached rows never
/// outlive the request (stale data) or cross to another viewer (leaked
/// authorization). Loaders that apply authorization carry the viewer.
pub struct Loaders {
    pub companies: DataLoader<CompanyLoader>,
    pub users: DataLoader<UserLoader>,
    pub skills_by_user: DataLoader<SkillsByUser>,
    pub skills: DataLoader<SkillById>,
}

impl Loaders {
    pub fn new(db: &Db, viewer: Viewer) -> Self {
        Self {
            companies: DataLoader::new(CompanyLoader::new(db.clone()), tokio::spawn),
            users: DataLoader::new(UserLoader::new(db.clone(), viewer), tokio::spawn),
            skills_by_user: DataLoader::new(SkillsByUser::new(db.clone(), viewer), tokio::spawn),
            skills: DataLoader::new(SkillById::new(db.clone(), viewer), tokio::spawn),
        }
    }
}

/// The loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// The request being resolved.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}
