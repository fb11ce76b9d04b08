//! Labelled links, as profiles and projects keep them (a jsonb array of
//! `{label, url}`).

use async_graphql::{InputObject, SimpleObject};
use serde::{Deserialize, Serialize};

use super::UserErrorCode;
use super::validate::Checks;

/// The most links one profile or project keeps.
pub const MAX_LINKS: usize = 20;

/// A labelled link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject)]
pub struct Link {
    /// What the link is, e.g. "GitHub".
    pub label: String,
    /// Where it points (http or https).
    pub url: String,
}

/// A labelled link to set.
#[derive(Debug, Clone, InputObject)]
pub struct LinkInput {
    /// What the link is, e.g. "GitHub" (1–50 characters).
    pub label: String,
    /// Where it points: an http or https URL (at most 2048 characters).
    pub url: String,
}

/// The links stored in a jsonb column; malformed content reads as none.
pub fn links_from_json(value: &serde_json::Value) -> Vec<Link> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

impl Checks {
    /// Checks `links` for `field`; returns them as the jsonb to store.
    pub fn links(&mut self, field: &str, links: Vec<LinkInput>) -> Option<serde_json::Value> {
        if links.len() > MAX_LINKS {
            self.fail(&["input", field], UserErrorCode::TooLong, format!("At most {MAX_LINKS} links"));
            return None;
        }
        let before = self.errors.len();
        let mut checked = Vec::with_capacity(links.len());
        for (index, link) in links.into_iter().enumerate() {
            let position = index.to_string();
            let label = link.label.trim();
            if label.is_empty() || label.chars().count() > 50 {
                self.fail(
                    &["input", field, &position, "label"],
                    UserErrorCode::Invalid,
                    "A link label is 1 to 50 characters",
                );
            }
            if let Some(url) = self.url(&["input", field, &position, "url"], &link.url) {
                checked.push(Link { label: label.to_owned(), url });
            }
        }
        (self.errors.len() == before).then(|| serde_json::to_value(checked).expect("links serialize"))
    }
}
