//! The `User` type, `viewer`, and editing one's own profile.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use super::UserRow;
use crate::auth::{Role, Viewer};
use crate::companies::Company;
use crate::graphql::pagination::{PageArgs, TimeKey, TotalCount};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ApiError, ErrorCode, UserError, UserErrorCode, ids, loaders, request};
use crate::schema::users;

/// A user row as one viewer sees it.
pub struct User {
    row: UserRow,
    /// Whether private fields (email) are shown: to the user and to admins.
    shows_private: bool,
}

impl User {
    pub const TYPE_NAME: &'static str = "User";

    /// The user as `viewer` sees them.
    pub fn seen_by(row: UserRow, viewer: &Viewer) -> Self {
        let shows_private = viewer.signed_in().is_some_and(|me| me.user_id == row.id || me.is_admin());
        Self { row, shows_private }
    }

    /// The user as they see themself (e.g. in the session they just started).
    pub fn own(row: UserRow) -> Self {
        Self { row, shows_private: true }
    }
}

/// A person with an account: a candidate, a recruiter or an admin. Users see
/// themselves; admins see everyone.
#[Object]
impl User {
    /// Globally unique, opaque identifier; `node(id:)` fetches the user again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.row.id)
    }

    /// The account's email address. Only the user and admins see it; null
    /// for everyone else.
    async fn email(&self) -> Option<&str> {
        self.shows_private.then_some(self.row.email.as_str())
    }

    /// The name the user goes by.
    async fn full_name(&self) -> &str {
        &self.row.full_name
    }

    /// What the user may do.
    async fn role(&self) -> Role {
        self.row.role()
    }

    /// A one-line professional summary, e.g. "Backend engineer, Rust and PostgreSQL".
    async fn headline(&self) -> Option<&str> {
        self.row.headline.as_deref()
    }

    /// Where the user is based.
    async fn location(&self) -> Option<&str> {
        self.row.location.as_deref()
    }

    /// The user's links (portfolio, GitHub, LinkedIn, …), in their order.
    async fn links(&self) -> Vec<Link> {
        serde_json::from_value(self.row.links.clone()).unwrap_or_default()
    }

    /// Whether the user proved they own their email address.
    async fn email_verified(&self) -> bool {
        self.row.email_verified_at.is_some()
    }

    /// When the email address was verified.
    async fn email_verified_at(&self) -> Option<DateTime> {
        self.row.email_verified_at.map(DateTime)
    }

    /// The company a recruiter hires for.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>, ApiError> {
        let Some(id) = self.row.company_id else { return Ok(None) };
        Ok(loaders(ctx).companies.load_one(id).await?.map(Company))
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// When the account's details last changed.
    async fn updated_at(&self) -> DateTime {
        self.row.updated_at.into()
    }
}

/// A labelled link on a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject)]
pub struct Link {
    /// What the link is, e.g. "GitHub".
    pub label: String,
    /// Where it points (http or https).
    pub url: String,
}

/// A labelled link to set on a profile.
#[derive(Debug, Clone, InputObject)]
pub struct LinkInput {
    /// What the link is, e.g. "GitHub" (1–50 characters).
    pub label: String,
    /// Where it points: an http or https URL (at most 2048 characters).
    pub url: String,
}

crate::connection!(
    UserConnection,
    UserEdge,
    User,
    "A page of users, newest account first.",
    "A user in a `UserConnection`, with its cursor."
);

/// Narrows the list of users.
#[derive(Debug, Clone, Default, InputObject)]
pub struct UserFilter {
    /// Only the account with this email address (any case).
    pub email: Option<String>,
    /// Only users with this role.
    pub role: Option<Role>,
}

/// Queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user; null when the request carries no access token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(me) = request(ctx).viewer.signed_in() else { return Ok(None) };
        Ok(loaders(ctx).users.load_one(me.user_id).await?.map(User::own))
    }

    /// Every live account, newest first. Admins only: anyone else gets FORBIDDEN.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilter>,
        #[graphql(desc = "Returns the first n users after `after` (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Returns users after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n users before `before` (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Returns users before this cursor.")] before: Option<String>,
    ) -> Result<UserConnection, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        if !me.is_admin() {
            return Err(ApiError::new(ErrorCode::Forbidden, "Only admins can list users"));
        }
        let page = PageArgs { first, after, last, before }.page::<TimeKey>()?;
        let filter = filter.unwrap_or_default();
        let mut conn = request.db.conn().await?;
        let rows = super::list(&mut conn, &filter, &page).await?;
        let (edges, page_info) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
        let db = request.db.clone();
        let total_count = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move {
                let mut conn = db.conn().await?;
                Ok(super::count(&mut conn, &filter).await?)
            }
        });
        let viewer = request.viewer;
        let edges = edges.into_iter().map(|(cursor, row)| (cursor, User::seen_by(row, &viewer))).collect();
        Ok(UserConnection::new(edges, page_info, total_count))
    }
}

