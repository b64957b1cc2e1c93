//! Purging caches by surrogate key: Varnish (the xkey module), Fastly and
//! Cloudflare. The change log says which keys each change purges; the worker
//! (`worker.rs`) sends them in batches from one node.

mod worker;

use serde_json::json;

use crate::environment::var;
use crate::surrogate::SurrogateKeys;

pub use worker::purge_changes;

/// Fastly takes at most 256 keys per request; Cloudflare 30 tags; Varnish is
/// bounded by its request header size (8 KB by default), which 100 keys fit.
const FASTLY_KEYS_PER_REQUEST: usize = 256;
const CLOUDFLARE_TAGS_PER_REQUEST: usize = 30;
const VARNISH_KEYS_PER_REQUEST: usize = 100;

const FASTLY_API: &str = "https://api.fastly.com";
const CLOUDFLARE_API: &str = "https://api.cloudflare.com";

/// A service that forgets cached responses by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Varnish server running `deploy/varnish/folio.vcl`: `PURGE` with the keys in
    /// `xkey-purge`.
    Varnish { url: String },
    /// Fastly's purge-by-key API.
    Fastly {
        api: String,
        service_id: String,
        token: String,
    },
    /// Cloudflare's purge-by-tag API.
    Cloudflare {
        api: String,
        zone_id: String,
        token: String,
    },
}

/// Every target configured; empty when caches are not purged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeTargets(pub Vec<Target>);

type Credentials = (Option<String>, Option<String>, Option<String>);

impl PurgeTargets {
    /// The targets the environment names.
    pub fn from_env() -> Result<Self, String> {
        let list = |name: &str| -> Vec<String> {
            var(name)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        Self::new(
            list("FOLIO_PURGE_VARNISH_URLS"),
            (
                var("FOLIO_PURGE_FASTLY_SERVICE_ID"),
                var("FOLIO_PURGE_FASTLY_TOKEN"),
                var("FOLIO_PURGE_FASTLY_API_URL"),
            ),
            (
                var("FOLIO_PURGE_CLOUDFLARE_ZONE_ID"),
                var("FOLIO_PURGE_CLOUDFLARE_TOKEN"),
                var("FOLIO_PURGE_CLOUDFLARE_API_URL"),
            ),
        )
    }

    /// From `FOLIO_PURGE_VARNISH_URLS`, `FOLIO_PURGE_FASTLY_*` (service id, token,
    /// API URL) and `FOLIO_PURGE_CLOUDFLARE_*` (zone id, token, API URL).
    pub fn new(
        varnish: Vec<String>,
        fastly: Credentials,
        cloudflare: Credentials,
    ) -> Result<Self, String> {
        let mut targets: Vec<Target> = Vec::new();
        for url in varnish {
            reqwest::Url::parse(&url)
                .map_err(|e| format!("FOLIO_PURGE_VARNISH_URLS: {url:?} is not a URL ({e})"))?;
            targets.push(Target::Varnish { url });
        }
        match fastly {
            (Some(service_id), Some(token), api) => targets.push(Target::Fastly {
                api: api.unwrap_or_else(|| FASTLY_API.to_owned()),
                service_id,
                token,
            }),
            (None, None, _) => {}
            _ => {
                return Err(
                    "FOLIO_PURGE_FASTLY_SERVICE_ID and FOLIO_PURGE_FASTLY_TOKEN go together".into(),
                )
            }
        }
        match cloudflare {
            (Some(zone_id), Some(token), api) => targets.push(Target::Cloudflare {
                api: api.unwrap_or_else(|| CLOUDFLARE_API.to_owned()),
                zone_id,
                token,
            }),
            (None, None, _) => {}
            _ => {
                return Err(
                    "FOLIO_PURGE_CLOUDFLARE_ZONE_ID and FOLIO_PURGE_CLOUDFLARE_TOKEN go together"
                        .into(),
                )
            }
        }
        Ok(Self(targets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Target {
    /// How logs name the target, and under which name its progress is kept.
    pub fn name(&self) -> String {
        match self {
            Target::Varnish { url } => format!("Varnish at {url}"),
            Target::Fastly { service_id, .. } => format!("Fastly service {service_id}"),
            Target::Cloudflare { zone_id, .. } => format!("Cloudflare zone {zone_id}"),
        }
    }

    /// Purges `keys`, in as many requests as the service needs.
    async fn purge(&self, client: &reqwest::Client, keys: &SurrogateKeys) -> Result<(), String> {
        let keys: Vec<&str> = keys.iter().collect();
        let per_request = match self {
            Target::Varnish { .. } => VARNISH_KEYS_PER_REQUEST,
            Target::Fastly { .. } => FASTLY_KEYS_PER_REQUEST,
            Target::Cloudflare { .. } => CLOUDFLARE_TAGS_PER_REQUEST,
        };
        for chunk in keys.chunks(per_request) {
            let request = match self {
                Target::Varnish { url } => client
                    .request(
                        reqwest::Method::from_bytes(b"PURGE").map_err(|e| e.to_string())?,
                        url,
                    )
                    .header("xkey-purge", chunk.join(" ")),
                Target::Fastly {
                    api,
                    service_id,
                    token,
                } => client
                    .post(format!(
                        "{}/service/{service_id}/purge",
                        api.trim_end_matches('/')
                    ))
                    .header("fastly-key", token)
                    .header("surrogate-key", chunk.join(" ")),
                Target::Cloudflare {
                    api,
                    zone_id,
                    token,
                } => client
                    .post(format!(
                        "{}/client/v4/zones/{zone_id}/purge_cache",
                        api.trim_end_matches('/')
                    ))
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(json!({ "tags": chunk }).to_string()),
            };
            let response = request
                .send()
                .await
                .map_err(|e| format!("{}: {e}", self.name()))?;
            if !response.status().is_success() {
                return Err(format!("{} answered {}", self.name(), response.status()));
            }
        }
        Ok(())
    }
}
