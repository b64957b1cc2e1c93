//! The OpenAPI 3.1 document: generated from the handlers, then completed with the
//! conventions every operation shares (security, error responses, common headers),
//! written here once instead of on each handler.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required};
use utoipa::OpenApi as _;

use crate::api::article_query::{
    ArticleField, DateFieldParam, DateOrInstant, SortParam, TimeZoneName,
};
use crate::api::articles::{Article, ArticleSummary, ARTICLE_FIELDS_SCHEMA};
use crate::api::pagination::ListPage;
use crate::api::sections::{Section, SectionNode, SectionTree};
use crate::error::{FieldError, Problem, PROBLEM_JSON};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Folio",
        description = "A headless content API: articles, sections, tags and authors with their dated metadata, as JSON.\n\nReads are public (published articles only); a bearer token with the `read` scope also sees drafts and scheduled articles, the `write` scope may change content, and the `admin` scope may also manage tokens. Errors are RFC 9457 problem documents.",
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "articles", description = "The content itself"),
        (name = "sections", description = "The tree articles are filed in"),
        (name = "tags", description = "Flat labels"),
        (name = "tokens", description = "API tokens and the audit log, for `admin` tokens"),
        (name = "authors", description = "Bylines"),
        (name = "health", description = "Liveness and readiness"),
    ),
    components(schemas(
        Problem, FieldError, Article, ArticleSummary, ArticleField, DateFieldParam, DateOrInstant, SortParam, TimeZoneName,
        SectionTree, SectionNode, ListPage<Section>
    )),
)]
struct ApiDoc;

/// The document as the handlers describe it, before the shared conventions are added.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Error responses, defined once under `components.responses`.
const ERRORS: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The request is malformed: a query parameter or the JSON syntax is wrong"),
    ("401", "Unauthorized", "A token is required, or the one sent is unknown or revoked"),
    ("403", "Forbidden", "The token's scope does not allow this operation, or a browser sent it from an origin the server does not allow (CORS)"),
    ("404", "NotFound", "No such resource"),
    ("410", "Gone", "The article was deleted: it is in the trash (`/v1/trash`) until restored or purged"),
    ("409", "Conflict", "The change conflicts with the stored content: a slug already taken, a section still in use, or a reference to a section, tag or author that does not exist (`errors` names the field)"),
    ("412", "PreconditionFailed", "If-Match names a version that is no longer current: someone changed the resource since it was read. Nothing was changed; the ETag header carries the current version's"),
    ("413", "PayloadTooLarge", "The request body is larger than the server accepts"),
    ("415", "UnsupportedMediaType", "The request body is not sent as application/json"),
    ("422", "ValidationFailed", "The body is well-formed JSON but some fields are invalid; `errors` names each"),
    ("429", "TooManyRequests", "Past the rate limit of this token, or of this client address for anonymous calls. Every `/v1` response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; the counts are per API node"),
    ("500", "InternalError", "An unexpected error; it has been logged"),
    ("503", "Unavailable", "The database is unreachable; retry after the delay given"),
];

/// Documents a string header on a response.
fn add_header(response: &mut Response, name: &str, description: &str) {
    response.headers.insert(
        name.into(),
        HeaderBuilder::new()
            .schema(String::schema_ref())
            .description(Some(description))
            .build(),
    );
}

