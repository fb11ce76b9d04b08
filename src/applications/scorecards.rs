//! Scorecards: what one interviewer made of one interview, question by
//! question, with an overall recommendation. A draft is edited until it is
//! submitted; a submitted revision never changes (a trigger refuses it), so
//! a correction is a new revision. Submitting recomputes the application's
//! interview score and notes it on the timeline, for the recruiting side only.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::interviews::{Interview, InterviewRow, lock_interview};
use super::kits::{InterviewQuestion, MAX_QUESTIONS, QuestionRow};
use super::loaders;
use super::mutations::{Event, append};
use super::pipeline::Actor;
use crate::auth::{SignedIn, Viewer};
use crate::context::request;
use crate::db::tables::{applications, interview_kits, interview_questions, scorecards};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, Outcome, UserError, UserErrorCode, ids, payload, respond};
use crate::users::User;

/// The most revisions one interviewer's scorecard for one interview takes
/// (the first submission and its corrections), so its history stays a
/// short list.
pub const MAX_REVISIONS: i32 = 20;

/// A row of `scorecards`: one revision of one interviewer's scorecard.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scorecards, check_for_backend(Pg))]
pub struct ScorecardRow {
    pub id: Uuid,
    pub interview_id: Uuid,
    pub application_id: Uuid,
    pub interviewer_id: Uuid,
    pub revision: i32,
    pub recommendation: Option<i16>,
    pub summary: Option<String>,
    pub ratings: serde_json::Value,
    pub submitted_at: Option<ChronoDateTime<Utc>>,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

impl ScorecardRow {
    /// Its ratings; entries that do not read as ratings are left out (the
    /// server writes every one, so there are none).
    pub fn entries(&self) -> Vec<RatingEntry> {
        Vec::<RatingEntry>::deserialize(&self.ratings).unwrap_or_default()
    }
}

/// One rating inside a scorecard, with the question as it was when rated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingEntry {
    /// Null once the question was deleted from its kit.
    pub question_id: Option<Uuid>,
    pub question: String,
    pub competency: String,
    pub weight: i32,
    /// 1–4.
    pub rating: i16,
    pub notes: Option<String>,
}

/// A rating on the four-point scale interview scorecards use (1–4 in
/// averages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum Rating {
    /// 1: definitely not.
    StrongNo,
    /// 2: not.
    No,
    /// 3: yes.
    Yes,
    /// 4: definitely yes.
    StrongYes,
}

impl Rating {
    pub fn value(self) -> i16 {
        match self {
            Self::StrongNo => 1,
            Self::No => 2,
            Self::Yes => 3,
            Self::StrongYes => 4,
        }
    }

    pub fn from_value(value: i16) -> Option<Self> {
        match value {
            1 => Some(Self::StrongNo),
            2 => Some(Self::No),
            3 => Some(Self::Yes),
            4 => Some(Self::StrongYes),
            _ => None,
        }
    }
}

/// The weighted average rating (1–4) of `entries`; None when there are none.
pub fn weighted_average<'a>(entries: impl IntoIterator<Item = &'a RatingEntry>) -> Option<f64> {
    let (sum, weights) = entries.into_iter().fold((0.0, 0.0), |(sum, weights), entry| {
        let weight = f64::from(entry.weight);
        (sum + f64::from(entry.rating) * weight, weights + weight)
    });
    (weights > 0.0).then(|| sum / weights)
}

/// Where a scorecard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ScorecardStatus {
    /// Being written; only its interviewer sees it.
    Draft,
    /// Submitted: it counts in reports and never changes.
    Submitted,
}

/// The scorecards `viewer` may see: of applications to jobs they posted in
/// careergraph (every one for an admin), drafts only their interviewer's.
pub fn scorecards_visible_to(
    viewer: &Viewer,
) -> Option<Box<dyn BoxableExpression<scorecards::table, Pg, SqlType = Bool>>> {
    let me = viewer.signed_in()?;
    let readable = scorecards::submitted_at.is_not_null().or(scorecards::interviewer_id.eq(me.user_id));
    if me.is_admin() {
        return Some(Box::new(readable));
    }
    let to_my_jobs = diesel::dsl::sql::<Bool>(
        "EXISTS (SELECT 1 FROM applications a JOIN jobs j ON j.id = a.job_id
          WHERE a.id = scorecards.application_id AND a.deleted_at IS NULL AND a.applied_at IS NOT NULL
            AND j.source = 'careergraph' AND j.posted_by_id = ",
    )
    .bind::<diesel::sql_types::Uuid, _>(me.user_id)
    .sql(" AND a.user_id <> ")
    .bind::<diesel::sql_types::Uuid, _>(me.user_id)
    .sql(")");
    Some(Box::new(readable.and(to_my_jobs)))
}

