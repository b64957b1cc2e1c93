//! What the backends say differently: the [`Dialect`] each one implements.

use chrono::{NaiveDate, NaiveTime};

use crate::content::search::SearchQuery;
use crate::db::connection::AnyConnection;
use crate::error::ApiResult;

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

/// An error from running migrations.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// The analysed terms of one article's fields, as the index stores them.
pub struct IndexedTerms {
    pub title: Vec<String>,
    pub standfirst: Vec<String>,
    pub body: Vec<String>,
}

/// What differs between the two backends. See the module documentation.
pub trait Dialect: Sync {
    // Transactions (see `db::tx`).

    /// Starts a transaction in which writers take turns: SQLite takes its one write
    /// lock up front, PostgreSQL an advisory lock of Folio's own.
    fn begin_write(&self) -> String;
    /// Starts a read-only transaction that sees one moment throughout.
    fn begin_snapshot(&self) -> &'static str;

    // Maintenance.

    /// The statements that refresh planner statistics at `when`, if any are needed.
    fn refresh_statistics(&self, when: Statistics) -> Option<String>;
    /// After rows were inserted with the ids they were exported with: makes the
    /// ids the database hands out next start past them.
    fn continue_ids_after_restore(&self, conn: &mut AnyConnection) -> ApiResult<()>;
    /// Whether a new row may get the id of the row with the largest id deleted
    /// before it (SQLite without AUTOINCREMENT gives the largest id plus one).
    fn reuses_ids_of_deleted_rows(&self) -> bool;
    /// `column` written so that the planner cannot start a query from its index,
    /// where the dialect has such a hint; `None` where the planner is left to decide.
    fn not_leading(&self, column: &str) -> Option<String>;

    // The full-text index (see `db::search_index`, which runs these statements).

    /// Writes (or rewrites) the index entry of an article.
    fn index(
        &self,
        conn: &mut AnyConnection,
        article_id: i32,
        terms: &IndexedTerms,
    ) -> ApiResult<()>;
    /// Removes the index entry of the article whose id is bound.
    fn unindex_sql(&self) -> &'static str;
    /// Selects the `id` of every article the index has no entry for.
    fn unindexed_sql(&self) -> &'static str;
    /// Empties the index.
    fn clear_index_sql(&self) -> &'static str;
    /// A search query as the index's own query language writes it.
    fn index_query(&self, query: &SearchQuery) -> String;
    /// A condition `articles.id IN (…)` around the bound index query: the text
    /// before the bind and the text after.
    fn matching_sql(&self) -> (&'static str, &'static str);
    /// Selects `id` and `score` (larger is better) of the matches of the index
    /// query, best first, as many as the limit, with the same field weights on both
    /// backends: title ×10, standfirst ×4, body ×1. The text before the query's
    /// bind, between it and the limit's, and after.
    fn best_sql(&self) -> (&'static str, &'static str, &'static str);

    // Grouping publication times (see `db::archive`).

    /// The UTC day of `articles.published_at`, as `articles_public_day_idx` is keyed by.
    fn published_day(&self) -> &'static str;
    /// 1 when `articles.published_at` is at or after `cut` in its UTC day, else 0.
    fn published_at_or_after(&self, cut: NaiveTime) -> String;
    /// A group's label as text, the same on both backends: `2024-11-27`, or
    /// `2024-11-27 2` when `part` (an integer expression) is given.
    fn day_label(&self, part: Option<&str>) -> String;
    /// A UTC day as a value that [`Dialect::published_day`] compares to.
    fn day_value(&self, day: NaiveDate) -> String;

    // Lists of ids.

    /// A subquery yielding the integers of one bound text written `1,2,3`: the
    /// text before the bind and the text after (see `db::articles::id_in`).
    fn integers_in_list(&self) -> (&'static str, &'static str);

    /// How `value IN (subquery)` is written for a subquery that does not depend
    /// on the row: the text between the value and the subquery, and after it.
    /// It must stay a filter on the rows as they are read, which each engine
    /// then applies before any join (such as the check for a better version).
    fn in_subquery(&self) -> (&'static str, &'static str);
}
