//! HTTP caching: what browsers and shared caches (CDNs, Varnish) may keep and for
//! how long, and what each response depends on, so that a change purges exactly
//! the responses it affects (see `crate::surrogate` for the keys).

pub mod purge;
pub mod response_cache;

use std::time::{Duration, SystemTime};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::NaiveDateTime;

use crate::environment::{duration, number};
use crate::http::marks::VariesByLanguage;
use crate::surrogate::SurrogateKeys;
use purge::PurgeTargets;

/// `Surrogate-Key`: Fastly's header, which Varnish's xkey reads too (see the VCL).
pub const SURROGATE_KEY: &str = "surrogate-key";
/// `Cache-Tag`: Cloudflare's, comma-separated.
pub const CACHE_TAG: &str = "cache-tag";

/// How long public reads may be kept. Browsers get `max_age` only: no purge can
/// reach them. Shared caches keep a response for `shared_max_age` when it names
/// what it depends on, since a purge then ends it the moment that changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachePolicy {
    /// `FOLIO_CACHE_MAX_AGE` (default 60 s).
    pub max_age: Duration,
    /// `FOLIO_CACHE_SHARED_MAX_AGE`: for responses with surrogate keys (default one
    /// day when purges are configured, else the same as `max_age`).
    pub shared_max_age: Duration,
    /// `FOLIO_CACHE_STALE_WHILE_REVALIDATE` (default 60 s).
    pub stale_while_revalidate: Duration,
    /// `FOLIO_CACHE_STALE_IF_ERROR`: how long a cache may serve a stale copy while
    /// Folio is failing or unreachable (default one day).
    pub stale_if_error: Duration,
    /// `FOLIO_CACHE_ERROR_MAX_AGE`: client errors on public reads, such as a 404 for
    /// an article not published yet (default 10 s).
    pub error_max_age: Duration,
    /// `FOLIO_RESPONSE_CACHE_MB`: the in-process response cache's budget (default 0: none).
    pub response_cache_mb: u64,
    /// `FOLIO_RESPONSE_CACHE_TTL`: the longest an answer stays in it (default 60 s).
    pub response_cache_ttl: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(60),
            shared_max_age: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(60),
            stale_if_error: Duration::from_secs(86_400),
            error_max_age: Duration::from_secs(10),
            response_cache_mb: 0,
            response_cache_ttl: Duration::from_secs(60),
        }
    }
}

impl CachePolicy {
    /// The policy as the environment gives it, for caches that `purge_targets` purge.
    pub fn from_env(purge_targets: &PurgeTargets) -> Result<Self, String> {
        let defaults = Self::default();
        let max_age = duration("FOLIO_CACHE_MAX_AGE", defaults.max_age)?;
        // Without purges, a shared cache must not keep anything longer than a browser.
        let shared_default = if purge_targets.is_empty() {
            max_age
        } else {
            Duration::from_secs(86_400)
        };
        Ok(Self {
            max_age,
            shared_max_age: duration("FOLIO_CACHE_SHARED_MAX_AGE", shared_default)?,
            stale_while_revalidate: duration(
                "FOLIO_CACHE_STALE_WHILE_REVALIDATE",
                defaults.stale_while_revalidate,
            )?,
            stale_if_error: duration("FOLIO_CACHE_STALE_IF_ERROR", defaults.stale_if_error)?,
            error_max_age: duration("FOLIO_CACHE_ERROR_MAX_AGE", defaults.error_max_age)?,
            response_cache_mb: number("FOLIO_RESPONSE_CACHE_MB", defaults.response_cache_mb)?,
            response_cache_ttl: duration("FOLIO_RESPONSE_CACHE_TTL", defaults.response_cache_ttl)?,
        })
    }
}

/// Who may keep a response, decided from the request and the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A write, a refusal that depends on the moment (429, 5xx), or credentials.
    NoStore,
    /// Read with a token: for that client alone, and not to be kept.
    Private,
    /// A public client error: briefly.
    PublicError,
    /// A public read without keys: as long as a browser would keep it.
    Public,
    /// A public read with keys: long in shared caches, purged on change.
    Purgeable,
}

