//! The application loaders of one request: one DataLoader per relation, made fresh
//! for every request (the roof puts them in, `crate::schema::request_data`).

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::{
    ApplicationCounts, ApplicationLoader, InterviewLoader, InterviewsByApplication, TimelineEnds, ViewerApplications,
};
use crate::auth::Viewer;
use crate::context::{Batching, batched};
use crate::db::Db;

/// The application loaders of one request.
pub struct Loaders {
    /// Applications by id, those the viewer may see.
    pub applications: DataLoader<ApplicationLoader>,
    /// The viewer's application to each job.
    pub viewer_applications: DataLoader<ViewerApplications>,
    /// How many applications each job has.
    pub application_counts: DataLoader<ApplicationCounts>,
    /// The first or last events of each application's timeline.
    pub timeline_ends: DataLoader<TimelineEnds>,
    /// Interviews by id.
    pub interviews: DataLoader<InterviewLoader>,
    /// The interviews of each application.
    pub interviews_by_application: DataLoader<InterviewsByApplication>,
}

impl Loaders {
    /// Fresh loaders, dispatching their batches as `batching` says.
    pub fn new(db: &Db, viewer: Viewer, batching: &Batching) -> Self {
        Self {
            applications: batched(ApplicationLoader::new(db.clone(), viewer), batching),
            viewer_applications: batched(ViewerApplications::new(db.clone(), viewer), batching),
            application_counts: batched(ApplicationCounts::new(db.clone(), viewer), batching),
            timeline_ends: batched(TimelineEnds::new(db.clone()), batching),
            interviews: batched(InterviewLoader::new(db.clone(), viewer), batching),
            interviews_by_application: batched(InterviewsByApplication::new(db.clone(), viewer), batching),
        }
    }
}

/// The application loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
