//! The master profile: work experiences (with their achievements),
//! educations, certifications, skills and projects — everything a resume is
//! cut from. Each section is a short list in the user's own order.

mod certifications;
mod educations;
mod experiences;
mod loaders;
mod projects;
pub mod section;
mod skills;

pub use certifications::{Certification, CertificationById, CertificationsByUser};
pub use educations::{Education, EducationById, EducationsByUser};
pub use experiences::{AchievementsByExperience, EmploymentType, ExperienceById, ExperiencesByUser, WorkExperience};
pub use loaders::{Loaders, loaders};
pub use projects::{Project, ProjectById, ProjectsByUser};
pub use skills::{Skill, SkillById, SkillLevel, SkillsByUser};

use async_graphql::MergedObject;

/// Every profile mutation.
#[derive(MergedObject, Default)]
pub struct ProfileMutations(
    experiences::ExperienceMutations,
    experiences::ExperienceOrderMutations,
    educations::EducationMutations,
    educations::EducationOrderMutations,
    certifications::CertificationMutations,
    certifications::CertificationOrderMutations,
    skills::SkillMutations,
    skills::SkillOrderMutations,
    projects::ProjectMutations,
    projects::ProjectOrderMutations,
);
