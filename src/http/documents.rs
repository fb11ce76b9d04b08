//! Documents over HTTP: `GET /documents/resume-versions/{id}.pdf` (and
//! `.html`, a preview page) and `GET /documents/cover-letters/{id}.pdf`
//! (`?theme=classic|modern|compact&paper=a4|letter`), for whoever may read
//! the document through GraphQL: its owner, the recruiter of a job it was
//! sent with, an admin. Signed in by `Authorization: Bearer`, or by the
//! signed `token` of a link the API handed out (`ResumeVersion.pdfUrl`).
//!
//! A version never changes, so its ETag is known before rendering: a
//! client revalidating with `If-None-Match` gets 304 without the document
//! being typeset again. Typesetting runs on the blocking pool, at most one
//! per core at once, so PDFs never stall the async threads serving
//! everyone else.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_graphql::dataloader::Loader;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::downloads::{Served, private, refusal};
use super::graphql::viewer_from;
use super::{AppState, RequestId};
use crate::auth::Viewer;
use crate::db::Db;
use crate::documents::{Document, DocumentLoader};
use crate::graphql::{ApiError, ids};
use crate::resumes::render::{self, PaperSize, ResumeTheme};
use crate::resumes::{CoverLetter, LetterLoader, ResumeVersion, VersionLoader};

/// Bumped whenever the templates change what a version renders to, so
/// clients holding an old ETag fetch the new rendering.
const RENDER_REVISION: u32 = 1;

/// Typesetting jobs running at once: one per core.
static RENDERING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get)));

/// `GET /documents/{collection}/{file}`: `resume-versions/{id}.pdf` (or
/// `.html`) and `cover-letters/{id}.pdf`.
pub async fn document(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Path((collection, file)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let served = match collection.as_str() {
        "resume-versions" => resume_version_pdf(&state, &file, &query, &headers).await,
        "cover-letters" => cover_letter_pdf(&state, &file, &query, &headers).await,
        "uploads" => uploaded_file(&state, &file, &query, &headers).await,
        _ => return super::not_found().await,
    };
    served.unwrap_or_else(|error| refusal(error, &request_id))
}

/// What a document is served as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Pdf,
    /// A resume version's preview page.
    Html,
}

/// What a document request asks for, and who asks.
struct Wanted {
    format: Format,
    /// The document's global id, as in the path.
    id: String,
    uuid: uuid::Uuid,
    theme: ResumeTheme,
    paper: PaperSize,
    viewer: Viewer,
}

impl Wanted {
    /// The request for `<id>.pdf` of a `type_name`, its viewer signed in.
    fn read(
        state: &AppState,
        type_name: &str,
        file: &str,
        query: &HashMap<String, String>,
        headers: &HeaderMap,
    ) -> Result<Self, ApiError> {
        let (id, format) = match (file.strip_suffix(".pdf"), file.strip_suffix(".html")) {
            (Some(id), _) => (id, Format::Pdf),
            (None, Some(id)) => (id, Format::Html),
            (None, None) => return Err(ApiError::not_found("Documents are served as <id>.pdf (or <id>.html)")),
        };
        let theme =
            choice(query, "theme", ResumeTheme::from_slug, &["classic", "modern", "compact"])?.unwrap_or_default();
        let paper = choice(query, "paper", PaperSize::from_slug, &["a4", "letter"])?.unwrap_or_default();
        let (viewer, uuid) = signed_in_for(state, headers, query, (type_name, id))?;
        Ok(Self { format, id: id.to_owned(), uuid, theme, paper, viewer })
    }

    /// The ETag of this rendering of an immutable document.
    fn etag(&self, kind: &str) -> String {
        let (uuid, theme, paper) = (self.uuid.simple(), self.theme.slug(), self.paper.slug());
        match self.format {
            Format::Pdf => format!("\"{kind}-{uuid}-{theme}-{paper}-{RENDER_REVISION}\""),
            Format::Html => format!("\"{kind}-{uuid}-{theme}-html-{RENDER_REVISION}\""),
        }
    }
}

