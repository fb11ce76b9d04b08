//! A batch's keys bound one by one, so its statement keeps one plan.
//!
//! diesel writes `column.eq_any(keys)` as `column = ANY($1)`, one array
//! bound. PostgreSQL plans a generic plan for that as if the array held
//! ten keys, which a batch of one or two keys plans cheaper on its own, so
//! a kept statement was planned afresh on every execution: the users batch
//! of the benchmark's dashboard (its visibility rule has three subqueries)
//! spent 1.2 ms planning for 0.05 ms of execution, and a lookup by id
//! 0.3 ms. [`OneOf`] writes `column = ANY(ARRAY[$1, $2, …])`, a parameter
//! per key: PostgreSQL then knows how many keys there are, the generic plan
//! is the custom one, and it keeps it after five executions (the same
//! reason as `db::Limited`). The list is padded to a power of two by
//! repeating its last key, so each statement takes at most eleven shapes
//! (`db::Cached`); a list past [`MOST_WRITTEN`] keys is bound as one array.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, Bool, HasSqlType, SqlType};

/// The most keys written as parameters of their own (a DataLoader batch
/// holds at most 1,000); longer lists are bound as one array.
pub const MOST_WRITTEN: usize = 1024;

/// The keys of a batch as an SQL array of `ST` (see the module docs):
/// `ARRAY[$1, $2, …]`.
pub struct KeyList<ST, T> {
    keys: Vec<T>,
    sql_type: std::marker::PhantomData<fn() -> ST>,
}

impl<ST, T: Clone> KeyList<ST, T> {
    /// `keys`, padded to the next power of two by repeating the last one.
    pub fn new(keys: impl IntoIterator<Item = T>) -> Self {
        let mut keys: Vec<T> = keys.into_iter().collect();
        if let Some(last) = keys.last().cloned()
            && keys.len() <= MOST_WRITTEN
        {
            keys.resize(keys.len().next_power_of_two(), last);
        }
        Self { keys, sql_type: std::marker::PhantomData }
    }
}

impl<ST, T> QueryFragment<Pg> for KeyList<ST, T>
where
    ST: SqlType + 'static,
    Pg: HasSqlType<ST> + HasSqlType<Array<ST>>,
    T: ToSql<ST, Pg>,
    Vec<T>: ToSql<Array<ST>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if self.keys.len() > MOST_WRITTEN {
            return pass.push_bind_param::<Array<ST>, Vec<T>>(&self.keys);
        }
        pass.push_sql("ARRAY[");
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                pass.push_sql(", ");
            }
            pass.push_bind_param::<ST, T>(key)?;
        }
        pass.push_sql("]");
        Ok(())
    }
}

/// `column = ANY(ARRAY[$1, …])`, or `FALSE` for no keys; made by
/// [`OneOfKeys::one_of`].
pub struct OneOf<C: Expression, T> {
    column: C,
    keys: KeyList<C::SqlType, T>,
}

/// `.one_of(keys)` on a column, where diesel has `.eq_any(keys)`.
pub trait OneOfKeys: Expression + Sized {
    /// The rows whose column is one of `keys`, in a statement that keeps
    /// its plan (see the module docs).
    fn one_of<T: Clone>(self, keys: impl IntoIterator<Item = T>) -> OneOf<Self, T> {
        OneOf { keys: KeyList::new(keys), column: self }
    }
}

impl<C: Expression> OneOfKeys for C {}

impl<C: Expression, T> Expression for OneOf<C, T> {
    type SqlType = Bool;
}

impl<C, T> QueryFragment<Pg> for OneOf<C, T>
where
    C: Expression + QueryFragment<Pg>,
    KeyList<C::SqlType, T>: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if self.keys.keys.is_empty() {
            pass.push_sql("FALSE");
            return Ok(());
        }
        self.column.walk_ast(pass.reborrow())?;
        pass.push_sql(" = ANY(");
        self.keys.walk_ast(pass.reborrow())?;
        pass.push_sql(")");
        Ok(())
    }
}

/// Keyed by its SQL text, which holds the number of keys (rounded).
impl<C: Expression, T> QueryId for OneOf<C, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: Expression + AppearsOnTable<QS>, T, QS> AppearsOnTable<QS> for OneOf<C, T> {}

impl<C: Expression + SelectableExpression<QS>, T, QS> SelectableExpression<QS> for OneOf<C, T> {}

impl<C: Expression + ValidGrouping<()>, T> ValidGrouping<()> for OneOf<C, T> {
    type IsAggregate = C::IsAggregate;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::Integer;

    fn sql_of(keys: Vec<i32>) -> String {
        let list = KeyList::<Integer, i32>::new(keys);
        diesel::debug_query::<Pg, _>(&list).to_string()
    }

    #[test]
    fn lists_are_padded_to_a_power_of_two_with_the_last_key() {
        assert!(sql_of(vec![7]).starts_with("ARRAY[$1] -- binds: [7]"));
        assert!(sql_of(vec![1, 2, 3]).starts_with("ARRAY[$1, $2, $3, $4] -- binds: [1, 2, 3, 3]"));
        let shapes: std::collections::HashSet<usize> =
            (1..=1000).map(|n| KeyList::<Integer, i32>::new(0..n).keys.len()).collect();
        assert_eq!(shapes.len(), 11);
    }

    #[test]
    fn no_keys_match_no_row() {
        use crate::db::tables::users;
        let none = users::id.one_of(Vec::<uuid::Uuid>::new());
        assert_eq!(diesel::debug_query::<Pg, _>(&none).to_string(), "FALSE -- binds: []");
        let two = users::id.one_of([uuid::Uuid::nil(), uuid::Uuid::max()]);
        assert!(diesel::debug_query::<Pg, _>(&two).to_string().starts_with("\"users\".\"id\" = ANY(ARRAY[$1, $2])"));
    }

    #[test]
    fn long_lists_are_one_array() {
        let sql = sql_of((0..2000).collect());
        assert!(sql.starts_with("$1 -- binds: [[0, 1, 2"), "{}", &sql[..40]);
    }
}
