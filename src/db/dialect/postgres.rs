//! PostgreSQL: advisory locks for writers and migrations, a tsvector column for
//! search (terms analysed in Rust, as for SQLite), timestamps as timestamps.

use chrono::{NaiveDate, NaiveTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::interface::{Dialect, IndexedTerms, MigrationError, Statistics};
use crate::content::search::SearchQuery;
use crate::db::connection::AnyConnection;
use crate::error::ApiResult;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Keys of Folio's own for PostgreSQL's advisory locks: one that write
/// transactions take in turn, one around migrating.
const WRITE_LOCK_KEY: i64 = 0x666f_6c69_6f00_0002;
const MIGRATION_LOCK_KEY: i64 = 0x666f_6c69_6f00_0001;

/// The tables an import grows.
const BULK_WRITTEN_TABLES: &str = "articles, article_tags, article_authors, article_search, \
     article_revisions, import_sources, changes, audit_log";

/// The tables whose ids a restore writes as exported, with their id column.
const RESTORED_IDS: &[(&str, &str)] = &[
    ("sections", "id"),
    ("tags", "id"),
    ("authors", "id"),
    ("articles", "id"),
    ("assets", "id"),
    ("api_tokens", "id"),
    ("audit_log", "id"),
    ("changes", "seq"),
];

/// PostgreSQL keeps positions up to 16383 and 256 positions per lexeme.
const MAX_POSITION: usize = 16_383;
const MAX_POSITIONS_PER_TERM: usize = 256;

pub struct Postgres;

impl Dialect for Postgres {
    // Writers take turns as SQLite's one write lock makes them: the change log's
    // sequence numbers then follow commit order, so a reader that has seen change
    // n has seen every change before it (sync, webhooks and the live stream rely
    // on that), and no two writers can deadlock on each other.
    fn begin_write(&self) -> String {
        format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY});")
    }

    fn begin_snapshot(&self) -> &'static str {
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    }

    fn refresh_statistics(&self, when: Statistics) -> Option<String> {
        match when {
            // Vacuum as well: until a table is vacuumed, its visibility map is empty
            // and no index-only scan is worth it (after a 100,000-article import the
            // archive read the whole table: 160 ms, and 24 ms from an index once
            // vacuumed, which took 1.6 s). Autovacuum gets there too, but only once
            // the insert count trips its threshold.
            Statistics::AfterBulkWrite => Some("VACUUM (ANALYZE);".to_owned()),
            // Autovacuum keeps the statistics.
            Statistics::Routine => None,
            // An import into a new database otherwise keeps the plans PostgreSQL made
            // while the tables were empty (sequential scans, foreign-key checks
            // included) until autovacuum comes by, and each article costs more than
            // the one before (10,000 articles: 98 s, 10 ms each at the end).
            // `ANALYZE` also makes the connections' cached plans be made again.
            Statistics::DuringBulkWrite => Some(format!("ANALYZE {BULK_WRITTEN_TABLES};")),
        }
    }

    fn continue_ids_after_restore(&self, conn: &mut AnyConnection) -> ApiResult<()> {
        for (table, column) in RESTORED_IDS {
            conn.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                 COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            ))?;
        }
        Ok(())
    }

    // Sequences never go back.
    fn reuses_ids_of_deleted_rows(&self) -> bool {
        false
    }

    // PostgreSQL keeps statistics per value and needs no hint.
    fn not_leading(&self, _column: &str) -> Option<String> {
        None
    }

    fn index(
        &self,
        conn: &mut AnyConnection,
        article_id: i32,
        terms: &IndexedTerms,
    ) -> ApiResult<()> {
        diesel::sql_query(
            "INSERT INTO article_search (article_id, document) VALUES ($1, $2::tsvector) \
             ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
        )
        .bind::<Integer, _>(article_id)
        .bind::<Text, _>(tsvector(terms))
        .execute(conn)?;
        Ok(())
    }

    // The entry would also go with its article (ON DELETE CASCADE), but a caller
    // may unindex an article it keeps.
    fn unindex_sql(&self) -> &'static str {
        "DELETE FROM article_search WHERE article_id = $1"
    }

    fn unindexed_sql(&self) -> &'static str {
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM article_search)"
    }

    fn clear_index_sql(&self) -> &'static str {
        "DELETE FROM article_search"
    }

    fn index_query(&self, query: &SearchQuery) -> String {
        query.tsquery()
    }

    fn matching_sql(&self) -> (&'static str, &'static str) {
        (
            "articles.id IN (SELECT article_id FROM article_search \
             WHERE document @@ to_tsquery('simple', ",
            "))",
        )
    }

    // `ts_rank` takes its weights for D, C, B, A: body (C) 0.1, standfirst (B)
    // 0.4, title (A) 1.0, the ratios of SQLite's BM25 weights.
    fn best_sql(&self) -> (&'static str, &'static str, &'static str) {
        (
            "SELECT article_id AS id, ts_rank('{0.1, 0.1, 0.4, 1.0}', document, q)::float8 AS score \
             FROM article_search, to_tsquery('simple', ",
            ") AS q WHERE document @@ q ORDER BY score DESC LIMIT ",
            "",
        )
    }

    fn published_day(&self) -> &'static str {
        "date_trunc('day', articles.published_at)"
    }

    fn published_at_or_after(&self, cut: NaiveTime) -> String {
        format!(
            "CASE WHEN articles.published_at::time >= TIME '{}' THEN 1 ELSE 0 END",
            cut.format("%H:%M:%S")
        )
    }

    fn day_label(&self, part: Option<&str>) -> String {
        let day = format!("to_char({}, 'YYYY-MM-DD')", self.published_day());
        match part {
            Some(part) => format!("{day} || ' ' || {part}::text"),
            None => day,
        }
    }

    fn day_value(&self, day: NaiveDate) -> String {
        format!("TIMESTAMP '{} 00:00:00'", day.format("%Y-%m-%d"))
    }

    fn integers_in_list(&self) -> (&'static str, &'static str) {
        (
            "SELECT unnest(CAST(string_to_array(",
            ", ',') AS integer[]))",
        )
    }

    fn in_subquery(&self) -> (&'static str, &'static str) {
        // `IN (subquery)` is planned as a semi join, which PostgreSQL may place
        // above an anti join: a list in a language then checked every article
        // of every section for a better version before keeping the section's.
        // An array of the subquery is computed once and filters the scan.
        (" = ANY(ARRAY(", "))")
    }
}

