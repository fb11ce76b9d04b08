//! Working on resume content as JSON: tailoring a document for a job, and
//! listing what changed between two versions.

use serde_json::Value;

/// Whether `text` mentions `skill` as a whole term, ignoring case: "Go"
/// is in "written in Go." but not in "Google", and "C++" is in "C++17".
pub fn mentions(text: &str, skill: &str) -> bool {
    let skill = skill.trim().to_lowercase();
    if skill.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric();
    text.match_indices(&skill).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + skill.len()..].chars().next();
        // A term that ends in a symbol ("C++", "C#") bounds itself.
        let open_start = skill.starts_with(is_word);
        let open_end = skill.ends_with(is_word);
        let joined_before = open_start && before.is_some_and(is_word);
        let joined_after = open_end && after.is_some_and(is_word);
        !joined_before && !joined_after
    })
}

/// How many of `skills` the texts mention between them.
fn relevance<'a>(texts: impl Iterator<Item = &'a str> + Clone, skills: &[&str]) -> usize {
    skills.iter().filter(|skill| texts.clone().any(|text| mentions(text, skill))).count()
}

/// The text members of an entry a reader would scan for skills.
fn entry_texts(entry: &Value) -> Vec<&str> {
    let mut texts = Vec::new();
    for field in ["name", "position", "summary", "description"] {
        if let Some(text) = entry.get(field).and_then(Value::as_str) {
            texts.push(text);
        }
    }
    for list in ["highlights", "keywords"] {
        if let Some(items) = entry.get(list).and_then(Value::as_array) {
            texts.extend(items.iter().filter_map(Value::as_str));
        }
    }
    texts
}

/// Sorts a list of entries, most relevant first, keeping the author's order
/// among equals.
fn sort_by_relevance(entries: &mut [Value], skills: &[&str]) {
    entries.sort_by_cached_key(|entry| std::cmp::Reverse(relevance(entry_texts(entry).into_iter(), skills)));
}

/// `content` ordered and filtered for a job asking for `skills`:
/// - skills the job asks for come first;
/// - work entries that mention more of the job's skills come first, and in
///   each, the highlights that mention them lead;
/// - projects are ordered the same way, and those that mention none of the
///   job's skills are left out, unless none mention any;
/// - everything else is kept as it was.
pub fn tailor(content: &Value, skills: &[&str]) -> Value {
    let mut document = content.clone();
    let Some(sections) = document.as_object_mut() else { return document };
    if let Some(Value::Array(entries)) = sections.get_mut("skills") {
        sort_by_relevance(entries, skills);
    }
    if let Some(Value::Array(entries)) = sections.get_mut("work") {
        for entry in entries.iter_mut() {
            if let Some(Value::Array(highlights)) = entry.get_mut("highlights") {
                highlights.sort_by_cached_key(|highlight| {
                    std::cmp::Reverse(relevance(highlight.as_str().into_iter(), skills))
                });
            }
        }
        sort_by_relevance(entries, skills);
    }
    if let Some(Value::Array(entries)) = sections.get_mut("projects") {
        sort_by_relevance(entries, skills);
        if entries.iter().any(|entry| relevance(entry_texts(entry).into_iter(), skills) > 0) {
            entries.retain(|entry| relevance(entry_texts(entry).into_iter(), skills) > 0);
        }
    }
    document
}

/// What happened at one path between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// The paths (JSON Pointers, RFC 6901) at which `after` differs from
/// `before`: members in key order (as jsonb keeps them), then the members
/// only `after` has, lists in index order. Objects are compared member by member and
/// lists position by position, so reordering a list changes its positions.
pub fn diff(before: &Value, after: &Value) -> Vec<(String, Change)> {
    let mut changes = Vec::new();
    walk(before, after, &mut String::new(), &mut changes);
    changes
}

fn walk(before: &Value, after: &Value, path: &mut String, changes: &mut Vec<(String, Change)>) {
    let at = path.len();
    let mut child = |path: &mut String, key: &str, before: Option<&Value>, after: Option<&Value>| {
        path.push('/');
        path.push_str(&key.replace('~', "~0").replace('/', "~1"));
        match (before, after) {
            (Some(before), Some(after)) => walk(before, after, path, changes),
            (None, Some(_)) => changes.push((path.clone(), Change::Added)),
            (Some(_), None) => changes.push((path.clone(), Change::Removed)),
            (None, None) => {}
        }
        path.truncate(at);
    };
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, value) in old {
                child(path, key, Some(value), new.get(key));
            }
            for (key, value) in new.iter().filter(|(key, _)| !old.contains_key(*key)) {
                child(path, key, None, Some(value));
            }
        }
        (Value::Array(old), Value::Array(new)) => {
            for index in 0..old.len().max(new.len()) {
                child(path, &index.to_string(), old.get(index), new.get(index));
            }
        }
        // The whole document's pointer is the empty string.
        (old, new) if old != new => changes.push((path.clone(), Change::Changed)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mentions_whole_terms_only() {
        assert!(mentions("Wrote services in Go.", "go"));
        assert!(!mentions("Worked at Google", "Go"));
        assert!(mentions("Modern C++17 codebase", "C++"));
        assert!(mentions("PostgreSQL tuning", "postgresql"));
        assert!(!mentions("Rusty tools", "Rust"));
        assert!(!mentions("anything", " "));
    }

    #[test]
    fn tailoring_leads_with_what_the_job_asks_for() {
        let content = json!({
            "skills": [{ "name": "Excel" }, { "name": "Rust" }, { "name": "SQL" }],
            "work": [
                { "name": "A", "highlights": ["Made coffee", "Tuned SQL queries"] },
                { "name": "B", "highlights": ["Shipped Rust and SQL services"] }
            ],
            "projects": [{ "name": "Knitting" }, { "name": "Query planner", "keywords": ["SQL"] }]
        });
        let tailored = tailor(&content, &["rust", "sql"]);
        let names = |section: &str| -> Vec<String> {
            tailored[section].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(names("skills"), ["Rust", "SQL", "Excel"]);
        assert_eq!(names("work"), ["B", "A"]);
        assert_eq!(tailored["work"][1]["highlights"], json!(["Tuned SQL queries", "Made coffee"]));
        assert_eq!(names("projects"), ["Query planner"]);
        // With nothing relevant, projects stay.
        assert_eq!(tailor(&content, &["Haskell"])["projects"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn diff_lists_changed_paths() {
        let before = json!({ "basics": { "name": "Ada", "label": "Engineer" }, "skills": [{ "name": "Rust" }] });
        let after =
            json!({ "basics": { "name": "Ada L", "email": "a@x" }, "skills": [{ "name": "Rust" }, { "name": "a/b" }] });
        assert_eq!(
            diff(&before, &after),
            vec![
                ("/basics/label".to_string(), Change::Removed),
                ("/basics/name".to_string(), Change::Changed),
                ("/basics/email".to_string(), Change::Added),
                ("/skills/1".to_string(), Change::Added),
            ]
        );
        assert!(diff(&before, &before).is_empty());
        assert_eq!(diff(&json!(1), &json!(2)), vec![(String::new(), Change::Changed)]);
    }
}
