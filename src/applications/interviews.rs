//! Interviews of an application: scheduled, changed, and given an outcome,
//! each step on the timeline.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::Application;
use super::kit_mutations::kit_for_job;
use super::kits::InterviewKit;
use super::loaders;
use super::mutations::{Event, append, lock};
use super::pipeline::Actor;
use super::scorecards::Scorecard;
use super::{ApplicationRow, visible_to};
use crate::auth::{SignedIn, Viewer};
use crate::context::request;
use crate::db::tables::{applications, interviews};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::{Checks, change};
use crate::graphql::{ApiError, ErrorCode, Outcome, Payload, UserErrorCode, db_enum, ids, payload, respond};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interviews, check_for_backend(Pg))]
pub struct InterviewRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub kind: String,
    pub scheduled_at: ChronoDateTime<Utc>,
    pub duration_minutes: Option<i32>,
    pub location: Option<String>,
    pub meeting_url: Option<String>,
    pub outcome: String,
    pub feedback: Option<String>,
    pub completed_at: Option<ChronoDateTime<Utc>>,
    pub kit_id: Option<Uuid>,
}

/// An interview as the API shows it.
pub struct Interview(pub InterviewRow);

impl Interview {
    pub const TYPE_NAME: &'static str = "Interview";
}

/// One interview of an application.
#[Object]
impl Interview {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// What sort of interview.
    async fn kind(&self) -> Option<InterviewKind> {
        db_enum::from_db(&self.0.kind)
    }

    /// When it starts.
    async fn scheduled_at(&self) -> DateTime {
        self.0.scheduled_at.into()
    }

    /// How long it is planned to take, in minutes.
    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }

    /// Where it takes place.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The video-call link.
    async fn meeting_url(&self) -> Option<&str> {
        self.0.meeting_url.as_deref()
    }

    /// How it went; PENDING until recorded.
    async fn outcome(&self) -> Option<InterviewOutcome> {
        db_enum::from_db(&self.0.outcome)
    }

    /// Feedback recorded with the outcome.
    async fn feedback(&self) -> Option<&str> {
        self.0.feedback.as_deref()
    }

    /// When the outcome was recorded.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }

    /// The application it belongs to.
    async fn application(&self, ctx: &Context<'_>) -> Result<Option<Application>, ApiError> {
        Ok(loaders(ctx).applications.load_one(self.0.application_id).await?.map(Application::from))
    }

    /// The interview kit it is run with; null without one, and for anyone
    /// but the job's poster and admins.
    async fn kit(&self, ctx: &Context<'_>) -> Result<Option<InterviewKit>, ApiError> {
        let Some(kit) = self.0.kit_id else { return Ok(None) };
        Ok(loaders(ctx).kits.load_one(kit).await?.map(InterviewKit))
    }

    /// Its scorecards as they stand: each interviewer's latest submitted
    /// revision, and the viewer's own draft. Empty for anyone but the job's
    /// poster and admins.
    async fn scorecards(&self, ctx: &Context<'_>) -> Result<Vec<Scorecard>, ApiError> {
        let rows = loaders(ctx).scorecards_by_interview.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Scorecard).collect())
    }
}

/// Kinds of interviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum InterviewKind {
    /// A first call.
    PhoneScreen,
    /// A technical interview.
    Technical,
    /// A behavioural interview.
    Behavioral,
    /// An on-site visit.
    Onsite,
    /// A panel.
    Panel,
    /// A take-home assignment.
    TakeHome,
    /// The final round.
    Final,
    /// Anything else.
    Other,
}

/// How an interview went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum InterviewOutcome {
    /// Not held yet, or no outcome recorded.
    Pending,
    /// Passed.
    Passed,
    /// Not passed.
    Failed,
    /// Called off.
    Cancelled,
    /// Someone did not show up.
    NoShow,
}

/// Loads the interviews of many applications, only of applications the
/// viewer may see, in order of time.
pub struct InterviewsByApplication {
    db: Db,
    viewer: Viewer,
}

