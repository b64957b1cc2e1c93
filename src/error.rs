//! The one error type of the API and its RFC 9457 `application/problem+json` form.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({"field": "slug", "message": "must be lowercase ASCII letters and digits joined by single hyphens"}))]
pub struct FieldError {
    /// The JSON field (or query parameter) at fault, dotted for nested values.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"field": "title", "message": "must not be blank"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, in words a person can act on.
    pub detail: String,
    /// For validation problems: each failing field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{} field(s) invalid", .0.len())]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// A browser request from an origin the CORS policy does not allow.
    #[error("{0}")]
    OriginNotAllowed(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    /// The resource existed and was deleted.
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Conflict(String),
    /// Fields that name a section, tag or author that does not exist. A state
    /// conflict (409) rather than a validation error: the same body succeeds
    /// once the referenced item exists.
    #[error("{} unknown reference(s)", .0.len())]
    UnknownReference(Vec<FieldError>),
    /// `If-Match` named another version; `etag` is the current one.
    #[error("{detail}")]
    PreconditionFailed { detail: String, etag: String },
    /// The client stopped sending its request body.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UriTooLong(String),
    #[error("{0}")]
    HeadersTooLarge(String),
    /// Past the rate limit; `retry_after` seconds until the window ends.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn unknown_reference(field: &str, message: impl Into<String>) -> Self {
        ApiError::UnknownReference(vec![FieldError::new(field, message)])
    }

    /// The problem's `type`, without building the whole document.
    pub fn problem_type(&self) -> &'static str {
        self.kind().0
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("/problems/bad-request", "Bad request"),
            ApiError::Validation(_) => ("/problems/validation", "Validation failed"),
            ApiError::Unauthorized(_) => ("/problems/unauthorized", "Authentication required"),
            ApiError::Forbidden(_) => ("/problems/forbidden", "Insufficient scope"),
            ApiError::OriginNotAllowed(_) => ("/problems/origin-not-allowed", "Origin not allowed"),
            ApiError::NotFound(_) => ("/problems/not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => {
                ("/problems/method-not-allowed", "Method not allowed")
            }
            ApiError::Gone(_) => ("/problems/gone", "Gone"),
            ApiError::Conflict(_) => ("/problems/conflict", "Conflict"),
            ApiError::UnknownReference(_) => ("/problems/unknown-reference", "Unknown reference"),
            ApiError::PreconditionFailed { .. } => {
                ("/problems/precondition-failed", "Precondition failed")
            }
            ApiError::RequestTimeout(_) => ("/problems/request-timeout", "Request timeout"),
            ApiError::PayloadTooLarge(_) => ("/problems/payload-too-large", "Payload too large"),
            ApiError::UriTooLong(_) => ("/problems/uri-too-long", "URI too long"),
            ApiError::HeadersTooLarge(_) => (
                "/problems/headers-too-large",
                "Request header fields too large",
            ),
            ApiError::TooManyRequests { .. } => ("/problems/rate-limited", "Too many requests"),
            ApiError::UnsupportedMediaType(_) => {
                ("/problems/unsupported-media-type", "Unsupported media type")
            }
            ApiError::Unavailable(_) => ("/problems/unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("/problems/internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind();
        let (detail, errors) = match self {
            ApiError::Validation(errors) | ApiError::UnknownReference(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                (detail, errors.clone())
            }
            // Never leak internals to the client; the log has them.
            ApiError::Internal(_) => (
                "an unexpected error occurred; it has been logged".into(),
                vec![],
            ),
            other => (other.to_string(), vec![]),
        };
        Problem {
            kind: kind.into(),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::Conflict(_) | ApiError::UnknownReference(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"folio\""));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            // The rest of the body may still arrive: the connection cannot be reused.
            ApiError::RequestTimeout(_) => {
                response.force_close();
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::PreconditionFailed { etag, .. } => {
                response.insert_header((header::ETAG, etag.as_str()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => ApiError::NotFound("no such resource".into()),
            // Checks run before every insert; a violation here means a writer got in
            // between. The database's own words stay in the log.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                log::warn!("unique violation: {}", info.message());
                let field = unique_field(info.as_ref()).unwrap_or_else(|| "a unique field".into());
                ApiError::Conflict(format!(
                    "{field}: another resource already has this value; choose another, or read the current one and retry"
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict("the change would break a reference between resources".into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                ApiError::Unavailable("the database connection was lost; try again".into())
            }
            // libpq reports a connection lost mid-query (server restarted, network
            // cut, pg_terminate_backend) with these words rather than a kind.
            DieselError::DatabaseError(_, info) if connection_lost(info.message()) => {
                log::warn!("database connection lost: {}", info.message());
                ApiError::Unavailable("the database connection was lost; try again".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The column a unique violation is about: named in SQLite's message
/// (`UNIQUE constraint failed: tags.slug`), or in PostgreSQL's constraint name
/// (`tags_slug_key`, the table's name first).
fn unique_field(info: &dyn diesel::result::DatabaseErrorInformation) -> Option<String> {
    if let Some(columns) = info.message().strip_prefix("UNIQUE constraint failed: ") {
        let fields: Vec<&str> = columns
            .split(", ")
            .map(|c| c.rsplit('.').next().unwrap_or(c))
            .collect();
        return Some(fields.join(", "));
    }
    let constraint = info.constraint_name()?;
    let rest = match info.table_name() {
        Some(table) => constraint.strip_prefix(table)?.strip_prefix('_')?,
        None => constraint,
    };
    ["_key", "_idx", "_unique", "_pkey"]
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix))
        .map(str::to_owned)
}

fn connection_lost(message: &str) -> bool {
    [
        "server closed the connection",
        "terminating connection",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "connection to server",
        "SSL connection has been closed",
    ]
    .iter()
    .any(|phrase| message.contains(phrase))
}

pub type ApiResult<T> = Result<T, ApiError>;
