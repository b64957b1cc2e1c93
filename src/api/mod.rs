//! The HTTP API under `/v1`: one module per resource, plus shared request and response pieces.

pub mod archive;
pub mod article_query;
pub mod articles;
pub mod assets;
pub mod audit;
pub mod authors;
pub mod feeds;
pub mod health;
pub mod idempotency;
pub mod input;
pub mod json;
pub mod locale;
pub mod metadata;
pub mod name_translations;
pub mod named;
pub mod pagination;
pub mod precondition;
pub mod revisions;
pub mod sections;
pub mod sitemaps;
pub mod sync;
pub mod tags;
pub mod tokens;
pub mod trash;
pub mod webhooks;

pub use metadata::Metadata;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::content::slug;
use crate::error::{ApiError, ApiResult};

/// A slug as a JSON value: the one definition the spec's slug fields refer to.
pub struct Slug;

impl utoipa::PartialSchema for Slug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(slug::PATTERN))
            .max_length(Some(slug::MAX_LEN))
            .description(Some(
                "Lowercase ASCII letters and digits joined by single hyphens",
            ))
            .examples([serde_json::json!("asie-centrale")])
            .into()
    }
}

impl utoipa::ToSchema for Slug {}

/// Bytes of a file, as a request or response body (OpenAPI 3.1: a string whose
/// content is the file).
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_media_type("application/octet-stream")
            .description(Some("The file's bytes"))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// A schema that is any one of the named component schemas, for responses whose shape
/// depends on a parameter (`fields=`, `tree=true`).
pub fn any_of(names: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    names
        .iter()
        .fold(utoipa::openapi::schema::AnyOfBuilder::new(), |any, name| {
            any.item(utoipa::openapi::Ref::from_schema_name(*name))
        })
        .into()
}

/// The `{slug}` of an item path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SlugPath {
    /// The item's slug.
    // Its example is set per resource by `openapi::finish`.
    #[param(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    pub slug: String,
}

impl SlugPath {
    /// The slug, or a 404: no item can have a slug of another shape.
    pub fn parse(self) -> ApiResult<slug::Slug> {
        slug::Slug::parse(&self.slug).ok_or_else(|| {
            ApiError::NotFound(format!(
                "{:?} is not a slug, so nothing lives there",
                self.slug
            ))
        })
    }
}

/// Registers every `/v1` route.
pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    articles::configure(app);
    assets::configure(app);
    revisions::configure(app);
    trash::configure(app);
    archive::configure(app);
    sections::configure(app);
    tags::configure(app);
    authors::configure(app);
    tokens::configure(app);
    audit::configure(app);
    sync::configure(app);
    feeds::configure(app);
    webhooks::configure(app);
}
