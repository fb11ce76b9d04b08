//! The application loaders of one request: one DataLoader per relation,
//! made on its first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::{
    ApplicationCounts, ApplicationLoader, InterviewLoader, InterviewsByApplication, TimelineEnds, ViewerApplications,
};
use crate::context::{Lazy, LoaderSeed};

/// The application loaders of one request.
pub struct Loaders {
    /// Applications by id, those the viewer may see.
    pub applications: Lazy<ApplicationLoader>,
    /// The viewer's application to each job.
    pub viewer_applications: Lazy<ViewerApplications>,
    /// How many applications each job has.
    pub application_counts: Lazy<ApplicationCounts>,
    /// The first or last events of each application's timeline.
    pub timeline_ends: Lazy<TimelineEnds>,
    /// Interviews by id.
    pub interviews: Lazy<InterviewLoader>,
    /// The interviews of each application.
    pub interviews_by_application: Lazy<InterviewsByApplication>,
}

impl Loaders {
    /// This request's loaders, each made when first asked for.
    pub fn new(seed: &Arc<LoaderSeed>) -> Self {
        Self {
            applications: Lazy::new(seed, |s| ApplicationLoader::new(s.db.clone(), s.viewer)),
            viewer_applications: Lazy::new(seed, |s| ViewerApplications::new(s.db.clone(), s.viewer)),
            application_counts: Lazy::new(seed, |s| ApplicationCounts::new(s.db.clone(), s.viewer)),
            timeline_ends: Lazy::new(seed, |s| TimelineEnds::new(s.db.clone(), s.viewer)),
            interviews: Lazy::new(seed, |s| InterviewLoader::new(s.db.clone(), s.viewer)),
            interviews_by_application: Lazy::new(seed, |s| InterviewsByApplication::new(s.db.clone(), s.viewer)),
        }
    }
}

/// The application loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