impl InterviewsByApplication {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for InterviewsByApplication {
    type Value = Vec<InterviewRow>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<InterviewRow>>, ApiError> {
        let Some(visible) = visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        // Two statements (boxed visibility conditions cannot sit in a diesel subselect).
        let visible_ids: Vec<Uuid> = applications::table
            .filter(applications::id.one_of(keys))
            .filter(visible)
            .select(applications::id)
            .cached()
            .load(&mut conn)
            .await?;
        let rows: Vec<InterviewRow> = interviews::table
            .filter(interviews::application_id.one_of(visible_ids))
            .order((interviews::scheduled_at.asc(), interviews::id.asc()))
            .select(InterviewRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let mut grouped: HashMap<Uuid, Vec<InterviewRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.application_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// An interview to schedule.
#[derive(InputObject)]
pub struct ScheduleInterviewInput {
    /// The application it belongs to (sent and still open).
    pub application_id: ID,
    /// What sort of interview.
    pub kind: InterviewKind,
    /// When it starts.
    pub scheduled_at: DateTime,
    /// Planned length in minutes (1–1440).
    pub duration_minutes: Option<i32>,
    /// Where (at most 300 characters).
    pub location: Option<String>,
    /// A video-call link (http or https).
    pub meeting_url: Option<String>,
    /// The interview kit to run it with: one of the job's (only its poster
    /// and admins have them).
    pub kit_id: Option<ID>,
}

/// Changes to an interview. Omitted fields stay; `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateInterviewInput {
    /// The interview to change.
    pub interview_id: ID,
    /// A new kind.
    pub kind: Option<InterviewKind>,
    /// A new start.
    pub scheduled_at: Option<DateTime>,
    /// A new length in minutes.
    pub duration_minutes: MaybeUndefined<i32>,
    /// A new place.
    pub location: MaybeUndefined<String>,
    /// A new link.
    pub meeting_url: MaybeUndefined<String>,
    /// Another of the job's interview kits; `null` runs it without one.
    pub kit_id: MaybeUndefined<ID>,
}

/// The outcome of an interview.
#[derive(InputObject)]
pub struct RecordInterviewOutcomeInput {
    /// The interview.
    pub interview_id: ID,
    /// How it went (not PENDING).
    pub outcome: InterviewOutcome,
    /// Feedback (at most 10,000 characters).
    pub feedback: Option<String>,
}

macro_rules! interview_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            interview: Interview(InterviewRow),
            "The interview as it is now; null when the input was refused.",
            "Why the input was refused."
        );
    };
}

interview_payload!(ScheduleInterviewPayload, "The result of `scheduleInterview`.");
interview_payload!(UpdateInterviewPayload, "The result of `updateInterview`.");
interview_payload!(RecordInterviewOutcomePayload, "The result of `recordInterviewOutcome`.");

#[derive(AsChangeset, Default)]
#[diesel(table_name = interviews)]
struct InterviewChanges {
    kind: Option<String>,
    scheduled_at: Option<ChronoDateTime<Utc>>,
    duration_minutes: Option<Option<i32>>,
    location: Option<Option<String>>,
    meeting_url: Option<Option<String>>,
    outcome: Option<String>,
    feedback: Option<Option<String>>,
    completed_at: Option<Option<ChronoDateTime<Utc>>>,
    kit_id: Option<Option<Uuid>>,
}

fn check_duration(checks: &mut Checks, minutes: Option<i32>) {
    if minutes.is_some_and(|minutes| !(1..=1440).contains(&minutes)) {
        checks.fail(&["input", "durationMinutes"], UserErrorCode::Invalid, "durationMinutes must be 1 to 1440");
    }
}

/// Locks the application `id` and checks the viewer may run its interviews:
/// the job's recruiter, or the candidate on an imported job. Returns the
/// application, who the viewer is to it and whether its job is native.
async fn lock_for_interviews(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    id: &ID,
) -> Outcome<(ApplicationRow, Actor, bool)> {
    let (row, actor, native) = lock(conn, me, id).await?;
    if actor == Actor::Applicant && native {
        return Err(ApiError::new(ErrorCode::Forbidden, "The job's recruiter runs its interviews").into());
    }
    Ok((row, actor, native))
}

/// An interview with its application, locked for a change.
pub(super) struct LockedInterview {
    pub interview: InterviewRow,
    pub application: ApplicationRow,
    /// Who the viewer is to the application.
    pub actor: Actor,
    /// Whether its job was posted in careergraph.
    pub native: bool,
}

