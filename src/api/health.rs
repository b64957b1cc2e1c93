//! `/` (where everything is), `/health` and `/ready` (for load balancers and orchestrators).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::startup::Readiness;

/// The state of the service.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite"}))]
pub struct Health {
    /// `ok` (process up) or `ready` (database reachable).
    pub status: String,
    /// The backend in use: `sqlite` or `postgres`.
    pub database: String,
}

/// A link to one of the service's entry points.
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub href: String,
}

/// The service's entry points, so a newcomer at `/` knows where to go.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryLinks {
    /// The versioned API.
    pub api: Link,
    /// The newest published articles.
    pub articles: Link,
    /// Swagger UI.
    pub docs: Link,
    /// The OpenAPI document.
    pub openapi: Link,
    /// Liveness.
    pub health: Link,
    /// Readiness.
    pub ready: Link,
}

/// What answers at the root.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "folio", "version": "0.1.0", "links": {
    "api": {"href": "/v1"}, "articles": {"href": "/v1/articles"}, "docs": {"href": "/docs/"},
    "openapi": {"href": "/openapi.json"}, "health": {"href": "/health"}, "ready": {"href": "/ready"}}}))]
pub struct ServiceIndex {
    pub name: String,
    /// The running build's version.
    pub version: String,
    pub links: EntryLinks,
}

/// Service index
///
/// Links to the API, its documentation and the health checks.
#[utoipa::path(tag = "health", responses((status = 200, description = "Where everything is", body = ServiceIndex)))]
#[get("/")]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok().json(service_index())
}

/// API index
///
/// The same links, at the API's own root.
#[utoipa::path(tag = "health", responses((status = 200, description = "Where everything is", body = ServiceIndex)))]
#[get("/v1")]
pub async fn api_index() -> HttpResponse {
    HttpResponse::Ok().json(service_index())
}

fn service_index() -> ServiceIndex {
    let link = |href: &str| Link { href: href.into() };
    ServiceIndex {
        name: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        links: EntryLinks {
            api: link("/v1"),
            articles: link("/v1/articles"),
            docs: link("/docs/"),
            openapi: link("/openapi.json"),
            health: link("/health"),
            ready: link("/ready"),
        },
    }
}

const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

/// Liveness
///
/// The process is up; says nothing about the database.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/health")]
pub async fn health(db: web::Data<Database>) -> HttpResponse {
    // A probe asks about this moment, never a cache's copy.
    HttpResponse::Ok().insert_header(NO_STORE).json(Health {
        status: "ok".into(),
        database: db.backend.name().into(),
    })
}

/// Readiness
///
/// The database has been reached and migrated, and answers a query now.
#[utoipa::path(tag = "health", responses((status = 200, description = "Ready to serve", body = Health)))]
#[get("/ready")]
pub async fn ready(
    db: web::Data<Database>,
    readiness: web::Data<Readiness>,
) -> ApiResult<HttpResponse> {
    if !readiness.is_ready() {
        return Err(ApiError::Unavailable(
            "starting: the database has not been reached yet".into(),
        ));
    }
    db.run(|conn| Ok(conn.batch_execute("SELECT 1")?)).await?;
    Ok(HttpResponse::Ok().insert_header(NO_STORE).json(Health {
        status: "ready".into(),
        database: db.backend.name().into(),
    }))
}
