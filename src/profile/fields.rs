//! The kinds of field a profile section is made of. A section names each of
//! its fields with one of these (`institution: Text<200>`), and the kind
//! says everything else: the column's Rust type, how the node shows it, what
//! the add and update inputs take, and how an input value is checked.

use std::marker::PhantomData;

use async_graphql::{EnumType, InputType, MaybeUndefined, OutputType};
use chrono::NaiveDate;

use crate::graphql::UserErrorCode;
use crate::graphql::db_enum;
use crate::graphql::link::{Link, LinkInput, links_from_json};
use crate::graphql::scalars::Date;
use crate::graphql::validate::{Checks, change};

/// A kind of profile field.
pub trait Field {
    /// The column's Rust type.
    type Stored: Clone + Send + Sync;
    /// How the node shows the stored value.
    type Shown: OutputType;
    /// What the add input takes.
    type Add: InputType;
    /// What the update input takes (omitted keeps the stored value).
    type Update: InputType;

    fn show(stored: &Self::Stored) -> Self::Shown;
    /// The value to store, or None (with the user error in `checks`).
    fn add(checks: &mut Checks, field: &str, value: Self::Add) -> Option<Self::Stored>;
    /// The value to store instead, or None to keep the stored one (also when
    /// `checks` holds why the value was refused).
    fn change(checks: &mut Checks, field: &str, value: Self::Update) -> Option<Self::Stored>;
}

/// The field's name as the API spells it (`field_of_study` →
/// `fieldOfStudy`), for the paths and messages of user errors.
pub fn input_name(column: &str) -> String {
    let mut name = String::with_capacity(column.len());
    let mut upper = false;
    for c in column.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                name.extend(c.to_uppercase());
                upper = false;
            }
            c => name.push(c),
        }
    }
    name
}

/// A required text of at most `MAX` characters, trimmed; blank is refused.
pub struct Text<const MAX: usize>;

impl<const MAX: usize> Field for Text<MAX> {
    type Stored = String;
    type Shown = String;
    type Add = String;
    type Update = Option<String>;

    fn show(stored: &String) -> String {
        stored.clone()
    }

    fn add(checks: &mut Checks, field: &str, value: String) -> Option<String> {
        checks.text(field, &value, MAX, true)
    }

    fn change(checks: &mut Checks, field: &str, value: Option<String>) -> Option<String> {
        value.and_then(|text| checks.text(field, &text, MAX, true))
    }
}

/// An optional text, checked by `C`: [`OptionalText`] or [`WebUrl`].
pub struct Optional<C>(PhantomData<C>);

/// How an [`Optional`] text is checked.
pub trait TextCheck {
    /// The text to store (`Some(None)` stores null), or None when refused.
    fn check(checks: &mut Checks, field: &str, text: &str) -> Option<Option<String>>;
}

/// At most `MAX` characters, trimmed; blank stores null.
pub struct Plain<const MAX: usize>;

impl<const MAX: usize> TextCheck for Plain<MAX> {
    fn check(checks: &mut Checks, field: &str, text: &str) -> Option<Option<String>> {
        checks.optional_text(field, Some(text), MAX)
    }
}

/// An http or https URL.
pub struct Url;

impl TextCheck for Url {
    fn check(checks: &mut Checks, field: &str, text: &str) -> Option<Option<String>> {
        checks.url(&["input", field], text).map(Some)
    }
}

/// An optional text of at most `MAX` characters; blank stores null.
pub type OptionalText<const MAX: usize> = Optional<Plain<MAX>>;

/// An optional http or https URL.
pub type WebUrl = Optional<Url>;

impl<C: TextCheck> Field for Optional<C> {
    type Stored = Option<String>;
    type Shown = Option<String>;
    type Add = Option<String>;
    type Update = MaybeUndefined<String>;

    fn show(stored: &Option<String>) -> Option<String> {
        stored.clone()
    }

    fn add(checks: &mut Checks, field: &str, value: Option<String>) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(text) => C::check(checks, field, &text),
        }
    }

    fn change(checks: &mut Checks, field: &str, value: MaybeUndefined<String>) -> Option<Option<String>> {
        match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(text) => C::check(checks, field, &text),
        }
    }
}

/// A required date.
pub struct RequiredDate;

impl Field for RequiredDate {
    type Stored = NaiveDate;
    type Shown = Date;
    type Add = Date;
    type Update = Option<Date>;

    fn show(stored: &NaiveDate) -> Date {
        Date(*stored)
    }

    fn add(_: &mut Checks, _: &str, value: Date) -> Option<NaiveDate> {
        Some(value.0)
    }

    fn change(_: &mut Checks, _: &str, value: Option<Date>) -> Option<NaiveDate> {
        value.map(|date| date.0)
    }
}

/// An optional date.
pub struct OptionalDate;

impl Field for OptionalDate {
    type Stored = Option<NaiveDate>;
    type Shown = Option<Date>;
    type Add = Option<Date>;
    type Update = MaybeUndefined<Date>;

    fn show(stored: &Option<NaiveDate>) -> Option<Date> {
        stored.map(Date)
    }

    fn add(_: &mut Checks, _: &str, value: Option<Date>) -> Option<Option<NaiveDate>> {
        Some(value.map(|date| date.0))
    }

    fn change(_: &mut Checks, _: &str, value: MaybeUndefined<Date>) -> Option<Option<NaiveDate>> {
        change(value, |date| date.0)
    }
}

