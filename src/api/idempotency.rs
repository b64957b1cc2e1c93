//! `Idempotency-Key` on creates: a client that lost an answer can retry and get
//! the same answer back, instead of creating the item twice.

use std::future::{ready, Ready};

use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;

use crate::auth::Caller;
use crate::db::idempotency::{self as store, Claim};
use crate::db::{AnyConnection, Database};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::etag::version_header;
use crate::http::marks::REPLAYED;

const MAX_KEY_LEN: usize = 255;

/// The request's `Idempotency-Key`, if it sent one.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(Option<String>);

/// How the spec documents the header: a create whose handler takes
/// `IdempotencyKey` lists it (`params(…, IdempotencyKey)`), and its 201 says when
/// an answer is a replay.
impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .description(Some(
                "A unique key (such as a UUID) for this create: retried with the same key and \
                 body within 24 hours, the first answer is replayed instead of creating the item \
                 again; the same key with another body is a 422",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_KEY_LEN)),
            ))
            .example(Some(serde_json::json!(
                "5f0c2f4e-8b1a-4c7e-9d3a-2e6f7b8c9d0e"
            )))
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .build()]
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key) if !key.trim().is_empty() && key.len() <= MAX_KEY_LEN => {
                    Ok(IdempotencyKey(Some(key.trim().to_owned())))
                }
                _ => Err(ApiError::BadRequest(format!(
                    "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters, such as a UUID"
                ))),
            },
        };
        ready(key)
    }
}

/// A `201 Created` answer: where the new item lives and what it is.
pub struct Created {
    location: String,
    body: String,
    replayed: bool,
}

impl Created {
    pub fn new<T: Serialize>(location: String, body: &T) -> ApiResult<Self> {
        let body = serde_json::to_string(body)
            .map_err(|e| ApiError::Internal(format!("cannot serialise the answer: {e}")))?;
        Ok(Self {
            location,
            body,
            replayed: false,
        })
    }

    pub fn response(self) -> HttpResponse {
        let mut response = HttpResponse::Created();
        // Every resource starts at version 1.
        response
            .insert_header((header::LOCATION, self.location))
            .insert_header(version_header(1))
            .content_type("application/json");
        if self.replayed {
            response.insert_header((REPLAYED, "true"));
        }
        response.body(self.body)
    }
}

impl IdempotencyKey {
    /// Runs `create` in a write transaction, at most once per token and key: the
    /// answer is recorded in the same transaction, and a retry with the same key
    /// and body gets it again; the same key with another body is a 422.
    pub async fn create<F>(
        self,
        db: &Database,
        caller: &Caller,
        digest: &str,
        create: F,
    ) -> ApiResult<HttpResponse>
    where
        F: FnOnce(&mut AnyConnection) -> ApiResult<Created> + Send + 'static,
    {
        let (Some(key), Caller::Token { name, .. }) = (self.0, caller) else {
            return Ok(db.write(create).await?.response());
        };
        let (token, digest) = (name.clone(), digest.to_owned());
        let created = db
            .write(
                move |conn| match store::claim(conn, &token, &key, &digest)? {
                    Claim::Answered(recorded) if recorded.request_digest != digest => {
                        Err(ApiError::Validation(vec![FieldError::new(
                            "Idempotency-Key",
                            "was already used with another request; use a new key for a new item",
                        )]))
                    }
                    Claim::Answered(recorded) => Ok(Created {
                        location: recorded.location.unwrap_or_default(),
                        body: recorded.body,
                        replayed: true,
                    }),
                    Claim::New => {
                        let created = create(conn)?;
                        store::record(
                            conn,
                            &token,
                            &key,
                            StatusCode::CREATED.as_u16(),
                            &created.location,
                            &created.body,
                        )?;
                        Ok(created)
                    }
                },
            )
            .await?;
        Ok(created.response())
    }
}
