//! SQLite: one file in WAL mode, FTS5 for search, dates stored as ISO text.

use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2;
use diesel::sql_types::{Integer, Text};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::interface::{Dialect, IndexedTerms, MigrationError, Statistics};
use crate::content::search::SearchQuery;
use crate::db::connection::{AnyConnection, SqliteMemory};
use crate::error::ApiResult;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// How long a process waits for another one to finish migrating or switching the
/// file to WAL before giving up.
const WAIT_FOR_OTHER_PROCESS: Duration = Duration::from_secs(600);

pub struct Sqlite;

impl Dialect for Sqlite {
    // `BEGIN IMMEDIATE` takes the write lock up front, so that a read-then-write
    // never fails on upgrading its lock.
    fn begin_write(&self) -> String {
        "BEGIN IMMEDIATE".to_owned()
    }

    // A deferred transaction reads one WAL snapshot throughout.
    fn begin_snapshot(&self) -> &'static str {
        "BEGIN DEFERRED"
    }

    // Statistics are read from whole indexes: with an `analysis_limit` SQLite reads
    // only about that many entries of each and extrapolates, and on a 100,000-article
    // database that made `status = 'published'` look like 1 row in 100, so a
    // search's 100 candidates were fetched by scanning the date index instead of by
    // id (20 ms instead of 1). A full `ANALYZE` of that database takes 0.3 s.
    fn refresh_statistics(&self, when: Statistics) -> Option<String> {
        match when {
            Statistics::AfterBulkWrite => Some("PRAGMA analysis_limit = 0; ANALYZE;".to_owned()),
            // Only tables never analysed or grown tenfold since.
            Statistics::Routine => {
                Some("PRAGMA analysis_limit = 0; PRAGMA optimize = 0x10002;".to_owned())
            }
            // SQLite plans an import's statements well without statistics.
            Statistics::DuringBulkWrite => None,
        }
    }

    // SQLite hands out the largest id plus one: nothing to advance.
    fn continue_ids_after_restore(&self, _conn: &mut AnyConnection) -> ApiResult<()> {
        Ok(())
    }

    fn reuses_ids_of_deleted_rows(&self) -> bool {
        true
    }

    // A unary `+` keeps SQLite from using the column's index to start from.
    fn not_leading(&self, column: &str) -> Option<String> {
        Some(format!("+{column}"))
    }

    fn index(
        &self,
        conn: &mut AnyConnection,
        article_id: i32,
        terms: &IndexedTerms,
    ) -> ApiResult<()> {
        diesel::sql_query(self.unindex_sql())
            .bind::<Integer, _>(article_id)
            .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO article_index (rowid, title, standfirst, body) VALUES (?, ?, ?, ?)",
        )
        .bind::<Integer, _>(article_id)
        .bind::<Text, _>(terms.title.join(" "))
        .bind::<Text, _>(terms.standfirst.join(" "))
        .bind::<Text, _>(terms.body.join(" "))
        .execute(conn)?;
        Ok(())
    }

    // FTS5 tables take no part in foreign keys: the entry is removed by hand.
    fn unindex_sql(&self) -> &'static str {
        "DELETE FROM article_index WHERE rowid = ?"
    }

    fn unindexed_sql(&self) -> &'static str {
        "SELECT id FROM articles WHERE id NOT IN (SELECT rowid FROM article_index)"
    }

    fn clear_index_sql(&self) -> &'static str {
        "DELETE FROM article_index"
    }

    fn index_query(&self, query: &SearchQuery) -> String {
        query.fts5()
    }

    fn matching_sql(&self) -> (&'static str, &'static str) {
        (
            "articles.id IN (SELECT rowid FROM article_index WHERE article_index MATCH ",
            ")",
        )
    }

    // BM25, negated: FTS5 ranks the best match as the most negative.
    fn best_sql(&self) -> (&'static str, &'static str, &'static str) {
        (
            "SELECT rowid AS id, -bm25(article_index, 10.0, 4.0, 1.0) AS score \
             FROM article_index WHERE article_index MATCH ",
            " ORDER BY score DESC LIMIT ",
            "",
        )
    }

    // Times are stored as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    fn published_day(&self) -> &'static str {
        "substr(articles.published_at, 1, 10)"
    }

    fn published_at_or_after(&self, cut: NaiveTime) -> String {
        format!(
            "CASE WHEN substr(articles.published_at, 12, 8) >= '{}' THEN 1 ELSE 0 END",
            cut.format("%H:%M:%S")
        )
    }

    fn day_label(&self, part: Option<&str>) -> String {
        let day = self.published_day();
        match part {
            Some(part) => format!("{day} || ' ' || {part}"),
            None => day.to_owned(),
        }
    }

    fn day_value(&self, day: NaiveDate) -> String {
        format!("'{}'", day.format("%Y-%m-%d"))
    }

    // `1,2,3` is a JSON array once bracketed.
    fn integers_in_list(&self) -> (&'static str, &'static str) {
        ("SELECT value FROM json_each('[' || ", " || ']')")
    }

    fn in_subquery(&self) -> (&'static str, &'static str) {
        // SQLite runs a subquery that does not depend on the row once, into a
        // list it checks as it reads.
        (" IN (", ")")
    }
}

/// Opens one connection of the pool. SQLite's default page cache is 2 MB; a search
/// index over 100,000 articles is hundreds (see `SqliteMemory`).
pub(in crate::db) fn connect(
    path: &str,
    memory: SqliteMemory,
) -> Result<AnyConnection, r2d2::Error> {
    let mut conn =
        diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
    let map_bytes = memory.mmap_mb * 1024 * 1024;
    // A negative cache_size is in KiB.
    let cache_kib = memory.cache_mb * 1024;
    let temp_store = if memory.temp_in_memory {
        "MEMORY"
    } else {
        "DEFAULT"
    };
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -{cache_kib}; PRAGMA mmap_size = {map_bytes}; \
         PRAGMA temp_store = {temp_store};",
    ))
    .map_err(r2d2::Error::QueryError)?;
    Ok(AnyConnection::Sqlite(conn))
}

/// Applies pending migrations. `BEGIN IMMEDIATE` takes the database's one write
/// lock before looking at which are pending; a migration longer than the busy
/// timeout makes the other processes retry here rather than fail.
pub(in crate::db) fn migrate(conn: &mut diesel::SqliteConnection) -> Result<usize, MigrationError> {
    let started = std::time::Instant::now();
    loop {
        let attempt = conn.immediate_transaction(|c| {
            c.run_pending_migrations(MIGRATIONS)
                .map(|v| v.len())
                .map_err(diesel::result::Error::QueryBuilderError)
        });
        match attempt {
            Ok(applied) => return Ok(applied),
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked")
                    && started.elapsed() < WAIT_FOR_OTHER_PROCESS =>
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
pub(in crate::db) fn prepare_file(path: &str) -> Result<(), String> {
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
                    && started.elapsed() < WAIT_FOR_OTHER_PROCESS =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(format!("cannot switch {path} to WAL mode: {e}")),
        }
    }
}
