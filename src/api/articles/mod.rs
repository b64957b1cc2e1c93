//! `/v1/articles`: the content itself. Handlers here; what they show in `views`,
//! what they take in `forms`.

mod blocks;
mod fields;
mod forms;
mod include;
mod links;
mod listing;
pub mod query;
mod views;

pub use crate::api::metadata::MAX_METADATA_BYTES;
pub use fields::{FieldSet, FIELDS_JSON};
pub use forms::{ArticleCreate, ArticleUpdate};
pub use include::{Include, IncludeParam};
pub use views::{
    Article, ArticleField, ArticleListPage, ArticleStatus, ArticleSummary, Included, Reference,
    ARTICLE_FIELDS_SCHEMA,
};

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::idempotency::{Created, IdempotencyKey};
use crate::api::json::JsonBody;
use crate::api::locale::{Locale, LocaleParams};
use crate::api::pagination::with_query;
use crate::api::precondition::IfMatch;
use crate::api::SlugPath;
use crate::auth::{Caller, Writer};
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::db::article_list::Window;
use crate::db::articles::{self as store, Lookup, Parts, Visibility};
use crate::db::modified;
use crate::db::Database;
use crate::db::{related, trash};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::version_header;
use crate::site::Site;
use crate::surrogate::{self, SurrogateKeys};
use fields::ArticleFieldsParam;
use listing::cannot_serialise;
use query::ArticleListParams;

fn visibility(caller: &Caller) -> Visibility {
    if caller.can_preview() {
        Visibility::Preview
    } else {
        Visibility::Public
    }
}

/// The version of the article with this slug and how it reads now: what
/// `If-Match` is checked against.
pub fn current(
    conn: &mut crate::db::AnyConnection,
    slug: &crate::content::slug::Slug,
    site: &Site,
) -> ApiResult<(i32, Article)> {
    store::find_current(conn, slug).map(|r| (r.row.version, Article::new(r, site)))
}

/// List articles
///
/// Newest publication first unless `sort` says otherwise. The public sees
/// published articles whose publication time has passed; a token also sees
/// drafts, scheduled and archived articles. Follow `next_cursor` (also in the
/// `Link` header) for the next page; `total` is counted only with `include_total=true`.
#[utoipa::path(
    tag = "articles",
    params(ArticleListParams, LocaleParams),
    responses((status = 200, description = "A page of articles; with `fields`, items hold only those fields, as `application/vnd.folio.fields+json`", body = ArticleListPage,
        headers(("Link" = String, description = "RFC 8288 links to the next (and, with `page`, previous) page, and to the feeds of the same articles (`rel=\"alternate\"`)")))),
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<ArticleListParams>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let query = params.into_inner().parse(&locale, &settings)?;
    let visibility = visibility(&caller);
    let mut keys = query.filter.cache_keys(query.sort);
    let (page, per_page) = match &query.window {
        Window::Page(page) => (Some(page.page), page.per_page),
        Window::After(_, limit) => (None, *limit),
    };
    let projected = query.fields.is_some();
    let feeds = crate::api::feed_links::alternates(&req, &settings.site);
    let site = settings.clone();
    let listing = db
        .read(caller.reads_from(), move |conn| {
            listing::list(conn, &query, visibility, &site.site)
        })
        .await?;
    keys.extend(listing.shown);
    let next_cursor = listing.next.map(|c| c.encode());
    let mut links = paging_links(&req, page, next_cursor.as_deref());
    links.extend(feeds);
    let mut response = HttpResponse::Ok();
    if projected {
        response.content_type(FIELDS_JSON);
    }
    if !links.is_empty() {
        response.insert_header((header::LINK, links.join(", ")));
    }
    let response = response.json(ArticleListPage {
        data: listing.items,
        per_page,
        page,
        next_cursor,
        total: listing.total,
    });
    Ok(last_modified(keyed(response, keys), listing.changed))
}

