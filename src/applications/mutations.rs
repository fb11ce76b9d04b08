//! Changing applications. Every change appends its event to the timeline in
//! the same transaction, with the application row locked, so concurrent
//! changes serialize and none is lost.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::Application;
use super::pipeline::{Actor, ApplicationStatus};
use super::{ApplicationRow, visible_to};
use crate::auth::SignedIn;
use crate::context::request;
use crate::db::tables::{application_events, applications, jobs};
use crate::documents::Document;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, Outcome, Payload, UserError, UserErrorCode, db_enum, ids, payload, respond};
use crate::jobs::{Job, JobRow, NATIVE_SOURCE};

/// The most tags one application carries.
const MAX_TAGS: usize = 20;

/// A job to save for later.
#[derive(InputObject)]
pub struct SaveJobInput {
    /// The job to save.
    pub job_id: ID,
    /// Notes (at most 10,000 characters).
    pub notes: Option<String>,
}

/// An application to send.
#[derive(InputObject)]
pub struct ApplyToJobInput {
    /// The job to apply to; it must be OPEN.
    pub job_id: ID,
    /// The resume version sent with it.
    pub resume_version_id: Option<ID>,
    /// The cover letter sent with it.
    pub cover_letter_id: Option<ID>,
    /// Notes (at most 10,000 characters).
    pub notes: Option<String>,
    /// Where the candidate found the job, e.g. "LinkedIn" or "Referral" (at
    /// most 100 characters); recruiters see it in `analytics.pipeline.sources`.
    pub source: Option<String>,
    /// Documents the viewer uploaded to send along (at most 5): the job's
    /// recruiter may download them.
    pub document_ids: Option<Vec<ID>>,
}

/// A status change.
#[derive(InputObject)]
pub struct UpdateApplicationStatusInput {
    /// The application to move.
    pub application_id: ID,
    /// The new status.
    pub status: ApplicationStatus,
    /// Why, for the timeline (at most 10,000 characters).
    pub note: Option<String>,
}

/// A withdrawal.
#[derive(InputObject)]
pub struct WithdrawApplicationInput {
    /// The application to withdraw.
    pub application_id: ID,
    /// Why, for the timeline.
    pub note: Option<String>,
}

/// A note for the timeline.
#[derive(InputObject)]
pub struct AddApplicationNoteInput {
    /// The application to note on.
    pub application_id: ID,
    /// The note (1–10,000 characters).
    pub note: String,
}

/// Archiving or unarchiving.
#[derive(InputObject)]
pub struct ArchiveApplicationInput {
    /// The candidate's application to archive.
    pub application_id: ID,
    /// True to archive (the default), false to bring it back.
    #[graphql(default = true)]
    pub archived: bool,
}

/// New tags.
#[derive(InputObject)]
pub struct TagApplicationInput {
    /// The candidate's application to tag.
    pub application_id: ID,
    /// Replaces the tags (at most 20, each at most 50 characters).
    pub tags: Vec<String>,
}

macro_rules! application_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            application: Application::from(ApplicationRow),
            "The application as it is now; null when the change was refused.",
            "Why the change was refused."
        );
    };
}

application_payload!(SaveJobPayload, "The result of `saveJob`.");
application_payload!(ApplyToJobPayload, "The result of `applyToJob`.");
application_payload!(UpdateApplicationStatusPayload, "The result of `updateApplicationStatus`.");
application_payload!(WithdrawApplicationPayload, "The result of `withdrawApplication`.");
application_payload!(AddApplicationNotePayload, "The result of `addApplicationNote`.");
application_payload!(ArchiveApplicationPayload, "The result of `archiveApplication`.");
application_payload!(TagApplicationPayload, "The result of `tagApplication`.");

/// An event to append.
pub(super) struct Event<'a> {
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
    /// The interview it is about.
    pub interview: Option<Uuid>,
}

