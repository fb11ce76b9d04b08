//! The output budget: how many values a response may hold and about how
//! many bytes they take, counted while the operation runs. The static
//! limits (`limits.rs`) bound what a document asks for; this bounds what it
//! produces, which a static measure cannot know (a list of every type of the
//! schema, each with every field, each with its type's fields, …).
//!
//! Every field and list item is counted as it starts to resolve, so once the
//! budget is spent no further resolver runs and memory stops growing. The
//! operation then answers `data: null` with one QUERY_TOO_COMPLEX error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::extensions::ResolveInfo;
use async_graphql::{PathSegment, QueryPathSegment, Response, ServerError, ServerResult, Value};

use super::ErrorCode;

/// The extension key that marks an error as the budget's.
const LIMIT_KEY: &str = "limit";

/// How much one response may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBudget {
    /// Most values (fields and list items) in one response.
    pub max_values: usize,
    /// Most bytes of JSON one response may take, estimated as it is built.
    pub max_bytes: usize,
}

impl Default for OutputBudget {
    fn default() -> Self {
        Self { max_values: 100_000, max_bytes: 10 * 1024 * 1024 }
    }
}

/// Whether `error` reports a spent output budget.
pub fn is_budget_error(error: &ServerError) -> bool {
    error.extensions.as_ref().is_some_and(|extensions| extensions.get(LIMIT_KEY).is_some())
}

impl OutputBudget {
    /// What one request (or one subscription) spends against this budget.
    pub fn spending(&self) -> Spending {
        Spending { budget: *self, spent: Arc::new(Spent::default()) }
    }
}

/// What one response (or one subscription event) has spent so far.
#[derive(Debug, Default)]
struct Spent {
    values: AtomicUsize,
    bytes: AtomicUsize,
    /// Set once either figure passed its bound; every later field fails fast.
    over: AtomicBool,
}

impl Spent {
    fn reset(&self) {
        self.values.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
        self.over.store(false, Ordering::Relaxed);
    }
}

/// One request's spending, counted field by field by the schema's request
/// pipeline: [`Spending::admit`] before a field resolves,
/// [`Spending::record`] after, [`Spending::finish`] on the response.
#[derive(Clone)]
pub struct Spending {
    budget: OutputBudget,
    spent: Arc<Spent>,
}

impl Spending {
    fn exceeded(&self, info: &ResolveInfo<'_>) -> ServerError {
        let mut error = ServerError::new(
            format!(
                "The response would exceed its budget of {} values or {} bytes; select fewer fields or smaller pages",
                self.budget.max_values, self.budget.max_bytes
            ),
            None,
        );
        error.path = path_of(info);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", ErrorCode::QueryTooComplex.as_str());
        extensions.set(LIMIT_KEY, "OUTPUT_BUDGET");
        error
    }
}

/// Where `info` is in the response.
fn path_of(info: &ResolveInfo<'_>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = std::iter::once(info.path_node)
        .chain(info.path_node.parents())
        .map(|node| match node.segment {
            QueryPathSegment::Index(index) => PathSegment::Index(index),
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
        })
        .collect();
    path.reverse();
    path
}

/// About how many bytes of JSON a value resolved by one field or list item
/// adds: the key and the scalar itself. Objects and lists of other types are
/// made of fields and items counted on their own; the JSON scalar is
/// counted whole, since nothing below it is resolved.
fn bytes_of(name: &str, value: &Value, whole: bool) -> usize {
    let own = match value {
        Value::Null => 4,
        Value::Boolean(_) => 5,
        Value::Number(_) => 12,
        Value::String(text) => text.len() + 2,
        Value::Enum(name) => name.len() + 2,
        Value::Binary(bytes) => bytes.len() * 2,
        Value::List(items) if whole => items.iter().map(|item| bytes_of("", item, true)).sum::<usize>() + 2,
        Value::Object(fields) if whole => fields.iter().map(|(key, item)| bytes_of(key, item, true)).sum::<usize>() + 2,
        Value::List(_) | Value::Object(_) => 2,
    };
    own + name.len() + 4
}

/// Whether a field of this GraphQL type is a scalar whose value can nest.
fn is_nesting_scalar(return_type: &str) -> bool {
    return_type.trim_matches(|c| matches!(c, '[' | ']' | '!')) == "JSON"
}

impl Spending {
    /// Refuses the field about to resolve once the budget is spent.
    pub fn admit(&self, info: &ResolveInfo<'_>) -> ServerResult<()> {
        if self.spent.over.load(Ordering::Relaxed) {
            return Err(self.exceeded(info));
        }
        if self.spent.values.fetch_add(1, Ordering::Relaxed) >= self.budget.max_values {
            self.spent.over.store(true, Ordering::Relaxed);
            return Err(self.exceeded(info));
        }
        Ok(())
    }

    /// Counts what a field (named `name` in the response, of GraphQL type
    /// `return_type`) resolved to.
    pub fn record(&self, name: &str, return_type: &str, resolved: Option<&Value>) {
        if let Some(value) = resolved {
            let bytes = bytes_of(name, value, is_nesting_scalar(return_type));
            if self.spent.bytes.fetch_add(bytes, Ordering::Relaxed).saturating_add(bytes) > self.budget.max_bytes {
                self.spent.over.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The response, without its data if the budget was spent.
    pub fn finish(&self, response: Response) -> Response {
        finish(&self.spent, response)
    }

    /// The same for one event of a subscription, each of which has a
    /// budget of its own.
    pub fn finish_event(&self, response: Response) -> Response {
        let response = finish(&self.spent, response);
        self.spent.reset();
        response
    }
}

/// A response whose budget was spent keeps no data: what it had is partial
/// in ways a client cannot tell apart from real nulls.
fn finish(spent: &Spent, mut response: Response) -> Response {
    if spent.over.load(Ordering::Relaxed) {
        response.data = Value::Null;
    }
    response
}

/// Keeps the first budget error of `errors` and drops the rest: the fields
/// that failed after it are not news.
pub fn keep_first_budget_error(errors: &mut Vec<ServerError>) {
    let mut reported = false;
    errors.retain(|error| !is_budget_error(error) || !std::mem::replace(&mut reported, true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_count_keys_and_scalars_and_nest_only_for_json() {
        assert_eq!(bytes_of("name", &Value::from("Ada"), false), 5 + 4 + 4);
        let object = Value::from_json(serde_json::json!({ "a": "xy", "b": [1, 2] })).unwrap();
        assert_eq!(bytes_of("f", &object, false), 2 + 1 + 4);
        assert_eq!(bytes_of("f", &object, true), (4 + 1 + 4) + ((12 + 4) * 2 + 2 + 1 + 4) + 2 + 1 + 4);
        assert!(is_nesting_scalar("[JSON!]!") && !is_nesting_scalar("Job"));
    }
}
