//! The public site the content is published on: its address, its name, and where
//! each article lives there (permalinks). Feeds and sitemaps need them, and every
//! article shows its `url` from them.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// What a permalink template may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Section,
    Slug,
    Id,
    Year,
    Month,
    Day,
}

impl Part {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "section" => Part::Section,
            "slug" => Part::Slug,
            "id" => Part::Id,
            "year" => Part::Year,
            "month" => Part::Month,
            "day" => Part::Day,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Part),
}

/// `FOLIO_PERMALINK`: the path of an article on the site, such as
/// `/{section}/{slug}` (the default) or `/{year}/{month}/{day}/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermalinkTemplate(Vec<Piece>);

impl Default for PermalinkTemplate {
    fn default() -> Self {
        Self::parse(DEFAULT_PERMALINK).unwrap_or(Self(Vec::new()))
    }
}

pub const DEFAULT_PERMALINK: &str = "/{section}/{slug}";

impl PermalinkTemplate {
    pub fn parse(text: &str) -> Result<Self, String> {
        if !text.starts_with('/') {
            return Err(format!(
                "a permalink is a path starting with / (got {text:?})"
            ));
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("an unclosed {{ in the permalink {text:?}"))?;
            let name = &rest[open + 1..open + close];
            let part = Part::named(name).ok_or_else(|| {
                format!(
                    "the permalink {text:?} names {{{name}}}; it may name {{section}}, {{slug}}, \
                     {{id}}, {{year}}, {{month}} and {{day}}"
                )
            })?;
            pieces.push(Piece::Value(part));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if pieces
            .iter()
            .any(|p| matches!(p, Piece::Text(t) if t.contains(['}', '?', '#'])))
        {
            return Err(format!(
                "the permalink {text:?} is a path: no }}, ? or # outside a {{name}}"
            ));
        }
        let names_one = pieces
            .iter()
            .any(|p| matches!(p, Piece::Value(Part::Slug | Part::Id)));
        if !names_one {
            return Err(format!(
                "the permalink {text:?} must name {{slug}} or {{id}}, or articles would share it"
            ));
        }
        Ok(Self(pieces))
    }
}

/// What an article's permalink is made from.
pub struct Placed<'a> {
    pub slug: &'a str,
    pub id: &'a str,
    pub section: Option<&'a str>,
    /// Its publication time, or its creation time while it has none.
    pub dated: DateTime<Utc>,
}

impl<'a> Placed<'a> {
    pub fn new(
        slug: &'a str,
        id: &'a str,
        section: Option<&'a str>,
        published_at: Option<NaiveDateTime>,
        created_at: NaiveDateTime,
    ) -> Self {
        Self {
            slug,
            id,
            section,
            dated: published_at.unwrap_or(created_at).and_utc(),
        }
    }
}

/// The public site: `FOLIO_SITE_URL`, `FOLIO_SITE_TITLE`, `FOLIO_PERMALINK`, and
/// the zone (`FOLIO_TIMEZONE`) in which a permalink's date is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Scheme, host and any path prefix, without a final slash; none when not set.
    pub url: Option<String>,
    /// How feeds name the site; its host when not set.
    pub title: Option<String>,
    pub permalink: PermalinkTemplate,
    pub zone: Tz,
    /// `FOLIO_FEED_ITEMS`: how many articles a feed shows (at most 100).
    pub feed_items: u32,
    /// `FOLIO_API_URL`: where clients reach this API, for the links feeds give to
    /// themselves; without it, `http://` and the request's `Host`.
    pub api_url: Option<String>,
    /// `FOLIO_SITEMAP_URLS`: articles per sitemap shard (at most 50,000, the protocol's limit).
    pub sitemap_urls: u32,
    /// Where clients fetch assets, without a final slash: `FOLIO_ASSET_URL`, else
    /// `FOLIO_API_URL` (or the address the server listens on) and `/v1/assets`.
    pub assets_url: Option<String>,
    /// `FOLIO_LOCALES`: the site's languages, best first: the fallback a read
    /// with a `locale` and no `fallback` gets.
    pub locales: Vec<String>,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            url: None,
            title: None,
            permalink: PermalinkTemplate::default(),
            zone: Tz::UTC,
            feed_items: DEFAULT_FEED_ITEMS,
            api_url: None,
            sitemap_urls: MAX_SITEMAP_URLS,
            assets_url: None,
            locales: Vec::new(),
        }
    }
}

pub const DEFAULT_FEED_ITEMS: u32 = 20;
pub const MAX_FEED_ITEMS: u32 = 100;
pub const MAX_SITEMAP_URLS: u32 = 50_000;

impl Site {
    /// Checks a site address: an absolute http(s) URL with no query or fragment.
    pub fn parse_url(text: &str) -> Result<String, String> {
        Self::parse_address("FOLIO_SITE_URL", text)
    }

