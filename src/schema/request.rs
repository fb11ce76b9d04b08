//! What the roof puts into each request: its context and one fresh loader
//! set per domain. A new domain adds its line here; a new relation touches
//! only its domain's `loaders.rs`.

use async_graphql::Data;

use std::sync::Arc;

use crate::context::{Batching, LoaderSeed, RequestContext};
use crate::{applications, companies, documents, jobs, profile, resumes, users};

/// Fills `data` with what every resolver reads: the request's context, its
/// viewer, and each domain's loaders, dispatching as `batching` says.
pub fn request_data(data: &mut Data, context: RequestContext, batching: &Batching) {
    let viewer = context.viewer;
    let seed = Arc::new(LoaderSeed { db: context.db.clone(), viewer, batching: batching.clone() });
    data.insert(companies::Loaders::new(&seed));
    data.insert(users::Loaders::new(&seed));
    data.insert(profile::Loaders::new(&seed));
    data.insert(jobs::Loaders::new(&seed));
    data.insert(applications::Loaders::new(&seed));
    data.insert(resumes::Loaders::new(&seed));
    data.insert(documents::Loaders::new(&seed));
    data.insert(viewer);
    data.insert(context);
}
