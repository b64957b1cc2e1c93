//! Article revisions: every saved version of an article, written in the same
//! transaction as the change, so a version and its record are kept or lost together.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::rows::{ArticleChanges, ArticleRecord, Status};
use crate::db::commit::{self, Revision};
use crate::db::schema::article_revisions;
use crate::db::{now, AnyConnection, PageRequest};
use crate::error::{ApiError, ApiResult};

/// The editable state of an article at one version: what a restore brings back.
/// Section, tags and authors are named by slug, as the API names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub slug: String,
    pub title: String,
    pub standfirst: Option<String>,
    pub body: String,
    pub language: String,
    pub status: String,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub published_at: Option<NaiveDateTime>,
    /// The metadata object as stored, byte for byte.
    pub metadata: String,
    /// The cover asset's public id (absent from revisions saved before covers existed).
    #[serde(default)]
    pub cover: Option<String>,
    /// The story it is a version of (absent from revisions saved before translations).
    #[serde(default)]
    pub translation_group: Option<String>,
}

impl From<&ArticleRecord> for Snapshot {
    fn from(record: &ArticleRecord) -> Self {
        let row = &record.row;
        Snapshot {
            slug: row.slug.clone(),
            title: row.title.clone(),
            standfirst: row.standfirst.clone(),
            body: row.body.clone(),
            language: row.language.clone(),
            status: row.status.clone(),
            section: record.section.as_ref().map(|s| s.slug.clone()),
            tags: record.tags.iter().map(|t| t.slug.clone()).collect(),
            authors: record.authors.iter().map(|a| a.slug.clone()).collect(),
            published_at: row.published_at,
            metadata: row.metadata.clone(),
            cover: record.assets.cover.as_ref().map(|a| a.public_id.clone()),
            translation_group: Some(row.translation_group.clone()),
        }
    }
}

impl Snapshot {
    /// The names of the fields whose values differ, in the API's order.
    pub fn changed_from(&self, before: &Snapshot) -> Vec<&'static str> {
        let differs = [
            ("slug", self.slug != before.slug),
            ("title", self.title != before.title),
            ("standfirst", self.standfirst != before.standfirst),
            ("body", self.body != before.body),
            ("language", self.language != before.language),
            ("status", self.status != before.status),
            ("section", self.section != before.section),
            ("tags", self.tags != before.tags),
            ("authors", self.authors != before.authors),
            ("published_at", self.published_at != before.published_at),
            ("metadata", self.metadata != before.metadata),
            ("cover", self.cover != before.cover),
            (
                "translation_group",
                self.translation_group != before.translation_group,
            ),
        ];
        differs
            .into_iter()
            .filter(|(_, d)| *d)
            .map(|(name, _)| name)
            .collect()
    }

    pub fn status(&self) -> ApiResult<Status> {
        Status::parse(&self.status).ok_or_else(|| {
            ApiError::Internal(format!("a revision has the status {:?}", self.status))
        })
    }

    /// The update that makes an article look like this snapshot again.
    pub fn into_changes(self) -> ApiResult<ArticleChanges> {
        let status = self.status()?;
        Ok(ArticleChanges {
            slug: Some(self.slug),
            title: Some(self.title),
            standfirst: Some(self.standfirst),
            body: Some(self.body),
            language: Some(Some(self.language)),
            status: Some(status),
            section: Some(self.section),
            tags: Some(self.tags),
            authors: Some(self.authors),
            published_at: Some(self.published_at),
            metadata: Some(self.metadata),
            cover: Some(self.cover),
            // A version restored stays in the story it is in now.
            translation: None,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions)]
pub struct RevisionRow {
    pub article_id: i32,
    pub number: i32,
    pub created_at: NaiveDateTime,
    pub actor: String,
    pub changed: String,
    pub snapshot: String,
}

impl RevisionRow {
    pub fn snapshot(&self) -> ApiResult<Snapshot> {
        serde_json::from_str(&self.snapshot).map_err(|e| {
            ApiError::Internal(format!(
                "revision {} of article {} is unreadable: {e}",
                self.number, self.article_id
            ))
        })
    }

    pub fn changed(&self) -> Vec<String> {
        serde_json::from_str(&self.changed).unwrap_or_default()
    }
}

fn latest(conn: &mut AnyConnection, article_id: i32) -> ApiResult<Option<RevisionRow>> {
    Ok(article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::number.desc())
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()?)
}

fn insert(
    conn: &mut AnyConnection,
    article_id: i32,
    number: i32,
    created_at: NaiveDateTime,
    actor: &str,
    changed: &[&str],
    snapshot: &Snapshot,
) -> ApiResult<()> {
    let encode = |value: serde_json::Result<String>| {
        value.map_err(|e| ApiError::Internal(format!("cannot encode a revision: {e}")))
    };
    commit::revision(
        conn,
        Revision {
            article_id,
            number,
            created_at,
            actor,
            changed: encode(serde_json::to_string(changed))?,
            snapshot: encode(serde_json::to_string(snapshot))?,
        },
    )
}

/// Records the article as it now is, as revision number `version`, with the
/// fields that changed since the previous revision.
pub fn record(conn: &mut AnyConnection, record: &ArticleRecord, actor: &str) -> ApiResult<()> {
    let snapshot = Snapshot::from(record);
    let changed = match latest(conn, record.row.id)? {
        Some(previous) => snapshot.changed_from(&previous.snapshot()?),
        None => Vec::new(),
    };
    insert(
        conn,
        record.row.id,
        record.row.version,
        now(),
        actor,
        &changed,
        &snapshot,
    )
}

/// Articles saved before revisions were kept have no record of their current
/// version: keep it before it is changed, so the change can be undone.
pub fn ensure_recorded(conn: &mut AnyConnection, record: &ArticleRecord) -> ApiResult<()> {
    let known = latest(conn, record.row.id)?.is_some_and(|r| r.number == record.row.version);
    if known {
        return Ok(());
    }
    insert(
        conn,
        record.row.id,
        record.row.version,
        record.row.updated_at,
        "unknown",
        &[],
        &Snapshot::from(record),
    )
}

/// Newest first, with the total count.
pub fn list(
    conn: &mut AnyConnection,
    article_id: i32,
    page: PageRequest,
) -> ApiResult<(Vec<RevisionRow>, i64)> {
    let total = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .count()
        .get_result(conn)?;
    let rows = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::number.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(RevisionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn get(conn: &mut AnyConnection, article_id: i32, number: i32) -> ApiResult<RevisionRow> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::number.eq(number))
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("this article has no revision {number}")))
}

/// The last revision of an article, which a restore from the trash brings back.
pub fn last(conn: &mut AnyConnection, article_id: i32) -> ApiResult<RevisionRow> {
    latest(conn, article_id)?.ok_or_else(|| {
        ApiError::Internal(format!("article {article_id} has no revision to restore"))
    })
}

/// Forgets every revision of an article (when it is purged for good).
pub fn remove_all(conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
    diesel::delete(article_revisions::table.filter(article_revisions::article_id.eq(article_id)))
        .execute(conn)?;
    Ok(())
}
