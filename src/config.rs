//! Configuration from the environment (and `.env` when present); `.env.example` documents each variable.

use std::time::Duration;

use chrono_tz::Tz;

use crate::caching::purge::PurgeTargets;
use crate::caching::CachePolicy;
use crate::db::SqliteMemory;
use crate::environment::{duration, number, var};
use crate::rate_limit::{RateLimits, TrustedProxies};
use crate::site::{PermalinkTemplate, Site, DEFAULT_FEED_ITEMS, MAX_FEED_ITEMS, MAX_SITEMAP_URLS};
use crate::webhooks::WebhookSettings;

/// Size limits on what clients may send.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest article body (Markdown), in bytes.
    pub max_body_bytes: usize,
    /// Largest request body, in bytes.
    pub max_request_bytes: usize,
    /// Largest page of any list (at most the spec's 100).
    pub max_per_page: u32,
    /// Longest search query, in characters (at most the spec's 500).
    pub max_query_chars: usize,
    /// Most tags on one article (at most the spec's 50).
    pub max_tags: usize,
    /// How long a client may take to send a request body once its headers are in.
    pub body_timeout: std::time::Duration,
}

/// The ceilings the OpenAPI document states; configuration may only lower them.
pub const MAX_PER_PAGE: u32 = 100;
pub const MAX_QUERY_CHARS: usize = crate::content::search::MAX_QUERY_CHARS;
pub const MAX_TAGS: usize = 50;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1_048_576,
            max_request_bytes: 4 * 1_048_576,
            max_per_page: MAX_PER_PAGE,
            max_query_chars: MAX_QUERY_CHARS,
            max_tags: MAX_TAGS,
            body_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// Which web origins a browser may call Folio from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    Any,
    /// Exact origins, such as `https://www.example.org`.
    Only(Vec<String>),
}

impl Origins {
    fn parse(name: &str, text: Option<String>, default: Origins) -> Result<Self, String> {
        let Some(text) = text else {
            return Ok(default);
        };
        if text.trim() == "*" {
            return Ok(Origins::Any);
        }
        let list: Vec<String> = text
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        if let Some(bad) = list
            .iter()
            .find(|o| !(o.starts_with("https://") || o.starts_with("http://")))
        {
            return Err(format!(
                "{name}: {bad:?} is not an origin such as https://www.example.org (or use *)"
            ));
        }
        Ok(Origins::Only(list))
    }

    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Origins::Any => true,
            Origins::Only(list) => list.iter().any(|o| o == origin),
        }
    }
}

/// Cross-origin access from browsers. Published content is public, so any origin
/// may read by default; writes from a browser must be allowed origin by origin.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    /// `FOLIO_CORS_ORIGINS`: who may `GET` and `HEAD` (default: anyone).
    pub read: Origins,
    /// `FOLIO_CORS_WRITE_ORIGINS`: who may `POST`, `PATCH` and `DELETE` (default: no one).
    pub write: Origins,
}

impl Default for CorsPolicy {
    fn default() -> Self {
        Self {
            read: Origins::Any,
            write: Origins::Only(Vec::new()),
        }
    }
}

