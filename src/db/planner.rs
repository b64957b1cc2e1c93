//! What the query planners are given: fresh statistics, and on PostgreSQL the
//! values of the statements whose plan depends on them.

use diesel::connection::SimpleConnection;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

use super::connection::{AnyConnection, Db};
use super::dialect::{self, Statistics};
use crate::error::ApiError;

/// Gives the query planner fresh statistics on the data, so that it picks, say, a
/// section's index over the date index when that section is small. Runs outside any
/// transaction: `VACUUM` cannot run inside one.
pub fn refresh_statistics(conn: &mut AnyConnection, when: Statistics) -> Result<(), ApiError> {
    if let Some(sql) = dialect::of(conn).refresh_statistics(when) {
        conn.batch_execute(&sql)?;
    }
    Ok(())
}

/// A statement or a condition whose best plan depends on its values.
///
/// Diesel prepares each statement once per connection, and after five runs
/// PostgreSQL may switch to a plan made without the values (a generic plan). For
/// a search, a section or a date range, which index to read first depends on how
/// many rows the value matches: a newest-first search went from 4 ms to 30-40 ms
/// from its sixth run on. A statement holding this is not kept on PostgreSQL, so
/// it is planned for its values each time; SQLite plans alike whatever the values
/// and keeps it, since preparing there costs more than most of its reads.
#[derive(Debug, Clone, Copy)]
pub struct PlannedForValues<T>(pub T);

impl<T: Expression> Expression for PlannedForValues<T> {
    type SqlType = T::SqlType;
}

impl<T: QueryFragment<Db>> QueryFragment<Db> for PlannedForValues<T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        if matches!(out.backend(), Db::Postgres(_)) {
            out.unsafe_to_cache_prepared();
        }
        self.0.walk_ast(out.reborrow())
    }
}

impl<T: Query> Query for PlannedForValues<T> {
    type SqlType = T::SqlType;
}

impl<T, Conn> RunQueryDsl<Conn> for PlannedForValues<T> {}

impl<T> QueryId for PlannedForValues<T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<T: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for PlannedForValues<T> where Self: Expression {}

impl<T: SelectableExpression<QS>, QS> SelectableExpression<QS> for PlannedForValues<T> where
    Self: Expression
{
}

impl<T: ValidGrouping<GB>, GB> ValidGrouping<GB> for PlannedForValues<T> {
    type IsAggregate = T::IsAggregate;
}
