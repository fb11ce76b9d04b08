//! Relay connections with keyset pagination. Every list that can grow is a
//! connection: `first`/`after` walk forward, `last`/`before` walk backward,
//! at most [`MAX_PAGE_SIZE`] items a page, and cursors are opaque encodings
//! of the sort key, so a page costs the same however deep it is (no OFFSET).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, Lookahead};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::errors::ApiError;

/// The largest `first` or `last` a connection accepts.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// The pagination arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A sort key that can be a cursor.
pub trait Cursor: Sized {
    fn encode(&self) -> String;
    fn decode(cursor: &str) -> Option<Self>;
}

/// The most common key: newest or oldest first by creation time, ties
/// broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeKey {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor for TimeKey {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.at.timestamp_micros(), self.id.simple()))
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (micros, id) = text.split_once(':')?;
        Some(Self { at: DateTime::from_timestamp_micros(micros.parse().ok()?)?, id: Uuid::try_parse(id).ok()? })
    }
}

/// Which way a page is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`: in the connection's order.
    Forward,
    /// `last`/`before`: from the end, against the connection's order.
    Backward,
}

/// A validated page request.
#[derive(Debug, Clone)]
pub struct Page<K> {
    pub size: i32,
    pub direction: Direction,
    pub after: Option<K>,
    pub before: Option<K>,
}

impl PageArgs {
    /// Checks the arguments: not both `first` and `last`, sizes 0–100,
    /// cursors this connection issued.
    pub fn page<K: Cursor>(&self) -> Result<Page<K>, ApiError> {
        let (size, direction) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_user_input("Pass `first` or `last`, not both"));
            }
            (Some(first), None) => (check_size("first", first)?, Direction::Forward),
            (None, Some(last)) => (check_size("last", last)?, Direction::Backward),
            (None, None) => (DEFAULT_PAGE_SIZE, Direction::Forward),
        };
        Ok(Page { size, direction, after: decode("after", &self.after)?, before: decode("before", &self.before)? })
    }
}

fn check_size(name: &str, size: i32) -> Result<i32, ApiError> {
    if (0..=MAX_PAGE_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(ApiError::bad_user_input(format!("`{name}` must be between 0 and {MAX_PAGE_SIZE}; got {size}")))
    }
}

fn decode<K: Cursor>(name: &str, cursor: &Option<String>) -> Result<Option<K>, ApiError> {
    cursor
        .as_deref()
        .map(|text| {
            K::decode(text).ok_or_else(|| ApiError::bad_user_input(format!("`{name}` is not a cursor of this list")))
        })
        .transpose()
}

impl<K> Page<K> {
    /// The same page over another key type, for connections whose cursors
    /// wrap a simpler key (say, with the ordering they belong to).
    pub fn map_keys<J>(self, mut map: impl FnMut(K) -> Result<J, ApiError>) -> Result<Page<J>, ApiError> {
        Ok(Page {
            size: self.size,
            direction: self.direction,
            after: self.after.map(&mut map).transpose()?,
            before: self.before.map(&mut map).transpose()?,
        })
    }

    /// How many rows to fetch: one more than the page, to learn whether
    /// another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.size) + 1
    }

    /// [`fetch_limit`](Self::fetch_limit) rounded up to one of a few page
    /// sizes, for a LIMIT written into a kept statement's SQL
    /// (`db::Limited`): at most twice the rows a page needs (`finish` drops
    /// the rest), and seven shapes of each statement instead of 101.
    pub fn kept_fetch_limit(&self) -> u8 {
        const SIZES: [i32; 7] = [1, 5, 10, 20, 25, 50, MAX_PAGE_SIZE];
        let size = SIZES.iter().copied().find(|&kept| kept >= self.size).unwrap_or(MAX_PAGE_SIZE);
        u8::try_from(size + 1).unwrap_or(u8::MAX)
    }

    /// Turns the fetched rows (read in the page's direction) into the page's
    /// edges, each with its key, in the connection's order, and whether more
    /// pages follow. Cursors are encoded only when a client asks for them
    /// (most read `nodes`; encoding every row's cost 3–4 % of a list page).
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> (Vec<(K, T)>, MorePages) {
        let size = usize::try_from(self.size).unwrap_or(0);
        let has_more = rows.len() > size;
        rows.truncate(size);
        if self.direction == Direction::Backward {
            rows.reverse();
        }
        let edges: Vec<(K, T)> = rows.into_iter().map(|row| (key(&row), row)).collect();
        let (has_previous_page, has_next_page) = match self.direction {
            Direction::Forward => (self.after.is_some(), has_more),
            Direction::Backward => (has_more, self.before.is_some()),
        };
        (edges, MorePages { has_previous_page, has_next_page })
    }
}

