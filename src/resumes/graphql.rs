//! The `Resume` and `ResumeVersion` types, the viewer's resumes, and the
//! resume mutations.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::loaders;
use super::render::{PaperSize, ResumeTheme};
use super::{ResumeRow, VersionRow};
use super::{content, tailor};
use crate::auth::SignedIn;
use crate::context::request;
use crate::db::tables::{resume_versions, resumes};
use crate::graphql::pagination::{Page, PageArgs, TimeKey, TimeOrder, TotalCount};
use crate::graphql::scalars::{DateTime, Json};
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, Payload, UserError, UserErrorCode, db_enum, ids, payload};
use crate::jobs::Job;

/// A resume as the API shows it.
pub struct Resume(pub ResumeRow);

impl Resume {
    pub const TYPE_NAME: &'static str = "Resume";
}

/// A named resume, cut from the master profile, with its versions. Only its
/// owner sees it.
#[Object]
impl Resume {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The resume's name, e.g. "Backend roles".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The job it is aimed at, if any.
    async fn target_job(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        let Some(job) = self.0.target_job_id else { return Ok(None) };
        crate::jobs::visible_job(ctx, job).await
    }

    /// Whether it is archived.
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }

    /// The version to send: the pinned one, else the newest.
    async fn current_version(&self, ctx: &Context<'_>) -> Result<Option<ResumeVersion>, ApiError> {
        let row = match self.0.pinned_version_id {
            Some(pinned) => loaders(ctx).resume_versions.load_one(pinned).await?,
            None => loaders(ctx).latest_versions.load_one(self.0.id).await?,
        };
        Ok(row.map(ResumeVersion))
    }

    /// The pinned version, if one is pinned.
    async fn pinned_version(&self, ctx: &Context<'_>) -> Result<Option<ResumeVersion>, ApiError> {
        let Some(pinned) = self.0.pinned_version_id else { return Ok(None) };
        Ok(loaders(ctx).resume_versions.load_one(pinned).await?.map(ResumeVersion))
    }

    /// Every version, newest first.
    async fn versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n versions after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns versions after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n versions before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns versions before this cursor.")] before: Option<String>,
    ) -> Result<ResumeVersionConnection, ApiError> {
        let page: Page<TimeKey> = PageArgs { first, after, last, before }.page()?;
        let resume = self.0.id;
        let mut query = resume_versions::table.filter(resume_versions::resume_id.eq(resume)).into_boxed();
        for condition in page.conditions("resume_versions.created_at, resume_versions.id", TimeOrder::NewestFirst) {
            query = query.filter(condition);
        }
        query = if page.reads_newest_first(TimeOrder::NewestFirst) {
            query.order((resume_versions::created_at.desc(), resume_versions::id.desc()))
        } else {
            query.order((resume_versions::created_at.asc(), resume_versions::id.asc()))
        };
        let mut conn = request(ctx).db.conn().await?;
        let rows: Vec<VersionRow> =
            query.select(VersionRow::as_select()).limit(page.fetch_limit()).load(&mut conn).await?;
        let (edges, more) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
        let db = request(ctx).db.clone();
        let total_count = TotalCount::new(move || {
            let db = db.clone();
            async move {
                let mut conn = db.conn().await?;
                Ok(resume_versions::table
                    .filter(resume_versions::resume_id.eq(resume))
                    .count()
                    .get_result(&mut conn)
                    .await?)
            }
        });
        let edges = edges.into_iter().map(|(key, row)| (key, ResumeVersion(row))).collect();
        Ok(ResumeVersionConnection::new(edges, more, total_count))
    }

    /// When the resume was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the resume last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A version as the API shows it.
pub struct ResumeVersion(pub VersionRow);

impl ResumeVersion {
    pub const TYPE_NAME: &'static str = "ResumeVersion";
}

/// One immutable version of a resume.
#[Object]
impl ResumeVersion {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// 1 for the first version, then counting up.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The resume itself, as a JSON Resume document.
    async fn content(&self) -> Json {
        Json(self.0.content.clone())
    }

