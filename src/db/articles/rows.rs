//! What an article is in storage and as read, and the conditions that say who sees it.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use crate::content::ids::ArticleId;
use crate::content::names::NameTranslations;
pub use crate::content::publication::Status;
use crate::db::schema::articles;
use crate::db::Db;

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
    /// Its body as blocks, JSON (see `content::blocks`); empty until worked
    /// out for a row written before blocks were (see `derived`).
    pub blocks: String,
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
    pub translations: Vec<Member>,
    /// The public articles its body links to (when its blocks or HTML are read).
    pub linked: Vec<Linked>,
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
    pub translation: Option<Translating>,
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
    pub translation: Option<Option<Translating>>,
}

/// An article another's body links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// Its row, whose cached copies' key a linking article's copies carry too.
    pub id: i32,
    pub article: Member,
}

/// Who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published articles whose publication time has passed.
    Public,
    /// Everything: drafts, scheduled and archived articles too.
    Preview,
}

/// How a written article joins a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translating {
    /// The group of this article (its slug or id): the new one translates it.
    Of(String),
    /// A group named by a key shared by the files of one story (Hugo's
    /// `translationKey`); the first article written with it starts it.
    Key(String),
}

/// Another article as one refers to it, with what its address is made of: a
/// version of its story, or an article its body links to.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct Member {
    pub public_id: String,
    pub slug: String,
    pub language: String,
    /// Its section's slug.
    #[diesel(
        select_expression = sql::<Nullable<Text>>(
            "(SELECT sections.slug FROM sections WHERE sections.id = articles.section_id)"
        ),
        select_expression_type = SqlLiteral<Nullable<Text>>
    )]
    pub section: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
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
pub type Condition = Box<dyn BoxableExpression<articles::table, Db, SqlType = Nullable<Bool>>>;

/// Published, and the publication time has come: what everyone may read.
pub fn public(at: NaiveDateTime) -> Condition {
    Box::new(
        articles::status
            .eq(Status::Published.as_str())
            .nullable()
            .and(articles::published_at.le(at)),
    )
}

/// What a slug leads to.
pub enum Lookup {
    Found(Box<ArticleRecord>),
    /// A former slug: the article now lives at this one.
    MovedTo(String),
}