fn common_headers(mut response: Response) -> Response {
    for (name, description) in [
        (
            "ETag",
            "A strong validator of this response's body; send it back in If-None-Match",
        ),
        ("X-Content-Type-Options", "Always `nosniff`"),
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

trait SchemaRef {
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

fn error_response(description: &str, status: &str) -> Response {
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    let extra: &[(&str, &str)] = match status {
        "401" => &[(
            "WWW-Authenticate",
            "The authentication scheme to use: Bearer",
        )],
        "429" => &[
            ("Retry-After", "Seconds until the rate-limit window ends"),
            (
                "RateLimit-Limit",
                "Requests allowed per window (IETF draft RateLimit header fields)",
            ),
            ("RateLimit-Remaining", "Requests left in this window: 0"),
            ("RateLimit-Reset", "Seconds until the window ends"),
            (
                "RateLimit-Policy",
                "The limit and window, as `LIMIT;w=SECONDS`",
            ),
        ],
        "503" => &[("Retry-After", "Seconds to wait before retrying")],
        _ => &[],
    };
    for (name, description) in extra {
        add_header(&mut response, name, description);
    }
    common_headers(response)
}

/// Changes, deletions and restores of content items are conditional on `If-Match`.
fn takes_if_match(method: &HttpMethod, path: &str) -> bool {
    path.contains("{slug}")
        && (matches!(method, HttpMethod::Patch | HttpMethod::Delete)
            || (*method == HttpMethod::Post && path.ends_with("/restore")))
}

/// Which error statuses an operation can answer, by its shape.
fn error_statuses(method: &HttpMethod, path: &str, op: &Operation) -> Vec<&'static str> {
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
    if has_query || has_body || takes_if_match(method, path) {
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
    if path.starts_with("/v1/articles/{slug}") {
        statuses.push("410");
    }
    if takes_if_match(method, path) {
        statuses.push("412");
    }
    if has_body {
        statuses.extend(["413", "415", "422"]);
    }
    statuses.push("500");
    if path != "/health" {
        statuses.push("503");
    }
    statuses.sort_unstable();
    statuses
}

/// The properties of an object schema, looking inside `allOf` (how `#[serde(flatten)]` appears).
fn properties_of(schema: &Schema, out: &mut Vec<(String, RefOr<Schema>)>) {
    match schema {
        Schema::Object(object) => {
            for (name, property) in &object.properties {
                if !out.iter().any(|(n, _)| n == name) {
                    out.push((name.clone(), property.clone()));
                }
            }
        }
        Schema::AllOf(all) => {
            for item in &all.items {
                if let RefOr::T(inner) = item {
                    properties_of(inner, out);
                }
            }
        }
        _ => {}
    }
}

/// `ArticleFields`: every property of `ArticleSummary` and `Article`, none required,
/// for responses shaped by `fields=`. Derived here so it can never drift from `Article`.
fn add_article_fields(components: &mut utoipa::openapi::Components) {
    let mut properties = Vec::new();
    for name in ["ArticleSummary", "Article"] {
        if let Some(RefOr::T(schema)) = components.schemas.get(name) {
            properties_of(schema, &mut properties);
        }
    }
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("An article reduced to the fields named in `fields`"))
        .examples([serde_json::json!({"id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10", "slug": "poutine-au-kazakhstan-une-alliance-strategique", "title": "Poutine au Kazakhstan : une alliance stratégique…"})]);
    for (name, property) in properties {
        object = object.property(name, property);
    }
    components.schemas.insert(
        ARTICLE_FIELDS_SCHEMA.into(),
        RefOr::T(Schema::Object(object.build())),
    );
}

/// `Idempotency-Key` on a create, and the header that marks a replayed answer.
fn add_idempotency(op: &mut Operation) {
    op.parameters.get_or_insert_with(Vec::new).push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "A unique key (such as a UUID) for this create: retried with the same key and \
                 body within 24 hours, the first answer is replayed instead of creating the item \
                 again; the same key with another body is a 422",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255)),
            ))
            .example(Some(serde_json::json!(
                "5f0c2f4e-8b1a-4c7e-9d3a-2e6f7b8c9d0e"
            )))
            .build(),
    );
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut("201") {
        add_header(
            response,
            "Idempotent-Replayed",
            "`true` when this is the recorded answer to an earlier request with the same Idempotency-Key",
        );
    }
}

