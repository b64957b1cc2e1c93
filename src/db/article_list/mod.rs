//! The article list query: filters, date ranges, sort orders and keyset pagination.

use diesel::prelude::*;

use super::articles::{records_in_order, Parts, Visibility};
use super::schema::articles;
use super::{now, AnyConnection};
use crate::error::ApiResult;

mod conditions;
mod cursor;
mod filter;
mod page;
mod ranked;

pub use conditions::section_ids;
use conditions::{count_if, Query};
pub(in crate::db) use conditions::{filtered, matches, Reading};
pub use cursor::Cursor;
pub use filter::{ArticleFilter, DateField, DateRange, Sort, Until, MAX_RELEVANCE_OFFSET};
pub use page::{ArticleList, Window};
use ranked::ranked;

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
