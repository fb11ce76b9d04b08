//! Interview kits: for one job, what to ask in one kind of interview, as an
//! ordered list of questions, each with guidance for the interviewer, the
//! competency it probes and its weight. Only the job's poster (on a job
//! posted in careergraph) and admins see them (or change them:
//! `kit_mutations`); candidates never do.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::interviews::InterviewKind;
use super::loaders;
use crate::auth::Viewer;
use crate::db::tables::{interview_kits, interview_questions, jobs};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, db_enum, ids};
use crate::jobs::{Job, NATIVE_SOURCE};

/// The most live kits one job has.
pub const MAX_KITS_PER_JOB: i64 = 20;
/// The most questions one kit holds.
pub const MAX_QUESTIONS: usize = 50;

/// A row of `interview_kits`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interview_kits, check_for_backend(Pg))]
pub struct KitRow {
    pub id: Uuid,
    pub job_id: Uuid,
    pub name: String,
    pub kind: String,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// A row of `interview_questions`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interview_questions, check_for_backend(Pg))]
pub struct QuestionRow {
    pub id: Uuid,
    pub kit_id: Uuid,
    pub position: i32,
    pub text: String,
    pub guidance: Option<String>,
    pub competency: String,
    pub weight: i32,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// The live kits `viewer` may see: those of jobs they posted in careergraph;
/// every one for an admin; none for anyone else.
pub fn kits_visible_to(
    viewer: &Viewer,
) -> Option<Box<dyn BoxableExpression<interview_kits::table, Pg, SqlType = Bool>>> {
    let me = viewer.signed_in()?;
    let live = interview_kits::deleted_at.is_null();
    if me.is_admin() {
        return Some(Box::new(live));
    }
    let posted = jobs::table
        .filter(jobs::posted_by_id.eq(me.user_id))
        .filter(jobs::source.eq(NATIVE_SOURCE))
        .filter(jobs::deleted_at.is_null())
        .select(jobs::id);
    Some(Box::new(live.and(interview_kits::job_id.eq_any(posted))))
}

/// An interview kit as the API shows it.
pub struct InterviewKit(pub KitRow);

impl InterviewKit {
    pub const TYPE_NAME: &'static str = "InterviewKit";
}

/// What to ask in one kind of interview for one job: an ordered list of
/// questions. Seen only by the job's poster and admins.
#[Object]
impl InterviewKit {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The kit's name, e.g. "Backend technical interview".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The kind of interview it is for.
    async fn kind(&self) -> Option<InterviewKind> {
        db_enum::from_db(&self.0.kind)
    }

    /// The job it belongs to.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        crate::jobs::visible_job(ctx, self.0.job_id).await
    }

    /// The questions, in the order they are asked (at most 50).
    async fn questions(&self, ctx: &Context<'_>) -> Result<Vec<InterviewQuestion>, ApiError> {
        let rows = loaders(ctx).questions_by_kit.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(InterviewQuestion).collect())
    }

    /// When the kit was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the kit itself (its name or kind) last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A question as the API shows it.
pub struct InterviewQuestion(pub QuestionRow);

impl InterviewQuestion {
    pub const TYPE_NAME: &'static str = "InterviewQuestion";
}

/// One question of an interview kit.
#[Object]
impl InterviewQuestion {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The kit it belongs to.
    async fn kit(&self, ctx: &Context<'_>) -> Result<Option<InterviewKit>, ApiError> {
        Ok(loaders(ctx).kits.load_one(self.0.kit_id).await?.map(InterviewKit))
    }

    /// Its place in the kit, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// The question to ask.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Guidance for the interviewer: what a strong answer contains.
    async fn guidance(&self) -> Option<&str> {
        self.0.guidance.as_deref()
    }

    /// The competency it probes, e.g. "Rust" or "Communication"; reports
    /// group ratings by it (case-insensitively).
    async fn competency(&self) -> &str {
        &self.0.competency
    }

    /// How much its rating counts in averages (1–10).
    async fn weight(&self) -> i32 {
        self.0.weight
    }
}

/// Loads kits by id, only those the viewer may see.
pub struct KitLoader {
    db: Db,
    viewer: Viewer,
}

impl KitLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for KitLoader {
    type Value = KitRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, KitRow>, ApiError> {
        let Some(visible) = kits_visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<KitRow> = interview_kits::table
            .filter(interview_kits::id.one_of(keys))
            .filter(visible)
            .select(KitRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads the kits of many jobs, oldest first, only those the viewer may see.
pub struct KitsByJob {
    db: Db,
    viewer: Viewer,
}

impl KitsByJob {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for KitsByJob {
    type Value = Vec<KitRow>;
    type Error = ApiError;

    async fn load(&self, jobs: &[Uuid]) -> Result<HashMap<Uuid, Vec<KitRow>>, ApiError> {
        let Some(visible) = kits_visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<KitRow> = interview_kits::table
            .filter(interview_kits::job_id.one_of(jobs))
            .filter(visible)
            .order((interview_kits::created_at.asc(), interview_kits::id.asc()))
            .select(KitRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let mut grouped: HashMap<Uuid, Vec<KitRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.job_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// The ids among `kits` the viewer may see (the questions loaders' check).
async fn visible_kit_ids(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    kits: Vec<Uuid>,
) -> Result<Vec<Uuid>, ApiError> {
    let Some(visible) = kits_visible_to(viewer) else { return Ok(Vec::new()) };
    Ok(interview_kits::table
        .filter(interview_kits::id.one_of(kits))
        .filter(visible)
        .select(interview_kits::id)
        .cached()
        .load(conn)
        .await?)
}

/// Loads the questions of many kits in order, only of kits the viewer may see.
pub struct QuestionsByKit {
    db: Db,
    viewer: Viewer,
}

impl QuestionsByKit {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for QuestionsByKit {
    type Value = Vec<QuestionRow>;
    type Error = ApiError;

    async fn load(&self, kits: &[Uuid]) -> Result<HashMap<Uuid, Vec<QuestionRow>>, ApiError> {
        let mut conn = self.db.conn().await?;
        let visible = visible_kit_ids(&mut conn, &self.viewer, kits.to_vec()).await?;
        let rows: Vec<QuestionRow> = interview_questions::table
            .filter(interview_questions::kit_id.one_of(visible))
            .order((interview_questions::position.asc(), interview_questions::id.asc()))
            .select(QuestionRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let mut grouped: HashMap<Uuid, Vec<QuestionRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.kit_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// Loads questions by id, only of kits the viewer may see.
pub struct QuestionLoader {
    db: Db,
    viewer: Viewer,
}

impl QuestionLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for QuestionLoader {
    type Value = QuestionRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, QuestionRow>, ApiError> {
        if self.viewer.signed_in().is_none() {
            return Ok(HashMap::new());
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<QuestionRow> = interview_questions::table
            .filter(interview_questions::id.one_of(keys))
            .select(QuestionRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let visible = visible_kit_ids(&mut conn, &self.viewer, rows.iter().map(|row| row.kit_id).collect()).await?;
        Ok(rows.into_iter().filter(|row| visible.contains(&row.kit_id)).map(|row| (row.id, row)).collect())
    }
}