/// Completes the generated document with the conventions shared by every operation.
/// The example slug of a path's resource: one `serve --demo` loads, so that a request
/// made from the spec (by a reader or a generated test) finds something.
fn slug_example(path: &str) -> Option<&'static str> {
    match path.split('/').nth(2)? {
        "articles" => Some("poutine-au-kazakhstan-une-alliance-strategique"),
        "sections" => Some("monde"),
        "tags" => Some("energie"),
        "authors" => Some("claire-dubois"),
        _ => None,
    }
}

pub fn finish(mut api: OpenApi) -> OpenApi {
    let components = api.components.get_or_insert_with(Default::default);
    add_article_fields(components);
    components.security_schemes.insert(
        "bearer".into(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A token made with `folio token create`"))
                .build(),
        ),
    );
    for (status, name, description) in ERRORS {
        components.responses.insert(
            (*name).into(),
            RefOr::T(error_response(description, status)),
        );
    }
    let names: std::collections::BTreeMap<&str, &str> = ERRORS
        .iter()
        .map(|(status, name, _)| (*status, *name))
        .collect();

    for (path, item) in api.paths.paths.iter_mut() {
        let ops = [
            (HttpMethod::Get, &mut item.get),
            (HttpMethod::Post, &mut item.post),
            (HttpMethod::Patch, &mut item.patch),
            (HttpMethod::Delete, &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            for status in error_statuses(&method, path, op) {
                op.responses
                    .responses
                    .entry(status.into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(names[status])));
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    *response = common_headers(response.clone());
                }
            }
            if let Some(example) = slug_example(path) {
                for param in op.parameters.iter_mut().flatten() {
                    if param.name == "slug" && param.parameter_in == ParameterIn::Path {
                        *param = ParameterBuilder::from(param.clone())
                            .example(Some(serde_json::json!(example)))
                            .build();
                    }
                }
            }
            if method == HttpMethod::Get {
                let params = op.parameters.get_or_insert_with(Vec::new);
                params.push(
                    ParameterBuilder::new()
                        .name("If-None-Match")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "An ETag from an earlier response: 304 when it still matches",
                        ))
                        .schema(Some(String::schema_ref()))
                        .example(Some(serde_json::json!(
                            "\"3f8a9c2e7b1d4a6f0e5c9b8a7d6e5f4a\""
                        )))
                        .build(),
                );
                op.responses.responses.insert(
                    "304".into(),
                    RefOr::T(common_headers(
                        ResponseBuilder::new()
                            .description("Not modified: the ETag sent still matches")
                            .build(),
                    )),
                );
            }
            if takes_if_match(&method, path) {
                op.parameters.get_or_insert_with(Vec::new).push(
                    ParameterBuilder::new()
                        .name("If-Match")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "The ETag of the version this change is based on (from GET): \
                             412 if the resource has changed since. `*` matches any version",
                        ))
                        .schema(Some(String::schema_ref()))
                        .example(Some(serde_json::json!(
                            "\"3f8a9c2e7b1d4a6f0e5c9b8a7d6e5f4a\""
                        )))
                        .build(),
                );
            }
            if method == HttpMethod::Post && path != "/v1/tokens" && !path.ends_with("/restore") {
                add_idempotency(op);
            }
            if path.starts_with("/v1/") {
                let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
                op.security = Some(
                    if method == HttpMethod::Get && !path.starts_with("/v1/tokens") {
                        // Reads are public; a token widens what they show.
                        vec![SecurityRequirement::default(), bearer]
                    } else {
                        vec![bearer]
                    },
                );
            }
        }
    }
    api
}

/// The final document as served at `/openapi.json` and printed by `folio openapi`.
pub fn spec() -> OpenApi {
    crate::startup::spec()
}

/// The spec as pretty JSON with a final newline, the form committed under `openapi/`.
pub fn spec_json() -> Result<String, String> {
    let mut text = spec()
        .to_pretty_json()
        .map_err(|e| format!("cannot serialise the OpenAPI document: {e}"))?;
    text.push('\n');
    Ok(text)
}
