//! Authors: the people credited on articles, in order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::named::named_store;
use super::schema::authors;
use crate::content::names::NameTranslationEdits;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub bio: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Their texts in other languages, as `content::names` stores them.
    pub translations: String,
    /// The language of its own texts, when said.
    pub language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAuthor {
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
    pub bio: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub translations: NameTranslationEdits,
    pub language: Option<String>,
}

/// Outer `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub bio: Option<String>,
    pub email: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    /// `Some(None)` says no more which language their own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    #[diesel(skip_update)]
    pub translations: Option<NameTranslationEdits>,
}

named_store! {
    table: authors, row: AuthorRow, new: NewAuthor, changes: AuthorChanges,
    kind: Author, noun: "author", field: "authors",
    order: [name],
    extra: [bio, email, avatar_url],
    resolved: [],
    /// Looks up authors by slug, keeping the byline order given.
}
