//! What a list of articles asks for: filters, date ranges, the order and the window.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::content::change::Resource;
use crate::content::ids::ArticleId;
use crate::content::search::SearchQuery;
use crate::db::articles::translations::LocaleChain;
use crate::db::articles::Status;
use crate::surrogate::{articles_of, SurrogateKeys, ARTICLES, ARTICLES_EDITS};

/// Which of an article's dates a range applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateField {
    #[default]
    Published,
    Updated,
    Created,
}

/// A range of instants: `from` inclusive, `until` exclusive or inclusive.
#[derive(Debug, Clone, Default)]
pub struct DateRange {
    pub field: DateField,
    pub from: Option<NaiveDateTime>,
    pub until: Option<Until>,
}

#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Up to this instant, excluded (the start of the day after a date).
    Before(NaiveDateTime),
    /// Up to this instant, included.
    Through(NaiveDateTime),
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub section: Option<String>,
    /// Whether `section` includes its subsections.
    pub descendants: bool,
    /// Articles carrying every one of these tags.
    pub tags_all: Vec<String>,
    /// Articles carrying at least one of these tags.
    pub tags_any: Vec<String>,
    pub author: Option<String>,
    pub language: Option<String>,
    pub status: Option<Status>,
    /// Public ids.
    pub ids: Vec<ArticleId>,
    pub updated_since: Option<NaiveDateTime>,
    pub dates: DateRange,
    /// Full-text search.
    pub search: Option<SearchQuery>,
    /// Each story once, in the reader's best language (`locale` and `fallback`).
    pub locales: Option<LocaleChain>,
}

/// The orders a list can come in; every one ends with the id, so it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Sort {
    /// Newest publication first; undated drafts last.
    #[default]
    PublishedDesc,
    PublishedAsc,
    UpdatedDesc,
    UpdatedAsc,
    /// Alphabetical by title, accents and case ignored.
    Title,
    /// Best search matches first, then newest; needs a search query.
    Relevance,
}

/// The deepest a relevance cursor goes: as deep as the 100 numbered pages of 100
/// that lists allow (relevance has no key to seek from, so depth costs work).
pub const MAX_RELEVANCE_OFFSET: i64 = 10_000;

impl ArticleFilter {
    /// The keys a list of articles (or counts of them) depends on, apart from the
    /// articles it shows: who may join it, and whether any edit may reorder it.
    pub fn cache_keys(&self, sort: Sort) -> SurrogateKeys {
        let mut keys = SurrogateKeys::new();
        if let Some(section) = &self.section {
            keys.add(articles_of(Resource::Section, section));
        }
        for tag in self.tags_all.iter().chain(&self.tags_any) {
            keys.add(articles_of(Resource::Tag, tag));
        }
        if let Some(author) = &self.author {
            keys.add(articles_of(Resource::Author, author));
        }
        if keys.is_empty() {
            keys.add(ARTICLES);
        }
        let follows_edits = self.search.is_some()
            || self.updated_since.is_some()
            || matches!(sort, Sort::UpdatedDesc | Sort::UpdatedAsc | Sort::Relevance);
        if follows_edits {
            keys.add(ARTICLES_EDITS);
        }
        keys
    }
}
