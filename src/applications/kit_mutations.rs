//! Preparing interviews: creating, changing, copying and deleting a job's
//! interview kits and their questions. Only the job's poster (on a job posted
//! in careergraph) and admins; every change locks the kit (or the job) row.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::interviews::InterviewKind;
use super::kits::{
    InterviewKit, InterviewQuestion, KitRow, MAX_KITS_PER_JOB, MAX_QUESTIONS, QuestionRow, kits_visible_to,
};
use crate::auth::{SignedIn, Viewer};
use crate::context::request;
use crate::db::tables::{interview_kits, interview_questions, jobs};
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, Outcome, Payload, UserError, UserErrorCode, db_enum, ids, payload, respond};
use crate::jobs::{Job, NATIVE_SOURCE};

/// A question to write into a kit.
#[derive(InputObject)]
pub struct InterviewQuestionInput {
    /// The question to ask (1–2,000 characters).
    pub text: String,
    /// Guidance for the interviewer (at most 5,000 characters).
    pub guidance: Option<String>,
    /// The competency it probes, e.g. "Rust" (1–100 characters).
    pub competency: String,
    /// How much its rating counts (1–10).
    #[graphql(default = 1)]
    pub weight: i32,
}

/// A new kit for a job.
#[derive(InputObject)]
pub struct CreateInterviewKitInput {
    /// The job (one the viewer posted in careergraph).
    pub job_id: ID,
    /// The kit's name (1–200 characters).
    pub name: String,
    /// The kind of interview it is for.
    pub kind: InterviewKind,
    /// Its first questions, in order (at most 50).
    #[graphql(default)]
    pub questions: Vec<InterviewQuestionInput>,
}

/// Changes to a kit. Omitted fields stay.
#[derive(InputObject)]
pub struct UpdateInterviewKitInput {
    /// The kit to change.
    pub kit_id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new kind.
    pub kind: Option<InterviewKind>,
}

/// A kit to delete.
#[derive(InputObject)]
pub struct DeleteInterviewKitInput {
    /// The kit. Scorecards of interviews run with it keep what they rated.
    pub kit_id: ID,
}

/// A kit to copy into a job.
#[derive(InputObject)]
pub struct CopyInterviewKitInput {
    /// The kit to copy (of any job the viewer posted).
    pub kit_id: ID,
    /// The job to copy it into (one the viewer posted).
    pub job_id: ID,
    /// The copy's name; the original's when omitted.
    pub name: Option<String>,
}

/// A question to add to a kit.
#[derive(InputObject)]
pub struct AddInterviewQuestionInput {
    /// The kit.
    pub kit_id: ID,
    /// The question.
    pub question: InterviewQuestionInput,
    /// Where to put it, from 0; at the end when omitted or past the end.
    pub position: Option<i32>,
}

/// Changes to a question. Omitted fields stay; `null` clears the guidance.
#[derive(InputObject)]
pub struct UpdateInterviewQuestionInput {
    /// The question to change.
    pub question_id: ID,
    /// New text.
    pub text: Option<String>,
    /// New guidance.
    pub guidance: MaybeUndefined<String>,
    /// A new competency.
    pub competency: Option<String>,
    /// A new weight (1–10).
    pub weight: Option<i32>,
}

/// A question to delete.
#[derive(InputObject)]
pub struct DeleteInterviewQuestionInput {
    /// The question. Submitted scorecards keep its text, competency and weight.
    pub question_id: ID,
}

/// A new order of a kit's questions.
#[derive(InputObject)]
pub struct ReorderInterviewQuestionsInput {
    /// The kit.
    pub kit_id: ID,
    /// Every one of the kit's questions, each once, in the new order.
    pub question_ids: Vec<ID>,
}

macro_rules! kit_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            kit: InterviewKit(KitRow),
            "The kit as it is now; null when the input was refused.",
            "Why the input was refused."
        );
    };
}

kit_payload!(CreateInterviewKitPayload, "The result of `createInterviewKit`.");
kit_payload!(UpdateInterviewKitPayload, "The result of `updateInterviewKit`.");
kit_payload!(DeleteInterviewKitPayload, "The result of `deleteInterviewKit`: the kit as it was.");
kit_payload!(CopyInterviewKitPayload, "The result of `copyInterviewKit`: the new kit.");
kit_payload!(DeleteInterviewQuestionPayload, "The result of `deleteInterviewQuestion`: its kit.");
kit_payload!(ReorderInterviewQuestionsPayload, "The result of `reorderInterviewQuestions`.");

