//! The `Application` and `ApplicationEvent` types and the lists of them.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Double;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::interviews::Interview;
use super::loaders;
use super::pipeline::ApplicationStatus;
use super::{ApplicationRow, EventRow, TimelineEnd, TimelineEndKey, visible_to};
use crate::auth::Viewer;
use crate::context::request;
use crate::db::tables::{application_events, applications};
use crate::db::{CacheStatement, Fetched, Limited, Related};
use crate::graphql::pagination::{
    Cursor, Direction, NodeSelection, OrderDirection, Page, PageArgs, ScoreKey, TimeKey, TimeOrder, TotalCount,
    node_selection, score_key_condition, time_key_condition,
};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, db_enum, ids};
use crate::jobs::Job;
use crate::resumes::{CoverLetter, ResumeVersion, VersionRow};
use crate::users::{User, UserRow};

/// An application as the API shows it, with the relations read in the
/// statement that read it (boxed, and only when there are any: an
/// application is moved through every field's future).
pub struct Application(pub ApplicationRow, pub Option<Box<ApplicationRelations>>);

impl From<ApplicationRow> for Application {
    fn from(row: ApplicationRow) -> Self {
        Self(row, None)
    }
}

/// An application's applicant and resume version when the statement that
/// read the application read them too; `None` leaves them to their
/// DataLoaders.
pub struct ApplicationRelations {
    applicant: Option<Option<UserRow>>,
    resume_version: Option<Option<VersionRow>>,
}

/// Which of an application's to-one relations a page will ask for, so that
/// its statement reads them too (`db::Related`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WantedRelations {
    applicant: bool,
    resume_version: bool,
}

impl WantedRelations {
    fn of(nodes: &NodeSelection<'_>) -> Self {
        Self { applicant: nodes.has("applicant"), resume_version: nodes.has("resumeVersion") }
    }

    /// The columns reading them. A viewer who may see an application may see
    /// its applicant and the resume version sent with it (their own, or sent
    /// to their job), so only deleted rows are left out.
    fn columns(self) -> (Related<UserRow>, Related<VersionRow>) {
        (
            Related::when(self.applicant, || crate::users::related_live("applications.user_id")),
            Related::when(self.resume_version, || {
                crate::resumes::related_live_version("applications.resume_version_id")
            }),
        )
    }

    fn application(
        self,
        row: ApplicationRow,
        (applicant, version): (Fetched<UserRow>, Fetched<VersionRow>),
    ) -> Application {
        if self == Self::default() {
            return Application::from(row);
        }
        let relations = ApplicationRelations {
            applicant: applicant.into_wanted(self.applicant),
            resume_version: version.into_wanted(self.resume_version),
        };
        Application(row, Some(Box::new(relations)))
    }
}

impl Application {
    pub const TYPE_NAME: &'static str = "Application";
}

/// A candidate's application to one job, with its status and timeline.
/// Seen by the candidate and, once sent, by the recruiter who posted the job.
#[Object]
impl Application {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// Where the application stands.
    async fn status(&self) -> ApplicationStatus {
        db_enum::from_db(&self.0.status).unwrap_or(ApplicationStatus::Saved)
    }

    /// When the status last changed.
    async fn status_changed_at(&self) -> DateTime {
        self.0.status_changed_at.into()
    }

    /// When it was sent; null while saved.
    async fn applied_at(&self) -> Option<DateTime> {
        self.0.applied_at.map(DateTime)
    }

    /// The candidate's private notes; null for anyone else.
    async fn notes(&self, ctx: &Context<'_>) -> Option<&str> {
        self.is_applicant(ctx).then_some(self.0.notes.as_deref()).flatten()
    }

    /// Where the candidate found the job, as they said when applying.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// The candidate's private tags; empty for anyone else.
    async fn tags(&self, ctx: &Context<'_>) -> Vec<&str> {
        if !self.is_applicant(ctx) {
            return Vec::new();
        }
        self.0.tags.iter().flatten().map(String::as_str).collect()
    }

