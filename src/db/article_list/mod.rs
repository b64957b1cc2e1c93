//! The article list query: filters, date ranges, sort orders and keyset pagination.

use crate::db::articles::translations::LocaleChain;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};
use serde::{Deserialize, Serialize};

use super::articles::{
    public, records_in_order, ArticleRecord, Condition, Parts, Status, Visibility,
};
use super::planner::PlannedForValues;
use super::schema::{articles, authors, sections, tags};
use super::static_sql::StaticSql;
use super::{dialect, now, search_index, AnyConnection, Db, PageRequest};
use crate::content::ids::ArticleId;
use crate::content::search::SearchQuery;
use crate::error::ApiResult;

mod cursor;
mod ranked;

pub use cursor::Cursor;
use ranked::ranked;

/// Which of an article's dates a range applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateField {
    #[default]
    Published,
    Updated,
    Created,
}

/// A range of instants: `from` inclusive, `until` exclusive or inclusive.
#[derive(Debug, Clone, Default)]
pub struct DateRange {
    pub field: DateField,
    pub from: Option<NaiveDateTime>,
    pub until: Option<Until>,
}

#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Up to this instant, excluded (the start of the day after a date).
    Before(NaiveDateTime),
    /// Up to this instant, included.
    Through(NaiveDateTime),
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub section: Option<String>,
    /// Whether `section` includes its subsections.
    pub descendants: bool,
    /// Articles carrying every one of these tags.
    pub tags_all: Vec<String>,
    /// Articles carrying at least one of these tags.
    pub tags_any: Vec<String>,
    pub author: Option<String>,
    pub language: Option<String>,
    pub status: Option<Status>,
    /// Public ids.
    pub ids: Vec<ArticleId>,
    pub updated_since: Option<NaiveDateTime>,
    pub dates: DateRange,
    /// Full-text search.
    pub search: Option<SearchQuery>,
    /// Each story once, in the reader's best language (`locale` and `fallback`).
    pub locales: Option<LocaleChain>,
}

/// The orders a list can come in; every one ends with the id, so it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Sort {
    /// Newest publication first; undated drafts last.
    #[default]
    PublishedDesc,
    PublishedAsc,
    UpdatedDesc,
    UpdatedAsc,
    /// Alphabetical by title, accents and case ignored.
    Title,
    /// Best search matches first, then newest; needs a search query.
    Relevance,
}

/// The deepest a relevance cursor goes: as deep as the 100 numbered pages of 100
/// that lists allow (relevance has no key to seek from, so depth costs work).
pub const MAX_RELEVANCE_OFFSET: i64 = 10_000;

/// Which slice of the list to return.
#[derive(Debug, Clone)]
pub enum Window {
    /// Numbered pages: fine for small offsets.
    Page(PageRequest),
    /// The items after a cursor (from the start when `None`): stable while articles arrive.
    After(Option<Cursor>, i64),
}

pub struct ArticleList {
    pub records: Vec<ArticleRecord>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
    /// The number of matching articles, when asked for.
    pub total: Option<i64>,
}