impl CachePolicy {
    fn header(&self, class: Class) -> String {
        let seconds = |d: Duration| d.as_secs();
        let stale = format!(
            "stale-while-revalidate={}, stale-if-error={}",
            seconds(self.stale_while_revalidate),
            seconds(self.stale_if_error)
        );
        match class {
            Class::NoStore => "no-store".to_owned(),
            Class::Private => "private, no-store".to_owned(),
            Class::PublicError => format!(
                "public, max-age={0}, s-maxage={0}",
                seconds(self.error_max_age)
            ),
            Class::Public => format!(
                "public, max-age={0}, s-maxage={0}, {stale}",
                seconds(self.max_age)
            ),
            Class::Purgeable => format!(
                "public, max-age={}, s-maxage={}, {stale}",
                seconds(self.max_age),
                seconds(self.shared_max_age)
            ),
        }
    }
}

fn class(method: &Method, credentials: bool, status: StatusCode, keyed: bool) -> Class {
    let moment_bound = status.is_server_error()
        || matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        );
    if *method != Method::GET || moment_bound {
        Class::NoStore
    } else if credentials {
        Class::Private
    } else if status.is_client_error() {
        Class::PublicError
    } else if keyed {
        Class::Purgeable
    } else {
        Class::Public
    }
}

/// Attaches what a response depends on; the caching middleware turns it into
/// headers when the response may be kept by shared caches.
pub fn keyed(mut response: HttpResponse, keys: SurrogateKeys) -> HttpResponse {
    response.extensions_mut().insert(keys);
    response
}

/// When what a response shows last changed.
#[derive(Debug, Clone, Copy)]
struct LastModified(NaiveDateTime);

/// Attaches when what a response shows last changed; the caching middleware sends
/// it as `Last-Modified` on public reads, for `If-Modified-Since`.
pub fn last_modified(mut response: HttpResponse, at: Option<NaiveDateTime>) -> HttpResponse {
    if let Some(at) = at {
        response.extensions_mut().insert(LastModified(at));
    }
    response
}

/// `Last-Modified` has whole seconds: a change later in the same second as the
/// one it names would go unnoticed by `If-Modified-Since`. It is sent only once
/// that second is over, as Apache does for files changed within the last second.
fn last_modified_header(at: NaiveDateTime, now: NaiveDateTime) -> Option<HeaderValue> {
    let settled = now - at >= chrono::TimeDelta::seconds(1);
    let time =
        SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(at.and_utc().timestamp()).ok()?);
    settled
        .then(|| HeaderValue::from_str(&HttpDate::from(time).to_string()).ok())
        .flatten()
}

/// Whether a conditional GET gets a `304` for a representation with this `ETag` and
/// `Last-Modified`. `If-Modified-Since` counts only without `If-None-Match` (RFC
/// 9110, 13.1.3); weak tags match too, as the weak comparison GET uses allows.
pub fn unchanged(
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: &str,
    last_modified: Option<&str>,
) -> bool {
    match (if_none_match, if_modified_since) {
        (Some(tags), _) => {
            tags.trim() == "*"
                || tags
                    .split(',')
                    .map(|t| t.trim().trim_start_matches("W/"))
                    .any(|t| t == etag)
        }
        (None, Some(since)) => last_modified.is_some_and(|m| unmodified_since(m, since)),
        (None, None) => false,
    }
}

/// Whether a representation last modified as `last_modified` says is unchanged
/// since `if_modified_since` (both HTTP dates).
fn unmodified_since(last_modified: &str, if_modified_since: &str) -> bool {
    match (
        last_modified.parse::<HttpDate>(),
        if_modified_since.parse::<HttpDate>(),
    ) {
        (Ok(modified), Ok(since)) => SystemTime::from(modified) <= SystemTime::from(since),
        _ => false,
    }
}

