//! Skills: name (unique per profile, case-insensitively), category, level, years.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;

use super::section::{profile_section, section_item};
use crate::context::request;
use crate::db::tables::skills;
use crate::graphql::validate::{Checks, change};
use crate::graphql::{ApiError, Payload, UserError, UserErrorCode, db_enum, ids, respond};

section_item! {
    /// A skill on the master profile, e.g. "Rust" (EXPERT, 6 years).
    Skill(SkillRow, NewSkill, SkillChanges) in skills {
        id: "Globally unique, opaque identifier; `node(id:)` fetches the skill again.",
        /// The skill's name; unique on a profile, compared case-insensitively.
        name: String => text,
        /// A grouping such as "Languages" or "Databases".
        category: Option<String> => optional_text,
        /// How well the user knows it.
        level: Option<String> => code(SkillLevel),
        /// Years of experience with it.
        years: Option<i16> => small_int,
    }
    position: "Place in the profile's order of skills, from 0.",
    created_at: "When the skill was added.",
    updated_at: "When the skill last changed.",
}

/// How well someone knows a skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SkillLevel {
    /// Learning it.
    Beginner,
    /// Uses it with some help.
    Intermediate,
    /// Uses it independently in depth.
    Advanced,
    /// Teaches it to others.
    Expert,
}

/// A skill to add to the signed-in user's profile (at the end).
#[derive(InputObject)]
pub struct AddSkillInput {
    /// The skill's name (1–100 characters), unique on the profile.
    pub name: String,
    /// A grouping such as "Languages" (at most 100 characters).
    pub category: Option<String>,
    /// How well the user knows it.
    pub level: Option<SkillLevel>,
    /// Years of experience (0–80).
    pub years: Option<i32>,
}

/// Changes to one skill. Omitted fields stay; `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateSkillInput {
    /// The skill to change.
    pub id: ID,
    /// A new name (1–100 characters), unique on the profile.
    pub name: Option<String>,
    /// A new grouping (at most 100 characters).
    pub category: MaybeUndefined<String>,
    /// A new level.
    pub level: MaybeUndefined<SkillLevel>,
    /// New years of experience (0–80).
    pub years: MaybeUndefined<i32>,
}

/// Adding and changing skills.
#[derive(Default)]
pub struct SkillMutations;

#[Object]
impl SkillMutations {
    /// Adds a skill to the end of the signed-in user's skills. A name the
    /// profile already has (in any case) is refused with TAKEN.
    async fn add_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddSkillInput,
    ) -> Result<AddSkillPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let name = checks.text("name", &input.name, 100, true);
        let category = checks.optional_text("category", input.category.as_deref(), 100);
        let years = check_years(&mut checks, input.years);
        let (Some(name), Some(category), Some(years)) = (name, category, years) else {
            return Ok(AddSkillPayload::refused(checks.errors));
        };
        let level = input.level.map(|level| db_enum::to_db(level).to_owned());
        let new = NewSkill { name, category, level, years };
        let mut conn = request.db.conn().await?;
        let added = async {
            let position = store::next_position(&mut conn, me.user_id).await?;
            match store::insert(&mut conn, me.user_id, position, &new).await {
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    Err(name_taken(&new.name).into())
                }
                inserted => Ok(inserted?),
            }
        };
        respond(added.await)
    }

    /// Changes one of the signed-in user's skills.
    async fn update_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateSkillInput,
    ) -> Result<UpdateSkillPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let id = ids::decode_as(&input.id, Skill::TYPE_NAME)?;
        let mut checks = Checks::default();
        let changes = SkillChanges {
            name: input.name.as_deref().and_then(|name| checks.text("name", name, 100, true)),
            category: checks.change_text("category", input.category, 100),
            level: change(input.level, |level| db_enum::to_db(level).to_owned()),
            years: match input.years {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(years) => check_years(&mut checks, Some(years)),
            },
        };
        if !checks.is_ok() {
            return Ok(UpdateSkillPayload::refused(checks.errors));
        }
        let mut conn = request.db.conn().await?;
        let updated = diesel::update(skills::table)
            .filter(skills::id.eq(id))
            .filter(skills::user_id.eq(me.user_id))
            .filter(skills::deleted_at.is_null())
            .set((&changes, skills::updated_at.eq(Utc::now())))
            .returning(SkillRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional();
        match updated {
            Ok(Some(row)) => Ok(UpdateSkillPayload::saved(row)),
            Ok(None) => Err(ids::not_found(&input.id)),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Ok(UpdateSkillPayload::refused(vec![name_taken(changes.name.as_deref().unwrap_or_default())]))
            }
            Err(err) => Err(err.into()),
        }
    }
}

/// Years between 0 and 80; `Some(None)` when absent.
fn check_years(checks: &mut Checks, years: Option<i32>) -> Option<Option<i16>> {
    match years {
        None => Some(None),
        Some(years) => match i16::try_from(years).ok().filter(|y| (0..=80).contains(y)) {
            Some(years) => Some(Some(years)),
            None => {
                checks.fail(&["input", "years"], UserErrorCode::Invalid, "years must be between 0 and 80");
                None
            }
        },
    }
}

fn name_taken(name: &str) -> UserError {
    UserError::new(&["input", "name"], UserErrorCode::Taken, format!("Your profile already lists the skill \"{name}\""))
}

profile_section! {
    table: skills,
    label: "skills",
    row: SkillRow,
    node: Skill,
    new: NewSkill,
    changes: SkillChanges,
    payloads: (AddSkillPayload, UpdateSkillPayload, skill),
    by_user: SkillsByUser,
    by_id: SkillById,
    store: store,
    mutations: SkillOrderMutations,
    delete: ("deleteSkill", DeleteSkillInput, DeleteSkillPayload, "Removes one of the signed-in user's skills."),
    reorder: ("reorderSkills", ReorderSkillsInput, ReorderSkillsPayload, "skills", "Puts the signed-in user's skills in a new order."),
}