/// What the HTTP layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub limits: Limits,
    /// Default zone for date-only query parameters (`from=2024-11-27`).
    pub timezone: Tz,
    pub cors: CorsPolicy,
    /// On SIGTERM or SIGINT: how long requests in flight may take to finish.
    pub shutdown_grace_seconds: u64,
    pub rate_limits: RateLimits,
    pub webhooks: WebhookSettings,
    pub caching: CachePolicy,
    pub purge_targets: PurgeTargets,
    pub site: Site,
    /// `FOLIO_METRICS_TOKEN`: the bearer token `/metrics` asks for, if any.
    pub metrics_token: Option<String>,
    pub assets: crate::assets::AssetSettings,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// How date-only input (`27 novembre 2024`) is placed in time.
    pub timezone: Tz,
    pub pool_size: u32,
    pub limits: Limits,
    pub cors: CorsPolicy,
    pub shutdown_grace_seconds: u64,
    pub rate_limits: RateLimits,
    /// How long `folio purge` keeps the change log: clients further behind start over.
    pub changes_retention: std::time::Duration,
    /// How long `folio purge` keeps the audit log's entries; for good when unset.
    pub audit_retention: Option<std::time::Duration>,
    pub webhooks: WebhookSettings,
    pub caching: CachePolicy,
    /// Where changes purge cached responses.
    pub purge_targets: PurgeTargets,
    /// What each SQLite connection of the server may keep in memory.
    pub sqlite_memory: SqliteMemory,
    /// PostgreSQL standbys that public reads go to (see `db::replicas`).
    pub read_database_urls: Vec<String>,
    /// How far behind the primary a replica may be and still serve reads.
    pub read_max_lag: Duration,
    /// The public site: permalinks, feeds, sitemaps.
    pub site: Site,
    pub metrics_token: Option<String>,
    pub assets: crate::assets::AssetSettings,
}

/// A limit that may be lowered from the documented ceiling, never raised past it.
fn at_most<T>(name: &str, ceiling: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let value = number(name, ceiling)?;
    if value < T::from(1) || value > ceiling {
        return Err(format!(
            "{name} must be between 1 and {ceiling}, the limit the API documents (got {value})"
        ));
    }
    Ok(value)
}

