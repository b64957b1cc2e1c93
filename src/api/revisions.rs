//! `/v1/articles/{slug}/revisions`: every saved version of an article, and restoring one.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::articles::{current, Article};
use super::locale::LanguageTag;
use super::pagination::{ListPage, PageParams};
use super::precondition::IfMatch;
use super::SlugPath;
use crate::auth::{Reader, Writer};
use crate::config::ServerSettings;
use crate::content::slug;
use crate::db::articles as store;
use crate::db::articles::revisions::{self, RevisionRow, Snapshot};
use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::version_header;

/// One saved version: who saved it, when, and which fields it changed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "number": 3, "created_at": "2024-11-27T10:02:00Z", "actor": "newsroom",
    "changed": ["title", "body"]
}))]
pub struct RevisionSummary {
    /// The article's version number this revision records, from 1.
    pub number: i32,
    pub created_at: DateTime<Utc>,
    /// The token's name, `folio import`, or `unknown` for versions saved before
    /// revisions were kept.
    pub actor: String,
    /// The fields that differ from the previous revision (empty for the first,
    /// and for a restore from the trash).
    pub changed: Vec<String>,
}

/// The article's editable fields as a revision recorded them.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionContent {
    pub slug: String,
    pub title: String,
    #[schema(required = true)]
    pub standfirst: Option<String>,
    /// Markdown, byte for byte as saved.
    pub body: String,
    #[schema(value_type = LanguageTag)]
    pub language: String,
    pub status: String,
    /// The section's slug.
    #[schema(required = true)]
    pub section: Option<String>,
    /// Tag slugs, in order.
    pub tags: Vec<String>,
    /// Author slugs, in order.
    pub authors: Vec<String>,
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(value_type = super::Metadata)]
    pub metadata: Map<String, Value>,
}

impl From<Snapshot> for RevisionContent {
    fn from(s: Snapshot) -> Self {
        Self {
            // Stored metadata is always an object written by this code.
            metadata: serde_json::from_str(&s.metadata).unwrap_or_default(),
            slug: s.slug,
            title: s.title,
            standfirst: s.standfirst,
            body: s.body,
            language: s.language,
            status: s.status,
            section: s.section,
            tags: s.tags,
            authors: s.authors,
            published_at: s.published_at.map(|t| t.and_utc()),
        }
    }
}

/// One revision with the article as it was.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "number": 2, "created_at": "2024-11-27T09:30:00Z", "actor": "newsroom", "changed": ["title"],
    "article": {
        "slug": "poutine-au-kazakhstan-une-alliance-strategique",
        "title": "Poutine au Kazakhstan : une alliance stratégique…",
        "standfirst": null, "body": "Le président russe est arrivé à Astana.",
        "language": "fr", "status": "published", "section": "entrevue",
        "tags": ["russie"], "authors": ["claire-dubois"],
        "published_at": "2024-11-27T09:00:00Z", "metadata": {}
    }
}))]
pub struct Revision {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    pub article: RevisionContent,
}

impl From<&RevisionRow> for RevisionSummary {
    fn from(row: &RevisionRow) -> Self {
        Self {
            number: row.number,
            created_at: row.created_at.and_utc(),
            actor: row.actor.clone(),
            changed: row.changed(),
        }
    }
}

/// The `{slug}` and `{number}` of a revision path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// The article's slug.
    // Its example is set per resource by `openapi::finish`.
    #[param(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    pub slug: String,
    /// The revision number.
    #[param(minimum = 1, example = 1)]
    pub number: i32,
}

impl RevisionPath {
    fn parse(self) -> ApiResult<(slug::Slug, i32)> {
        if self.number < 1 {
            return Err(ApiError::NotFound(format!(
                "revisions are numbered from 1; there is no revision {}",
                self.number
            )));
        }
        let slug = SlugPath { slug: self.slug }.parse()?;
        Ok((slug, self.number))
    }
}

/// List an article's revisions
///
/// Every saved version, newest first. Needs a token (revisions include drafts).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["read"])),
    params(SlugPath, PageParams),
    responses((status = 200, description = "A page of revisions", body = ListPage<RevisionSummary>)),
)]
#[get("/articles/{slug}/revisions")]
pub async fn list_revisions(
    _caller: Reader,
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner().parse()?;
    let page = params.request(&settings.limits)?;
    let (rows, total) = db
        .run(move |conn| {
            let current = store::find_current(conn, &slug)?;
            revisions::list(conn, current.row.id, page)
        })
        .await?;
    let data = rows.iter().map(RevisionSummary::from).collect();
    Ok(ListPage::new(data, page, total).respond(&req))
}

/// Get a revision
///
/// The article's fields as revision `number` saved them.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["read"])),
    params(RevisionPath),
    responses((status = 200, description = "The revision", body = Revision)),
)]
#[get("/articles/{slug}/revisions/{number}")]
pub async fn find_revision(
    _caller: Reader,
    db: web::Data<Database>,
    path: web::Path<RevisionPath>,
) -> ApiResult<HttpResponse> {
    let (slug, number) = path.into_inner().parse()?;
    let row = db
        .run(move |conn| {
            let current = store::find_current(conn, &slug)?;
            revisions::get(conn, current.row.id, number)
        })
        .await?;
    let revision = Revision {
        summary: RevisionSummary::from(&row),
        article: row.snapshot()?.into(),
    };
    Ok(HttpResponse::Ok().json(revision))
}

/// Restore a revision
///
/// Makes the article look as revision `number` saved it (slug, status and links
/// included). The restore is itself a new revision, so it can be undone too.
/// A section, tag or author that no longer exists is a 409 naming it.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["write"])),
    params(RevisionPath, IfMatch),
    responses((status = 200, description = "The article as restored", body = Article)),
)]
#[post("/articles/{slug}/revisions/{number}/restore")]
pub async fn restore_revision(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<RevisionPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let (slug, number) = path.into_inner().parse()?;
    let site = settings.clone();
    let record = db
        .write(move |conn| {
            if_match.guard(conn, |conn| current(conn, &slug, &site.site))?;
            let current = store::find_current(conn, &slug)?;
            let snapshot = revisions::get(conn, current.row.id, number)?.snapshot()?;
            store::update(conn, &slug, snapshot.into_changes()?, &actor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(record.row.version))
        .json(Article::new(record, &settings.site)))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_revisions)
        .service(find_revision)
        .service(restore_revision);
}
