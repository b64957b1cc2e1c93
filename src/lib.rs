//! Folio: a headless content API over SQLite or PostgreSQL.

pub mod api;
pub mod assets;
pub mod auth;
pub mod caching;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod environment;
pub mod error;
pub mod http;
pub mod import;
pub mod logging;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod rate_limit;
pub mod readiness;
pub mod request_head;
pub mod site;
pub mod startup;
pub mod surrogate;
pub mod webhook_delivery;
pub mod webhooks;
