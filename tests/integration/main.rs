//! Integration tests: a real Folio over real databases, spoken to over HTTP.
//!
//! One test binary holds every suite: each would otherwise link its own copy
//! of Folio and its dependencies.

#[macro_use]
mod common;

mod archive;
mod articles;
mod assets;
mod auth;
mod blocks;
mod caching;
mod compression;
mod concurrency;
mod cors;
mod errors;
mod export;
mod feeds;
mod hostile_input;
mod idempotency;
mod import;
mod include;
mod limits;
mod list_costs;
mod logging;
mod metrics;
mod migrations;
mod name_translations;
mod openapi;
mod outage;
mod preconditions;
mod properties;
mod querying;
mod rate_limit;
mod related;
mod replicas;
mod revisions;
mod schema;
mod search;
mod shutdown;
mod sitemaps;
mod stream;
mod sync;
mod taxonomy;
mod translations;
mod webhooks;
mod xss;