macro_rules! question_payload {
    ($name:ident, $doc:literal) => {
        payload!(
            $name,
            $doc,
            question: InterviewQuestion(QuestionRow),
            "The question as it is now; null when the input was refused.",
            "Why the input was refused."
        );
    };
}

question_payload!(AddInterviewQuestionPayload, "The result of `addInterviewQuestion`.");
question_payload!(UpdateInterviewQuestionPayload, "The result of `updateInterviewQuestion`.");

/// A checked question, ready to write.
struct QuestionText {
    text: String,
    guidance: Option<String>,
    competency: String,
    weight: i32,
}

fn check_weight(checks: &mut Checks, path: &[&str], weight: i32) {
    if !(1..=10).contains(&weight) {
        checks.fail(path, UserErrorCode::Invalid, "weight must be 1 to 10");
    }
}

/// Checks one question at `path` (e.g. `["input", "questions", "2"]`).
fn check_question(checks: &mut Checks, path: &[&str], input: &InterviewQuestionInput) -> Option<QuestionText> {
    let at = |field: &'static str| -> Vec<&str> { path.iter().copied().chain([field]).collect() };
    let text = checks.text_at(&at("text"), &input.text, 2000, true);
    let competency = checks.text_at(&at("competency"), &input.competency, 100, true);
    let guidance = checks.optional_text_at(&at("guidance"), input.guidance.as_deref(), 5000);
    check_weight(checks, &at("weight"), input.weight);
    Some(QuestionText { text: text?, guidance: guidance?, competency: competency?, weight: input.weight })
}

