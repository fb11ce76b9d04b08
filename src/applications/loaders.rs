//! The application loaders of one request: one DataLoader per relation,
//! made on its first use in each request (the roof puts them in, `crate::schema::request_data`).

use std::sync::Arc;

use async_graphql::Context;

use super::{
    ApplicationCounts, ApplicationLoader, InterviewLoader, InterviewsByApplication, KitLoader, KitsByJob,
    QuestionLoader, QuestionsByKit, Reports, ScorecardLoader, ScorecardRevisions, ScorecardsByInterview, TimelineEnds,
    ViewerApplications,
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
    /// Interview kits by id.
    pub kits: Lazy<KitLoader>,
    /// The interview kits of each job.
    pub kits_by_job: Lazy<KitsByJob>,
    /// Kit questions by id.
    pub questions: Lazy<QuestionLoader>,
    /// The questions of each kit, in order.
    pub questions_by_kit: Lazy<QuestionsByKit>,
    /// Scorecard revisions by id.
    pub scorecards: Lazy<ScorecardLoader>,
    /// The current scorecards of each interview.
    pub scorecards_by_interview: Lazy<ScorecardsByInterview>,
    /// Every revision of each (interview, interviewer) scorecard.
    pub scorecard_revisions: Lazy<ScorecardRevisions>,
    /// The interview report of each application.
    pub reports: Lazy<Reports>,
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
            kits: Lazy::new(seed, |s| KitLoader::new(s.db.clone(), s.viewer)),
            kits_by_job: Lazy::new(seed, |s| KitsByJob::new(s.db.clone(), s.viewer)),
            questions: Lazy::new(seed, |s| QuestionLoader::new(s.db.clone(), s.viewer)),
            questions_by_kit: Lazy::new(seed, |s| QuestionsByKit::new(s.db.clone(), s.viewer)),
            scorecards: Lazy::new(seed, |s| ScorecardLoader::new(s.db.clone(), s.viewer)),
            scorecards_by_interview: Lazy::new(seed, |s| ScorecardsByInterview::new(s.db.clone(), s.viewer)),
            scorecard_revisions: Lazy::new(seed, |s| ScorecardRevisions::new(s.db.clone(), s.viewer)),
            reports: Lazy::new(seed, |s| Reports::new(s.db.clone(), s.viewer)),
        }
    }
}

/// The application loaders of the request being resolved.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