    /// The documents the candidate sent with it (`applyToJob`'s
    /// `documentIds`), in the order they were attached; the job's recruiter
    /// may download them.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<crate::documents::Document>, ApiError> {
        let rows = crate::documents::loaders(ctx).attached.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(crate::documents::Document).collect())
    }

    /// Whether the candidate archived it.
    async fn archived(&self) -> bool {
        self.0.archived
    }

    /// The job applied to.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        crate::jobs::visible_job(ctx, self.0.job_id).await
    }

    /// The candidate (their public profile for the recruiter).
    async fn applicant(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let viewer = request(ctx).viewer;
        let row = match self.1.as_ref().and_then(|read| read.applicant.as_ref()) {
            Some(read) => read.clone(),
            None => crate::users::loaders(ctx).users.load_one(self.0.user_id).await?,
        };
        Ok(row.map(|row| User::seen_by(row, &viewer)))
    }

    /// The timeline, oldest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n events after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns events after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n events before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns events before this cursor.")] before: Option<String>,
    ) -> Result<ApplicationEventConnection, ApiError> {
        let page: Page<TimeKey> = PageArgs { first, after, last, before }.page()?;
        let application = self.0.id;
        let rows = if page.after.is_none() && page.before.is_none() {
            // The first or last page of many applications' timelines loads in one batch.
            let end = match page.direction {
                Direction::Forward => TimelineEnd::Oldest,
                Direction::Backward => TimelineEnd::Newest,
            };
            let actors = node_selection(ctx).has("actor");
            let internal = !self.is_applicant(ctx);
            let key = TimelineEndKey { application, limit: page.fetch_limit(), end, actors, internal };
            loaders(ctx).timeline_ends.load_one(key).await?.unwrap_or_default()
        } else {
            // Boxed: this branch's future is large, and every field of every
            // application would otherwise copy room for it.
            Box::pin(events_page(ctx, application, !self.is_applicant(ctx), &page))
                .await?
                .into_iter()
                .map(ApplicationEvent::from)
                .collect()
        };
        let (edges, more) = page.finish(rows, |event| TimeKey { at: event.0.occurred_at, id: event.0.id });
        let db = request(ctx).db.clone();
        let internal = !self.is_applicant(ctx);
        let total_count = TotalCount::new(move || {
            let db = db.clone();
            async move {
                let mut conn = db.conn().await?;
                Ok(timeline(application, internal).count().get_result(&mut conn).await?)
            }
        });
        Ok(ApplicationEventConnection::new(edges, more, total_count))
    }

    /// The resume version sent with it (seen by the candidate and the job's recruiter).
    async fn resume_version(&self, ctx: &Context<'_>) -> Result<Option<ResumeVersion>, ApiError> {
        let Some(version) = self.0.resume_version_id else { return Ok(None) };
        if let Some(read) = self.1.as_ref().and_then(|read| read.resume_version.as_ref()) {
            return Ok(read.clone().map(ResumeVersion));
        }
        Ok(crate::resumes::loaders(ctx).resume_versions.load_one(version).await?.map(ResumeVersion))
    }

    /// The cover letter sent with it (seen by the candidate and the job's recruiter).
    async fn cover_letter(&self, ctx: &Context<'_>) -> Result<Option<CoverLetter>, ApiError> {
        let Some(letter) = self.0.cover_letter_id else { return Ok(None) };
        Ok(crate::resumes::loaders(ctx).cover_letters.load_one(letter).await?.map(CoverLetter))
    }

    /// How the applicant did in their interviews, from the submitted
    /// scorecards; null for anyone but the job's poster and admins.
    async fn interview_report(&self, ctx: &Context<'_>) -> Result<Option<super::InterviewReport>, ApiError> {
        loaders(ctx).reports.load_one(self.0.id).await
    }

    /// The interviews, in order of time.
    async fn interviews(&self, ctx: &Context<'_>) -> Result<Vec<Interview>, ApiError> {
        let rows = loaders(ctx).interviews_by_application.load_one(self.0.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Interview).collect())
    }

    /// When the application was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When anything about it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A page of one application's timeline from a cursor (the first and last
