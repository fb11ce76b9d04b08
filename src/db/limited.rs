//! A page query's LIMIT written into its SQL.
//!
//! PostgreSQL plans a kept prepared statement afresh on each execution
//! until a generic plan (one for every value of the parameters) costs no
//! more than the plans made for the values at hand. A bound `LIMIT $n`
//! is planned generically as if it read a tenth of the table, so that
//! comparison never comes out for it: every page of applications was
//! planned each time, 0.4 ms of planning for a 0.05 ms execution on the
//! benchmark's data. With the limit in the SQL the generic plan is the
//! custom one, and PostgreSQL keeps it after its first five executions.
//! The pages' limits are rounded up to a handful of sizes (the pagination
//! convention's `kept_fetch_limit`), so the statement's shapes stay
//! bounded (`db::Cached`).

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;

/// `query LIMIT limit`, the limit written into the SQL; `query` has no
/// LIMIT of its own.
#[derive(Debug, Clone, Copy)]
pub struct Limited<Q> {
    query: Q,
    limit: u8,
}

impl<Q> Limited<Q> {
    /// At most `limit` rows of `query` (one of a few sizes, see the module docs).
    pub fn new(query: Q, limit: u8) -> Self {
        Self { query, limit }
    }
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Limited<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(pass.reborrow())?;
        pass.push_sql(&format!(" LIMIT {}", self.limit));
        Ok(())
    }
}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

/// Keyed by its SQL text, which holds the limit.
impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}
