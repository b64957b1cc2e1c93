//! Transactions: writers take turns (SQLite's one write lock, and one advisory lock
//! on PostgreSQL), savepoints, and read snapshots.

use diesel::connection::SimpleConnection;

use super::{dialect, AnyConnection};
use crate::error::ApiError;

/// One transaction around `f`, committed only if it succeeds. Writers take turns
/// (see `Dialect::begin_write`).
pub fn write_tx<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    run_tx(conn, true, f)
}

/// Like [`write_tx`] but always rolled back: for dry runs that exercise every check.
pub fn rehearse_tx<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    run_tx(conn, false, f)
}

/// Runs `f` inside a savepoint of the current transaction: if it fails, what it
/// wrote is undone and the transaction goes on.
pub fn savepoint<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    conn.batch_execute("SAVEPOINT item")?;
    let result = f(conn);
    let end = if result.is_ok() {
        "RELEASE SAVEPOINT item"
    } else {
        "ROLLBACK TO SAVEPOINT item; RELEASE SAVEPOINT item"
    };
    conn.batch_execute(end)?;
    result
}

/// A read-only transaction that sees one moment throughout (an export).
pub fn read_tx<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    let begin = dialect::of(conn).begin_snapshot();
    begin_and_end(conn, begin, false, f)
}

fn run_tx<T, F>(conn: &mut AnyConnection, commit: bool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    // Plain BEGIN/COMMIT rather than diesel's transaction manager: it is the only
    // way to ask SQLite for IMMEDIATE through the multi-backend connection; the
    // one nesting Folio needs is `savepoint`.
    let begin = dialect::of(conn).begin_write();
    begin_and_end(conn, &begin, commit, f)
}

fn begin_and_end<T, F>(
    conn: &mut AnyConnection,
    begin: &str,
    commit: bool,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    conn.batch_execute(begin)?;
    let result = f(conn);
    let end = if commit && result.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    if let Err(e) = conn.batch_execute(end) {
        let _ = conn.batch_execute("ROLLBACK");
        return Err(e.into());
    }
    result
}
