//! `/v1/feeds/articles.{rss,atom,json}`: the newest public articles of any article
//! query, as RSS 2.0, Atom 1.0 and JSON Feed 1.1, for feed readers and partners.

mod formats;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::articles::query::{ArticleListParams, DateFieldParam, SortParam};
use super::articles::{Article, Reference};
use super::feed_links::{public_base, site_url, Format};
use super::locale::{LanguageTag, Locale, LocaleParams};
use super::Slug;
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::content::xml::well_formed;
use crate::db::article_list::{self, ArticleFilter, Window};
use crate::db::articles::{ArticleRecord, Label, Parts, Visibility};
use crate::db::{modified, Database, ReadFrom};
use crate::error::{ApiError, ApiResult};
use crate::site::Site;
use crate::surrogate;
use formats::FeedText;

/// How much of each article a feed carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The whole body as HTML, with the excerpt as summary.
    #[default]
    Full,
    /// The excerpt only.
    Excerpt,
}

/// A feed's articles: the article list's filters; always newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only articles matching this search (as the article list's `q`), newest first.
    #[param(min_length = 1, max_length = 500)]
    pub q: Option<String>,
    /// Only articles in this section (by slug), subsections included unless `descendants=false`.
    #[param(value_type = Option<Slug>)]
    pub section: Option<String>,
    /// With `section`: whether its subsections count.
    #[param(default = true)]
    pub descendants: Option<bool>,
    /// Only articles carrying every one of these tags (comma-separated slugs).
    #[param(value_type = Option<Vec<Slug>>, style = Form, explode = false, min_items = 1, max_items = 20)]
    pub tag: Option<String>,
    /// Only articles carrying at least one of these tags (comma-separated slugs).
    #[param(value_type = Option<Vec<Slug>>, style = Form, explode = false, min_items = 1, max_items = 20)]
    pub tag_any: Option<String>,
    /// Only articles by this author (by slug).
    #[param(value_type = Option<Slug>)]
    pub author: Option<String>,
    /// Only articles in this language (BCP 47).
    #[param(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    /// From this date (a whole day in `tz`) or instant (RFC 3339), included.
    #[param(value_type = Option<super::articles::query::DateOrInstant>)]
    pub from: Option<String>,
    /// Up to this date (a whole day in `tz`) or instant (RFC 3339), included.
    #[param(value_type = Option<super::articles::query::DateOrInstant>)]
    pub to: Option<String>,
    /// IANA time zone in which dates in `from` and `to` are read; the server's default otherwise.
    #[param(value_type = Option<super::articles::query::TimeZoneName>)]
    pub tz: Option<String>,
    /// Which date `from` and `to` apply to.
    #[param(default = "published")]
    pub date_field: Option<DateFieldParam>,
    /// Whole bodies (`full`) or excerpts only.
    #[param(default = "full")]
    pub content: Option<FeedContent>,
}

impl FeedParams {
    /// The article list request this feed shows: its filters, newest first, one page.
    fn list(self, items: u32) -> (ArticleListParams, FeedContent) {
        let content = self.content.unwrap_or_default();
        let list = ArticleListParams {
            q: self.q,
            page: None,
            per_page: Some(items),
            cursor: None,
            include_total: None,
            section: self.section,
            descendants: self.descendants,
            tag: self.tag,
            tag_any: self.tag_any,
            author: self.author,
            language: self.language,
            status: None,
            ids: None,
            updated_since: None,
            from: self.from,
            to: self.to,
            tz: self.tz,
            date_field: self.date_field,
            sort: Some(SortParam::PublishedDesc),
            fields: None,
        };
        (list, content)
    }
}

async fn feed(
    format: Format,
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    (params, locale): (FeedParams, Locale),
) -> ApiResult<HttpResponse> {
    let site = &settings.site;
    let home = site_url(site)?.to_owned();
    let (params, content) = params.list(site.feed_items.min(settings.limits.max_per_page));
    let query = params.parse(&locale, &settings)?;
    let (filter, sort, window) = (query.filter, query.sort, query.window);
    let mut keys = filter.cache_keys(sort);
    let full = content == FeedContent::Full;
    let limit = match window {
        Window::Page(page) => page.per_page,
        Window::After(_, limit) => limit,
    };
    // Feeds are public whoever asks: the same bytes for everyone, so caches share them.
    let reader = settings.clone();
    let Newest {
        articles,
        shown,
        narrowed,
        changed,
    } = db
        .read(ReadFrom::Replica, move |conn| {
            newest(conn, &filter, sort, limit, full, &reader.site)
        })
        .await?;
    keys.extend(shown);
    let language = articles
        .first()
        .map(|a| a.summary.language.as_str())
        .filter(|first| articles.iter().all(|a| a.summary.language == *first));
    let title = feed_title(site, narrowed);
    let feed_url = format!("{}{}", public_base(&req, site), req.uri());
    let text = FeedText {
        title: &title,
        feed_url: &feed_url,
        home_url: &home,
        updated: articles
            .iter()
            .map(|a| a.summary.updated_at)
            .max()
            .or_else(|| changed.map(|c| c.and_utc()))
            .unwrap_or_default(),
        language,
        full,
        articles: &articles,
    };
    let body = match format {
        Format::Rss => formats::rss(&text).map(well_formed),
        Format::Atom => formats::atom(&text).map(well_formed),
        Format::Json => formats::json(&text),
    }
    .map_err(|e| ApiError::Internal(format!("cannot write the feed: {e}")))?;
    let response = HttpResponse::Ok()
        .content_type(format!("{}; charset=utf-8", format.media_type()))
        .body(body);
    Ok(last_modified(keyed(response, keys), changed))
}

