//! Saving what was read: one article at a time, matched to what an earlier import
//! of the same source made, with the sections, tags and authors it names.

use sha2::Digest;

use super::{Options, Sourced, AUDIT_ACTOR};
use crate::api::articles::ArticleCreate;
use crate::config::Limits;
use crate::content::slug;
use crate::db::articles::{self, ArticleChanges, NewArticle};
use crate::db::{authors, import_sources, sections, tags, AnyConnection};
use crate::error::{ApiError, ApiResult};

pub(super) enum Saved {
    Created,
    Updated,
    Unchanged,
}

pub(super) fn save(
    conn: &mut AnyConnection,
    sourced: Sourced,
    options: &Options,
) -> ApiResult<Saved> {
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
    save_in(conn, article, &source, &digest, &options.limits)
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
) -> ApiResult<Saved> {
    let known = import_sources::find(conn, source)?;
    if known.as_ref().is_some_and(|k| k.digest == digest) {
        return Ok(Saved::Unchanged);
    }
    // Files name sections, tags and authors in words; the API wants slugs of existing ones.
    article.section = article
        .section
        .map(|name| ensure_section(conn, &name))
        .transpose()?;
    article.tags = article
        .tags
        .map(|names| ensure_all(conn, names, ensure_tag))
        .transpose()?;
    article.authors = article
        .authors
        .map(|names| ensure_all(conn, names, ensure_author))
        .transpose()?;
    let keep_status = article.status.is_none();
    let new = article.parse(limits)?;
    let existing = match &new.public_id {
        Some(id) => articles::find_by_public_id(conn, id)?,
        None => known.map(|k| k.slug),
    };
    let (saved, record) = match existing {
        None => (Saved::Created, articles::create(conn, new, AUDIT_ACTOR)?),
        Some(current) => (
            Saved::Updated,
            articles::update(conn, &current, replace_with(new, keep_status), AUDIT_ACTOR)?,
        ),
    };
    import_sources::record(conn, source, record.row.id, digest)?;
    Ok(saved)
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

fn ensure_all(
    conn: &mut AnyConnection,
    names: Vec<String>,
    ensure: fn(&mut AnyConnection, &str) -> ApiResult<String>,
) -> ApiResult<Vec<String>> {
    names.iter().map(|name| ensure(conn, name)).collect()
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

fn ensure_section(conn: &mut AnyConnection, name: &str) -> ApiResult<String> {
    let slug = slug_for(name, "section")?;
    if missing(sections::find_row(conn, &slug))? {
        sections::create(
            conn,
            sections::NewSection {
                slug: Some(slug.clone()),
                name: name.trim().to_owned(),
                description: String::new(),
                parent: None,
                position: 0,
            },
            AUDIT_ACTOR,
        )?;
    }
    Ok(slug)
}

fn ensure_tag(conn: &mut AnyConnection, name: &str) -> ApiResult<String> {
    let slug = slug_for(name, "tags")?;
    if missing(tags::find(conn, &slug))? {
        tags::create(
            conn,
            tags::NewTag {
                slug: Some(slug.clone()),
                name: name.trim().to_owned(),
                description: String::new(),
            },
            AUDIT_ACTOR,
        )?;
    }
    Ok(slug)
}

fn ensure_author(conn: &mut AnyConnection, name: &str) -> ApiResult<String> {
    let slug = slug_for(name, "authors")?;
    if missing(authors::find(conn, &slug))? {
        authors::create(
            conn,
            authors::NewAuthor {
                slug: Some(slug.clone()),
                name: name.trim().to_owned(),
                description: String::new(),
                bio: String::new(),
                email: None,
                avatar_url: None,
            },
            AUDIT_ACTOR,
        )?;
    }
    Ok(slug)
}
