//! The JSON body extractor: 415 for other media types, 413 past the size limit,
//! 400 for malformed JSON and 422 naming the field for a well-formed body of the wrong shape.
//!
//! Extraction never fails by itself: the handler asks for the body after checking
//! the caller's token, so an anonymous write is a 401 whatever its body.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::config::{Limits, ServerSettings};
use crate::error::{ApiError, FieldError};

pub struct JsonBody<T> {
    parsed: Result<T, ApiError>,
    digest: String,
}

impl<T> JsonBody<T> {
    /// The parsed body, or why it could not be read.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.parsed
    }

    /// A SHA-256 of the method, path and raw body: what an idempotent retry must repeat.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON object, naming the failing field on a shape error. Other JSON
/// values are refused up front: serde would otherwise read a struct from an array.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let starts_object = bytes.trim_ascii_start().first() == Some(&b'{');
    if !starts_object && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            let field = if path == "." { "body".to_owned() } else { path };
            ApiError::Validation(vec![FieldError::new(
                field,
                strip_position(&inner.to_string()),
            )])
        } else {
            ApiError::BadRequest(format!("the request body is not valid JSON: {inner}"))
        }
    })?;
    // One JSON value and nothing after it but white space.
    deserializer.end().map_err(|e| {
        ApiError::BadRequest(format!(
            "the request body has bytes after its JSON value: {e}"
        ))
    })?;
    Ok(value)
}

/// serde's messages end with " at line 1 column 42"; the field name says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read(req, payload);
        let target = format!("{} {}", req.method(), req.path());
        Box::pin(async move {
            let (parsed, digest) = match body.await {
                Ok(bytes) => {
                    let mut hash = Sha256::new();
                    hash.update(target.as_bytes());
                    hash.update(b"\n");
                    hash.update(&bytes);
                    (parse(&bytes), hex::encode(hash.finalize()))
                }
                Err(e) => (Err(e), String::new()),
            };
            Ok(JsonBody { parsed, digest })
        })
    }
}

type BodyFuture = Pin<Box<dyn Future<Output = Result<web::BytesMut, ApiError>>>>;

/// The raw body, checked for media type and size.
fn read(req: &HttpRequest, payload: &mut Payload) -> BodyFuture {
    let json = is_json(req);
    let (limit, timeout) = req
        .app_data::<web::Data<ServerSettings>>()
        .map(|s| (s.limits.max_request_bytes, s.limits.body_timeout))
        .unwrap_or_else(|| {
            let defaults = Limits::default();
            (defaults.max_request_bytes, defaults.body_timeout)
        });
    let mut payload = payload.take();
    Box::pin(async move {
        if !json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let receive = async move {
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::BadRequest(format!("could not read the request body: {e}"))
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(format!(
                        "the request body is larger than {limit} bytes"
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        };
        // A client that stalls mid-body must not hold a connection (and a worker's
        // attention) for ever.
        actix_web::rt::time::timeout(timeout, receive)
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::RequestTimeout(format!(
                    "the request body did not arrive within {} seconds",
                    timeout.as_secs()
                )))
            })
    })
}
