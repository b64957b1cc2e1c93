//! Articles: storage, the list query and the read model with section, tags and authors.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::changes::{self, Action, Change, Resource, Standing};
use super::revisions::{self, Snapshot};
use super::schedule;
use super::schema::{
    article_authors, article_slug_redirects, article_tags, articles, authors, sections, tags,
};
use super::{now, search_index, AnyConnection, Db};
use crate::content::fold::fold;
use crate::content::{language, markdown};
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i32,
    pub public_id: String,
    pub slug: String,
    pub title: String,
    pub standfirst: Option<String>,
    pub body: String,
    pub body_html: String,
    pub excerpt: String,
    pub language: String,
    pub status: String,
    pub section_id: Option<i32>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub metadata: String,
    pub published_at: Option<NaiveDateTime>,
    pub first_published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub title_key: String,
}

/// A slug and a display name: how an article shows its section, tags and authors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub slug: String,
    pub name: String,
}

/// The read model: an article with what it links to, loaded in a fixed number of queries.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub row: ArticleRow,
    pub section: Option<Label>,
    pub tags: Vec<Label>,
    pub authors: Vec<Label>,
}

/// Everything a writer supplies for a new article. `None` means "derive it".
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub public_id: Option<String>,
    pub slug: Option<String>,
    pub title: String,
    pub standfirst: Option<String>,
    pub body: String,
    pub language: Option<String>,
    pub status: Status,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub published_at: Option<NaiveDateTime>,
    pub metadata: String,
}

/// A partial update: outer `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub standfirst: Option<Option<String>>,
    pub body: Option<String>,
    /// `Some(None)` asks for the language to be detected again.
    pub language: Option<Option<String>>,
    pub status: Option<Status>,
    pub section: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub authors: Option<Vec<String>>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub metadata: Option<String>,
}

/// Who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published articles whose publication time has passed.
    Public,
    /// Everything: drafts, scheduled and archived articles too.
    Preview,
}

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
}

impl ArticleWrite {
    /// Brings the search index up to date, in the caller's transaction.
    fn index(&self, conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
        search_index::upsert(
            conn,
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
        let body_html = markdown::render_html(&self.body);
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
        }
    }
}

/// Whether a live article has this slug as its own.
fn live_article_has(conn: &mut AnyConnection, slug: &str) -> ApiResult<bool> {
    Ok(select(exists(articles::table.filter(articles::slug.eq(slug)))).get_result(conn)?)
}

/// Which of these slugs a live article or one in the trash (which may come back) has.
fn slugs_taken(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    let mut taken: Vec<String> = articles::table
        .filter(articles::slug.eq_any(slugs))
        .select(articles::slug)
        .load(conn)?;
    taken.extend(super::trash::slugs_held(conn, slugs)?);
    Ok(taken)
}

/// Whether a live article has this slug, as its own or as an old one.
pub(super) fn slug_in_use(conn: &mut AnyConnection, slug: &str) -> ApiResult<bool> {
    Ok(live_article_has(conn, slug)?
        || select(exists(article_slug_redirects::table.find(slug))).get_result(conn)?)
}

pub(super) fn visible(
    visibility: Visibility,
    at: NaiveDateTime,
) -> articles::BoxedQuery<'static, Db> {
    let query = articles::table.into_boxed();
    match visibility {
        Visibility::Preview => query,
        Visibility::Public => query.filter(public(at)),
    }
}

/// One condition on articles; `NULL` (an unknown date) counts as false, as in SQL.
pub(super) type Condition =
    Box<dyn BoxableExpression<articles::table, Db, SqlType = Nullable<Bool>>>;

/// Published, and the publication time has come: what everyone may read.
pub(super) fn public(at: NaiveDateTime) -> Condition {
    Box::new(
        articles::status
            .eq(Status::Published.as_str())
            .nullable()
            .and(articles::published_at.le(at)),
    )
}

