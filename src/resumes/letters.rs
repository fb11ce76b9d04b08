//! Cover letters: per job and user, versioned (each save is a new row), with
//! at most one pinned version.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::render::{Letter, PaperSize, ResumeTheme};
use crate::auth::{SignedIn, Viewer};
use crate::context::request;
use crate::db::tables::cover_letters;
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, Outcome, Payload, UserError, ids, payload, respond};
use crate::jobs::Job;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cover_letters, check_for_backend(Pg))]
pub struct LetterRow {
    pub id: Uuid,
    pub job_id: Uuid,
    pub version: i32,
    pub title: Option<String>,
    pub body: String,
    pub pinned: bool,
    pub created_at: ChronoDateTime<Utc>,
}

/// A cover letter version as the API shows it.
pub struct CoverLetter(pub LetterRow);

impl CoverLetter {
    pub const TYPE_NAME: &'static str = "CoverLetter";
}

/// One version of a candidate's cover letter for one job.
#[Object]
impl CoverLetter {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The job it is written for.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        crate::jobs::visible_job(ctx, self.0.job_id).await
    }

    /// 1 for the first version, then counting up.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// An optional heading.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// The letter.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Whether this is the version the candidate chose to send.
    async fn pinned(&self) -> bool {
        self.0.pinned
    }

    /// When this version was saved.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Where to download this version as a PDF, typeset in `theme` on
    /// `paper`: a path on this server (resolve it against the API's origin)
    /// whose signed `token` lets the viewer open it without an
    /// `Authorization` header for 15 minutes; with the header, the path
    /// works without `token` too.
    async fn pdf_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "The look; CLASSIC when omitted.")] theme: ResumeTheme,
        #[graphql(default, desc = "The page size; A4 when omitted.")] paper: PaperSize,
    ) -> Result<String, ApiError> {
        super::graphql::signed_pdf_path(ctx, (Self::TYPE_NAME, self.0.id), "cover-letters", (theme, paper))
    }
}

#[derive(QueryableByName)]
struct Letterhead {
    #[diesel(sql_type = diesel::sql_types::Text)]
    author: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    job_title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    company: String,
}

/// The letter `row` as it prints: its author, the job and company it is
/// written to. One statement; the caller has authorized the viewer.
pub async fn printable(db: &Db, row: LetterRow) -> Result<Letter, ApiError> {
    let mut conn = db.conn().await?;
    let head: Letterhead = diesel::sql_query(
        "SELECT u.full_name AS author, j.title AS job_title, c.name AS company
         FROM cover_letters l JOIN users u ON u.id = l.user_id
         JOIN jobs j ON j.id = l.job_id JOIN companies c ON c.id = j.company_id
         WHERE l.id = $1",
    )
    .bind::<SqlUuid, _>(row.id)
    .get_result(&mut conn)
    .await?;
    Ok(Letter {
        author: head.author,
        job_title: head.job_title,
        company: head.company,
        written_on: row.created_at.date_naive(),
        heading: row.title,
        body: row.body,
    })
}

/// Loads cover letters by id: the viewer's own, and those sent with an
/// application to a job the viewer posted.
pub struct LetterLoader {
    db: Db,
    viewer: Viewer,
}

