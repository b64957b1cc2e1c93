//! Where a list's feeds live: the feed formats and the URLs that lead to them,
//! advertised by lists of articles and served by `feeds`.

use actix_web::http::header;
use actix_web::HttpRequest;

use super::pagination::with_query;
use crate::error::{ApiError, ApiResult};
use crate::site::Site;

pub const RSS: &str = "application/rss+xml";
pub const ATOM: &str = "application/atom+xml";
pub const JSON_FEED: &str = "application/feed+json";

#[derive(Clone, Copy)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => RSS,
            Format::Atom => ATOM,
            Format::Json => JSON_FEED,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }
}

/// The site's address, which every link in a feed or sitemap starts from.
pub(crate) fn site_url(site: &Site) -> ApiResult<&str> {
    site.url.as_deref().ok_or_else(|| {
        ApiError::NotFound(
            "this server publishes no feeds or sitemaps: it does not know the public \
             site's address; set FOLIO_SITE_URL (such as https://news.example)"
                .into(),
        )
    })
}

/// Where this server is reached, as the client asked for it: feeds name themselves
/// (`self`) with it, and lists point to their feeds.
pub(crate) fn public_base(req: &HttpRequest, site: &Site) -> String {
    if let Some(api) = &site.api_url {
        return api.clone();
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The `Link` header value by which a list of articles advertises its feeds, with
/// the list's own filters; none when the server publishes no feeds.
pub fn alternates(req: &HttpRequest, site: &Site) -> Option<String> {
    site.url.as_ref()?;
    let base = public_base(req, site);
    let filters = feed_query(req);
    Some(
        Format::ALL
            .iter()
            .map(|format| {
                format!(
                    "<{base}/v1/feeds/articles.{}{filters}>; rel=\"alternate\"; type=\"{}\"",
                    format.extension(),
                    format.media_type()
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The query string of a request without what only pages a list: what a feed of
/// the same articles is asked with (`?…`, or nothing).
fn feed_query(req: &HttpRequest) -> String {
    let paging = [
        "page",
        "per_page",
        "cursor",
        "include_total",
        "sort",
        "fields",
        "status",
        "ids",
        "updated_since",
    ];
    let query = with_query(req, &[], &paging);
    match query.split_once('?') {
        Some((_, q)) if !q.is_empty() => format!("?{q}"),
        _ => String::new(),
    }
}
