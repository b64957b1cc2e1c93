//! An in-process cache of public API reads on each node (`FOLIO_RESPONSE_CACHE_MB`),
//! so that a node without a CDN in front answers hot reads without the database.
//!
//! Only what a shared cache could keep is kept: `200` answers to requests without
//! credentials that name their surrogate keys. Each node follows the change log
//! (`follow`) and drops the entries whose keys a change purges, as a CDN would be
//! purged; a write made on this node is followed before its answer goes out, so the
//! writer reads it back at once. A change made on another node is seen within
//! `FOLLOW_EVERY` (the lag is bounded, not zero), and an entry lives at most `ttl`.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;

use super::SURROGATE_KEY;
use crate::db::{changes, purges, Database};
use crate::error::{ApiError, ApiResult};
use crate::http::marks::follows_accept_language;
use crate::readiness::Readiness;
use crate::surrogate::SurrogateKeys;

/// How often each node reads the change log for what to drop.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(100);
/// Changes read from the log at once.
const CHANGES_PER_READ: i64 = 1_000;

/// What a cached answer depends on in the request: its path and query, and its
/// `Origin` (CORS headers differ by origin).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    origin: Option<String>,
}

/// A `200` as it left the ETag layer, uncompressed.
#[derive(Debug)]
struct Entry {
    headers: HeaderMap,
    body: Bytes,
    keys: SurrogateKeys,
}

/// The cache of one node, shared by its workers.
pub struct ResponseCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    /// Bumped at each invalidation: an answer computed across one is not kept, as
    /// it may have been read before the change that invalidated.
    generation: AtomicU64,
    /// The newest change whose keys were dropped.
    followed_through: AtomicI64,
}

impl ResponseCache {
    /// A cache of at most `megabytes` of bodies and headers, each kept at most `ttl`.
    pub fn new(megabytes: u64, ttl: Duration) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(megabytes * 1024 * 1024)
            .weigher(|key: &Key, entry: &Arc<Entry>| {
                let headers: usize = entry
                    .headers
                    .iter()
                    .map(|(n, v)| n.as_str().len() + v.len())
                    .sum();
                let size = entry.body.len() + headers + key.path_and_query.len() + 64;
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .support_invalidation_closures()
            .build();
        Self {
            entries,
            generation: AtomicU64::new(0),
            followed_through: AtomicI64::new(-1),
        }
    }

    /// Drops the entries that depend on any of `keys`.
    fn invalidate(&self, keys: &SurrogateKeys) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if keys.is_empty() {
            return;
        }
        let keys = keys.clone();
        let dropped = self
            .entries
            .invalidate_entries_if(move |_, entry| entry.keys.iter().any(|k| keys.contains(k)));
        if let Err(e) = dropped {
            // Cannot happen with invalidation closures enabled; never serve stale.
            log::error!("response cache: {e}; emptying it");
            self.clear();
        }
    }

    /// Drops every entry (and keeps no answer computed before).
    fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// Reads the changes this node has not followed yet and drops what they purge.
    /// The first call only notes where the log stands.
    pub fn follow(&self, db: &Database) -> ApiResult<()> {
        let mut conn = db.get()?;
        let through = self.followed_through.load(Ordering::SeqCst);
        if through < 0 {
            let latest = changes::latest(&mut conn)?;
            self.followed_through.store(latest, Ordering::SeqCst);
            self.clear();
            return Ok(());
        }
        loop {
            let after = self.followed_through.load(Ordering::SeqCst);
            let rows = purges::keys_after(&mut conn, after, CHANGES_PER_READ)?;
            let Some(last) = rows.last().map(|(seq, _)| *seq) else {
                return Ok(());
            };
            // Dropped only once the replicas have the changes: an answer computed
            // from one that had not yet would be kept with what the change replaced.
            db.replicas().wait_until_replayed(&mut conn);
            let mut keys = SurrogateKeys::new();
            for (_, text) in &rows {
                keys.extend(SurrogateKeys::parse(text).iter().map(str::to_owned));
            }
            self.invalidate(&keys);
            self.followed_through.fetch_max(last, Ordering::SeqCst);
            if (rows.len() as i64) < CHANGES_PER_READ {
                return Ok(());
            }
        }
    }

