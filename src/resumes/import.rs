//! `importJsonResume`: fills the master profile from a JSON Resume document.
//!
//! Import adds; it never overwrites or deletes. Entries the profile already
//! has (same company, title and start; same school and degree; same skill,
//! project or certificate name, ignoring case) are skipped, so importing the
//! same document twice changes nothing the second time. The profile's
//! headline, location and links are filled only where they are empty.

use std::collections::HashSet;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::content;
use crate::context::request;
use crate::db::tables::{achievements, certifications, educations, projects, skills, users, work_experiences};
use crate::graphql::link::{Link, MAX_LINKS};
use crate::graphql::scalars::Json;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, Outcome, Payload, UserError, UserErrorCode, respond};
use crate::profile::section::MAX_ITEMS;
use crate::users::{User, UserRow};

/// A JSON Resume document to import.
#[derive(InputObject)]
pub struct ImportJsonResumeInput {
    /// The document (https://jsonresume.org/schema). Work entries need
    /// `name`, `position` and `startDate`; education entries `institution`;
    /// skills, projects and certificates a `name`.
    pub json: Json,
}

/// How many entries an import added to each section, and how many it
/// skipped because the profile already had them.
#[derive(SimpleObject, Default, Debug, Clone, Copy)]
pub struct ImportSummary {
    /// Work experiences added.
    pub experiences: i32,
    /// Educations added.
    pub educations: i32,
    /// Certifications added.
    pub certifications: i32,
    /// Skills added.
    pub skills: i32,
    /// Projects added.
    pub projects: i32,
    /// Entries left out because the profile already had them.
    pub skipped: i32,
}

/// The result of `importJsonResume`.
#[derive(SimpleObject)]
pub struct ImportJsonResumePayload {
    /// The viewer, with the filled profile; null when refused.
    pub user: Option<User>,
    /// What was added; null when refused.
    pub imported: Option<ImportSummary>,
    /// What is wrong with the document, each at its path under `input.json`;
    /// nothing is imported when there are any.
    pub user_errors: Vec<UserError>,
}

impl Payload for ImportJsonResumePayload {
    type Saved = (UserRow, ImportSummary);

    fn saved((row, summary): (UserRow, ImportSummary)) -> Self {
        Self { user: Some(User::own(row)), imported: Some(summary), user_errors: Vec::new() }
    }

    fn refused(user_errors: Vec<UserError>) -> Self {
        Self { user: None, imported: None, user_errors }
    }
}

#[derive(Insertable)]
#[diesel(table_name = work_experiences)]
struct NewExperience {
    id: Uuid,
    user_id: Uuid,
    company_name: String,
    title: String,
    location: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    description: Option<String>,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = achievements)]
struct NewAchievement {
    id: Uuid,
    work_experience_id: Uuid,
    description: String,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = educations)]
struct NewEducation {
    id: Uuid,
    user_id: Uuid,
    institution: String,
    degree: Option<String>,
    field_of_study: Option<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    grade: Option<String>,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = certifications)]
struct NewCertification {
    id: Uuid,
    user_id: Uuid,
    name: String,
    issuer: Option<String>,
    issued_on: Option<NaiveDate>,
    credential_url: Option<String>,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = skills)]
struct NewSkill {
    id: Uuid,
    user_id: Uuid,
    name: String,
    category: Option<String>,
    level: Option<String>,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = projects)]
struct NewProject {
    id: Uuid,
    user_id: Uuid,
    name: String,
    description: Option<String>,
    url: Option<String>,
    technologies: Vec<String>,
    highlights: Vec<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    position: i32,
}

/// The profile fields the document's `basics` may fill.
#[derive(Default)]
struct Basics {
    headline: Option<String>,
    location: Option<String>,
    links: Vec<Link>,
}

/// The document, read into rows (ids and positions are set when stored).
#[derive(Default)]
struct Parsed {
    basics: Basics,
    experiences: Vec<(NewExperience, Vec<String>)>,
    educations: Vec<NewEducation>,
    certifications: Vec<NewCertification>,
    skills: Vec<NewSkill>,
    projects: Vec<NewProject>,
}

/// Reads one entry's members, recording problems at their paths.
struct Entry<'a> {
    map: &'a Map<String, Value>,
    path: Vec<String>,
}

