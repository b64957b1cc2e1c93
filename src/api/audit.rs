//! `/v1/audit`: who changed what, and when; readable by `admin` tokens.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{ListPage, PageParams};
use crate::auth::Admin;
use crate::config::ServerSettings;
use crate::db::audit::{self as store, AuditRow};
use crate::db::Database;
use crate::error::ApiResult;

/// One write.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "at": "2024-11-27T09:12:00Z", "actor": "newsroom", "action": "update",
    "target": "/v1/articles/poutine-au-kazakhstan-une-alliance-strategique"
}))]
pub struct AuditEntry {
    /// The change's number in the change log.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token's name, or `folio import` for the command line.
    pub actor: String,
    /// `create`, `update` (publishing, unpublishing and scheduling included),
    /// `delete`, `revoke`, `restore` or `purge`.
    pub action: String,
    /// The resource's path.
    pub target: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at.and_utc(),
            actor: row.actor,
            action: row.action,
            target: row.target,
        }
    }
}

/// Which entries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this actor's writes (a token's name).
    #[param(max_length = 100, example = "newsroom")]
    pub actor: Option<String>,
}

/// Audit log
///
/// Every write, newest first: the token that made it, the action, the resource and
/// the time. Read from the change log, which every write appends to in its own
/// transaction. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = ["admin"])),
    params(AuditFilter, PageParams),
    responses((status = 200, description = "A page of the audit log", body = ListPage<AuditEntry>)),
)]
#[get("/audit")]
pub async fn list_audit(
    _caller: Admin,
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    filter: web::Query<AuditFilter>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = params.request(&settings.limits)?;
    let actor = filter.into_inner().actor;
    let (rows, total) = db.run(move |conn| store::list(conn, actor, page)).await?;
    let data = rows.into_iter().map(AuditEntry::from).collect();
    Ok(ListPage::new(data, page, total).respond(&req))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_audit);
}