    /// How the version came to be.
    async fn origin(&self) -> Option<ResumeVersionOrigin> {
        db_enum::from_db(&self.0.origin)
    }

    /// Where to download this version as a PDF, typeset in `theme` on
    /// `paper`: a path on this server (resolve it against the API's origin)
    /// whose signed `token` lets the viewer open it without an
    /// `Authorization` header for 15 minutes (a link opened from GraphiQL, an
    /// `<a href>`); with the header, the path works without `token` too.
    async fn pdf_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "The look; CLASSIC when omitted.")] theme: ResumeTheme,
        #[graphql(default, desc = "The page size; A4 when omitted.")] paper: PaperSize,
    ) -> Result<String, ApiError> {
        signed_pdf_path(ctx, (Self::TYPE_NAME, self.0.id), "resume-versions", (theme, paper))
    }

    /// Where to preview this version as a web page in `theme` (the PDF's
    /// text, in the same order): a path on this server with a signed
    /// `token`, as `pdfUrl`'s. The page runs no script.
    async fn preview_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "The look; CLASSIC when omitted.")] theme: ResumeTheme,
    ) -> Result<String, ApiError> {
        let query = format!("theme={}", theme.slug());
        crate::context::signed_document_path(ctx, (Self::TYPE_NAME, self.0.id), ("resume-versions", ".html"), &query)
    }

    /// The resume it belongs to (only its owner sees it).
    async fn resume(&self, ctx: &Context<'_>) -> Result<Option<Resume>, ApiError> {
        Ok(loaders(ctx).resumes.load_one(self.0.resume_id).await?.map(Resume))
    }

    /// The job this version was tailored for, when `tailorResume` made it.
    async fn tailored_for(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        let Some(job) = self.0.tailored_for_job_id else { return Ok(None) };
        crate::jobs::visible_job(ctx, job).await
    }

    /// What changed from another version to this one, path by path. Lists
    /// compare position by position, so a reordered list shows as changes
    /// at each moved position.
    async fn diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version to compare with (any version the viewer can read); by default the \
                          previous version of the same resume, or an empty document for the first.")]
        against: Option<ID>,
    ) -> Result<Vec<ResumeChange>, ApiError> {
        let baseline = match &against {
            Some(id) => {
                let uuid = ids::decode_as(id, ResumeVersion::TYPE_NAME)?;
                loaders(ctx).resume_versions.load_one(uuid).await?.ok_or_else(|| ids::not_found(id))?.content
            }
            None if self.0.version == 1 => serde_json::json!({}),
            None => {
                let previous = (self.0.resume_id, self.0.version - 1);
                let row = loaders(ctx).versions_by_number.load_one(previous).await?;
                row.ok_or_else(|| ApiError::not_found("The previous version is not readable; pass `against`"))?.content
            }
        };
        let changes = tailor::diff(&baseline, &self.0.content);
        Ok(changes
            .into_iter()
            .map(|(path, kind)| ResumeChange {
                before: baseline.pointer(&path).cloned().map(Json),
                after: self.0.content.pointer(&path).cloned().map(Json),
                kind: match kind {
                    tailor::Change::Added => ResumeChangeKind::Added,
                    tailor::Change::Removed => ResumeChangeKind::Removed,
                    tailor::Change::Changed => ResumeChangeKind::Changed,
                },
                path,
            })
            .collect())
    }

    /// When the version was saved.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// One difference between two versions of a resume.
#[derive(SimpleObject)]
pub struct ResumeChange {
    /// Where, as a JSON Pointer (RFC 6901) into the content, e.g. `/work/0/position`.
    pub path: String,
    /// Whether the value was added, removed or changed.
    pub kind: ResumeChangeKind,
    /// The value in the version compared with; null when added.
    pub before: Option<Json>,
    /// The value in this version; null when removed.
    pub after: Option<Json>,
}

