//! The OpenAPI 3.1 document: generated from the handlers, then completed with the
//! conventions every operation shares (security, error responses, common headers),
//! written here once instead of on each handler.

use std::collections::BTreeMap;

use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required};
use utoipa::OpenApi as _;

use crate::api::articles::query::{DateFieldParam, DateOrInstant, SortParam, TimeZoneName};
use crate::api::articles::{Article, ArticleSummary, ARTICLE_FIELDS_SCHEMA};
use crate::api::articles::{ArticleField, Include, FIELDS_JSON};
use crate::api::feeds::FeedContent;
use crate::api::pagination::ListPage;
use crate::api::sections::{Section, SectionNode, SectionTree};
use crate::error::{FieldError, Problem};
use crate::webhook_delivery::{ChangeEvent, WebhookMessage};

mod errors;
mod headers;
mod webhooks;

use errors::{error_response, error_statuses, ERRORS, RATE_LIMIT_HEADERS};
use headers::{
    add_header, common_headers, takes_header, SchemaRef, CACHING_HEADERS, CONTENT_LANGUAGE,
};

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
        (name = "assets", description = "Images and files: uploads, descriptions, focal points and the sized copies articles show"),
        (name = "sync", description = "Delta sync for offline clients, from the change log"),
        (name = "feeds", description = "RSS, Atom and JSON Feed of any article query, for feed readers and partners"),
        (name = "webhooks", description = "Signed messages about changes, POSTed to subscribers' URLs; for `admin` tokens"),
        (name = "health", description = "Liveness and readiness"),
    ),
    components(schemas(
        Problem, FieldError, Article, ArticleSummary, ArticleField, Include, DateFieldParam, DateOrInstant, SortParam, TimeZoneName,
        SectionTree, SectionNode, ListPage<Section>, WebhookMessage, ChangeEvent, FeedContent,
        crate::assets::Fit, crate::api::assets::files::FormatChoice, crate::api::sync::Delta,
        crate::content::blocks::LinkedArticle
    )),
)]
struct ApiDoc;

/// The document as the handlers describe it, before the shared conventions are added.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
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

/// Adds an optional request header to an operation.
fn add_optional_header(op: &mut Operation, header: ParameterBuilder) {
    op.parameters.get_or_insert_with(Vec::new).push(
        header
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .build(),
    );
}

/// An optional string header that needs no more than its name and meaning.
fn string_header(name: &str, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .description(Some(description))
        .schema(Some(String::schema_ref()))
}

/// The header that marks a replayed answer, on a create that takes an
/// `Idempotency-Key` (see `api::idempotency`).
fn add_replayed_header(op: &mut Operation) {
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
    // Relative: the document describes the server that serves it, wherever that is.
    api.servers = Some(vec![utoipa::openapi::Server::new("/")]);
    let components = api.components.get_or_insert_with(Default::default);
    add_shared_components(components);
    let error_names: BTreeMap<&str, &str> = ERRORS
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
            if let Some(op) = op.as_mut() {
                finish_operation(&method, path, op, &error_names);
            }
        }
    }
    let components = api.components.get_or_insert_with(Default::default);
    refer_list_items(components);
    discriminate_tagged_unions(components);
    webhooks::add_webhooks(&mut api);
    add_fields_pages(&mut api);
    api
}

/// The article fields' schemas, the bearer scheme and the shared error responses.
fn add_shared_components(components: &mut utoipa::openapi::Components) {
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
}

/// What every operation says beyond its handler's own attributes: its error
/// answers and headers, conditional requests, idempotency and security.
fn finish_operation(
    method: &HttpMethod,
    path: &str,
    op: &mut Operation,
    error_names: &BTreeMap<&str, &str>,
) {
    for status in error_statuses(method, path, op) {
        op.responses
            .responses
            .entry(status.into())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(error_names[status])));
    }
    add_response_headers(method, path, op);
    if let Some(example) = slug_example(path) {
        for param in op.parameters.iter_mut().flatten() {
            if param.name == "slug" && param.parameter_in == ParameterIn::Path {
                *param = ParameterBuilder::from(param.clone())
                    .example(Some(serde_json::json!(example)))
                    .build();
            }
        }
    }
    if *method == HttpMethod::Get {
        add_conditional_get(op);
    }
    if takes_header(op, "Idempotency-Key") {
        add_replayed_header(op);
    }
    set_security(path, op);
    for param in op.parameters.iter_mut().flatten() {
        if let Some(schema) = param.schema.take() {
            param.schema = Some(without_single_one_of(schema));
        }
    }
}

