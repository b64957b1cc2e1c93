//! Saving what was read: one article at a time, matched to what an earlier import
//! of the same source made, with the sections, tags and authors it names.

use std::collections::HashSet;

use sha2::Digest;

use super::item::{Options, Sourced, AUDIT_ACTOR};
use crate::api::articles::ArticleCreate;
use crate::config::Limits;
use crate::content::names::NameTranslationEdits;
use crate::content::slug;
use crate::db::articles::{self, ArticleChanges, NewArticle};
use crate::db::{authors, import_sources, search_index, sections, tags, AnyConnection};
use crate::error::{ApiError, ApiResult};

pub(super) enum Saved {
    Created,
    Updated,
    Unchanged,
}

/// Sections, tags and authors (by kind and slug) that exist in the transaction
/// of the batch being saved, so that an import asks for each name once per batch
/// rather than once per article naming it. What an article found or made joins
/// only once its savepoint is released: an article that fails takes back what
/// it made.
#[derive(Default)]
pub(super) struct Known(HashSet<(Kind, String)>);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Section,
    Tag,
    Author,
}

impl Known {
    pub(super) fn add(&mut self, found: Vec<(Kind, String)>) {
        self.0.extend(found);
    }
}

/// What saving one article did, the names it found or made on the way, and its
/// search index entry when it wrote the article (see `articles::create_leaving_index`).
pub(super) struct Outcome {
    pub saved: Saved,
    pub found: Vec<(Kind, String)>,
    pub entry: Option<search_index::Entry>,
}

pub(super) fn save(
    conn: &mut AnyConnection,
    sourced: Sourced,
    options: &Options,
    known: &Known,
) -> ApiResult<Outcome> {
    let mut article = sourced.item.article;
    // What the file says, before the command line fills in: an unchanged file is
    // left alone whatever `--status` or `--section` say this time.
    let digest = digest_of(&article);
    if article.status.is_none() {
        article.status = options.status;
    }
    if article.section.is_none() {
        article.section = options.section.clone();
    }
    // An explicit id is the most stable identity a source can give.
    let source = match &article.id {
        Some(id) => format!("id:{id}"),
        None => sourced.source,
    };
    let mut names = Names {
        known,
        found: Vec::new(),
    };
    let (saved, entry) = save_in(conn, article, &source, &digest, &options.limits, &mut names)?;
    Ok(Outcome {
        saved,
        found: names.found,
        entry,
    })
}

/// What a source said, summed up: the same digest on a re-import means nothing to do.
fn digest_of(article: &ArticleCreate) -> String {
    let text = serde_json::to_vec(article).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(&text))
}

fn save_in(
    conn: &mut AnyConnection,
    mut article: ArticleCreate,
    source: &str,
    digest: &str,
    limits: &Limits,
    names: &mut Names<'_>,
) -> ApiResult<(Saved, Option<search_index::Entry>)> {
    let known = import_sources::find(conn, source)?;
    if known.as_ref().is_some_and(|k| k.digest == digest) {
        return Ok((Saved::Unchanged, None));
    }
    // Files name sections, tags and authors in words; the API wants slugs of existing ones.
    article.section = article
        .section
        .map(|name| names.ensure(conn, Kind::Section, &name))
        .transpose()?;
    article.tags = article
        .tags
        .map(|list| names.ensure_all(conn, Kind::Tag, list))
        .transpose()?;
    article.authors = article
        .authors
        .map(|list| names.ensure_all(conn, Kind::Author, list))
        .transpose()?;
    let keep_status = article.status.is_none();
    let new = article.parse(limits)?;
    let existing = match &new.public_id {
        Some(id) => articles::find_by_public_id(conn, id)?,
        None => known.map(|k| k.slug),
    };
    let (saved, (record, entry)) = match existing {
        None => (
            Saved::Created,
            articles::create_leaving_index(conn, new, AUDIT_ACTOR)?,
        ),
        Some(current) => (
            Saved::Updated,
            articles::update_leaving_index(
                conn,
                &current,
                replace_with(new, keep_status),
                AUDIT_ACTOR,
            )?,
        ),
    };
    import_sources::record(conn, source, record.row.id, digest)?;
    Ok((saved, Some(entry)))
}

