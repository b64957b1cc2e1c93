//! What writers send: a new article and changes to one, checked field by field.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::views::ArticleStatus;
use crate::api::input::{
    nullable, required, Check, Name, Title, MAX_NAME_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
    NOT_XML,
};
use crate::api::locale::LanguageTag;
use crate::api::metadata::{ExactObject, MAX_METADATA_BYTES};
use crate::api::{Metadata, Slug};
use crate::config::Limits;
use crate::content::blocks::{self, Block, Unwritable};
use crate::content::ids::ArticleId;
use crate::content::xml::is_xml_char;
use crate::db::articles::Translating;
use crate::db::articles::{ArticleChanges, NewArticle, Status};
use crate::db::truncate;
use crate::error::ApiResult;

/// Most authors on one article (tags: `Limits::max_tags`).
const MAX_AUTHORS: usize = 50;

/// A new article. Only `title` and its body are required, as Markdown (`body`)
/// or as blocks (`blocks`, not both); slug, excerpt, language and reading time
/// are derived when not given.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Poutine au Kazakhstan : une alliance stratégique…",
    "body": "Le président russe est arrivé à Astana.\n\n## Une alliance ancienne\n\nLe « partenariat » remonte à 1992.",
    "status": "published",
    "published_at": "2024-11-27T09:00:00Z",
    "section": "entrevue",
    "tags": ["russie", "kazakhstan"],
    "authors": ["claire-dubois"],
    "metadata": {"dateline": "Astana", "event_date": "2024-11-28"}
}))]
pub struct ArticleCreate {
    /// A UUID to keep (when moving content between Folio instances); a new one otherwise.
    pub id: Option<uuid::Uuid>,
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(value_type = Title)]
    pub title: String,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub standfirst: Option<String>,
    /// Markdown. Required unless `blocks` is given.
    #[schema(pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")]
    pub body: Option<String>,
    /// The body as blocks, instead of `body`: Folio writes the Markdown they read
    /// as (a 422 names a block no Markdown reads back as).
    pub blocks: Option<Vec<Block>>,
    /// BCP 47 tag; detected from the text when absent.
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    /// Defaults to `draft`.
    pub status: Option<ArticleStatus>,
    /// The section's slug.
    #[schema(value_type = Option<Slug>)]
    pub section: Option<String>,
    /// Tag slugs.
    #[schema(value_type = Option<Vec<Slug>>, max_items = 50)]
    pub tags: Option<Vec<String>>,
    /// Author slugs, in byline order.
    #[schema(value_type = Option<Vec<Slug>>, max_items = 50)]
    pub authors: Option<Vec<String>>,
    /// Publication time; defaults to the moment the article is published.
    pub published_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Metadata>)]
    pub metadata: Option<ExactObject>,
    /// The id of the cover image (an asset from `POST /v1/assets`).
    pub cover: Option<uuid::Uuid>,
    /// The article (slug or id) this one translates: it joins that story, in its
    /// own language (one article per language).
    #[schema(
        max_length = 200,
        example = "poutine-au-kazakhstan-une-alliance-strategique"
    )]
    pub translation_of: Option<String>,
    /// A key the versions of one story share instead (Hugo's `translationKey`).
    #[schema(value_type = Option<Name>)]
    pub translation_key: Option<String>,
}

/// Changes to an article: absent fields are left alone, `null` clears
/// `standfirst`, `section`, `published_at`, `tags`, `authors` and `metadata`,
/// and makes `language` detected again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "published", "tags": ["russie", "energie"]}))]
pub struct ArticleUpdate {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Slug)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Title)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")]
    pub standfirst: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")]
    pub body: Option<Option<String>>,
    /// A new body as blocks, instead of `body`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Vec<Block>)]
    pub blocks: Option<Option<Vec<Block>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = ArticleStatus)]
    pub status: Option<Option<ArticleStatus>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Slug>)]
    pub section: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Slug>>, max_items = 50)]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Slug>>, max_items = 50)]
    pub authors: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Metadata>)]
    pub metadata: Option<Option<ExactObject>>,
    /// The cover image's asset id; `null` takes the cover off.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub cover: Option<Option<uuid::Uuid>>,
    /// Moves the article into the story of this one (slug or id); `null` makes it
    /// a story of its own.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Name>)]
    pub translation_of: Option<Option<String>>,
}

/// The Markdown of a body given as Markdown or as blocks (one of them: `None`
/// when neither is).
fn body_of(
    check: &mut Check,
    markdown: Option<String>,
    blocks: Option<Vec<Block>>,
) -> Option<String> {
    match (markdown, blocks) {
        (Some(_), Some(_)) => {
            check.fail("blocks", "give body or blocks, not both");
            None
        }
        (Some(markdown), None) => Some(markdown),
        (None, Some(blocks)) => match blocks::to_markdown(&blocks) {
            Ok(markdown) => Some(markdown),
            Err(Unwritable { block, reason }) => {
                check.fail(&format!("blocks[{block}]"), reason);
                None
            }
        },
        (None, None) => None,
    }
}