/// The `Link`s to the pages beside this one: the next by its cursor, the
/// previous by its number.
fn paging_links(req: &HttpRequest, page: Option<i64>, next_cursor: Option<&str>) -> Vec<String> {
    let mut links = Vec::new();
    if let Some(cursor) = next_cursor {
        links.push(format!(
            "<{}>; rel=\"next\"",
            with_query(req, &[("cursor", cursor)], &["page", "cursor"])
        ));
    }
    if let Some(page) = page.filter(|p| *p > 1) {
        links.push(format!(
            "<{}>; rel=\"prev\"",
            with_query(
                req,
                &[("page", &(page - 1).to_string())],
                &["page", "cursor"]
            )
        ));
    }
    links
}

/// Get an article
///
/// A former slug answers 301 with the current one in `Location`.
#[utoipa::path(
    tag = "articles",
    params(SlugPath, ArticleFieldsParam, IncludeParam, LocaleParams),
    responses(
        (status = 200, description = "The article; with `fields`, only those fields, as `application/vnd.folio.fields+json`; with `include`, what it asked for under `included`", body = Article),
        (status = 301, description = "The article moved to a new slug",
            headers(("Location" = String, description = "The article's current URL"))),
    ),
)]
#[get("/articles/{slug}")]
pub async fn find_article(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    params: web::Query<ArticleFieldsParam>,
    include: web::Query<IncludeParam>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner().parse()?;
    let chain = locale.chain(&settings.site.locales)?;
    let fields = params.fields.as_deref().map(FieldSet::parse).transpose()?;
    let wanted = include.parse()?;
    let visibility = visibility(&caller);
    let parts = Parts {
        last_change: true,
        ..fields.as_ref().map_or(Parts::ALL, |f| f.parts(false))
    };
    // Serialised on the blocking pool with the query: a body may be a megabyte.
    let found = db
        .read(caller.reads_from(), move |conn| {
            let found = match &chain {
                Some(chain) => store::find_version(conn, &slug, chain, visibility, parts)?,
                None => store::find(conn, &slug, visibility, parts)?,
            };
            Ok(match found {
                Lookup::Found(record) => {
                    let (id, version) = (record.row.id, record.row.version);
                    let mut keys = SurrogateKeys::new();
                    keys.add(surrogate::article(id))
                        // Its copies show the slugs and addresses of the articles it links to.
                        .extend(record.linked.iter().map(|l| surrogate::article(l.id)));
                    let included = if wanted.is_empty() {
                        None
                    } else {
                        let (included, included_keys) =
                            include::read(conn, &record, &wanted, visibility, &settings.site)?;
                        keys.extend(included_keys);
                        Some(included)
                    };
                    let language = record.row.language.clone();
                    let changed = modified::since_either(record.last_change, record.row.updated_at);
                    let mut article = Article::new(*record, &settings.site);
                    article.included = included;
                    let json = match &fields {
                        Some(fields) => fields
                            .project(&article)
                            .map(|json| (FIELDS_JSON, String::from(Box::<str>::from(json)))),
                        None => {
                            serde_json::to_string(&article).map(|json| ("application/json", json))
                        }
                    };
                    let json = json.map_err(cannot_serialise)?;
                    Ok((version, changed, json, language, keys))
                }
                Lookup::MovedTo(current) => Err(current),
            })
        })
        .await?;
    Ok(match found {
        Ok((version, changed, (media_type, json), language, keys)) => {
            let response = HttpResponse::Ok()
                .content_type(media_type)
                .insert_header(version_header(version))
                .insert_header((header::CONTENT_LANGUAGE, language))
                .body(json);
            last_modified(keyed(response, keys), Some(changed))
        }
        Err(current) => HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, format!("/v1/articles/{current}")))
            .finish(),
    })
}

/// How many related articles to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    #[param(minimum = 1, maximum = 20, default = 5, example = 5)]
    pub limit: Option<u32>,
}