/// Every field from the file replaces the stored one; the status is kept when the file has none.
fn replace_with(new: NewArticle, keep_status: bool) -> ArticleChanges {
    ArticleChanges {
        slug: new.slug,
        title: Some(new.title),
        standfirst: Some(new.standfirst),
        body: Some(new.body),
        language: Some(new.language),
        status: (!keep_status).then_some(new.status),
        section: Some(new.section),
        tags: Some(new.tags),
        authors: Some(new.authors),
        published_at: new.published_at.map(Some),
        metadata: Some(new.metadata),
        // A file names no cover: the one chosen in the API stays.
        cover: new.cover.map(Some),
        translation: new.translation.map(Some),
    }
}

fn slug_for(name: &str, what: &str) -> ApiResult<String> {
    let slug = slug::slugify(name);
    if slug.is_empty() {
        return Err(ApiError::invalid(
            what,
            format!("{name:?} has no letters or digits to make a slug from"),
        ));
    }
    Ok(slug)
}

/// Turns names into the slugs of existing sections, tags or authors, making
/// those that do not exist yet.
struct Names<'a> {
    known: &'a Known,
    /// Slugs found or made for this article, not yet in `known`.
    found: Vec<(Kind, String)>,
}

impl Names<'_> {
    fn ensure_all(
        &mut self,
        conn: &mut AnyConnection,
        kind: Kind,
        names: Vec<String>,
    ) -> ApiResult<Vec<String>> {
        names
            .iter()
            .map(|name| self.ensure(conn, kind, name))
            .collect()
    }

    fn ensure(&mut self, conn: &mut AnyConnection, kind: Kind, name: &str) -> ApiResult<String> {
        let slug = slug_for(name, kind.field())?;
        let key = (kind, slug);
        if !self.known.0.contains(&key) && !self.found.contains(&key) {
            if missing(kind.find(conn, &key.1))? {
                kind.create(conn, &key.1, name.trim())?;
            }
            self.found.push(key.clone());
        }
        Ok(key.1)
    }
}

/// Whether a lookup found nothing (a database error stays an error). Lookups here
/// read the bare row: counting a section's articles for each imported article
/// made large imports quadratic.
fn missing<T>(found: ApiResult<T>) -> ApiResult<bool> {
    match found {
        Ok(_) => Ok(false),
        Err(ApiError::NotFound(_)) => Ok(true),
        Err(other) => Err(other),
    }
}

impl Kind {
    /// The create-article field that names these.
    fn field(self) -> &'static str {
        match self {
            Kind::Section => "section",
            Kind::Tag => "tags",
            Kind::Author => "authors",
        }
    }

    fn find(self, conn: &mut AnyConnection, slug: &str) -> ApiResult<()> {
        match self {
            Kind::Section => sections::find_row(conn, slug).map(drop),
            Kind::Tag => tags::find_row(conn, slug).map(drop),
            Kind::Author => authors::find_row(conn, slug).map(drop),
        }
    }

    /// Creates one named by an imported article, which does not say the
    /// language of the name.
    fn create(self, conn: &mut AnyConnection, slug: &str, name: &str) -> ApiResult<()> {
        let slug = Some(slug.to_owned());
        let name = name.to_owned();
        let description = String::new();
        match self {
            Kind::Section => sections::create(
                conn,
                sections::NewSection {
                    slug,
                    name,
                    description,
                    parent: None,
                    position: 0,
                    translations: NameTranslationEdits::new(),
                    language: None,
                },
                AUDIT_ACTOR,
            )
            .map(drop),
            Kind::Tag => tags::create(
                conn,
                tags::NewTag {
                    slug,
                    name,
                    description,
                    translations: NameTranslationEdits::new(),
                    language: None,
                },
                AUDIT_ACTOR,
            )
            .map(drop),
            Kind::Author => authors::create(
                conn,
                authors::NewAuthor {
                    slug,
                    name,
                    description,
                    bio: String::new(),
                    email: None,
                    avatar_url: None,
                    translations: NameTranslationEdits::new(),
                    language: None,
                },
                AUDIT_ACTOR,
            )
            .map(drop),
        }
    }
}
