//! The full-text index: terms analysed in Rust (`content::analysis`), stored by
//! SQLite's FTS5 or PostgreSQL's tsvector (see `db::dialect`). A write's entries
//! are written by the commit layer (`db::commit::index`) in the write's
//! transaction; this module analyses them, finds what is missing, and searches.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Integer};

use super::dialect::{self, IndexedTerms};
use super::planner::PlannedForValues;
use super::schema::articles;
use super::static_sql::StaticSql;
use super::AnyConnection;
use crate::content::analysis::{terms, Language};
use crate::content::markdown;
use crate::content::search::SearchQuery;
use crate::error::ApiResult;

/// A condition on articles, in whichever dialect the connection speaks.
pub type Filter = Box<dyn diesel::BoxableExpression<articles::table, super::Db, SqlType = Bool>>;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

fn analyse(title: &str, standfirst: Option<&str>, body: &str, language: &str) -> IndexedTerms {
    let language = Language::from_tag(language);
    IndexedTerms {
        title: terms(title, language),
        standfirst: terms(standfirst.unwrap_or(""), language),
        body: terms(&markdown::plain_text(body), language),
    }
}

/// An article's index entry, analysed and waiting to be written.
pub struct Entry {
    pub(super) article_id: i32,
    pub(super) terms: IndexedTerms,
}

pub fn entry(
    article_id: i32,
    title: &str,
    standfirst: Option<&str>,
    body: &str,
    language: &str,
) -> Entry {
    Entry {
        article_id,
        terms: analyse(title, standfirst, body, language),
    }
}

/// The ids of the articles the index lacks (rows written before it existed, or
/// after it was emptied).
pub fn unindexed(conn: &mut AnyConnection) -> ApiResult<Vec<i32>> {
    let missing: Vec<Id> = diesel::sql_query(dialect::of(conn).unindexed_sql()).load(conn)?;
    Ok(missing.into_iter().map(|Id { id }| id).collect())
}

/// The index entry of the article with this id, as it is stored.
pub fn entry_of(conn: &mut AnyConnection, id: i32) -> ApiResult<Entry> {
    let (title, standfirst, body, language): (String, Option<String>, String, String) =
        articles::table
            .find(id)
            .select((
                articles::title,
                articles::standfirst,
                articles::body,
                articles::language,
            ))
            .first(conn)?;
    Ok(entry(id, &title, standfirst.as_deref(), &body, &language))
}

/// Empties the whole index (then `commit::index_missing` rebuilds it).
pub fn clear(conn: &mut AnyConnection) -> ApiResult<()> {
    conn.batch_execute(dialect::of(conn).clear_index_sql())?;
    Ok(())
}

/// `articles.id` is one of the matches of `query`.
pub fn matching(conn: &AnyConnection, query: &SearchQuery) -> Filter {
    let dialect = dialect::of(conn);
    let (before, after) = dialect.matching_sql();
    Box::new(
        StaticSql::<Bool>::new(before)
            .bind_text(dialect.index_query(query))
            .sql(after),
    )
}

/// The `limit` matches that fit `query` best, best first, with their scores (larger
/// is better), all of them when `limit` is `None`. Only the index is read.
pub fn best(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    limit: Option<i64>,
) -> ApiResult<Vec<(i32, f64)>> {
    let dialect = dialect::of(conn);
    let (match_at, limit_at, end) = dialect.best_sql();
    // How many articles hold the words decides whether reading the index or every
    // document is cheaper.
    Ok(PlannedForValues(
        StaticSql::<(Integer, Double)>::new(match_at)
            .bind_text(dialect.index_query(query))
            .sql(limit_at)
            .bind_big_int(limit.unwrap_or(i64::MAX))
            .sql(end),
    )
    .load(conn)?)
}
