//! `/` (where everything is), `/health` and `/ready` (for load balancers and orchestrators).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::replicas::{Replica, ReplicaStatus};
use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::readiness::Readiness;

/// The state of the service.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite"}))]
pub struct Health {
    /// `ok` (process up) or `ready` (database reachable).
    pub status: String,
    /// The backend in use: `sqlite` or `postgres`.
    pub database: String,
    /// On `/ready`, each read replica configured (`FOLIO_READ_DATABASE_URLS`) and
    /// whether it serves reads; absent without replicas. A replica out of rotation
    /// does not make the service unready: reads go to the primary meanwhile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaHealth>,
}

/// One read replica, as this node last measured it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "db-replica-1:5432/folio", "status": "in_rotation"}))]
pub struct ReplicaHealth {
    /// Host, port and database (no credentials).
    pub name: String,
    /// `in_rotation` (serving public reads), `lagging` (further behind the primary
    /// than `FOLIO_READ_MAX_LAG`), `unreachable` or `starting` (not measured yet).
    pub status: String,
    /// Why it is unreachable, in the driver's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&Replica> for ReplicaHealth {
    fn from(replica: &Replica) -> Self {
        let (status, detail) = match replica.status() {
            ReplicaStatus::Starting => ("starting", None),
            ReplicaStatus::InRotation => ("in_rotation", None),
            ReplicaStatus::Lagging => ("lagging", None),
            ReplicaStatus::Unreachable(why) => ("unreachable", Some(why)),
        };
        Self {
            name: replica.name.clone(),
            status: status.into(),
            detail,
        }
    }
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
        replicas: Vec::new(),
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
        replicas: db
            .replicas()
            .members
            .iter()
            .map(ReplicaHealth::from)
            .collect(),
    }))
}