    /// How many answers are kept (for tests and logs).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Follows the change log for as long as the server runs.
pub async fn follow_changes(
    cache: web::Data<ResponseCache>,
    db: web::Data<Database>,
    readiness: web::Data<Readiness>,
) {
    let mut tick = actix_rt::time::interval(FOLLOW_EVERY);
    loop {
        tick.tick().await;
        if !readiness.is_ready() {
            continue;
        }
        let (following, db) = (cache.clone(), db.clone());
        let followed = web::block(move || following.follow(&db)).await;
        match followed {
            Ok(Ok(())) => {}
            // Until the log can be read again, nothing may be served from the cache.
            Ok(Err(e)) => {
                log::warn!("response cache: the change log cannot be read ({e}); emptying it");
                cache.clear();
            }
            Err(e) => log::warn!("response cache: {e}"),
        }
    }
}

fn cacheable_request(req: &ServiceRequest) -> Option<Key> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let public = !req.headers().contains_key(header::AUTHORIZATION);
    // Asset files are large, vary on `Accept`, and are cached downstream for
    // good; asset records change outside the change log this cache follows.
    let asset = req.path().starts_with("/v1/assets");
    // Entries are keyed by URL: an answer that varies with `Accept-Language` is not kept.
    let by_language = follows_accept_language(req.query_string());
    (read && public && req.path().starts_with("/v1/") && !asset && !by_language).then(|| Key {
        path_and_query: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned()),
        origin: req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    })
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Cache-Status` (RFC 9211) on every answer the cache could have given.
const CACHE_STATUS: &str = "cache-status";
const HIT: &str = "folio; hit";
const STORED: &str = "folio; fwd=miss; stored";
const NOT_STORED: &str = "folio; fwd=miss";

/// The answer to a request from a kept entry: the entry, or `304` when the
/// client's copy is current.
fn answer(
    req: actix_web::HttpRequest,
    entry: &Entry,
    (if_none_match, if_modified_since): (Option<&str>, Option<&str>),
    status: &'static str,
) -> ServiceResponse<BoxBody> {
    let etag = header_text(&entry.headers, header::ETAG).unwrap_or("");
    let last_modified = header_text(&entry.headers, header::LAST_MODIFIED);
    let not_modified = super::unchanged(if_none_match, if_modified_since, etag, last_modified);
    let mut response = if not_modified {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().body(entry.body.clone())
    };
    for (name, value) in &entry.headers {
        let about_the_body = name == header::CONTENT_TYPE || name == header::CONTENT_LENGTH;
        if not_modified && about_the_body {
            continue;
        }
        response.headers_mut().append(name.clone(), value.clone());
    }
    response.headers_mut().insert(
        header::HeaderName::from_static(CACHE_STATUS),
        header::HeaderValue::from_static(status),
    );
    ServiceResponse::new(req, response)
}

/// Serves kept answers, keeps new ones, and follows the log after a write on this
/// node. Sits outside the ETag layer (it keeps and compares final `ETag`s) and
/// inside compression.
pub async fn serve_from_cache(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Registered as an option: `None` when the cache is off.
    let cache = req
        .app_data::<Option<web::Data<ResponseCache>>>()
        .cloned()
        .flatten();
    let Some(cache) = cache else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(key) = cacheable_request(&req) else {
        let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let res = next.call(req).await?.map_into_boxed_body();
        if write && res.status().is_success() {
            follow_now(&cache, &res).await;
        }
        return Ok(res);
    };
    let conditions = |req: &ServiceRequest| {
        let text = |name| header_text(req.headers(), name).map(str::to_owned);
        (text(header::IF_NONE_MATCH), text(header::IF_MODIFIED_SINCE))
    };
    let (if_none_match, if_modified_since) = conditions(&req);
    if let Some(entry) = cache.entries.get(&key) {
        let conditions = (if_none_match.as_deref(), if_modified_since.as_deref());
        return Ok(answer(req.request().clone(), &entry, conditions, HIT));
    }
    // The full answer is what is kept; the client's conditions are applied after.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    req.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let generation = cache.generation.load(Ordering::SeqCst);
    let res = next.call(req).await?;
    let keys = res
        .headers()
        .get(SURROGATE_KEY)
        .and_then(|v| v.to_str().ok())
        .map(SurrogateKeys::parse);
    let (Some(keys), StatusCode::OK) = (keys, res.status()) else {
        return Ok(res.map_into_boxed_body());
    };
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let body = to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(format!("could not buffer the response: {}", e.into())))?;
    let mut headers = head.headers().clone();
    // A client's standing against the rate limit is not the next client's.
    for name in crate::rate_limit::HEADERS {
        headers.remove(name);
    }
    let entry = Arc::new(Entry {
        headers,
        body,
        keys,
    });
    let status = if cache.generation.load(Ordering::SeqCst) == generation {
        cache.entries.insert(key, entry.clone());
        STORED
    } else {
        NOT_STORED
    };
    let conditions = (if_none_match.as_deref(), if_modified_since.as_deref());
    Ok(answer(req, &entry, conditions, status))
}

/// After a write on this node: drop what it purges before the writer gets its
/// answer, so the writer's next read is fresh. Not with read replicas: public
/// reads then come from replicas that may not have the write yet, so entries are
/// dropped only once they do (by the follower), and the write does not wait.
async fn follow_now(cache: &web::Data<ResponseCache>, res: &ServiceResponse<BoxBody>) {
    let Some(db) = res.request().app_data::<web::Data<Database>>().cloned() else {
        return;
    };
    if !db.replicas().is_empty() {
        return;
    }
    let cache = cache.clone();
    let followed = web::block(move || cache.follow(&db)).await;
    if !matches!(followed, Ok(Ok(()))) {
        log::warn!("response cache: a write could not be followed; the next tick will");
    }
}
