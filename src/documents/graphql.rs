//! Documents in GraphQL: the `Document` node, the viewer's connection, and
//! `uploadDocument` / `deleteDocument`. Uploads follow the GraphQL
//! multipart request specification (the HTTP layer reads the parts).

use std::io::Read;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::extract;
use super::sniff::{MediaType, misnamed, sniff};
use super::{DocumentRow, store};
use crate::context::request;
use crate::db::tables::documents;
use crate::graphql::pagination::{Page, PageArgs, TimeKey, TimeOrder, TotalCount};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, Payload, UserError, UserErrorCode, db_enum, ids, payload};

/// What a document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum DocumentKind {
    /// A curriculum vitae or resume.
    Cv,
    /// A cover letter.
    CoverLetter,
    /// Work samples.
    Portfolio,
    /// Anything else (certificates, references…).
    Other,
}

/// Where reading a document's text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum DocumentTextStatus {
    /// Waiting to be read (PDFs are read in the background, in seconds).
    Pending,
    /// Read: `text` holds it.
    Done,
    /// The file's text could not be read (a scanned or damaged PDF).
    Failed,
    /// Images and DOCX files are not read.
    NotApplicable,
}

/// A file the viewer uploaded.
pub struct Document(pub DocumentRow);

impl Document {
    pub const TYPE_NAME: &'static str = "Document";
}

/// A file a user uploaded: a CV, a cover letter, a portfolio…
#[Object]
impl Document {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// What it is for.
    async fn kind(&self) -> Option<DocumentKind> {
        db_enum::from_db(&self.0.kind)
    }

    /// The file's name as uploaded (its directories left out).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// Its media type, as read from its bytes (never the client's word):
    /// application/pdf, the DOCX type, text/plain, image/png or image/jpeg.
    async fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// Its size in bytes.
    async fn size_bytes(&self) -> f64 {
        self.0.size_bytes as f64
    }

    /// The SHA-256 of its bytes, in lowercase hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Whether its plain text has been read.
    async fn text_status(&self) -> Option<DocumentTextStatus> {
        db_enum::from_db(&self.0.text_status)
    }

    /// Its plain text (PDFs and text files, at most a million characters),
    /// once `textStatus` is DONE; what `viewer.documents(query:)` searches.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// When it was uploaded.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Where to download it: a path on this server with a signed `token`
    /// that opens it for 15 minutes without an `Authorization` header (with
    /// the header, the path works without `token` too).
    async fn download_url(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        crate::context::signed_document_path(ctx, (Self::TYPE_NAME, self.0.id), ("uploads", ""), "")
    }
}

crate::connection!(
    DocumentConnection,
    DocumentEdge,
    Document,
    TimeKey,
    "A page of the viewer's documents, newest first.",
    "A document in a `DocumentConnection`, with its cursor."
);

/// `user`'s live documents, those whose text matches `search` when given
/// (all its words, any form: PostgreSQL's `simple` configuration).
fn owned(user: Uuid, search: Option<&str>) -> documents::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query =
        documents::table.filter(documents::user_id.eq(user)).filter(documents::deleted_at.is_null()).into_boxed();
    if let Some(words) = search {
        let matching =
            diesel::dsl::sql::<diesel::sql_types::Bool>("documents.text_search @@ plainto_tsquery('simple', ")
                .bind::<diesel::sql_types::Text, _>(words.to_owned())
                .sql(")");
        query = query.filter(matching);
    }
    query
}

/// One page of `user`'s documents, newest first, only those whose text
/// matches `search` when given.
pub async fn document_page(
    ctx: &Context<'_>,
    user: Uuid,
    search: Option<String>,
    args: PageArgs,
) -> Result<DocumentConnection, ApiError> {
    let request = request(ctx);
    let page: Page<TimeKey> = args.page()?;
    let search = search.map(|words| words.trim().to_owned()).filter(|words| !words.is_empty());
    let mut query = owned(user, search.as_deref());
    for condition in page.conditions("documents.created_at, documents.id", TimeOrder::NewestFirst) {
        query = query.filter(condition);
    }
    query = if page.reads_newest_first(TimeOrder::NewestFirst) {
        query.order((documents::created_at.desc(), documents::id.desc()))
    } else {
        query.order((documents::created_at.asc(), documents::id.asc()))
    };
    let mut conn = request.db.conn().await?;
    let rows: Vec<DocumentRow> =
        query.select(DocumentRow::as_select()).limit(page.fetch_limit()).load(&mut conn).await?;
    let (edges, more) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
    let db = request.db.clone();
    let total_count = TotalCount::new(move || {
        let (db, search) = (db.clone(), search.clone());
        async move {
            let mut conn = db.conn().await?;
            Ok(owned(user, search.as_deref()).count().get_result(&mut conn).await?)
        }
    });
    let edges = edges.into_iter().map(|(key, row)| (key, Document(row))).collect();
    Ok(DocumentConnection::new(edges, more, total_count))
}

