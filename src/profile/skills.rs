//! Skills: name (unique per profile, case-insensitively), category, level, years.

use async_graphql::Enum;

use super::fields::{Code, OptionalText, SmallInt, Text};
use super::section::profile_section;
use crate::db::tables::skills;

profile_section! {
    /// A skill on the master profile, e.g. "Rust" (EXPERT, 6 years).
    Skill(skill) in skills as "skills", unique name "Your profile already lists the skill" {
        /// The skill's name; unique on a profile, compared case-insensitively.
        name: Text<100> ["The skill's name (1–100 characters), unique on the profile.", "A new name (1–100 characters), unique on the profile."],
        /// A grouping such as "Languages" or "Databases".
        category: OptionalText<100> ["A grouping such as \"Languages\" (at most 100 characters).", "A new grouping (at most 100 characters)."],
        /// How well the user knows it.
        level: Code<SkillLevel> ["How well the user knows it.", "A new level."],
        /// Years of experience with it.
        years: SmallInt<0, 80> ["Years of experience (0–80).", "New years of experience (0–80)."],
    }
    id: "Globally unique, opaque identifier; `node(id:)` fetches the skill again.", position: "Place in the profile's order of skills, from 0.", created_at: "When the skill was added.", updated_at: "When the skill last changed.";
    /// Adds a skill to the end of the signed-in user's skills. A name the
    /// profile already has (in any case) is refused with TAKEN.
    add_skill: "A skill to add to the signed-in user's profile (at the end).";
    /// Changes one of the signed-in user's skills.
    update_skill: "Changes to one skill. Omitted fields stay; `null` clears an optional one.", id "The skill to change.";
    /// Removes one of the signed-in user's skills.
    /// Puts the signed-in user's skills in a new order.
    delete_skill, reorder_skills;
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
