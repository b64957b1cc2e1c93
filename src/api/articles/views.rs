//! How articles are shown: the whole article, the summary lists show, and the
//! page of a list.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use utoipa::ToSchema;

use super::{blocks, links};
use crate::api::assets::views::{expand_body, Asset};
use crate::api::authors::Author;
use crate::api::locale::LanguageTag;
use crate::api::sections::Section;
use crate::api::Metadata;
use crate::content::blocks::Block;
use crate::content::language;
use crate::content::names::{Text, Texts};
use crate::db::articles::Member;
use crate::db::articles::{ArticleRecord, Label, Status};
use crate::site::{Placed, Site};

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
    /// Its name in the article's language when it has one (`fr` stands for
    /// `fr-CA`), else its own name.
    pub name: String,
}

impl Reference {
    /// How an article in the languages `order` (see `language::lookup_order`) names `label`.
    pub fn new(label: Label, order: &[String]) -> Self {
        let mut name = label.name;
        if let Some(translations) = &label.translations {
            // A name in a list of labels: no `Content-Language` to keep track of.
            Texts::new(translations, label.language.as_deref()).translation_of(
                order,
                Text::Name,
                &mut name,
            );
        }
        Self {
            slug: label.slug,
            name,
        }
    }
}

/// Another version of an article's story.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "7c1e2b90-5a4d-4f0e-8b3a-1d2c3e4f5a6b", "language": "en", "slug": "putin-in-kazakhstan", "url": "https://news.example/interview/putin-in-kazakhstan"}))]
pub struct Translation {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(value_type = LanguageTag)]
    pub language: String,
    pub slug: String,
    /// Its address on the public site; null without a site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
}

impl Translation {
    fn new(member: Member, site: &Site) -> Self {
        let url = links::url_of(&member, site);
        Self {
            id: member.public_id,
            language: member.language,
            slug: member.slug,
            url,
        }
    }
}

/// An article without its body, as lists show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "slug": "poutine-au-kazakhstan-une-alliance-strategique",
    "url": "https://news.example/entrevue/poutine-au-kazakhstan-une-alliance-strategique",
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
    "cover": null, "translation_group": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "translations": [{"id": "7c1e2b90-5a4d-4f0e-8b3a-1d2c3e4f5a6b", "language": "en", "slug": "putin-in-kazakhstan", "url": "https://news.example/interview/putin-in-kazakhstan"}]
}))]
pub struct ArticleSummary {
    /// Stable public identifier, the same on every backend and across export/import.
    #[schema(format = Uuid)]
    pub id: String,
    pub slug: String,
    /// Its address on the public site (`FOLIO_SITE_URL` and `FOLIO_PERMALINK`);
    /// null when the server has no site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
    pub title: String,
    /// The summary written by the editor, if any.
    #[schema(required = true)]
    pub standfirst: Option<String>,
    /// Plain text: the standfirst, or the start of the body when there is none.
    pub excerpt: String,
    /// BCP 47 language tag, given or detected.
    #[schema(value_type = LanguageTag)]
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
    // Kept as the stored JSON text: shown as it is, never taken apart.
    #[schema(value_type = Metadata)]
    pub metadata: Box<RawValue>,
    /// The cover image, with its sizes, alt text and placeholder.
    #[schema(required = true)]
    pub cover: Option<Asset>,
    /// The story this article tells in its language: its versions share it.
    pub translation_group: String,
    /// The story's other published versions, by language.
    pub translations: Vec<Translation>,
    /// In search results: the matching passage, HTML-escaped, with matches in `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// What the article's page shows beside it: each part present when asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Included {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<ArticleSummary>>,
    /// From the top-level section down to the article's own; empty when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_path: Option<Vec<Section>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<Author>>,
}

/// A whole article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "slug": "poutine-au-kazakhstan-une-alliance-strategique",
    "url": "https://news.example/entrevue/poutine-au-kazakhstan-une-alliance-strategique",
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
    "cover": null, "translation_group": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "translations": [{"id": "7c1e2b90-5a4d-4f0e-8b3a-1d2c3e4f5a6b", "language": "en", "slug": "putin-in-kazakhstan", "url": "https://news.example/interview/putin-in-kazakhstan"}],
    "body": "Le président russe est arrivé à Astana pour une visite d’État de deux jours.\n\n## Une relation ancienne\n\n« Nous sommes des alliés naturels », a-t-il déclaré.",
    "body_html": "<p>Le président russe est arrivé à Astana pour une visite d’État de deux jours.</p>\n<h2>Une relation ancienne</h2>\n<p>« Nous sommes des alliés naturels », a-t-il déclaré.</p>\n",
    "blocks": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Le président russe est arrivé à Astana pour une visite d’État de deux jours."}]},
        {"type": "heading", "level": 2, "content": [{"type": "text", "text": "Une relation ancienne"}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "« Nous sommes des alliés naturels », a-t-il déclaré."}]}
    ]
}))]
pub struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The Markdown source, byte for byte as written.
    pub body: String,
    /// The body rendered to sanitised HTML.
    pub body_html: String,
    /// The body as typed blocks, for clients that lay text out natively.
    #[schema(value_type = Vec<Block>)]
    pub blocks: Box<RawValue>,
    /// What `include` asked to read with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included: Option<Included>,
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_default()
}

