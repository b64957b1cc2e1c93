//! Articles: storage, the list query and the read model with section, tags and authors.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::schema::{article_slug_redirects, articles};
use super::{now, AnyConnection, Db};
use crate::content::ids::ArticleId;
use crate::content::names::NameTranslations;
use crate::error::{ApiError, ApiResult};

mod links;
mod read;
pub mod translations;
mod write;

pub use read::{id_in, records, records_in_order, Parts};
pub use write::{create, create_leaving_index, update, update_leaving_index};
pub(super) use write::{log_change, recreate, remove, Origin};

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
    /// The story this article tells in its language (see `translations`).
    pub translation_group: String,
}

/// A slug and a display name: how an article shows its section, tags and authors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub slug: String,
    pub name: String,
    /// Its names in other languages, shared by the labels of one read; `None`
    /// when it has none.
    pub translations: Option<Arc<NameTranslations>>,
    /// The language of its own name, when said.
    pub language: Option<String>,
}

/// The read model: an article with what it links to, loaded in a fixed number of queries.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub row: ArticleRow,
    pub section: Option<Label>,
    pub tags: Vec<Label>,
    pub authors: Vec<Label>,
    pub assets: crate::db::assets::ArticleAssets,
    /// The story's other public versions.
    pub translations: Vec<translations::Member>,
    /// The time of its newest logged change, when `Parts::last_change` asked.
    pub last_change: Option<NaiveDateTime>,
}

/// Everything a writer supplies for a new article. `None` means "derive it".
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub public_id: Option<ArticleId>,
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
    /// The public id of the cover asset.
    pub cover: Option<String>,
    /// The story it is a version of, if any.
    pub translation: Option<translations::Translating>,
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
    pub cover: Option<Option<String>>,
    /// `Some(None)` takes it out of its story into one of its own.
    pub translation: Option<Option<translations::Translating>>,
}

/// Who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published articles whose publication time has passed.
    Public,
    /// Everything: drafts, scheduled and archived articles too.
    Preview,
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

pub(in crate::db) fn visible(
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

/// The version of the story a slug names that `chain` prefers among those
/// `visibility` lets through; the one the slug names when none is in the chain.
pub fn find_version(
    conn: &mut AnyConnection,
    slug: &str,
    chain: &translations::LocaleChain,
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

/// What a slug leads to.
pub enum Lookup {
    Found(Box<ArticleRecord>),
    /// A former slug: the article now lives at this one.
    MovedTo(String),
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
    if super::trash::gone(conn, slug, visibility)? {
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
