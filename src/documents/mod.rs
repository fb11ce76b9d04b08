//! Documents a user uploads (a CV, a cover letter, a portfolio, anything
//! else they send with applications): stored with their name, their media
//! type as read from their bytes, their size and SHA-256, and the bytes
//! behind a [`DocumentStore`].

pub mod extract;
mod graphql;
pub mod sniff;

pub use graphql::{Document, DocumentConnection, DocumentKind, DocumentMutations, document_page};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::db::tables::{document_contents, documents};
use crate::db::{Db, OneOfKeys};
use crate::graphql::ApiError;

/// The largest upload, unless `--max-upload-bytes` says otherwise.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A row of `documents` (never the bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents, check_for_backend(Pg))]
pub struct DocumentRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub text_status: String,
    pub text: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where documents' bytes live. The default, [`PostgresStore`], keeps them
/// in `document_contents` beside their metadata, so they follow the
/// database everywhere (the embedded default, backups, replicas). An object
/// store (S3 and its kin) would implement the same two calls, keyed by the
/// document id, and ignore `conn`: `put` runs inside the transaction that
/// inserts the metadata, so a store that cannot join it must write first
/// and tolerate an orphan when the insert fails. docs/documents.md.
#[async_trait::async_trait]
pub trait DocumentStore: Send + Sync {
    /// Keeps `bytes` as document `id`'s.
    async fn put(&self, conn: &mut AsyncPgConnection, id: Uuid, bytes: &[u8]) -> Result<(), ApiError>;
    /// Document `id`'s bytes.
    async fn get(&self, conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Vec<u8>>, ApiError>;
}

/// Bytes in PostgreSQL (`document_contents`).
pub struct PostgresStore;

#[async_trait::async_trait]
impl DocumentStore for PostgresStore {
    async fn put(&self, conn: &mut AsyncPgConnection, id: Uuid, bytes: &[u8]) -> Result<(), ApiError> {
        diesel::insert_into(document_contents::table)
            .values((document_contents::id.eq(id), document_contents::bytes.eq(bytes)))
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn get(&self, conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(document_contents::table.find(id).select(document_contents::bytes).first(conn).await.optional()?)
    }
}

/// The store in use. One implementation today; a configured one would be
/// chosen here.
pub fn store() -> &'static dyn DocumentStore {
    &PostgresStore
}

/// The documents `viewer` may read: their own live ones (every live one
/// for an admin), and those sent with an application to a job they posted
/// (even once the candidate deleted them: the recruiter received them).
pub fn visible_to(viewer: &Viewer) -> Option<documents::BoxedQuery<'static, Pg>> {
    let me = viewer.signed_in()?;
    let live = documents::deleted_at.is_null();
    if me.is_admin() {
        return Some(documents::table.filter(live).into_boxed());
    }
    let sent_to_me = diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM application_documents ad
                 JOIN applications a ON a.id = ad.application_id
                 JOIN jobs j ON j.id = a.job_id
                 WHERE ad.document_id = documents.id
                   AND a.applied_at IS NOT NULL AND a.deleted_at IS NULL
                   AND j.source = 'careergraph' AND j.posted_by_id = ",
    )
    .bind::<diesel::sql_types::Uuid, _>(me.user_id)
    .sql(")");
    Some(documents::table.filter(live.and(documents::user_id.eq(me.user_id)).or(sent_to_me)).into_boxed())
}

/// The most documents one application carries.
pub const MAX_ATTACHMENTS: usize = 5;

/// Which of `ids` are not `user`'s live documents (all of them are when
/// this is empty). One statement.
pub async fn not_owned(conn: &mut AsyncPgConnection, user: Uuid, ids: &[Uuid]) -> Result<Vec<Uuid>, ApiError> {
    let owned: Vec<Uuid> = documents::table
        .filter(documents::id.one_of(ids))
        .filter(documents::user_id.eq(user))
        .filter(documents::deleted_at.is_null())
        .select(documents::id)
        .load(conn)
        .await?;
    Ok(ids.iter().copied().filter(|id| !owned.contains(id)).collect())
}

/// Sends `documents` (the applicant `user`'s) with `application`; sending
/// one twice keeps one. One statement.
pub async fn attach(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    application: Uuid,
    documents: &[Uuid],
) -> Result<(), ApiError> {
    use crate::db::tables::application_documents as sent;
    if documents.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = documents
        .iter()
        .map(|document| {
            (
                sent::id.eq(Uuid::now_v7()),
                sent::user_id.eq(user),
                sent::application_id.eq(application),
                sent::document_id.eq(*document),
            )
        })
        .collect();
    diesel::insert_into(sent::table).values(rows).on_conflict_do_nothing().execute(conn).await?;
    Ok(())
}

/// Loads the documents sent with each of many applications (already
/// authorized: whoever may see an application may see what came with it).
pub struct AttachedDocuments {
    db: Db,
}

impl AttachedDocuments {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for AttachedDocuments {
    type Value = Vec<DocumentRow>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<DocumentRow>>, ApiError> {
        use crate::db::tables::application_documents as sent;
        let mut conn = self.db.conn().await?;
        let rows: Vec<(Uuid, DocumentRow)> = sent::table
            .inner_join(documents::table)
            .filter(sent::application_id.one_of(keys))
            .order((sent::application_id, sent::created_at, sent::id))
            .select((sent::application_id, DocumentRow::as_select()))
            .load(&mut conn)
            .await?;
        let mut by_application: HashMap<Uuid, Vec<DocumentRow>> = HashMap::new();
        for (application, row) in rows {
            by_application.entry(application).or_default().push(row);
        }
        Ok(by_application)
    }
}

/// Loads documents by id, only those the viewer may read.
pub struct DocumentLoader {
    db: Db,
    viewer: Viewer,
}

impl DocumentLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for DocumentLoader {
    type Value = DocumentRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, DocumentRow>, ApiError> {
        let Some(visible) = visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<DocumentRow> =
            visible.filter(documents::id.one_of(keys)).select(DocumentRow::as_select()).load(&mut conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// The document loaders of one request (the roof puts them in,
/// `crate::schema::request_data`).
pub struct Loaders {
    /// Documents by id.
    pub documents: crate::context::Lazy<DocumentLoader>,
    /// The documents sent with each application.
    pub attached: crate::context::Lazy<AttachedDocuments>,
}

impl Loaders {
    pub fn new(seed: &std::sync::Arc<crate::context::LoaderSeed>) -> Self {
        Self {
            documents: crate::context::Lazy::new(seed, |s| DocumentLoader::new(s.db.clone(), s.viewer)),
            attached: crate::context::Lazy::new(seed, |s| AttachedDocuments::new(s.db.clone())),
        }
    }
}

/// This request's document loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
