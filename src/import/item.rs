//! What an import reads: its options, the articles parsed from documents and
//! where each came from, and what can go wrong on the way.

use chrono_tz::Tz;

use crate::api::articles::{ArticleCreate, ArticleStatus};
use crate::config::Limits;

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

#[cfg(test)]
impl Options {
    /// What the demo is imported with: no status or section forced, Paris time.
    pub(super) fn for_tests() -> Self {
        Self {
            status: None,
            section: None,
            dry_run: false,
            timezone: chrono_tz::Europe::Paris,
            limits: crate::config::Limits::default(),
        }
    }
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

/// How the audit log names writes made by `folio import` (and the demo loader).
pub(super) const AUDIT_ACTOR: &str = "folio import";

/// An article read from a document, with where it came from.
pub(super) struct Sourced {
    pub(super) name: String,
    /// The document's source identity, `#N` added for the Nth article of a JSON file.
    pub(super) source: String,
    pub(super) item: Item,
}
