//! Projects: what was built, with what, and where to see it.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime as ChronoDateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::section::profile_section;
use crate::context::request;
use crate::db::tables::projects;
use crate::graphql::link::{Link, LinkInput, links_from_json};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

/// The most technologies or highlights one project lists.
const MAX_LIST: usize = 50;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects, check_for_backend(diesel::pg::Pg))]
pub struct ProjectRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub technologies: Vec<Option<String>>,
    pub highlights: Vec<Option<String>>,
    pub links: serde_json::Value,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub position: i32,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// A project on a profile.
pub struct Project(pub ProjectRow);

impl Project {
    pub const TYPE_NAME: &'static str = "Project";
}

/// A project on the master profile: something the user built.
#[Object]
impl Project {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The project's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is and what the user did.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Where it can be seen.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// What it was built with, e.g. ["Rust", "PostgreSQL"].
    async fn technologies(&self) -> Vec<&str> {
        self.0.technologies.iter().flatten().map(String::as_str).collect()
    }

    /// Notable results, one line each.
    async fn highlights(&self) -> Vec<&str> {
        self.0.highlights.iter().flatten().map(String::as_str).collect()
    }

    /// Further links (source, demo, write-up).
    async fn links(&self) -> Vec<Link> {
        links_from_json(&self.0.links)
    }

    /// When work on it started.
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }

    /// When it ended; null while ongoing.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }

    /// Place in the profile's order of projects, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
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

#[derive(AsChangeset, Default)]
#[diesel(table_name = projects)]
struct ProjectChanges {
    name: Option<String>,
    description: Option<Option<String>>,
    url: Option<Option<String>>,
    technologies: Option<Vec<Option<String>>>,
    highlights: Option<Vec<Option<String>>>,
    links: Option<serde_json::Value>,
    start_date: Option<Option<NaiveDate>>,
    end_date: Option<Option<NaiveDate>>,
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
        let added = async {
            let position = store::next_position(&mut conn, me.user_id).await?;
            let now = Utc::now();
            let row = diesel::insert_into(projects::table)
                .values((
                    projects::id.eq(Uuid::now_v7()),
                    projects::user_id.eq(me.user_id),
                    projects::name.eq(name),
                    projects::description.eq(description),
                    projects::url.eq(url),
                    projects::technologies.eq(technologies),
                    projects::highlights.eq(highlights),
                    projects::links.eq(links),
                    projects::start_date.eq(start),
                    projects::end_date.eq(end),
                    projects::position.eq(position),
                    projects::created_at.eq(now),
                    projects::updated_at.eq(now),
                ))
                .returning(ProjectRow::as_returning())
                .get_result(&mut conn)
                .await?;
            Ok(row)
        };
        respond(added.await)
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
        let row = diesel::update(projects::table.find(current.id))
            .set((&changes, projects::updated_at.eq(Utc::now())))
            .returning(ProjectRow::as_returning())
            .get_result(&mut conn)
            .await?;
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
    payloads: (AddProjectPayload, UpdateProjectPayload, project),
    by_user: ProjectsByUser,
    by_id: ProjectById,
    store: store,
    mutations: ProjectOrderMutations,
    delete: ("deleteProject", DeleteProjectInput, DeleteProjectPayload, "Removes one of the signed-in user's projects."),
    reorder: ("reorderProjects", ReorderProjectsInput, ReorderProjectsPayload, "projects", "Puts the signed-in user's projects in a new order."),
}
