//! Reading the plain text of uploaded PDFs, in the background, so owners
//! can search their documents. Text files are read when they are uploaded;
//! PDFs wait, PENDING, for this worker: one at a time, each in a
//! transaction that locks its row (`FOR UPDATE SKIP LOCKED`, so several
//! processes share the queue and a crash leaves the row PENDING for the
//! next), on the blocking pool, bounded by [`EXTRACTION_TIMEOUT`]. A PDF the
//! extractor cannot read, panics on, or takes too long over is FAILED, and
//! not tried again.

use std::sync::LazyLock;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::sync::Notify;
use uuid::Uuid;

use super::store;
use crate::db::Pool;
use crate::db::tables::documents;
use crate::graphql::ApiError;

/// The most characters of text kept per document.
pub const TEXT_LIMIT: usize = 1_000_000;

/// How long one PDF may take before it is FAILED.
pub const EXTRACTION_TIMEOUT: Duration = Duration::from_secs(20);

/// Rung by an upload that left a document PENDING.
static PENDING: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells the worker a document is waiting.
pub fn wake() {
    // Every waiting worker (tests run several processes' worth in one), and
    // a permit for one that is busy now, so the upload is not missed.
    PENDING.notify_waiters();
    PENDING.notify_one();
}

/// `text` as stored: without NULs (PostgreSQL text cannot hold them), at
/// most [`TEXT_LIMIT`] characters.
pub fn storable(text: &str) -> String {
    text.chars().filter(|c| *c != '\0').take(TEXT_LIMIT).collect()
}

/// Works through PENDING documents whenever an upload rings, and every
/// `every` besides (documents left by another process, or by a crash).
pub fn spawn_worker(pool: Pool, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            loop {
                match extract_next(&pool).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(error) => {
                        tracing::warn!(%error, "reading a document's text failed; trying again later");
                        break;
                    }
                }
            }
            tokio::select! {
                () = PENDING.notified() => {}
                () = tokio::time::sleep(every) => {}
            }
        }
    })
}

/// Extracts the oldest PENDING document's text; false when none waits.
async fn extract_next(pool: &Pool) -> Result<bool, ApiError> {
    let mut conn = pool.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    conn.transaction(async |conn| {
        let next: Option<Uuid> = documents::table
            .filter(documents::text_status.eq("PENDING"))
            .order((documents::created_at, documents::id))
            .select(documents::id)
            .limit(1)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        let Some(id) = next else { return Ok(false) };
        let bytes = store().get(conn, id).await?.unwrap_or_default();
        let read =
            tokio::task::spawn_blocking(move || pdf_extract::extract_text_from_mem(&bytes).map_err(|e| e.to_string()));
        let text = match tokio::time::timeout(EXTRACTION_TIMEOUT, read).await {
            Err(_) => Err("it took too long".to_owned()),
            Ok(joined) => joined.map_err(|_| "the extractor failed on it".to_owned()).and_then(|read| read),
        };
        let (status, text) = match text {
            Ok(text) => ("DONE", Some(storable(&text))),
            Err(reason) => {
                tracing::info!(document = %id, reason, "a PDF's text could not be read");
                ("FAILED", None)
            }
        };
        diesel::update(documents::table.find(id))
            .set((documents::text_status.eq(status), documents::text.eq(text)))
            .execute(conn)
            .await?;
        Ok::<_, ApiError>(true)
    })
    .await
}