/// Attaches sections, tags and authors to rows: three queries whatever the count.
pub(super) fn with_relations(
    conn: &mut AnyConnection,
    rows: Vec<ArticleRow>,
) -> ApiResult<Vec<ArticleRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let section_ids: Vec<i32> = rows.iter().filter_map(|r| r.section_id).collect();
    let section_labels: Vec<(i32, String, String)> = if section_ids.is_empty() {
        Vec::new()
    } else {
        sections::table
            .filter(sections::id.eq_any(&section_ids))
            .select((sections::id, sections::slug, sections::name))
            .load(conn)?
    };
    let tag_labels: Vec<(i32, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(&ids))
        .order((article_tags::article_id, article_tags::position))
        .select((article_tags::article_id, tags::slug, tags::name))
        .load(conn)?;
    let author_labels: Vec<(i32, String, String)> = article_authors::table
        .inner_join(authors::table)
        .filter(article_authors::article_id.eq_any(&ids))
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, authors::slug, authors::name))
        .load(conn)?;
    let labels_of = |labels: &[(i32, String, String)], id: i32| -> Vec<Label> {
        labels
            .iter()
            .filter(|(owner, _, _)| *owner == id)
            .map(|(_, slug, name)| Label {
                slug: slug.clone(),
                name: name.clone(),
            })
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| ArticleRecord {
            section: row
                .section_id
                .and_then(|sid| labels_of(&section_labels, sid).pop()),
            tags: labels_of(&tag_labels, row.id),
            authors: labels_of(&author_labels, row.id),
            row,
        })
        .collect())
}

/// What a slug leads to.
pub enum Lookup {
    Found(Box<ArticleRecord>),
    /// A former slug: the article now lives at this one.
    MovedTo(String),
}

