//! Transactions: writers take turns (SQLite's one write lock, and one advisory lock
//! on PostgreSQL), savepoints, and read snapshots.

use diesel::connection::SimpleConnection;

use super::AnyConnection;
use crate::error::ApiError;

/// A key of Folio's own for PostgreSQL's advisory lock that write transactions take
/// in turn (see `run_tx`).
const WRITE_LOCK_KEY: i64 = 0x666f_6c69_6f00_0002;

/// One transaction around `f`, committed only if it succeeds. SQLite takes the
/// write lock up front (`BEGIN IMMEDIATE`) so that a read-then-write never fails on upgrade.
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

/// A read-only transaction that sees one moment throughout (an export): SQLite's
/// deferred transaction reads one WAL snapshot; PostgreSQL needs REPEATABLE READ.
pub fn read_tx<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    let begin = match conn {
        AnyConnection::Sqlite(_) => "BEGIN DEFERRED",
        AnyConnection::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    begin_and_end(conn, begin, false, f)
}

fn run_tx<T, F>(conn: &mut AnyConnection, commit: bool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    // Plain BEGIN/COMMIT rather than diesel's transaction manager: it is the only
    // way to ask SQLite for IMMEDIATE through the multi-backend connection; the
    // one nesting Folio needs is `savepoint`.
    //
    // Writers take turns on PostgreSQL too, as SQLite's one write lock makes them:
    // the change log's sequence numbers then follow commit order, so a reader that
    // has seen change n has seen every change before it (sync, webhooks and the
    // live stream rely on that), and no two writers can deadlock on each other.
    let begin = match conn {
        AnyConnection::Sqlite(_) => "BEGIN IMMEDIATE".to_owned(),
        AnyConnection::Postgres(_) => {
            format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY});")
        }
    };
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