/// Kinds of `ResumeChange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ResumeChangeKind {
    /// Present only in this version.
    Added,
    /// Present only in the version compared with.
    Removed,
    /// Present in both, with different values.
    Changed,
}

/// How a resume version was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ResumeVersionOrigin {
    /// Copied from the master profile.
    Snapshot,
    /// Reordered and filtered for a job.
    Tailored,
    /// Saved by the user.
    Edited,
    /// Copied from another resume.
    Duplicated,
    /// Imported from a JSON Resume document.
    Imported,
}

crate::connection!(
    ResumeConnection,
    ResumeEdge,
    Resume,
    TimeKey,
    "A page of the viewer's resumes, newest first.",
    "A resume in a `ResumeConnection`, with its cursor."
);

crate::connection!(
    ResumeVersionConnection,
    ResumeVersionEdge,
    ResumeVersion,
    TimeKey,
    "A page of a resume's versions, newest first.",
    "A version in a `ResumeVersionConnection`, with its cursor."
);

fn owned(user: Uuid, include_archived: bool) -> resumes::BoxedQuery<'static, Pg> {
    let mut query = resumes::table.filter(resumes::user_id.eq(user)).filter(resumes::deleted_at.is_null()).into_boxed();
    if !include_archived {
        query = query.filter(resumes::archived_at.is_null());
    }
    query
}

/// One page of `user`'s resumes, newest first.
pub async fn resume_page(
    ctx: &Context<'_>,
    user: Uuid,
    include_archived: bool,
    args: PageArgs,
) -> Result<ResumeConnection, ApiError> {
    let request = request(ctx);
    let page: Page<TimeKey> = args.page()?;
    let mut query = owned(user, include_archived);
    for condition in page.conditions("resumes.created_at, resumes.id", TimeOrder::NewestFirst) {
        query = query.filter(condition);
    }
    query = if page.reads_newest_first(TimeOrder::NewestFirst) {
        query.order((resumes::created_at.desc(), resumes::id.desc()))
    } else {
        query.order((resumes::created_at.asc(), resumes::id.asc()))
    };
    let mut conn = request.db.conn().await?;
    let rows: Vec<ResumeRow> = query.select(ResumeRow::as_select()).limit(page.fetch_limit()).load(&mut conn).await?;
    let (edges, more) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
    let db = request.db.clone();
    let total_count = TotalCount::new(move || {
        let db = db.clone();
        async move {
            let mut conn = db.conn().await?;
            Ok(owned(user, include_archived).count().get_result(&mut conn).await?)
        }
    });
    let edges = edges.into_iter().map(|(key, row)| (key, Resume(row))).collect();
    Ok(ResumeConnection::new(edges, more, total_count))
}

/// A new resume.
#[derive(InputObject)]
pub struct CreateResumeInput {
    /// Its name (1–200 characters).
    pub title: String,
    /// The job it is aimed at.
    pub target_job_id: Option<ID>,
}

/// New content for a resume.
#[derive(InputObject)]
pub struct SaveResumeVersionInput {
    /// The resume to add a version to.
    pub resume_id: ID,
    /// A JSON Resume document (https://jsonresume.org/schema).
    pub content: Json,
}

/// The version to pin.
#[derive(InputObject)]
pub struct PinResumeVersionInput {
    /// The resume.
    pub resume_id: ID,
    /// One of its versions; null unpins (the newest is then current).
    pub version_id: Option<ID>,
}

/// The resume to tailor and the job to tailor it for.
#[derive(InputObject)]
pub struct TailorResumeInput {
    /// The resume; its current version is the starting point.
    pub resume_id: ID,
    /// The job whose required and preferred skills lead.
    pub job_id: ID,
}

/// Archiving or unarchiving.
#[derive(InputObject)]
pub struct ArchiveResumeInput {
    /// The resume.
    pub resume_id: ID,
    /// True to archive (the default), false to bring it back.
    #[graphql(default = true)]
    pub archived: bool,
}

/// Names a resume.
#[derive(InputObject)]
pub struct DeleteResumeInput {
    /// The resume to delete.
    pub resume_id: ID,
}

