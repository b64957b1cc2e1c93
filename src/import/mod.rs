//! `folio import`: plain-text wire copy, Markdown with front matter, and JSON,
//! all turned into the API's own create-article shape and saved through the same code.

mod frontmatter;
mod json;
mod plaintext;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::articles::{ArticleCreate, ArticleStatus};
use crate::config::Limits;
use crate::content::slug;
use crate::db::articles::{self, ArticleChanges, NewArticle};
use crate::db::audit::{self, Action};
use crate::db::{self, authors, sections, tags, AnyConnection, Database};
use crate::error::{ApiError, ApiResult};

/// Choices that apply to every file of an import.
#[derive(Debug, Clone)]
pub struct Options {
    /// Status for articles whose file does not give one.
    pub status: Option<ArticleStatus>,
    /// Section (by name or slug) for articles whose file does not give one.
    pub section: Option<String>,
    /// Parse and check everything, write nothing.
    pub dry_run: bool,
    /// Where date-only input is placed in time.
    pub timezone: Tz,
    pub limits: Limits,
}

/// One article read from a file, before it is saved.
#[derive(Debug, Clone)]
pub struct Item {
    /// The line the article starts on, for error messages.
    pub line: usize,
    pub article: ArticleCreate,
}

/// A file that could not be read or an article that could not be saved.
#[derive(Debug, Clone)]
pub struct Failure {
    pub source: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.source, line, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// A parse error at a line of the file being read.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl ParseError {
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            message: message.into(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub failures: Vec<Failure>,
}

impl Summary {
    pub fn line(&self, dry_run: bool) -> String {
        let verb = if dry_run { "would be " } else { "" };
        format!(
            "{} created, {} updated, {} failed{}",
            self.created,
            self.updated,
            self.failures.len(),
            if dry_run {
                format!(" (dry run: nothing {verb}written)")
            } else {
                String::new()
            }
        )
    }
}

const EXTENSIONS: &[&str] = &["txt", "md", "markdown", "json", "ndjson", "jsonl"];

/// The files to import: the paths given, with directories walked in name order.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Failure>) {
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        walk(path, &mut files, &mut failures, true);
    }
    (files, failures)
}

fn walk(path: &Path, files: &mut Vec<PathBuf>, failures: &mut Vec<Failure>, explicit: bool) {
    if path.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => {
                failures.push(Failure {
                    source: path.display().to_string(),
                    line: None,
                    message: e.to_string(),
                });
                return;
            }
        };
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for child in children {
            walk(&child, files, failures, false);
        }
    } else if explicit || has_known_extension(path) {
        files.push(path.to_owned());
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads one document into articles, choosing the format by extension and content.
/// Each entry is one article or the error that stopped it; a file-level error is a single entry.
pub fn parse_document(name: &str, text: &str, options: &Options) -> Vec<Result<Item, ParseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "json" | "ndjson" | "jsonl" => json::parse(text),
        _ if text.starts_with("---") || text.starts_with("+++") => {
            vec![frontmatter::parse(text, options)]
        }
        _ => vec![plaintext::parse(text, options)],
    }
}

fn parse_failure(source: &str, error: ParseError) -> Failure {
    Failure {
        source: source.to_owned(),
        line: error.line,
        message: error.message,
    }
}

/// How the audit log names writes made by `folio import` (and the demo loader).
const AUDIT_ACTOR: &str = "folio import";

/// Articles saved per transaction. Each commit of SQLite's search index writes a
/// new index segment that later has to be merged, and each PostgreSQL commit waits
/// for the disk: one transaction per article made large imports many times slower.
const BATCH: usize = 250;

/// Imports named documents, each `(name, text)`; one failure never stops the others.
pub fn import_documents(
    db: &Database,
    documents: Vec<(String, String)>,
    options: &Options,
    progress: &ProgressBar,
) -> Summary {
    let mut summary = Summary::default();
    let mut batch: Vec<(String, Item)> = Vec::new();
    for (name, text) in documents {
        progress.set_message(name.clone());
        for parsed in parse_document(&name, &text, options) {
            match parsed {
                Ok(item) => batch.push((name.clone(), item)),
                Err(e) => summary.failures.push(parse_failure(&name, e)),
            }
            if batch.len() == BATCH {
                save_batch(db, std::mem::take(&mut batch), options, &mut summary);
            }
        }
        progress.inc(1);
    }
    save_batch(db, batch, options, &mut summary);
    summary
}

