//! Education: schools, degrees and fields of study.

use super::fields::{OptionalDate, OptionalText, Text};
use super::section::profile_section;
use crate::db::tables::educations;

profile_section! {
    /// A school, degree or course on the master profile.
    Education(education) in educations as "educations", dates start_date .. end_date {
        /// The school or institution.
        institution: Text<200> ["The school or institution (1–200 characters).", "A new institution (1–200 characters)."],
        /// The degree, e.g. "BSc".
        degree: OptionalText<200> ["The degree (at most 200 characters).", "A new degree."],
        /// The field of study, e.g. "Computer Science".
        field_of_study: OptionalText<200> ["The field of study (at most 200 characters).", "A new field of study."],
        /// When it started.
        start_date: OptionalDate ["When it started.", "A new start date."],
        /// When it ended; null while ongoing.
        end_date: OptionalDate ["When it ended; not before `startDate`.", "A new end date; not before the start."],
        /// The grade or honours.
        grade: OptionalText<100> ["The grade or honours (at most 100 characters).", "A new grade."],
        /// Free text about it.
        description: OptionalText<10_000> ["Free text (at most 10,000 characters).", "New free text."],
    }
    id: "Globally unique, opaque identifier; `node(id:)` fetches the entry again.", position: "Place in the profile's order of educations, from 0.", created_at: "When the entry was added.", updated_at: "When the entry last changed.";
    /// Adds an education entry to the end of the signed-in user's list.
    add_education: "An education entry to add (at the end).";
    /// Changes one of the signed-in user's education entries.
    update_education: "Changes to one education entry. Omitted fields stay; `null` clears an\noptional one.", id "The entry to change.";
    /// Removes one of the signed-in user's education entries.
    /// Puts the signed-in user's education entries in a new order.
    delete_education, reorder_educations;
}
