//! The trash: deleted articles, restorable until purged. A deleted article leaves
//! the live tables entirely (so no read has to filter it out); its last revision
//! holds its content and this table holds its identity.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::{self, ArticleRecord, Origin};
use super::articles::{revisions, schedule};
use super::changes::{self, Action, Change, Resource};
use super::schema::{article_slug_redirects, article_trash, trash_slug_redirects};
use super::{now, AnyConnection, PageRequest};
use crate::content::ids::ArticleId;
use crate::db::commit;
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
    schedule::announce_if_due(conn, row)?;
    articles::log_change(
        conn,
        row,
        Action::Deleted,
        (None, Vec::new()),
        Vec::new(),
        actor,
    )?;
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
    // The article's old slugs leave with it (the live redirects cascade away).
    diesel::insert_into(trash_slug_redirects::table)
        .values(
            article_slug_redirects::table
                .filter(article_slug_redirects::article_id.eq(row.id))
                .select((
                    article_slug_redirects::slug,
                    article_slug_redirects::article_id,
                    article_slug_redirects::created_at,
                )),
        )
        .into_columns((
            trash_slug_redirects::slug,
            trash_slug_redirects::article_id,
            trash_slug_redirects::created_at,
        ))
        .execute(conn)?;
    articles::remove(conn, row.id)
}

fn by_public_id(conn: &mut AnyConnection, public_id: &ArticleId) -> ApiResult<TrashRow> {
    article_trash::table
        .filter(article_trash::public_id.eq(public_id.as_str()))
        .select(TrashRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("no article with id {public_id} in the trash")))
}

/// Brings an article back as its last revision left it, with its id, slug and
/// dates; the restore is itself a new revision.
pub fn restore(
    conn: &mut AnyConnection,
    public_id: &ArticleId,
    actor: &str,
) -> ApiResult<ArticleRecord> {
    let trashed = by_public_id(conn, public_id)?;
    let snapshot = revisions::last(conn, trashed.article_id)?.snapshot()?;
    let old_slugs: Vec<(String, NaiveDateTime)> = trash_slug_redirects::table
        .filter(trash_slug_redirects::article_id.eq(trashed.article_id))
        .select((trash_slug_redirects::slug, trash_slug_redirects::created_at))
        .load(conn)?;
    diesel::delete(article_trash::table.find(trashed.article_id)).execute(conn)?;
    let origin = Origin {
        id: Some(trashed.article_id),
        translation_group: snapshot
            .translation_group
            .clone()
            .unwrap_or_else(|| trashed.public_id.clone()),
        public_id: trashed.public_id,
        created_at: trashed.created_at,
        first_published_at: trashed.first_published_at,
        version: commit::next_version(trashed.version),
    };
    let record = articles::recreate(conn, origin, snapshot, actor)?;
    articles::log_change(
        conn,
        &record.row,
        Action::Restored,
        (None, Vec::new()),
        Vec::new(),
        actor,
    )?;
    // An old slug another article took meanwhile stays with that article.
    for (slug, created_at) in old_slugs {
        if !articles::slug_in_use(conn, &slug)? {
            diesel::insert_into(article_slug_redirects::table)
                .values((
                    article_slug_redirects::slug.eq(&slug),
                    article_slug_redirects::article_id.eq(record.row.id),
                    article_slug_redirects::created_at.eq(created_at),
                ))
                .execute(conn)?;
        }
    }
    Ok(record)
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
pub fn purge(conn: &mut AnyConnection, cutoff: NaiveDateTime, actor: &str) -> ApiResult<usize> {
    let purged: Vec<TrashRow> = article_trash::table
        .filter(article_trash::deleted_at.lt(cutoff))
        .select(TrashRow::as_select())
        .load(conn)?;
    for row in &purged {
        revisions::remove_all(conn, row.article_id)?;
        diesel::delete(article_trash::table.find(row.article_id)).execute(conn)?;
        changes::append(
            conn,
            Change {
                resource: Resource::Article,
                resource_id: row.article_id,
                public_id: &row.public_id,
                slug: &row.slug,
                previous_slug: None,
                version: row.version,
                action: Action::Purged,
                actor,
                fields: Vec::new(),
                // The trash keeps neither; only unfiltered subscriptions hear of purges.
                section_id: None,
                language: None,
                implied: false,
                scope_before: Vec::new(),
            },
        )?;
    }
    Ok(purged.len())
}
