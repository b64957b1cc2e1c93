//! The HTTP API under `/v1`: one module per resource, plus shared request and response pieces.

pub mod archive;
pub mod articles;
pub mod assets;
pub mod audit;
pub mod authors;
pub mod feed_links;
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

pub use input::{any_of, Binary, Slug, SlugPath};

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
