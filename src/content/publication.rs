//! Where an article stands: its status as written, and what that means for readers
//! at a given time.

use chrono::NaiveDateTime;

/// An article's status as its writers set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            _ => None,
        }
    }
}

/// How an article stood before and after a write, for naming the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Public now.
    Public,
    /// Published with a publication time still to come.
    Scheduled,
    /// A draft or archived.
    Hidden,
}

impl Standing {
    pub fn of(status: &str, published_at: Option<NaiveDateTime>, at: NaiveDateTime) -> Self {
        match (status, published_at) {
            ("published", Some(t)) if t <= at => Standing::Public,
            ("published", Some(_)) => Standing::Scheduled,
            _ => Standing::Hidden,
        }
    }
}
