//! Writing articles: create, update, recreate from a snapshot and remove, each
//! with its links, search index entry, revision and change-log row in the caller's
//! transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::change_log::{log_change, standing};
use super::derived::{self, DerivedBody};
use super::find::{find_by_public_id, find_current, slugs_taken};
use super::links::{link_assets, section_id, set_links};
use super::rows::{ArticleChanges, ArticleRecord, ArticleRow, NewArticle, Status};
use super::{story, trashed};
use crate::content::fold::fold;
use crate::content::ids::ArticleId;
use crate::content::{language, markdown};

use super::revisions::{self, Snapshot};
use super::schedule;
use crate::db::changes::{self};
use crate::db::commit;
use crate::db::schema::{article_slug_redirects, articles};
use crate::db::AnyConnection;
use crate::db::{now, search_index};
use crate::error::{ApiError, ApiResult};

/// The columns of a full row written on create and update; derived fields included.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = articles, treat_none_as_null = true)]
struct ArticleWrite {
    slug: String,
    title: String,
    standfirst: Option<String>,
    body: String,
    body_html: String,
    excerpt: String,
    language: String,
    status: String,
    section_id: Option<i32>,
    word_count: i32,
    reading_time_minutes: i32,
    metadata: String,
    published_at: Option<NaiveDateTime>,
    first_published_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
    title_key: String,
    blocks: String,
}

impl ArticleWrite {
    /// The article's search index entry as this write leaves it.
    fn index_entry(&self, article_id: i32) -> search_index::Entry {
        search_index::entry(
            article_id,
            &self.title,
            self.standfirst.as_deref(),
            &self.body,
            &self.language,
        )
    }
}

/// The editable state of an article before derived fields are computed.
struct Fields {
    slug: String,
    title: String,
    standfirst: Option<String>,
    body: String,
    language: Option<String>,
    status: Status,
    section_id: Option<i32>,
    published_at: Option<NaiveDateTime>,
    first_published_at: Option<NaiveDateTime>,
    metadata: String,
}

impl Fields {
    /// Computes the derived columns: HTML, excerpt, language, reading stats and publication dates.
    fn into_write(self, t: NaiveDateTime) -> ArticleWrite {
        let DerivedBody { body_html, blocks } = derived::body(&self.body);
        let excerpt = match self
            .standfirst
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(standfirst) => markdown::truncate_words(standfirst, 280),
            None => markdown::excerpt(&self.body),
        };
        let language = self.language.unwrap_or_else(|| {
            let sample = format!("{}\n{}", self.title, markdown::plain_text(&self.body));
            language::detect(&sample)
        });
        let (word_count, reading_time_minutes) = markdown::reading_stats(&self.body);
        // Publishing without a date publishes now; the first publication is remembered.
        let published_at = match (self.status, self.published_at) {
            (Status::Published, None) => Some(t),
            (_, at) => at,
        };
        let first_published_at = self.first_published_at.or(match self.status {
            Status::Published => published_at,
            _ => None,
        });
        ArticleWrite {
            title_key: fold(&self.title),
            slug: self.slug,
            title: self.title,
            standfirst: self.standfirst,
            body: self.body,
            body_html,
            excerpt,
            language,
            status: self.status.as_str().to_owned(),
            section_id: self.section_id,
            word_count,
            reading_time_minutes,
            metadata: self.metadata,
            published_at,
            first_published_at,
            updated_at: t,
            blocks,
        }
    }
}

/// Who an article is and since when: kept when it goes to the trash and comes back.
pub(in crate::db) struct Origin {
    /// `None` lets the database choose (see `fresh_id`); a restore gives the article its old id back.
    pub id: Option<i32>,
    pub public_id: String,
    pub created_at: NaiveDateTime,
    pub first_published_at: Option<NaiveDateTime>,
    pub version: i32,
    /// The story it tells in its language; its own public id when alone.
    pub translation_group: String,
}

/// Creates an article; the caller runs this inside a write transaction.
pub fn create(conn: &mut AnyConnection, new: NewArticle, actor: &str) -> ApiResult<ArticleRecord> {
    let (record, entry) = create_leaving_index(conn, new, actor)?;
    commit::index(conn, &[entry])?;
    Ok(record)
}

