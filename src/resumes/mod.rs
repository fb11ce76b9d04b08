//! Resumes: named documents cut from the master profile, each a series of
//! immutable versions holding a JSON Resume document.

mod content;
mod graphql;
mod import;
mod letters;
mod loaders;
pub mod render;
mod tailor;

pub use graphql::{Resume, ResumeConnection, ResumeMutations, ResumeVersion, resume_from_profile, resume_page};
pub use import::ImportMutations;
pub use letters::{CoverLetter, CoverLetterMutations, LetterLoader, ViewerLetters, printable};
pub use loaders::{Loaders, loaders};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::db::tables::{resume_versions, resumes};
use crate::db::{CacheStatement, Db, OneOfKeys, Related};
use crate::graphql::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resumes, check_for_backend(Pg))]
pub struct ResumeRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub target_job_id: Option<Uuid>,
    pub pinned_version_id: Option<Uuid>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = resume_versions, check_for_backend(Pg))]
pub struct VersionRow {
    pub id: Uuid,
    pub resume_id: Uuid,
    pub version: i32,
    pub content: serde_json::Value,
    pub origin: String,
    pub tailored_for_job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Loads resumes by id: the viewer's own (every resume for an admin).
pub struct ResumeLoader {
    db: Db,
    viewer: Viewer,
}

impl ResumeLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ResumeLoader {
    type Value = ResumeRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, ResumeRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut query =
            resumes::table.filter(resumes::id.one_of(keys)).filter(resumes::deleted_at.is_null()).into_boxed();
        if !me.is_admin() {
            query = query.filter(resumes::user_id.eq(me.user_id));
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<ResumeRow> = query.select(ResumeRow::as_select()).cached().load(&mut conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads resume versions by id: of the viewer's own resumes, and those sent
/// with an application to a job the viewer posted.
pub struct VersionLoader {
    db: Db,
    viewer: Viewer,
}

impl VersionLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for VersionLoader {
    type Value = VersionRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, VersionRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut query = resume_versions::table
            .inner_join(resumes::table.on(resumes::id.eq(resume_versions::resume_id)))
            .filter(resume_versions::id.one_of(keys))
            .filter(resumes::deleted_at.is_null())
            .into_boxed();
        if !me.is_admin() {
            let sent_to_me = diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM applications JOIN jobs ON jobs.id = applications.job_id
                         WHERE applications.resume_version_id = resume_versions.id
                           AND applications.applied_at IS NOT NULL AND applications.deleted_at IS NULL
                           AND jobs.source = 'careergraph' AND jobs.posted_by_id = ",
            )
            .bind::<SqlUuid, _>(me.user_id)
            .sql(")");
            query = query.filter(resumes::user_id.eq(me.user_id).or(sent_to_me));
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<VersionRow> = query.select(VersionRow::as_select()).cached().load(&mut conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// The resume version whose id is the parent statement's `id_column`, if
/// its resume is live, read in that statement (see `db::Related`), for a
/// parent whose own visibility already shows the viewer may see the version
/// (an application's: the candidate attached their own resume's version,
/// and the job's recruiter sees what was sent to them, which is what
/// [`VersionLoader`] asks).
pub fn related_live_version(id_column: &'static str) -> Related<VersionRow> {
    let same = diesel::dsl::sql::<Bool>(&format!("resume_versions.id = {id_column}"));
    Related::of(
        resume_versions::table
            .inner_join(resumes::table.on(resumes::id.eq(resume_versions::resume_id)))
            .filter(resumes::deleted_at.is_null())
            .filter(same)
            .select(VersionRow::as_select()),
    )
}

/// Loads the newest version of each of many resumes (already authorized).
pub struct LatestVersions {
    db: Db,
}

impl LatestVersions {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for LatestVersions {
    type Value = VersionRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, VersionRow>, ApiError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<VersionRow> = resume_versions::table
            .filter(resume_versions::resume_id.one_of(keys))
            .distinct_on(resume_versions::resume_id)
            .order((resume_versions::resume_id, resume_versions::version.desc()))
            .select(VersionRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.resume_id, row)).collect())
    }
}

/// Loads versions by (resume, version number), of the viewer's own resumes
/// only: what `ResumeVersion.diff` compares with by default.
pub struct VersionsByNumber {
    db: Db,
    viewer: Viewer,
}

impl VersionsByNumber {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<(Uuid, i32)> for VersionsByNumber {
    type Value = VersionRow;
    type Error = ApiError;

    async fn load(&self, keys: &[(Uuid, i32)]) -> Result<HashMap<(Uuid, i32), VersionRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let resume_ids: Vec<Uuid> = keys.iter().map(|(resume, _)| *resume).collect();
        let numbers: Vec<i32> = keys.iter().map(|(_, number)| *number).collect();
        let mut query = resume_versions::table
            .inner_join(resumes::table.on(resumes::id.eq(resume_versions::resume_id)))
            .filter(resume_versions::resume_id.one_of(resume_ids))
            .filter(resume_versions::version.one_of(numbers))
            .filter(resumes::deleted_at.is_null())
            .into_boxed();
        if !me.is_admin() {
            query = query.filter(resumes::user_id.eq(me.user_id));
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<VersionRow> = query.select(VersionRow::as_select()).cached().load(&mut conn).await?;
        // The two ANY filters select a superset of the pairs asked for.
        Ok(rows
            .into_iter()
            .map(|row| ((row.resume_id, row.version), row))
            .filter(|(key, _)| keys.contains(key))
            .collect())
    }
}
