//! Prepared statements kept for the queries diesel would prepare afresh.
//!
//! diesel caches a prepared statement per connection only for queries it can
//! prove come from a bounded set of SQL texts. A query holding a raw SQL
//! fragment (`sql::<Bool>(…)`, as the visibility rules are written) or built
//! with `sql_query` fails that proof, so every execution parsed, described,
//! planned and closed a fresh named statement: three round trips and a plan
//! where one would do. [`Cached`] vouches for such a query instead. Its SQL
//! text is the cache key (a query diesel can key by its type keeps that
//! key, so vouching for it costs nothing), so correctness never depends on the vouching;
//! what does is that the query's text takes a bounded number of shapes
//! (fixed fragments, values as bind parameters, never a value formatted into
//! the SQL), or the per-connection cache would grow without end.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;

/// A query whose prepared statement is kept on the connection; see the
/// module docs for when that is sound.
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(Q);

/// `.cached()` on a query: keep its prepared statement.
pub trait CacheStatement: Sized {
    /// Keeps this query's prepared statement on the connection. Only for
    /// queries whose SQL takes a bounded number of shapes.
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q: QueryFragment<Pg>> CacheStatement for Q {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

/// The query's own id: a query with a static one stays keyed by its type
/// (no SQL built to look it up); the others are keyed by their SQL text.
impl<Q: QueryId> QueryId for Cached<Q> {
    type QueryId = Cached<Q::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}