impl Entry<'_> {
    fn at<'p>(&'p self, field: &'p str) -> Vec<&'p str> {
        let mut path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        path.push(field);
        path
    }

    /// A trimmed text member; blank reads as absent.
    fn text(&self, checks: &mut Checks, field: &str, max_chars: usize, required: bool) -> Option<String> {
        let text = self.map.get(field).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty());
        match text {
            None if required => {
                checks.fail(&self.at(field), UserErrorCode::Blank, format!("{field} is needed to import this entry"));
                None
            }
            Some(text) if text.chars().count() > max_chars => {
                checks.fail(
                    &self.at(field),
                    UserErrorCode::TooLong,
                    format!("{field} is at most {max_chars} characters"),
                );
                None
            }
            text => text.map(str::to_owned),
        }
    }

    /// A date member (already checked to be a JSON Resume date).
    fn date(&self, field: &str) -> Option<NaiveDate> {
        self.map.get(field).and_then(Value::as_str).and_then(content::parse_date)
    }

    /// Checks that the end is not before the start.
    fn dates(&self, checks: &mut Checks, start: &str, end: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let (from, to) = (self.date(start), self.date(end));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            checks.fail(&self.at(end), UserErrorCode::Invalid, format!("{end} cannot be before {start}"));
        }
        (from, to)
    }

    /// A list of texts, each trimmed, blanks dropped.
    fn texts(&self, checks: &mut Checks, field: &str, max_chars: usize) -> Vec<String> {
        let items = self.map.get(field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mut texts = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Some(text) = item.as_str().map(str::trim).filter(|text| !text.is_empty()) else { continue };
            if text.chars().count() > max_chars {
                let position = index.to_string();
                let mut path = self.at(field);
                path.push(&position);
                checks.fail(&path, UserErrorCode::TooLong, format!("at most {max_chars} characters"));
            } else {
                texts.push(text.to_owned());
            }
        }
        texts
    }
}

/// The entries of one section, each with its path.
fn entries<'a>(document: &'a Map<String, Value>, section: &str) -> impl Iterator<Item = Entry<'a>> {
    let section_name = section.to_owned();
    document.get(section).and_then(Value::as_array).into_iter().flatten().enumerate().filter_map(move |(i, v)| {
        v.as_object()
            .map(|map| Entry { map, path: vec!["input".into(), "json".into(), section_name.clone(), i.to_string()] })
    })
}

fn skill_level(text: Option<&str>) -> Option<String> {
    let level = text?.trim().to_uppercase();
    ["BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"].contains(&level.as_str()).then_some(level)
}

