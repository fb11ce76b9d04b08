//! The master profile: work experiences (with their achievements),
//! educations, certifications, skills and projects — everything a resume is
//! cut from. Each section is a short list in the user's own order.

mod certifications;
mod educations;
mod experiences;
pub mod fields;
mod loaders;
mod projects;
pub mod section;
mod skills;

pub use certifications::Certification;
pub use educations::Education;
pub use experiences::{EmploymentType, WorkExperience};
pub use loaders::{Loaders, loaders};
pub use projects::Project;
pub use skills::{Skill, SkillLevel};

use async_graphql::MergedObject;

/// Every profile mutation.
#[derive(MergedObject, Default)]
pub struct ProfileMutations(
    experiences::Mutations,
    educations::Mutations,
    certifications::Mutations,
    skills::Mutations,
    projects::Mutations,
);
