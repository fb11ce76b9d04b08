//! Applications: a candidate's pursuit of one job, its status pipeline, and
//! the append-only timeline of everything that happened to it.

mod export;
mod graphql;
mod interviews;
mod kit_mutations;
mod kits;
mod live;
mod loaders;
mod mutations;
mod pipeline;
mod report;
mod scorecards;

pub use export::{After, Batch, Export};
pub use graphql::{
    ApplicantOrder, Application, ApplicationConnection, ApplicationEvent, ApplicationFilter, ApplicationOrder, Owner,
    application_page,
};
pub use interviews::{Interview, InterviewLoader, InterviewMutations, InterviewsByApplication};
pub use kit_mutations::KitMutations;
pub use kits::{InterviewKit, InterviewQuestion, KitLoader, KitsByJob, QuestionLoader, QuestionsByKit};
pub use live::SubscriptionRoot;
pub use loaders::{Loaders, loaders};
pub use mutations::ApplicationMutations;
pub use pipeline::{Actor, ApplicationStatus, SENT_STATUSES, STATUSES};
pub use report::{InterviewReport, Reports};
pub use scorecards::{
    RatingEntry, Scorecard, ScorecardLoader, ScorecardMutations, ScorecardRevisions, ScorecardsByInterview,
    weighted_average,
};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::expression::Expression;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::db::tables::{application_events, applications};
use crate::db::{CacheStatement, ColumnsOf, Db, Fetched, KeyList, OneOfKeys, Related};
use crate::graphql::ApiError;
use crate::users::UserRow;

/// A row of `applications`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications, check_for_backend(Pg))]
pub struct ApplicationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub job_id: Uuid,
    pub resume_version_id: Option<Uuid>,
    pub cover_letter_id: Option<Uuid>,
    pub status: String,
    pub status_changed_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub tags: Vec<Option<String>>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub source: Option<String>,
}

/// A row of `application_events`.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = application_events, check_for_backend(Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// The applications `viewer` may see: their own; those sent (not merely
/// saved) to jobs they posted in careergraph; all of them for an admin.
pub fn visible_to(viewer: &Viewer) -> Option<Box<dyn BoxableExpression<applications::table, Pg, SqlType = Bool>>> {
    let me = viewer.signed_in()?;
    let live = applications::deleted_at.is_null();
    if me.is_admin() {
        return Some(Box::new(live));
    }
    let to_my_jobs = diesel::dsl::sql::<Bool>(
        "(applications.applied_at IS NOT NULL AND EXISTS (SELECT 1 FROM jobs WHERE jobs.id = applications.job_id
          AND jobs.source = 'careergraph' AND jobs.posted_by_id = ",
    )
    .bind::<SqlUuid, _>(me.user_id)
    .sql("))");
    Some(Box::new(live.and(applications::user_id.eq(me.user_id).or(to_my_jobs))))
}

/// Loads applications by id, only those the viewer may see.
pub struct ApplicationLoader {
    db: Db,
    viewer: Viewer,
}

impl ApplicationLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ApplicationLoader {
    type Value = ApplicationRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, ApplicationRow>, ApiError> {
        let Some(visible) = visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows = applications::table
            .filter(applications::id.one_of(keys))
            .filter(visible)
            .select(ApplicationRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads the viewer's live application to each of many jobs.
pub struct ViewerApplications {
    db: Db,
    viewer: Viewer,
}

impl ViewerApplications {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ViewerApplications {
    type Value = ApplicationRow;
    type Error = ApiError;

    async fn load(&self, jobs: &[Uuid]) -> Result<HashMap<Uuid, ApplicationRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<ApplicationRow> = applications::table
            .filter(applications::user_id.eq(me.user_id))
            .filter(applications::job_id.one_of(jobs))
            .filter(applications::deleted_at.is_null())
            .filter(applications::status.ne("WITHDRAWN"))
            .select(ApplicationRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.job_id, row)).collect())
    }
}

/// Counts the applications sent to each of many jobs the viewer posted.
pub struct ApplicationCounts {
    db: Db,
    viewer: Viewer,
}

impl ApplicationCounts {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ApplicationCounts {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, jobs: &[Uuid]) -> Result<HashMap<Uuid, i64>, ApiError> {
        let Some(visible) = visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let counts: Vec<(Uuid, i64)> = applications::table
            .filter(applications::job_id.one_of(jobs))
            .filter(applications::applied_at.is_not_null())
            .filter(visible)
            .group_by(applications::job_id)
            .select((applications::job_id, diesel::dsl::count_star()))
            .cached()
            .load(&mut conn)
            .await?;
        Ok(counts.into_iter().collect())
    }
}

/// Which end of a timeline a page starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimelineEnd {
    /// `events(first: n)`: the oldest events, oldest first.
    Oldest,
    /// `events(last: n)`: the newest events, newest first (the page puts
    /// them back in timeline order).
    Newest,
}

