//! `/health` and `/ready`: for load balancers and orchestrators.

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

/// Liveness
///
/// The process is up; says nothing about the database.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/health")]
pub async fn health(db: web::Data<Database>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
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
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
        database: db.backend.name().into(),
    }))
}
