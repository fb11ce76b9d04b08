//! Work experiences and their achievements (the bullet points of a role).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::loaders;
use super::section::{Scope, profile_section, section_item};
use crate::auth::Viewer;
use crate::context::request;
use crate::db::tables::{achievements, work_experiences};
use crate::db::{CacheStatement, Db};
use crate::graphql::scalars::Date;
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, db_enum, ids, respond};

/// The most achievements one role lists.
const MAX_ACHIEVEMENTS: usize = 30;

/// How a role or a job is employed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum EmploymentType {
    /// A permanent full-time position.
    FullTime,
    /// A permanent part-time position.
    PartTime,
    /// A fixed-term contract or freelance engagement.
    Contract,
    /// An internship.
    Internship,
    /// A temporary position.
    Temporary,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = achievements, check_for_backend(diesel::pg::Pg))]
pub struct AchievementRow {
    pub work_experience_id: Uuid,
    pub description: String,
    pub position: i32,
}

section_item! {
    /// A role the user held: where, what, when, and what they achieved.
    WorkExperience(ExperienceRow, NewExperience, ExperienceChanges) in work_experiences {
        id: "Globally unique, opaque identifier; `node(id:)` fetches it again.",
        /// The employer's name.
        company_name: String => text,
        /// The job title.
        title: String => text,
        /// Where the role was based.
        location: Option<String> => optional_text,
        /// How the role was employed.
        employment_type: Option<String> => code(EmploymentType),
        /// When the role started.
        start_date: NaiveDate => date,
        /// When it ended; null for a current role.
        end_date: Option<NaiveDate> => optional_date,
        /// Whether the user still holds the role (it has no end date).
        async fn current(&self) -> bool {
            self.0.end_date.is_none()
        }
        /// Free text about the role.
        description: Option<String> => optional_text,
        /// What the user achieved in the role, in their order.
        async fn achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>, ApiError> {
            let rows = loaders(ctx).achievements.load_one(self.0.id).await?.unwrap_or_default();
            Ok(rows.into_iter().map(Achievement).collect())
        }
    }
    position: "Place in the profile's order of roles, from 0.",
    created_at: "When the role was added.",
    updated_at: "When the role last changed.",
}

/// One achievement of a role.
pub struct Achievement(pub AchievementRow);

/// One bullet point of a role, e.g. "Cut p99 latency by 40%".
#[Object]
impl Achievement {
    /// What was achieved.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Place in the role's order of achievements, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }
}

/// Loads the achievements of many roles at once, only of roles the viewer
/// may read.
pub struct AchievementsByExperience {
    db: Db,
    viewer: Viewer,
}

