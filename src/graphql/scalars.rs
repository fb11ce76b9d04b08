//! The custom scalars: `DateTime`, `Date` and `JSON`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate, SecondsFormat, Utc};

/// The years a date or instant may name: RFC 3339's four digits, all of
/// which PostgreSQL stores (chrono would parse far beyond what it can).
const STORABLE_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// A client's text quoted back in an error, cut short: a megabyte of it
/// should not come back in the message.
fn shortened(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// An instant, as an RFC 3339 string with an offset, e.g. `2026-11-22T08:30:00Z`.
/// Output is always UTC with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant, as an RFC 3339 string with an offset, e.g. `2026-11-22T08:30:00Z`.
/// Output is always UTC with millisecond precision.
#[Scalar(name = "DateTime", specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|instant| instant.with_timezone(&Utc))
                .filter(|instant| STORABLE_YEARS.contains(&instant.year()))
                .map(Self)
                .ok_or_else(|| {
                    InputValueError::custom(format!(
                        "\"{}\" is not an RFC 3339 date-time in the years 0001 to 9999",
                        shortened(text)
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(instant: chrono::DateTime<Utc>) -> Self {
        Self(instant)
    }
}

/// A calendar date without a time zone, as `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date without a time zone, as `YYYY-MM-DD` (ISO 8601).
#[Scalar(name = "Date", specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|date| STORABLE_YEARS.contains(&date.year()))
                .map(Self)
                .ok_or_else(|| {
                    InputValueError::custom(format!(
                        "\"{}\" is not a YYYY-MM-DD date in the years 0001 to 9999",
                        shortened(text)
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

/// Any JSON value; resume content is a JSON Resume document
/// (https://jsonresume.org/schema).
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

/// Any JSON value; resume content is a JSON Resume document
/// (https://jsonresume.org/schema).
#[Scalar(name = "JSON", specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259")]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        value.into_json().map(Self).map_err(|err| InputValueError::custom(err.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
