//! CSV downloads: `GET /exports/applications.csv` (the viewer's own
//! applications) and `GET /exports/jobs/{id}/applicants.csv` (a job's
//! applicants, for its poster), signed in by the same bearer token as
//! `/graphql`.
//!
//! The body streams: rows are read in batches of [`BATCH_ROWS`], each one
//! statement that takes its turn among the server's running requests
//! (admission control) and holds a connection only while it runs, and the
//! next batch is read only once the client has taken the last. An export
//! of any length needs memory for one batch, and a client that stops
//! reading holds no connection.

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;

use super::downloads::{Served, private, refusal};
use super::graphql::{reading_db, viewer_from};
use super::{AppState, RequestId, csv};
use crate::applications::{After, Export};
use crate::auth::Viewer;
use crate::db::Db;

/// Rows read per statement.
pub const BATCH_ROWS: usize = 500;

/// `GET /exports/applications.csv`.
pub async fn applications(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    let viewer = viewer_from(&headers, &state);
    match Export::candidate(&viewer) {
        Ok(export) => download(state, &headers, &viewer, export, request_id).await,
        Err(error) => refusal(error, &request_id),
    }
}

/// `GET /exports/jobs/{id}/applicants.csv`, `id` the job's global id.
pub async fn applicants(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let viewer = viewer_from(&headers, &state);
    let db = Db::new(state.pool.clone());
    match Export::applicants(&db, &viewer, &job_id).await {
        Ok(export) => download(state, &headers, &viewer, export, request_id).await,
        Err(error) => refusal(error, &request_id),
    }
}

/// The export as a streamed CSV. The first batch is read before the
/// response starts, so a failure then still gets its status code; a
/// failure later ends the body early (the client sees an incomplete
/// transfer, never a short file that looks whole).
async fn download(
    state: AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    export: Export,
    request_id: RequestId,
) -> Response {
    let session = viewer.signed_in().map(|me| me.session_id);
    let db = reading_db(&state, headers, session);
    let first = match export.batch(&db, None, BATCH_ROWS).await {
        Ok(batch) => batch,
        Err(error) => return refusal(error, &request_id),
    };
    let mut head = String::new();
    csv::write_record(&mut head, export.columns());
    let head = encoded(head, &first.rows);
    let rest = futures_util::stream::unfold(first.next, move |after| {
        let (state, db, request_id) = (state.clone(), db.clone(), request_id.clone());
        async move {
            let after: After = after?;
            // Waits its turn however long it takes: the response has begun.
            let _turn = state.admission.take_turn().await;
            match export.batch(&db, Some(after), BATCH_ROWS).await {
                Ok(batch) => Some((Ok(encoded(String::new(), &batch.rows)), batch.next)),
                Err(error) => {
                    tracing::warn!(request_id = request_id.as_str(), %error, "an export stopped part-way");
                    Some((Err(std::io::Error::other("the export stopped part-way")), None))
                }
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::once(async { Ok(head) }).chain(rest));
    let file_name = export.file_name();
    let served = Served {
        content_type: "text/csv; charset=utf-8; header=present",
        cache_control: "private, no-store",
        etag: None,
        file_name: Some(&file_name),
        policy: None,
    };
    private(body, &served)
}

/// `out` with every row appended, as bytes.
fn encoded(mut out: String, rows: &[Vec<String>]) -> Bytes {
    for row in rows {
        csv::write_record(&mut out, row);
    }
    Bytes::from(out)
}
