//! Tags: flat labels attached to articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::named::named_store;
use super::schema::tags;
use crate::content::names::NameTranslationEdits;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Its texts in other languages, as `content::names` stores them.
    pub translations: String,
    /// The language of its own texts, when said.
    pub language: Option<String>,
}

/// A new tag; `slug` None derives one from the name.
#[derive(Debug, Clone)]
pub struct NewTag {
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
    pub translations: NameTranslationEdits,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` says no more which language its own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    #[diesel(skip_update)]
    pub translations: Option<NameTranslationEdits>,
}

named_store! {
    table: tags, row: TagRow, new: NewTag, changes: TagChanges,
    kind: Tag, noun: "tag", field: "tags",
    order: [name],
    extra: [],
    resolved: [],
    /// Looks up tags by slug, in the order given; names any that do not exist.
}
