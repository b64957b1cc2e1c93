//! `/v1/articles`: the content itself.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::article_query::{ArticleFieldsParam, ArticleListParams, FieldSet, FIELDS_JSON};
use super::idempotency::{Created, IdempotencyKey};
use super::input::{nullable, required, Check, Title, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use super::json::JsonBody;
use super::pagination::with_query;
use super::precondition::{version_header, IfMatch};
use super::{Metadata, Slug, SlugPath};
use crate::auth::{Caller, Scope};
use crate::config::{Limits, ServerSettings};
use crate::content::analysis::Language;
use crate::content::highlight::snippet;
use crate::content::markdown;
use crate::content::search::SearchQuery;
use crate::db::article_list::{self, Window};
use crate::db::articles::{
    self as store, ArticleChanges, ArticleRecord, Label, Lookup, NewArticle, Status, Visibility,
};
use crate::db::audit::{self, Action};
use crate::db::{related, trash};
use crate::db::{truncate, Database};
use crate::error::{ApiError, ApiResult};

/// Most authors on one article (tags: `Limits::max_tags`).
const MAX_AUTHORS: usize = 50;
pub const MAX_METADATA_BYTES: usize = 65_536;

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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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

/// A new article. Only `title` and `body` are required; slug, excerpt,
/// language and reading time are derived when not given.
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
    #[schema(max_length = 10000, pattern = r"^[^\x00]*$")]
    pub standfirst: Option<String>,
    /// Markdown.
    #[schema(pattern = r"^[^\x00]*$")]
    pub body: String,
    /// BCP 47 tag; detected from the text when absent.
    #[schema(
        pattern = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length = 35,
        example = "fr"
    )]
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
    pub metadata: Option<Map<String, Value>>,
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
    #[schema(value_type = Option<String>, max_length = 10000, pattern = r"^[^\x00]*$")]
    pub standfirst: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, pattern = r"^[^\x00]*$")]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length = 35)]
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
    pub metadata: Option<Option<Map<String, Value>>>,
}

fn check_body(check: &mut Check, body: &str, limits: &Limits) {
    if body.contains('\0') {
        check.fail("body", "must not contain NUL characters");
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
        check_body(&mut check, &self.body, limits);
        let tags = self.tags.unwrap_or_default();
        let authors = self.authors.unwrap_or_default();
        check.slugs("tags", &tags, limits.max_tags);
        check.slugs("authors", &authors, MAX_AUTHORS);
        let metadata = check_metadata(&mut check, &self.metadata.unwrap_or_default());
        check.finish()?;
        Ok(NewArticle {
            public_id: self.id.map(|id| id.to_string()),
            slug: self.slug,
            title: self.title,
            standfirst: self.standfirst,
            body: self.body,
            language: self.language,
            status: self.status.map(Status::from).unwrap_or(Status::Draft),
            section: self.section,
            tags,
            authors,
            published_at: self.published_at.map(naive),
            metadata,
        })
    }
}

impl ArticleUpdate {
    fn parse(self, limits: &Limits) -> ApiResult<ArticleChanges> {
        let mut check = Check::default();
        let slug = required(&mut check, "slug", self.slug);
        let title = required(&mut check, "title", self.title);
        let body = required(&mut check, "body", self.body);
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
            .map(|m| check_metadata(&mut check, &m.unwrap_or_default()));
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
        })
    }
}

