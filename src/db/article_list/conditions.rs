//! The conditions a list's filter puts on articles.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};

use super::filter::{ArticleFilter, DateField, DateRange, Until};
use crate::db::articles::{public, Condition, Visibility};
use crate::db::planner::PlannedForValues;
use crate::db::schema::{articles, authors, sections, tags};
use crate::db::static_sql::StaticSql;
use crate::db::{dialect, search_index, AnyConnection, Db};
use crate::error::ApiResult;

pub(super) type Query = articles::BoxedQuery<'static, Db>;

/// The section and, when asked, all its descendants (sections form a small tree: one query).
pub fn section_ids(conn: &mut AnyConnection, slug: &str, descendants: bool) -> ApiResult<Vec<i32>> {
    let all: Vec<(i32, String, Option<i32>)> = sections::table
        .select((sections::id, sections::slug, sections::parent_id))
        .load(conn)?;
    let Some(root) = all.iter().find(|(_, s, _)| s == slug).map(|(id, _, _)| *id) else {
        return Ok(Vec::new());
    };
    let mut ids = vec![root];
    if descendants {
        let mut i = 0;
        while i < ids.len() {
            let parent = ids[i];
            ids.extend(
                all.iter()
                    .filter(|(id, _, p)| *p == Some(parent) && !ids.contains(id))
                    .map(|(id, _, _)| *id)
                    .collect::<Vec<_>>(),
            );
            i += 1;
        }
    }
    Ok(ids)
}

/// Articles in the section `slug` or, with `descendants`, in any section under it:
/// a subquery (recursive for the tree), so the list stays one statement. For one
/// section it is a scalar `=`, which both databases treat as a constant and seek
/// in the section's own index with; `IN` made SQLite walk every section's articles.
fn in_section(conn: &AnyConnection, slug: &str, descendants: bool) -> Condition {
    Box::new(if descendants {
        let (open, close) = dialect::of(conn).in_subquery();
        StaticSql::<Nullable<Bool>>::new("articles.section_id")
            .sql(open)
            .sql("WITH RECURSIVE tree(id) AS (SELECT id FROM sections WHERE slug = ")
            .bind_text(slug)
            .sql(
                " UNION SELECT sections.id FROM sections \
                 JOIN tree ON sections.parent_id = tree.id) SELECT id FROM tree",
            )
            .sql(close)
    } else {
        StaticSql::new("articles.section_id = (SELECT id FROM sections WHERE slug = ")
            .bind_text(slug)
            .sql(")")
    })
}

/// What a query over the filtered articles reads, which decides where SQLite may
/// start (see `linked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::db) enum Reading {
    /// A page in date order, or rows already picked by id.
    Few,
    /// Every match: a count, the archive.
    All,
}

/// Above this many links, a page is not read starting from them (see `linked`).
const MANY_LINKS: i64 = 2_000;

/// Articles linked through `link` (`article_tags` or `article_authors`) to one of
/// `ids`. The ids are looked up first, so the database reads the link table's index
/// alone. (A correlated EXISTS was faster for common combinations but walked whole
/// sections when a combination was rare.)
///
/// SQLite knows only how many links a tag has on average, so it starts from a
/// common tag's links too: right for reading every match (each linked article is
/// then checked in the narrow `articles_public_id_idx`), wrong for a page, which
/// walking the date index finds after a few hundred entries (40 ms against 5 for
/// a tag on one article in five). For a page, past `MANY_LINKS` the condition is
/// written `+articles.id IN …`, which SQLite cannot start from; a rare tag's links
/// still lead. PostgreSQL keeps statistics per value and needs no such hint.
fn linked(
    conn: &mut AnyConnection,
    reading: Reading,
    link: &str,
    column: &str,
    ids: &[i32],
) -> ApiResult<Condition> {
    if ids.is_empty() {
        return Ok(Box::new(sql::<Nullable<Bool>>("1 = 0")));
    }
    let ids: Vec<String> = ids.iter().map(i32::to_string).collect();
    let links = format!(
        "SELECT {link}.article_id FROM {link} WHERE {link}.{column} IN ({})",
        ids.join(", ")
    );
    let not_leading = match reading {
        Reading::Few => crate::db::dialect::of(conn).not_leading("articles.id"),
        Reading::All => None,
    };
    if let Some(not_leading) = not_leading {
        let many: i64 = diesel::select(sql::<BigInt>(&format!(
            "(SELECT count(*) FROM ({links} LIMIT {}) AS some)",
            MANY_LINKS + 1
        )))
        .get_result(conn)?;
        if many > MANY_LINKS {
            return Ok(Box::new(sql::<Nullable<Bool>>(&format!(
                "{not_leading} IN ({links})"
            ))));
        }
    }
    Ok(Box::new(sql::<Nullable<Bool>>(&format!(
        "articles.id IN ({links})"
    ))))
}

