//! GraphQL enums are stored in `text` columns under their GraphQL names
//! (the CHECK constraints list the same SCREAMING_CASE values), so one pair
//! of functions maps every enum to and from the database.

use async_graphql::resolver_utils::EnumType;

/// The stored form of `value`: its GraphQL name.
pub fn to_db<T: EnumType>(value: T) -> &'static str {
    T::items().iter().find(|item| item.value == value).map(|item| item.name).unwrap_or_default()
}

/// The enum value stored as `text`, if it is one.
pub fn from_db<T: EnumType>(text: &str) -> Option<T> {
    T::items().iter().find(|item| item.name == text).map(|item| item.value)
}