/// Creates an article but hands back its search index entry, for an import to
/// give the commit layer with its batch's others (see `commit::index`).
pub fn create_leaving_index(
    conn: &mut AnyConnection,
    new: NewArticle,
    actor: &str,
) -> ApiResult<(ArticleRecord, search_index::Entry)> {
    let public_id = new.public_id.unwrap_or_else(ArticleId::random);
    if find_by_public_id(conn, &public_id)?.is_some() {
        return Err(ApiError::Conflict(format!(
            "an article with id {public_id} already exists"
        )));
    }
    if trashed::holds_public_id(conn, &public_id)? {
        return Err(ApiError::Conflict(format!(
            "the article with id {public_id} is in the trash; restore it instead"
        )));
    }
    let section_id = section_id(conn, new.section.as_deref())?;
    let slug = crate::db::choose_slug(conn, new.slug, &new.title, "article", &mut slugs_taken)?;
    let fields = Fields {
        slug,
        title: new.title,
        standfirst: new.standfirst,
        body: new.body,
        language: new.language,
        status: new.status,
        section_id,
        published_at: new.published_at,
        first_published_at: None,
        metadata: new.metadata,
    };
    let translation_group = story::group_for(conn, new.translation.as_ref(), public_id.as_str())?;
    let origin = Origin {
        id: fresh_id(conn)?,
        public_id: public_id.into_string(),
        created_at: now(),
        first_published_at: None,
        version: 1,
        translation_group,
    };
    let links = Links {
        tags: &new.tags,
        authors: &new.authors,
        cover: new.cover.as_deref(),
        lenient: false,
    };
    let (record, entry) = insert(conn, origin, fields, links, actor)?;
    let action = changes::article_action(None, standing(&record.row), false);
    log_change(
        conn,
        &record.row,
        action,
        (None, Vec::new()),
        Vec::new(),
        actor,
    )?;
    Ok((record, entry))
}

/// How an article stands for readers now.
/// The id for a new article, when the database would not choose a fresh one: it
/// could be the id of the article just moved to the trash (whose revisions and
/// restore need it kept).
fn fresh_id(conn: &mut AnyConnection) -> ApiResult<Option<i32>> {
    if !crate::db::dialect::of(conn).reuses_ids_of_deleted_rows() {
        return Ok(None);
    }
    let live: Option<i32> = articles::table
        .select(diesel::dsl::max(articles::id))
        .first(conn)?;
    let trashed = trashed::max_id(conn)?;
    Ok(Some(live.max(trashed).unwrap_or(0) + 1))
}

/// Brings back an article as a snapshot describes it, under its old identity.
pub(in crate::db) fn recreate(
    conn: &mut AnyConnection,
    origin: Origin,
    snapshot: Snapshot,
    actor: &str,
) -> ApiResult<ArticleRecord> {
    crate::db::ensure_free(conn, &snapshot.slug, "article", &mut slugs_taken)?;
    let fields = Fields {
        status: snapshot.status()?,
        section_id: section_id(conn, snapshot.section.as_deref())?,
        slug: snapshot.slug,
        title: snapshot.title,
        standfirst: snapshot.standfirst,
        body: snapshot.body,
        language: Some(snapshot.language),
        published_at: snapshot.published_at,
        first_published_at: origin.first_published_at,
        metadata: snapshot.metadata,
    };
    let links = Links {
        tags: &snapshot.tags,
        authors: &snapshot.authors,
        cover: snapshot.cover.as_deref(),
        lenient: true,
    };
    let (record, entry) = insert(conn, origin, fields, links, actor)?;
    commit::index(conn, &[entry])?;
    Ok(record)
}

/// What a new article links to, by slug and asset id.
struct Links<'a> {
    tags: &'a [String],
    authors: &'a [String],
    cover: Option<&'a str>,
    /// Whether assets that no longer exist are left out rather than refused.
    lenient: bool,
}

fn insert(
    conn: &mut AnyConnection,
    origin: Origin,
    fields: Fields,
    links: Links<'_>,
    actor: &str,
) -> ApiResult<(ArticleRecord, search_index::Entry)> {
    let slug = fields.slug.clone();
    let write = fields.into_write(now());
    story::ensure_language_free(conn, &origin.translation_group, &write.language, origin.id)?;
    let identity = (
        articles::public_id.eq(&origin.public_id),
        articles::created_at.eq(origin.created_at),
        articles::version.eq(origin.version),
        articles::translation_group.eq(&origin.translation_group),
    );
    let id: i32 = match origin.id {
        Some(id) => {
            diesel::insert_into(articles::table)
                .values((&write, identity, articles::id.eq(id)))
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(articles::table)
            .values((&write, identity))
            .returning(articles::id)
            .get_result(conn)?,
    };
    // A new article may take over a slug another article used to have.
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(&slug)))
        .execute(conn)?;
    set_links(conn, id, Some(links.tags), Some(links.authors))?;
    link_assets(conn, id, Some(links.cover), &write.body, links.lenient)?;
    let record = find_current(conn, &slug)?;
    revisions::record(conn, &record, actor)?;
    Ok((record, write.index_entry(id)))
}

/// Applies a partial update; a slug change leaves a redirect behind.
pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    changes: ArticleChanges,
    actor: &str,
) -> ApiResult<ArticleRecord> {
    let (record, entry) = update_leaving_index(conn, slug, changes, actor)?;
    commit::index(conn, &[entry])?;
    Ok(record)
}