/// Finds an article by its current slug, or by a former one.
pub fn find(conn: &mut AnyConnection, slug: &str, visibility: Visibility) -> ApiResult<Lookup> {
    let at = now();
    let row = visible(visibility, at)
        .filter(articles::slug.eq(slug.to_owned()))
        .select(ArticleRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(row) = row {
        let record = with_relations(conn, vec![row])?
            .pop()
            .ok_or_else(|| ApiError::Internal("article vanished while reading it".into()))?;
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
    if super::trash::gone(conn, slug, visibility)? {
        return Err(ApiError::Gone(format!("the article {slug:?} was deleted")));
    }
    Err(ApiError::NotFound(format!("there is no article {slug:?}")))
}

/// Finds an article by its current slug, drafts included, for writers.
pub fn find_current(conn: &mut AnyConnection, slug: &str) -> ApiResult<ArticleRecord> {
    match find(conn, slug, Visibility::Preview)? {
        Lookup::Found(record) => Ok(*record),
        Lookup::MovedTo(current) => Err(ApiError::NotFound(format!(
            "the article {slug:?} is now at {current:?}; use its current slug"
        ))),
    }
}

/// The article with this public id, if any (drafts included).
pub fn find_by_public_id(conn: &mut AnyConnection, public_id: &str) -> ApiResult<Option<String>> {
    Ok(articles::table
        .filter(articles::public_id.eq(public_id))
        .select(articles::slug)
        .first(conn)
        .optional()?)
}

fn set_links(
    conn: &mut AnyConnection,
    article_id: i32,
    tag_slugs: Option<&[String]>,
    author_slugs: Option<&[String]>,
) -> ApiResult<()> {
    if let Some(slugs) = tag_slugs {
        let ids = super::tags::ids_for(conn, slugs)?;
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
            .execute(conn)?;
        // One row at a time: multi-row inserts are not available across both backends.
        for (position, tag_id) in ids.into_iter().enumerate() {
            diesel::insert_into(article_tags::table)
                .values((
                    article_tags::article_id.eq(article_id),
                    article_tags::tag_id.eq(tag_id),
                    article_tags::position.eq(position as i32),
                ))
                .execute(conn)?;
        }
    }
    if let Some(slugs) = author_slugs {
        let ids = super::authors::ids_for(conn, slugs)?;
        diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
            .execute(conn)?;
        for (position, author_id) in ids.into_iter().enumerate() {
            diesel::insert_into(article_authors::table)
                .values((
                    article_authors::article_id.eq(article_id),
                    article_authors::author_id.eq(author_id),
                    article_authors::position.eq(position as i32),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

fn section_id(conn: &mut AnyConnection, slug: Option<&str>) -> ApiResult<Option<i32>> {
    slug.map(|s| super::sections::id_for(conn, s, "section"))
        .transpose()
}

/// Who an article is and since when: kept when it goes to the trash and comes back.
pub(super) struct Origin {
    /// `None` lets the database choose (see `fresh_id`); a restore gives the article its old id back.
    pub id: Option<i32>,
    pub public_id: String,
    pub created_at: NaiveDateTime,
    pub first_published_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// Creates an article; the caller runs this inside a write transaction.
pub fn create(conn: &mut AnyConnection, new: NewArticle, actor: &str) -> ApiResult<ArticleRecord> {
    let public_id = new
        .public_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if find_by_public_id(conn, &public_id)?.is_some() {
        return Err(ApiError::Conflict(format!(
            "an article with id {public_id} already exists"
        )));
    }
    if super::trash::holds_public_id(conn, &public_id)? {
        return Err(ApiError::Conflict(format!(
            "the article with id {public_id} is in the trash; restore it instead"
        )));
    }
    let section_id = section_id(conn, new.section.as_deref())?;
    let slug = super::choose_slug(conn, new.slug, &new.title, "article", &mut slugs_taken)?;
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
    let origin = Origin {
        id: fresh_id(conn)?,
        public_id,
        created_at: now(),
        first_published_at: None,
        version: 1,
    };
    let record = insert(conn, origin, fields, &new.tags, &new.authors, actor)?;
    let action = changes::article_action(None, standing(&record.row), false);
    log_change(conn, &record.row, action, None, Vec::new(), actor)?;
    Ok(record)
}

/// How an article stands for readers now.
fn standing(row: &ArticleRow) -> Standing {
    Standing::of(&row.status, row.published_at, now())
}

/// Appends an article's change to the log.
pub(super) fn log_change(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    action: Action,
    previous_slug: Option<&str>,
    fields: Vec<String>,
    actor: &str,
) -> ApiResult<()> {
    changes::append(
        conn,
        Change {
            resource: Resource::Article,
            resource_id: row.id,
            public_id: &row.public_id,
            slug: &row.slug,
            previous_slug,
            version: row.version,
            action,
            actor,
            fields,
            section_id: row.section_id,
            language: Some(&row.language),
        },
    )?;
    Ok(())
}

/// The id for a new article, when the database would not choose a fresh one:
/// SQLite gives a new row the largest id plus one, which can be the id of the
/// article just moved to the trash (whose revisions and restore need it kept).
fn fresh_id(conn: &mut AnyConnection) -> ApiResult<Option<i32>> {
    if !matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(None);
    }
    let live: Option<i32> = articles::table
        .select(diesel::dsl::max(articles::id))
        .first(conn)?;
    let trashed = super::trash::max_id(conn)?;
    Ok(Some(live.max(trashed).unwrap_or(0) + 1))
}

/// Brings back an article as a snapshot describes it, under its old identity.
pub(super) fn recreate(
    conn: &mut AnyConnection,
    origin: Origin,
    snapshot: Snapshot,
    actor: &str,
) -> ApiResult<ArticleRecord> {
    super::ensure_free(conn, &snapshot.slug, "article", &mut slugs_taken)?;
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
    insert(
        conn,
        origin,
        fields,
        &snapshot.tags,
        &snapshot.authors,
        actor,
    )
}

fn insert(
    conn: &mut AnyConnection,
    origin: Origin,
    fields: Fields,
    tags: &[String],
    authors: &[String],
    actor: &str,
) -> ApiResult<ArticleRecord> {
    let slug = fields.slug.clone();
    let write = fields.into_write(now());
    let identity = (
        articles::public_id.eq(&origin.public_id),
        articles::created_at.eq(origin.created_at),
        articles::version.eq(origin.version),
    );
    match origin.id {
        Some(id) => diesel::insert_into(articles::table)
            .values((&write, identity, articles::id.eq(id)))
            .execute(conn)?,
        None => diesel::insert_into(articles::table)
            .values((&write, identity))
            .execute(conn)?,
    };
    // A new article may take over a slug another article used to have.
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(&slug)))
        .execute(conn)?;
    let id: i32 = articles::table
        .filter(articles::public_id.eq(&origin.public_id))
        .select(articles::id)
        .first(conn)?;
    set_links(conn, id, Some(tags), Some(authors))?;
    write.index(conn, id)?;
    let record = find_current(conn, &slug)?;
    revisions::record(conn, &record, actor)?;
    Ok(record)
}

/// Applies a partial update; a slug change leaves a redirect behind.
pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    changes: ArticleChanges,
    actor: &str,
) -> ApiResult<ArticleRecord> {
    // Two writers must not both build version n + 1 from version n.
    super::lock_row(conn, "articles", slug)?;
    let current = find_current(conn, slug)?;
    revisions::ensure_recorded(conn, &current)?;
    schedule::announce_if_due(conn, &current.row)?;
    let before = Snapshot::from(&current);
    let standing_before = standing(&current.row);
    let row = current.row;
    let new_slug = changes.slug.clone().unwrap_or_else(|| row.slug.clone());
    if new_slug != row.slug {
        super::ensure_free(conn, &new_slug, "article", &mut slugs_taken)?;
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
    // An absent language keeps the stored one, so edits never flip it silently;
    // null asks for detection from the new text.
    let language = changes.language.unwrap_or(Some(row.language.clone()));
    let t = now();
    let write = Fields {
        slug: new_slug.clone(),
        title: changes.title.unwrap_or(row.title),
        standfirst: changes.standfirst.unwrap_or(row.standfirst),
        body: changes.body.unwrap_or(row.body),
        language,
        status,
        section_id,
        published_at: changes.published_at.unwrap_or(row.published_at),
        first_published_at: row.first_published_at,
        metadata: changes.metadata.unwrap_or(row.metadata),
    }
    .into_write(t);
    diesel::update(articles::table.find(row.id))
        .set((&write, articles::version.eq(row.version + 1)))
        .execute(conn)?;
    if new_slug != row.slug {
        diesel::delete(
            article_slug_redirects::table.filter(article_slug_redirects::slug.eq(&new_slug)),
        )
        .execute(conn)?;
        diesel::delete(
            article_slug_redirects::table.filter(article_slug_redirects::slug.eq(&row.slug)),
        )
        .execute(conn)?;
        diesel::insert_into(article_slug_redirects::table)
            .values((
                article_slug_redirects::slug.eq(&row.slug),
                article_slug_redirects::article_id.eq(row.id),
                article_slug_redirects::created_at.eq(t),
            ))
            .execute(conn)?;
    }
    set_links(
        conn,
        row.id,
        changes.tags.as_deref(),
        changes.authors.as_deref(),
    )?;
    write.index(conn, row.id)?;
    let record = find_current(conn, &new_slug)?;
    revisions::record(conn, &record, actor)?;
    let changed: Vec<String> = Snapshot::from(&record)
        .changed_from(&before)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let rescheduled = changed.iter().any(|f| f == "published_at");
    let action = changes::article_action(Some(standing_before), standing(&record.row), rescheduled);
    let previous_slug = (new_slug != row.slug).then_some(row.slug.as_str());
    log_change(conn, &record.row, action, previous_slug, changed, actor)?;
    Ok(record)
}

/// Removes an article's row, links and index entry; the trash keeps what a restore needs.
pub(super) fn remove(conn: &mut AnyConnection, article_id: i32) -> ApiResult<()> {
    search_index::remove(conn, article_id)?;
    diesel::delete(articles::table.find(article_id)).execute(conn)?;
    Ok(())
}

/// How many articles exist at all (the demo loader's "is the database empty?").
pub fn count_all(conn: &mut AnyConnection) -> ApiResult<i64> {
    Ok(articles::table.count().get_result(conn)?)
}
