//! How many published articles each section, tag or author has: one grouped query per page.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::articles::Status;
use super::schema::{article_authors, article_tags, articles};
use super::{now, AnyConnection};
use crate::error::ApiResult;

#[derive(Debug, Clone, Copy)]
pub enum Taxonomy {
    Section,
    Tag,
    Author,
}

/// Published, visible article counts for the given ids (absent ids have none).
pub fn published(
    conn: &mut AnyConnection,
    taxonomy: Taxonomy,
    ids: &[i32],
) -> ApiResult<HashMap<i32, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let at = now();
    let public = articles::status
        .eq(Status::Published.as_str())
        .and(articles::published_at.le(at));
    let rows: Vec<(i32, i64)> = match taxonomy {
        Taxonomy::Section => articles::table
            .filter(public)
            .filter(articles::section_id.eq_any(ids))
            .group_by(articles::section_id)
            .select((articles::section_id.assume_not_null(), count_star()))
            .load(conn)?,
        Taxonomy::Tag => article_tags::table
            .inner_join(articles::table)
            .filter(public)
            .filter(article_tags::tag_id.eq_any(ids))
            .group_by(article_tags::tag_id)
            .select((article_tags::tag_id, count_star()))
            .load(conn)?,
        Taxonomy::Author => article_authors::table
            .inner_join(articles::table)
            .filter(public)
            .filter(article_authors::author_id.eq_any(ids))
            .group_by(article_authors::author_id)
            .select((article_authors::author_id, count_star()))
            .load(conn)?,
    };
    Ok(rows.into_iter().collect())
}

/// An item with its number of published articles.
#[derive(Debug, Clone)]
pub struct Counted<T> {
    pub item: T,
    pub article_count: i64,
}

/// Pairs each item with its published article count.
pub fn attach<T>(
    conn: &mut AnyConnection,
    taxonomy: Taxonomy,
    items: Vec<T>,
    id_of: impl Fn(&T) -> i32,
) -> ApiResult<Vec<Counted<T>>> {
    let ids: Vec<i32> = items.iter().map(&id_of).collect();
    let counts = published(conn, taxonomy, &ids)?;
    Ok(items
        .into_iter()
        .map(|item| {
            let article_count = counts.get(&id_of(&item)).copied().unwrap_or(0);
            Counted {
                item,
                article_count,
            }
        })
        .collect())
}

/// [`attach`] for a single item.
pub fn attach_one<T>(
    conn: &mut AnyConnection,
    taxonomy: Taxonomy,
    item: T,
    id_of: impl Fn(&T) -> i32,
) -> ApiResult<Counted<T>> {
    let mut all = attach(conn, taxonomy, vec![item], id_of)?;
    all.pop()
        .ok_or_else(|| crate::error::ApiError::Internal("counted item vanished".into()))
}