/// The first or last `limit` events of each of many applications (the
/// dashboard's `events(first: n)`, the pipeline's `events(last: 1)`), in one
/// statement with two window functions whichever ends a batch asks for,
/// with each event's actor in it when any key asks for actors. The
/// applications were authorized when they were loaded.
pub struct TimelineEnds {
    db: Db,
    viewer: Viewer,
}

impl TimelineEnds {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

/// One end of one application's timeline, as a page asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimelineEndKey {
    pub application: Uuid,
    /// How many events, from `end`.
    pub limit: i64,
    pub end: TimelineEnd,
    /// Whether the page's events will be asked for their `actor`.
    pub actors: bool,
    /// Whether the viewer sees the recruiting side's events (they are not
    /// the candidate).
    pub internal: bool,
}

/// The statement of [`TimelineEnds`]: each event with its place from either
/// end of its timeline and, when asked for, its actor (`db::Related`).
struct TimelineEndsQuery {
    applications: KeyList<SqlUuid, Uuid>,
    /// Those of `applications` whose internal events the viewer sees, if any.
    with_internal: Option<KeyList<SqlUuid, Uuid>>,
    oldest: i64,
    newest: i64,
    actors: Related<UserRow>,
}

impl QueryFragment<Pg> for TimelineEndsQuery {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "SELECT id, application_id, actor_id, kind, from_status, to_status, note, occurred_at,
                    from_oldest, from_newest, ",
        );
        self.actors.walk_ast(out.reborrow())?;
        out.push_sql(
            " FROM (
                 SELECT e.*,
                        row_number() OVER (PARTITION BY application_id ORDER BY occurred_at, id) AS from_oldest,
                        row_number() OVER (PARTITION BY application_id ORDER BY occurred_at DESC, id DESC) AS from_newest
                 FROM application_events e WHERE application_id = ANY(",
        );
        self.applications.walk_ast(out.reborrow())?;
        out.push_sql(") AND (NOT internal");
        if let Some(with_internal) = &self.with_internal {
            out.push_sql(" OR application_id = ANY(");
            with_internal.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")) ranked WHERE from_oldest <= ");
        out.push_bind_param::<BigInt, _>(&self.oldest)?;
        out.push_sql(" OR from_newest <= ");
        out.push_bind_param::<BigInt, _>(&self.newest)?;
        out.push_sql(" ORDER BY application_id, occurred_at, id");
        Ok(())
    }
}

/// Keyed by its SQL text (`db::Cached`): two shapes, with actors or not.
impl QueryId for TimelineEndsQuery {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for TimelineEndsQuery {
    type SqlType = (ColumnsOf<EventRow>, BigInt, BigInt, <Related<UserRow> as Expression>::SqlType);
}

impl Loader<TimelineEndKey> for TimelineEnds {
    type Value = Vec<ApplicationEvent>;
    type Error = ApiError;

    async fn load(&self, keys: &[TimelineEndKey]) -> Result<HashMap<TimelineEndKey, Vec<ApplicationEvent>>, ApiError> {
        let mut applications: Vec<Uuid> = keys.iter().map(|key| key.application).collect();
        applications.sort_unstable();
        applications.dedup();
        let limit_at =
            |wanted: TimelineEnd| keys.iter().filter(|key| key.end == wanted).map(|key| key.limit).max().unwrap_or(0);
        let actors = keys.iter().any(|key| key.actors);
        let with_internal: Vec<Uuid> = keys.iter().filter(|key| key.internal).map(|key| key.application).collect();
        let query = TimelineEndsQuery {
            applications: KeyList::new(applications),
            with_internal: (!with_internal.is_empty()).then(|| KeyList::new(with_internal)),
            oldest: limit_at(TimelineEnd::Oldest),
            newest: limit_at(TimelineEnd::Newest),
            actors: Related::when(actors, || crate::users::related(&self.viewer, "ranked.actor_id")),
        };
        let mut conn = self.db.conn().await?;
        let rows: Vec<(EventRow, i64, i64, Fetched<UserRow>)> = query.cached().load(&mut conn).await?;
        let mut grouped: HashMap<Uuid, Vec<(ApplicationEvent, i64, i64)>> = HashMap::new();
        for (row, from_oldest, from_newest, actor) in rows {
            let actor = actor.into_wanted(actors).map(|actor| actor.map(Box::new));
            grouped.entry(row.application_id).or_default().push((
                ApplicationEvent(row, actor),
                from_oldest,
                from_newest,
            ));
        }
        Ok(keys
            .iter()
            .map(|&key| {
                let timeline = grouped.get(&key.application).map(Vec::as_slice).unwrap_or_default();
                let events: Vec<ApplicationEvent> = match key.end {
                    TimelineEnd::Oldest => timeline
                        .iter()
                        .filter(|(_, from_oldest, _)| *from_oldest <= key.limit)
                        .map(|(event, ..)| event.clone())
                        .collect(),
                    TimelineEnd::Newest => timeline
                        .iter()
                        .rev()
                        .filter(|(.., from_newest)| *from_newest <= key.limit)
                        .map(|(event, ..)| event.clone())
                        .collect(),
                };
                (key, events)
            })
            .collect())
    }
}