/// A scorecard revision as the API shows it.
pub struct Scorecard(pub ScorecardRow);

impl Scorecard {
    pub const TYPE_NAME: &'static str = "Scorecard";
}

/// One interviewer's assessment of one interview: a rating per question of
/// the interview's kit, a recommendation and a summary. Each revision is its
/// own node; seen only by the job's poster and admins, a draft only by its
/// interviewer.
#[Object]
impl Scorecard {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The interview it assesses.
    async fn interview(&self, ctx: &Context<'_>) -> Result<Option<Interview>, ApiError> {
        Ok(loaders(ctx).interviews.load_one(self.0.interview_id).await?.map(Interview))
    }

    /// Who interviewed and wrote it (their public profile).
    async fn interviewer(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let row = crate::users::loaders(ctx).users.load_one(self.0.interviewer_id).await?;
        Ok(row.map(|row| User::seen_by(row, &request(ctx).viewer)))
    }

    /// Which revision this is, from 1; a correction of a submitted scorecard
    /// is the next revision.
    async fn revision(&self) -> i32 {
        self.0.revision
    }

    /// Draft or submitted.
    async fn status(&self) -> ScorecardStatus {
        if self.0.submitted_at.is_some() { ScorecardStatus::Submitted } else { ScorecardStatus::Draft }
    }

    /// The overall recommendation; a draft may not have one yet.
    async fn recommendation(&self) -> Option<Rating> {
        self.0.recommendation.and_then(Rating::from_value)
    }

    /// The interviewer's summary.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// The ratings, in the kit's order when rated.
    async fn ratings(&self) -> Vec<QuestionRating> {
        self.0.entries().into_iter().map(QuestionRating).collect()
    }

    /// The weighted average of its ratings (1–4); null without ratings.
    async fn score(&self) -> Option<f64> {
        weighted_average(&self.0.entries())
    }

    /// When it was submitted; null for a draft.
    async fn submitted_at(&self) -> Option<DateTime> {
        self.0.submitted_at.map(DateTime)
    }

    /// When this revision was started.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When this revision last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// Every revision of this interviewer's scorecard for the interview that
    /// the viewer may see, oldest first, this one included (at most 20).
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<Scorecard>, ApiError> {
        let key = (self.0.interview_id, self.0.interviewer_id);
        let rows = loaders(ctx).scorecard_revisions.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Scorecard).collect())
    }
}

/// A rating as the API shows it.
pub struct QuestionRating(pub RatingEntry);

/// The rating of one question, with the question as it read when rated.
#[Object]
impl QuestionRating {
    /// The question in its kit; null once it was deleted.
    async fn question(&self, ctx: &Context<'_>) -> Result<Option<InterviewQuestion>, ApiError> {
        let Some(id) = self.0.question_id else { return Ok(None) };
        Ok(loaders(ctx).questions.load_one(id).await?.map(InterviewQuestion))
    }

    /// The question's text when it was rated.
    async fn question_text(&self) -> &str {
        &self.0.question
    }

    /// The competency it probed when it was rated.
    async fn competency(&self) -> &str {
        &self.0.competency
    }

    /// The question's weight when it was rated.
    async fn weight(&self) -> i32 {
        self.0.weight
    }

    /// The rating.
    async fn rating(&self) -> Option<Rating> {
        Rating::from_value(self.0.rating)
    }