/// The job `id`, locked, if the viewer may keep its kits: its poster on a
/// job posted in careergraph, or an admin. FORBIDDEN for a job they may see
/// but not run; NOT_FOUND otherwise.
async fn lock_own_job(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Outcome<Uuid> {
    let uuid = ids::decode_as(id, Job::TYPE_NAME)?;
    let viewer = Viewer::SignedIn(*me);
    let found: Option<(Option<Uuid>, String)> = jobs::table
        .filter(jobs::id.eq(uuid))
        .filter(crate::jobs::visible_to(&viewer))
        .select((jobs::posted_by_id, jobs::source))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let (poster, source) = found.ok_or_else(|| ids::not_found(id))?;
    if source != NATIVE_SOURCE {
        return Err(ApiError::new(ErrorCode::Forbidden, "Interview kits are for jobs posted in careergraph").into());
    }
    if poster != Some(me.user_id) && !me.is_admin() {
        return Err(ApiError::new(ErrorCode::Forbidden, "Only the job's poster keeps its interview kits").into());
    }
    Ok(uuid)
}

/// The kit `id`, locked, if the viewer may see it; NOT_FOUND otherwise.
pub(super) async fn lock_kit(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Outcome<KitRow> {
    let uuid = ids::decode_as(id, InterviewKit::TYPE_NAME)?;
    let visible = kits_visible_to(&Viewer::SignedIn(*me)).ok_or_else(|| ids::not_found(id))?;
    let row: Option<KitRow> = interview_kits::table
        .filter(interview_kits::id.eq(uuid))
        .filter(visible)
        .select(KitRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(row.ok_or_else(|| ids::not_found(id))?)
}

/// The kit `id` for an interview of an application to `job`: one of that
/// job's live kits the viewer may see, else a user error at `kitId`.
pub(super) async fn kit_for_job(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID, job: Uuid) -> Outcome<Uuid> {
    let refused = || UserError::new(&["input", "kitId"], UserErrorCode::Invalid, "Use one of the job's interview kits");
    let uuid = ids::decode_as(id, InterviewKit::TYPE_NAME).map_err(|_| refused())?;
    let visible = kits_visible_to(&Viewer::SignedIn(*me)).ok_or_else(refused)?;
    let found: Option<Uuid> = interview_kits::table
        .filter(interview_kits::id.eq(uuid))
        .filter(interview_kits::job_id.eq(job))
        .filter(visible)
        .select(interview_kits::id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.ok_or_else(refused)?)
}

/// The question `id` with its kit locked; NOT_FOUND when the viewer may not
/// see the kit.
async fn lock_question(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Outcome<QuestionRow> {
    let uuid = ids::decode_as(id, InterviewQuestion::TYPE_NAME)?;
    let kit: Option<Uuid> =
        interview_questions::table.find(uuid).select(interview_questions::kit_id).first(conn).await.optional()?;
    let kit = kit.ok_or_else(|| ids::not_found(id))?;
    lock_kit(conn, me, &ids::encode(InterviewKit::TYPE_NAME, kit)).await.map_err(|refusal| refusal.naming(id))?;
    Ok(interview_questions::table.find(uuid).select(QuestionRow::as_select()).first(conn).await?)
}

async fn questions_of(conn: &mut AsyncPgConnection, kit: Uuid) -> QueryResult<Vec<QuestionRow>> {
    interview_questions::table
        .filter(interview_questions::kit_id.eq(kit))
        .order((interview_questions::position.asc(), interview_questions::id.asc()))
        .select(QuestionRow::as_select())
        .load(conn)
        .await
}

/// Refuses a kit for a job that already has the most it may.
async fn check_room_for_a_kit(conn: &mut AsyncPgConnection, job: Uuid) -> Outcome<()> {
    let kits: i64 = interview_kits::table
        .filter(interview_kits::job_id.eq(job))
        .filter(interview_kits::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    if kits >= MAX_KITS_PER_JOB {
        let message = format!("A job has at most {MAX_KITS_PER_JOB} interview kits");
        return Err(UserError::new(&["input", "jobId"], UserErrorCode::TooLong, message).into());
    }
    Ok(())
}

async fn insert_kit(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    (job, name, kind): (Uuid, &str, &str),
    questions: &[QuestionText],
) -> QueryResult<KitRow> {
    let now = Utc::now();
    let kit: KitRow = diesel::insert_into(interview_kits::table)
        .values((
            interview_kits::id.eq(Uuid::now_v7()),
            interview_kits::job_id.eq(job),
            interview_kits::name.eq(name),
            interview_kits::kind.eq(kind),
            interview_kits::created_by_id.eq(me.user_id),
            interview_kits::created_at.eq(now),
            interview_kits::updated_at.eq(now),
        ))
        .returning(KitRow::as_returning())
        .get_result(conn)
        .await?;
    let rows: Vec<_> = questions
        .iter()
        .enumerate()
        .map(|(position, question)| {
            (
                interview_questions::id.eq(Uuid::now_v7()),
                interview_questions::kit_id.eq(kit.id),
                interview_questions::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                interview_questions::text.eq(&question.text),
                interview_questions::guidance.eq(&question.guidance),
                interview_questions::competency.eq(&question.competency),
                interview_questions::weight.eq(question.weight),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(interview_questions::table).values(rows).execute(conn).await?;
    }
    Ok(kit)
}

/// Touches a kit so its `updatedAt` and any cache of it see the change to
/// its questions.
async fn touch(conn: &mut AsyncPgConnection, kit: Uuid) -> QueryResult<KitRow> {
    diesel::update(interview_kits::table.find(kit))
        .set(interview_kits::updated_at.eq(Utc::now()))
        .returning(KitRow::as_returning())
        .get_result(conn)
        .await
}

/// Preparing interviews: kits and their questions.
#[derive(Default)]
pub struct KitMutations;

#[Object]
impl KitMutations {
    /// Creates an interview kit for a job the viewer posted, optionally with
    /// its questions. A job has at most 20 kits, a kit at most 50 questions.
    async fn create_interview_kit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateInterviewKitInput,
    ) -> Result<CreateInterviewKitPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let name = checks.text("name", &input.name, 200, true);
        if input.questions.len() > MAX_QUESTIONS {
            checks.fail(&["input", "questions"], UserErrorCode::TooLong, format!("at most {MAX_QUESTIONS} questions"));
        }
        let questions: Vec<Option<QuestionText>> = input
            .questions
            .iter()
            .take(MAX_QUESTIONS)
            .enumerate()
            .map(|(index, question)| check_question(&mut checks, &["input", "questions", &index.to_string()], question))
            .collect();
        let (Some(name), true) = (name, checks.is_ok()) else {
            return Ok(Payload::refused(checks.errors));
        };
        let questions: Vec<QuestionText> = questions.into_iter().flatten().collect();
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let job = lock_own_job(conn, &me, &input.job_id).await?;
                check_room_for_a_kit(conn, job).await?;
                Ok(insert_kit(conn, &me, (job, &name, db_enum::to_db(input.kind)), &questions).await?)
            })
            .await;
        respond(outcome)
    }

    /// Renames a kit or changes its kind.
    async fn update_interview_kit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateInterviewKitInput,
    ) -> Result<UpdateInterviewKitPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let name = input.name.as_deref().map(|name| checks.text("name", name, 200, true));
        if !checks.is_ok() {
            return Ok(Payload::refused(checks.errors));
        }
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let kit = lock_kit(conn, &me, &input.kit_id).await?;
                Ok(diesel::update(interview_kits::table.find(kit.id))
                    .set((
                        interview_kits::name.eq(name.flatten().unwrap_or(kit.name)),
                        interview_kits::kind.eq(input.kind.map_or(kit.kind, |kind| db_enum::to_db(kind).to_owned())),
                        interview_kits::updated_at.eq(Utc::now()),
                    ))
                    .returning(KitRow::as_returning())
                    .get_result(conn)
                    .await?)
            })
            .await;
        respond(outcome)
    }

    /// Deletes a kit: it is no longer listed, offered or rated against
    /// (`Interview.kit` turns null), while the scorecards of interviews run
    /// with it keep what they rated.
    async fn delete_interview_kit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteInterviewKitInput,
    ) -> Result<DeleteInterviewKitPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let kit = lock_kit(conn, &me, &input.kit_id).await?;
                diesel::update(interview_kits::table.find(kit.id))
                    .set(interview_kits::deleted_at.eq(Utc::now()))
                    .execute(conn)
                    .await?;
                Ok(kit)
            })
            .await;
        respond(outcome)
    }

    /// Copies a kit, questions and all, from one of the viewer's jobs into
    /// another (or the same) job they posted.
    async fn copy_interview_kit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CopyInterviewKitInput,
    ) -> Result<CopyInterviewKitPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let name = input.name.as_deref().map(|name| checks.text("name", name, 200, true));
        if !checks.is_ok() {
            return Ok(Payload::refused(checks.errors));
        }
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let source = lock_kit(conn, &me, &input.kit_id).await?;
                let job = lock_own_job(conn, &me, &input.job_id).await?;
                check_room_for_a_kit(conn, job).await?;
                let questions: Vec<QuestionText> = questions_of(conn, source.id)
                    .await?
                    .into_iter()
                    .map(|row| QuestionText {
                        text: row.text,
                        guidance: row.guidance,
                        competency: row.competency,
                        weight: row.weight,
                    })
                    .collect();
                let name = name.flatten().unwrap_or(source.name);
                Ok(insert_kit(conn, &me, (job, &name, &source.kind), &questions).await?)
            })
            .await;
        respond(outcome)
    }

    /// Adds a question to a kit, at `position` or at the end.
    async fn add_interview_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddInterviewQuestionInput,
    ) -> Result<AddInterviewQuestionPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let question = check_question(&mut checks, &["input", "question"], &input.question);
        if input.position.is_some_and(|position| position < 0) {
            checks.fail(&["input", "position"], UserErrorCode::Invalid, "position counts from 0");
        }
        let (Some(question), true) = (question, checks.is_ok()) else {
            return Ok(Payload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let kit = lock_kit(conn, &me, &input.kit_id).await?;
                let count = questions_of(conn, kit.id).await?.len();
                if count >= MAX_QUESTIONS {
                    let message = format!("A kit holds at most {MAX_QUESTIONS} questions");
                    return Err(UserError::new(&["input", "kitId"], UserErrorCode::TooLong, message).into());
                }
                let end = i32::try_from(count).unwrap_or(i32::MAX);
                let position = input.position.unwrap_or(end).min(end);
                diesel::update(
                    interview_questions::table
                        .filter(interview_questions::kit_id.eq(kit.id))
                        .filter(interview_questions::position.ge(position)),
                )
                .set(interview_questions::position.eq(interview_questions::position + 1))
                .execute(conn)
                .await?;
                let row: QuestionRow = diesel::insert_into(interview_questions::table)
                    .values((
                        interview_questions::id.eq(Uuid::now_v7()),
                        interview_questions::kit_id.eq(kit.id),
                        interview_questions::position.eq(position),
                        interview_questions::text.eq(&question.text),
                        interview_questions::guidance.eq(&question.guidance),
                        interview_questions::competency.eq(&question.competency),
                        interview_questions::weight.eq(question.weight),
                    ))
                    .returning(QuestionRow::as_returning())
                    .get_result(conn)
                    .await?;
                touch(conn, kit.id).await?;
                Ok(row)
            })
            .await;
        respond(outcome)
    }

    /// Changes a question's text, guidance, competency or weight. Submitted
    /// scorecards keep the question as it was when they rated it.
    async fn update_interview_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateInterviewQuestionInput,
    ) -> Result<UpdateInterviewQuestionPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut checks = Checks::default();
        let text = input.text.as_deref().map(|text| checks.text("text", text, 2000, true));
        let competency = input.competency.as_deref().map(|competency| checks.text("competency", competency, 100, true));
        let guidance = match &input.guidance {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(Some(None)),
            MaybeUndefined::Value(guidance) => Some(checks.optional_text("guidance", Some(guidance), 5000)),
        };
        if let Some(weight) = input.weight {
            check_weight(&mut checks, &["input", "weight"], weight);
        }
        if !checks.is_ok() {
            return Ok(Payload::refused(checks.errors));
        }
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let current = lock_question(conn, &me, &input.question_id).await?;
                let row: QuestionRow = diesel::update(interview_questions::table.find(current.id))
                    .set((
                        interview_questions::text.eq(text.flatten().unwrap_or(current.text)),
                        interview_questions::guidance.eq(guidance.flatten().unwrap_or(current.guidance)),
                        interview_questions::competency.eq(competency.flatten().unwrap_or(current.competency)),
                        interview_questions::weight.eq(input.weight.unwrap_or(current.weight)),
                    ))
                    .returning(QuestionRow::as_returning())
                    .get_result(conn)
                    .await?;
                touch(conn, row.kit_id).await?;
                Ok(row)
            })
            .await;
        respond(outcome)
    }

    /// Deletes a question from its kit; the questions after it move up.
    /// Submitted scorecards keep what they rated.
    async fn delete_interview_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteInterviewQuestionInput,
    ) -> Result<DeleteInterviewQuestionPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let question = lock_question(conn, &me, &input.question_id).await?;
                diesel::delete(interview_questions::table.find(question.id)).execute(conn).await?;
                diesel::update(
                    interview_questions::table
                        .filter(interview_questions::kit_id.eq(question.kit_id))
                        .filter(interview_questions::position.gt(question.position)),
                )
                .set(interview_questions::position.eq(interview_questions::position - 1))
                .execute(conn)
                .await?;
                Ok(touch(conn, question.kit_id).await?)
            })
            .await;
        respond(outcome)
    }

    /// Puts a kit's questions in a new order: `questionIds` must list every
    /// one of them once.
    async fn reorder_interview_questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReorderInterviewQuestionsInput,
    ) -> Result<ReorderInterviewQuestionsPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let kit = lock_kit(conn, &me, &input.kit_id).await?;
                let current: Vec<Uuid> = questions_of(conn, kit.id).await?.into_iter().map(|row| row.id).collect();
                let order: Option<Vec<Uuid>> =
                    input.question_ids.iter().map(|id| ids::decode_as(id, InterviewQuestion::TYPE_NAME).ok()).collect();
                let mut listed = order.clone().unwrap_or_default();
                listed.sort_unstable();
                listed.dedup();
                let mut expected = current.clone();
                expected.sort_unstable();
                let Some(order) = order.filter(|order| order.len() == current.len() && listed == expected) else {
                    let message = "List every question of the kit exactly once";
                    return Err(UserError::new(&["input", "questionIds"], UserErrorCode::Invalid, message).into());
                };
                diesel::sql_query(
                    "UPDATE interview_questions q SET position = o.ordinality - 1
                     FROM unnest($1::uuid[]) WITH ORDINALITY AS o (id, ordinality)
                     WHERE q.id = o.id AND q.kit_id = $2",
                )
                .bind::<Array<SqlUuid>, _>(order)
                .bind::<SqlUuid, _>(kit.id)
                .execute(conn)
                .await?;
                Ok(touch(conn, kit.id).await?)
            })
            .await;
        respond(outcome)
    }
}
