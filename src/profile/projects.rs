//! Projects: what was built, with what, and where to see it.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::section::{profile_section, section_item};
use crate::context::request;
use crate::db::tables::projects;
use crate::graphql::link::LinkInput;
use crate::graphql::scalars::Date;
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

/// The most technologies or highlights one project lists.
const MAX_LIST: usize = 50;

section_item! {
    /// A project on the master profile: something the user built.
    Project(ProjectRow, NewProject, ProjectChanges) in projects {
        id: "Globally unique, opaque identifier; `node(id:)` fetches it again.",
        /// The project's name.
        name: String => text,
        /// What it is and what the user did.
        description: Option<String> => optional_text,
        /// Where it can be seen.
        url: Option<String> => optional_text,
        /// What it was built with, e.g. ["Rust", "PostgreSQL"].
        technologies: Vec<Option<String>> => list,
        /// Notable results, one line each.
        highlights: Vec<Option<String>> => list,
        /// Further links (source, demo, write-up).
        links: Json => links,
        /// When work on it started.
        start_date: Option<NaiveDate> => optional_date,
        /// When it ended; null while ongoing.
        end_date: Option<NaiveDate> => optional_date,
    }
    position: "Place in the profile's order of projects, from 0.",
    created_at: "When it was added.",
    updated_at: "When it last changed.",
}

/// A project to add (at the end).
#[derive(InputObject)]
pub struct AddProjectInput {
    /// The project's name (1–200 characters).
    pub name: String,
    /// What it is (at most 10,000 characters).
    pub description: Option<String>,
    /// Where it can be seen: an http or https URL.
    pub url: Option<String>,
    /// What it was built with (at most 50, each at most 100 characters).
    #[graphql(default)]
    pub technologies: Vec<String>,
    /// Notable results (at most 50, each at most 500 characters).
    #[graphql(default)]
    pub highlights: Vec<String>,
    /// Further links (at most 20).
    #[graphql(default)]
    pub links: Vec<LinkInput>,
    /// When work started.
    pub start_date: Option<Date>,
    /// When it ended; not before `startDate`.
    pub end_date: Option<Date>,
}

/// Changes to one project. Omitted fields stay; `null` clears an optional
/// one; a list replaces the stored list.
#[derive(InputObject)]
pub struct UpdateProjectInput {
    /// The project to change.
    pub id: ID,
    /// A new name (1–200 characters).
    pub name: Option<String>,
    /// A new description.
    pub description: MaybeUndefined<String>,
    /// A new URL.
    pub url: MaybeUndefined<String>,
    /// Replaces the technologies.
    pub technologies: Option<Vec<String>>,
    /// Replaces the highlights.
    pub highlights: Option<Vec<String>>,
    /// Replaces the links.
    pub links: Option<Vec<LinkInput>>,
    /// A new start date.
    pub start_date: MaybeUndefined<Date>,
    /// A new end date; not before the start.
    pub end_date: MaybeUndefined<Date>,
}

/// Adding and changing projects.
#[derive(Default)]
pub struct ProjectMutations;

#[Object]
impl ProjectMutations {
    /// Adds a project to the end of the signed-in user's list.
    async fn add_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddProjectInput,
    ) -> Result<AddProjectPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let name = checks.text("name", &input.name, 200, true);
        let description = checks.optional_text("description", input.description.as_deref(), 10_000);
        let url = input.url.as_deref().and_then(|url| checks.url(&["input", "url"], url));
        let technologies = checks.text_list("technologies", &input.technologies, MAX_LIST, 100).map(stored);
        let highlights = checks.text_list("highlights", &input.highlights, MAX_LIST, 500).map(stored);
        let links = checks.links("links", input.links);
        let (start, end) = (input.start_date.map(|d| d.0), input.end_date.map(|d| d.0));
        checks.date_order("endDate", start, end);
        let (Some(name), Some(description), Some(technologies), Some(highlights), Some(links), true) =
            (name, description, technologies, highlights, links, checks.is_ok())
        else {
            return Ok(AddProjectPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let new =
            NewProject { name, description, url, technologies, highlights, links, start_date: start, end_date: end };
        respond(store::append(&mut conn, me.user_id, &new).await)
    }

    /// Changes one of the signed-in user's projects.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateProjectInput,
    ) -> Result<UpdateProjectPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let id = ids::decode_as(&input.id, Project::TYPE_NAME)?;
        let mut checks = Checks::default();
        let url = change(input.url, |url| checks.url(&["input", "url"], &url)).map(Option::flatten);
        let changes = ProjectChanges {
            name: input.name.as_deref().and_then(|text| checks.text("name", text, 200, true)),
            description: checks.change_text("description", input.description, 10_000),
            url,
            technologies: input
                .technologies
                .and_then(|list| checks.text_list("technologies", &list, MAX_LIST, 100))
                .map(stored),
            highlights: input
                .highlights
                .and_then(|list| checks.text_list("highlights", &list, MAX_LIST, 500))
                .map(stored),
            links: input.links.and_then(|links| checks.links("links", links)),
            start_date: change(input.start_date, |date| date.0),
            end_date: change(input.end_date, |date| date.0),
        };
        let mut conn = request.db.conn().await?;
        let Some(current) = store::owned(&mut conn, me.user_id, id).await? else {
            return Err(ids::not_found(&input.id));
        };
        checks.date_order(
            "endDate",
            after(changes.start_date, current.start_date),
            after(changes.end_date, current.end_date),
        );
        if !checks.is_ok() {
            return Ok(UpdateProjectPayload::refused(checks.errors));
        }
        let row = store::update(&mut conn, current.id, &changes).await?;
        Ok(UpdateProjectPayload::saved(row))
    }
}

/// A text list in the form a `text[]` column takes.
fn stored(list: Vec<String>) -> Vec<Option<String>> {
    list.into_iter().map(Some).collect()
}

profile_section! {
    table: projects,
    label: "projects",
    row: ProjectRow,
    node: Project,
    new: NewProject,
    changes: ProjectChanges,
    payloads: (AddProjectPayload, UpdateProjectPayload, project),
    by_user: ProjectsByUser,
    by_id: ProjectById,
    store: store,
    mutations: ProjectOrderMutations,
    delete: ("deleteProject", DeleteProjectInput, DeleteProjectPayload, "Removes one of the signed-in user's projects."),
    reorder: ("reorderProjects", ReorderProjectsInput, ReorderProjectsPayload, "projects", "Puts the signed-in user's projects in a new order."),
}
