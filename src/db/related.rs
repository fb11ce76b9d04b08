//! To-one relations read inside their parent's statement.
//!
//! A list page whose rows each point at one row of another table (a job's
//! company, an application's applicant) would otherwise cost a second
//! statement per relation once the page is known, even with DataLoaders
//! batching it. [`Related`] puts the related row into the parent's select
//! list instead, as a correlated subquery yielding one record:
//! `(SELECT r FROM (<rows>) r)`, where `<rows>` is the related table's own
//! query (its visibility rules included), narrowed to the parent's row. The
//! record decodes into the related row type ([`Fetched`]), so the relation
//! costs no statement of its own. A relation the request does not ask for is
//! written as `NULL` and decodes as nothing.

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Nullable, Record};
use diesel::{Queryable, Selectable};

/// The SQL type of `R`'s columns, as its `Selectable` selects them.
pub type ColumnsOf<R> = <<R as Selectable<Pg>>::SelectExpression as Expression>::SqlType;

/// One related row of type `R` per parent row, read in the parent's
/// statement (see the module docs); select it beside the parent's columns.
pub struct Related<R> {
    rows: Option<Box<dyn QueryFragment<Pg> + Send>>,
    row: PhantomData<fn() -> R>,
}

impl<R> Related<R> {
    /// The relation read by `rows`: a query selecting `R::as_select()` whose
    /// condition ties it to the parent's row (e.g. `users.id =
    /// jobs.posted_by_id`) and that yields at most one row.
    pub fn of(rows: impl QueryFragment<Pg> + Send + 'static) -> Self {
        Self { rows: Some(Box::new(rows)), row: PhantomData }
    }

    /// Not read: written as `NULL`, read as nothing.
    pub fn none() -> Self {
        Self { rows: None, row: PhantomData }
    }

    /// Read when `wanted`, else written as `NULL` (see [`Fetched::into_wanted`]).
    pub fn when(wanted: bool, rows: impl FnOnce() -> Self) -> Self {
        if wanted { rows() } else { Self::none() }
    }
}

impl<R: Selectable<Pg>> Expression for Related<R>
where
    ColumnsOf<R>: 'static,
{
    type SqlType = Nullable<Record<ColumnsOf<R>>>;
}

impl<R> QueryFragment<Pg> for Related<R> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match &self.rows {
            Some(rows) => {
                pass.push_sql("(SELECT related FROM (");
                rows.walk_ast(pass.reborrow())?;
                pass.push_sql(") related)");
            }
            None => pass.push_sql("NULL"),
        }
        Ok(())
    }
}

/// Keyed by its SQL text, like the raw fragments around it (`db::Cached`):
/// its shapes are bounded (each relation read or not).
impl<R> QueryId for Related<R> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<R, QS> SelectableExpression<QS> for Related<R> where Self: Expression {}

impl<R, QS> AppearsOnTable<QS> for Related<R> where Self: Expression {}

impl<R> ValidGrouping<()> for Related<R> {
    type IsAggregate = is_aggregate::Never;
}

/// What a [`Related`] column read: the related row, or none (no such row,
/// not visible to the viewer, or not asked for).
pub struct Fetched<R>(Option<R>);

impl<R> Fetched<R> {
    /// The relation as the parent carries it: `Some(row or none)` when the
    /// statement read it, `None` when it was not asked for and a resolver
    /// must load it.
    pub fn into_wanted(self, wanted: bool) -> Option<Option<R>> {
        wanted.then_some(self.0)
    }
}

impl<R, ST> Queryable<Nullable<Record<ST>>, Pg> for Fetched<R>
where
    R: Queryable<ST, Pg>,
    ST: 'static,
    Option<R::Row>: diesel::deserialize::FromStaticSqlRow<Nullable<Record<ST>>, Pg>,
{
    type Row = Option<R::Row>;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Self(row.map(R::build).transpose()?))
    }
}