/// Whether events of `kind` are for the recruiting side only (the
/// candidate's timeline leaves them out).
pub(super) fn is_internal(kind: &str) -> bool {
    kind == "SCORECARD_SUBMITTED"
}

/// Appends an event to an application's timeline.
pub(super) async fn append(
    conn: &mut AsyncPgConnection,
    application: Uuid,
    actor: Uuid,
    event: Event<'_>,
) -> QueryResult<()> {
    let now = Utc::now();
    diesel::insert_into(application_events::table)
        .values((
            application_events::id.eq(Uuid::now_v7()),
            application_events::application_id.eq(application),
            application_events::actor_id.eq(actor),
            application_events::kind.eq(event.kind),
            application_events::from_status.eq(event.from),
            application_events::to_status.eq(event.to),
            application_events::note.eq(event.note),
            application_events::interview_id.eq(event.interview),
            application_events::internal.eq(is_internal(event.kind)),
            application_events::occurred_at.eq(now),
            application_events::created_at.eq(now),
            application_events::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The application `id`, locked for this transaction, with who the viewer
/// is to it. NOT_FOUND when the viewer may not see it.
pub(super) async fn lock(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    id: &ID,
) -> Outcome<(ApplicationRow, Actor, bool)> {
    let uuid = ids::decode_as(id, Application::TYPE_NAME).map_err(|_| ids::not_found(id))?;
    let viewer = crate::auth::Viewer::SignedIn(*me);
    let visible = visible_to(&viewer).ok_or_else(|| ids::not_found(id))?;
    let row: Option<ApplicationRow> = applications::table
        .filter(applications::id.eq(uuid))
        .filter(visible)
        .select(ApplicationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let row = row.ok_or_else(|| ids::not_found(id))?;
    let (source, poster): (String, Option<Uuid>) =
        jobs::table.find(row.job_id).select((jobs::source, jobs::posted_by_id)).first(conn).await?;
    let native = source == NATIVE_SOURCE;
    let actor = if row.user_id == me.user_id {
        Actor::Applicant
    } else if native && poster == Some(me.user_id) {
        Actor::Poster
    } else {
        Actor::Admin
    };
    Ok((row, actor, native))
}

/// Moves an application to `to`, checking the pipeline and the actor.
async fn move_to(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    id: &ID,
    to: ApplicationStatus,
    note: Option<&str>,
) -> Outcome<ApplicationRow> {
    conn.transaction(async |conn| {
        let (row, actor, native) = lock(conn, me, id).await?;
        let from: ApplicationStatus = db_enum::from_db(&row.status).unwrap_or(ApplicationStatus::Saved);
        if !actor.may_set(to, native) {
            let message = format!("You may not move this application to {}", db_enum::to_db(to));
            return Err(ApiError::new(ErrorCode::Forbidden, message).into());
        }
        if !from.can_move_to(to) {
            return Err(invalid_transition(from, to).into());
        }
        let now = Utc::now();
        let applied_at = row.applied_at.or((to == ApplicationStatus::Applied).then_some(now));
        let updated: ApplicationRow = diesel::update(applications::table.find(row.id))
            .set((
                applications::status.eq(db_enum::to_db(to)),
                applications::status_changed_at.eq(now),
                applications::applied_at.eq(applied_at),
                applications::updated_at.eq(now),
            ))
            .returning(ApplicationRow::as_returning())
            .get_result(conn)
            .await?;
        let event = Event {
            kind: "STATUS_CHANGED",
            from: Some(&row.status),
            to: Some(db_enum::to_db(to)),
            note,
            interview: None,
        };
        append(conn, row.id, me.user_id, event).await?;
        Ok(updated)
    })
    .await
}

fn invalid_transition(from: ApplicationStatus, to: ApplicationStatus) -> UserError {
    UserError::new(
        &["input", "status"],
        UserErrorCode::InvalidTransition,
        format!("An application cannot move from {} to {}", db_enum::to_db(from), db_enum::to_db(to)),
    )
}

/// Creates an application in `status` (SAVED or APPLIED) for a job the
/// viewer can see, or sends a saved one.
async fn start(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    job_id: &ID,
    status: ApplicationStatus,
    (notes, source): (Option<String>, Option<String>),
    attachments: (Option<Uuid>, Option<Uuid>),
) -> Outcome<ApplicationRow> {
    let job_uuid = ids::decode_as(job_id, Job::TYPE_NAME)?;
    let viewer = crate::auth::Viewer::SignedIn(*me);
    let job: JobRow = jobs::table
        .filter(jobs::id.eq(job_uuid))
        .filter(crate::jobs::visible_to(&viewer))
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ids::not_found(job_id))?;
    if job.status != "OPEN" {
        let what = if status == ApplicationStatus::Saved { "saved" } else { "applied to" };
        let message = format!("This job is {} and cannot be {what}", job.status);
        return Err(UserError::new(&["input", "jobId"], UserErrorCode::JobNotOpen, message).into());
    }
    conn.transaction(async |conn| {
        let existing: Option<ApplicationRow> = applications::table
            .filter(applications::user_id.eq(me.user_id))
            .filter(applications::job_id.eq(job.id))
            .filter(applications::deleted_at.is_null())
            .filter(applications::status.ne("WITHDRAWN"))
            .select(ApplicationRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let now = Utc::now();
        if let Some(existing) = existing {
            if existing.status != "SAVED" || status == ApplicationStatus::Saved {
                let message = "You already have an application for this job";
                return Err(UserError::new(&["input", "jobId"], UserErrorCode::AlreadyApplied, message).into());
            }
            let sent: ApplicationRow = diesel::update(applications::table.find(existing.id))
                .set((
                    applications::status.eq("APPLIED"),
                    applications::status_changed_at.eq(now),
                    applications::applied_at.eq(now),
                    applications::resume_version_id.eq(attachments.0),
                    applications::cover_letter_id.eq(attachments.1),
                    applications::notes.eq(notes.clone().or(existing.notes.clone())),
                    applications::source.eq(source.clone().or(existing.source.clone())),
                    applications::updated_at.eq(now),
                ))
                .returning(ApplicationRow::as_returning())
                .get_result(conn)
                .await?;
            let event =
                Event { kind: "STATUS_CHANGED", from: Some("SAVED"), to: Some("APPLIED"), note: None, interview: None };
            append(conn, sent.id, me.user_id, event).await?;
            return Ok(sent);
        }
        let created: ApplicationRow = diesel::insert_into(applications::table)
            .values((
                applications::id.eq(Uuid::now_v7()),
                applications::user_id.eq(me.user_id),
                applications::job_id.eq(job.id),
                applications::resume_version_id.eq(attachments.0),
                applications::cover_letter_id.eq(attachments.1),
                applications::status.eq(db_enum::to_db(status)),
                applications::status_changed_at.eq(now),
                applications::applied_at.eq((status == ApplicationStatus::Applied).then_some(now)),
                applications::notes.eq(&notes),
                applications::source.eq(&source),
                applications::created_at.eq(now),
                applications::updated_at.eq(now),
            ))
            .returning(ApplicationRow::as_returning())
            .get_result(conn)
            .await?;
        let event =
            Event { kind: "CREATED", from: None, to: Some(db_enum::to_db(status)), note: None, interview: None };
        append(conn, created.id, me.user_id, event).await?;
        Ok(created)
    })
    .await
}

/// The viewer's own resume version or cover letter, or the user error.
async fn own_attachment(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    field: &str,
    id: Option<&ID>,
) -> Outcome<Option<Uuid>> {
    let Some(id) = id else { return Ok(None) };
    let (type_name, query) = match field {
        "resumeVersionId" => (
            "ResumeVersion",
            "SELECT count(*) AS count FROM resume_versions v JOIN resumes r ON r.id = v.resume_id WHERE v.id = $1 AND r.user_id = $2 AND r.deleted_at IS NULL",
        ),
        _ => (
            "CoverLetter",
            "SELECT count(*) AS count FROM cover_letters WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        ),
    };
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let uuid = ids::decode_as(id, type_name).ok();
    let found = match uuid {
        Some(uuid) => {
            diesel::sql_query(query)
                .bind::<diesel::sql_types::Uuid, _>(uuid)
                .bind::<diesel::sql_types::Uuid, _>(me.user_id)
                .get_result::<Count>(conn)
                .await?
                .count
                > 0
        }
        None => false,
    };
    if !found {
        return Err(UserError::new(&["input", field], UserErrorCode::Invalid, "Not one of your documents").into());
    }
    Ok(uuid)
}

/// Sends an application with the viewer's own resume version and cover letter.
async fn apply(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    input: &ApplyToJobInput,
    texts: (Option<String>, Option<String>),
) -> Outcome<ApplicationRow> {
    let resume = own_attachment(conn, me, "resumeVersionId", input.resume_version_id.as_ref()).await?;
    let letter = own_attachment(conn, me, "coverLetterId", input.cover_letter_id.as_ref()).await?;
    let documents = own_documents(conn, me, input.document_ids.as_deref().unwrap_or_default()).await?;
    let application = start(conn, me, &input.job_id, ApplicationStatus::Applied, texts, (resume, letter)).await?;
    crate::documents::attach(conn, me.user_id, application.id, &documents).await?;
    Ok(application)
}

/// The viewer's live documents `ids` names, or a user error at the first
/// one that is not.
async fn own_documents(conn: &mut AsyncPgConnection, me: &SignedIn, ids: &[ID]) -> Outcome<Vec<Uuid>> {
    if ids.len() > crate::documents::MAX_ATTACHMENTS {
        let message = format!("Send at most {} documents with an application", crate::documents::MAX_ATTACHMENTS);
        return Err(UserError::new(&["input", "documentIds"], UserErrorCode::TooLong, message).into());
    }
    let uuids: Vec<Option<Uuid>> = ids.iter().map(|id| ids::decode_as(id, Document::TYPE_NAME).ok()).collect();
    let known: Vec<Uuid> = uuids.iter().flatten().copied().collect();
    let missing = crate::documents::not_owned(conn, me.user_id, &known).await?;
    if let Some(at) = uuids.iter().position(|uuid| uuid.is_none_or(|uuid| missing.contains(&uuid))) {
        let index = at.to_string();
        let message = "Attach documents you uploaded (and have not deleted)";
        return Err(UserError::new(&["input", "documentIds", &index], UserErrorCode::Invalid, message).into());
    }
    let mut seen = std::collections::HashSet::new();
    Ok(known.into_iter().filter(|uuid| seen.insert(*uuid)).collect())
}

/// A change to an application that is not a status move.
enum Change {
    /// A note on the timeline (candidate or recruiter).
    Note(String),
    /// The candidate's archive flag.
    Archive(bool),
    /// The candidate's tags.
    Tags(Vec<Option<String>>),
}

/// Applies `change` and records it on the timeline, in one transaction.
async fn record(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID, change: Change) -> Outcome<ApplicationRow> {
    conn.transaction(async |conn| {
        let (row, actor, _) = lock(conn, me, id).await?;
        if !matches!(change, Change::Note(_)) && actor != Actor::Applicant {
            return Err(ApiError::new(ErrorCode::Forbidden, "Only the candidate can change this").into());
        }
        let update = diesel::update(applications::table.find(row.id));
        let now = Utc::now();
        let (updated, kind, note): (ApplicationRow, &str, Option<&str>) = match &change {
            Change::Note(note) => {
                let touched = update
                    .set(applications::updated_at.eq(now))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?;
                (touched, "NOTE_ADDED", Some(note.as_str()))
            }
            Change::Archive(archived) => {
                let updated = update
                    .set((applications::archived.eq(archived), applications::updated_at.eq(now)))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?;
                (updated, if *archived { "ARCHIVED" } else { "UNARCHIVED" }, None)
            }
            Change::Tags(tags) => {
                let updated = update
                    .set((applications::tags.eq(tags), applications::updated_at.eq(now)))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?;
                (updated, "TAGGED", None)
            }
        };
        append(conn, row.id, me.user_id, Event { kind, from: None, to: None, note, interview: None }).await?;
        Ok(updated)
    })
    .await
}

/// Saving, applying and moving applications.
#[derive(Default)]
pub struct ApplicationMutations;

#[Object]
impl ApplicationMutations {
    /// Saves an open job as a SAVED application, to apply later.
    async fn save_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SaveJobInput,
    ) -> Result<SaveJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(notes) = checks.optional_text("notes", input.notes.as_deref(), 10_000) else {
            return Ok(SaveJobPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        respond(start(&mut conn, &me, &input.job_id, ApplicationStatus::Saved, (notes, None), (None, None)).await)
    }

    /// Applies to an open job (or sends the viewer's saved application to
    /// it). One live application per job: a second is refused with
    /// ALREADY_APPLIED; DRAFT or CLOSED jobs with JOB_NOT_OPEN.
    async fn apply_to_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApplyToJobInput,
    ) -> Result<ApplyToJobPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let notes = checks.optional_text("notes", input.notes.as_deref(), 10_000);
        let source = checks.optional_text("source", input.source.as_deref(), 100);
        let (Some(notes), Some(source)) = (notes, source) else {
            return Ok(ApplyToJobPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        respond(apply(&mut conn, &me, &input, (notes, source)).await)
    }

    /// Moves an application along its pipeline. Illegal moves are refused
    /// with INVALID_TRANSITION; moves the viewer's role may not make are
    /// FORBIDDEN (see the `ApplicationStatus` docs).
    async fn update_application_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateApplicationStatusInput,
    ) -> Result<UpdateApplicationStatusPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(note) = checks.optional_text("note", input.note.as_deref(), 10_000) else {
            return Ok(UpdateApplicationStatusPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        respond(move_to(&mut conn, &me, &input.application_id, input.status, note.as_deref()).await)
    }

    /// Withdraws the viewer's application (from any open status).
    async fn withdraw_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: WithdrawApplicationInput,
    ) -> Result<WithdrawApplicationPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(note) = checks.optional_text("note", input.note.as_deref(), 10_000) else {
            return Ok(WithdrawApplicationPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let status = ApplicationStatus::Withdrawn;
        respond(move_to(&mut conn, &me, &input.application_id, status, note.as_deref()).await)
    }

    /// Adds a note to an application's timeline (the candidate or the job's recruiter).
    async fn add_application_note(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddApplicationNoteInput,
    ) -> Result<AddApplicationNotePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(note) = checks.text("note", &input.note, 10_000, true) else {
            return Ok(AddApplicationNotePayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        respond(record(&mut conn, &me, &input.application_id, Change::Note(note)).await)
    }

    /// Archives (or unarchives) the viewer's application.
    async fn archive_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ArchiveApplicationInput,
    ) -> Result<ArchiveApplicationPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        respond(record(&mut conn, &me, &input.application_id, Change::Archive(input.archived)).await)
    }

    /// Replaces the tags of the viewer's application.
    async fn tag_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: TagApplicationInput,
    ) -> Result<TagApplicationPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let Some(tags) = checks.text_list("tags", &input.tags, MAX_TAGS, 50) else {
            return Ok(TagApplicationPayload::refused(checks.errors));
        };
        let tags: Vec<Option<String>> = tags.into_iter().map(Some).collect();
        let mut conn = request.db.conn().await?;
        respond(record(&mut conn, &me, &input.application_id, Change::Tags(tags)).await)
    }
}