/// `update`, leaving the search index entry to the caller as `create_leaving_index` does.
pub fn update_leaving_index(
    conn: &mut AnyConnection,
    slug: &str,
    mut changes: ArticleChanges,
    actor: &str,
) -> ApiResult<(ArticleRecord, search_index::Entry)> {
    // Two writers never both build version n + 1 from version n: write
    // transactions take turns (see `db::write_tx`).
    let current = find_current(conn, slug)?;
    revisions::ensure_recorded(conn, &current)?;
    schedule::announce_if_due(conn, &current.row)?;
    let before = Snapshot::from(&current);
    let standing_before = standing(&current.row);
    let refiled = changes.section.is_some() || changes.tags.is_some() || changes.authors.is_some();
    let scope_before = if refiled {
        crate::db::purge_keys::article_scope(conn, current.row.id)?
    } else {
        Vec::new()
    };
    let row = current.row;
    let t = now();
    let write = edited(conn, &row, &mut changes)?.into_write(t);
    let new_slug = write.slug.clone();
    let translation_group = match &changes.translation {
        None => row.translation_group.clone(),
        Some(link) => story::group_for(conn, link.as_ref(), &row.public_id)?,
    };
    story::ensure_language_free(conn, &translation_group, &write.language, Some(row.id))?;
    diesel::update(articles::table.find(row.id))
        .set((
            &write,
            articles::version.eq(commit::next_version(row.version)),
            articles::translation_group.eq(&translation_group),
        ))
        .execute(conn)?;
    if new_slug != row.slug {
        redirect(conn, row.id, (&row.slug, &new_slug), t)?;
    }
    set_links(
        conn,
        row.id,
        changes.tags.as_deref(),
        changes.authors.as_deref(),
    )?;
    let cover = changes.cover.as_ref().map(Option::as_deref);
    link_assets(conn, row.id, cover, &write.body, false)?;
    let record = find_current(conn, &new_slug)?;
    revisions::record(conn, &record, actor)?;
    let changed = changed_since(&record, &before);
    let rescheduled = changed.iter().any(|f| f == "published_at");
    let action = changes::article_action(Some(standing_before), standing(&record.row), rescheduled);
    let previous_slug = (new_slug != row.slug).then_some(row.slug.as_str());
    if translation_group != row.translation_group {
        // The story it left lists it no more.
        changes::other_versions(conn, &row.translation_group, row.id, actor)?;
    }
    log_change(
        conn,
        &record.row,
        action,
        (previous_slug, scope_before),
        changed,
        actor,
    )?;
    Ok((record, write.index_entry(row.id)))
}

/// What an article's editable state becomes when `changes` are applied to `row`
/// (taking what they set); a new slug must be free and a new section must exist.
fn edited(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    changes: &mut ArticleChanges,
) -> ApiResult<Fields> {
    let slug = changes.slug.take().unwrap_or_else(|| row.slug.clone());
    if slug != row.slug {
        crate::db::ensure_free(conn, &slug, "article", &mut slugs_taken)?;
    }
    let section_id = match &changes.section {
        Some(section) => section_id(conn, section.as_deref())?,
        None => row.section_id,
    };
    let status = changes
        .status
        .or_else(|| Status::parse(&row.status))
        .ok_or_else(|| {
            ApiError::Internal(format!("article {} has status {}", row.id, row.status))
        })?;
    Ok(Fields {
        slug,
        title: changes.title.take().unwrap_or_else(|| row.title.clone()),
        standfirst: changes
            .standfirst
            .take()
            .unwrap_or_else(|| row.standfirst.clone()),
        body: changes.body.take().unwrap_or_else(|| row.body.clone()),
        // An absent language keeps the stored one, so edits never flip it
        // silently; null asks for detection from the new text.
        language: changes
            .language
            .take()
            .unwrap_or_else(|| Some(row.language.clone())),
        status,
        section_id,
        published_at: changes.published_at.unwrap_or(row.published_at),
        first_published_at: row.first_published_at,
        metadata: changes
            .metadata
            .take()
            .unwrap_or_else(|| row.metadata.clone()),
    })
}

/// An article moved from slug `from` to `to` at `at`: `from` leads to it from now
/// on, and `to` no more leads elsewhere.
fn redirect(
    conn: &mut AnyConnection,
    article_id: i32,
    (from, to): (&str, &str),
    at: NaiveDateTime,
) -> ApiResult<()> {
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(to)))
        .execute(conn)?;
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(from)))
        .execute(conn)?;
    diesel::insert_into(article_slug_redirects::table)
        .values((
            article_slug_redirects::slug.eq(from),
            article_slug_redirects::article_id.eq(article_id),
            article_slug_redirects::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The fields of `record` that differ from the snapshot taken `before` the write.
fn changed_since(record: &ArticleRecord, before: &Snapshot) -> Vec<String> {
    Snapshot::from(record)
        .changed_from(before)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Removes an article's row, links and index entry; the trash keeps what a restore needs.
pub(in crate::db) fn remove(conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
    commit::unindex(conn, article_id)?;
    diesel::delete(articles::table.find(article_id)).execute(conn)?;
    Ok(())
}