/// Articles related to one article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedArticles {
    /// Most related first: shared tags count most, then shared title and standfirst words
    /// (in any inflection, rarer words weighing more), then the same section; newest first among equals.
    pub data: Vec<ArticleSummary>,
}

/// Related articles
///
/// Up to `limit` articles sharing this one's tags, vocabulary or section, most related first.
#[utoipa::path(
    tag = "articles",
    params(SlugPath, RelatedParams),
    responses((status = 200, description = "Related articles", body = RelatedArticles)),
)]
#[get("/articles/{slug}/related")]
pub async fn list_related_articles(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    params: web::Query<RelatedParams>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner().parse()?;
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 20".into(),
        ));
    }
    let visibility = visibility(&caller);
    let (subject, records) = db
        .read(caller.reads_from(), move |conn| {
            match store::find(conn, &slug, visibility, Parts::SUMMARY)? {
                Lookup::Found(record) => {
                    let related = related::related(conn, &record.row, visibility, limit as usize)?;
                    Ok((record.row.id, related))
                }
                Lookup::MovedTo(current) => Err(ApiError::NotFound(format!(
                    "the article {slug:?} is now at {current:?}"
                ))),
            }
        })
        .await?;
    // Any edit may change what is related to what.
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::ARTICLES_EDITS)
        .add(surrogate::article(subject))
        .extend(records.iter().map(|r| surrogate::article(r.row.id)));
    let response = HttpResponse::Ok().json(RelatedArticles {
        data: records
            .into_iter()
            .map(|record| ArticleSummary::new(record, &settings.site))
            .collect(),
    });
    Ok(keyed(response, keys))
}

/// Create an article
///
/// A draft unless `status` says otherwise; the slug is made from the title when not
/// given (`-2`, `-3`… when taken). Needs `write`. With an `Idempotency-Key`, a retry
/// gets the first answer again.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["write"])),
    params(IdempotencyKey),
    request_body = ArticleCreate,
    responses((status = 201, description = "The article was created", body = Article)),
)]
#[post("/articles")]
pub async fn create_article(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    key: IdempotencyKey,
    body: JsonBody<ArticleCreate>,
) -> ApiResult<HttpResponse> {
    let digest = body.digest().to_owned();
    let new = body.into_inner()?.parse(&settings.limits)?;
    let actor = caller.actor();
    key.create(&db, &caller, &digest, move |conn| {
        let record = store::create(conn, new, &actor)?;
        Created::new(
            format!("/v1/articles/{}", record.row.slug),
            &Article::new(record, &settings.site),
        )
    })
    .await
}

/// Update an article
///
/// Changes only the fields sent. A new slug leaves the old one answering 301.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["write"])),
    params(SlugPath, IfMatch),
    request_body = ArticleUpdate,
    responses((status = 200, description = "The updated article", body = Article)),
)]
#[patch("/articles/{slug}")]
pub async fn update_article(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    if_match: IfMatch,
    body: JsonBody<ArticleUpdate>,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let slug = path.into_inner().parse()?;
    let changes = body.into_inner()?.parse(&settings.limits)?;
    let site = settings.clone();
    let record = db
        .write(move |conn| {
            if_match.guard(conn, |conn| current(conn, &slug, &site.site))?;
            store::update(conn, &slug, changes, &actor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(record.row.version))
        .json(Article::new(record, &settings.site)))
}

/// Delete an article
///
/// Moves it to the trash: its slug answers 410 until it is restored or purged.
/// Needs `write`; honours `If-Match`.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = ["write"])),
    params(SlugPath, IfMatch),
    responses((status = 204, description = "The article was deleted")),
)]
#[delete("/articles/{slug}")]
pub async fn delete_article(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<SlugPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let slug = path.into_inner().parse()?;
    db.write(move |conn| {
        if_match.guard(conn, |conn| current(conn, &slug, &settings.site))?;
        trash::put(conn, &slug, &actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_articles)
        .service(find_article)
        .service(list_related_articles)
        .service(create_article)
        .service(update_article)
        .service(delete_article);
}
