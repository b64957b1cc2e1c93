//! Surrogate keys: the names of what a response depends on, so that a change can
//! purge from caches exactly the responses it affects (`Surrogate-Key` for Fastly
//! and Varnish's xkey, `Cache-Tag` for Cloudflare). Responses and purges both name
//! their keys here, so the two always agree.
//!
//! - `article-<id>`: a response that shows the article (its page, or a list or
//!   sync page it is on). Every change to what an article shows is a change of the
//!   article, renames of its section, tags and authors included.
//! - `section-<slug>`, `tag-<slug>`, `author-<slug>`: the resource's own page.
//! - `sections`, `tags`, `authors`: the lists of them (which show article counts).
//! - `articles`: lists whose membership any article may join or leave (unfiltered
//!   lists, language or date filters, the archive).
//! - `articles-section-<slug>`, `articles-tag-<slug>`, `articles-author-<slug>`:
//!   lists and counts narrowed to one section (with its subsections), tag or author.
//! - `articles-edits`: lists that any edit may reorder or change (sorted by update
//!   time, `updated_since`, full-text search, related articles).
//! - `changes`: what reads the change log (public sync pages).
//! - `asset-<id>`: an asset's record, its file and its copies (by public id).

use std::collections::BTreeSet;

use crate::content::change::Resource;

/// Lists any article may join or leave.
pub const ARTICLES: &str = "articles";
/// Lists any edit may change.
pub const ARTICLES_EDITS: &str = "articles-edits";
/// Readings of the change log.
pub const CHANGES: &str = "changes";

/// The page of the article with this row id.
pub fn article(id: i32) -> String {
    format!("article-{id}")
}

/// The page of a section, tag or author.
pub fn named(resource: Resource, slug: &str) -> String {
    format!("{}-{slug}", resource.as_str())
}

/// The list of all sections, tags or authors.
pub fn index(resource: Resource) -> String {
    format!("{}s", resource.as_str())
}

/// Lists narrowed to articles in a section, with a tag, or by an author.
pub fn articles_of(resource: Resource, slug: &str) -> String {
    format!("articles-{}-{slug}", resource.as_str())
}

/// An asset's record, file and copies.
pub fn asset(public_id: &str) -> String {
    format!("asset-{public_id}")
}

/// The keys of one response, or of one purge: a set, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurrogateKeys(BTreeSet<String>);

impl SurrogateKeys {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, key: impl Into<String>) -> &mut Self {
        self.0.insert(key.into());
        self
    }

    pub fn extend(&mut self, keys: impl IntoIterator<Item = String>) -> &mut Self {
        self.0.extend(keys);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Space-separated, as `Surrogate-Key` and xkey take them.
    pub fn to_header(&self) -> String {
        self.0.iter().cloned().collect::<Vec<_>>().join(" ")
    }

    /// The keys of a header or of a stored list (space- or comma-separated).
    pub fn parse(text: &str) -> Self {
        Self(
            text.split([' ', ','])
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

impl IntoIterator for SurrogateKeys {
    type Item = String;
    type IntoIter = std::collections::btree_set::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<String> for SurrogateKeys {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}
