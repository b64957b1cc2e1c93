//! Cross-cutting HTTP behaviour: request ids, ETags with conditional GET and HEAD,
//! and problem+json answers for unknown paths and methods.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const REQUEST_ID: &str = "x-request-id";

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

fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

fn matches_any(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag)
}

/// Adds a strong `ETag` (a hash of the body) to every response, answers `304`
/// to a matching `If-None-Match`, and serves `HEAD` as a `GET` without the body.
pub async fn etag(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_head = req.method() == Method::HEAD;
    if is_head {
        req.head_mut().method = Method::GET;
    }
    let conditional = req.method() == Method::GET;
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(format!("could not buffer the response: {}", e.into())))?;
    let tag = etag_of(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        head.headers_mut().insert(header::ETAG, value);
    }
    let not_modified = conditional
        && head.status() == StatusCode::OK
        && if_none_match.is_some_and(|inm| matches_any(&inm, &tag));
    let res = if not_modified {
        let mut res = head.set_body(BoxBody::new(()));
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res.headers_mut().remove(header::CONTENT_TYPE);
        res
    } else if is_head {
        head.set_body(BoxBody::new(()))
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    Ok(ServiceResponse::new(req, res))
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
    error.error_response()
}