/// Saves a batch in one transaction, each article in a savepoint of its own, so that a
/// failing article is undone alone and reported; if the commit itself fails, every
/// article of the batch is reported as failed, and none was saved.
fn save_batch(db: &Database, batch: Vec<(String, Item)>, options: &Options, summary: &mut Summary) {
    if batch.is_empty() {
        return;
    }
    let places: Vec<(String, usize)> = batch.iter().map(|(n, i)| (n.clone(), i.line)).collect();
    let save_all = |conn: &mut AnyConnection| {
        Ok(batch
            .into_iter()
            .map(|(_, item)| db::savepoint(conn, |conn| save(conn, item, options)))
            .collect::<Vec<_>>())
    };
    let outcomes = db.get().and_then(|mut conn| {
        if options.dry_run {
            db::rehearse_tx(&mut conn, save_all)
        } else {
            db::write_tx(&mut conn, save_all)
        }
    });
    let fail = |summary: &mut Summary, (source, line): (String, usize), e: &ApiError| {
        summary.failures.push(Failure {
            source,
            line: Some(line),
            message: describe(e),
        })
    };
    match outcomes {
        Ok(outcomes) => {
            for (place, outcome) in places.into_iter().zip(outcomes) {
                match outcome {
                    Ok(Saved::Created) => summary.created += 1,
                    Ok(Saved::Updated) => summary.updated += 1,
                    Err(e) => fail(summary, place, &e),
                }
            }
        }
        Err(e) => {
            for place in places {
                fail(summary, place, &e);
            }
        }
    }
}

/// Imports files and directories from disk, with a progress bar on a terminal.
pub fn import_paths(db: &Database, paths: &[PathBuf], options: &Options) -> Summary {
    let (files, mut failures) = collect_files(paths);
    let progress = ProgressBar::new(files.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut documents = Vec::new();
    for file in files {
        let name = file.display().to_string();
        match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => documents.push((name, text)),
                Err(e) => failures.push(Failure {
                    source: name,
                    line: None,
                    message: format!(
                        "not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                }),
            },
            Err(e) => failures.push(Failure {
                source: name,
                line: None,
                message: e.to_string(),
            }),
        }
    }
    let mut summary = import_documents(db, documents, options, &progress);
    progress.finish_and_clear();
    failures.append(&mut summary.failures);
    summary.failures = failures;
    summary
}

fn describe(error: &ApiError) -> String {
    match error {
        ApiError::Validation(_) => error.problem().detail,
        other => other.to_string(),
    }
}

enum Saved {
    Created,
    Updated,
}

fn save(conn: &mut AnyConnection, item: Item, options: &Options) -> ApiResult<Saved> {
    let mut article = item.article;
    if article.status.is_none() {
        article.status = options.status;
    }
    if article.section.is_none() {
        article.section = options.section.clone();
    }
    save_in(conn, article, &options.limits)
}

fn save_in(
    conn: &mut AnyConnection,
    mut article: ArticleCreate,
    limits: &Limits,
) -> ApiResult<Saved> {
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
    let (saved, action, record) = match existing_slug(conn, &new)? {
        None => (
            Saved::Created,
            Action::Create,
            articles::create(conn, new, AUDIT_ACTOR)?,
        ),
        Some(current) => (
            Saved::Updated,
            Action::Update,
            articles::update(conn, &current, replace_with(new, keep_status), AUDIT_ACTOR)?,
        ),
    };
    audit::record(
        conn,
        AUDIT_ACTOR,
        action,
        &format!("/v1/articles/{}", record.row.slug),
    )?;
    Ok(saved)
}

/// Re-importing updates the article with the same id, or else the same slug
/// (the one given, or the one the title makes).
fn existing_slug(conn: &mut AnyConnection, new: &NewArticle) -> ApiResult<Option<String>> {
    if let Some(id) = &new.public_id {
        return articles::find_by_public_id(conn, id);
    }
    let slug = new
        .slug
        .clone()
        .unwrap_or_else(|| slug::slugify(&new.title));
    if slug.is_empty() {
        return Ok(None);
    }
    Ok(articles::find_current(conn, &slug)
        .ok()
        .map(|record| record.row.slug))
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
        )?;
    }
    Ok(slug)
}