/// pages come from the `timeline_ends` loader).
async fn events_page(
    ctx: &Context<'_>,
    application: Uuid,
    internal: bool,
    page: &Page<TimeKey>,
) -> Result<Vec<EventRow>, ApiError> {
    let mut query = timeline(application, internal);
    for condition in page.conditions("application_events.occurred_at, application_events.id", TimeOrder::OldestFirst) {
        query = query.filter(condition);
    }
    query = if page.reads_newest_first(TimeOrder::OldestFirst) {
        query.order((application_events::occurred_at.desc(), application_events::id.desc()))
    } else {
        query.order((application_events::occurred_at.asc(), application_events::id.asc()))
    };
    let mut conn = request(ctx).db.conn().await?;
    Ok(query.select(EventRow::as_select()).limit(page.fetch_limit()).load(&mut conn).await?)
}

/// One application's timeline as its viewer sees it: without the recruiting
/// side's internal events unless `internal`.
fn timeline(application: Uuid, internal: bool) -> application_events::BoxedQuery<'static, Pg> {
    let query = application_events::table.filter(application_events::application_id.eq(application)).into_boxed();
    if internal { query } else { query.filter(application_events::internal.eq(false)) }
}

impl Application {
    fn is_applicant(&self, ctx: &Context<'_>) -> bool {
        request(ctx).viewer.signed_in().is_some_and(|me| me.user_id == self.0.user_id)
    }
}

/// One entry of an application's timeline, with its actor when the
/// statement that read it read them too (`None` leaves the actor to the
/// users loader).
#[derive(Clone)]
pub struct ApplicationEvent(pub EventRow, pub Option<Option<Box<UserRow>>>);

impl From<EventRow> for ApplicationEvent {
    fn from(row: EventRow) -> Self {
        Self(row, None)
    }
}

/// Something that happened to an application, and who did it.
#[Object]
impl ApplicationEvent {
    /// The application whose timeline this is (as the viewer may see it).
    async fn application(&self, ctx: &Context<'_>) -> Result<Option<Application>, ApiError> {
        Ok(loaders(ctx).applications.load_one(self.0.application_id).await?.map(Application::from))
    }

    /// What happened.
    async fn kind(&self) -> Option<ApplicationEventKind> {
        db_enum::from_db(&self.0.kind)
    }

    /// The status before a status change.
    async fn from_status(&self) -> Option<ApplicationStatus> {
        self.0.from_status.as_deref().and_then(db_enum::from_db)
    }

    /// The status after a status change (or at creation).
    async fn to_status(&self) -> Option<ApplicationStatus> {
        self.0.to_status.as_deref().and_then(db_enum::from_db)
    }

    /// The note that came with it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Who did it (their public profile); null once their account is gone.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(actor) = self.0.actor_id else { return Ok(None) };
        let viewer = request(ctx).viewer;
        let row = match &self.1 {
            Some(read) => read.as_deref().cloned(),
            None => crate::users::loaders(ctx).users.load_one(actor).await?,
        };
        Ok(row.map(|row| User::seen_by(row, &viewer)))
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        self.0.occurred_at.into()
    }
}

/// Kinds of timeline events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ApplicationEventKind {
    /// The application was created (saved or sent).
    Created,
    /// The status changed.
    StatusChanged,
    /// Someone added a note.
    NoteAdded,
    /// An interview was scheduled.
    InterviewScheduled,
    /// An interview was changed.
    InterviewUpdated,
    /// An interview took place and has an outcome.
    InterviewCompleted,
    /// A follow-up was recorded.
    FollowUp,
    /// The candidate archived it.
    Archived,
    /// The candidate brought it back from the archive.
    Unarchived,
    /// The candidate changed its tags.
    Tagged,
    /// An interviewer submitted a scorecard (the recruiting side sees it,
    /// the candidate does not).
    ScorecardSubmitted,
}

crate::connection!(
    ApplicationConnection,
    ApplicationEdge,
    Application,
    ApplicationKey,
    "A page of applications.",
    "An application in an `ApplicationConnection`, with its cursor."
);

crate::connection!(
    ApplicationEventConnection,
    ApplicationEventEdge,
    ApplicationEvent,
    TimeKey,
    "A page of an application's timeline, oldest first.",
    "An event in an `ApplicationEventConnection`, with its cursor."
);

/// Narrows a list of applications.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ApplicationFilter {
    /// Only applications in this status.
    pub status: Option<ApplicationStatus>,
    /// Only archived (true) or only active (false) applications.
    pub archived: Option<bool>,
    /// Only applications carrying this tag.
    pub tag: Option<String>,
    /// Only applications to this job.
    pub job_id: Option<ID>,
}

