//! GraphQL enums are stored in `text` columns under their GraphQL names
//! (the CHECK constraints list the same SCREAMING_CASE values), so one pair
//! of functions maps every enum to and from the database.

use async_graphql::resolver_utils::EnumType;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::Bool;

/// The stored form of `value`: its GraphQL name.
pub fn to_db<T: EnumType>(value: T) -> &'static str {
    T::items().iter().find(|item| item.value == value).map(|item| item.name).unwrap_or_default()
}

/// The enum value stored as `text`, if it is one.
pub fn from_db<T: EnumType>(text: &str) -> Option<T> {
    T::items().iter().find(|item| item.name == text).map(|item| item.value)
}

/// `column = 'STORED_FORM'`, the value written into the SQL rather than
/// bound. PostgreSQL plans a prepared statement once for every value of
/// its parameters after a few executions, and a bound status was planned
/// as if it matched a single row: the search page's kept plan read and
/// sorted every job instead of walking the date index for one page. The
/// stored forms are a closed set of identifiers, so the statement's SQL
/// still takes a bounded number of shapes (see `db::Cached`).
pub fn is<T: EnumType>(column: &str, value: T) -> SqlLiteral<Bool> {
    sql(&format!("{column} = '{}'", to_db(value)))
}