/// An optional value of the GraphQL enum `E`, stored as its database name.
pub struct Code<E>(PhantomData<E>);

impl<E: EnumType + InputType + OutputType + Copy> Field for Code<E> {
    type Stored = Option<String>;
    type Shown = Option<E>;
    type Add = Option<E>;
    type Update = MaybeUndefined<E>;

    fn show(stored: &Option<String>) -> Option<E> {
        stored.as_deref().and_then(db_enum::from_db)
    }

    fn add(_: &mut Checks, _: &str, value: Option<E>) -> Option<Option<String>> {
        Some(value.map(|value| db_enum::to_db(value).to_owned()))
    }

    fn change(_: &mut Checks, _: &str, value: MaybeUndefined<E>) -> Option<Option<String>> {
        change(value, |value| db_enum::to_db(value).to_owned())
    }
}

/// An optional whole number from `MIN` to `MAX`, stored as a `smallint`.
pub struct SmallInt<const MIN: i16, const MAX: i16>;

impl<const MIN: i16, const MAX: i16> SmallInt<MIN, MAX> {
    fn check(checks: &mut Checks, field: &str, value: i32) -> Option<i16> {
        let checked = i16::try_from(value).ok().filter(|value| (MIN..=MAX).contains(value));
        if checked.is_none() {
            checks.fail(&["input", field], UserErrorCode::Invalid, format!("{field} must be between {MIN} and {MAX}"));
        }
        checked
    }
}

impl<const MIN: i16, const MAX: i16> Field for SmallInt<MIN, MAX> {
    type Stored = Option<i16>;
    type Shown = Option<i32>;
    type Add = Option<i32>;
    type Update = MaybeUndefined<i32>;

    fn show(stored: &Option<i16>) -> Option<i32> {
        stored.map(i32::from)
    }

    fn add(checks: &mut Checks, field: &str, value: Option<i32>) -> Option<Option<i16>> {
        match value {
            None => Some(None),
            Some(value) => Self::check(checks, field, value).map(Some),
        }
    }

    fn change(checks: &mut Checks, field: &str, value: MaybeUndefined<i32>) -> Option<Option<i16>> {
        match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(value) => Self::check(checks, field, value).map(Some),
        }
    }
}

/// A list of at most `ITEMS` texts of at most `CHARS` characters each, as a
/// `text[]` column; blank entries are dropped. The add input defaults to the
/// empty list, an update's list replaces the stored one.
pub struct TextList<const ITEMS: usize, const CHARS: usize>;

impl<const ITEMS: usize, const CHARS: usize> Field for TextList<ITEMS, CHARS> {
    type Stored = Vec<Option<String>>;
    type Shown = Vec<String>;
    type Add = Vec<String>;
    type Update = Option<Vec<String>>;

    fn show(stored: &Vec<Option<String>>) -> Vec<String> {
        stored.iter().flatten().cloned().collect()
    }

    fn add(checks: &mut Checks, field: &str, value: Vec<String>) -> Option<Vec<Option<String>>> {
        let kept = checks.text_list(field, &value, ITEMS, CHARS)?;
        Some(kept.into_iter().map(Some).collect())
    }

    fn change(checks: &mut Checks, field: &str, value: Option<Vec<String>>) -> Option<Vec<Option<String>>> {
        value.and_then(|list| Self::add(checks, field, list))
    }
}

/// Labelled links, as a jsonb array. The add input defaults to none, an
/// update's list replaces the stored one.
pub struct Links;

impl Field for Links {
    type Stored = serde_json::Value;
    type Shown = Vec<Link>;
    type Add = Vec<LinkInput>;
    type Update = Option<Vec<LinkInput>>;

    fn show(stored: &serde_json::Value) -> Vec<Link> {
        links_from_json(stored)
    }

    fn add(checks: &mut Checks, field: &str, value: Vec<LinkInput>) -> Option<serde_json::Value> {
        checks.links(field, value)
    }

    fn change(checks: &mut Checks, field: &str, value: Option<Vec<LinkInput>>) -> Option<serde_json::Value> {
        value.and_then(|links| checks.links(field, links))
    }
}

/// A date column that may bound another (`endDate` not before `startDate`).
pub trait Dated: Copy {
    fn date(self) -> Option<NaiveDate>;
}

impl Dated for NaiveDate {
    fn date(self) -> Option<NaiveDate> {
        Some(self)
    }
}

impl Dated for Option<NaiveDate> {
    fn date(self) -> Option<NaiveDate> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_names_are_camel_case() {
        assert_eq!(input_name("field_of_study"), "fieldOfStudy");
        assert_eq!(input_name("name"), "name");
        assert_eq!(input_name("credential_url"), "credentialUrl");
    }

    #[test]
    fn small_ints_outside_their_range_are_refused_by_name() {
        let mut checks = Checks::default();
        assert_eq!(SmallInt::<0, 80>::add(&mut checks, "years", Some(81)), None);
        assert_eq!(SmallInt::<0, 80>::add(&mut checks, "years", Some(80)), Some(Some(80)));
        assert_eq!(SmallInt::<0, 80>::change(&mut checks, "years", MaybeUndefined::Null), Some(None));
        assert_eq!(SmallInt::<0, 80>::change(&mut checks, "years", MaybeUndefined::Undefined), None);
        assert_eq!(checks.errors.len(), 1);
        assert_eq!(checks.errors[0].message, "years must be between 0 and 80");
    }
}