/// The interview `id` with its application locked (see
/// [`lock_for_interviews`]); NOT_FOUND when the viewer may not see it.
pub(super) async fn lock_interview(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Outcome<LockedInterview> {
    let uuid = ids::decode_as(id, Interview::TYPE_NAME).map_err(|_| ids::not_found(id))?;
    let row: Option<InterviewRow> =
        interviews::table.find(uuid).select(InterviewRow::as_select()).first(conn).await.optional()?;
    let interview = row.ok_or_else(|| ids::not_found(id))?;
    let application = ids::encode(Application::TYPE_NAME, interview.application_id);
    let (application, actor, native) =
        lock_for_interviews(conn, me, &application).await.map_err(|refusal| refusal.naming(id))?;
    Ok(LockedInterview { interview, application, actor, native })
}

/// Scheduling interviews and recording how they went.
#[derive(Default)]
pub struct InterviewMutations;

#[Object]
impl InterviewMutations {
    /// Schedules an interview for an application and notes it on the timeline.
    async fn schedule_interview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScheduleInterviewInput,
    ) -> Result<ScheduleInterviewPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        check_duration(&mut checks, input.duration_minutes);
        let location = checks.optional_text("location", input.location.as_deref(), 300);
        let meeting_url = input.meeting_url.as_deref().and_then(|url| checks.url(&["input", "meetingUrl"], url));
        let (Some(location), true) = (location, checks.is_ok()) else {
            return Ok(Payload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let (application, ..) = lock_for_interviews(conn, &me, &input.application_id).await?;
                let kit = match &input.kit_id {
                    Some(kit) => Some(kit_for_job(conn, &me, kit, application.job_id).await?),
                    None => None,
                };
                let application = application.id;
                let now = Utc::now();
                let row: InterviewRow = diesel::insert_into(interviews::table)
                    .values((
                        interviews::id.eq(Uuid::now_v7()),
                        interviews::application_id.eq(application),
                        interviews::kind.eq(db_enum::to_db(input.kind)),
                        interviews::scheduled_at.eq(input.scheduled_at.0),
                        interviews::duration_minutes.eq(input.duration_minutes),
                        interviews::location.eq(&location),
                        interviews::meeting_url.eq(&meeting_url),
                        interviews::kit_id.eq(kit),
                        interviews::created_at.eq(now),
                        interviews::updated_at.eq(now),
                    ))
                    .returning(InterviewRow::as_returning())
                    .get_result(conn)
                    .await?;
                let event =
                    Event { kind: "INTERVIEW_SCHEDULED", from: None, to: None, note: None, interview: Some(row.id) };
                append(conn, application, me.user_id, event).await?;
                Ok(row)
            })
            .await;
        respond(outcome)
    }

    /// Changes an interview's time, length, place, link or kit.
    async fn update_interview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateInterviewInput,
    ) -> Result<UpdateInterviewPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let duration = change(input.duration_minutes, |minutes| minutes);
        check_duration(&mut checks, duration.flatten());
        let changes = InterviewChanges {
            kind: input.kind.map(|kind| db_enum::to_db(kind).to_owned()),
            scheduled_at: input.scheduled_at.map(|at| at.0),
            duration_minutes: duration,
            location: checks.change_text("location", input.location, 300),
            meeting_url: change(input.meeting_url, |url| checks.url(&["input", "meetingUrl"], &url))
                .map(Option::flatten),
            ..InterviewChanges::default()
        };
        if !checks.is_ok() {
            return Ok(Payload::refused(checks.errors));
        }
        let kit = change(input.kit_id, |kit| kit);
        let mut conn = request.db.conn().await?;
        respond(change_interview(&mut conn, &me, &input.interview_id, ("INTERVIEW_UPDATED", kit), changes).await)
    }

    /// Records how an interview went, and notes it on the timeline.
    async fn record_interview_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordInterviewOutcomeInput,
    ) -> Result<RecordInterviewOutcomePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        if input.outcome == InterviewOutcome::Pending {
            checks.fail(&["input", "outcome"], UserErrorCode::Invalid, "Record an outcome other than PENDING");
        }
        let feedback = checks.optional_text("feedback", input.feedback.as_deref(), 10_000);
        let (Some(feedback), true) = (feedback, checks.is_ok()) else {
            return Ok(Payload::refused(checks.errors));
        };
        let changes = InterviewChanges {
            outcome: Some(db_enum::to_db(input.outcome).to_owned()),
            feedback: Some(feedback),
            completed_at: Some(Some(Utc::now())),
            ..InterviewChanges::default()
        };
        let mut conn = request.db.conn().await?;
        respond(change_interview(&mut conn, &me, &input.interview_id, ("INTERVIEW_COMPLETED", None), changes).await)
    }
}

/// Applies `changes` (and a change of kit, checked against the job's kits)
/// and notes it on the timeline as an event of `kind`.
async fn change_interview(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    id: &ID,
    (kind, kit): (&'static str, Option<Option<ID>>),
    mut changes: InterviewChanges,
) -> Outcome<InterviewRow> {
    conn.transaction(async |conn| {
        let current = lock_interview(conn, me, id).await?;
        changes.kit_id = match kit {
            None => None,
            Some(None) => Some(None),
            Some(Some(kit)) => Some(Some(kit_for_job(conn, me, &kit, current.application.job_id).await?)),
        };
        let row: InterviewRow = diesel::update(interviews::table.find(current.interview.id))
            .set((&changes, interviews::updated_at.eq(Utc::now())))
            .returning(InterviewRow::as_returning())
            .get_result(conn)
            .await?;
        let event = Event { kind, from: None, to: None, note: None, interview: Some(row.id) };
        append(conn, row.application_id, me.user_id, event).await?;
        Ok(row)
    })
    .await
}

/// Loads interviews by id, only those of applications the viewer may see.
pub struct InterviewLoader {
    db: Db,
    viewer: Viewer,
}

impl InterviewLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for InterviewLoader {
    type Value = InterviewRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, InterviewRow>, ApiError> {
        let Some(visible) = visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<InterviewRow> = interviews::table
            .filter(interviews::id.one_of(keys))
            .select(InterviewRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let owners: Vec<Uuid> = rows.iter().map(|row| row.application_id).collect();
        let visible_ids: Vec<Uuid> = applications::table
            .filter(applications::id.one_of(owners))
            .filter(visible)
            .select(applications::id)
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().filter(|row| visible_ids.contains(&row.application_id)).map(|row| (row.id, row)).collect())
    }
}