/// A file to keep.
#[derive(InputObject)]
pub struct UploadDocumentInput {
    /// The file: a multipart request's part (GraphQL multipart request
    /// specification). At most 10 MB unless the server says otherwise; PDF,
    /// DOCX, plain text, PNG or JPEG, as read from its bytes.
    pub file: Upload,
    /// What it is for.
    pub kind: DocumentKind,
}

/// The document to delete.
#[derive(InputObject)]
pub struct DeleteDocumentInput {
    /// One of the viewer's documents.
    pub document_id: ID,
}

payload!(
    UploadDocumentPayload,
    "The result of `uploadDocument`.",
    document: Document(DocumentRow),
    "The stored document; null when the file was refused.",
    "Why the file was refused (INVALID: not a type careergraph stores, or not what its name says; BLANK: empty)."
);

/// The result of `deleteDocument`.
#[derive(SimpleObject)]
pub struct DeleteDocumentPayload {
    /// The id of the deleted document.
    pub deleted_document_id: Option<ID>,
    /// Always empty.
    pub user_errors: Vec<UserError>,
}

/// The name to keep for an uploaded file: its last path component, without
/// control characters, trimmed, at most 255 characters.
fn clean_file_name(uploaded: &str) -> String {
    let last = uploaded.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let trimmed = cleaned.trim();
    let name = if trimmed.is_empty() { "document" } else { trimmed };
    name.chars().take(255).collect()
}

/// Uploading and deleting documents.
#[derive(Default)]
pub struct DocumentMutations;

#[Object]
impl DocumentMutations {
    /// Stores a file for the viewer. Its type is read from its bytes; a
    /// file whose name claims another type (`cv.pdf` holding a PNG) is
    /// refused.
    async fn upload_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UploadDocumentInput,
    ) -> Result<UploadDocumentPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let upload = input
            .file
            .value(ctx)
            .map_err(|_| ApiError::bad_user_input("`file` names no part of this multipart request"))?;
        let file_name = clean_file_name(&upload.filename);
        let read = tokio::task::spawn_blocking(move || {
            let mut bytes = Vec::new();
            upload.into_read().read_to_end(&mut bytes).map(|_| bytes)
        });
        let bytes = read.await.map_err(ApiError::internal)?.map_err(ApiError::internal)?;
        let field = ["input", "file"];
        if bytes.is_empty() {
            let error = UserError::new(&field, UserErrorCode::Blank, "The file is empty");
            return Ok(UploadDocumentPayload::refused(vec![error]));
        }
        let Some(media_type) = sniff(&bytes) else {
            let error =
                UserError::new(&field, UserErrorCode::Invalid, "Upload a PDF, DOCX, plain text, PNG or JPEG file");
            return Ok(UploadDocumentPayload::refused(vec![error]));
        };
        if misnamed(&file_name, media_type) {
            let message = format!("The file's contents are {}, not what its name says", media_type.as_str());
            let error = UserError::new(&field, UserErrorCode::Invalid, message);
            return Ok(UploadDocumentPayload::refused(vec![error]));
        }
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        // Text is read now, PDFs in the background, other types never.
        let (text_status, text) = match media_type {
            MediaType::Text => ("DONE", Some(extract::storable(&String::from_utf8_lossy(&bytes)))),
            MediaType::Pdf => ("PENDING", None),
            _ => ("NOT_APPLICABLE", None),
        };
        let id = Uuid::now_v7();
        let now = Utc::now();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let row: DocumentRow = diesel::insert_into(documents::table)
                    .values((
                        documents::id.eq(id),
                        documents::user_id.eq(me.user_id),
                        documents::kind.eq(db_enum::to_db(input.kind)),
                        documents::file_name.eq(&file_name),
                        documents::media_type.eq(media_type.as_str()),
                        documents::size_bytes.eq(size),
                        documents::sha256.eq(&sha256),
                        documents::text_status.eq(text_status),
                        documents::text.eq(&text),
                        documents::created_at.eq(now),
                        documents::updated_at.eq(now),
                    ))
                    .returning(DocumentRow::as_returning())
                    .get_result(conn)
                    .await?;
                store().put(conn, id, &bytes).await?;
                Ok::<_, ApiError>(row)
            })
            .await?;
        if text_status == "PENDING" {
            extract::wake();
        }
        Ok(UploadDocumentPayload::saved(row))
    }

    /// Deletes one of the viewer's documents: it leaves their list and can
    /// no longer be downloaded.
    async fn delete_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteDocumentInput,
    ) -> Result<DeleteDocumentPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let uuid = ids::decode_as(&input.document_id, Document::TYPE_NAME)?;
        let mut conn = request.db.conn().await?;
        let now = Utc::now();
        let mine = documents::table
            .filter(documents::id.eq(uuid))
            .filter(documents::user_id.eq(me.user_id))
            .filter(documents::deleted_at.is_null());
        let deleted = diesel::update(mine)
            .set((documents::deleted_at.eq(now), documents::updated_at.eq(now)))
            .execute(&mut conn)
            .await?;
        if deleted == 0 {
            return Err(ids::not_found(&input.document_id));
        }
        Ok(DeleteDocumentPayload { deleted_document_id: Some(input.document_id), user_errors: Vec::new() })
    }
}
