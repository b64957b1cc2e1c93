//! Getting a database ready: the SQLite file (in WAL mode) and the migrations,
//! which several processes starting at once apply in turn.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub(super) type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// A key of Folio's own for PostgreSQL's advisory lock around migrating.
const MIGRATION_LOCK_KEY: i64 = 0x666f_6c69_6f00_0001;

pub(super) fn migrate_postgres(conn: &mut diesel::PgConnection) -> Result<usize, MigrationError> {
    // A session lock: waits while another process migrates, and is released when
    // this connection closes even if the process dies mid-migration.
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    let applied = conn
        .run_pending_migrations(POSTGRES_MIGRATIONS)
        .map(|v| v.len());
    let unlocked =
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

/// How long a SQLite process waits for another one's migrations before giving up.
const SQLITE_MIGRATION_WAIT: Duration = Duration::from_secs(600);

pub(super) fn migrate_sqlite(conn: &mut diesel::SqliteConnection) -> Result<usize, MigrationError> {
    // `BEGIN IMMEDIATE` takes the database's one write lock before looking at which
    // migrations are pending; a migration longer than the busy timeout makes the
    // others retry here rather than fail.
    let started = std::time::Instant::now();
    loop {
        let attempt = conn.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len())
                .map_err(diesel::result::Error::QueryBuilderError)
        });
        match attempt {
            Ok(applied) => return Ok(applied),
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked")
                    && started.elapsed() < SQLITE_MIGRATION_WAIT =>
            {
                log::info!("another process is migrating the database; waiting");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(diesel::result::Error::QueryBuilderError(e)) => return Err(e),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Opens (creating if need be) the SQLite file. Its directory must exist: a typo
/// in `DATABASE_URL` should be an error, not a new directory tree somewhere.
pub(super) fn prepare_sqlite_file(path: &str) -> Result<(), String> {
    let parent = std::path::Path::new(path).parent();
    if let Some(dir) = parent.filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(format!(
                "the directory {} of the SQLite database does not exist: create it, or set DATABASE_URL to a file in an existing directory",
                dir.display()
            ));
        }
    }
    // WAL is a property of the file: set it once, from one connection, before
    // the pool opens several (setting it per connection races). The switch needs
    // the file to itself, and SQLite refuses at once, without waiting, while
    // another process holds a lock it could deadlock with: retry, as migrating does.
    let mut conn = diesel::SqliteConnection::establish(path)
        .map_err(|e| format!("cannot open the SQLite database {path}: {e}"))?;
    let started = std::time::Instant::now();
    loop {
        match conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;") {
            Ok(()) => return Ok(()),
            Err(e)
                if e.to_string().contains("locked")
                    && started.elapsed() < SQLITE_MIGRATION_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(format!("cannot switch {path} to WAL mode: {e}")),
        }
    }
}