impl LetterLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for LetterLoader {
    type Value = LetterRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, LetterRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut query = cover_letters::table
            .filter(cover_letters::id.one_of(keys))
            .filter(cover_letters::deleted_at.is_null())
            .into_boxed();
        if !me.is_admin() {
            let sent_to_me = diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM applications JOIN jobs ON jobs.id = applications.job_id
                         WHERE applications.cover_letter_id = cover_letters.id
                           AND applications.applied_at IS NOT NULL AND applications.deleted_at IS NULL
                           AND jobs.source = 'careergraph' AND jobs.posted_by_id = ",
            )
            .bind::<SqlUuid, _>(me.user_id)
            .sql(")");
            query = query.filter(cover_letters::user_id.eq(me.user_id).or(sent_to_me));
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<LetterRow> = query.select(LetterRow::as_select()).cached().load(&mut conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads the viewer's cover letters for each of many jobs, newest first.
pub struct ViewerLetters {
    db: Db,
    viewer: Viewer,
}

impl ViewerLetters {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ViewerLetters {
    type Value = Vec<LetterRow>;
    type Error = ApiError;

    async fn load(&self, jobs: &[Uuid]) -> Result<HashMap<Uuid, Vec<LetterRow>>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<LetterRow> = cover_letters::table
            .filter(cover_letters::user_id.eq(me.user_id))
            .filter(cover_letters::job_id.one_of(jobs))
            .filter(cover_letters::deleted_at.is_null())
            .order((cover_letters::job_id, cover_letters::version.desc()))
            .select(LetterRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let mut grouped: HashMap<Uuid, Vec<LetterRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.job_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// A cover letter version to save for a job.
#[derive(InputObject)]
pub struct SaveCoverLetterVersionInput {
    /// The job it is for.
    pub job_id: ID,
    /// An optional heading (at most 200 characters).
    pub title: Option<String>,
    /// The letter (1–50,000 characters).
    pub body: String,
}

/// The first cover letter for a job.
#[derive(InputObject)]
pub struct CreateCoverLetterInput {
    /// The job it is for.
    pub job_id: ID,
    /// An optional heading (at most 200 characters).
    pub title: Option<String>,
    /// The letter (1–50,000 characters).
    pub body: String,
}

/// The version to pin.
#[derive(InputObject)]
pub struct PinCoverLetterInput {
    /// The cover letter version to send for its job.
    pub cover_letter_id: ID,
}

macro_rules! letter_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            cover_letter: CoverLetter(LetterRow),
            "The cover letter version; null when the input was refused.",
            "Why the input was refused."
        );
    };
}

letter_payload!(CreateCoverLetterPayload, "The result of `createCoverLetter`.");
letter_payload!(SaveCoverLetterVersionPayload, "The result of `saveCoverLetterVersion`.");
letter_payload!(PinCoverLetterPayload, "The result of `pinCoverLetter`.");

/// Saves version n+1 of the viewer's letter for a job they can see.
async fn save(
    ctx: &Context<'_>,
    me: &SignedIn,
    job: &ID,
    title: Option<String>,
    body: String,
    first: bool,
) -> Outcome<LetterRow> {
    let mut checks = Checks::default();
    let title = checks.optional_text("title", title.as_deref(), 200);
    let body = checks.text("body", &body, 50_000, true);
    let (Some(title), Some(body)) = (title, body) else { return Err(checks.errors.into()) };
    let job_id = ids::decode_as(job, Job::TYPE_NAME)?;
    crate::jobs::visible_row(ctx, job_id).await?.ok_or_else(|| ids::not_found(job))?;
    let mut conn = request(ctx).db.conn().await?;
    let me = *me;
    conn.transaction(async |conn| {
        // Lock the viewer's letters for the job so two saves cannot share a number.
        let versions: Vec<i32> = cover_letters::table
            .filter(cover_letters::user_id.eq(me.user_id))
            .filter(cover_letters::job_id.eq(job_id))
            .select(cover_letters::version)
            .for_update()
            .load(conn)
            .await?;
        if first && !versions.is_empty() {
            let taken = UserError::new(
                &["input", "jobId"],
                crate::graphql::UserErrorCode::Taken,
                "You have a cover letter for this job; save a new version with saveCoverLetterVersion",
            );
            return Err(taken.into());
        }
        let now = Utc::now();
        let row = diesel::insert_into(cover_letters::table)
            .values((
                cover_letters::id.eq(Uuid::now_v7()),
                cover_letters::user_id.eq(me.user_id),
                cover_letters::job_id.eq(job_id),
                cover_letters::version.eq(versions.iter().max().copied().unwrap_or(0) + 1),
                cover_letters::title.eq(title),
                cover_letters::body.eq(body),
                cover_letters::created_at.eq(now),
                cover_letters::updated_at.eq(now),
            ))
            .returning(LetterRow::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
    .await
}

/// Writing cover letters.
#[derive(Default)]
pub struct CoverLetterMutations;

#[Object]
impl CoverLetterMutations {
    /// Writes the first cover letter for a job (refused with TAKEN when one
    /// exists: save a new version instead).
    async fn create_cover_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateCoverLetterInput,
    ) -> Result<CreateCoverLetterPayload, ApiError> {
        let me = *request(ctx).viewer.require()?;
        respond(save(ctx, &me, &input.job_id, input.title, input.body, true).await)
    }

    /// Saves a new version of the viewer's cover letter for a job.
    async fn save_cover_letter_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SaveCoverLetterVersionInput,
    ) -> Result<SaveCoverLetterVersionPayload, ApiError> {
        let me = *request(ctx).viewer.require()?;
        respond(save(ctx, &me, &input.job_id, input.title, input.body, false).await)
    }

    /// Pins one version as the letter to send for its job (unpinning the others).
    async fn pin_cover_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PinCoverLetterInput,
    ) -> Result<PinCoverLetterPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let id = ids::decode_as(&input.cover_letter_id, CoverLetter::TYPE_NAME)?;
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let letter: LetterRow = cover_letters::table
                    .filter(cover_letters::id.eq(id))
                    .filter(cover_letters::user_id.eq(me.user_id))
                    .filter(cover_letters::deleted_at.is_null())
                    .select(LetterRow::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?
                    .ok_or_else(|| ids::not_found(&input.cover_letter_id))?;
                diesel::update(cover_letters::table)
                    .filter(cover_letters::user_id.eq(me.user_id))
                    .filter(cover_letters::job_id.eq(letter.job_id))
                    .filter(cover_letters::pinned.eq(true))
                    .set(cover_letters::pinned.eq(false))
                    .execute(conn)
                    .await?;
                Ok::<_, ApiError>(
                    diesel::update(cover_letters::table.find(letter.id))
                        .set((cover_letters::pinned.eq(true), cover_letters::updated_at.eq(Utc::now())))
                        .returning(LetterRow::as_returning())
                        .get_result(conn)
                        .await?,
                )
            })
            .await?;
        Ok(PinCoverLetterPayload::saved(row))
    }
}
