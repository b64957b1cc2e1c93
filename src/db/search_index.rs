//! The full-text index: SQLite FTS5 or a PostgreSQL tsvector over terms analysed
//! in Rust (`content::analysis`), kept current inside each write transaction.
//! This is the one place with backend-specific search SQL.

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Text};

use super::schema::articles;
use super::AnyConnection;
use crate::content::analysis::{terms, Language};
use crate::content::markdown;
use crate::content::search::SearchQuery;
use crate::error::ApiResult;

/// PostgreSQL keeps positions up to 16383 and 256 positions per lexeme.
const MAX_POSITION: usize = 16_383;
const MAX_POSITIONS_PER_TERM: usize = 256;

/// The analysed fields of one article.
struct Document {
    title: Vec<String>,
    standfirst: Vec<String>,
    body: Vec<String>,
}

impl Document {
    fn new(title: &str, standfirst: Option<&str>, body: &str, language: &str) -> Self {
        let language = Language::from_tag(language);
        Self {
            title: terms(title, language),
            standfirst: terms(standfirst.unwrap_or(""), language),
            body: terms(&markdown::plain_text(body), language),
        }
    }

    /// A tsvector literal. Each field starts one position after the previous one
    /// ends plus one, so that a phrase never spans two fields (as in FTS5).
    fn tsvector(&self) -> String {
        let mut positions: Vec<(&str, Vec<String>)> = Vec::new();
        let mut next = 1usize;
        for (field, weight) in [
            (&self.title, 'A'),
            (&self.standfirst, 'B'),
            (&self.body, 'C'),
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
}

/// Writes (or rewrites) the index entry of an article.
pub fn upsert(
    conn: &mut AnyConnection,
    article_id: i32,
    title: &str,
    standfirst: Option<&str>,
    body: &str,
    language: &str,
) -> ApiResult<()> {
    let document = Document::new(title, standfirst, body, language);
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM article_index WHERE rowid = ?")
                .bind::<Integer, _>(article_id)
                .execute(c)?;
            diesel::sql_query(
                "INSERT INTO article_index (rowid, title, standfirst, body) VALUES (?, ?, ?, ?)",
            )
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(document.title.join(" "))
            .bind::<Text, _>(document.standfirst.join(" "))
            .bind::<Text, _>(document.body.join(" "))
            .execute(c)?;
        }
        AnyConnection::Postgres(c) => {
            diesel::sql_query(
                "INSERT INTO article_search (article_id, document) VALUES ($1, $2::tsvector) \
                 ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            )
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(document.tsvector())
            .execute(c)?;
        }
    }
    Ok(())
}

/// Removes an article from the index (PostgreSQL also cascades; FTS5 tables cannot).
pub fn remove(conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM article_index WHERE rowid = ?")
                .bind::<Integer, _>(article_id)
                .execute(c)?;
        }
        AnyConnection::Postgres(c) => {
            diesel::sql_query("DELETE FROM article_search WHERE article_id = $1")
                .bind::<Integer, _>(article_id)
                .execute(c)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Missing {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Indexes every article the index lacks (rows written before it existed); returns how many.
pub fn index_missing(conn: &mut AnyConnection) -> ApiResult<usize> {
    let missing: Vec<Missing> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT id FROM articles WHERE id NOT IN (SELECT rowid FROM article_index)",
        )
        .load(c)?,
        AnyConnection::Postgres(c) => diesel::sql_query(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM article_search)",
        )
        .load(c)?,
    };
    for Missing { id } in &missing {
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
        upsert(conn, *id, &title, standfirst.as_deref(), &body, &language)?;
    }
    Ok(missing.len())
}

/// Empties the whole index (then `index_missing` rebuilds it).
pub fn clear(conn: &mut AnyConnection) -> ApiResult<()> {
    match conn {
        AnyConnection::Sqlite(_) => conn.batch_execute("DELETE FROM article_index")?,
        AnyConnection::Postgres(_) => conn.batch_execute("DELETE FROM article_search")?,
    }
    Ok(())
}

/// `articles.id` is one of the matches of `query`.
pub fn matching(conn: &AnyConnection, query: &SearchQuery) -> Filter {
    match conn {
        AnyConnection::Sqlite(_) => Box::new(
            sql::<Bool>("articles.id IN (SELECT rowid FROM article_index WHERE article_index MATCH ")
                .bind::<Text, _>(query.fts5())
                .sql(")"),
        ),
        AnyConnection::Postgres(_) => Box::new(
            sql::<Bool>("articles.id IN (SELECT article_id FROM article_search WHERE document @@ to_tsquery('simple', ")
                .bind::<Text, _>(query.tsquery())
                .sql("))"),
        ),
    }
}

#[derive(QueryableByName)]
struct Scored {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Double)]
    score: f64,
}

/// The `limit` matches that fit `query` best, best first, with their scores (larger
/// is better), all of them when `limit` is `None`: FTS5's BM25 (title ×10, standfirst
/// ×4, body ×1; negated, as FTS5 ranks best as most negative) or PostgreSQL's
/// `ts_rank` with the same field weights. Only the index is read.
pub fn best(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    limit: Option<i64>,
) -> ApiResult<Vec<(i32, f64)>> {
    let limit = limit.unwrap_or(i64::MAX);
    let scored: Vec<Scored> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT rowid AS id, -bm25(article_index, 10.0, 4.0, 1.0) AS score \
             FROM article_index WHERE article_index MATCH ? ORDER BY score DESC LIMIT ?",
        )
        .bind::<Text, _>(query.fts5())
        .bind::<BigInt, _>(limit)
        .load(c)?,
        AnyConnection::Postgres(c) => diesel::sql_query(
            "SELECT article_id AS id, ts_rank('{0.1, 0.1, 0.4, 1.0}', document, q)::float8 AS score \
             FROM article_search, to_tsquery('simple', $1) AS q WHERE document @@ q \
             ORDER BY score DESC LIMIT $2",
        )
        .bind::<Text, _>(query.tsquery())
        .bind::<BigInt, _>(limit)
        .load(c)?,
    };
    Ok(scored.into_iter().map(|s| (s.id, s.score)).collect())
}

/// A condition on articles, in whichever dialect the connection speaks.
pub type Filter = Box<dyn diesel::BoxableExpression<articles::table, super::Db, SqlType = Bool>>;
