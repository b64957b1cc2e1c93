//! What the trash holds, as writing and finding articles must know it: slugs and
//! public ids that may come back, ids not to hand out again, slugs that are gone.

use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::select;
use diesel::sql_types::Bool;

use super::rows::Visibility;
use crate::content::ids::ArticleId;
use crate::db::schema::{article_trash, trash_slug_redirects};
use crate::db::AnyConnection;
use crate::error::ApiResult;

/// The largest article id in the trash.
pub fn max_id(conn: &mut AnyConnection) -> ApiResult<Option<i32>> {
    Ok(article_trash::table
        .select(diesel::dsl::max(article_trash::article_id))
        .first(conn)?)
}

/// Which of these slugs an article in the trash has.
pub fn slugs_held(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    Ok(article_trash::table
        .filter(article_trash::slug.eq_any(slugs))
        .select(article_trash::slug)
        .load(conn)?)
}

pub fn holds_public_id(conn: &mut AnyConnection, public_id: &ArticleId) -> ApiResult<bool> {
    Ok(select(exists(
        article_trash::table.filter(article_trash::public_id.eq(public_id.as_str())),
    ))
    .get_result(conn)?)
}

/// Whether `slug` (or one of its old slugs) was deleted, as far as this reader can
/// tell: the public only learns it of articles that had been public before they
/// were deleted (a scheduled article deleted before its time never was: its slug
/// stays a secret), writers of drafts too.
pub fn gone(conn: &mut AnyConnection, slug: &str, visibility: Visibility) -> ApiResult<bool> {
    let seen = (visibility == Visibility::Preview).into_sql::<Bool>();
    let was_public = article_trash::first_published_at
        .le(article_trash::deleted_at.nullable())
        .assume_not_null();
    let by_slug = article_trash::table
        .filter(article_trash::slug.eq(slug))
        .filter(was_public.or(seen));
    let by_old_slug = article_trash::table
        .inner_join(trash_slug_redirects::table)
        .filter(trash_slug_redirects::slug.eq(slug))
        .filter(was_public.or(seen));
    Ok(select(exists(by_slug).or(exists(by_old_slug))).get_result(conn)?)
}
