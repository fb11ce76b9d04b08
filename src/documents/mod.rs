//! Documents a user uploads (a CV, a cover letter, a portfolio, anything
//! else they send with applications): stored with their name, their media
//! type as read from their bytes, their size and SHA-256, and the bytes
//! behind a [`DocumentStore`].

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

/// The live documents `viewer` may read: their own (every one for an admin).
pub fn visible_to(viewer: &Viewer) -> Option<documents::BoxedQuery<'static, Pg>> {
    let me = viewer.signed_in()?;
    let live = documents::table.filter(documents::deleted_at.is_null()).into_boxed();
    Some(if me.is_admin() { live } else { live.filter(documents::user_id.eq(me.user_id)) })
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
}

impl Loaders {
    pub fn new(seed: &std::sync::Arc<crate::context::LoaderSeed>) -> Self {
        Self { documents: crate::context::Lazy::new(seed, |s| DocumentLoader::new(s.db.clone(), s.viewer)) }
    }
}

/// This request's document loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