impl Article {
    /// Writes the value of one of the article's members to `json`, as the whole
    /// article shows it (`fields` picks them one by one); false when the article
    /// has no such member (a highlight outside a search).
    pub fn write_member(
        &self,
        field: ArticleField,
        json: &mut Vec<u8>,
    ) -> serde_json::Result<bool> {
        fn put<T: Serialize + ?Sized>(json: &mut Vec<u8>, value: &T) -> serde_json::Result<bool> {
            serde_json::to_writer(json, value).map(|()| true)
        }
        let summary = &self.summary;
        match field {
            ArticleField::Id => put(json, &summary.id),
            ArticleField::Slug => put(json, &summary.slug),
            ArticleField::Url => put(json, &summary.url),
            ArticleField::Title => put(json, &summary.title),
            ArticleField::Standfirst => put(json, &summary.standfirst),
            ArticleField::Excerpt => put(json, &summary.excerpt),
            ArticleField::Language => put(json, &summary.language),
            ArticleField::Status => put(json, &summary.status),
            ArticleField::Section => put(json, &summary.section),
            ArticleField::Tags => put(json, &summary.tags),
            ArticleField::Authors => put(json, &summary.authors),
            ArticleField::WordCount => put(json, &summary.word_count),
            ArticleField::ReadingTimeMinutes => put(json, &summary.reading_time_minutes),
            ArticleField::PublishedAt => put(json, &summary.published_at),
            ArticleField::FirstPublishedAt => put(json, &summary.first_published_at),
            ArticleField::CreatedAt => put(json, &summary.created_at),
            ArticleField::UpdatedAt => put(json, &summary.updated_at),
            ArticleField::Metadata => put(json, &summary.metadata),
            ArticleField::Cover => put(json, &summary.cover),
            ArticleField::TranslationGroup => put(json, &summary.translation_group),
            ArticleField::Translations => put(json, &summary.translations),
            ArticleField::Body => put(json, &self.body),
            ArticleField::BodyHtml => put(json, &self.body_html),
            ArticleField::Blocks => put(json, &self.blocks),
            ArticleField::Highlight => match &summary.highlight {
                Some(highlight) => put(json, highlight),
                None => Ok(false),
            },
        }
    }
}

fn references(labels: Vec<Label>, order: &[String]) -> Vec<Reference> {
    labels
        .into_iter()
        .map(|label| Reference::new(label, order))
        .collect()
}

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

impl ArticleSummary {
    /// An article as lists show it, with its address on `site`.
    pub fn new(record: ArticleRecord, site: &Site) -> Self {
        Self::from_record(record, site).0
    }

    fn from_record(record: ArticleRecord, site: &Site) -> (Self, Body) {
        let row = record.row;
        let order = language::lookup_order(std::slice::from_ref(&row.language));
        let body_html = links::expand_html(
            &expand_body(&row.body_html, &record.assets.body, site),
            &record.linked,
            site,
        );
        let targets = blocks::Targets {
            assets: &record.assets.body,
            linked: &record.linked,
        };
        let blocks = blocks::served(&row.blocks, &row.body, &targets, site);
        // Stored metadata is always an object written by this code; an unreadable one shows as empty.
        let metadata = RawValue::from_string(row.metadata).unwrap_or_else(|_| empty_object());
        let status = Status::parse(&row.status).unwrap_or(Status::Draft).into();
        let url = site.article_url(&Placed::new(
            &row.slug,
            &row.public_id,
            record.section.as_ref().map(|s| s.slug.as_str()),
            row.published_at,
            row.created_at,
        ));
        let summary = Self {
            id: row.public_id,
            slug: row.slug,
            url,
            title: row.title,
            standfirst: row.standfirst,
            excerpt: row.excerpt,
            language: row.language,
            status,
            section: record.section.map(|label| Reference::new(label, &order)),
            tags: references(record.tags, &order),
            authors: references(record.authors, &order),
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            published_at: utc(row.published_at),
            first_published_at: utc(row.first_published_at),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            metadata,
            cover: record.assets.cover.map(|asset| Asset::new(asset, site)),
            translation_group: row.translation_group,
            translations: record
                .translations
                .into_iter()
                .map(|member| Translation::new(member, site))
                .collect(),
            highlight: None,
        };
        let body = Body {
            markdown: row.body,
            html: body_html,
            blocks,
        };
        (summary, body)
    }
}

/// An article's body, as the whole article shows it.
struct Body {
    markdown: String,
    html: String,
    blocks: Box<RawValue>,
}