impl Config {
    pub fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            limits: self.limits.clone(),
            timezone: self.timezone,
            cors: self.cors.clone(),
            shutdown_grace_seconds: self.shutdown_grace_seconds,
            rate_limits: self.rate_limits.clone(),
            webhooks: self.webhooks.clone(),
            caching: self.caching.clone(),
            purge_targets: self.purge_targets.clone(),
            site: self.site.clone(),
            metrics_token: self.metrics_token.clone(),
            assets: self.assets.clone(),
        }
    }

    /// Reads the server's settings from the environment. Each feature reads its
    /// own (`*::from_env`); what is left here is the catalogue of the settings
    /// that belong to no one feature, one after another, with their defaults.
    pub fn from_env() -> Result<Self, String> {
        let purge_targets = PurgeTargets::from_env()?;
        let timezone = var("FOLIO_TIMEZONE").unwrap_or_else(|| "UTC".into());
        let timezone: Tz = timezone.trim().parse().map_err(|_| {
            format!(
                "FOLIO_TIMEZONE must be an IANA time zone such as Europe/Paris (got {timezone:?})"
            )
        })?;
        let defaults = Limits::default();
        let rate_defaults = RateLimits::default();
        let database_url = var("DATABASE_URL").unwrap_or_else(|| "sqlite://folio.db".into());
        Ok(Self {
            assets: crate::assets::AssetSettings::from_env(&database_url)?,
            database_url,
            bind: var("FOLIO_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            timezone,
            pool_size: number("FOLIO_POOL_SIZE", 8)?,
            limits: Limits {
                max_body_bytes: number("FOLIO_MAX_BODY_BYTES", defaults.max_body_bytes)?,
                max_request_bytes: number("FOLIO_MAX_REQUEST_BYTES", defaults.max_request_bytes)?,
                max_per_page: at_most("FOLIO_MAX_PER_PAGE", MAX_PER_PAGE)?,
                max_query_chars: at_most("FOLIO_MAX_QUERY_CHARS", MAX_QUERY_CHARS)?,
                max_tags: at_most("FOLIO_MAX_TAGS_PER_ARTICLE", MAX_TAGS)?,
                body_timeout: std::time::Duration::from_secs(number(
                    "FOLIO_BODY_TIMEOUT_SECONDS",
                    defaults.body_timeout.as_secs(),
                )?),
            },
            shutdown_grace_seconds: number("FOLIO_SHUTDOWN_GRACE_SECONDS", 30)?,
            changes_retention: duration(
                "FOLIO_CHANGES_RETENTION",
                Duration::from_secs(90 * 24 * 3600),
            )?,
            audit_retention: match var("FOLIO_AUDIT_RETENTION") {
                None => None,
                Some(_) => Some(duration("FOLIO_AUDIT_RETENTION", Duration::ZERO)?),
            },
            webhooks: WebhookSettings::from_env()?,
            caching: CachePolicy::from_env(&purge_targets)?,
            read_database_urls: var("FOLIO_READ_DATABASE_URLS")
                .map(|urls| {
                    urls.split(',')
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            read_max_lag: duration("FOLIO_READ_MAX_LAG", Duration::from_secs(2))?,
            sqlite_memory: SqliteMemory {
                mmap_mb: number("FOLIO_SQLITE_MMAP_MB", SqliteMemory::SERVER.mmap_mb)?,
                cache_mb: number("FOLIO_SQLITE_CACHE_MB", SqliteMemory::SERVER.cache_mb)?,
                ..SqliteMemory::SERVER
            },
            purge_targets,
            site: site(timezone)?,
            metrics_token: var("FOLIO_METRICS_TOKEN").map(|t| t.trim().to_owned()),
            rate_limits: RateLimits {
                anonymous: number("FOLIO_RATE_LIMIT_ANONYMOUS", rate_defaults.anonymous)?,
                token: number("FOLIO_RATE_LIMIT_TOKEN", rate_defaults.token)?,
                window_seconds: number(
                    "FOLIO_RATE_LIMIT_WINDOW_SECONDS",
                    rate_defaults.window_seconds,
                )?,
                trusted_proxies: TrustedProxies::parse(
                    var("FOLIO_TRUST_FORWARDED").as_deref().unwrap_or("false"),
                )
                .map_err(|e| format!("FOLIO_TRUST_FORWARDED: {e}"))?,
            },
            cors: CorsPolicy {
                read: Origins::parse(
                    "FOLIO_CORS_ORIGINS",
                    var("FOLIO_CORS_ORIGINS"),
                    Origins::Any,
                )?,
                write: Origins::parse(
                    "FOLIO_CORS_WRITE_ORIGINS",
                    var("FOLIO_CORS_WRITE_ORIGINS"),
                    Origins::Only(Vec::new()),
                )?,
            },
        })
    }
}

fn site(zone: Tz) -> Result<Site, String> {
    let api_url = var("FOLIO_API_URL")
        .map(|url| Site::parse_address("FOLIO_API_URL", &url))
        .transpose()?;
    // Without either, `serve` fills it in from the address it listens on.
    let assets_url = match var("FOLIO_ASSET_URL") {
        Some(url) => Some(Site::parse_address("FOLIO_ASSET_URL", &url)?),
        None => api_url.as_ref().map(|api| format!("{api}/v1/assets")),
    };
    let locales: Vec<String> = var("FOLIO_LOCALES")
        .map(|list| {
            list.split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(wrong) = locales
        .iter()
        .find(|t| !crate::content::language::is_valid(t))
    {
        return Err(format!(
            "FOLIO_LOCALES lists language tags such as fr,en (got {wrong:?})"
        ));
    }
    Ok(Site {
        locales,
        assets_url,
        url: var("FOLIO_SITE_URL")
            .map(|url| Site::parse_url(&url))
            .transpose()?,
        title: var("FOLIO_SITE_TITLE").map(|t| t.trim().to_owned()),
        permalink: match var("FOLIO_PERMALINK") {
            None => PermalinkTemplate::default(),
            Some(text) => PermalinkTemplate::parse(text.trim())
                .map_err(|e| format!("FOLIO_PERMALINK: {e}"))?,
        },
        zone,
        feed_items: match var("FOLIO_FEED_ITEMS") {
            None => DEFAULT_FEED_ITEMS,
            Some(_) => at_most("FOLIO_FEED_ITEMS", MAX_FEED_ITEMS)?,
        },
        sitemap_urls: at_most("FOLIO_SITEMAP_URLS", MAX_SITEMAP_URLS)?,
        api_url,
    })
}
