//! The master profile: work experiences (with their achievements),
//! educations, certifications, skills and projects — everything a resume is
//! cut from. Each section is a short list in the user's own order.

pub mod section;
mod skills;

pub use skills::{Skill, SkillById, SkillLevel, SkillMutations, SkillOrderMutations, SkillsByUser};

use async_graphql::MergedObject;

use crate::graphql::{UserError, UserErrorCode};

/// Every profile mutation.
#[derive(MergedObject, Default)]
pub struct ProfileMutations(SkillMutations, SkillOrderMutations);

/// The user error for adding to a full section.
fn section_full(section: &str) -> UserError {
    UserError::new(
        &["input"],
        UserErrorCode::TooLong,
        format!("A profile keeps at most {} {section}", section::MAX_ITEMS),
    )
}
