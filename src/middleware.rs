//! Cross-cutting HTTP behaviour: request ids and the access log, CORS, security
//! headers, readiness, ETags with conditional GET and HEAD,
//! and problem+json answers for unknown paths and methods.

use actix_cors::Cors;
use actix_web::body::{to_bytes, BodySize, BoxBody, MessageBody};
use actix_web::dev::{RequestHead, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::config::{CorsPolicy, ServerSettings};
use crate::error::ApiError;
use crate::http::etag::{etag_of, versioned_etag, VERSION_HEADER};
use crate::http::marks::REPLAYED;
use crate::http::refusal::refuse;
use crate::rate_limit;
use crate::readiness::Readiness;

pub const REQUEST_ID: &str = "x-request-id";

/// One log line per request (target `folio::http`): its id, the client, the request
/// line, status, body size and time taken; for an error also the problem's type,
/// and for a 5xx (logged at `error`) its cause.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let peer = req.connection_info().peer_addr().unwrap_or("-").to_owned();
    let method = req.method().to_string();
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let version = req.version();
    let trace = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::logging::trace_context)
        .map(|(trace, parent)| (trace.to_owned(), parent.to_owned()));
    let res = next.call(req).await?;
    let status = res.status();
    let took = started.elapsed();
    let route = res.request().match_pattern();
    if let Some(metrics) = res
        .request()
        .app_data::<web::Data<crate::metrics::Metrics>>()
    {
        metrics.observe(route.as_deref(), &method, status.as_u16(), took);
    }
    let token = match res.request().extensions().get::<crate::auth::Caller>() {
        Some(crate::auth::Caller::Token { name, .. }) => Some(name.clone()),
        _ => None,
    };
    let id = res
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let size = match res.response().body().size() {
        actix_web::body::BodySize::Sized(n) => Some(n),
        _ => None,
    };
    let problem = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>());
    write_access_log(&Served {
        id,
        peer: &peer,
        method: &method,
        target: &target,
        version,
        status,
        size,
        took,
        route: route.as_deref(),
        token: token.as_deref(),
        problem,
        trace: trace.as_ref().map(|(t, p)| (t.as_str(), p.as_str())),
    });
    Ok(res)
}

/// What the access log says of one request.
struct Served<'a> {
    id: &'a str,
    peer: &'a str,
    method: &'a str,
    /// The path and query asked for.
    target: &'a str,
    version: actix_web::http::Version,
    status: actix_web::http::StatusCode,
    /// The body's size, when known before it is sent.
    size: Option<u64>,
    took: std::time::Duration,
    route: Option<&'a str>,
    /// The name of the token the caller showed.
    token: Option<&'a str>,
    problem: Option<&'a ApiError>,
    /// The W3C trace context's trace and parent ids.
    trace: Option<(&'a str, &'a str)>,
}

/// Writes the line of `served` as text and, for `FOLIO_LOG_FORMAT=json`, as fields.
fn write_access_log(served: &Served<'_>) {
    let Served {
        id,
        peer,
        method,
        target,
        status,
        size,
        ..
    } = *served;
    let bytes = size.map_or_else(|| "-".into(), |n| n.to_string());
    let millis = served.took.as_secs_f64() * 1000.0;
    let mut message = format!(
        "{id} {peer} \"{method} {target} {:?}\" {} {bytes} {millis:.1}ms",
        served.version,
        status.as_u16()
    );
    if let Some(error) = served.problem {
        message.push(' ');
        message.push_str(error.problem_type());
        if status.is_server_error() {
            message.push_str(&format!(": {error}"));
        }
    }
    use log::kv::Value;
    let mut fields: Vec<(&str, Value<'_>)> = vec![
        ("request_id", Value::from(id)),
        ("method", Value::from(method)),
        ("path", Value::from(target)),
        ("status", Value::from(status.as_u16())),
        (
            "latency_ms",
            Value::from((millis * 1000.0).round() / 1000.0),
        ),
        ("client", Value::from(peer)),
    ];
    if let Some(route) = served.route {
        fields.push(("route", Value::from(route)));
    }
    if let Some(n) = size {
        fields.push(("bytes", Value::from(n)));
    }
    if let Some(token) = served.token {
        fields.push(("token", Value::from(token)));
    }
    if let Some(error) = served.problem {
        fields.push(("problem", Value::from(error.problem_type())));
    }
    if let Some((trace, parent)) = served.trace {
        fields.push(("trace_id", Value::from(trace)));
        fields.push(("parent_id", Value::from(parent)));
    }
    let level = if status.is_server_error() {
        log::Level::Error
    } else {
        log::Level::Info
    };
    log::logger().log(
        &log::Record::builder()
            .level(level)
            .target("folio::http")
            .args(format_args!("{message}"))
            .key_values(&fields.as_slice())
            .build(),
    );
}