/// A copy of a resume.
#[derive(InputObject)]
pub struct DuplicateResumeInput {
    /// The resume to copy (its current version).
    pub resume_id: ID,
    /// The copy's name; "<title> (copy)" when omitted.
    pub title: Option<String>,
}

macro_rules! resume_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            resume: Resume(ResumeRow),
            "The resume as it is now; null when the input was refused.",
            "Why the input was refused."
        );
    };
}

resume_payload!(CreateResumePayload, "The result of `createResume`.");
resume_payload!(PinResumeVersionPayload, "The result of `pinResumeVersion`.");
resume_payload!(ArchiveResumePayload, "The result of `archiveResume`.");
resume_payload!(DuplicateResumePayload, "The result of `duplicateResume`.");

payload!(
    SaveResumeVersionPayload,
    "The result of `saveResumeVersion`.",
    resume_version: ResumeVersion(VersionRow),
    "The new version; null when the content was refused.",
    "What is wrong with the content, each at its path under `input.content`."
);

payload!(
    TailorResumePayload,
    "The result of `tailorResume`.",
    resume_version: ResumeVersion(VersionRow),
    "The new, tailored version; null when refused.",
    "Why the input was refused."
);

/// The result of `deleteResume`.
#[derive(SimpleObject)]
pub struct DeleteResumePayload {
    /// The id of the deleted resume.
    pub deleted_resume_id: Option<ID>,
    /// Always empty.
    pub user_errors: Vec<UserError>,
}