/// The headers every answer carries, the rate limit's on the API, and what
/// public reads say to caches.
fn add_response_headers(method: &HttpMethod, path: &str, op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        *response = common_headers(response.clone());
        if path.starts_with("/v1/") {
            for (name, description) in RATE_LIMIT_HEADERS {
                add_header(response, name, description);
            }
        }
        if path.starts_with("/v1/") && *method == HttpMethod::Get && status == "200" {
            for (name, description) in CACHING_HEADERS {
                add_header(response, name, description);
            }
            if slug_example(path).is_some() && path.ends_with("/{slug}") {
                add_header(response, "Content-Language", CONTENT_LANGUAGE);
            }
        }
    }
}

/// `If-None-Match` and `If-Modified-Since`, and the `304` they may bring.
fn add_conditional_get(op: &mut Operation) {
    add_optional_header(
        op,
        string_header(
            "If-None-Match",
            "An ETag from an earlier response: 304 when it still matches",
        ),
    );
    add_optional_header(
        op,
        string_header(
            "If-Modified-Since",
            "A Last-Modified from an earlier response: 304 when nothing the response shows \
             changed since (ignored when If-None-Match is sent)",
        ),
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

/// A handler that needs a scope declares it (its `Authorized` extractor and its
/// `security` role name the same one); the others are public.
fn set_security(path: &str, op: &mut Operation) {
    if let Some(scope) = declared_scope(op) {
        // Linters and client generators expect a bearer scheme without
        // roles: the scope is stated beside it.
        op.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        op.extensions
            .get_or_insert_with(Default::default)
            .insert(REQUIRED_SCOPE.into(), serde_json::json!(scope));
    } else if op.security.is_none() {
        op.security = Some(if path.starts_with("/v1/") {
            // Reads are public; a token widens what they show.
            let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
            vec![SecurityRequirement::default(), bearer]
        } else {
            // Outside the API (the index and health checks): no token, said explicitly.
            vec![SecurityRequirement::default()]
        });
    }
}

/// The projected shapes `fields=` asks for, under their own media type on the two
/// operations that take it: `ArticleFields` for an article, `ArticleFieldsPage` (the
/// list page with `ArticleFields` items) for the list.
fn add_fields_pages(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get("ArticleListPage") {
        let mut page = page.clone();
        page.description =
            Some("A page of articles reduced to the fields named in `fields`".into());
        page.properties.insert(
            "data".into(),
            RefOr::T(Schema::Array(
                utoipa::openapi::schema::ArrayBuilder::new()
                    .items(Ref::from_schema_name(ARTICLE_FIELDS_SCHEMA))
                    .description(Some("The articles, each with only the fields asked for"))
                    .build(),
            )),
        );
        components
            .schemas
            .insert(FIELDS_PAGE_SCHEMA.into(), RefOr::T(Schema::Object(page)));
    }
    for item in api.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else {
            continue;
        };
        let projected = match op.operation_id.as_deref() {
            Some("find_article") => ARTICLE_FIELDS_SCHEMA,
            Some("list_articles") => FIELDS_PAGE_SCHEMA,
            _ => continue,
        };
        if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
            ok.content.insert(
                FIELDS_JSON.into(),
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(projected)))
                    .build(),
            );
        }
    }
}

/// The spec's name for a page of articles reduced by `fields`.
const FIELDS_PAGE_SCHEMA: &str = "ArticleFieldsPage";