/// Reads the document into rows for `user`, or the problems with it.
fn parse(document: &Value, user: Uuid) -> Result<Parsed, Vec<UserError>> {
    let errors = content::check(document, "json");
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(document) = document.as_object() else {
        return Err(vec![UserError::new(
            &["input", "json"],
            UserErrorCode::Invalid,
            "A JSON Resume document is an object",
        )]);
    };
    let mut checks = Checks::default();
    let mut parsed = Parsed::default();
    if let Some(basics) = document.get("basics").and_then(Value::as_object) {
        let entry = Entry { map: basics, path: vec!["input".into(), "json".into(), "basics".into()] };
        parsed.basics.headline = entry.text(&mut checks, "label", 300, false);
        let location = basics.get("location").and_then(Value::as_object);
        parsed.basics.location = location.and_then(|location| {
            let parts: Vec<&str> = ["address", "city", "region", "countryCode"]
                .iter()
                .filter_map(|part| location.get(*part).and_then(Value::as_str).map(str::trim))
                .filter(|part| !part.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(", ").chars().take(200).collect())
        });
        for (index, profile) in basics.get("profiles").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let Some(url) = profile.get("url").and_then(Value::as_str) else { continue };
            let position = index.to_string();
            let path = ["input", "json", "basics", "profiles", &position, "url"];
            if let Some(url) = checks.url(&path, url) {
                let network = profile.get("network").and_then(Value::as_str).map(str::trim).unwrap_or_default();
                let label = if network.is_empty() { "Profile" } else { network };
                parsed.basics.links.push(Link { label: label.chars().take(50).collect(), url });
            }
        }
    }
    for entry in entries(document, "work") {
        let company = entry.text(&mut checks, "name", 200, true);
        let title = entry.text(&mut checks, "position", 200, true);
        let (start, end) = entry.dates(&mut checks, "startDate", "endDate");
        if start.is_none() {
            checks.fail(&entry.at("startDate"), UserErrorCode::Blank, "startDate is needed to import this entry");
        }
        let highlights = entry.texts(&mut checks, "highlights", 2000);
        let location = entry.text(&mut checks, "location", 200, false);
        let description = entry.text(&mut checks, "summary", 10_000, false);
        if let (Some(company_name), Some(title), Some(start_date)) = (company, title, start) {
            let row = NewExperience {
                id: Uuid::now_v7(),
                user_id: user,
                company_name,
                title,
                location,
                start_date,
                end_date: end,
                description,
                position: 0,
            };
            parsed.experiences.push((row, highlights));
        }
    }
    for entry in entries(document, "education") {
        let institution = entry.text(&mut checks, "institution", 200, true);
        let degree = entry.text(&mut checks, "studyType", 200, false);
        let field_of_study = entry.text(&mut checks, "area", 200, false);
        let grade = entry.text(&mut checks, "score", 100, false);
        let (start_date, end_date) = entry.dates(&mut checks, "startDate", "endDate");
        if let Some(institution) = institution {
            parsed.educations.push(NewEducation {
                id: Uuid::now_v7(),
                user_id: user,
                institution,
                degree,
                field_of_study,
                start_date,
                end_date,
                grade,
                position: 0,
            });
        }
    }
    for entry in entries(document, "certificates") {
        let name = entry.text(&mut checks, "name", 200, true);
        let issuer = entry.text(&mut checks, "issuer", 200, false);
        let credential_url = entry.text(&mut checks, "url", 2048, false);
        if let Some(name) = name {
            let issued_on = entry.date("date");
            let row = NewCertification {
                id: Uuid::now_v7(),
                user_id: user,
                name,
                issuer,
                issued_on,
                credential_url,
                position: 0,
            };
            parsed.certifications.push(row);
        }
    }
    for entry in entries(document, "skills") {
        let name = entry.text(&mut checks, "name", 100, true);
        // JSON Resume keeps a skill's details as keywords; the first is
        // taken as its category, as `createResume` writes it.
        let keywords = entry.map.get("keywords").and_then(Value::as_array);
        let first = keywords.and_then(|keywords| <[Value]>::first(keywords)).and_then(Value::as_str).map(str::trim);
        let category = first.filter(|text| !text.is_empty()).map(|text| text.chars().take(100).collect());
        let level = skill_level(entry.map.get("level").and_then(Value::as_str));
        if let Some(name) = name {
            parsed.skills.push(NewSkill { id: Uuid::now_v7(), user_id: user, name, category, level, position: 0 });
        }
    }
    for entry in entries(document, "projects") {
        let name = entry.text(&mut checks, "name", 200, true);
        let description = entry.text(&mut checks, "description", 10_000, false);
        let url = entry.text(&mut checks, "url", 2048, false);
        let technologies = entry.texts(&mut checks, "keywords", 100);
        let highlights = entry.texts(&mut checks, "highlights", 2000);
        let (start_date, end_date) = entry.dates(&mut checks, "startDate", "endDate");
        if let Some(name) = name {
            parsed.projects.push(NewProject {
                id: Uuid::now_v7(),
                user_id: user,
                name,
                description,
                url,
                technologies,
                highlights,
                start_date,
                end_date,
                position: 0,
            });
        }
    }
    if checks.is_ok() { Ok(parsed) } else { Err(checks.errors) }
}

/// One section's new rows, checked against what the profile has.
struct Section<'a> {
    name: &'a str,
    /// Keys and positions of the profile's live entries.
    existing: Vec<(String, i32)>,
}

