//! The commit layer: the one place that writes what a write leaves behind. A
//! write changes its own rows and hands this layer what it did: the change for
//! the log (with the keys of the cached responses it purges), the entry for the
//! audit log, the article's revision, its search index entry, and the
//! resource's next version. Sync, webhooks, the stream, purges, caches, search
//! and the audit only read what is written here, and a test
//! (`tests/architecture.rs`) fails if any other module writes to the change log,
//! the revisions or the search index, or counts a version up itself.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::purge_keys;
use super::schema::{article_revisions, changes};
use super::search_index::{self, Entry as IndexEntry};
use super::{dialect, now, AnyConnection};
use crate::content::change::Change;
use crate::error::{ApiError, ApiResult};
use crate::surrogate::SurrogateKeys;

/// The version a resource at `version` has once written: every write counts one up.
pub fn next_version(version: i32) -> i32 {
    version + 1
}

/// Appends a change to the log inside the caller's write transaction; returns
/// its number.
pub fn change(conn: &mut AnyConnection, change: Change<'_>) -> ApiResult<i64> {
    let fields = serde_json::to_string(&change.fields)
        .map_err(|e| ApiError::Internal(format!("cannot encode changed fields: {e}")))?;
    let purge_keys = purge_keys::of(conn, &change)?.to_header();
    Ok(diesel::insert_into(changes::table)
        .values((
            changes::resource.eq(change.resource.as_str()),
            changes::resource_id.eq(change.resource_id),
            changes::public_id.eq(change.public_id),
            changes::slug.eq(change.slug),
            changes::previous_slug.eq(change.previous_slug),
            changes::version.eq(change.version),
            changes::action.eq(change.action.as_str()),
            changes::actor.eq(change.actor),
            changes::changed_at.eq(now()),
            changes::fields.eq(fields),
            changes::section_id.eq(change.section_id),
            changes::language.eq(change.language),
            changes::implied.eq(change.implied),
            changes::purge_keys.eq(purge_keys),
        ))
        .returning(changes::seq)
        .get_result(conn)?)
}

/// An entry of the audit log about something that is not content (a token, a
/// webhook subscription, an asset): sync, the stream and webhooks skip it.
pub struct Entry<'a> {
    /// What kind of thing, as the log names it (`token`, `webhook`, `asset`).
    pub kind: &'a str,
    pub id: i32,
    pub public_id: &'a str,
    /// How the audit log shows it: a name, a URL, a file name.
    pub name: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
    /// When it was done; now when `None`.
    pub at: Option<NaiveDateTime>,
    /// The cached responses it changes.
    pub purges: &'a SurrogateKeys,
}

/// Writes an audit entry inside the caller's transaction.
pub fn entry(conn: &mut AnyConnection, entry: Entry<'_>) -> ApiResult<()> {
    diesel::insert_into(changes::table)
        .values((
            changes::resource.eq(entry.kind),
            changes::resource_id.eq(entry.id),
            changes::public_id.eq(entry.public_id),
            changes::slug.eq(entry.name),
            changes::version.eq(0),
            changes::action.eq(entry.action),
            changes::actor.eq(entry.actor),
            changes::changed_at.eq(entry.at.unwrap_or_else(now)),
            changes::fields.eq("[]"),
            changes::purge_keys.eq(entry.purges.to_header()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One revision of an article: its number is the version it records.
pub struct Revision<'a> {
    pub article_id: i32,
    pub number: i32,
    pub created_at: NaiveDateTime,
    pub actor: &'a str,
    /// The fields changed since the revision before, as JSON.
    pub changed: String,
    /// The article as it was, as JSON.
    pub snapshot: String,
}

/// Keeps a revision inside the caller's transaction.
pub fn revision(conn: &mut AnyConnection, revision: Revision<'_>) -> ApiResult<()> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(revision.article_id),
            article_revisions::number.eq(revision.number),
            article_revisions::created_at.eq(revision.created_at),
            article_revisions::actor.eq(revision.actor),
            article_revisions::changed.eq(revision.changed),
            article_revisions::snapshot.eq(revision.snapshot),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes (or rewrites) articles' search index entries inside the caller's
/// transaction. An import hands over a whole batch's at its end: SQLite's
/// full-text index writes what it holds to disk as a new segment at every
/// savepoint, which a bulk import takes for each article, so entries written
/// together make one segment, not one per article to be merged again and again.
pub fn index(conn: &mut AnyConnection, entries: &[IndexEntry]) -> ApiResult<()> {
    let dialect = dialect::of(conn);
    for entry in entries {
        dialect.index(conn, entry.article_id, &entry.terms)?;
    }
    Ok(())
}

/// Takes an article out of the search index inside the caller's transaction.
pub fn unindex(conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
    diesel::sql_query(dialect::of(conn).unindex_sql())
        .bind::<diesel::sql_types::Integer, _>(article_id)
        .execute(conn)?;
    Ok(())
}

/// Indexes every article the search index lacks, one at a time so that a
/// rebuild of a large archive holds one entry in memory; returns how many.
pub fn index_missing(conn: &mut AnyConnection) -> ApiResult<usize> {
    let missing = search_index::unindexed(conn)?;
    for id in &missing {
        let entry = search_index::entry_of(conn, *id)?;
        index(conn, &[entry])?;
    }
    Ok(missing.len())
}
