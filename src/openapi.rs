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
        description = "A headless content API: articles, sections, tags and authors with their dated metadata, as JSON.\n\nReads are public (published articles only); a bearer token with the `read` scope also sees drafts and scheduled articles, and the `write` scope may change content. Errors are RFC 9457 problem documents.",
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "articles", description = "The content itself"),
        (name = "sections", description = "The tree articles are filed in"),
        (name = "tags", description = "Flat labels"),
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
    ("403", "Forbidden", "The token's scope does not allow this operation"),
    ("404", "NotFound", "No such resource"),
    ("409", "Conflict", "The change conflicts with the stored content: a slug already taken, a section still in use, or a reference to a section, tag or author that does not exist (`errors` names the field)"),
    ("413", "PayloadTooLarge", "The request body is larger than the server accepts"),
    ("415", "UnsupportedMediaType", "The request body is not sent as application/json"),
    ("422", "ValidationFailed", "The body is well-formed JSON but some fields are invalid; `errors` names each"),
    ("500", "InternalError", "An unexpected error; it has been logged"),
    ("503", "Unavailable", "The database is unreachable; retry after the delay given"),
];

fn common_headers(mut response: Response) -> Response {
    response.headers.insert(
        "ETag".into(),
        HeaderBuilder::new()
            .schema(String::schema_ref())
            .description(Some(
                "A strong validator of this response's body; send it back in If-None-Match",
            ))
            .build(),
    );
    response.headers.insert(
        "X-Request-Id".into(),
        HeaderBuilder::new()
            .schema(String::schema_ref())
            .description(Some(
                "The id this request is logged under (the client's own, when it sent a valid one)",
            ))
            .build(),
    );
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
    let extra = match status {
        "401" => Some((
            "WWW-Authenticate",
            "The authentication scheme to use: Bearer",
        )),
        "503" => Some(("Retry-After", "Seconds to wait before retrying")),
        _ => None,
    };
    if let Some((name, description)) = extra {
        response.headers.insert(
            name.into(),
            HeaderBuilder::new()
                .schema(String::schema_ref())
                .description(Some(description))
                .build(),
        );
    }
    common_headers(response)
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
    if has_query || has_body {
        statuses.push("400");
    }
    if in_api {
        statuses.push("401");
    }
    if writes {
        statuses.extend(["403", "409"]);
    }
    if has_item {
        statuses.push("404");
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

/// Completes the generated document with the conventions shared by every operation.
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
            if path.starts_with("/v1/") {
                let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
                op.security = Some(if method == HttpMethod::Get {
                    // Reads are public; a token widens what they show.
                    vec![SecurityRequirement::default(), bearer]
                } else {
                    vec![bearer]
                });
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
