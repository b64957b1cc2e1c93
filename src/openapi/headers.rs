//! The headers the spec documents on operations and responses.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::RefOr;

/// Documents a string header on a response.
pub(crate) fn add_header(response: &mut Response, name: &str, description: &str) {
    response.headers.insert(
        name.into(),
        HeaderBuilder::new()
            .schema(String::schema_ref())
            .description(Some(description))
            .build(),
    );
}

pub(crate) fn common_headers(mut response: Response) -> Response {
    for (name, description) in [
        (
            "ETag",
            "A strong validator of this response's body; send it back in If-None-Match",
        ),
        ("X-Content-Type-Options", "Always `nosniff`"),
        (
            "Cache-Control",
            "Who may keep this response and for how long: `public, max-age=…, s-maxage=…` for public reads, \
             `private, no-store` for anything read with a token, `no-store` for writes and refusals of the moment",
        ),
        (
            "Content-Security-Policy",
            "`default-src 'none'; frame-ancestors 'none'`: the response is data, never a page",
        ),
        (
            "X-Request-Id",
            "The id this request is logged under (the client's own, when it sent a valid one)",
        ),
    ] {
        add_header(&mut response, name, description);
    }
    response
}

/// What public reads of content say to caches (see the README's "Caches and CDNs").
pub(super) const CACHING_HEADERS: [(&str, &str); 4] = [
    (
        "Surrogate-Key",
        "On public reads: the keys of everything the response shows, space-separated \
         (`article-12 articles-section-monde`); a change purges caches by these keys",
    ),
    ("Cache-Tag", "On public reads: the same keys, comma-separated (Cloudflare)"),
    (
        "Last-Modified",
        "On public reads: when what the response shows last changed, once that second is over",
    ),
    (
        "Cache-Status",
        "With the in-process response cache on: `folio; hit`, or `folio; fwd=miss; stored` (RFC 9211)",
    ),
];

/// What a single article, section, tag or author says of its language.
pub(super) const CONTENT_LANGUAGE: &str =
    "The language of the texts shown: an article's `language`; for a section, tag or author, \
     the language of each text shown (its name's first), sent only when every one is known";

pub(super) trait SchemaRef {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema>;
}

impl SchemaRef for String {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema> {
        RefOr::T(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .into(),
        )
    }
}

/// Whether the operation lists the request header `name` (its handler's
/// extractor does, as `IfMatch` and `IdempotencyKey` do).
pub(crate) fn takes_header(op: &Operation, name: &str) -> bool {
    op.parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case(name))
}
