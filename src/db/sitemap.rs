//! What sitemaps list: every public article's address parts, read in id order a
//! chunk at a time, so that a sitemap of a million articles is streamed rather
//! than held.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::translations::public_members;
use super::articles::Member;
use super::articles::{visible, Visibility};
use super::schema::{article_assets, articles, assets, sections};
use super::{now, AnyConnection};
use crate::error::ApiResult;

/// An article as a sitemap shows it.
#[derive(Debug, Clone)]
pub struct Located {
    pub id: i32,
    pub public_id: String,
    pub slug: String,
    /// Its section's slug.
    pub section: Option<String>,
    pub language: String,
    pub title: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Its cover asset's public id.
    pub cover: Option<String>,
    /// Every public version of its story, itself included, when there are several.
    pub versions: Vec<Member>,
}

/// The columns of an article a sitemap reads (never the bodies).
#[derive(Queryable, Selectable)]
#[diesel(table_name = articles)]
struct Row {
    id: i32,
    public_id: String,
    slug: String,
    section_id: Option<i32>,
    language: String,
    title: String,
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    translation_group: String,
}

/// How many articles the public can read now.
pub fn public_count(conn: &mut AnyConnection) -> ApiResult<i64> {
    Ok(visible(Visibility::Public, now())
        .count()
        .get_result(conn)?)
}

/// The id just before the `ordinal`th public article (from 0) in id order: where
/// a shard starting with that article begins reading; `None` when there are not
/// that many articles. The first shard (`ordinal` 0) always exists.
pub fn start_of(conn: &mut AnyConnection, ordinal: i64) -> ApiResult<Option<i32>> {
    if ordinal == 0 {
        return Ok(Some(0));
    }
    let ids: Vec<i32> = visible(Visibility::Public, now())
        .select(articles::id)
        .order(articles::id)
        .offset(ordinal - 1)
        .limit(2)
        .load(conn)?;
    Ok(match ids[..] {
        [before, _first] => Some(before),
        _ => None,
    })
}

/// Up to `limit` public articles with ids after `after_id`, in id order.
pub fn after(conn: &mut AnyConnection, after_id: i32, limit: i64) -> ApiResult<Vec<Located>> {
    let rows: Vec<Row> = visible(Visibility::Public, now())
        .filter(articles::id.gt(after_id))
        .order(articles::id)
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?;
    located(conn, rows)
}

/// The public articles published at or after `since`, newest first, at most `limit`.
pub fn published_since(
    conn: &mut AnyConnection,
    since: NaiveDateTime,
    limit: i64,
) -> ApiResult<Vec<Located>> {
    let rows: Vec<Row> = visible(Visibility::Public, now())
        .filter(articles::published_at.ge(since))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?;
    located(conn, rows)
}

/// Rows with their sections' slugs and their covers, looked up once for the chunk.
fn located(conn: &mut AnyConnection, rows: Vec<Row>) -> ApiResult<Vec<Located>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let covers: HashMap<i32, String> = article_assets::table
        .inner_join(assets::table)
        .filter(article_assets::role.eq("cover"))
        .filter(article_assets::article_id.eq_any(ids))
        .select((article_assets::article_id, assets::public_id))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let groups: Vec<String> = rows.iter().map(|r| r.translation_group.clone()).collect();
    let mut versions = public_members(conn, &groups, now())?;
    versions.retain(|_, members| members.len() > 1);
    let mut section_ids: Vec<i32> = rows.iter().filter_map(|r| r.section_id).collect();
    section_ids.sort_unstable();
    section_ids.dedup();
    let slugs: HashMap<i32, String> = if section_ids.is_empty() {
        HashMap::new()
    } else {
        sections::table
            .filter(sections::id.eq_any(section_ids))
            .select((sections::id, sections::slug))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| Located {
            section: row.section_id.and_then(|s| slugs.get(&s).cloned()),
            cover: covers.get(&row.id).cloned(),
            versions: versions
                .get(&row.translation_group)
                .cloned()
                .unwrap_or_default(),
            id: row.id,
            public_id: row.public_id,
            slug: row.slug,
            language: row.language,
            title: row.title,
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
        .collect())
}