fn acceptable_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| text.to_owned())
}

/// Gives every request an id (the client's own when sane) and returns it in `X-Request-Id`,
/// so a log line and a client report can be matched.
pub async fn request_id(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut()
        .insert(header::HeaderName::from_static(REQUEST_ID), value.clone());
    let mut res = next.call(req).await?;
    res.headers_mut()
        .insert(header::HeaderName::from_static(REQUEST_ID), value);
    Ok(res)
}

/// Reads a query string that repeats a parameter (`tag=a&tag=b`: some generated
/// clients send arrays so, whatever the spec's `explode: false` says) as the spec
/// writes lists (`tag=a,b`), before anything reads it: caches included.
pub async fn merge_repeated_parameters(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(merged) = merged_query(req.query_string()) {
        let target = format!("{}?{merged}", req.path());
        if let Ok(uri) = target.parse() {
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}

/// `query` with the values of each repeated parameter joined by commas, in the
/// place of its first; `None` when no parameter repeats.
fn merged_query(query: &str) -> Option<String> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut repeated = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match pairs.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, values)) => {
                repeated = true;
                values.push(',');
                values.push_str(value);
            }
            None => pairs.push((name, value.to_owned())),
        }
    }
    repeated.then(|| {
        pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// The method a request stands for: the one a CORS preflight asks about, else its own.
fn intended_method(head: &RequestHead) -> Option<Method> {
    if head.method == Method::OPTIONS {
        head.headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
    } else {
        Some(head.method.clone())
    }
}

fn origin_allowed(policy: &CorsPolicy, origin: &HeaderValue, head: &RequestHead) -> bool {
    let origins = match intended_method(head) {
        Some(Method::GET | Method::HEAD) => &policy.read,
        _ => &policy.write,
    };
    origin.to_str().is_ok_and(|o| origins.allows(o))
}

/// Cross-origin access for browsers, by `policy`: reads and writes are allowed per
/// origin separately (a preflight is judged by the method it asks for).
pub fn cors(policy: CorsPolicy) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| origin_allowed(&policy, origin, head))
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static(REPLAYED),
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .expose_headers(rate_limit::HEADERS.map(header::HeaderName::from_static))
        .max_age(3600)
}

/// Refuses a browser request from an origin the policy does not allow, as a 403
/// problem before anything runs (the CORS middleware alone would answer in plain text).
pub async fn cors_refusal(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = match (
        req.app_data::<web::Data<ServerSettings>>(),
        req.headers().get(header::ORIGIN),
    ) {
        (Some(settings), Some(origin)) => {
            (!origin_allowed(&settings.cors, origin, req.head())).then(|| origin.clone())
        }
        _ => None,
    };
    match refused {
        Some(origin) => {
            let method = intended_method(req.head()).map_or_else(String::new, |m| m.to_string());
            let error = ApiError::OriginNotAllowed(format!(
                "cross-origin request refused: {} may not send {method} requests from a browser",
                origin.to_str().unwrap_or("this origin")
            ));
            Ok(refuse(req, error))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Tells caches that every response may differ by `Accept-Encoding`, also when it
/// was sent uncompressed (the compressor marks only the responses it compresses,
/// and a cache would then serve an identity copy to everyone).
pub async fn vary_on_encoding(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let named = headers.get_all(header::VARY).any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|name| {
                name.trim().eq_ignore_ascii_case("accept-encoding") || name.trim() == "*"
            })
        })
    });
    if !named {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    Ok(res)
}

/// What the API's JSON may do in a browser: nothing (it is data, never a page).
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// Swagger UI at `/docs`: its own scripts, styles (it sets inline ones), images and
/// the spec; nothing from elsewhere, and it may not be framed.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Headers every response carries: no MIME sniffing, no referrer, and a
/// Content-Security-Policy (a strict one for the API, Swagger UI's needs on `/docs`).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { DOCS_POLICY } else { API_POLICY }),
    );
    Ok(res)
}

