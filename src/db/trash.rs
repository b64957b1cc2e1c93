//! The trash: deleted articles, restorable until purged. A deleted article leaves
//! the live tables entirely (so no read has to filter it out); its last revision
//! holds its content and this table holds its identity.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::{self, ArticleRecord, Origin, Visibility};
use super::schema::article_trash;
use super::{now, revisions, AnyConnection, PageRequest};
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_trash)]
pub struct TrashRow {
    pub article_id: i32,
    pub public_id: String,
    pub slug: String,
    pub title: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub first_published_at: Option<NaiveDateTime>,
    pub deleted_at: NaiveDateTime,
    pub deleted_by: String,
}

/// Moves the article at `slug` to the trash.
pub fn put(conn: &mut AnyConnection, slug: &str, actor: &str) -> ApiResult<()> {
    let current = articles::find_current(conn, slug)?;
    revisions::ensure_recorded(conn, &current)?;
    let row = &current.row;
    diesel::insert_into(article_trash::table)
        .values((
            article_trash::article_id.eq(row.id),
            article_trash::public_id.eq(&row.public_id),
            article_trash::slug.eq(&row.slug),
            article_trash::title.eq(&row.title),
            article_trash::version.eq(row.version),
            article_trash::created_at.eq(row.created_at),
            article_trash::first_published_at.eq(row.first_published_at),
            article_trash::deleted_at.eq(now()),
            article_trash::deleted_by.eq(actor),
        ))
        .execute(conn)?;
    articles::remove(conn, row.id)
}

fn by_public_id(conn: &mut AnyConnection, public_id: &str) -> ApiResult<TrashRow> {
    article_trash::table
        .filter(article_trash::public_id.eq(public_id))
        .select(TrashRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("no article with id {public_id} in the trash")))
}

/// Brings an article back as its last revision left it, with its id, slug and
/// dates; the restore is itself a new revision.
pub fn restore(conn: &mut AnyConnection, public_id: &str, actor: &str) -> ApiResult<ArticleRecord> {
    let trashed = by_public_id(conn, public_id)?;
    let snapshot = revisions::last(conn, trashed.article_id)?.snapshot()?;
    diesel::delete(article_trash::table.find(trashed.article_id)).execute(conn)?;
    let origin = Origin {
        id: Some(trashed.article_id),
        public_id: trashed.public_id,
        created_at: trashed.created_at,
        first_published_at: trashed.first_published_at,
        version: trashed.version + 1,
    };
    articles::recreate(conn, origin, snapshot, actor)
}

/// Newest deletions first, with the total count.
pub fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<TrashRow>, i64)> {
    let total = article_trash::table.count().get_result(conn)?;
    let rows = article_trash::table
        .order((
            article_trash::deleted_at.desc(),
            article_trash::article_id.desc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .select(TrashRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Removes for good what was deleted before `cutoff`, revisions included.
/// Returns how many articles were purged.
pub fn purge(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> ApiResult<usize> {
    let ids: Vec<i32> = article_trash::table
        .filter(article_trash::deleted_at.lt(cutoff))
        .select(article_trash::article_id)
        .load(conn)?;
    for id in &ids {
        revisions::remove_all(conn, *id)?;
        diesel::delete(article_trash::table.find(*id)).execute(conn)?;
    }
    Ok(ids.len())
}

/// The largest article id in the trash.
pub fn max_id(conn: &mut AnyConnection) -> ApiResult<Option<i32>> {
    Ok(article_trash::table
        .select(diesel::dsl::max(article_trash::article_id))
        .first(conn)?)
}

pub fn holds_slug(conn: &mut AnyConnection, slug: &str) -> ApiResult<bool> {
    let n: i64 = article_trash::table
        .filter(article_trash::slug.eq(slug))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn holds_public_id(conn: &mut AnyConnection, public_id: &str) -> ApiResult<bool> {
    let n: i64 = article_trash::table
        .filter(article_trash::public_id.eq(public_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether `slug` was deleted, as far as this reader can tell: the public only
/// learns it of articles that had been published, writers of drafts too.
pub fn gone(conn: &mut AnyConnection, slug: &str, visibility: Visibility) -> ApiResult<bool> {
    let query = article_trash::table
        .filter(article_trash::slug.eq(slug))
        .into_boxed();
    let query = match visibility {
        Visibility::Preview => query,
        Visibility::Public => query.filter(article_trash::first_published_at.is_not_null()),
    };
    let n: i64 = query.count().get_result(conn)?;
    Ok(n > 0)
}
