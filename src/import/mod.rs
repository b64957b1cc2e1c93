//! `folio import`: plain-text wire copy, Markdown with front matter, and JSON,
//! all turned into the API's own create-article shape and saved through the same code.

mod frontmatter;
mod item;
mod json;
mod plaintext;
mod save;

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::db::{self, AnyConnection, Database};
use crate::error::{ApiError, ApiResult};
use item::Sourced;
pub use item::{Failure, Item, Options, ParseError};
use save::{save, Known, Saved};

#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    /// Articles whose source says exactly what it said when last imported: not written.
    pub unchanged: usize,
    pub failures: Vec<Failure>,
}

/// One file to read, with its name for messages and its stable source identity.
pub struct Document {
    /// How messages name it (the path as found).
    pub name: String,
    /// What a re-import recognises it by: its path relative to the import root.
    pub source: String,
    /// Its bytes, read only when its turn comes (JSON as a stream).
    pub content: Box<dyn BufRead>,
}

impl Summary {
    pub fn line(&self, dry_run: bool) -> String {
        let verb = if dry_run { "would be " } else { "" };
        format!(
            "{} created, {} updated, {} unchanged, {} failed{}",
            self.created,
            self.updated,
            self.unchanged,
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

/// A file to import and its source identity (its path relative to the import root).
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub path: PathBuf,
    pub source: String,
}

/// The files to import: the paths given, with directories walked in name order.
/// A directory is walked once however many links lead to it, so a symlink loop
/// ends; a file's source identity is its path relative to the directory given
/// (or, for a file given itself, the path as given).
pub fn collect_files(paths: &[PathBuf]) -> (Vec<FoundFile>, Vec<Failure>) {
    let mut walk = Walk::default();
    for path in paths {
        let root = if path.is_dir() {
            path.as_path()
        } else {
            Path::new("")
        };
        walk.visit(path, root, true);
    }
    (walk.files, walk.failures)
}

#[derive(Default)]
struct Walk {
    files: Vec<FoundFile>,
    failures: Vec<Failure>,
    /// Directories already walked, by their canonical path.
    seen: std::collections::HashSet<PathBuf>,
}

impl Walk {
    fn visit(&mut self, path: &Path, root: &Path, explicit: bool) {
        if path.is_dir() {
            match std::fs::canonicalize(path) {
                Ok(real) => {
                    if !self.seen.insert(real) {
                        return;
                    }
                }
                Err(e) => return self.fail(path, e.to_string()),
            }
            let entries = match std::fs::read_dir(path) {
                Ok(entries) => entries,
                Err(e) => return self.fail(path, e.to_string()),
            };
            let mut children: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            children.sort();
            for child in children {
                self.visit(&child, root, false);
            }
        } else if explicit || has_known_extension(path) {
            let relative = path.strip_prefix(root).unwrap_or(path);
            let source = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            self.files.push(FoundFile {
                path: path.to_owned(),
                source,
            });
        }
    }

    fn fail(&mut self, path: &Path, message: String) {
        self.failures.push(Failure {
            source: path.display().to_string(),
            line: None,
            message,
        });
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads one document into articles, choosing the format by extension and content,
/// and hands each article, or the error that stopped it, to `sink` in order; a
/// file-level error is a single entry. At most `limit` bytes of a text document
/// are read; JSON is read as a stream.
pub fn parse_document(
    name: &str,
    mut content: impl BufRead,
    options: &Options,
    sink: &mut json::Sink<'_>,
) {
    if let Err(e) = skip_byte_order_mark(&mut content) {
        return sink(Err(ParseError::at(1, e.to_string())));
    }
    if is_json(name) {
        return json::read(content, options.limits.max_request_bytes, sink);
    }
    let mut bytes = Vec::new();
    let limit = options.limits.max_request_bytes as u64;
    if let Err(e) = content.take(limit + 1).read_to_end(&mut bytes) {
        return sink(Err(ParseError::at(1, e.to_string())));
    }
    if bytes.len() as u64 > limit {
        return sink(Err(ParseError {
            line: None,
            message: format!("file too large (> FOLIO_MAX_REQUEST_BYTES = {limit})"),
        }));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return sink(Err(ParseError {
                line: None,
                message: format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            }))
        }
    };
    sink(if text.starts_with("---") || text.starts_with("+++") {
        frontmatter::parse(&text, options)
    } else {
        plaintext::parse(&text, options)
    });
}

/// A byte order mark is not part of the text.
fn skip_byte_order_mark(content: &mut impl BufRead) -> std::io::Result<()> {
    const MARK: &[u8] = "\u{feff}".as_bytes();
    if content.fill_buf()?.starts_with(MARK) {
        content.consume(MARK.len());
    }
    Ok(())
}

fn parse_failure(source: &str, error: ParseError) -> Failure {
    Failure {
        source: source.to_owned(),
        line: error.line,
        message: error.message,
    }
}

/// Articles saved per transaction, at most. Each commit of SQLite's search index
/// writes a new index segment that later has to be merged, and each PostgreSQL
/// commit waits for the disk: one transaction per article made large imports many
/// times slower (50,000 articles on SQLite: 41.6 s in batches of 250, 36.1 s in
/// batches of 1,000).
const BATCH: usize = 1_000;
/// Articles in the first batch, at least. A batch is never larger than what the
/// import has already saved, so the tables at most double between two refreshes
/// of the planner's statistics: PostgreSQL plans a batch's statements on the
/// tables as they were before it (a first batch of 1,000 on empty tables ran with
/// sequential scans throughout).
const FIRST_BATCH: usize = 250;

/// Imports documents, each read when its turn comes (so a large tree is never held
/// in memory at once); one failure never stops the others.
pub fn import_documents(
    db: &Database,
    documents: impl IntoIterator<Item = Result<Document, Failure>>,
    options: &Options,
    progress: &ProgressBar,
) -> Summary {
    let mut summary = Summary::default();
    let mut batch: Vec<Sourced> = Vec::new();
    // Articles in the batches saved so far, and when statistics were last refreshed.
    let mut saved: usize = 0;
    let mut analysed_at: usize = 0;
    for document in documents {
        let document = match document {
            Ok(document) => document,
            Err(failure) => {
                summary.failures.push(failure);
                progress.inc(1);
                continue;
            }
        };
        progress.set_message(document.name.clone());
        let numbered = is_json(&document.name);
        let mut count = 0;
        parse_document(&document.name, document.content, options, &mut |parsed| {
            count += 1;
            match parsed {
                Ok(item) => batch.push(Sourced {
                    name: document.name.clone(),
                    source: if numbered {
                        format!("{}#{count}", document.source)
                    } else {
                        document.source.clone()
                    },
                    item,
                }),
                Err(e) => summary.failures.push(parse_failure(&document.name, e)),
            }
            if batch.len() >= saved.clamp(FIRST_BATCH, BATCH) {
                saved += batch.len();
                save_batch(db, std::mem::take(&mut batch), options, &mut summary);
                // Whenever the tables have about doubled: a few cheap ANALYZEs in all.
                if saved >= 2 * analysed_at.max(FIRST_BATCH / 2) {
                    refresh_statistics(db);
                    analysed_at = saved;
                }
            }
        });
        progress.inc(1);
    }
    save_batch(db, batch, options, &mut summary);
    summary
}

/// Keeps the planner's statistics in step with the import (see
/// `db::refresh_statistics`); failing to only makes the import slower, so it is logged.
fn refresh_statistics(db: &Database) {
    if let Err(e) = db
        .get()
        .and_then(|mut conn| db::refresh_statistics(&mut conn, db::Statistics::DuringBulkWrite))
    {
        log::warn!("could not refresh the planner's statistics: {e}");
    }
}

/// Whether a file holds JSON articles (so possibly several), by its extension.
fn is_json(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["json", "ndjson", "jsonl"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Saves a batch in one transaction, each article in a savepoint of its own, so that a
/// failing article is undone alone and reported; if the commit itself fails, every
/// article of the batch is reported as failed, and none was saved.
fn save_batch(db: &Database, batch: Vec<Sourced>, options: &Options, summary: &mut Summary) {
    if batch.is_empty() {
        return;
    }
    let places: Vec<(String, usize)> = batch
        .iter()
        .map(|s| (s.name.clone(), s.item.line))
        .collect();
    let save_all = |conn: &mut AnyConnection| {
        let mut known = Known::default();
        let mut entries = Vec::new();
        let saved = batch
            .into_iter()
            .map(|sourced| {
                let outcome = db::savepoint(conn, |conn| save(conn, sourced, options, &known))?;
                known.add(outcome.found);
                entries.extend(outcome.entry);
                Ok(outcome.saved)
            })
            .collect::<Vec<ApiResult<Saved>>>();
        // After every savepoint (see `commit::index`); an article saved twice in
        // a batch is indexed as it was saved last.
        db::commit::index(conn, &entries)?;
        Ok(saved)
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
                    Ok(Saved::Unchanged) => summary.unchanged += 1,
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
    let (files, failures) = collect_files(paths);
    let progress = ProgressBar::new(files.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let limit = options.limits.max_request_bytes;
    let documents = files.into_iter().map(|file| read_document(file, limit));
    let mut summary = import_documents(db, documents, options, &progress);
    progress.finish_and_clear();
    let mut all = failures;
    all.append(&mut summary.failures);
    summary.failures = all;
    summary
}

/// Opens one file, after checking its size: no file larger than a request the API
/// would take is read whole (a 1 GB file must not take 2 GB of memory). JSON is
/// read as a stream and bounded as it is read (see `json`), since NDJSON may be
/// of any size.
fn read_document(file: FoundFile, limit: usize) -> Result<Document, Failure> {
    let name = file.path.display().to_string();
    let fail = |message: String| Failure {
        source: name.clone(),
        line: None,
        message,
    };
    let size = std::fs::metadata(&file.path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    if size > limit as u64 && !is_json(&name) {
        return Err(fail(format!(
            "file too large ({size} bytes > FOLIO_MAX_REQUEST_BYTES = {limit})"
        )));
    }
    let opened = std::fs::File::open(&file.path).map_err(|e| fail(e.to_string()))?;
    Ok(Document {
        name: name.clone(),
        source: file.source,
        content: Box::new(std::io::BufReader::new(opened)),
    })
}

fn describe(error: &ApiError) -> String {
    match error {
        ApiError::Validation(_) => error.problem().detail,
        other => other.to_string(),
    }
}