impl Section<'_> {
    /// Keeps the rows whose key is new (to the profile and to the document),
    /// numbering them after the section's last position. Returns how many
    /// were dropped; records an error when the section would overflow.
    fn keep_new<T>(
        self,
        rows: &mut Vec<T>,
        key: impl Fn(&T) -> String,
        position: impl Fn(&mut T) -> &mut i32,
        errors: &mut Vec<UserError>,
    ) -> i32 {
        let mut next = self.existing.iter().map(|(_, position)| position + 1).max().unwrap_or(0);
        let had = self.existing.len();
        let mut seen: HashSet<String> = self.existing.into_iter().map(|(key, _)| key).collect();
        let before = rows.len();
        rows.retain_mut(|row| {
            if !seen.insert(key(row)) {
                return false;
            }
            *position(row) = next;
            next += 1;
            true
        });
        let total = had + rows.len();
        if total > usize::try_from(MAX_ITEMS).unwrap_or(usize::MAX) {
            errors.push(UserError::new(
                &["input", "json", self.name],
                UserErrorCode::TooLong,
                format!("A profile keeps at most {MAX_ITEMS} entries in {}; this import would make {total}", self.name),
            ));
        }
        i32::try_from(before - rows.len()).unwrap_or(i32::MAX)
    }
}

fn lower(text: &str) -> String {
    text.to_lowercase()
}

fn experience_key(company: &str, title: &str, start: NaiveDate) -> String {
    format!("{}\u{0}{}\u{0}{start}", lower(company), lower(title))
}

fn education_key(institution: &str, degree: Option<&str>) -> String {
    format!("{}\u{0}{}", lower(institution), lower(degree.unwrap_or_default()))
}