fn visibility(caller: &Caller) -> Visibility {
    if caller.can_preview() {
        Visibility::Preview
    } else {
        Visibility::Public
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

/// The best passage of an article for a search: in the body, else the standfirst, else the title.
fn highlight(record: &ArticleRecord, search: &SearchQuery) -> Option<String> {
    let language = Language::from_tag(&record.row.language);
    let body = head(&record.row.body, MAX_HIGHLIGHTED_BYTES);
    snippet(&markdown::plain_text(body), search, language)
        .or_else(|| {
            record
                .row
                .standfirst
                .as_deref()
                .and_then(|s| snippet(s, search, language))
        })
        .or_else(|| snippet(&record.row.title, search, language))
}

/// How much of a body the highlighter reads: its work per hit is bounded, whatever
/// the article's length (a match further on is found, but shown from the standfirst
/// or title, if at all).
const MAX_HIGHLIGHTED_BYTES: usize = 64 * 1024;

/// The first `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn item_json<T: Serialize>(item: T) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// List articles
///
/// Newest publication first unless `sort` says otherwise. The public sees
/// published articles whose publication time has passed; a token also sees
/// drafts, scheduled and archived articles. Follow `next_cursor` (also in the
/// `Link` header) for the next page; `total` is counted only with `include_total=true`.
#[utoipa::path(
    tag = "articles",
    params(ArticleListParams),
    responses((status = 200, description = "A page of articles; with `fields`, items hold only those fields, as `application/vnd.folio.fields+json`", body = ArticleListPage,
        headers(("Link" = String, description = "RFC 8288 links to the next (and, with `page`, previous) page")))),
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<ArticleListParams>,
) -> ApiResult<HttpResponse> {
    let query = params
        .into_inner()
        .parse(settings.timezone, &settings.limits)?;
    let visibility = visibility(&caller);
    let search = query.filter.search.clone();
    let (filter, sort, window, include_total) =
        (query.filter, query.sort, query.window, query.include_total);
    let page = match &window {
        Window::Page(page) => Some(page.page),
        Window::After(..) => None,
    };
    let per_page = match &window {
        Window::Page(page) => page.per_page,
        Window::After(_, limit) => *limit,
    };
    let fields = query.fields;
    let projected = fields.is_some();
    // Highlighting and serialising a page of long articles is CPU work: it runs on
    // the blocking pool with the query, never on the threads that answer everyone.
    let (data, next, total) = db
        .run(move |conn| {
            let list = article_list::list(conn, &filter, visibility, sort, &window, include_total)?;
            let wants_highlight = fields.as_ref().is_none_or(|f| f.includes("highlight"));
            let data: Vec<Value> = list
                .records
                .into_iter()
                .map(|record| {
                    let highlight = search
                        .as_ref()
                        .filter(|_| wants_highlight)
                        .and_then(|q| highlight(&record, q));
                    match &fields {
                        Some(fields) => {
                            let mut article = Article::from(record);
                            article.summary.highlight = highlight;
                            fields.project(item_json(article))
                        }
                        None => {
                            let mut summary = ArticleSummary::from(record);
                            summary.highlight = highlight;
                            item_json(summary)
                        }
                    }
                })
                .collect();
            Ok((data, list.next, list.total))
        })
        .await?;
    let next_cursor = next.map(|c| c.encode());
    let mut links = Vec::new();
    if let Some(cursor) = &next_cursor {
        links.push(format!(
            "<{}>; rel=\"next\"",
            with_query(&req, &[("cursor", cursor)], &["page", "cursor"])
        ));
    }
    if let Some(page) = page.filter(|p| *p > 1) {
        links.push(format!(
            "<{}>; rel=\"prev\"",
            with_query(
                &req,
                &[("page", &(page - 1).to_string())],
                &["page", "cursor"]
            )
        ));
    }
    let mut response = HttpResponse::Ok();
    if projected {
        response.content_type(FIELDS_JSON);
    }
    if !links.is_empty() {
        response.insert_header((header::LINK, links.join(", ")));
    }
    Ok(response.json(ArticleListPage {
        data,
        per_page,
        page,
        next_cursor,
        total,
    }))
}

/// Get an article
///
/// A former slug answers 301 with the current one in `Location`.
#[utoipa::path(
    tag = "articles",
    params(SlugPath, ArticleFieldsParam),
    responses(
        (status = 200, description = "The article; with `fields`, only those fields, as `application/vnd.folio.fields+json`", body = Article),
        (status = 301, description = "The article moved to a new slug",
            headers(("Location" = String, description = "The article's current URL"))),
    ),
)]
#[get("/articles/{slug}")]
pub async fn find_article(
    caller: Caller,
    db: web::Data<Database>,
    path: web::Path<SlugPath>,
    params: web::Query<ArticleFieldsParam>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner().parse()?;
    let fields = params
        .into_inner()
        .fields
        .as_deref()
        .map(FieldSet::parse)
        .transpose()?;
    let visibility = visibility(&caller);
    // Serialised on the blocking pool with the query: a body may be a megabyte.
    let found = db
        .run(move |conn| {
            Ok(match store::find(conn, &slug, visibility)? {
                Lookup::Found(record) => {
                    let version = record.row.version;
                    let article = Article::from(*record);
                    let json = match fields {
                        Some(fields) => serde_json::to_vec(&fields.project(item_json(article)))
                            .map(|json| (FIELDS_JSON, json)),
                        None => serde_json::to_vec(&article).map(|json| ("application/json", json)),
                    };
                    let json =
                        json.map_err(|e| ApiError::Internal(format!("cannot serialise: {e}")))?;
                    Ok((version, json))
                }
                Lookup::MovedTo(current) => Err(current),
            })
        })
        .await?;
    Ok(match found {
        Ok((version, (media_type, json))) => HttpResponse::Ok()
            .content_type(media_type)
            .insert_header(version_header(version))
            .body(json),
        Err(current) => HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, format!("/v1/articles/{current}")))
            .finish(),
    })
}