/// Sets `Cache-Control` on every response that has none (a handler that knows
/// better sets its own), `Vary: Authorization` on API reads (a token sees drafts
/// at the same URL) and `Vary: Accept-Language` on those that read it (`locale=auto`), and `Surrogate-Key` and `Cache-Tag` on public reads.
/// Runs inside the ETag middleware, so a `304` carries the same headers.
pub async fn cache_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    let credentials = req.headers().contains_key(header::AUTHORIZATION);
    let api = req.path().starts_with("/v1/");
    let policy = req
        .app_data::<web::Data<CachePolicy>>()
        .map(|policy| policy.get_ref().clone())
        .unwrap_or_default();
    let mut res = next.call(req).await?;
    let by_language = res.request().extensions().contains::<VariesByLanguage>();
    let keys = res
        .response_mut()
        .extensions_mut()
        .remove::<SurrogateKeys>();
    let modified = res.response_mut().extensions_mut().remove::<LastModified>();
    let keyed = keys.as_ref().is_some_and(|k| !k.is_empty());
    let class = class(&method, credentials, res.status(), keyed);
    let headers = res.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        if let Ok(value) = HeaderValue::from_str(&policy.header(class)) {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    if api && method == Method::GET {
        headers.append(header::VARY, HeaderValue::from_static("authorization"));
        if by_language {
            headers.append(header::VARY, HeaderValue::from_static("accept-language"));
        }
    }
    let public = matches!(class, Class::Public | Class::Purgeable);
    if let (true, Some(LastModified(at))) = (public, modified) {
        if let Some(value) = last_modified_header(at, crate::db::now()) {
            headers.insert(header::LAST_MODIFIED, value);
        }
    }
    if let (Class::Purgeable, Some(keys)) = (class, keys) {
        let tags = keys.iter().collect::<Vec<_>>().join(",");
        for (name, value) in [(SURROGATE_KEY, keys.to_header()), (CACHE_TAG, tags)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_modified_waits_for_its_second_to_end() {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 11, 27)
            .and_then(|d| d.and_hms_milli_opt(8, 30, 0, 250))
            .expect("a date");
        let soon = at + chrono::TimeDelta::milliseconds(500);
        assert_eq!(last_modified_header(at, soon), None);
        let later = at + chrono::TimeDelta::seconds(2);
        let header = last_modified_header(at, later).expect("a header");
        assert_eq!(header.to_str().ok(), Some("Wed, 27 Nov 2024 08:30:00 GMT"));
        assert!(unmodified_since(
            "Wed, 27 Nov 2024 08:30:00 GMT",
            "Wed, 27 Nov 2024 08:30:00 GMT"
        ));
        assert!(!unmodified_since(
            "Wed, 27 Nov 2024 08:30:01 GMT",
            "Wed, 27 Nov 2024 08:30:00 GMT"
        ));
        assert!(!unmodified_since(
            "Wed, 27 Nov 2024 08:30:00 GMT",
            "yesterday"
        ));
    }

    #[test]
    fn each_class_gets_its_header() {
        let policy = CachePolicy {
            shared_max_age: Duration::from_secs(86_400),
            ..CachePolicy::default()
        };
        let ok = StatusCode::OK;
        let get = Method::GET;
        assert_eq!(
            policy.header(class(&Method::POST, false, ok, true)),
            "no-store"
        );
        assert_eq!(
            policy.header(class(&get, true, ok, true)),
            "private, no-store"
        );
        assert_eq!(
            policy.header(class(&get, false, StatusCode::TOO_MANY_REQUESTS, false)),
            "no-store"
        );
        assert_eq!(
            policy.header(class(&get, false, StatusCode::NOT_FOUND, false)),
            "public, max-age=10, s-maxage=10"
        );
        assert_eq!(
            policy.header(class(&get, false, ok, false)),
            "public, max-age=60, s-maxage=60, stale-while-revalidate=60, stale-if-error=86400"
        );
        assert_eq!(
            policy.header(class(&get, false, ok, true)),
            "public, max-age=60, s-maxage=86400, stale-while-revalidate=60, stale-if-error=86400"
        );
    }
}