fn check_body(check: &mut Check, body: &str, limits: &Limits) {
    if !body.chars().all(is_xml_char) {
        check.fail("body", NOT_XML);
    } else if body.len() > limits.max_body_bytes {
        check.fail(
            "body",
            format!(
                "is {} bytes; the limit is {} bytes",
                body.len(),
                limits.max_body_bytes
            ),
        );
    }
}

fn check_metadata(check: &mut Check, metadata: &Map<String, Value>) -> String {
    // Stored as JSON text, where NUL is the escape `\u0000`: any JSON object can be kept.
    let text = Value::Object(metadata.clone()).to_string();
    if text.len() > MAX_METADATA_BYTES {
        check.fail(
            "metadata",
            format!("must be at most {MAX_METADATA_BYTES} bytes of JSON"),
        );
    }
    text
}

fn check_common(
    check: &mut Check,
    slug: Option<&str>,
    language: Option<&str>,
    section: Option<&str>,
) {
    if let Some(slug) = slug {
        check.slug("slug", slug);
    }
    if let Some(language) = language {
        check.language("language", language);
    }
    if let Some(section) = section {
        check.slug("section", section);
    }
}

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    truncate(t.naive_utc())
}

impl ArticleCreate {
    pub fn parse(self, limits: &Limits) -> ApiResult<NewArticle> {
        let mut check = Check::default();
        check_common(
            &mut check,
            self.slug.as_deref(),
            self.language.as_deref(),
            self.section.as_deref(),
        );
        check.line("title", &self.title, MAX_TITLE_CHARS);
        if let Some(at) = &self.published_at {
            check.instant("published_at", at);
        }
        if let Some(standfirst) = &self.standfirst {
            check.text("standfirst", standfirst, MAX_TEXT_CHARS);
        }
        let body = body_of(&mut check, self.body, self.blocks);
        match &body {
            Some(body) => check_body(&mut check, body, limits),
            None => check.fail("body", "is required (or give blocks)"),
        }
        let tags = self.tags.unwrap_or_default();
        let authors = self.authors.unwrap_or_default();
        check.slugs("tags", &tags, limits.max_tags);
        check.slugs("authors", &authors, MAX_AUTHORS);
        let metadata = check_metadata(&mut check, &self.metadata.unwrap_or_default().0);
        let translation = match (self.translation_of, self.translation_key) {
            (Some(_), Some(_)) => {
                check.fail(
                    "translation_key",
                    "give translation_of or translation_key, not both",
                );
                None
            }
            (Some(of), None) => Some(Translating::Of(of)),
            (None, Some(key)) => Some(Translating::Key(key)),
            (None, None) => None,
        };
        if let Some(Translating::Of(text) | Translating::Key(text)) = &translation {
            check.line("translation_of", text, MAX_NAME_CHARS);
        }
        check.finish()?;
        Ok(NewArticle {
            public_id: self.id.map(ArticleId::from),
            slug: self.slug,
            title: self.title,
            standfirst: self.standfirst,
            body: body.unwrap_or_default(),
            language: self.language,
            status: self.status.map(Status::from).unwrap_or(Status::Draft),
            section: self.section,
            tags,
            authors,
            published_at: self.published_at.map(naive),
            metadata,
            cover: self.cover.map(|id| id.to_string()),
            translation,
        })
    }
}

impl ArticleUpdate {
    pub fn parse(self, limits: &Limits) -> ApiResult<ArticleChanges> {
        let mut check = Check::default();
        let slug = required(&mut check, "slug", self.slug);
        let title = required(&mut check, "title", self.title);
        let markdown = required(&mut check, "body", self.body);
        let blocks = required(&mut check, "blocks", self.blocks);
        let body = body_of(&mut check, markdown, blocks);
        let status = required(&mut check, "status", self.status);
        check_common(
            &mut check,
            slug.as_deref(),
            self.language.clone().flatten().as_deref(),
            self.section.clone().flatten().as_deref(),
        );
        if let Some(title) = &title {
            check.line("title", title, MAX_TITLE_CHARS);
        }
        if let Some(Some(at)) = &self.published_at {
            check.instant("published_at", at);
        }
        if let Some(Some(standfirst)) = &self.standfirst {
            check.text("standfirst", standfirst, MAX_TEXT_CHARS);
        }
        if let Some(body) = &body {
            check_body(&mut check, body, limits);
        }
        let tags = self.tags.map(Option::unwrap_or_default);
        let authors = self.authors.map(Option::unwrap_or_default);
        if let Some(tags) = &tags {
            check.slugs("tags", tags, limits.max_tags);
        }
        if let Some(authors) = &authors {
            check.slugs("authors", authors, MAX_AUTHORS);
        }
        let metadata = self
            .metadata
            .map(|m| check_metadata(&mut check, &m.unwrap_or_default().0));
        if let Some(Some(of)) = &self.translation_of {
            check.line("translation_of", of, MAX_NAME_CHARS);
        }
        check.finish()?;
        Ok(ArticleChanges {
            slug,
            title,
            standfirst: self.standfirst,
            body,
            language: self.language,
            status: status.map(Status::from),
            section: self.section,
            tags,
            authors,
            published_at: self.published_at.map(|t| t.map(naive)),
            metadata,
            cover: self.cover.map(|c| c.map(|id| id.to_string())),
            translation: self.translation_of.map(|of| of.map(Translating::Of)),
        })
    }
}
