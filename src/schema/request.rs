//! What the roof puts into each request: its context and one fresh loader
//! set per domain. A new domain adds its line here; a new relation touches
//! only its domain's `loaders.rs`.

use std::time::Duration;

use async_graphql::Data;

use crate::context::RequestContext;
use crate::{applications, companies, jobs, profile, resumes, users};

/// Fills `data` with what every resolver reads: the request's context, its
/// viewer, and each domain's loaders, gathering keys for `window`.
pub fn request_data(data: &mut Data, context: RequestContext, window: Duration) {
    let (db, viewer) = (&context.db, context.viewer);
    data.insert(companies::Loaders::new(db, viewer, window));
    data.insert(users::Loaders::new(db, viewer, window));
    data.insert(profile::Loaders::new(db, viewer, window));
    data.insert(jobs::Loaders::new(db, viewer, window));
    data.insert(applications::Loaders::new(db, viewer, window));
    data.insert(resumes::Loaders::new(db, viewer, window));
    data.insert(viewer);
    data.insert(context);
}
