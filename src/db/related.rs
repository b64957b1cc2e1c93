//! Articles related to another: those sharing its tags weigh most, then its section.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::articles::{visible, with_relations, ArticleRecord, ArticleRow, Visibility};
use super::schema::{article_tags, articles};
use super::{now, AnyConnection};
use crate::error::ApiResult;

const TAG_WEIGHT: i64 = 3;
const SECTION_WEIGHT: i64 = 1;
/// How many same-section articles are considered, newest first.
const SECTION_CANDIDATES: i64 = 200;

/// Up to `limit` visible articles related to `article`, most related first, then newest.
pub fn related(
    conn: &mut AnyConnection,
    article: &ArticleRow,
    visibility: Visibility,
    limit: usize,
) -> ApiResult<Vec<ArticleRecord>> {
    let at = now();
    let tag_ids: Vec<i32> = article_tags::table
        .filter(article_tags::article_id.eq(article.id))
        .select(article_tags::tag_id)
        .load(conn)?;
    let mut scores: HashMap<i32, i64> = HashMap::new();
    if !tag_ids.is_empty() {
        // Candidates the caller may not see are dropped when the rows are loaded.
        let shared: Vec<(i32, i64)> = article_tags::table
            .filter(article_tags::tag_id.eq_any(&tag_ids))
            .filter(article_tags::article_id.ne(article.id))
            .group_by(article_tags::article_id)
            .select((article_tags::article_id, count_star()))
            .load(conn)?;
        for (id, count) in shared {
            *scores.entry(id).or_insert(0) += TAG_WEIGHT * count;
        }
    }
    if let Some(section) = article.section_id {
        let same: Vec<i32> = visible(visibility, at)
            .filter(articles::section_id.eq(section))
            .filter(articles::id.ne(article.id))
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(SECTION_CANDIDATES)
            .select(articles::id)
            .load(conn)?;
        for id in same {
            *scores.entry(id).or_insert(0) += SECTION_WEIGHT;
        }
    }
    if scores.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = scores.keys().copied().collect();
    let mut rows: Vec<ArticleRow> = visible(visibility, at)
        .filter(articles::id.eq_any(ids))
        .select(ArticleRow::as_select())
        .load(conn)?;
    rows.sort_by(|a, b| {
        scores[&b.id]
            .cmp(&scores[&a.id])
            .then(b.published_at.cmp(&a.published_at))
            .then(b.id.cmp(&a.id))
    });
    rows.truncate(limit);
    with_relations(conn, rows)
}