/// How to order applications.
#[derive(Debug, Clone, Copy, InputObject)]
pub struct ApplicationOrder {
    /// What to order by.
    pub field: ApplicationOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl Default for ApplicationOrder {
    fn default() -> Self {
        Self { field: ApplicationOrderField::CreatedAt, direction: OrderDirection::Desc }
    }
}

/// What applications can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ApplicationOrderField {
    /// When the application was created (saved or sent).
    CreatedAt,
    /// When anything about it last changed: the board's "recent activity".
    UpdatedAt,
}

/// How to order a job's applicants.
#[derive(Debug, Clone, Copy, InputObject)]
pub struct ApplicantOrder {
    /// What to order by.
    pub field: ApplicantOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl Default for ApplicantOrder {
    fn default() -> Self {
        Self { field: ApplicantOrderField::CreatedAt, direction: OrderDirection::Desc }
    }
}

/// What a job's applicants can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ApplicantOrderField {
    /// When the application was created.
    CreatedAt,
    /// When anything about it last changed.
    UpdatedAt,
    /// The interview score (`interviewReport.score`, the weighted average of
    /// every submitted rating); applicants without one sort as 0, last when
    /// descending.
    InterviewScore,
}

impl From<ApplicationOrder> for ApplicantOrder {
    fn from(order: ApplicationOrder) -> Self {
        let field = match order.field {
            ApplicationOrderField::CreatedAt => ApplicantOrderField::CreatedAt,
            ApplicationOrderField::UpdatedAt => ApplicantOrderField::UpdatedAt,
        };
        Self { field, direction: order.direction }
    }
}

/// The SQL of the interview score ordering (the expression
/// `applications_job_score_idx` indexes).
const SCORE_SQL: &str = "coalesce(applications.interview_score, 0)";

impl ApplicantOrderField {
    fn columns(self) -> &'static str {
        match self {
            Self::CreatedAt => "applications.created_at, applications.id",
            Self::UpdatedAt => "applications.updated_at, applications.id",
            Self::InterviewScore => "coalesce(applications.interview_score, 0), applications.id",
        }
    }

    fn tag(self) -> char {
        match self {
            Self::CreatedAt => 'c',
            Self::UpdatedAt => 'u',
            Self::InterviewScore => 's',
        }
    }
}

/// An application's place under one ordering; cursors carry the ordering so
/// one from another ordering is refused rather than misread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplicationKey {
    field: ApplicantOrderField,
    key: SortKey,
}

#[derive(Debug, Clone, Copy)]
enum SortKey {
    Time(TimeKey),
    Score(ScoreKey),
}

impl Cursor for ApplicationKey {
    fn encode(&self) -> String {
        let key = match self.key {
            SortKey::Time(key) => key.encode(),
            SortKey::Score(key) => key.encode(),
        };
        format!("{}{key}", self.field.tag())
    }

    fn decode(cursor: &str) -> Option<Self> {
        let mut chars = cursor.chars();
        let tag = chars.next()?;
        let rest = chars.as_str();
        let (field, key) = match tag {
            'c' => (ApplicantOrderField::CreatedAt, SortKey::Time(TimeKey::decode(rest)?)),
            'u' => (ApplicantOrderField::UpdatedAt, SortKey::Time(TimeKey::decode(rest)?)),
            's' => (ApplicantOrderField::InterviewScore, SortKey::Score(ScoreKey::decode(rest)?)),
            _ => return None,
        };
        Some(Self { field, key })
    }
}

/// Whose applications a list holds.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// The candidate's own.
    Applicant(Uuid),
    /// Those sent to one job.
    Job(Uuid),
}

fn listed(
    viewer: &Viewer,
    owner: Owner,
    filter: &ApplicationFilter,
) -> Result<applications::BoxedQuery<'static, Pg>, ApiError> {
    let Some(visible) = visible_to(viewer) else {
        return Err(ApiError::new(crate::graphql::ErrorCode::Unauthenticated, "Sign in to do this"));
    };
    let mut query = applications::table.filter(visible).into_boxed();
    query = match owner {
        Owner::Applicant(user) => query.filter(applications::user_id.eq(user)),
        Owner::Job(job) => query.filter(applications::job_id.eq(job)).filter(applications::applied_at.is_not_null()),
    };
    if let Some(status) = filter.status {
        query = query.filter(applications::status.eq(db_enum::to_db(status)));
    }
    if let Some(archived) = filter.archived {
        query = query.filter(applications::archived.eq(archived));
    }
    if let Some(tag) = &filter.tag {
        query = query.filter(applications::tags.contains(vec![Some(tag.trim().to_owned())]));
    }
    if let Some(job) = &filter.job_id {
        query = query.filter(applications::job_id.eq(ids::decode_as(job, Job::TYPE_NAME)?));
    }
    Ok(query)
}

