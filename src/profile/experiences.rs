//! Work experiences and their achievements (the bullet points of a role).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::fields::{Code, OptionalDate, OptionalText, RequiredDate, Text, TextList};
use super::loaders;
use super::section::{Scope, profile_section};
use crate::auth::Viewer;
use crate::db::tables::{achievements, work_experiences};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::ApiError;

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

profile_section! {
    /// A role the user held: where, what, when, and what they achieved.
    WorkExperience(work_experience) in work_experiences as "work experiences", dates start_date .. end_date {
        /// The employer's name.
        company_name: Text<200> ["The employer's name (1–200 characters).", "A new employer name."],
        /// The job title.
        title: Text<200> ["The job title (1–200 characters).", "A new title."],
        /// Where the role was based.
        location: OptionalText<200> ["Where it was based (at most 200 characters).", "A new location."],
        /// How the role was employed.
        employment_type: Code<EmploymentType> ["How it was employed.", "A new employment type."],
        /// When the role started.
        start_date: RequiredDate ["When it started.", "A new start date."],
        /// When it ended; null for a current role.
        end_date: OptionalDate
            ["When it ended (not before `startDate`); omit for a current role.", "A new end date; `null` makes the role current."],
        /// Whether the user still holds the role (it has no end date).
        async fn current(&self) -> bool {
            self.0.end_date.is_none()
        }
        /// Free text about the role.
        description: OptionalText<10_000> ["Free text (at most 10,000 characters).", "New free text."],
        /// What the user achieved in the role, in their order.
        async fn achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>, ApiError> {
            let rows = loaders(ctx).achievements.load_one(self.0.id).await?.unwrap_or_default();
            Ok(rows.into_iter().map(Achievement).collect())
        }
        achievements: saved_by replace_achievements, TextList<30, 2000> = default
            ["Achievements in order (at most 30, each at most 2,000 characters).", "Replaces the achievements, in this order."],
    }
    id: "Globally unique, opaque identifier; `node(id:)` fetches it again.", position: "Place in the profile's order of roles, from 0.", created_at: "When the role was added.", updated_at: "When the role last changed.";
    /// Adds a role, with its achievements, to the end of the signed-in
    /// user's experience.
    add_work_experience: "A role to add (at the end).";
    /// Changes one of the signed-in user's roles.
    update_work_experience: "Changes to one role. Omitted fields stay; `null` clears an optional one;\n`achievements` replaces the whole list.", id "The role to change.";
    /// Removes one of the signed-in user's roles.
    /// Puts the signed-in user's roles in a new order.
    delete_work_experience, reorder_work_experiences;
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
            .filter(achievements::work_experience_id.one_of(keys))
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

/// Makes `descriptions` the role's achievements, in order: one DELETE and
/// one multi-row INSERT.
async fn replace_achievements(
    conn: &mut AsyncPgConnection,
    experience: Uuid,
    descriptions: &[Option<String>],
) -> Result<(), diesel::result::Error> {
    diesel::delete(achievements::table.filter(achievements::work_experience_id.eq(experience))).execute(conn).await?;
    if descriptions.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows: Vec<_> = (0..)
        .zip(descriptions.iter().flatten())
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