/// utoipa wraps a referenced schema that has a default in a `oneOf` of one; an
/// `allOf` of one says the same without claiming a choice.
fn without_single_one_of(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::OneOf(one_of)) if one_of.items.len() == 1 => {
            let mut all_of = utoipa::openapi::schema::AllOfBuilder::new()
                .default(one_of.default.clone())
                .description(one_of.description.clone());
            for item in one_of.items {
                all_of = all_of.item(item);
            }
            RefOr::T(Schema::AllOf(all_of.build()))
        }
        other => other,
    }
}

/// `ListPage<T>` is generated with `T`'s schema written out in `data`; where `T`
/// is a component of its own, `data` refers to it (one schema per type for client
/// generators).
fn refer_list_items(components: &mut utoipa::openapi::Components) {
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("ListPage_") else {
            continue;
        };
        if !components.schemas.contains_key(item) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(&name) {
            if let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data") {
                data.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
                    RefOr::Ref(Ref::from_schema_name(item)),
                ));
            }
        }
    }
}

/// A union tagged by a property (serde's `tag = "type"`) is generated as a
/// `oneOf` of `allOf`s: a variant's schema and an object with the tag. It is
/// rewritten as client generators read unions best: each variant's schema
/// declares its tag, required (a variant that takes no other property, serde's
/// `deny_unknown_fields`, would otherwise refuse its own tag), and the union is
/// a `oneOf` of the variants with a `discriminator` mapping each tag to its
/// schema (Swift, Kotlin and Python generators dispatch on it).
fn discriminate_tagged_unions(components: &mut utoipa::openapi::Components) {
    let mut variants: Vec<(String, String, String, RefOr<Schema>)> = Vec::new();
    for (union, schema) in &components.schemas {
        let RefOr::T(Schema::OneOf(one_of)) = schema else {
            continue;
        };
        for item in &one_of.items {
            let RefOr::T(Schema::AllOf(variant)) = item else {
                continue;
            };
            let [RefOr::Ref(named), RefOr::T(Schema::Object(tag))] = variant.items.as_slice()
            else {
                continue;
            };
            let name = named.ref_location.rsplit('/').next().unwrap_or_default();
            for (property, schema) in &tag.properties {
                variants.push((
                    union.clone(),
                    name.to_owned(),
                    property.clone(),
                    schema.clone(),
                ));
            }
        }
    }
    let mut unions: BTreeMap<String, (String, Vec<(String, String)>)> = BTreeMap::new();
    for (union, name, property, tag) in variants {
        let value = match &tag {
            RefOr::T(Schema::Object(object)) => object
                .enum_values
                .as_ref()
                .and_then(|values| values.first())
                .and_then(|value| value.as_str())
                .map(str::to_owned),
            _ => None,
        };
        let Some(value) = value else {
            continue;
        };
        if let Some(RefOr::T(Schema::Object(variant))) = components.schemas.get_mut(&name) {
            variant.properties.entry(property.clone()).or_insert(tag);
            if !variant.required.contains(&property) {
                variant.required.push(property.clone());
            }
        }
        let entry = unions
            .entry(union)
            .or_insert_with(|| (property, Vec::new()));
        entry.1.push((value, name));
    }
    for (union, (property, mapping)) in unions {
        let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut(&union) else {
            continue;
        };
        one_of.items = mapping
            .iter()
            .map(|(_, name)| RefOr::Ref(Ref::from_schema_name(name.as_str())))
            .collect();
        one_of.discriminator = Some(utoipa::openapi::schema::Discriminator::with_mapping(
            property,
            mapping
                .into_iter()
                .map(|(value, name)| (value, format!("#/components/schemas/{name}"))),
        ));
    }
}

/// The extension naming the scope an operation needs.
pub const REQUIRED_SCOPE: &str = "x-required-scope";

/// The role a handler's `security(("bearer" = ["write"]))` names, if any.
fn declared_scope(op: &Operation) -> Option<String> {
    let security = serde_json::to_value(op.security.as_ref()?).ok()?;
    security
        .as_array()?
        .iter()
        .find_map(|requirement| requirement["bearer"].get(0)?.as_str().map(str::to_owned))
}