    /// The interviewer's notes on the answer.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// Loads scorecard revisions by id, only those the viewer may see.
pub struct ScorecardLoader {
    db: Db,
    viewer: Viewer,
}

impl ScorecardLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ScorecardLoader {
    type Value = ScorecardRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, ScorecardRow>, ApiError> {
        let Some(visible) = scorecards_visible_to(&self.viewer) else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<ScorecardRow> = scorecards::table
            .filter(scorecards::id.one_of(keys))
            .filter(visible)
            .select(ScorecardRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// The visible revisions of the scorecards of many interviews, in order of
/// interviewer and revision.
async fn revisions_of(db: &Db, viewer: &Viewer, interviews: Vec<Uuid>) -> Result<Vec<ScorecardRow>, ApiError> {
    let Some(visible) = scorecards_visible_to(viewer) else { return Ok(Vec::new()) };
    let mut conn = db.conn().await?;
    Ok(scorecards::table
        .filter(scorecards::interview_id.one_of(interviews))
        .filter(visible)
        .order((scorecards::interview_id, scorecards::interviewer_id, scorecards::revision))
        .select(ScorecardRow::as_select())
        .cached()
        .load(&mut conn)
        .await?)
}

/// Loads each interview's scorecards as they stand: each interviewer's
/// latest revision the viewer may see (the viewer's own draft, others'
/// latest submission).
pub struct ScorecardsByInterview {
    db: Db,
    viewer: Viewer,
}

impl ScorecardsByInterview {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ScorecardsByInterview {
    type Value = Vec<ScorecardRow>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<ScorecardRow>>, ApiError> {
        let rows = revisions_of(&self.db, &self.viewer, keys.to_vec()).await?;
        let mut grouped: HashMap<Uuid, Vec<ScorecardRow>> = HashMap::new();
        for row in rows {
            let list = grouped.entry(row.interview_id).or_default();
            // Rows come by interviewer, then revision: a later one replaces.
            match list.last_mut() {
                Some(last) if last.interviewer_id == row.interviewer_id => *last = row,
                _ => list.push(row),
            }
        }
        Ok(grouped)
    }
}

/// Loads every visible revision of many (interview, interviewer) scorecards.
pub struct ScorecardRevisions {
    db: Db,
    viewer: Viewer,
}

impl ScorecardRevisions {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<(Uuid, Uuid)> for ScorecardRevisions {
    type Value = Vec<ScorecardRow>;
    type Error = ApiError;

    async fn load(&self, keys: &[(Uuid, Uuid)]) -> Result<HashMap<(Uuid, Uuid), Vec<ScorecardRow>>, ApiError> {
        let mut interviews: Vec<Uuid> = keys.iter().map(|(interview, _)| *interview).collect();
        interviews.sort_unstable();
        interviews.dedup();
        let rows = revisions_of(&self.db, &self.viewer, interviews).await?;
        let mut grouped: HashMap<(Uuid, Uuid), Vec<ScorecardRow>> = HashMap::new();
        for row in rows {
            let key = (row.interview_id, row.interviewer_id);
            if keys.contains(&key) {
                grouped.entry(key).or_default().push(row);
            }
        }
        Ok(grouped)
    }
}

/// The latest submitted revision of every scorecard of `applications`: what
/// reports and scores are made of. The caller authorized the applications.
pub async fn current_scorecards(conn: &mut AsyncPgConnection, applications: &[Uuid]) -> QueryResult<Vec<ScorecardRow>> {
    scorecards::table
        .filter(scorecards::application_id.one_of(applications))
        .filter(scorecards::submitted_at.is_not_null())
        .distinct_on((scorecards::application_id, scorecards::interview_id, scorecards::interviewer_id))
        .order((
            scorecards::application_id,
            scorecards::interview_id,
            scorecards::interviewer_id,
            scorecards::revision.desc(),
        ))
        .select(ScorecardRow::as_select())
        .cached()
        .load(conn)
        .await
}

/// One rating to record.
#[derive(InputObject)]
pub struct QuestionRatingInput {
    /// A question of the interview's kit.
    pub question_id: ID,
    /// The rating.
    pub rating: Rating,
    /// Notes on the answer (at most 5,000 characters).
    pub notes: Option<String>,
}

/// A scorecard's content: saved as the viewer's draft for the interview, or
/// submitted. It replaces the draft's content entirely.
#[derive(InputObject)]
pub struct ScorecardInput {
    /// The interview assessed (of an application to a job the viewer posted).
    pub interview_id: ID,
    /// A rating per question asked, each question of the interview's kit at
    /// most once; questions left out were not asked.
    #[graphql(default)]
    pub ratings: Vec<QuestionRatingInput>,
    /// The overall recommendation (required to submit).
    pub recommendation: Option<Rating>,
    /// A summary (at most 10,000 characters).
    pub summary: Option<String>,
}

payload!(
    SaveScorecardDraftPayload,
    "The result of `saveScorecardDraft`.",
    scorecard: Scorecard(ScorecardRow),
    "The draft as it is now; null when the input was refused.",
    "Why the input was refused."
);

payload!(
    SubmitScorecardPayload,
    "The result of `submitScorecard`.",
    scorecard: Scorecard(ScorecardRow),
    "The submitted revision; null when the input was refused.",
    "Why the input was refused."
);

/// A scorecard input with its texts checked.
struct Checked {
    ratings: Vec<(usize, Uuid, Rating, Option<String>)>,
    recommendation: Option<Rating>,
    summary: Option<String>,
}

fn check(input: &ScorecardInput, submitting: bool) -> Result<Checked, Vec<UserError>> {
    let mut checks = Checks::default();
    if input.ratings.len() > MAX_QUESTIONS {
        checks.fail(&["input", "ratings"], UserErrorCode::TooLong, format!("at most {MAX_QUESTIONS} ratings"));
    }
    if submitting && input.recommendation.is_none() {
        checks.fail(&["input", "recommendation"], UserErrorCode::Blank, "Give a recommendation to submit");
    }
    let summary = checks.optional_text("summary", input.summary.as_deref(), 10_000);
    let mut ratings = Vec::new();
    let mut seen = Vec::new();
    for (index, rating) in input.ratings.iter().enumerate().take(MAX_QUESTIONS) {
        let position = index.to_string();
        let Ok(question) = ids::decode_as(&rating.question_id, InterviewQuestion::TYPE_NAME) else {
            let path = ["input", "ratings", &position, "questionId"];
            checks.fail(&path, UserErrorCode::Invalid, "Rate a question of the interview's kit");
            continue;
        };
        if seen.contains(&question) {
            let path = ["input", "ratings", &position, "questionId"];
            checks.fail(&path, UserErrorCode::Invalid, "Rate each question once");
            continue;
        }
        seen.push(question);
        let path = ["input", "ratings", &position, "notes"];
        let notes = checks.optional_text_at(&path, rating.notes.as_deref(), 5000).flatten();
        ratings.push((index, question, rating.rating, notes));
    }
    match (summary, checks.is_ok()) {
        (Some(summary), true) => Ok(Checked { ratings, recommendation: input.recommendation, summary }),
        _ => Err(checks.errors),
    }
}

/// The interview `id` with its application locked, if the viewer scores it:
/// the job's poster or an admin, on a job posted in careergraph.
async fn lock_for_scoring(conn: &mut AsyncPgConnection, me: &SignedIn, id: &ID) -> Outcome<InterviewRow> {
    let locked = lock_interview(conn, me, id).await?;
    if locked.actor == Actor::Applicant || !locked.native {
        return Err(ApiError::new(ErrorCode::Forbidden, "Only the job's recruiter scores its interviews").into());
    }
    Ok(locked.interview)
}

/// The ratings as stored: each question as it reads now in the interview's
/// (live) kit. A question not in it is a user error at its place.
async fn entries(
    conn: &mut AsyncPgConnection,
    interview: &InterviewRow,
    checked: &Checked,
) -> Outcome<Vec<RatingEntry>> {
    let questions: Vec<QuestionRow> = match interview.kit_id {
        Some(kit) if !checked.ratings.is_empty() => {
            // A deleted kit's questions are no longer asked.
            let live = interview_kits::table
                .filter(interview_kits::id.eq(kit))
                .filter(interview_kits::deleted_at.is_null())
                .select(interview_kits::id);
            interview_questions::table
                .filter(interview_questions::kit_id.eq_any(live))
                .order((interview_questions::position.asc(), interview_questions::id.asc()))
                .select(QuestionRow::as_select())
                .load(conn)
                .await?
        }
        _ => Vec::new(),
    };
    let mut entries = Vec::with_capacity(checked.ratings.len());
    for (index, question_id, rating, notes) in &checked.ratings {
        let Some(question) = questions.iter().find(|question| question.id == *question_id) else {
            let position = index.to_string();
            let message = "Rate a question of the interview's kit";
            return Err(UserError::new(
                &["input", "ratings", &position, "questionId"],
                UserErrorCode::Invalid,
                message,
            )
            .into());
        };
        entries.push((
            question.position,
            RatingEntry {
                question_id: Some(question.id),
                question: question.text.clone(),
                competency: question.competency.clone(),
                weight: question.weight,
                rating: rating.value(),
                notes: notes.clone(),
            },
        ));
    }
    entries.sort_by_key(|(position, _)| *position);
    Ok(entries.into_iter().map(|(_, entry)| entry).collect())
}

/// Writes the viewer's scorecard for the interview, in one transaction with
/// the application locked: into their draft, or as a new revision when they
/// have none; when `submitting`, submitted, with the application's score
/// recomputed and the submission on the timeline.
async fn write(
    conn: &mut AsyncPgConnection,
    me: &SignedIn,
    input: &ScorecardInput,
    checked: Checked,
    submitting: bool,
) -> Outcome<ScorecardRow> {
    conn.transaction(async |conn| {
        let interview = lock_for_scoring(conn, me, &input.interview_id).await?;
        let ratings = serde_json::to_value(entries(conn, &interview, &checked).await?).map_err(ApiError::internal)?;
        let latest: Option<ScorecardRow> = scorecards::table
            .filter(scorecards::interview_id.eq(interview.id))
            .filter(scorecards::interviewer_id.eq(me.user_id))
            .order(scorecards::revision.desc())
            .select(ScorecardRow::as_select())
            .first(conn)
            .await
            .optional()?;
        let now = Utc::now();
        let submitted_at = submitting.then_some(now);
        let recommendation = checked.recommendation.map(Rating::value);
        let row: ScorecardRow = match latest {
            Some(draft) if draft.submitted_at.is_none() => {
                diesel::update(scorecards::table.find(draft.id))
                    .set((
                        scorecards::recommendation.eq(recommendation),
                        scorecards::summary.eq(&checked.summary),
                        scorecards::ratings.eq(&ratings),
                        scorecards::submitted_at.eq(submitted_at),
                    ))
                    .returning(ScorecardRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Some(submitted) if submitted.revision >= MAX_REVISIONS => {
                let message = format!("A scorecard takes at most {MAX_REVISIONS} revisions");
                return Err(UserError::new(&["input", "interviewId"], UserErrorCode::TooLong, message).into());
            }
            latest => {
                diesel::insert_into(scorecards::table)
                    .values((
                        scorecards::id.eq(Uuid::now_v7()),
                        scorecards::interview_id.eq(interview.id),
                        scorecards::application_id.eq(interview.application_id),
                        scorecards::interviewer_id.eq(me.user_id),
                        scorecards::revision.eq(latest.map_or(1, |row| row.revision + 1)),
                        scorecards::recommendation.eq(recommendation),
                        scorecards::summary.eq(&checked.summary),
                        scorecards::ratings.eq(&ratings),
                        scorecards::submitted_at.eq(submitted_at),
                        scorecards::created_at.eq(now),
                        scorecards::updated_at.eq(now),
                    ))
                    .returning(ScorecardRow::as_returning())
                    .get_result(conn)
                    .await?
            }
        };
        if submitting {
            rescore(conn, interview.application_id).await?;
            let event =
                Event { kind: "SCORECARD_SUBMITTED", from: None, to: None, note: None, interview: Some(interview.id) };
            append(conn, interview.application_id, me.user_id, event).await?;
        }
        Ok(row)
    })
    .await
}

/// `saveScorecardDraft` (or, when `submitting`, `submitScorecard`): the
/// input checked, then written.
async fn score(ctx: &Context<'_>, input: &ScorecardInput, submitting: bool) -> Outcome<ScorecardRow> {
    let request = request(ctx);
    let me = *request.viewer.require()?;
    let checked = check(input, submitting)?;
    let mut conn = request.db.conn().await?;
    write(&mut conn, &me, input, checked, submitting).await
}

/// Recomputes an application's interview score from its current scorecards.
pub async fn rescore(conn: &mut AsyncPgConnection, application: Uuid) -> QueryResult<()> {
    let current = current_scorecards(conn, &[application]).await?;
    let entries: Vec<RatingEntry> = current.iter().flat_map(ScorecardRow::entries).collect();
    diesel::update(applications::table.find(application))
        .set(applications::interview_score.eq(weighted_average(&entries)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Scoring interviews.
#[derive(Default)]
pub struct ScorecardMutations;

#[Object]
impl ScorecardMutations {
    /// Saves the viewer's draft scorecard for an interview (creating it, or
    /// replacing its content). Only its author sees a draft; it counts
    /// nowhere until submitted.
    async fn save_scorecard_draft(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardInput,
    ) -> Result<SaveScorecardDraftPayload, ApiError> {
        respond(score(ctx, &input, false).await)
    }

    /// Submits the viewer's scorecard for an interview with this content
    /// (their draft becomes it). A submitted scorecard never changes:
    /// submitting again records a correction as the next revision. The
    /// application's interview score is recomputed and the submission noted
    /// on its timeline (which its candidate does not see).
    async fn submit_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardInput,
    ) -> Result<SubmitScorecardPayload, ApiError> {
        respond(score(ctx, &input, true).await)
    }
}
