//! HTTP caching: what browsers and shared caches (CDNs, Varnish) may keep and for
//! how long, and what each response depends on, so that a change purges exactly
//! the responses it affects (see `crate::surrogate` for the keys).

pub mod purge;

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use crate::config::ServerSettings;
use crate::surrogate::SurrogateKeys;

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
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(60),
            shared_max_age: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(60),
            stale_if_error: Duration::from_secs(86_400),
            error_max_age: Duration::from_secs(10),
        }
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

/// Sets `Cache-Control` on every response that has none (a handler that knows
/// better sets its own), `Vary: Authorization` on API reads (a token sees drafts
/// at the same URL), and `Surrogate-Key` and `Cache-Tag` on public reads.
/// Runs inside the ETag middleware, so a `304` carries the same headers.
pub async fn cache_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    let credentials = req.headers().contains_key(header::AUTHORIZATION);
    let api = req.path().starts_with("/v1/");
    let policy = req
        .app_data::<web::Data<ServerSettings>>()
        .map(|s| s.caching.clone())
        .unwrap_or_default();
    let mut res = next.call(req).await?;
    let keys = res
        .response_mut()
        .extensions_mut()
        .remove::<SurrogateKeys>();
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