async fn resume_version_pdf(
    state: &AppState,
    file: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let wanted = Wanted::read(state, ResumeVersion::TYPE_NAME, file, query, headers)?;
    let loader = VersionLoader::new(Db::new(state.pool.clone()), wanted.viewer);
    let version = loader.load(&[wanted.uuid]).await?.remove(&wanted.uuid).ok_or_else(|| ids::not_found(&wanted.id))?;
    let etag = wanted.etag("rv");
    if revalidated(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    if wanted.format == Format::Html {
        return Ok(html_response(render::resume_html(&version.content, wanted.theme), &etag));
    }
    let name = version.content.pointer("/basics/name").and_then(serde_json::Value::as_str).unwrap_or("resume");
    let file_name = format!("{name} resume v{}.pdf", version.version);
    let (content, theme, paper) = (version.content, wanted.theme, wanted.paper);
    let pdf = typeset(move || render::resume_pdf(&content, theme, paper)).await?;
    Ok(pdf_response(pdf, &etag, &file_name))
}

async fn cover_letter_pdf(
    state: &AppState,
    file: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let wanted = Wanted::read(state, CoverLetter::TYPE_NAME, file, query, headers)?;
    if wanted.format == Format::Html {
        return Err(ApiError::not_found("Cover letters are served as <id>.pdf; `body` is their text"));
    }
    let db = Db::new(state.pool.clone());
    let loader = LetterLoader::new(db.clone(), wanted.viewer);
    let row = loader.load(&[wanted.uuid]).await?.remove(&wanted.uuid).ok_or_else(|| ids::not_found(&wanted.id))?;
    let etag = wanted.etag("cl");
    if revalidated(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let version = row.version;
    let letter = crate::resumes::printable(&db, row).await?;
    let file_name = format!("{} cover letter {} v{version}.pdf", letter.author, letter.company);
    let (theme, paper) = (wanted.theme, wanted.paper);
    let pdf = typeset(move || render::letter_pdf(&letter, theme, paper)).await?;
    Ok(pdf_response(pdf, &etag, &file_name))
}

/// An uploaded document's bytes, for whoever may read it (its owner, the
/// recruiter of a job it was sent with, an admin), as the media type read
/// from them when it was uploaded.
async fn uploaded_file(
    state: &AppState,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let (viewer, uuid) = signed_in_for(state, headers, query, (Document::TYPE_NAME, id))?;
    let db = Db::new(state.pool.clone());
    let loader = DocumentLoader::new(db.clone(), viewer);
    let row = loader.load(&[uuid]).await?.remove(&uuid).ok_or_else(|| ids::not_found(id))?;
    // Stored documents never change: their hash is their ETag.
    let etag = format!("\"{}\"", row.sha256);
    if revalidated(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let mut conn = db.conn().await?;
    let bytes = crate::documents::store().get(&mut conn, uuid).await?.ok_or_else(|| ids::not_found(id))?;
    drop(conn);
    let served = Served {
        content_type: &row.media_type,
        cache_control: PRIVATE_REVALIDATED,
        etag: Some(&etag),
        file_name: Some(&row.file_name),
        // Whatever a browser makes of it, it runs nothing from this origin.
        policy: Some("default-src 'none'; sandbox"),
    };
    Ok(private(bytes, &served))
}

/// Documents are private: a browser may keep them but must ask each time.
const PRIVATE_REVALIDATED: &str = "private, no-cache";

/// The signed-in viewer asking for document `id` of `type_name`, and its row id.
fn signed_in_for(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    (type_name, id): (&str, &str),
) -> Result<(Viewer, uuid::Uuid), ApiError> {
    let viewer = viewer_for(state, headers, query, id);
    viewer.require()?;
    Ok((viewer, ids::decode_as(&async_graphql::ID(id.to_owned()), type_name)?))
}

/// The viewer a bearer token names; without one, the viewer a download
/// link's `token` names for document `id`.
fn viewer_for(state: &AppState, headers: &HeaderMap, query: &HashMap<String, String>, id: &str) -> Viewer {
    if headers.contains_key(header::AUTHORIZATION) {
        return viewer_from(headers, state);
    }
    match query.get("token") {
        Some(token) => match state.auth.downloads.verify(token, id) {
            Ok(signed_in) => Viewer::SignedIn(signed_in),
            Err(reason) => Viewer::Rejected(reason),
        },
        None => Viewer::Anonymous,
    }
}

/// The value of query parameter `key` as `parse` reads it; one it cannot
/// read is BAD_USER_INPUT naming the `allowed` ones.
fn choice<T>(
    query: &HashMap<String, String>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<Option<T>, ApiError> {
    let Some(value) = query.get(key) else { return Ok(None) };
    parse(&value.to_ascii_lowercase())
        .map(Some)
        .ok_or_else(|| ApiError::bad_user_input(format!("`{key}` must be one of {}", allowed.join(", "))))
}

/// Whether the client's `If-None-Match` already holds `etag`.
fn revalidated(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|held| held.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"))
}

fn not_modified(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Runs `render` on the blocking pool once a typesetting slot is free.
async fn typeset<F>(render: F) -> Result<crate::typeset::Pdf, ApiError>
where
    F: FnOnce() -> Result<crate::typeset::Pdf, crate::typeset::TypesetError> + Send + 'static,
{
    let _slot = RENDERING.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(render).await.map_err(ApiError::internal)?.map_err(ApiError::internal)
}

/// A preview page, revalidated by its ETag. It holds no script, and its
/// policy would run none: only its own inline styles load.
fn html_response(html: String, etag: &str) -> Response {
    let served = Served {
        content_type: "text/html; charset=utf-8",
        cache_control: PRIVATE_REVALIDATED,
        etag: Some(etag),
        file_name: None,
        policy: Some("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"),
    };
    private(html, &served)
}

/// The PDF as a download named `file_name`, revalidated by its ETag.
fn pdf_response(pdf: crate::typeset::Pdf, etag: &str, file_name: &str) -> Response {
    let served = Served {
        content_type: "application/pdf",
        cache_control: PRIVATE_REVALIDATED,
        etag: Some(etag),
        file_name: Some(file_name),
        policy: None,
    };
    private(pdf.bytes, &served)
}