/// How many related articles to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    #[param(minimum = 1, maximum = 20, default = 5, example = 5)]
    pub limit: Option<u32>,
}

/// Articles related to one article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedArticles {
    /// Most related first: shared tags count most, then shared title and standfirst words
    /// (in any inflection, rarer words weighing more), then the same section; newest first among equals.
    pub data: Vec<ArticleSummary>,
}

/// Related articles
///
/// Up to `limit` articles sharing this one's tags, vocabulary or section, most related first.
#[utoipa::path(
    tag = "articles",
    params(SlugPath, RelatedParams),
    responses((status = 200, description = "Related articles", body = RelatedArticles)),
)]
#[get("/articles/{slug}/related")]
pub async fn list_related_articles(
    caller: Caller,
    db: web::Data<Database>,
    path: web::Path<SlugPath>,
    params: web::Query<RelatedParams>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner().parse()?;
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 20".into(),
        ));
    }
    let visibility = visibility(&caller);
    let records = db
        .run(move |conn| match store::find(conn, &slug, visibility)? {
            Lookup::Found(record) => {
                related::related(conn, &record.row, visibility, limit as usize)
            }
            Lookup::MovedTo(current) => Err(ApiError::NotFound(format!(
                "the article {slug:?} is now at {current:?}"
            ))),
        })
        .await?;
    Ok(HttpResponse::Ok().json(RelatedArticles {
        data: records.into_iter().map(ArticleSummary::from).collect(),
    }))
}

/// Create an article
///
/// A draft unless `status` says otherwise; the slug is made from the title when not
/// given (`-2`, `-3`… when taken). Needs `write`. With an `Idempotency-Key`, a retry
/// gets the first answer again.
#[utoipa::path(
    tag = "articles",
    request_body = ArticleCreate,
    responses((status = 201, description = "The article was created", body = Article)),
)]
#[post("/articles")]
pub async fn create_article(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    key: IdempotencyKey,
    body: JsonBody<ArticleCreate>,
) -> ApiResult<HttpResponse> {
    caller.require(Scope::Write)?;
    let digest = body.digest().to_owned();
    let new = body.into_inner()?.parse(&settings.limits)?;
    let actor = caller.actor();
    key.create(&db, &caller, &digest, move |conn| {
        let record = store::create(conn, new, &actor)?;
        Created::new(
            format!("/v1/articles/{}", record.row.slug),
            &Article::from(record),
        )
    })
    .await
}

/// Update an article
///
/// Changes only the fields sent. A new slug leaves the old one answering 301.
#[utoipa::path(
    tag = "articles",
    params(SlugPath),
    request_body = ArticleUpdate,
    responses((status = 200, description = "The updated article", body = Article)),
)]
#[patch("/articles/{slug}")]
pub async fn update_article(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    if_match: IfMatch,
    body: JsonBody<ArticleUpdate>,
) -> ApiResult<HttpResponse> {
    caller.require(Scope::Write)?;
    let actor = caller.actor();
    let slug = path.into_inner().parse()?;
    let changes = body.into_inner()?.parse(&settings.limits)?;
    let record = db
        .write(move |conn| {
            if_match.guard(conn, "articles", &slug, |conn| {
                store::find_current(conn, &slug).map(|r| (r.row.version, Article::from(r)))
            })?;
            let updated = store::update(conn, &slug, changes, &actor)?;
            audit::record(
                conn,
                &actor,
                Action::Update,
                &format!("/v1/articles/{slug}"),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(record.row.version))
        .json(Article::from(record)))
}

/// Delete an article
///
/// Moves it to the trash: its slug answers 410 until it is restored or purged.
/// Needs `write`; honours `If-Match`.
#[utoipa::path(
    tag = "articles",
    params(SlugPath),
    responses((status = 204, description = "The article was deleted")),
)]
#[delete("/articles/{slug}")]
pub async fn delete_article(
    caller: Caller,
    db: web::Data<Database>,
    path: web::Path<SlugPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(Scope::Write)?;
    let actor = caller.actor();
    let slug = path.into_inner().parse()?;
    db.write(move |conn| {
        if_match.guard(conn, "articles", &slug, |conn| {
            store::find_current(conn, &slug).map(|r| (r.row.version, Article::from(r)))
        })?;
        trash::put(conn, &slug, &actor)?;
        audit::record(
            conn,
            &actor,
            Action::Delete,
            &format!("/v1/articles/{slug}"),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_articles)
        .service(find_article)
        .service(list_related_articles)
        .service(create_article)
        .service(update_article)
        .service(delete_article);
}
