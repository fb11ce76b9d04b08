//! Resume content as a JSON Resume document (https://jsonresume.org/schema):
//! built from the master profile, and checked before a version is saved.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::db::OneOfKeys;
use crate::db::tables::{achievements, certifications, educations, projects, skills, users, work_experiences};
use crate::graphql::link::links_from_json;
use crate::graphql::{UserError, UserErrorCode};

/// The largest content a version may hold, in bytes of JSON.
pub const MAX_CONTENT_BYTES: usize = 200_000;

fn date(value: Option<NaiveDate>) -> Value {
    value.map_or(Value::Null, |date| Value::String(date.format("%Y-%m-%d").to_string()))
}

fn texts(values: &[Option<String>]) -> Vec<&str> {
    values.iter().flatten().map(String::as_str).collect()
}

/// The user's master profile as a JSON Resume document. Six statements,
/// whatever the size of the profile.
pub async fn snapshot(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Value, diesel::result::Error> {
    let (name, email, headline, location, links): (String, String, Option<String>, Option<String>, Value) =
        users::table
            .find(user)
            .select((users::full_name, users::email, users::headline, users::location, users::links))
            .first(conn)
            .await?;
    type Role = (Uuid, String, String, Option<String>, NaiveDate, Option<NaiveDate>, Option<String>);
    let roles: Vec<Role> = work_experiences::table
        .filter(work_experiences::user_id.eq(user))
        .filter(work_experiences::deleted_at.is_null())
        .order((work_experiences::position, work_experiences::id))
        .select((
            work_experiences::id,
            work_experiences::company_name,
            work_experiences::title,
            work_experiences::location,
            work_experiences::start_date,
            work_experiences::end_date,
            work_experiences::description,
        ))
        .load(conn)
        .await?;
    let role_ids: Vec<Uuid> = roles.iter().map(|role| role.0).collect();
    let bullets: Vec<(Uuid, String)> = achievements::table
        .filter(achievements::work_experience_id.one_of(&role_ids))
        .order((achievements::position, achievements::id))
        .select((achievements::work_experience_id, achievements::description))
        .load(conn)
        .await?;
    type School = (String, Option<String>, Option<String>, Option<NaiveDate>, Option<NaiveDate>, Option<String>);
    let schools: Vec<School> = educations::table
        .filter(educations::user_id.eq(user))
        .filter(educations::deleted_at.is_null())
        .order((educations::position, educations::id))
        .select((
            educations::institution,
            educations::field_of_study,
            educations::degree,
            educations::start_date,
            educations::end_date,
            educations::grade,
        ))
        .load(conn)
        .await?;
    let skill_rows: Vec<(String, Option<String>, Option<String>)> = skills::table
        .filter(skills::user_id.eq(user))
        .filter(skills::deleted_at.is_null())
        .order((skills::position, skills::id))
        .select((skills::name, skills::level, skills::category))
        .load(conn)
        .await?;
    type ProjectRow = (
        String,
        Option<String>,
        Option<String>,
        Vec<Option<String>>,
        Vec<Option<String>>,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let project_rows: Vec<ProjectRow> = projects::table
        .filter(projects::user_id.eq(user))
        .filter(projects::deleted_at.is_null())
        .order((projects::position, projects::id))
        .select((
            projects::name,
            projects::description,
            projects::url,
            projects::highlights,
            projects::technologies,
            projects::start_date,
            projects::end_date,
        ))
        .load(conn)
        .await?;
    type Certificate = (String, Option<String>, Option<NaiveDate>, Option<String>);
    let certificates: Vec<Certificate> = certifications::table
        .filter(certifications::user_id.eq(user))
        .filter(certifications::deleted_at.is_null())
        .order((certifications::position, certifications::id))
        .select((
            certifications::name,
            certifications::issuer,
            certifications::issued_on,
            certifications::credential_url,
        ))
        .load(conn)
        .await?;

    let profiles: Vec<Value> =
        links_from_json(&links).into_iter().map(|link| json!({ "network": link.label, "url": link.url })).collect();
    let work: Vec<Value> = roles
        .iter()
        .map(|(id, company, title, location, start, end, summary)| {
            let highlights: Vec<&str> =
                bullets.iter().filter(|(role, _)| role == id).map(|(_, text)| text.as_str()).collect();
            json!({ "name": company, "position": title, "location": location, "startDate": date(Some(*start)),
                    "endDate": date(*end), "summary": summary, "highlights": highlights })
        })
        .collect();
    let education: Vec<Value> = schools
        .iter()
        .map(|(institution, area, degree, start, end, grade)| {
            json!({ "institution": institution, "area": area, "studyType": degree, "startDate": date(*start),
                    "endDate": date(*end), "score": grade })
        })
        .collect();
    let skills: Vec<Value> = skill_rows
        .iter()
        .map(|(name, level, category)| json!({ "name": name, "level": level, "keywords": category.iter().collect::<Vec<_>>() }))
        .collect();
    let projects: Vec<Value> = project_rows
        .iter()
        .map(|(name, description, url, highlights, technologies, start, end)| {
            json!({ "name": name, "description": description, "url": url, "highlights": texts(highlights),
                    "keywords": texts(technologies), "startDate": date(*start), "endDate": date(*end) })
        })
        .collect();
    let certificates: Vec<Value> = certificates
        .iter()
        .map(|(name, issuer, issued, url)| json!({ "name": name, "issuer": issuer, "date": date(*issued), "url": url }))
        .collect();
    Ok(strip_nulls(json!({
        "basics": { "name": name, "label": headline, "email": email, "location": { "address": location }, "profiles": profiles },
        "work": work,
        "education": education,
        "skills": skills,
        "projects": projects,
        "certificates": certificates,
    })))
}

/// Drops null members, as JSON Resume leaves absent fields out.
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Sections that hold lists of entries, and the fields of their entries
/// that must be text, dates, or lists of text.
const SECTIONS: [&str; 11] = [
    "work",
    "volunteer",
    "education",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "projects",
];
const DATE_FIELDS: [&str; 4] = ["startDate", "endDate", "date", "releaseDate"];
const LIST_FIELDS: [&str; 4] = ["highlights", "keywords", "courses", "roles"];
const TEXT_FIELDS: [&str; 17] = [
    "name",
    "position",
    "url",
    "summary",
    "institution",
    "area",
    "studyType",
    "score",
    "title",
    "awarder",
    "issuer",
    "publisher",
    "level",
    "language",
    "fluency",
    "reference",
    "description",
];

/// Checks `content` against the JSON Resume shape; each problem is a user
/// error whose field is the path to it under `input.<field>`.
pub fn check(content: &Value, field: &str) -> Vec<UserError> {
    let mut errors = Vec::new();
    let mut fail = |path: &[&str], message: &str| {
        let mut field = vec!["input", field];
        field.extend_from_slice(path);
        errors.push(UserError::new(&field, UserErrorCode::Invalid, message));
    };
    let Some(document) = content.as_object() else {
        fail(&[], "A resume is a JSON object (a JSON Resume document)");
        return errors;
    };
    if serde_json::to_vec(content).map_or(0, |bytes| bytes.len()) > MAX_CONTENT_BYTES {
        fail(&[], "A resume is at most 200,000 bytes of JSON");
        return errors;
    }
    if let Some(basics) = document.get("basics")
        && !basics.is_object()
    {
        fail(&["basics"], "basics is an object");
    }
    for section in SECTIONS {
        let Some(value) = document.get(section) else { continue };
        let Some(entries) = value.as_array() else {
            fail(&[section], "must be a list");
            continue;
        };
        for (index, entry) in entries.iter().enumerate() {
            let position = index.to_string();
            let Some(entry) = entry.as_object() else {
                fail(&[section, &position], "must be an object");
                continue;
            };
            check_entry(entry, &mut |field, message| fail(&[section, &position, field], message));
        }
    }
    errors
}

fn check_entry(entry: &Map<String, Value>, fail: &mut dyn FnMut(&str, &str)) {
    for (field, value) in entry {
        let field = field.as_str();
        if value.is_null() {
            continue;
        }
        if DATE_FIELDS.contains(&field) && !value.as_str().is_some_and(is_iso_date) {
            fail(field, "must be a date as YYYY, YYYY-MM or YYYY-MM-DD");
        } else if LIST_FIELDS.contains(&field)
            && !value.as_array().is_some_and(|items| items.iter().all(Value::is_string))
        {
            fail(field, "must be a list of text");
        } else if TEXT_FIELDS.contains(&field) && !value.is_string() {
            fail(field, "must be text");
        }
    }
}

/// JSON Resume dates: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn is_iso_date(text: &str) -> bool {
    parse_date(text).is_some()
}

/// A JSON Resume date as a day: a bare year is its first of January, a
/// month its first day.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    match text.len() {
        4 if text.bytes().all(|b| b.is_ascii_digit()) => NaiveDate::from_ymd_opt(text.parse().ok()?, 1, 1),
        7 => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok(),
        10 => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_problems_name_their_paths() {
        let content = json!({ "basics": { "name": "Ada" }, "work": [
            { "name": "Acme", "startDate": "2020-13", "highlights": ["ok", 3] },
            "not an entry"
        ], "skills": {} });
        let fields: Vec<Vec<String>> = check(&content, "content").into_iter().filter_map(|error| error.field).collect();
        assert!(
            fields.contains(&vec!["input".into(), "content".into(), "work".into(), "0".into(), "startDate".into()]),
            "{fields:?}"
        );
        assert!(fields.contains(&vec![
            "input".into(),
            "content".into(),
            "work".into(),
            "0".into(),
            "highlights".into()
        ]));
        assert!(fields.contains(&vec!["input".into(), "content".into(), "work".into(), "1".into()]));
        assert!(fields.contains(&vec!["input".into(), "content".into(), "skills".into()]));
        assert!(check(&json!({ "work": [{ "name": "Acme", "startDate": "2020-05" }] }), "content").is_empty());
        assert_eq!(check(&json!([1, 2]), "json").len(), 1);
    }
}