/// What a feed shows: its articles, the cache keys of each, the name of what it
/// is narrowed to, and when anything last changed.
struct Newest {
    articles: Vec<Article>,
    shown: Vec<String>,
    narrowed: Option<String>,
    changed: Option<chrono::NaiveDateTime>,
}

/// The `limit` newest public articles that `filter` lets through, with the body
/// as HTML when the feed is `full`.
fn newest(
    conn: &mut crate::db::AnyConnection,
    filter: &ArticleFilter,
    sort: crate::db::article_list::Sort,
    limit: i64,
    full: bool,
    site: &Site,
) -> ApiResult<Newest> {
    let parts = Parts {
        body: false,
        body_html: full,
        ..Parts::SUMMARY
    };
    let list = article_list::list(
        conn,
        filter,
        Visibility::Public,
        sort,
        &Window::After(None, limit),
        false,
        parts,
    )?;
    let shown = list
        .records
        .iter()
        .map(|record| surrogate::article(record.row.id))
        .collect();
    // The feed names what it is narrowed to in the reader's language, else in
    // that label's own (not in the language of whichever article came first).
    let reader_languages: Vec<String> = filter
        .locales
        .as_ref()
        .map(|chain| chain.tags().to_vec())
        .unwrap_or_default();
    let narrowed = list
        .records
        .first()
        .and_then(|record| Narrowing::of(filter).label(record))
        .map(|label| Reference::new(label.clone(), &reader_languages).name);
    let articles = list
        .records
        .into_iter()
        .map(|record| Article::new(record, site))
        .collect();
    Ok(Newest {
        articles,
        shown,
        narrowed,
        changed: modified::anything(conn)?,
    })
}

/// What a feed is narrowed to, as its filter says: one section, else a single
/// tag, else one author.
enum Narrowing {
    Section(String),
    Tag(String),
    Author(String),
    Nothing,
}

impl Narrowing {
    fn of(filter: &ArticleFilter) -> Self {
        match (&filter.section, &filter.tags_all[..], &filter.author) {
            (Some(section), _, _) => Narrowing::Section(section.clone()),
            (None, [tag], _) => Narrowing::Tag(tag.clone()),
            (None, _, Some(author)) => Narrowing::Author(author.clone()),
            _ => Narrowing::Nothing,
        }
    }

    /// The section, tag or author an article shows that the feed is narrowed to.
    fn label<'a>(&self, record: &'a ArticleRecord) -> Option<&'a Label> {
        let (labels, slug) = match self {
            Narrowing::Section(slug) => (record.section.as_slice(), slug),
            Narrowing::Tag(slug) => (record.tags.as_slice(), slug),
            Narrowing::Author(slug) => (record.authors.as_slice(), slug),
            Narrowing::Nothing => return None,
        };
        labels.iter().find(|label| label.slug == *slug)
    }
}

/// The site's name, and what the feed is narrowed to.
fn feed_title(site: &Site, narrowed: Option<String>) -> String {
    let name = site.name();
    match narrowed {
        Some(part) => format!("{name} — {part}"),
        None => name,
    }
}

/// RSS feed of articles
///
/// The newest public articles matching the filters (at most `FOLIO_FEED_ITEMS`),
/// as RSS 2.0: full HTML in `content:encoded` (or the excerpt only with
/// `content=excerpt`), section and tags as categories, bylines as `dc:creator`.
/// Needs the site's address (`FOLIO_SITE_URL`).
#[utoipa::path(
    tag = "feeds",
    params(FeedParams, LocaleParams),
    responses(
        (status = 200, description = "An RSS 2.0 document", body = String, content_type = "application/rss+xml"),
        (status = 404, description = "The server publishes no feeds: it has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/articles.rss")]
pub async fn rss_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<FeedParams>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let filters = (params.into_inner(), locale);
    feed(Format::Rss, req, db, settings, filters).await
}

/// Atom feed of articles
///
/// As the RSS feed, in Atom 1.0: entries identified by `urn:uuid:` and the
/// article's id, with `self` and `alternate` links.
#[utoipa::path(
    tag = "feeds",
    params(FeedParams, LocaleParams),
    responses(
        (status = 200, description = "An Atom 1.0 document", body = String, content_type = "application/atom+xml"),
        (status = 404, description = "The server publishes no feeds: it has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/articles.atom")]
pub async fn atom_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<FeedParams>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let filters = (params.into_inner(), locale);
    feed(Format::Atom, req, db, settings, filters).await
}

/// JSON Feed of articles
///
/// As the RSS feed, in JSON Feed 1.1.
#[utoipa::path(
    tag = "feeds",
    params(FeedParams, LocaleParams),
    responses(
        (status = 200, description = "A JSON Feed 1.1 document", body = Object, content_type = "application/feed+json"),
        (status = 404, description = "The server publishes no feeds: it has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/articles.json")]
pub async fn json_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<FeedParams>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let filters = (params.into_inner(), locale);
    feed(Format::Json, req, db, settings, filters).await
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(rss_feed).service(atom_feed).service(json_feed);
}
