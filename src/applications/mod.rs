//! Applications: a candidate's pursuit of one job, its status pipeline, and
//! the append-only timeline of everything that happened to it.

mod graphql;
mod interviews;
mod live;
mod loaders;
mod mutations;
mod pipeline;

pub use graphql::{
    Application, ApplicationConnection, ApplicationEvent, ApplicationFilter, ApplicationOrder, Owner, application_page,
};
pub use interviews::{Interview, InterviewLoader, InterviewMutations, InterviewsByApplication};
pub use live::SubscriptionRoot;
pub use loaders::{Loaders, loaders};
pub use mutations::ApplicationMutations;
pub use pipeline::{Actor, ApplicationStatus};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::db::tables::{application_events, applications};
use crate::db::{CacheStatement, Db};
use crate::graphql::ApiError;

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
            .filter(applications::id.eq_any(keys))
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
            .filter(applications::job_id.eq_any(jobs))
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
            .filter(applications::job_id.eq_any(jobs))
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
/// statement with two window functions whichever ends a batch asks for. The
/// applications were authorized when they were loaded.
pub struct TimelineEnds {
    db: Db,
}

impl TimelineEnds {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// An event row with its place from either end of its timeline.
#[derive(QueryableByName)]
struct RankedEvent {
    #[diesel(embed)]
    event: EventRow,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    from_oldest: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    from_newest: i64,
}

impl Loader<(Uuid, i64, TimelineEnd)> for TimelineEnds {
    type Value = Vec<EventRow>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(Uuid, i64, TimelineEnd)],
    ) -> Result<HashMap<(Uuid, i64, TimelineEnd), Vec<EventRow>>, ApiError> {
        let mut ids: Vec<Uuid> = keys.iter().map(|(id, ..)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let limit_at = |wanted: TimelineEnd| {
            keys.iter().filter(|(.., end)| *end == wanted).map(|(_, limit, _)| *limit).max().unwrap_or(0)
        };
        let mut conn = self.db.conn().await?;
        let rows: Vec<RankedEvent> = diesel::sql_query(
            "SELECT id, application_id, actor_id, kind, from_status, to_status, note, occurred_at,
                    from_oldest, from_newest FROM (
                 SELECT e.*,
                        row_number() OVER (PARTITION BY application_id ORDER BY occurred_at, id) AS from_oldest,
                        row_number() OVER (PARTITION BY application_id ORDER BY occurred_at DESC, id DESC) AS from_newest
                 FROM application_events e WHERE application_id = ANY($1)
             ) ranked WHERE from_oldest <= $2 OR from_newest <= $3 ORDER BY application_id, occurred_at, id",
        )
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
        .bind::<diesel::sql_types::BigInt, _>(limit_at(TimelineEnd::Oldest))
        .bind::<diesel::sql_types::BigInt, _>(limit_at(TimelineEnd::Newest))
        .cached()
        .load(&mut conn)
        .await?;
        let mut grouped: HashMap<Uuid, Vec<RankedEvent>> = HashMap::new();
        for row in rows {
            grouped.entry(row.event.application_id).or_default().push(row);
        }
        Ok(keys
            .iter()
            .map(|&(id, limit, end)| {
                let timeline = grouped.get(&id).map(Vec::as_slice).unwrap_or_default();
                let events: Vec<EventRow> = match end {
                    TimelineEnd::Oldest => {
                        timeline.iter().filter(|r| r.from_oldest <= limit).map(|r| r.event.clone()).collect()
                    }
                    TimelineEnd::Newest => {
                        timeline.iter().rev().filter(|r| r.from_newest <= limit).map(|r| r.event.clone()).collect()
                    }
                };
                ((id, limit, end), events)
            })
            .collect())
    }
}
