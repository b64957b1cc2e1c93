//! `/v1/trash`: deleted articles, until they are restored or purged
//! (`folio purge --older-than 30d`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::Article;
use super::pagination::{ListPage, PageParams};
use crate::auth::{Reader, Writer};
use crate::config::ServerSettings;
use crate::content::ids::ArticleId;
use crate::db::trash::{self as store, TrashRow};
use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::version_header;

/// A deleted article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10",
    "slug": "poutine-au-kazakhstan-une-alliance-strategique",
    "title": "Poutine au Kazakhstan : une alliance stratégique…",
    "deleted_at": "2024-11-28T08:00:00Z", "deleted_by": "newsroom"
}))]
pub struct TrashedArticle {
    /// The article's id, which restores it.
    pub id: String,
    /// The slug it had, and gets back when restored; it answers 410 meanwhile.
    pub slug: String,
    pub title: String,
    pub deleted_at: DateTime<Utc>,
    /// The token that deleted it.
    pub deleted_by: String,
}

impl From<TrashRow> for TrashedArticle {
    fn from(row: TrashRow) -> Self {
        Self {
            id: row.public_id,
            slug: row.slug,
            title: row.title,
            deleted_at: row.deleted_at.and_utc(),
            deleted_by: row.deleted_by,
        }
    }
}

/// List deleted articles
///
/// Newest deletions first. Needs a token.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["read"])),
    params(PageParams),
    responses((status = 200, description = "A page of the trash", body = ListPage<TrashedArticle>)),
)]
#[get("/trash")]
pub async fn list_trash(
    _caller: Reader,
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = params.request(&settings.limits)?;
    let (rows, total) = db.run(move |conn| store::list(conn, page)).await?;
    let data = rows.into_iter().map(TrashedArticle::from).collect();
    Ok(ListPage::new(data, page, total).respond(&req))
}

/// The `{id}` of a deleted article.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrashPath {
    /// The article's id (a UUID).
    #[param(example = "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10")]
    pub id: String,
}

/// Restore a deleted article
///
/// Brings the article back with its id, slug, dates and last content; its
/// revisions were kept. The restore is a new revision.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["write"])),
    params(TrashPath),
    responses((status = 200, description = "The restored article", body = Article)),
)]
#[post("/trash/{id}/restore")]
pub async fn restore_from_trash(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<TrashPath>,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let text = path.into_inner().id;
    let id = ArticleId::parse(&text).ok_or_else(|| {
        ApiError::NotFound(format!(
            "{text:?} is not an article id, so nothing of it is in the trash"
        ))
    })?;
    let record = db
        .write(move |conn| store::restore(conn, &id, &actor))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(record.row.version))
        .json(Article::new(record, &settings.site)))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_trash).service(restore_from_trash);
}
