//! What the roof puts into each request: its context and one fresh loader
//! set per domain. A new domain adds its line here; a new relation touches
//! only its domain's `loaders.rs`.

use async_graphql::Data;

use crate::context::{Batching, RequestContext};
use crate::{applications, companies, jobs, profile, resumes, users};

/// Fills `data` with what every resolver reads: the request's context, its
/// viewer, and each domain's loaders, dispatching as `batching` says.
pub fn request_data(data: &mut Data, context: RequestContext, batching: &Batching) {
    let (db, viewer) = (&context.db, context.viewer);
    data.insert(companies::Loaders::new(db, viewer, batching));
    data.insert(users::Loaders::new(db, viewer, batching));
    data.insert(profile::Loaders::new(db, viewer, batching));
    data.insert(jobs::Loaders::new(db, viewer, batching));
    data.insert(applications::Loaders::new(db, viewer, batching));
    data.insert(resumes::Loaders::new(db, viewer, batching));
    data.insert(viewer);
    data.insert(context);
}
