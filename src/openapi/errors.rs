//! The error responses: each status once under `components.responses`, with an
//! example problem of its own, and which operations can answer which.

use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, Ref};

use super::headers::{add_header, common_headers, takes_header};
use crate::error::{ApiError, FieldError, PROBLEM_JSON};

/// Error responses: status, component name, description.
pub const ERRORS: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The request is malformed: a query parameter or the JSON syntax is wrong"),
    ("401", "Unauthorized", "A token is required, or the one sent is unknown, revoked or expired (on every route, public reads included)"),
    ("403", "Forbidden", "The token's scope does not allow this operation, or a browser sent it from an origin the server does not allow (CORS)"),
    ("404", "NotFound", "No such resource"),
    ("408", "RequestTimeout", "The request body did not arrive in time (`FOLIO_BODY_TIMEOUT_SECONDS`); the connection is closed"),
    ("410", "Gone", "The article was deleted: it is in the trash (`/v1/trash`) until restored or purged"),
    ("409", "Conflict", "The change conflicts with the stored content: a slug already taken, a section still in use, or a reference to a section, tag or author that does not exist (`errors` names the field)"),
    ("412", "PreconditionFailed", "If-Match names a version that is no longer current: someone changed the resource since it was read. Nothing was changed; the ETag header carries the current version's"),
    ("413", "PayloadTooLarge", "The request body is larger than the server accepts"),
    ("414", "UriTooLong", "The request target (path and query) is longer than 32 KiB (twice the longest valid one)"),
    ("415", "UnsupportedMediaType", "The request body is not sent as application/json"),
    ("422", "ValidationFailed", "The body is well-formed JSON but some fields are invalid; `errors` names each"),
    ("429", "TooManyRequests", "Past the rate limit of this token, or of this client address for anonymous calls; the counts are per API node"),
    ("431", "HeadersTooLarge", "More than 64 request headers, or more than 16 KiB of them"),
    ("500", "InternalError", "An unexpected error; it has been logged"),
    ("503", "Unavailable", "The database is unreachable; retry after the delay given"),
];

/// A typical error of each status, whose problem document is that status's example.
fn example(status: &str) -> ApiError {
    let text = |t: &str| t.to_owned();
    match status {
        "400" => ApiError::BadRequest(text("per_page must be between 1 and 100")),
        "401" => ApiError::Unauthorized(text("the token is unknown")),
        "403" => ApiError::Forbidden(text(
            "the token \"site-web\" has the \"read\" scope; this operation needs \"write\"",
        )),
        "404" => ApiError::NotFound(text("no article has the slug \"le-coeur-du-reacteur\"")),
        "408" => ApiError::RequestTimeout(text("the request body did not arrive within 30 seconds")),
        "409" => ApiError::Conflict(text("the slug \"energie\" is already used by another tag")),
        "410" => ApiError::Gone(text("the article \"le-coeur-du-reacteur\" was deleted")),
        "412" => ApiError::PreconditionFailed {
            detail: text("the article has changed since that version was read; read it again and reapply the change"),
            etag: text("\"3f8a9c2e7b1d4a6f0e5c9b8a7d6e5f4a\""),
        },
        "413" => ApiError::PayloadTooLarge(text("the request body is larger than 4194304 bytes")),
        "414" => ApiError::UriTooLong(text("the request target is 40000 bytes; at most 32768 are read")),
        "415" => ApiError::UnsupportedMediaType(text(
            "send the body as JSON with Content-Type: application/json",
        )),
        "429" => ApiError::TooManyRequests {
            detail: text("more than 1200 requests in 60 seconds; retry in 12 seconds"),
            retry_after: 12,
        },
        "431" => ApiError::HeadersTooLarge(text(
            "the request has 70 headers of 1200 bytes; at most 64 headers of 16384 bytes are read",
        )),
        "500" => ApiError::Internal(String::new()),
        "503" => ApiError::Unavailable(text("the database is not reachable; try again shortly")),
        _ => ApiError::Validation(vec![FieldError::new("title", "must not be blank: it has no visible character (only spaces, zero-width or format characters)")]),
    }
}

/// Headers every `/v1` response carries (IETF draft RateLimit header fields).
pub const RATE_LIMIT_HEADERS: [(&str, &str); 4] = [
    (
        "RateLimit-Limit",
        "Requests allowed per window to this token or client address",
    ),
    ("RateLimit-Remaining", "Requests left before the limit"),
    (
        "RateLimit-Reset",
        "Seconds until the allowance is whole again (on a 429: until the next request is allowed)",
    ),
    (
        "RateLimit-Policy",
        "The limit and window, as `LIMIT;w=SECONDS`",
    ),
];

/// The shared response for an error status.
pub fn error_response(description: &str, status: &str) -> Response {
    let example = serde_json::to_value(example(status).problem()).ok();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .example(example)
                .build(),
        )
        .build();
    let extra: &[(&str, &str)] = match status {
        "401" => &[(
            "WWW-Authenticate",
            "The authentication scheme to use: Bearer",
        )],
        "429" => &[("Retry-After", "Seconds until the next request is allowed")],
        "503" => &[("Retry-After", "Seconds to wait before retrying")],
        _ => &[],
    };
    for (name, description) in extra {
        add_header(&mut response, name, description);
    }
    // Shared with `/health`, where no limit applies; every `/v1` answer has them.
    for (name, description) in RATE_LIMIT_HEADERS {
        add_header(
            &mut response,
            name,
            &format!("On `/v1` responses: {description}"),
        );
    }
    common_headers(response)
}
/// Which error statuses an operation can answer, by its shape.
pub fn error_statuses(method: &HttpMethod, path: &str, op: &Operation) -> Vec<&'static str> {
    let in_api = path.starts_with("/v1/");
    let has_item = path.contains('{');
    let has_query = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
    let has_body = op.request_body.is_some();
    let writes = !matches!(method, HttpMethod::Get | HttpMethod::Head);
    let mut statuses = Vec::new();
    // A malformed If-Match is a 400 too, even on a DELETE with no query or body.
    let conditional = takes_header(op, "If-Match");
    if has_query || has_body || conditional {
        statuses.push("400");
    }
    if in_api {
        statuses.extend(["401", "403", "429"]);
    }
    if writes {
        statuses.push("409");
    }
    if has_item {
        statuses.push("404");
    }
    statuses.extend(["414", "431"]);
    if path.starts_with("/v1/articles/{slug}") {
        statuses.push("410");
    }
    if conditional {
        statuses.push("412");
    }
    if has_body {
        statuses.extend(["408", "413", "415", "422"]);
    }
    statuses.push("500");
    if path != "/health" {
        statuses.push("503");
    }
    statuses.sort_unstable();
    statuses
}
