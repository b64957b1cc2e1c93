//! Sitemaps (sitemaps.org 0.9) for search engines: `/sitemap.xml`, an index of
//! shards of at most `FOLIO_SITEMAP_URLS` (50,000) public articles each, in id
//! order, streamed a chunk at a time; and a Google News sitemap of what was
//! published in the last 48 hours.

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, TimeDelta};
use quick_xml::escape::escape;
use serde::Deserialize;
use utoipa::IntoParams;

use super::feed_links::{public_base, site_url};
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::content::xml::well_formed;
use crate::db::article_list::{ArticleFilter, Sort};
use crate::db::sitemap::{self, Located};
use crate::db::{modified, now, Database, ReadFrom};
use crate::error::{ApiError, ApiResult};
use crate::site::{Placed, Site};
use crate::surrogate::SurrogateKeys;

const XML: &str = "application/xml; charset=utf-8";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const URLSET: &str = r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" xmlns:xhtml="http://www.w3.org/1999/xhtml">"#;
/// Rows read per statement while a shard streams.
const CHUNK: i64 = 1_000;
/// Google News takes articles of the last two days, at most 1,000 a sitemap.
const NEWS_WINDOW: TimeDelta = TimeDelta::hours(48);
const NEWS_MAX: i64 = 1_000;

/// What sitemaps depend on: which articles are public, and their addresses.
fn keys() -> SurrogateKeys {
    ArticleFilter::default().cache_keys(Sort::PublishedDesc)
}

/// W3C date-time, as sitemaps want it.
fn w3c(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn loc(site: &Site, article: &Located) -> String {
    let placed = Placed::new(
        &article.slug,
        &article.public_id,
        article.section.as_deref(),
        article.published_at,
        article.created_at,
    );
    site.article_url(&placed).unwrap_or_default()
}

/// One `<url>` of a shard, with its cover (Google's image extension) at the
/// largest preset.
fn url_entry(site: &Site, article: &Located) -> String {
    let image = article
        .cover
        .as_ref()
        .map(|id| {
            format!(
                "<image:image><image:loc>{}</image:loc></image:image>",
                escape(site.asset_url(id, "large"))
            )
        })
        .unwrap_or_default();
    // Each version of a story names all of them, itself included, by language.
    let alternates: String = article
        .versions
        .iter()
        .filter_map(|version| {
            let placed = Placed::new(
                &version.slug,
                &version.public_id,
                version.section.as_deref(),
                version.published_at,
                version.created_at,
            );
            let url = site.article_url(&placed)?;
            Some(format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                escape(version.language.clone()),
                escape(url)
            ))
        })
        .collect();
    format!(
        "<url><loc>{}</loc><lastmod>{}</lastmod>{alternates}{image}</url>",
        escape(loc(site, article)),
        w3c(article.updated_at)
    )
}

/// Sitemap index
///
/// Lists the article shards (each at most `FOLIO_SITEMAP_URLS`, 50,000, public
/// articles in id order) and the Google News sitemap. Needs the site's address
/// (`FOLIO_SITE_URL`). Compressed when the client accepts gzip.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A sitemap index (sitemaps.org 0.9)", body = String, content_type = "application/xml"),
        (status = 404, description = "The server has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sitemap.xml")]
pub async fn sitemap_index(
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
) -> ApiResult<HttpResponse> {
    site_url(&settings.site)?;
    let (count, changed) = db
        .read(ReadFrom::Replica, |conn| {
            Ok((sitemap::public_count(conn)?, modified::anything(conn)?))
        })
        .await?;
    let size = i64::from(settings.site.sitemap_urls);
    let shards = ((count + size - 1) / size).max(1);
    let base = public_base(&req, &settings.site);
    let mut xml =
        format!("{HEAD}\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
    for number in 1..=shards {
        xml.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>",
            escape(format!("{base}/sitemaps/articles-{number}.xml"))
        ));
    }
    xml.push_str(&format!(
        "<sitemap><loc>{}</loc></sitemap></sitemapindex>\n",
        escape(format!("{base}/sitemaps/news.xml"))
    ));
    let response = HttpResponse::Ok().content_type(XML).body(well_formed(xml));
    Ok(last_modified(keyed(response, keys()), changed))
}

/// A shard's number, from 1.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ShardPath {
    #[param(minimum = 1, example = 1)]
    number: u32,
}

/// Where a streaming shard is.
struct Shard {
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    after_id: i32,
    remaining: i64,
    ended: bool,
}