/// Changes to the signed-in user's own profile. Omitted fields stay as they
/// are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateViewerInput {
    /// The name to go by (1–200 characters).
    pub full_name: Option<String>,
    /// A one-line professional summary (at most 300 characters).
    pub headline: MaybeUndefined<String>,
    /// Where the user is based (at most 200 characters).
    pub location: MaybeUndefined<String>,
    /// Replaces all links (at most 20).
    pub links: Option<Vec<LinkInput>>,
}

/// The result of `updateViewer`.
#[derive(SimpleObject)]
pub struct UpdateViewerPayload {
    /// The updated user; null when nothing was saved.
    pub user: Option<User>,
    /// Why nothing was saved, when the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations on the signed-in user's profile.
#[derive(Default)]
pub struct UserMutations;

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct ProfileChanges {
    full_name: Option<String>,
    headline: Option<Option<String>>,
    location: Option<Option<String>>,
    links: Option<serde_json::Value>,
}

#[Object]
impl UserMutations {
    /// Updates the signed-in user's name, headline, location and links.
    async fn update_viewer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateViewerInput,
    ) -> Result<UpdateViewerPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut errors = Vec::new();
        let mut changes = ProfileChanges::default();
        if let Some(name) = input.full_name {
            changes.full_name = check_text(&mut errors, "fullName", &name, 200, true);
        }
        changes.headline = optional_text(&mut errors, "headline", input.headline, 300);
        changes.location = optional_text(&mut errors, "location", input.location, 200);
        if let Some(links) = input.links {
            changes.links = check_links(&mut errors, links);
        }
        if !errors.is_empty() {
            return Ok(UpdateViewerPayload { user: None, user_errors: errors });
        }
        let mut conn = request.db.conn().await?;
        let row = if changes.is_empty() {
            users::table.find(me.user_id).select(UserRow::as_select()).first(&mut conn).await?
        } else {
            diesel::update(users::table.find(me.user_id))
                .set((&changes, users::updated_at.eq(Utc::now())))
                .returning(UserRow::as_returning())
                .get_result(&mut conn)
                .await?
        };
        Ok(UpdateViewerPayload { user: Some(User::own(row)), user_errors: Vec::new() })
    }
}

impl ProfileChanges {
    fn is_empty(&self) -> bool {
        self.full_name.is_none() && self.headline.is_none() && self.location.is_none() && self.links.is_none()
    }
}

/// Trims `value` and checks its length; records a user error and returns
/// None when it is refused.
pub(crate) fn check_text(
    errors: &mut Vec<UserError>,
    field: &str,
    value: &str,
    max_chars: usize,
    required: bool,
) -> Option<String> {
    let value = value.trim();
    if required && value.is_empty() {
        errors.push(UserError::new(&["input", field], UserErrorCode::Blank, format!("{field} cannot be blank")));
        return None;
    }
    if value.chars().count() > max_chars {
        errors.push(UserError::new(
            &["input", field],
            UserErrorCode::TooLong,
            format!("{field} is at most {max_chars} characters"),
        ));
        return None;
    }
    Some(value.to_owned())
}

/// For a nullable field: undefined leaves it, null or blank clears it.
fn optional_text(
    errors: &mut Vec<UserError>,
    field: &str,
    value: MaybeUndefined<String>,
    max_chars: usize,
) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(text) => {
            check_text(errors, field, &text, max_chars, false).map(|text| (!text.is_empty()).then_some(text))
        }
    }
}

const MAX_LINKS: usize = 20;

fn check_links(errors: &mut Vec<UserError>, links: Vec<LinkInput>) -> Option<serde_json::Value> {
    if links.len() > MAX_LINKS {
        errors.push(UserError::new(&["input", "links"], UserErrorCode::TooLong, format!("At most {MAX_LINKS} links")));
        return None;
    }
    let mut checked = Vec::with_capacity(links.len());
    for (index, link) in links.into_iter().enumerate() {
        let position = index.to_string();
        let label = link.label.trim();
        let url = link.url.trim();
        if label.is_empty() || label.chars().count() > 50 {
            errors.push(UserError::new(
                &["input", "links", &position, "label"],
                UserErrorCode::Invalid,
                "A link label is 1 to 50 characters",
            ));
        }
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.len() > 2048 || url.contains(char::is_whitespace) {
            errors.push(UserError::new(
                &["input", "links", &position, "url"],
                UserErrorCode::Invalid,
                "A link is an http or https URL of at most 2048 characters",
            ));
        }
        checked.push(Link { label: label.to_owned(), url: url.to_owned() });
    }
    if errors.iter().any(|error| error.field.as_ref().is_some_and(|f| f.get(1).is_some_and(|s| s == "links"))) {
        return None;
    }
    Some(serde_json::to_value(checked).expect("links serialize"))
}
