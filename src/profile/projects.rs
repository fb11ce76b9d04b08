//! Projects: what was built, with what, and where to see it.

use super::fields::{Links, OptionalDate, OptionalText, Text, TextList, WebUrl};
use super::section::profile_section;
use crate::db::tables::projects;

profile_section! {
    /// A project on the master profile: something the user built.
    Project(project) in projects as "projects", dates start_date .. end_date {
        /// The project's name.
        name: Text<200> ["The project's name (1–200 characters).", "A new name (1–200 characters)."],
        /// What it is and what the user did.
        description: OptionalText<10_000> ["What it is (at most 10,000 characters).", "A new description."],
        /// Where it can be seen.
        url: WebUrl ["Where it can be seen: an http or https URL.", "A new URL."],
        /// What it was built with, e.g. ["Rust", "PostgreSQL"].
        technologies: TextList<50, 100> = default
            ["What it was built with (at most 50, each at most 100 characters).", "Replaces the technologies."],
        /// Notable results, one line each.
        highlights: TextList<50, 500> = default
            ["Notable results (at most 50, each at most 500 characters).", "Replaces the highlights."],
        /// Further links (source, demo, write-up).
        links: Links = default ["Further links (at most 20).", "Replaces the links."],
        /// When work on it started.
        start_date: OptionalDate ["When work started.", "A new start date."],
        /// When it ended; null while ongoing.
        end_date: OptionalDate ["When it ended; not before `startDate`.", "A new end date; not before the start."],
    }
    id: "Globally unique, opaque identifier; `node(id:)` fetches it again.", position: "Place in the profile's order of projects, from 0.", created_at: "When it was added.", updated_at: "When it last changed.";
    /// Adds a project to the end of the signed-in user's list.
    add_project: "A project to add (at the end).";
    /// Changes one of the signed-in user's projects.
    update_project: "Changes to one project. Omitted fields stay; `null` clears an optional\none; a list replaces the stored list.", id "The project to change.";
    /// Removes one of the signed-in user's projects.
    /// Puts the signed-in user's projects in a new order.
    delete_project, reorder_projects;
}