impl AchievementsByExperience {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for AchievementsByExperience {
    type Value = Vec<AchievementRow>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<AchievementRow>>, ApiError> {
        let mut query = achievements::table
            .inner_join(work_experiences::table)
            .filter(achievements::work_experience_id.eq_any(keys))
            .filter(work_experiences::deleted_at.is_null())
            .into_boxed();
        match Scope::of(&self.viewer) {
            Scope::Nobody => return Ok(HashMap::new()),
            Scope::Owner(me) => query = query.filter(work_experiences::user_id.eq(me)),
            Scope::Everyone => {}
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<AchievementRow> = query
            .order((achievements::position.asc(), achievements::id.asc()))
            .select(AchievementRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        let mut grouped: HashMap<Uuid, Vec<AchievementRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.work_experience_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// A role to add (at the end).
#[derive(InputObject)]
pub struct AddWorkExperienceInput {
    /// The employer's name (1–200 characters).
    pub company_name: String,
    /// The job title (1–200 characters).
    pub title: String,
    /// Where it was based (at most 200 characters).
    pub location: Option<String>,
    /// How it was employed.
    pub employment_type: Option<EmploymentType>,
    /// When it started.
    pub start_date: Date,
    /// When it ended (not before `startDate`); omit for a current role.
    pub end_date: Option<Date>,
    /// Free text (at most 10,000 characters).
    pub description: Option<String>,
    /// Achievements in order (at most 30, each at most 2,000 characters).
    #[graphql(default)]
    pub achievements: Vec<String>,
}

/// Changes to one role. Omitted fields stay; `null` clears an optional one;
/// `achievements` replaces the whole list.
#[derive(InputObject)]
pub struct UpdateWorkExperienceInput {
    /// The role to change.
    pub id: ID,
    /// A new employer name.
    pub company_name: Option<String>,
    /// A new title.
    pub title: Option<String>,
    /// A new location.
    pub location: MaybeUndefined<String>,
    /// A new employment type.
    pub employment_type: MaybeUndefined<EmploymentType>,
    /// A new start date.
    pub start_date: Option<Date>,
    /// A new end date; `null` makes the role current.
    pub end_date: MaybeUndefined<Date>,
    /// New free text.
    pub description: MaybeUndefined<String>,
    /// Replaces the achievements, in this order.
    pub achievements: Option<Vec<String>>,
}

/// Adding and changing roles.
#[derive(Default)]
pub struct ExperienceMutations;

#[Object]
impl ExperienceMutations {
    /// Adds a role, with its achievements, to the end of the signed-in
    /// user's experience.
    async fn add_work_experience(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddWorkExperienceInput,
    ) -> Result<AddWorkExperiencePayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let company = checks.text("companyName", &input.company_name, 200, true);
        let title = checks.text("title", &input.title, 200, true);
        let location = checks.optional_text("location", input.location.as_deref(), 200);
        let description = checks.optional_text("description", input.description.as_deref(), 10_000);
        let achievements = checks.text_list("achievements", &input.achievements, MAX_ACHIEVEMENTS, 2000);
        let (start, end) = (input.start_date.0, input.end_date.map(|d| d.0));
        checks.date_order("endDate", Some(start), end);
        let (Some(company), Some(title), Some(location), Some(description), Some(achievements), true) =
            (company, title, location, description, achievements, checks.is_ok())
        else {
            return Ok(AddWorkExperiencePayload::refused(checks.errors));
        };
        let employment_type = input.employment_type.map(|kind| db_enum::to_db(kind).to_owned());
        let new = NewExperience {
            company_name: company,
            title,
            location,
            employment_type,
            start_date: start,
            end_date: end,
            description,
        };
        let mut conn = request.db.conn().await?;
        let added = async {
            let position = store::next_position(&mut conn, me.user_id).await?;
            let row = conn
                .transaction(async |conn| {
                    let row = store::insert(conn, me.user_id, position, &new).await?;
                    replace_achievements(conn, row.id, &achievements).await?;
                    Ok::<_, diesel::result::Error>(row)
                })
                .await?;
            Ok(row)
        };
        respond(added.await)
    }

    /// Changes one of the signed-in user's roles.
    async fn update_work_experience(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateWorkExperienceInput,
    ) -> Result<UpdateWorkExperiencePayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let id = ids::decode_as(&input.id, WorkExperience::TYPE_NAME)?;
        let mut checks = Checks::default();
        let changes = ExperienceChanges {
            company_name: input.company_name.as_deref().and_then(|text| checks.text("companyName", text, 200, true)),
            title: input.title.as_deref().and_then(|text| checks.text("title", text, 200, true)),
            location: checks.change_text("location", input.location, 200),
            employment_type: change(input.employment_type, |kind| db_enum::to_db(kind).to_owned()),
            start_date: input.start_date.map(|date| date.0),
            end_date: change(input.end_date, |date| date.0),
            description: checks.change_text("description", input.description, 10_000),
        };
        let achievements =
            input.achievements.and_then(|list| checks.text_list("achievements", &list, MAX_ACHIEVEMENTS, 2000));
        let mut conn = request.db.conn().await?;
        let Some(current) = store::owned(&mut conn, me.user_id, id).await? else {
            return Err(ids::not_found(&input.id));
        };
        let start = changes.start_date.unwrap_or(current.start_date);
        checks.date_order("endDate", Some(start), after(changes.end_date, current.end_date));
        if !checks.is_ok() {
            return Ok(UpdateWorkExperiencePayload::refused(checks.errors));
        }
        let row = conn
            .transaction(async |conn| {
                let row = store::update(conn, current.id, &changes).await?;
                if let Some(achievements) = &achievements {
                    replace_achievements(conn, row.id, achievements).await?;
                }
                Ok::<_, diesel::result::Error>(row)
            })
            .await?;
        Ok(UpdateWorkExperiencePayload::saved(row))
    }
}

/// Makes `descriptions` the role's achievements, in order: one DELETE and
/// one multi-row INSERT.
async fn replace_achievements(
    conn: &mut AsyncPgConnection,
    experience: Uuid,
    descriptions: &[String],
) -> Result<(), diesel::result::Error> {
    diesel::delete(achievements::table.filter(achievements::work_experience_id.eq(experience))).execute(conn).await?;
    if descriptions.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows: Vec<_> = (0..)
        .zip(descriptions)
        .map(|(position, description): (i32, &String)| {
            (
                achievements::id.eq(Uuid::now_v7()),
                achievements::work_experience_id.eq(experience),
                achievements::description.eq(description),
                achievements::position.eq(position),
                achievements::created_at.eq(now),
                achievements::updated_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(achievements::table).values(rows).execute(conn).await?;
    Ok(())
}

profile_section! {
    table: work_experiences,
    label: "work experiences",
    row: ExperienceRow,
    node: WorkExperience,
    new: NewExperience,
    changes: ExperienceChanges,
    payloads: (AddWorkExperiencePayload, UpdateWorkExperiencePayload, work_experience),
    by_user: ExperiencesByUser,
    by_id: ExperienceById,
    store: store,
    mutations: ExperienceOrderMutations,
    delete: ("deleteWorkExperience", DeleteWorkExperienceInput, DeleteWorkExperiencePayload, "Removes one of the signed-in user's roles."),
    reorder: ("reorderWorkExperiences", ReorderWorkExperiencesInput, ReorderWorkExperiencesPayload, "workExperiences", "Puts the signed-in user's roles in a new order."),
}