/// Whether pages follow a page in each direction; with the page's edges,
/// what its `PageInfo` says.
#[derive(Debug, Clone, Copy)]
pub struct MorePages {
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl MorePages {
    /// The `PageInfo` of a page whose first and last items have these keys.
    pub fn page_info<K: Cursor>(self, first: Option<&K>, last: Option<&K>) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: first.map(Cursor::encode),
            end_cursor: last.map(Cursor::encode),
        }
    }
}

/// `(columns) < (key)` (or `>`), a row comparison that an index on the
/// same columns serves. `columns` is e.g. `users.created_at, users.id`.
pub fn time_key_condition<QS: 'static>(
    columns: &'static str,
    comparison: Comparison,
    key: TimeKey,
) -> Box<dyn diesel::BoxableExpression<QS, Pg, SqlType = Bool>> {
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("({columns}) {} (", comparison.operator()))
            .bind::<Timestamptz, _>(key.at)
            .sql(", ")
            .bind::<SqlUuid, _>(key.id)
            .sql(")"),
    )
}

/// A sort key of a number (a score) with ties broken by id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreKey {
    pub score: f64,
    pub id: Uuid,
}

impl Cursor for ScoreKey {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.score.to_bits(), self.id.simple()))
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (bits, id) = text.split_once(':')?;
        let score = f64::from_bits(bits.parse().ok()?);
        score.is_finite().then_some(Self { score, id: Uuid::try_parse(id).ok()? })
    }
}

/// `(columns) < (key)` (or `>`) over a [`ScoreKey`]; `columns` is e.g.
/// `coalesce(applications.interview_score, 0), applications.id`.
pub fn score_key_condition<QS: 'static>(
    columns: &'static str,
    comparison: Comparison,
    key: ScoreKey,
) -> Box<dyn diesel::BoxableExpression<QS, Pg, SqlType = Bool>> {
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("({columns}) {} (", comparison.operator()))
            .bind::<diesel::sql_types::Double, _>(key.score)
            .sql(", ")
            .bind::<SqlUuid, _>(key.id)
            .sql(")"),
    )
}

/// The order of a connection over a [`TimeKey`] (or any key: newest first
/// is largest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeOrder {
    NewestFirst,
    OldestFirst,
}

impl<K: Copy> Page<K> {
    /// The keyset conditions of this page in `order`, each made by `condition`.
    pub fn conditions_by<C>(&self, order: TimeOrder, condition: impl Fn(Comparison, K) -> C) -> Vec<C> {
        // In the connection's order, `after` means "later in the list".
        let (past_after, before_before) = match order {
            TimeOrder::NewestFirst => (Comparison::Before, Comparison::After),
            TimeOrder::OldestFirst => (Comparison::After, Comparison::Before),
        };
        let mut conditions = Vec::new();
        if let Some(after) = self.after {
            conditions.push(condition(past_after, after));
        }
        if let Some(before) = self.before {
            conditions.push(condition(before_before, before));
        }
        conditions
    }

    /// Whether rows are read largest (newest) first (then [`Page::finish`]
    /// puts them in the connection's order).
    pub fn reads_newest_first(&self, order: TimeOrder) -> bool {
        (order == TimeOrder::NewestFirst) == (self.direction == Direction::Forward)
    }
}

impl Page<TimeKey> {
    /// The keyset conditions of this page over `columns` (e.g.
    /// `users.created_at, users.id`).
    pub fn conditions<QS: 'static>(
        &self,
        columns: &'static str,
        order: TimeOrder,
    ) -> Vec<Box<dyn diesel::BoxableExpression<QS, Pg, SqlType = Bool>>> {
        self.conditions_by(order, |comparison, key| time_key_condition(columns, comparison, key))
    }
}

/// Which side of a key a row must sort on, in ascending key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Smaller keys.
    Before,
    /// Larger keys.
    After,
}

impl Comparison {
    fn operator(self) -> &'static str {
        match self {
            Self::Before => "<",
            Self::After => ">",
        }
    }
}

/// The selection under the nodes of the connection field being resolved,
/// through `nodes` and through `edges.node` (fragments included), so that a
/// page query can read the to-one relations its nodes will be asked for
/// (`db::Related`) in its own statement.
pub fn node_selection<'a>(ctx: &'a Context<'a>) -> NodeSelection<'a> {
    let field = ctx.look_ahead();
    NodeSelection { nodes: field.field("nodes"), edge_nodes: field.field("edges").field("node") }
}

/// What [`node_selection`] found.
pub struct NodeSelection<'a> {
    nodes: Lookahead<'a>,
    edge_nodes: Lookahead<'a>,
}

