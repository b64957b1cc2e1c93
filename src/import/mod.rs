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

/// Imports named documents, each `(name, text)`; one failure never stops the others.
pub fn import_documents(
    db: &Database,
    documents: Vec<(String, String)>,
    options: &Options,
    progress: &ProgressBar,
) -> Summary {
    let mut summary = Summary::default();
    for (name, text) in documents {
        progress.set_message(name.clone());
        for parsed in parse_document(&name, &text, options) {
            let item = match parsed {
                Ok(item) => item,
                Err(e) => {
                    summary.failures.push(parse_failure(&name, e));
                    continue;
                }
            };
            let line = item.line;
            match save(db, item, options) {
                Ok(Saved::Created) => summary.created += 1,
                Ok(Saved::Updated) => summary.updated += 1,
                Err(e) => summary.failures.push(Failure {
                    source: name.clone(),
                    line: Some(line),
                    message: describe(&e),
                }),
            }
        }
        progress.inc(1);
    }
    summary
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

fn save(db: &Database, item: Item, options: &Options) -> ApiResult<Saved> {
    let mut article = item.article;
    if article.status.is_none() {
        article.status = options.status;
    }
    if article.section.is_none() {
        article.section = options.section.clone();
    }
    let mut conn = db.get()?;
    let save = |conn: &mut AnyConnection| save_in(conn, article, &options.limits);
    if options.dry_run {
        db::rehearse_tx(&mut conn, save)
    } else {
        db::write_tx(&mut conn, save)
    }
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
    match existing_slug(conn, &new)? {
        None => {
            articles::create(conn, new)?;
            Ok(Saved::Created)
        }
        Some(current) => {
            articles::update(conn, &current, replace_with(new, keep_status))?;
            Ok(Saved::Updated)
        }
    }
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

fn ensure_section(conn: &mut AnyConnection, name: &str) -> ApiResult<String> {
    let slug = slug_for(name, "section")?;
    if sections::find(conn, &slug).is_err() {
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
    if tags::find(conn, &slug).is_err() {
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
    if authors::find(conn, &slug).is_err() {
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