/// Drops what the profile already has and stores the rest, in one
/// transaction; refuses a section that would overflow.
async fn store(conn: &mut AsyncPgConnection, user: Uuid, mut parsed: Parsed) -> Outcome<ImportSummary> {
    // One import at a time per profile: the user row lock serializes them,
    // so the duplicate checks below see every earlier import.
    let row: UserRow = users::table.find(user).select(UserRow::as_select()).for_update().first(conn).await?;
    let mut errors = Vec::new();
    let mut skipped = 0;

    let existing: Vec<(String, String, NaiveDate, i32)> = work_experiences::table
        .filter(work_experiences::user_id.eq(user))
        .filter(work_experiences::deleted_at.is_null())
        .select((
            work_experiences::company_name,
            work_experiences::title,
            work_experiences::start_date,
            work_experiences::position,
        ))
        .load(conn)
        .await?;
    let existing =
        existing.into_iter().map(|(company, title, start, at)| (experience_key(&company, &title, start), at)).collect();
    skipped += Section { name: "work", existing }.keep_new(
        &mut parsed.experiences,
        |(row, _)| experience_key(&row.company_name, &row.title, row.start_date),
        |(row, _)| &mut row.position,
        &mut errors,
    );

    let existing: Vec<(String, Option<String>, i32)> = educations::table
        .filter(educations::user_id.eq(user))
        .filter(educations::deleted_at.is_null())
        .select((educations::institution, educations::degree, educations::position))
        .load(conn)
        .await?;
    let existing =
        existing.into_iter().map(|(school, degree, at)| (education_key(&school, degree.as_deref()), at)).collect();
    skipped += Section { name: "education", existing }.keep_new(
        &mut parsed.educations,
        |row| education_key(&row.institution, row.degree.as_deref()),
        |row| &mut row.position,
        &mut errors,
    );

    let existing: Vec<(String, i32)> = certifications::table
        .filter(certifications::user_id.eq(user))
        .filter(certifications::deleted_at.is_null())
        .select((certifications::name, certifications::position))
        .load(conn)
        .await?;
    let existing = existing.into_iter().map(|(name, at)| (lower(&name), at)).collect();
    skipped += Section { name: "certificates", existing }.keep_new(
        &mut parsed.certifications,
        |row| lower(&row.name),
        |row| &mut row.position,
        &mut errors,
    );

    let existing: Vec<(String, i32)> = skills::table
        .filter(skills::user_id.eq(user))
        .filter(skills::deleted_at.is_null())
        .select((skills::name, skills::position))
        .load(conn)
        .await?;
    let existing = existing.into_iter().map(|(name, at)| (lower(&name), at)).collect();
    skipped += Section { name: "skills", existing }.keep_new(
        &mut parsed.skills,
        |row| lower(&row.name),
        |row| &mut row.position,
        &mut errors,
    );

    let existing: Vec<(String, i32)> = projects::table
        .filter(projects::user_id.eq(user))
        .filter(projects::deleted_at.is_null())
        .select((projects::name, projects::position))
        .load(conn)
        .await?;
    let existing = existing.into_iter().map(|(name, at)| (lower(&name), at)).collect();
    skipped += Section { name: "projects", existing }.keep_new(
        &mut parsed.projects,
        |row| lower(&row.name),
        |row| &mut row.position,
        &mut errors,
    );

    if !errors.is_empty() {
        return Err(errors.into());
    }
    let summary = ImportSummary {
        experiences: count(&parsed.experiences),
        educations: count(&parsed.educations),
        certifications: count(&parsed.certifications),
        skills: count(&parsed.skills),
        projects: count(&parsed.projects),
        skipped,
    };
    let bullets: Vec<NewAchievement> = parsed
        .experiences
        .iter()
        .flat_map(|(role, highlights)| {
            highlights.iter().zip(0..).map(|(text, position)| NewAchievement {
                id: Uuid::now_v7(),
                work_experience_id: role.id,
                description: text.clone(),
                position,
            })
        })
        .collect();
    let roles: Vec<NewExperience> = parsed.experiences.into_iter().map(|(role, _)| role).collect();
    // Empty batches are skipped: an INSERT of no rows is not valid SQL.
    if !roles.is_empty() {
        diesel::insert_into(work_experiences::table).values(&roles).execute(conn).await?;
    }
    if !bullets.is_empty() {
        diesel::insert_into(achievements::table).values(&bullets).execute(conn).await?;
    }
    if !parsed.educations.is_empty() {
        diesel::insert_into(educations::table).values(&parsed.educations).execute(conn).await?;
    }
    if !parsed.certifications.is_empty() {
        diesel::insert_into(certifications::table).values(&parsed.certifications).execute(conn).await?;
    }
    if !parsed.skills.is_empty() {
        diesel::insert_into(skills::table).values(&parsed.skills).execute(conn).await?;
    }
    if !parsed.projects.is_empty() {
        diesel::insert_into(projects::table).values(&parsed.projects).execute(conn).await?;
    }
    let basics = parsed.basics;
    let headline = row.headline.or(basics.headline);
    let location = row.location.or(basics.location);
    let links = if row.links.as_array().is_some_and(|links| !links.is_empty()) || basics.links.is_empty() {
        row.links
    } else {
        serde_json::to_value(basics.links.into_iter().take(MAX_LINKS).collect::<Vec<_>>()).unwrap_or_default()
    };
    diesel::update(users::table.find(user))
        .set((
            users::headline.eq(headline),
            users::location.eq(location),
            users::links.eq(links),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(summary)
}

fn count<T>(rows: &[T]) -> i32 {
    i32::try_from(rows.len()).unwrap_or(i32::MAX)
}

/// Importing a JSON Resume document into the master profile.
#[derive(Default)]
pub struct ImportMutations;

#[Object]
impl ImportMutations {
    /// Fills the viewer's master profile from a JSON Resume document: adds
    /// the work, education, skills, projects and certificates it lacks, and
    /// fills an empty headline, location or links from `basics`. Nothing is
    /// overwritten or deleted; importing the same document again adds
    /// nothing. A document with any problem imports nothing.
    async fn import_json_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ImportJsonResumeInput,
    ) -> Result<ImportJsonResumePayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let parsed = match parse(&input.json.0, me.user_id) {
            Ok(parsed) => parsed,
            Err(errors) => return Ok(Payload::refused(errors)),
        };
        let mut conn = request.db.conn().await?;
        respond(import(&mut conn, me.user_id, parsed).await)
    }
}

/// Stores the document and reads back the viewer with the filled profile.
async fn import(conn: &mut AsyncPgConnection, user: Uuid, parsed: Parsed) -> Outcome<(UserRow, ImportSummary)> {
    let summary = conn.transaction(async |conn| store(conn, user, parsed).await).await?;
    let row: UserRow = users::table.find(user).select(UserRow::as_select()).first(conn).await?;
    Ok((row, summary))
}