impl Shard {
    /// The next chunk of the document: rows until the shard is full or the
    /// articles run out, then the closing tag.
    async fn next(mut self) -> Option<(Result<Bytes, actix_web::Error>, Self)> {
        if self.ended {
            return None;
        }
        if self.remaining <= 0 {
            self.ended = true;
            return Some((Ok(Bytes::from_static(b"</urlset>\n")), self));
        }
        let (after_id, limit) = (self.after_id, self.remaining.min(CHUNK));
        let rows = self
            .db
            .read(ReadFrom::Replica, move |conn| {
                sitemap::after(conn, after_id, limit)
            })
            .await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                // The response has begun: all that is left is to cut it short.
                log::warn!("sitemap shard cut short: {e}");
                self.ended = true;
                return Some((Err(e.into()), self));
            }
        };
        if (rows.len() as i64) < limit {
            self.remaining = 0;
        } else {
            self.remaining -= limit;
        }
        self.after_id = rows.last().map_or(self.after_id, |r| r.id);
        let mut xml = String::with_capacity(rows.len() * 160);
        for row in &rows {
            xml.push_str(&url_entry(&self.settings.site, row));
        }
        Some((Ok(Bytes::from(well_formed(xml))), self))
    }
}

/// Sitemap of articles
///
/// The `number`th shard of public articles in id order, each with its permalink
/// and `lastmod`; streamed, so a shard of 50,000 is never held whole.
#[utoipa::path(
    tag = "feeds",
    params(ShardPath),
    responses(
        (status = 200, description = "A sitemap (sitemaps.org 0.9)", body = String, content_type = "application/xml"),
        (status = 404, description = "No such shard, or the server has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sitemaps/articles-{number}.xml")]
pub async fn article_sitemap(
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<ShardPath>,
) -> ApiResult<HttpResponse> {
    site_url(&settings.site)?;
    let number = i64::from(path.number);
    let size = i64::from(settings.site.sitemap_urls);
    let (start, changed) = db
        .read(ReadFrom::Replica, move |conn| {
            let start = match number {
                n if n >= 1 => sitemap::start_of(conn, (n - 1) * size)?,
                _ => None,
            };
            Ok((start, modified::anything(conn)?))
        })
        .await?;
    // The first shard always exists, empty when there is nothing to list.
    let Some(after_id) = start else {
        return Err(ApiError::NotFound(format!(
            "there is no article sitemap {number}: /sitemap.xml lists those there are"
        )));
    };
    let shard = Shard {
        db,
        settings,
        after_id,
        remaining: size,
        ended: false,
    };
    let opening = futures_util::stream::once(async move {
        Ok::<_, actix_web::Error>(Bytes::from(format!("{HEAD}\n{URLSET}")))
    });
    let body =
        futures_util::StreamExt::chain(opening, futures_util::stream::unfold(shard, Shard::next));
    let response = HttpResponse::Ok().content_type(XML).streaming(body);
    Ok(last_modified(keyed(response, keys()), changed))
}

/// The language of a Google News entry: an ISO 639 code, `zh-cn` or `zh-tw`.
fn news_language(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or_default().to_owned();
    if primary != "zh" {
        return primary;
    }
    let traditional = parts.any(|p| matches!(p, "hant" | "tw" | "hk" | "mo"));
    if traditional { "zh-tw" } else { "zh-cn" }.to_owned()
}

/// Google News sitemap
///
/// The public articles published in the last 48 hours (at most 1,000), newest
/// first, with the publication's name (`FOLIO_SITE_TITLE`) and each article's
/// language, publication date and title.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A sitemap with Google News entries", body = String, content_type = "application/xml"),
        (status = 404, description = "The server has no site address (`FOLIO_SITE_URL`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sitemaps/news.xml")]
pub async fn news_sitemap(
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
) -> ApiResult<HttpResponse> {
    site_url(&settings.site)?;
    let since = now() - NEWS_WINDOW;
    let (rows, changed) = db
        .read(ReadFrom::Replica, move |conn| {
            Ok((
                sitemap::published_since(conn, since, NEWS_MAX)?,
                modified::anything(conn)?,
            ))
        })
        .await?;
    let site = &settings.site;
    let name = site.name();
    let mut xml = format!(
        "{HEAD}\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">"
    );
    for row in &rows {
        xml.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title>\
             </news:news></url>",
            escape(loc(site, row)),
            escape(&name),
            news_language(&row.language),
            w3c(row.published_at.unwrap_or(row.created_at)),
            escape(&row.title),
        ));
    }
    xml.push_str("</urlset>\n");
    let response = HttpResponse::Ok().content_type(XML).body(well_formed(xml));
    Ok(last_modified(keyed(response, keys()), changed))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(sitemap_index)
        .service(article_sitemap)
        .service(news_sitemap);
}

#[cfg(test)]
mod tests {
    use super::news_language;

    #[test]
    fn news_languages_are_what_google_takes() {
        assert_eq!(news_language("fr-CA"), "fr");
        assert_eq!(news_language("en"), "en");
        assert_eq!(news_language("zh-Hant-TW"), "zh-tw");
        assert_eq!(news_language("zh-Hans"), "zh-cn");
    }
}