/// One page of applications in `order` (a candidate's own lists take an
/// [`ApplicationOrder`]; only a job's applicants may be ordered by score).
pub async fn application_page(
    ctx: &Context<'_>,
    owner: Owner,
    filter: ApplicationFilter,
    order: ApplicantOrder,
    args: PageArgs,
) -> Result<ApplicationConnection, ApiError> {
    let request = request(ctx);
    let viewer = request.viewer;
    let field = order.field;
    let tagged: Page<ApplicationKey> = args.page()?;
    let page: Page<SortKey> = tagged.clone().map_keys(|cursor| {
        if cursor.field == field {
            Ok(cursor.key)
        } else {
            Err(ApiError::bad_user_input("The cursor belongs to another ordering of this list"))
        }
    })?;
    let time_order = match order.direction {
        OrderDirection::Desc => TimeOrder::NewestFirst,
        OrderDirection::Asc => TimeOrder::OldestFirst,
    };
    let mut query = listed(&viewer, owner, &filter)?;
    let columns = field.columns();
    for condition in page.conditions_by(time_order, |comparison, key| match key {
        SortKey::Time(key) => time_key_condition(columns, comparison, key),
        SortKey::Score(key) => score_key_condition(columns, comparison, key),
    }) {
        query = query.filter(condition);
    }
    let descending = page.reads_newest_first(time_order);
    query = match (field, descending) {
        (ApplicantOrderField::CreatedAt, true) => {
            query.order((applications::created_at.desc(), applications::id.desc()))
        }
        (ApplicantOrderField::CreatedAt, false) => {
            query.order((applications::created_at.asc(), applications::id.asc()))
        }
        (ApplicantOrderField::UpdatedAt, true) => {
            query.order((applications::updated_at.desc(), applications::id.desc()))
        }
        (ApplicantOrderField::UpdatedAt, false) => {
            query.order((applications::updated_at.asc(), applications::id.asc()))
        }
        (ApplicantOrderField::InterviewScore, true) => {
            query.order((diesel::dsl::sql::<Double>(SCORE_SQL).desc(), applications::id.desc()))
        }
        (ApplicantOrderField::InterviewScore, false) => {
            query.order((diesel::dsl::sql::<Double>(SCORE_SQL).asc(), applications::id.asc()))
        }
    };
    let wanted = WantedRelations::of(&node_selection(ctx));
    let columns = (ApplicationRow::as_select(), wanted.columns(), applications::interview_score);
    let mut conn = request.db.conn().await?;
    let limited = Limited::new(query.select(columns), page.kept_fetch_limit());
    let rows: Vec<(ApplicationRow, _, Option<f64>)> = limited.cached().load(&mut conn).await?;
    let (edges, more) = tagged.finish(rows, |(row, _, score)| {
        let key = match field {
            ApplicantOrderField::CreatedAt => SortKey::Time(TimeKey { at: row.created_at, id: row.id }),
            ApplicantOrderField::UpdatedAt => SortKey::Time(TimeKey { at: row.updated_at, id: row.id }),
            ApplicantOrderField::InterviewScore => SortKey::Score(ScoreKey { score: score.unwrap_or(0.0), id: row.id }),
        };
        ApplicationKey { field, key }
    });
    let db = request.db.clone();
    let total_count = TotalCount::new(move || {
        let (db, filter) = (db.clone(), filter.clone());
        async move {
            let query = listed(&viewer, owner, &filter)?;
            let mut conn = db.conn().await?;
            Ok(query.count().get_result(&mut conn).await?)
        }
    });
    let edges = edges.into_iter().map(|(key, (row, related, _))| (key, wanted.application(row, related))).collect();
    Ok(ApplicationConnection::new(edges, more, total_count))
}