/// The viewer's live resume `id`, locked for this transaction.
async fn own_resume(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Result<ResumeRow, ApiError> {
    let uuid = ids::decode_as(id, Resume::TYPE_NAME)?;
    resumes::table
        .filter(resumes::id.eq(uuid))
        .filter(resumes::user_id.eq(me.user_id))
        .filter(resumes::deleted_at.is_null())
        .select(ResumeRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ids::not_found(id))
}

/// Appends a version with the next number.
async fn add_version(
    conn: &mut AsyncPgConnection,
    resume: Uuid,
    content: &serde_json::Value,
    origin: ResumeVersionOrigin,
    tailored_for: Option<Uuid>,
) -> Result<VersionRow, DieselError> {
    let last: Option<i32> = resume_versions::table
        .filter(resume_versions::resume_id.eq(resume))
        .select(diesel::dsl::max(resume_versions::version))
        .first(conn)
        .await?;
    let now = Utc::now();
    diesel::update(resumes::table.find(resume)).set(resumes::updated_at.eq(now)).execute(conn).await?;
    diesel::insert_into(resume_versions::table)
        .values((
            resume_versions::id.eq(Uuid::now_v7()),
            resume_versions::resume_id.eq(resume),
            resume_versions::version.eq(last.unwrap_or(0) + 1),
            resume_versions::content.eq(content),
            resume_versions::origin.eq(db_enum::to_db(origin)),
            resume_versions::tailored_for_job_id.eq(tailored_for),
            resume_versions::created_at.eq(now),
            resume_versions::updated_at.eq(now),
        ))
        .returning(VersionRow::as_returning())
        .get_result(conn)
        .await
}

/// The version a resume sends: the pinned one, else the newest.
async fn current_version(conn: &mut AsyncPgConnection, resume: &ResumeRow) -> Result<VersionRow, DieselError> {
    let mut versions = resume_versions::table.filter(resume_versions::resume_id.eq(resume.id)).into_boxed();
    versions = match resume.pinned_version_id {
        Some(pinned) => versions.filter(resume_versions::id.eq(pinned)),
        None => versions.order(resume_versions::version.desc()),
    };
    versions.select(VersionRow::as_select()).first(conn).await
}

/// A new resume of `user`'s (targeting `target_job`, if any) whose first
/// version is a snapshot of their master profile, as `createResume` makes
/// it (the demo data too). Run it in a transaction.
pub async fn resume_from_profile(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    title: &str,
    target_job: Option<Uuid>,
) -> Result<ResumeRow, DieselError> {
    let snapshot = content::snapshot(conn, user).await?;
    let resume = insert_resume(conn, user, title, target_job).await?;
    add_version(conn, resume.id, &snapshot, ResumeVersionOrigin::Snapshot, None).await?;
    Ok(resume)
}

async fn insert_resume(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    title: &str,
    target_job: Option<Uuid>,
) -> Result<ResumeRow, DieselError> {
    let now = Utc::now();
    diesel::insert_into(resumes::table)
        .values((
            resumes::id.eq(Uuid::now_v7()),
            resumes::user_id.eq(user),
            resumes::title.eq(title),
            resumes::target_job_id.eq(target_job),
            resumes::created_at.eq(now),
            resumes::updated_at.eq(now),
        ))
        .returning(ResumeRow::as_returning())
        .get_result(conn)
        .await
}

/// Writing resumes.
#[derive(Default)]
pub struct ResumeMutations;

#[Object]
impl ResumeMutations {
    /// Creates a resume whose first version is a snapshot of the master profile.
    async fn create_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateResumeInput,
    ) -> Result<CreateResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(title) = checks.text("title", &input.title, 200, true) else {
            return Ok(CreateResumePayload::refused(checks.errors));
        };
        let target = match &input.target_job_id {
            Some(job) => {
                let uuid = ids::decode_as(job, Job::TYPE_NAME)?;
                crate::jobs::visible_row(ctx, uuid).await?.ok_or_else(|| ids::not_found(job))?;
                Some(uuid)
            }
            None => None,
        };
        let mut conn = request.db.conn().await?;
        let row = conn.transaction(async |conn| resume_from_profile(conn, me.user_id, &title, target).await).await?;
        Ok(CreateResumePayload::saved(row))
    }

    /// Saves new content as the resume's next version, after checking it
    /// against the JSON Resume shape.
    async fn save_resume_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SaveResumeVersionInput,
    ) -> Result<SaveResumeVersionPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let errors = content::check(&input.content.0, "content");
        if !errors.is_empty() {
            return Ok(SaveResumeVersionPayload::refused(errors));
        }
        let mut conn = request.db.conn().await?;
        let version = conn
            .transaction(async |conn| {
                let resume = own_resume(conn, &me, &input.resume_id).await?;
                Ok::<_, ApiError>(
                    add_version(conn, resume.id, &input.content.0, ResumeVersionOrigin::Edited, None).await?,
                )
            })
            .await?;
        Ok(SaveResumeVersionPayload::saved(version))
    }

    /// Adds a version of the resume tailored for a job: its current content
    /// with the skills the job asks for first, the experiences and
    /// highlights that mention them first, and projects that mention none
    /// left out. See docs/resumes.md.
    async fn tailor_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: TailorResumeInput,
    ) -> Result<TailorResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let job_uuid = ids::decode_as(&input.job_id, Job::TYPE_NAME)?;
        let job = crate::jobs::visible_row(ctx, job_uuid).await?.ok_or_else(|| ids::not_found(&input.job_id))?;
        let skills: Vec<&str> = job.required().chain(job.preferred()).collect();
        if skills.is_empty() {
            let error = UserError::new(
                &["input", "jobId"],
                UserErrorCode::Invalid,
                "The job lists no skills to tailor the resume for",
            );
            return Ok(TailorResumePayload::refused(vec![error]));
        }
        let mut conn = request.db.conn().await?;
        let version = conn
            .transaction(async |conn| {
                let resume = own_resume(conn, &me, &input.resume_id).await?;
                let current = current_version(conn, &resume).await?;
                let tailored = tailor::tailor(&current.content, &skills);
                Ok::<_, ApiError>(
                    add_version(conn, resume.id, &tailored, ResumeVersionOrigin::Tailored, Some(job.id)).await?,
                )
            })
            .await?;
        Ok(TailorResumePayload::saved(version))
    }

    /// Pins one version as the one to send (or unpins with a null version).
    async fn pin_resume_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PinResumeVersionInput,
    ) -> Result<PinResumeVersionPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let resume = own_resume(conn, &me, &input.resume_id).await?;
                let pinned = match &input.version_id {
                    None => None,
                    Some(version) => {
                        let uuid = ids::decode_as(version, ResumeVersion::TYPE_NAME)?;
                        let belongs: i64 = resume_versions::table
                            .filter(resume_versions::id.eq(uuid))
                            .filter(resume_versions::resume_id.eq(resume.id))
                            .count()
                            .get_result(conn)
                            .await?;
                        if belongs == 0 {
                            return Err(ids::not_found(version));
                        }
                        Some(uuid)
                    }
                };
                Ok(diesel::update(resumes::table.find(resume.id))
                    .set((resumes::pinned_version_id.eq(pinned), resumes::updated_at.eq(Utc::now())))
                    .returning(ResumeRow::as_returning())
                    .get_result(conn)
                    .await?)
            })
            .await?;
        Ok(PinResumeVersionPayload::saved(row))
    }

    /// Archives (or unarchives) a resume: it leaves `viewer.resumes` unless
    /// archived ones are asked for.
    async fn archive_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ArchiveResumeInput,
    ) -> Result<ArchiveResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let resume = own_resume(conn, &me, &input.resume_id).await?;
                let now = Utc::now();
                Ok::<_, ApiError>(
                    diesel::update(resumes::table.find(resume.id))
                        .set((resumes::archived_at.eq(input.archived.then_some(now)), resumes::updated_at.eq(now)))
                        .returning(ResumeRow::as_returning())
                        .get_result(conn)
                        .await?,
                )
            })
            .await?;
        Ok(ArchiveResumePayload::saved(row))
    }

    /// Deletes a resume (soft: versions sent with applications stay readable there).
    async fn delete_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteResumeInput,
    ) -> Result<DeleteResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        conn.transaction(async |conn| {
            let resume = own_resume(conn, &me, &input.resume_id).await?;
            let now = Utc::now();
            diesel::update(resumes::table.find(resume.id))
                .set((resumes::deleted_at.eq(now), resumes::updated_at.eq(now)))
                .execute(conn)
                .await?;
            Ok::<_, ApiError>(())
        })
        .await?;
        Ok(DeleteResumePayload { deleted_resume_id: Some(input.resume_id), user_errors: Vec::new() })
    }

    /// Copies a resume's current version into a new resume.
    async fn duplicate_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DuplicateResumeInput,
    ) -> Result<DuplicateResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let title = match &input.title {
            Some(title) => checks.text("title", title, 200, true),
            None => Some(String::new()),
        };
        let Some(title) = title else { return Ok(DuplicateResumePayload::refused(checks.errors)) };
        let mut conn = request.db.conn().await?;
        let row = conn
            .transaction(async |conn| {
                let source = own_resume(conn, &me, &input.resume_id).await?;
                let current = current_version(conn, &source).await?;
                let title = if title.is_empty() { format!("{} (copy)", source.title) } else { title };
                let copy = insert_resume(conn, me.user_id, &title, source.target_job_id).await?;
                add_version(conn, copy.id, &current.content, ResumeVersionOrigin::Duplicated, None).await?;
                Ok::<_, ApiError>(copy)
            })
            .await?;
        Ok(DuplicateResumePayload::saved(row))
    }
}

/// The signed download path of `node`'s PDF in `collection`
/// (`/documents/<collection>/<id>.pdf?theme=…&paper=…&token=…`), for the
/// `pdfUrl` fields.
pub(super) fn signed_pdf_path(
    ctx: &async_graphql::Context<'_>,
    node: (&str, uuid::Uuid),
    collection: &str,
    (theme, paper): (ResumeTheme, PaperSize),
) -> Result<String, crate::graphql::ApiError> {
    let query = format!("theme={}&paper={}", theme.slug(), paper.slug());
    crate::context::signed_document_path(ctx, node, (collection, ".pdf"), &query)
}