type Query = articles::BoxedQuery<'static, Db>;

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
pub(super) enum Reading {
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
pub(super) fn filtered(
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
pub(super) fn matches(
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

/// Public lists only hold dated articles, so they skip the "undated last" key: the
/// plain `(status, published_at, id)` index then serves the order without a sort.
fn ordered(query: Query, sort: Sort, visibility: Visibility) -> Query {
    use articles::{id, published_at, title_key, updated_at};
    let dated = visibility == Visibility::Public;
    match sort {
        // Relevance without a search query has nothing to rank: newest first.
        Sort::PublishedDesc | Sort::Relevance if dated => {
            query.order((published_at.desc(), id.desc()))
        }
        Sort::PublishedAsc if dated => query.order((published_at.asc(), id.asc())),
        Sort::PublishedDesc | Sort::Relevance => {
            query.order((published_at.is_null(), published_at.desc(), id.desc()))
        }
        Sort::PublishedAsc => query.order((published_at.is_null(), published_at.asc(), id.asc())),
        Sort::UpdatedDesc => query.order((updated_at.desc(), id.desc())),
        Sort::UpdatedAsc => query.order((updated_at.asc(), id.asc())),
        Sort::Title => query.order((title_key.asc(), id.asc())),
    }
}

/// Keeps the rows strictly after `cursor` in its sort order.
fn after(query: Query, cursor: &Cursor, visibility: Visibility) -> Query {
    use articles::{id, published_at, title_key, updated_at};
    let last = cursor.id;
    let dated = visibility == Visibility::Public;
    match (cursor.sort, cursor.date, cursor.text.clone()) {
        (Sort::PublishedDesc, Some(t), _) if dated => {
            query.filter(published_at.lt(t).or(published_at.eq(t).and(id.lt(last))))
        }
        (Sort::PublishedAsc, Some(t), _) if dated => {
            query.filter(published_at.gt(t).or(published_at.eq(t).and(id.gt(last))))
        }
        // Undated rows come last in both publication orders, by id.
        (Sort::PublishedDesc, None, _) => query.filter(published_at.is_null().and(id.lt(last))),
        (Sort::PublishedAsc, None, _) => query.filter(published_at.is_null().and(id.gt(last))),
        (Sort::PublishedDesc, Some(t), _) => query.filter(
            published_at
                .assume_not_null()
                .lt(t)
                .or(published_at.assume_not_null().eq(t).and(id.lt(last)))
                .or(published_at.is_null()),
        ),
        (Sort::PublishedAsc, Some(t), _) => query.filter(
            published_at
                .assume_not_null()
                .gt(t)
                .or(published_at.assume_not_null().eq(t).and(id.gt(last)))
                .or(published_at.is_null()),
        ),
        (Sort::UpdatedDesc, Some(t), _) => {
            query.filter(updated_at.lt(t).or(updated_at.eq(t).and(id.lt(last))))
        }
        (Sort::UpdatedAsc, Some(t), _) => {
            query.filter(updated_at.gt(t).or(updated_at.eq(t).and(id.gt(last))))
        }
        (Sort::Title, _, Some(key)) => query.filter(
            title_key
                .gt(key.clone())
                .or(title_key.eq(key).and(id.gt(last))),
        ),
        // A cursor without the key its order needs cannot come from this server.
        _ => query.filter(id.ne(id)),
    }
}

/// The number of articles matching `filter`, when asked for (it costs a query).
fn count_if(
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

/// One slice of the articles matching `filter`, with the `parts` shown.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    sort: Sort,
    window: &Window,
    include_total: bool,
    parts: Parts,
) -> ApiResult<ArticleList> {
    let at = now();
    let (limit, offset) = match window {
        Window::Page(page) => (page.per_page, page.offset()),
        Window::After(Some(cursor), limit) if sort == Sort::Relevance => {
            (*limit, cursor.offset.unwrap_or(0).max(0))
        }
        Window::After(_, limit) => (*limit, 0),
    };
    if let (Sort::Relevance, Some(search)) = (sort, &filter.search) {
        return ranked(
            conn,
            filter,
            search,
            visibility,
            at,
            limit,
            offset,
            include_total,
            parts,
        );
    }
    let total = count_if(conn, include_total, filter, visibility, at)?;
    let query = ordered(
        filtered(conn, filter, visibility, at, Reading::Few)?,
        sort,
        visibility,
    );
    let query = match window {
        Window::After(Some(cursor), _) => after(query, cursor, visibility),
        _ => query.offset(offset),
    };
    // One more than asked tells whether a next page exists. Ids first, rows after:
    // asked for whole rows at once, PostgreSQL prefers walking the date index in
    // order (no sort of wide rows) and, when the filters match little, reads every
    // row of the date range (90 ms instead of 2 ms at 100,000 articles).
    let ids: Vec<i32> = query.limit(limit + 1).select(articles::id).load(conn)?;
    let mut records = records_in_order(conn, &ids, parts)?;
    let next = if records.len() as i64 > limit {
        records.truncate(limit as usize);
        records
            .last()
            .map(|record| Cursor::after(sort, &record.row, offset + limit))
    } else {
        None
    };
    Ok(ArticleList {
        records,
        next,
        total,
    })
}
