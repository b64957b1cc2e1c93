//! Finding articles by slug or public id.

use diesel::dsl::{exists, select};
use diesel::prelude::*;

use super::read::{records, Parts};
use super::rows::{visible, ArticleRecord, Lookup, Visibility};
use super::translations::LocaleChain;
use super::trashed;
use crate::content::ids::ArticleId;
use crate::db::schema::{article_slug_redirects, articles};
use crate::db::{now, AnyConnection};
use crate::error::{ApiError, ApiResult};

/// Whether a live article has this slug as its own.
fn live_article_has(conn: &mut AnyConnection, slug: &str) -> ApiResult<bool> {
    Ok(select(exists(articles::table.filter(articles::slug.eq(slug)))).get_result(conn)?)
}

/// Which of these slugs a live article or one in the trash (which may come back) has.
pub(super) fn slugs_taken(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    let mut taken: Vec<String> = articles::table
        .filter(articles::slug.eq_any(slugs))
        .select(articles::slug)
        .load(conn)?;
    taken.extend(trashed::slugs_held(conn, slugs)?);
    Ok(taken)
}

/// Whether a live article has this slug, as its own or as an old one.
pub(in crate::db) fn slug_in_use(conn: &mut AnyConnection, slug: &str) -> ApiResult<bool> {
    Ok(live_article_has(conn, slug)?
        || select(exists(article_slug_redirects::table.find(slug))).get_result(conn)?)
}

/// Finds an article by its current slug, or by a former one, with the `parts` a
/// response shows.
pub fn find(
    conn: &mut AnyConnection,
    slug: &str,
    visibility: Visibility,
    parts: Parts,
) -> ApiResult<Lookup> {
    let at = now();
    let query = visible(visibility, at).filter(articles::slug.eq(slug.to_owned()));
    if let Some(record) = records(conn, query, parts)?.pop() {
        return Ok(Lookup::Found(Box::new(record)));
    }
    let moved: Option<String> = visible(visibility, at)
        .inner_join(article_slug_redirects::table)
        .filter(article_slug_redirects::slug.eq(slug.to_owned()))
        .select(articles::slug)
        .first(conn)
        .optional()?;
    if let Some(current) = moved {
        return Ok(Lookup::MovedTo(current));
    }
    // A deleted article is gone, not unknown, to anyone who could have seen it.
    if trashed::gone(conn, slug, visibility)? {
        return Err(ApiError::Gone(format!("the article {slug:?} was deleted")));
    }
    Err(ApiError::NotFound(format!("there is no article {slug:?}")))
}

/// Finds an article by its current slug, drafts included, for writers.
pub fn find_current(conn: &mut AnyConnection, slug: &str) -> ApiResult<ArticleRecord> {
    match find(conn, slug, Visibility::Preview, Parts::ALL)? {
        Lookup::Found(record) => Ok(*record),
        Lookup::MovedTo(current) => Err(ApiError::NotFound(format!(
            "the article {slug:?} is now at {current:?}; use its current slug"
        ))),
    }
}

/// The article with this public id, if any (drafts included).
pub fn find_by_public_id(
    conn: &mut AnyConnection,
    public_id: &ArticleId,
) -> ApiResult<Option<String>> {
    Ok(articles::table
        .filter(articles::public_id.eq(public_id.as_str()))
        .select(articles::slug)
        .first(conn)
        .optional()?)
}

/// How many articles exist at all (the demo loader's "is the database empty?").
pub fn count_all(conn: &mut AnyConnection) -> ApiResult<i64> {
    Ok(articles::table.count().get_result(conn)?)
}

/// The version of the story a slug names that `chain` prefers among those
/// `visibility` lets through; the one the slug names when none is in the chain.
pub fn find_version(
    conn: &mut AnyConnection,
    slug: &str,
    chain: &LocaleChain,
    visibility: Visibility,
    parts: Parts,
) -> ApiResult<Lookup> {
    let at = now();
    let group: Option<String> = visible(visibility, at)
        .filter(articles::slug.eq(slug.to_owned()))
        .select(articles::translation_group)
        .first(conn)
        .optional()?;
    if let Some(group) = group {
        // A story in none of the reader's languages is read in the version asked for.
        let query = visible(visibility, at)
            .filter(articles::translation_group.eq(group))
            .filter(chain.languages())
            .filter(chain.best_versions(visibility, at));
        if let Some(record) = records(conn, query, parts)?.pop() {
            return Ok(Lookup::Found(Box::new(record)));
        }
    }
    find(conn, slug, visibility, parts)
}
