//! Planner statistics: when each database is asked to refresh them, and how.

use diesel::connection::SimpleConnection;

use super::{dialect, AnyConnection};
use crate::error::ApiError;

/// When planner statistics are refreshed, which decides how thoroughly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistics {
    /// At start-up: SQLite analyses only tables that never were or have grown
    /// tenfold since (PostgreSQL's autovacuum keeps its own statistics).
    Routine,
    /// While an import is growing the tables, whenever they have about doubled.
    DuringBulkWrite,
    /// After bulk changes (an import or a restore): everything.
    AfterBulkWrite,
}

/// Gives the query planner fresh statistics on the data, so that it picks, say, a
/// section's index over the date index when that section is small. Runs outside any
/// transaction: `VACUUM` cannot run inside one.
pub fn refresh_statistics(conn: &mut AnyConnection, when: Statistics) -> Result<(), ApiError> {
    if let Some(sql) = dialect::of(conn).refresh_statistics(when) {
        conn.batch_execute(&sql)?;
    }
    Ok(())
}