impl NodeSelection<'_> {
    /// Whether any node is asked for `field` (by its name, not an alias).
    pub fn has(&self, field: &str) -> bool {
        self.nodes.field(field).exists() || self.edge_nodes.field(field).exists()
    }
}

/// `totalCount`, computed only when a client asks for it.
#[derive(Clone)]
pub struct TotalCount(Arc<CountFn>);

type CountFuture = Pin<Box<dyn Future<Output = Result<i64, ApiError>> + Send>>;
type CountFn = dyn Fn() -> CountFuture + Send + Sync;

impl TotalCount {
    pub fn new<F, Fut>(count: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<i64, ApiError>> + Send + 'static,
    {
        Self(Arc::new(move || Box::pin(count())))
    }

    pub async fn get(&self) -> Result<i64, ApiError> {
        (self.0)().await
    }
}

/// Declares a connection type and its edge type for one node type.
#[macro_export]
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $key:ty, $connection_doc:literal, $edge_doc:literal) => {
        #[doc = $connection_doc]
        pub struct $connection {
            pub edges: Vec<$edge>,
            pub more: $crate::graphql::pagination::MorePages,
            pub total_count: $crate::graphql::pagination::TotalCount,
        }

        impl $connection {
            /// Builds the connection from the edges [`Page::finish`] made.
            pub(crate) fn new(
                edges: Vec<($key, $node)>,
                more: $crate::graphql::pagination::MorePages,
                total_count: $crate::graphql::pagination::TotalCount,
            ) -> Self {
                let edges = edges.into_iter().map(|(key, node)| $edge { key, node }).collect();
                Self { edges, more, total_count }
            }
        }

        #[doc = $connection_doc]
        #[async_graphql::Object]
        impl $connection {
            /// The items of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The items of this page, for clients that need no cursors.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|edge| &edge.node).collect()
            }

            /// Where this page sits: cursors of its ends and whether more
            /// pages follow in each direction.
            async fn page_info(&self) -> async_graphql::connection::PageInfo {
                // `<[_]>::` because diesel's `first` is in scope where this expands.
                let (first, last) = (<[$edge]>::first(&self.edges), <[$edge]>::last(&self.edges));
                self.more.page_info(first.map(|edge| &edge.key), last.map(|edge| &edge.key))
            }

            /// How many items the whole list holds, across all pages.
            async fn total_count(&self) -> Result<i64, $crate::graphql::ApiError> {
                self.total_count.get().await
            }
        }

        #[doc = $edge_doc]
        pub struct $edge {
            /// The item's place in the list, encoded as its cursor on demand.
            key: $key,
            pub node: $node,
        }

        #[doc = $edge_doc]
        #[async_graphql::Object]
        impl $edge {
            /// Pass it as `after` or `before` to page from this item.
            async fn cursor(&self) -> String {
                $crate::graphql::pagination::Cursor::encode(&self.key)
            }

            /// The item.
            async fn node(&self) -> &$node {
                &self.node
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_limits_take_a_few_sizes_and_fetch_one_more_than_the_page() {
        let limit = |size| Page::<TimeKey> { size, direction: Direction::Forward, after: None, before: None };
        let limits: Vec<u8> = [0, 1, 2, 5, 6, 10, 11, 20, 21, 25, 26, 50, 51, 99, 100]
            .into_iter()
            .map(|size| limit(size).kept_fetch_limit())
            .collect();
        assert_eq!(limits, [2, 2, 6, 6, 11, 11, 21, 21, 26, 26, 51, 51, 101, 101, 101]);
        let shapes: std::collections::HashSet<u8> =
            (0..=MAX_PAGE_SIZE).map(|size| limit(size).kept_fetch_limit()).collect();
        assert_eq!(shapes.len(), 7);
    }

    #[test]
    fn arguments_are_checked() {
        let args = |first, last| PageArgs { first, last, ..PageArgs::default() };
        assert!(args(Some(1), Some(1)).page::<TimeKey>().is_err());
        assert!(args(Some(101), None).page::<TimeKey>().is_err());
        assert!(args(None, Some(-1)).page::<TimeKey>().is_err());
        assert_eq!(args(None, None).page::<TimeKey>().unwrap().size, DEFAULT_PAGE_SIZE);
        let bad_cursor = PageArgs { after: Some("nope".into()), ..PageArgs::default() };
        assert!(bad_cursor.page::<TimeKey>().is_err());
    }

    #[test]
    fn cursors_round_trip() {
        let key = TimeKey { at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(), id: Uuid::now_v7() };
        assert_eq!(TimeKey::decode(&key.encode()), Some(key));
    }
}
