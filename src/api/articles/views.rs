//! How articles are shown: the whole article, the summary lists show, and the
//! page of a list.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::api::Metadata;
use crate::db::articles::{ArticleRecord, Label, Status};

/// Where an article stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written; never public.
    Draft,
    /// Public once `published_at` has passed (a future date schedules it).
    Published,
    /// Withdrawn from the public.
    Archived,
}

impl From<ArticleStatus> for Status {
    fn from(status: ArticleStatus) -> Self {
        match status {
            ArticleStatus::Draft => Status::Draft,
            ArticleStatus::Published => Status::Published,
            ArticleStatus::Archived => Status::Archived,
        }
    }
}

impl From<Status> for ArticleStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Draft => ArticleStatus::Draft,
            Status::Published => ArticleStatus::Published,
            Status::Archived => ArticleStatus::Archived,
        }
    }
}

/// A section, tag or author as an article refers to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"slug": "asie", "name": "Asie"}))]
pub struct Reference {
    pub slug: String,
    pub name: String,
}

impl From<Label> for Reference {
    fn from(label: Label) -> Self {
        Self {
            slug: label.slug,
            name: label.name,
        }
    }
}

/// An article without its body, as lists show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "slug": "poutine-au-kazakhstan-une-alliance-strategique",
    "title": "Poutine au Kazakhstan : une alliance stratégique…",
    "standfirst": null,
    "excerpt": "Le président russe est arrivé à Astana pour une visite d’État de deux jours.",
    "language": "fr", "status": "published",
    "section": {"slug": "entrevue", "name": "Entrevue"},
    "tags": [{"slug": "russie", "name": "Russie"}],
    "authors": [{"slug": "claire-dubois", "name": "Claire Dubois"}],
    "word_count": 412, "reading_time_minutes": 2,
    "published_at": "2024-11-27T09:00:00Z", "first_published_at": "2024-11-27T09:00:00Z",
    "created_at": "2024-11-26T18:12:00Z", "updated_at": "2024-11-27T08:55:00Z",
    "metadata": {"dateline": "Astana", "event_date": "2024-11-28"}
}))]
pub struct ArticleSummary {
    /// Stable public identifier, the same on every backend and across export/import.
    #[schema(format = Uuid)]
    pub id: String,
    pub slug: String,
    pub title: String,
    /// The summary written by the editor, if any.
    #[schema(required = true)]
    pub standfirst: Option<String>,
    /// Plain text: the standfirst, or the start of the body when there is none.
    pub excerpt: String,
    /// BCP 47 language tag, given or detected.
    pub language: String,
    pub status: ArticleStatus,
    #[schema(required = true)]
    pub section: Option<Reference>,
    pub tags: Vec<Reference>,
    /// The byline, in order.
    pub authors: Vec<Reference>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    /// When the article is (or was, or will be) public. A future date means scheduled.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// When the article was first published; never changes afterwards.
    #[schema(required = true)]
    pub first_published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(value_type = Metadata)]
    pub metadata: Map<String, Value>,
    /// In search results: the matching passage, HTML-escaped, with matches in `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// A whole article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "slug": "poutine-au-kazakhstan-une-alliance-strategique",
    "title": "Poutine au Kazakhstan : une alliance stratégique…",
    "standfirst": null,
    "excerpt": "Le président russe est arrivé à Astana pour une visite d’État de deux jours.",
    "language": "fr", "status": "published",
    "section": {"slug": "entrevue", "name": "Entrevue"},
    "tags": [{"slug": "russie", "name": "Russie"}],
    "authors": [{"slug": "claire-dubois", "name": "Claire Dubois"}],
    "word_count": 412, "reading_time_minutes": 2,
    "published_at": "2024-11-27T09:00:00Z", "first_published_at": "2024-11-27T09:00:00Z",
    "created_at": "2024-11-26T18:12:00Z", "updated_at": "2024-11-27T08:55:00Z",
    "metadata": {"dateline": "Astana", "event_date": "2024-11-28"},
    "body": "Le président russe est arrivé à Astana pour une visite d’État de deux jours.\n\n## Une relation ancienne\n\n« Nous sommes des alliés naturels », a-t-il déclaré.",
    "body_html": "<p>Le président russe est arrivé à Astana pour une visite d’État de deux jours.</p>\n<h2>Une relation ancienne</h2>\n<p>« Nous sommes des alliés naturels », a-t-il déclaré.</p>\n"
}))]
pub struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The Markdown source, byte for byte as written.
    pub body: String,
    /// The body rendered to sanitised HTML.
    pub body_html: String,
}

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

impl ArticleSummary {
    fn from_record(record: ArticleRecord) -> (Self, String, String) {
        let row = record.row;
        // Stored metadata is always an object written by this code; an unreadable one shows as empty.
        let metadata = serde_json::from_str(&row.metadata).unwrap_or_default();
        let status = Status::parse(&row.status).unwrap_or(Status::Draft).into();
        let summary = Self {
            id: row.public_id,
            slug: row.slug,
            title: row.title,
            standfirst: row.standfirst,
            excerpt: row.excerpt,
            language: row.language,
            status,
            section: record.section.map(Reference::from),
            tags: record.tags.into_iter().map(Reference::from).collect(),
            authors: record.authors.into_iter().map(Reference::from).collect(),
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            published_at: utc(row.published_at),
            first_published_at: utc(row.first_published_at),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            metadata,
            highlight: None,
        };
        (summary, row.body, row.body_html)
    }
}

impl From<ArticleRecord> for ArticleSummary {
    fn from(record: ArticleRecord) -> Self {
        Self::from_record(record).0
    }
}

impl From<ArticleRecord> for Article {
    fn from(record: ArticleRecord) -> Self {
        let (summary, body, body_html) = ArticleSummary::from_record(record);
        Self {
            summary,
            body,
            body_html,
        }
    }
}

/// A page of the article list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleListPage {
    /// Article summaries (with `fields`, only the fields asked for: see `FIELDS_JSON`).
    #[schema(value_type = Vec<ArticleSummary>)]
    pub data: Vec<Value>,
    /// The page size used.
    #[schema(example = 20)]
    pub per_page: i64,
    /// This page's number, when the request used `page`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub page: Option<i64>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// How many articles match, when `include_total=true` asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 42)]
    pub total: Option<i64>,
}

/// The spec's schema of a partial article, built from `Article` by `openapi::finish`.
pub const ARTICLE_FIELDS_SCHEMA: &str = "ArticleFields";