/// Until the database has been reached and migrated, `/v1` answers 503 with
/// `Retry-After` instead of failing on tables that do not exist yet.
pub async fn until_ready(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let starting = req.path().starts_with("/v1/")
        && req
            .app_data::<web::Data<Readiness>>()
            .is_some_and(|r| !r.is_ready());
    if starting {
        let refusal = ApiError::Unavailable(
            "Folio is starting and has not reached its database yet; try again shortly".into(),
        );
        return Ok(refuse(req, refusal));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Bodies up to this size are hashed where they are; larger ones on the blocking pool.
const HASH_IN_PLACE_BYTES: usize = 64 * 1024;

/// Adds a strong `ETag` (a hash of the body, unless the handler set one) to every response, answers `304`
/// to a matching `If-None-Match` (or, without one, to an `If-Modified-Since` no earlier than
/// `Last-Modified`), and serves `HEAD` as a `GET` without the body.
pub async fn etag(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let conditional = req.method() == Method::GET;
    let request_header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let if_none_match = request_header(header::IF_NONE_MATCH);
    let if_modified_since = request_header(header::IF_MODIFIED_SINCE);
    let res = next.call(req).await?;
    // A streamed body (an event stream, which never ends; a sitemap shard, which
    // is not to be held whole) is not hashed: it is revalidated by its
    // `Last-Modified` alone, when it has one.
    if matches!(res.response().body().size(), BodySize::Stream) {
        let last_modified = res
            .headers()
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok());
        let not_modified = conditional
            && res.status() == StatusCode::OK
            && if_none_match.is_none()
            && last_modified.is_some()
            && crate::caching::unchanged(None, if_modified_since.as_deref(), "", last_modified);
        if !not_modified {
            return Ok(res.map_into_boxed_body());
        }
        let (req, res) = res.into_parts();
        return Ok(ServiceResponse::new(
            req,
            not_modified_answer(res.into_parts().0),
        ));
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(format!("could not buffer the response: {}", e.into())))?;
    let tag = entity_tag(&mut head, &bytes).await?;
    if let Ok(value) = HeaderValue::from_str(&tag) {
        head.headers_mut().insert(header::ETAG, value);
    }
    let last_modified = head
        .headers()
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok());
    let not_modified = conditional
        && head.status() == StatusCode::OK
        && crate::caching::unchanged(
            if_none_match.as_deref(),
            if_modified_since.as_deref(),
            &tag,
            last_modified,
        );
    let res = if not_modified {
        not_modified_answer(head)
    } else {
        // A HEAD answer keeps the body here so its Content-Length is the GET's;
        // the HTTP layer knows the request was a HEAD and sends no body.
        head.set_body(BoxBody::new(bytes))
    };
    Ok(ServiceResponse::new(req, res))
}

/// The strong ETag of an answer: the one its handler set, else a hash of its
/// body, with the version the handler named (which leaves the headers) in front.
async fn entity_tag(head: &mut HttpResponse<()>, bytes: &web::Bytes) -> Result<String, ApiError> {
    // A 412 already carries the ETag of the current version, not of its own body.
    let tag = match head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(set) => set.to_owned(),
        // Hashing a page of long articles takes milliseconds: not on the threads
        // that answer everyone.
        None if bytes.len() > HASH_IN_PLACE_BYTES => {
            let shared = bytes.clone();
            web::block(move || etag_of(&shared))
                .await
                .map_err(|e| ApiError::Internal(format!("could not hash the response: {e}")))?
        }
        None => etag_of(bytes),
    };
    Ok(match head.headers_mut().remove(VERSION_HEADER).next() {
        Some(version) => versioned_etag(version.to_str().unwrap_or("0"), &tag),
        None => tag,
    })
}

/// A `304` with the headers of the answer it stands for, and no body.
fn not_modified_answer(head: HttpResponse<()>) -> HttpResponse<BoxBody> {
    let mut res = head.set_body(BoxBody::new(()));
    *res.status_mut() = StatusCode::NOT_MODIFIED;
    res.headers_mut().remove(header::CONTENT_TYPE);
    res
}

/// The documented routes, as path templates with their methods, for telling
/// 405 (known path, other method) from 404.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_spec(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (name, present) in [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(name.to_owned());
                    }
                }
                (path.split('/').map(str::to_owned).collect(), methods)
            })
            .collect();
        Self { routes }
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

/// The answer to any request no route took.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let error = match routes.allowed(req.path()) {
        Some(methods) => ApiError::MethodNotAllowed {
            detail: format!(
                "{} is not allowed on {}; use {}",
                req.method(),
                req.path(),
                methods.join(", ")
            ),
            allow: methods.join(", "),
        },
        None => ApiError::NotFound(format!("there is nothing at {}", req.path())),
    };
    HttpResponse::from_error(error)
}

#[cfg(test)]
mod tests {
    use super::merged_query;

    #[test]
    fn repeated_parameters_read_as_lists() {
        assert_eq!(
            merged_query("tag=a&tag=b&per_page=2"),
            Some("tag=a,b&per_page=2".into())
        );
        assert_eq!(
            merged_query("include=related&fields=id&include=section_path&fields=slug"),
            Some("include=related,section_path&fields=id,slug".into())
        );
        assert_eq!(merged_query("q=c%C5%93ur&tag=a,b"), None);
        assert_eq!(merged_query(""), None);
    }
}
