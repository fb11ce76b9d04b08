//! Input checks shared by mutations. Each check records a `UserError` for
//! the field at fault and returns None, so one call can report every problem.

use async_graphql::MaybeUndefined;
use chrono::NaiveDate;

use super::{UserError, UserErrorCode};

/// Collects the user errors of one mutation's input.
#[derive(Debug, Default)]
pub struct Checks {
    pub errors: Vec<UserError>,
}

impl Checks {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn fail(&mut self, path: &[&str], code: UserErrorCode, message: impl Into<String>) {
        self.errors.push(UserError::new(path, code, message));
    }

    /// A trimmed text of at most `max_chars`; blank fails when `required`.
    pub fn text(&mut self, field: &str, value: &str, max_chars: usize, required: bool) -> Option<String> {
        self.text_at(&["input", field], value, max_chars, required)
    }

    /// [`text`](Self::text) for a field anywhere in the input, e.g.
    /// `["input", "questions", "2", "text"]` (messages name its last part).
    pub fn text_at(&mut self, path: &[&str], value: &str, max_chars: usize, required: bool) -> Option<String> {
        let field = path.last().copied().unwrap_or("input");
        let value = value.trim();
        if required && value.is_empty() {
            self.fail(path, UserErrorCode::Blank, format!("{field} cannot be blank"));
            return None;
        }
        if value.chars().count() > max_chars {
            self.fail(path, UserErrorCode::TooLong, format!("{field} is at most {max_chars} characters"));
            return None;
        }
        Some(value.to_owned())
    }

    /// An optional text: blank becomes None.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max_chars: usize) -> Option<Option<String>> {
        self.optional_text_at(&["input", field], value, max_chars)
    }

    /// [`optional_text`](Self::optional_text) for a field anywhere in the input.
    pub fn optional_text_at(&mut self, path: &[&str], value: Option<&str>, max_chars: usize) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(text) => self.text_at(path, text, max_chars, false).map(|text| (!text.is_empty()).then_some(text)),
        }
    }

    /// For an update of a nullable field: undefined leaves it (outer None),
    /// null or blank clears it.
    pub fn change_text(
        &mut self,
        field: &str,
        value: MaybeUndefined<String>,
        max_chars: usize,
    ) -> Option<Option<String>> {
        match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(text) => self.optional_text(field, Some(&text), max_chars),
        }
    }

    /// An http(s) URL of at most 2048 characters.
    pub fn url(&mut self, path: &[&str], value: &str) -> Option<String> {
        let url = value.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.len() > 2048 || url.contains(char::is_whitespace) {
            self.fail(path, UserErrorCode::Invalid, "Enter an http or https URL of at most 2048 characters");
            return None;
        }
        Some(url.to_owned())
    }

    /// An end that is not before the start (either may be open).
    pub fn date_order(&mut self, end_field: &str, start: Option<NaiveDate>, end: Option<NaiveDate>) {
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            self.fail(&["input", end_field], UserErrorCode::Invalid, format!("{end_field} cannot be before the start"));
        }
    }

    /// A list of short texts (tags, technologies, highlights), trimmed, blank
    /// ones dropped.
    pub fn text_list(
        &mut self,
        field: &str,
        values: &[String],
        max_items: usize,
        max_chars: usize,
    ) -> Option<Vec<String>> {
        if values.len() > max_items {
            self.fail(&["input", field], UserErrorCode::TooLong, format!("{field} holds at most {max_items} items"));
            return None;
        }
        let mut kept = Vec::with_capacity(values.len());
        for (index, value) in values.iter().enumerate() {
            let value = value.trim();
            if value.chars().count() > max_chars {
                let position = index.to_string();
                self.fail(
                    &["input", field, &position],
                    UserErrorCode::TooLong,
                    format!("at most {max_chars} characters"),
                );
                return None;
            }
            if !value.is_empty() {
                kept.push(value.to_owned());
            }
        }
        Some(kept)
    }
}

/// An update of a nullable field: undefined leaves it (None), null clears
/// it (`Some(None)`), a value sets it.
pub fn change<T, U>(value: MaybeUndefined<T>, map: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(map(value))),
    }
}

/// A nullable field's value once `change` is applied to `current`.
pub fn after<T: Copy>(change: Option<Option<T>>, current: Option<T>) -> Option<T> {
    change.unwrap_or(current)
}