impl Article {
    /// A whole article, with its address on `site`.
    pub fn new(record: ArticleRecord, site: &Site) -> Self {
        let (summary, body) = ArticleSummary::from_record(record, site);
        Self {
            summary,
            body: body.markdown,
            body_html: body.html,
            blocks: body.blocks,
            included: None,
        }
    }
}

/// A page of the article list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleListPage {
    /// Article summaries (with `fields`, only the fields asked for: see `FIELDS_JSON`).
    #[schema(value_type = Vec<ArticleSummary>)]
    pub data: Vec<Box<RawValue>>,
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

/// A field of an article that `fields` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleField {
    Id,
    Slug,
    Url,
    Title,
    Standfirst,
    Excerpt,
    Language,
    Status,
    Section,
    Tags,
    Authors,
    WordCount,
    ReadingTimeMinutes,
    PublishedAt,
    FirstPublishedAt,
    CreatedAt,
    UpdatedAt,
    Metadata,
    Cover,
    TranslationGroup,
    Translations,
    Body,
    BodyHtml,
    Blocks,
    /// With `q`: the matching passage, HTML-escaped, matches in `<mark>`.
    Highlight,
}

impl ArticleField {
    pub(crate) const ALL: [ArticleField; 25] = [
        ArticleField::Id,
        ArticleField::Slug,
        ArticleField::Url,
        ArticleField::Title,
        ArticleField::Standfirst,
        ArticleField::Excerpt,
        ArticleField::Language,
        ArticleField::Status,
        ArticleField::Section,
        ArticleField::Tags,
        ArticleField::Authors,
        ArticleField::WordCount,
        ArticleField::ReadingTimeMinutes,
        ArticleField::PublishedAt,
        ArticleField::FirstPublishedAt,
        ArticleField::CreatedAt,
        ArticleField::UpdatedAt,
        ArticleField::Metadata,
        ArticleField::Cover,
        ArticleField::TranslationGroup,
        ArticleField::Translations,
        ArticleField::Body,
        ArticleField::BodyHtml,
        ArticleField::Blocks,
        ArticleField::Highlight,
    ];

    pub(super) fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(name)) => name,
            _ => format!("{self:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::FieldSet;
    use super::*;

    fn reference(slug: &str) -> Reference {
        Reference {
            slug: slug.to_owned(),
            name: format!("« {slug} »"),
        }
    }

    fn article() -> Article {
        let at = DateTime::parse_from_rfc3339("2024-11-27T09:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Article {
            summary: ArticleSummary {
                id: "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10".into(),
                slug: "poutine-au-kazakhstan".into(),
                url: Some("https://news.example/entrevue/poutine-au-kazakhstan".into()),
                title: "Poutine au Kazakhstan : une alliance stratégique…".into(),
                standfirst: None,
                excerpt: "Le cœur\u{a0}du sujet".into(),
                language: "fr".into(),
                status: ArticleStatus::Published,
                section: Some(reference("entrevue")),
                tags: vec![reference("russie"), reference("énergie")],
                authors: vec![reference("claire-dubois")],
                word_count: 412,
                reading_time_minutes: 2,
                published_at: Some(at),
                first_published_at: None,
                created_at: at,
                updated_at: at,
                metadata: RawValue::from_string(r#"{"dateline": "Astana", "n": [1, 2.5]}"#.into())
                    .unwrap_or_else(|_| empty_object()),
                cover: None,
                translation_group: "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10".into(),
                translations: Vec::new(),
                highlight: Some("une <mark>alliance</mark>".into()),
            },
            body: "## Titre\n\n« Nous sommes des alliés »".into(),
            body_html: "<h2>Titre</h2>\n<p>« Nous sommes des alliés »</p>\n".into(),
            blocks: RawValue::from_string(
                r#"[{"type":"heading","level":2,"content":[{"type":"text","text":"Titre"}]}]"#
                    .into(),
            )
            .unwrap_or_else(|_| empty_object()),
            included: None,
        }
    }

    #[test]
    fn each_field_shows_what_the_whole_article_shows() -> Result<(), Box<dyn std::error::Error>> {
        let article = article();
        let whole: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&serde_json::to_string(&article)?)?;
        for field in ArticleField::ALL {
            let name = serde_json::to_value(field)?;
            let name = name.as_str().ok_or("a field's name is a string")?;
            let picked: serde_json::Value =
                serde_json::from_str(FieldSet::parse(name)?.project(&article)?.get())?;
            assert_eq!(picked.get(name), whole.get(name), "{name}");
        }
        Ok(())
    }

    #[test]
    fn fields_come_in_the_order_asked_and_absent_ones_are_left_out(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut article = article();
        article.summary.highlight = None;
        let fields = FieldSet::parse("tags,highlight,id,metadata")?;
        assert_eq!(
            fields.project(&article)?.get(),
            r#"{"tags":[{"slug":"russie","name":"« russie »"},{"slug":"énergie","name":"« énergie »"}],"id":"0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10","metadata":{"dateline": "Astana", "n": [1, 2.5]}}"#
        );
        Ok(())
    }
}
