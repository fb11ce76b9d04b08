//! Daily snapshots: today's figures stored per user in
//! `analytics_snapshots`, so `analytics.history` can show trends. One row
//! per user and UTC day; taking a snapshot again the same day replaces it.

use async_graphql::{Context, Object, SimpleObject};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date as SqlDate, Integer, Jsonb, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{AnalyticsSnapshot, metrics};
use crate::auth::Role;
use crate::context::request;
use crate::db::Pool;
use crate::db::tables::users;
use crate::graphql::scalars::Json;
use crate::graphql::{ApiError, UserError};

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = SqlDate)]
    snapshot_date: NaiveDate,
    #[diesel(sql_type = Jsonb)]
    metrics: Value,
}

/// The user's figures as of now: what a snapshot stores.
async fn figures(conn: &mut AsyncPgConnection, user: Uuid, role: Role) -> Result<Value, ApiError> {
    let funnel: serde_json::Map<String, Value> =
        metrics::funnel(conn, user).await?.into_iter().map(|row| (row.status, row.count.into())).collect();
    let outcomes = metrics::outcomes(conn, user).await?;
    let median = metrics::median_days_to_first_response(conn, user).await?;
    let mut figures = json!({ "funnel": funnel, "outcomes": outcomes, "medianDaysToFirstResponse": median });
    if role != Role::Candidate {
        let stages = metrics::stages(conn, user, None).await?;
        let applicants: i32 = stages.iter().map(|stage| stage.count).sum();
        figures["pipeline"] = json!({ "applicants": applicants, "stages": stages });
    }
    if role == Role::Admin {
        figures["platform"] = serde_json::to_value(metrics::totals(conn).await?).unwrap_or_default();
    }
    Ok(figures)
}

/// Stores today's figures for `user`, replacing any taken earlier today.
async fn take(conn: &mut AsyncPgConnection, user: Uuid, role: Role) -> Result<(NaiveDate, Value), ApiError> {
    let figures = figures(conn, user, role).await?;
    let stored: Stored = sql_query(
        "INSERT INTO analytics_snapshots (id, user_id, snapshot_date, metrics)
         VALUES ($1, $2, (now() AT TIME ZONE 'UTC')::date, $3)
         ON CONFLICT (user_id, snapshot_date) DO UPDATE SET metrics = EXCLUDED.metrics
         RETURNING snapshot_date, metrics",
    )
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(user)
    .bind::<Jsonb, _>(figures)
    .get_result(conn)
    .await?;
    Ok((stored.snapshot_date, stored.metrics))
}

/// The user's snapshots of the last `days` UTC days, today included, oldest first.
pub async fn history(conn: &mut AsyncPgConnection, user: Uuid, days: i32) -> Result<Vec<(NaiveDate, Value)>, ApiError> {
    let rows: Vec<Stored> = sql_query(
        "SELECT snapshot_date, metrics FROM analytics_snapshots
         WHERE user_id = $1 AND snapshot_date > (now() AT TIME ZONE 'UTC')::date - $2
         ORDER BY snapshot_date",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Integer, _>(days)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.snapshot_date, row.metrics)).collect())
}

/// The result of `snapshotAnalytics`.
#[derive(SimpleObject)]
pub struct SnapshotAnalyticsPayload {
    /// Today's stored figures.
    pub snapshot: Option<AnalyticsSnapshot>,
    /// Always empty.
    pub user_errors: Vec<UserError>,
}

/// Storing analytics snapshots.
#[derive(Default)]
pub struct AnalyticsMutations;

#[Object]
impl AnalyticsMutations {
    /// Stores the viewer's figures for today (UTC), replacing any taken
    /// earlier today; `analytics.history` reads them back.
    /// `careergraph analytics snapshot` does the same for every user.
    async fn snapshot_analytics(&self, ctx: &Context<'_>) -> Result<SnapshotAnalyticsPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let (date, metrics) = take(&mut conn, me.user_id, me.role).await?;
        Ok(SnapshotAnalyticsPayload {
            snapshot: Some(AnalyticsSnapshot { date: date.into(), metrics: Json(metrics) }),
            user_errors: Vec::new(),
        })
    }
}

/// How many users' snapshots run at once.
const CONCURRENCY: usize = 4;
/// Users read per page while walking the table.
const PAGE: i64 = 500;

/// Takes today's snapshot for every live user; returns how many were stored.
pub async fn snapshot_everyone(pool: &Pool) -> Result<usize, ApiError> {
    let mut stored = 0;
    let mut after = Uuid::nil();
    loop {
        let page: Vec<(Uuid, String)> = {
            let mut conn = pool.get().await.map_err(ApiError::internal)?;
            users::table
                .filter(users::deleted_at.is_null())
                .filter(users::id.gt(after))
                .order(users::id)
                .select((users::id, users::role))
                .limit(PAGE)
                .load(&mut conn)
                .await?
        };
        let Some((last, _)) = page.last() else { break };
        after = *last;
        let count = page.len();
        futures_util::stream::iter(page)
            .map(|(user, role)| async move {
                let role = Role::from_db(&role).unwrap_or(Role::Candidate);
                let mut conn = pool.get().await.map_err(ApiError::internal)?;
                take(&mut conn, user, role).await.map(|_| ())
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        stored += count;
        if i64::try_from(count).unwrap_or(0) < PAGE {
            break;
        }
    }
    Ok(stored)
}