    /// Checks a public address named by the setting `name`.
    pub fn parse_address(name: &str, text: &str) -> Result<String, String> {
        let parsed = url::Url::parse(text.trim()).map_err(|e| {
            format!("{name} must be an absolute URL such as https://news.example ({e})")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!(
                "{name} must be an http or https URL with a host (got {text:?})"
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(format!(
                "{name} is where something starts: no query or fragment (got {text:?})"
            ));
        }
        Ok(parsed.as_str().trim_end_matches('/').to_owned())
    }

    /// The site's name in feeds.
    pub fn name(&self) -> String {
        self.title.clone().unwrap_or_else(|| {
            self.url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default()
        })
    }

    /// An article's public address; none without a site URL. A template part
    /// with nothing to show (`{section}` of an article in none) leaves out its
    /// path segment rather than an empty one.
    pub fn article_url(&self, article: &Placed<'_>) -> Option<String> {
        let site = self.url.as_deref()?;
        let local = article.dated.with_timezone(&self.zone);
        let mut path = String::new();
        for piece in &self.permalink.0 {
            match piece {
                Piece::Text(text) => path.push_str(text),
                Piece::Value(part) => path.push_str(&match part {
                    Part::Section => article.section.unwrap_or_default().to_owned(),
                    Part::Slug => article.slug.to_owned(),
                    Part::Id => article.id.to_owned(),
                    Part::Year => format!("{:04}", local.year()),
                    Part::Month => format!("{:02}", local.month()),
                    Part::Day => format!("{:02}", local.day()),
                }),
            }
        }
        let mut tidy = String::with_capacity(site.len() + path.len());
        tidy.push_str(site);
        let mut previous_slash = false;
        for c in path.chars() {
            if c == '/' && previous_slash {
                continue;
            }
            previous_slash = c == '/';
            tidy.push(c);
        }
        Some(tidy)
    }

    /// Where a section, tag or author's page is: `/{section}`, `/tag/{slug}`,
    /// `/author/{slug}` under the site.
    /// Without a configured address for assets, the one the server listens on
    /// (a wildcard address as `localhost`): asset URLs are absolute either way,
    /// as HTML and native clients need.
    pub fn listening_at(&mut self, address: std::net::SocketAddr) {
        if self.assets_url.is_none() {
            let host = if address.ip().is_unspecified() {
                format!("localhost:{}", address.port())
            } else {
                address.to_string()
            };
            self.assets_url = Some(format!("http://{host}/v1/assets"));
        }
    }

    /// The address of one of an asset's files: `file` (the upload) or a preset's copy.
    pub fn asset_url(&self, public_id: &str, file: &str) -> String {
        let base = self.assets_url.as_deref().unwrap_or("/v1/assets");
        format!("{base}/{public_id}/{file}")
    }

    pub fn page_url(&self, prefix: Option<&str>, slug: &str) -> Option<String> {
        let site = self.url.as_deref()?;
        Some(match prefix {
            Some(prefix) => format!("{site}/{prefix}/{slug}"),
            None => format!("{site}/{slug}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(template: &str) -> Site {
        Site {
            url: Some(Site::parse_url("https://news.example/fr/").expect("a site URL")),
            permalink: PermalinkTemplate::parse(template).expect("a template"),
            zone: chrono_tz::Europe::Paris,
            ..Site::default()
        }
    }

    fn placed<'a>(section: Option<&'a str>) -> Placed<'a> {
        Placed {
            slug: "poutine-au-kazakhstan",
            id: "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
            section,
            // Late on the 26th in UTC is the 27th in Paris.
            dated: "2024-11-26T23:30:00Z".parse().expect("an instant"),
        }
    }

    #[test]
    fn permalinks_fill_the_template() {
        let url = |template, section| site(template).article_url(&placed(section));
        assert_eq!(
            url(DEFAULT_PERMALINK, Some("entrevue")).as_deref(),
            Some("https://news.example/fr/entrevue/poutine-au-kazakhstan")
        );
        assert_eq!(
            url(DEFAULT_PERMALINK, None).as_deref(),
            Some("https://news.example/fr/poutine-au-kazakhstan")
        );
        assert_eq!(
            url("/{year}/{month}/{day}/{slug}/", None).as_deref(),
            Some("https://news.example/fr/2024/11/27/poutine-au-kazakhstan/")
        );
        assert_eq!(
            url("/a/{id}", None).as_deref(),
            Some("https://news.example/fr/a/0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10")
        );
    }

    #[test]
    fn no_site_no_url() {
        assert_eq!(Site::default().article_url(&placed(None)), None);
    }

    #[test]
    fn templates_and_addresses_are_checked() {
        for wrong in [
            "{slug}",
            "/{section}",
            "/{slug}/{week}",
            "/{slug",
            "/{slug}?x=1",
        ] {
            assert!(PermalinkTemplate::parse(wrong).is_err(), "{wrong}");
        }
        for wrong in [
            "news.example",
            "ftp://news.example",
            "https://news.example/?a=1",
        ] {
            assert!(Site::parse_url(wrong).is_err(), "{wrong}");
        }
        assert_eq!(site("/{slug}").name(), "news.example");
    }
}