/// A tsvector literal of an article's terms, weighted A (title), B (standfirst)
/// and C (body). Each field starts one position after the previous one ends plus
/// one, so that a phrase never spans two fields (as in FTS5, which keeps columns).
fn tsvector(terms: &IndexedTerms) -> String {
    let mut positions: Vec<(&str, Vec<String>)> = Vec::new();
    let mut next = 1usize;
    for (field, weight) in [
        (&terms.title, 'A'),
        (&terms.standfirst, 'B'),
        (&terms.body, 'C'),
    ] {
        for term in field {
            let position = next.min(MAX_POSITION);
            next += 1;
            match positions.iter_mut().find(|(t, _)| *t == term.as_str()) {
                Some((_, list)) if list.len() < MAX_POSITIONS_PER_TERM => {
                    list.push(format!("{position}{weight}"))
                }
                Some(_) => {}
                None => positions.push((term.as_str(), vec![format!("{position}{weight}")])),
            }
        }
        next += 1;
    }
    positions
        .into_iter()
        .map(|(term, list)| format!("'{term}':{}", list.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Applies pending migrations under a session lock: it waits while another process
/// migrates, and is released when this connection closes even if the process dies
/// mid-migration.
pub(in crate::db) fn migrate(conn: &mut diesel::PgConnection) -> Result<usize, MigrationError> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    let applied = conn.run_pending_migrations(MIGRATIONS).map(|v| v.len());
    let unlocked =
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}