fn with_tag(conn: &mut AnyConnection, reading: Reading, slugs: &[String]) -> ApiResult<Condition> {
    let ids: Vec<i32> = tags::table
        .filter(tags::slug.eq_any(slugs))
        .select(tags::id)
        .load(conn)?;
    linked(conn, reading, "article_tags", "tag_id", &ids)
}

fn date_conditions(range: &DateRange) -> Vec<Condition> {
    macro_rules! bounded {
        ($column:expr) => {{
            let mut all: Vec<Condition> = Vec::new();
            if let Some(from) = range.from {
                all.push(Box::new($column.ge(from).nullable()));
            }
            match range.until {
                Some(Until::Before(t)) => all.push(Box::new($column.lt(t).nullable())),
                Some(Until::Through(t)) => all.push(Box::new($column.le(t).nullable())),
                None => {}
            }
            all
        }};
    }
    match range.field {
        DateField::Published => bounded!(articles::published_at),
        DateField::Updated => bounded!(articles::updated_at),
        DateField::Created => bounded!(articles::created_at),
    }
}

/// Everything `filter` and `visibility` ask of an article, one condition each.
fn conditions(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    at: NaiveDateTime,
    reading: Reading,
) -> ApiResult<Vec<Condition>> {
    // The requested dates come first: of two bounds on the same column SQLite
    // uses the first it meets, and `published_at <= now` would leave a month's
    // range open to the present (4.4 ms instead of 0.05 for 800 articles).
    let mut asked: Vec<Condition> = date_conditions(&filter.dates);
    let dates = asked.len();
    if let Some(status) = filter.status {
        asked.push(Box::new(articles::status.eq(status.as_str()).nullable()));
    }
    if let Some(language) = filter.language.clone() {
        asked.push(Box::new(articles::language.eq(language).nullable()));
    }
    if let Some(section) = &filter.section {
        asked.push(in_section(conn, section, filter.descendants));
    }
    for tag in &filter.tags_all {
        asked.push(with_tag(conn, reading, std::slice::from_ref(tag))?);
    }
    if !filter.tags_any.is_empty() {
        asked.push(with_tag(conn, reading, &filter.tags_any)?);
    }
    if let Some(author) = filter.author.clone() {
        let ids: Vec<i32> = authors::table
            .filter(authors::slug.eq(author))
            .select(authors::id)
            .load(conn)?;
        asked.push(linked(conn, reading, "article_authors", "author_id", &ids)?);
    }
    if !filter.ids.is_empty() {
        asked.push(Box::new(
            articles::public_id
                .eq_any(
                    filter
                        .ids
                        .iter()
                        .map(|id| id.to_string())
                        .collect::<Vec<_>>(),
                )
                .nullable(),
        ));
    }
    if let Some(since) = filter.updated_since {
        asked.push(Box::new(articles::updated_at.ge(since).nullable()));
    }
    if let Some(search) = &filter.search {
        asked.push(Box::new(search_index::matching(conn, search).nullable()));
    }
    // The version chosen for the reader is the one every other condition, the
    // search and the sort then look at.
    if let Some(chain) = &filter.locales {
        asked.push(chain.best_versions(visibility, at));
    }
    // What the caller asked for decides which index leads, so its statements are
    // planned for their values; visibility alone is planned alike at any instant.
    let mut all: Vec<Condition> = asked
        .into_iter()
        .map(|condition| -> Condition { Box::new(PlannedForValues(condition)) })
        .collect();
    if visibility == Visibility::Public {
        all.insert(dates, public(at));
    }
    Ok(all)
}

/// The articles matching `filter` that `visibility` lets through, as a query to refine.
pub(in crate::db) fn filtered(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    at: NaiveDateTime,
    reading: Reading,
) -> ApiResult<Query> {
    let mut query = articles::table.into_boxed();
    for condition in conditions(conn, filter, visibility, at, reading)? {
        query = query.filter(condition);
    }
    Ok(query)
}

/// The same articles as `filtered`, as one condition: for queries that cannot be
/// boxed, such as grouped ones.
pub(in crate::db) fn matches(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    at: NaiveDateTime,
    reading: Reading,
) -> ApiResult<Condition> {
    let all = conditions(conn, filter, visibility, at, reading)?;
    Ok(all
        .into_iter()
        .reduce(|a, b| Box::new(a.and(b)))
        .unwrap_or_else(|| Box::new(sql::<Nullable<Bool>>("1 = 1"))))
}

/// The number of articles matching `filter`, when asked for (it costs a query).
pub(super) fn count_if(
    conn: &mut AnyConnection,
    asked: bool,
    filter: &ArticleFilter,
    visibility: Visibility,
    at: NaiveDateTime,
) -> ApiResult<Option<i64>> {
    if !asked {
        return Ok(None);
    }
    Ok(Some(
        filtered(conn, filter, visibility, at, Reading::All)?
            .count()
            .get_result(conn)?,
    ))
}
