//! The article list query: filters, date ranges, sort orders and keyset pagination.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::articles::{visible, with_relations, ArticleRecord, ArticleRow, Status, Visibility};
use super::schema::{article_authors, article_tags, articles, authors, sections, tags};
use super::{now, search_index, AnyConnection, Db, PageRequest};
use crate::content::search::SearchQuery;
use crate::error::{ApiError, ApiResult};

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
    pub ids: Vec<String>,
    pub updated_since: Option<NaiveDateTime>,
    pub dates: DateRange,
    /// Full-text search.
    pub search: Option<SearchQuery>,
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

/// The sort key of the last item seen: where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    sort: Sort,
    date: Option<NaiveDateTime>,
    text: Option<String>,
    id: i32,
    /// Relevance has no stable key to continue from: its cursor is a position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<i64>,
}

impl Cursor {
    fn after(sort: Sort, row: &ArticleRow, offset: i64) -> Self {
        let (date, text) = match sort {
            Sort::PublishedDesc | Sort::PublishedAsc => (row.published_at, None),
            Sort::UpdatedDesc | Sort::UpdatedAsc => (Some(row.updated_at), None),
            Sort::Title => (None, Some(row.title_key.clone())),
            Sort::Relevance => (None, None),
        };
        Self {
            sort,
            date,
            text,
            id: row.id,
            offset: (sort == Sort::Relevance).then_some(offset),
        }
    }

    /// The opaque form handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str, sort: Sort) -> ApiResult<Self> {
        let invalid = || {
            ApiError::BadRequest(
                "cursor is not one this server issued; start again without it".into(),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.sort != sort {
            return Err(ApiError::BadRequest(
                "cursor belongs to another sort order; keep the sort of the request that returned it"
                    .into(),
            ));
        }
        Ok(cursor)
    }
}

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
fn section_ids(conn: &mut AnyConnection, slug: &str, descendants: bool) -> ApiResult<Vec<i32>> {
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

fn with_tag(query: Query, slugs: Vec<String>) -> Query {
    query.filter(
        articles::id.eq_any(
            article_tags::table
                .inner_join(tags::table)
                .filter(tags::slug.eq_any(slugs))
                .select(article_tags::article_id),
        ),
    )
}

fn date_column_filter(query: Query, range: &DateRange) -> Query {
    macro_rules! bounded {
        ($query:expr, $column:expr) => {{
            let mut query = $query;
            if let Some(from) = range.from {
                query = query.filter($column.ge(from));
            }
            match range.until {
                Some(Until::Before(t)) => query.filter($column.lt(t)),
                Some(Until::Through(t)) => query.filter($column.le(t)),
                None => query,
            }
        }};
    }
    match range.field {
        DateField::Published => bounded!(query, articles::published_at),
        DateField::Updated => bounded!(query, articles::updated_at),
        DateField::Created => bounded!(query, articles::created_at),
    }
}

pub(super) fn filtered(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    at: NaiveDateTime,
) -> ApiResult<Query> {
    let mut query = visible(visibility, at);
    if let Some(status) = filter.status {
        query = query.filter(articles::status.eq(status.as_str()));
    }
    if let Some(language) = filter.language.clone() {
        query = query.filter(articles::language.eq(language));
    }
    if let Some(section) = &filter.section {
        let ids = section_ids(conn, section, filter.descendants)?;
        query = query.filter(articles::section_id.eq_any(ids));
    }
    for tag in &filter.tags_all {
        query = with_tag(query, vec![tag.clone()]);
    }
    if !filter.tags_any.is_empty() {
        query = with_tag(query, filter.tags_any.clone());
    }
    if let Some(author) = filter.author.clone() {
        query = query.filter(
            articles::id.eq_any(
                article_authors::table
                    .inner_join(authors::table)
                    .filter(authors::slug.eq(author))
                    .select(article_authors::article_id),
            ),
        );
    }
    if !filter.ids.is_empty() {
        query = query.filter(articles::public_id.eq_any(filter.ids.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(articles::updated_at.ge(since));
    }
    if let Some(search) = &filter.search {
        query = query.filter(search_index::matching(conn, search));
    }
    Ok(date_column_filter(query, &filter.dates))
}

fn ordered(query: Query, sort: Sort) -> Query {
    use articles::{id, published_at, title_key, updated_at};
    match sort {
        // Relevance without a search query has nothing to rank: newest first.
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
fn after(query: Query, cursor: &Cursor) -> Query {
    use articles::{id, published_at, title_key, updated_at};
    let last = cursor.id;
    match (cursor.sort, cursor.date, cursor.text.clone()) {
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

/// One slice of the articles matching `filter`, with section, tags and authors.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    visibility: Visibility,
    sort: Sort,
    window: &Window,
    include_total: bool,
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
        );
    }
    let total = if include_total {
        Some(
            filtered(conn, filter, visibility, at)?
                .count()
                .get_result(conn)?,
        )
    } else {
        None
    };
    let query = ordered(filtered(conn, filter, visibility, at)?, sort);
    let query = match window {
        Window::After(Some(cursor), _) => after(query, cursor),
        _ => query.offset(offset),
    };
    // One more than asked tells whether a next page exists.
    let mut rows: Vec<ArticleRow> = query
        .limit(limit + 1)
        .select(ArticleRow::as_select())
        .load(conn)?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|row| Cursor::after(sort, row, offset + limit))
    } else {
        None
    };
    Ok(ArticleList {
        records: with_relations(conn, rows)?,
        next,
        total,
    })
}

/// Search results best first: the index scores every match in one pass, the
/// filters narrow them in SQL, and the order (score, then newest, then id) is
/// put together here, identically for both backends.
#[allow(clippy::too_many_arguments)]
fn ranked(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    search: &SearchQuery,
    visibility: Visibility,
    at: NaiveDateTime,
    limit: i64,
    offset: i64,
    include_total: bool,
) -> ApiResult<ArticleList> {
    let scores = search_index::scores(conn, search)?;
    let mut candidates: Vec<(i32, Option<NaiveDateTime>)> = filtered(conn, filter, visibility, at)?
        .select((articles::id, articles::published_at))
        .load(conn)?;
    let score = |id: &i32| scores.get(id).copied().unwrap_or(0.0);
    candidates.sort_by(|(a, a_at), (b, b_at)| {
        score(b)
            .total_cmp(&score(a))
            .then(a_at.is_none().cmp(&b_at.is_none()))
            .then(b_at.cmp(a_at))
            .then(b.cmp(a))
    });
    let total = include_total.then_some(candidates.len() as i64);
    let start = (offset as usize).min(candidates.len());
    let end = (start + limit as usize).min(candidates.len());
    let page: Vec<i32> = candidates[start..end].iter().map(|(id, _)| *id).collect();
    let mut rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(&page))
        .select(ArticleRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|row| page.iter().position(|id| *id == row.id));
    let next = (end < candidates.len())
        .then(|| {
            rows.last()
                .map(|row| Cursor::after(Sort::Relevance, row, offset + limit))
        })
        .flatten();
    Ok(ArticleList {
        records: with_relations(conn, rows)?,
        next,
        total,
    })
}
