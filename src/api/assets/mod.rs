//! `/v1/assets`: uploaded images and files, their descriptions, and the sized
//! copies of images that articles show.

mod addressing;
pub mod files;
pub mod upload;
pub mod views;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use self::addressing::asset_keys;
pub use self::addressing::AssetPath;
use self::upload::{clean_filename, Description, UploadForm};
use self::views::{Asset, FocalPoint};
use super::idempotency::{Created, IdempotencyKey};
use super::json::JsonBody;
use super::pagination::{ListPage, PageParams};
use super::precondition::IfMatch;
use super::Binary;
use crate::assets::probe::probe;
use crate::assets::store::original_key;
use crate::assets::AssetServices;
use crate::auth::{Reader, Writer};
use crate::caching::keyed;
use crate::config::ServerSettings;
use crate::db::assets::{self as store, AssetChanges, AssetRow};
use crate::db::{AnyConnection, Database, ReadFrom};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::version_header;
use crate::http::marks::REPLAYED;
use crate::site::Site;

/// Which assets a list shows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetFilter {
    /// Only those whose media type starts with this: `image`, `image/png`, `application/pdf`.
    #[param(
        max_length = 100,
        pattern = "^[a-z]+(/[a-z0-9.+-]+)?$",
        example = "image"
    )]
    #[serde(rename = "type")]
    pub media_type: Option<String>,
}

/// Changes to an asset's description: absent fields are left alone. The file
/// itself never changes; upload a new asset instead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"alt": "Le palais présidentiel d’Astana sous la neige", "focal_point": {"x": 0.62, "y": 0.4}}))]
pub struct AssetUpdate {
    #[schema(value_type = Option<crate::api::input::Name>)]
    pub filename: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub alt: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub caption: Option<String>,
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub credit: Option<String>,
    pub focal_point: Option<FocalPoint>,
}

/// Deleting an asset an article uses.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Delete it even while articles use it: they lose it as their cover, and
    /// their body shows the image's alt text.
    #[param(default = false)]
    pub force: Option<bool>,
}

/// The current version and view of an asset, for `If-Match`.
fn current(conn: &mut AnyConnection, id: &str, site: &Site) -> ApiResult<(i32, Asset)> {
    let row = store::find(conn, id)?;
    Ok((row.version, Asset::new(row, site)))
}

fn shown(row: AssetRow, site: &Site) -> HttpResponse {
    let keys = asset_keys(&row.public_id);
    let response = HttpResponse::Ok()
        .insert_header(version_header(row.version))
        .json(Asset::new(row, site));
    keyed(response, keys)
}

/// Upload an asset
///
/// An image (JPEG, PNG, GIF, WebP) or a file (PDF, audio, video), as the `file`
/// part of a form or as the raw body (then the description goes in the query
/// string and the name in `Content-Disposition`). Its type is found from its
/// content; images are measured and given a placeholder. Needs `write`.
#[utoipa::path(
    tag = "assets",
    security(("bearer" = ["write"])),
    params(Description, IdempotencyKey),
    request_body(content(
        (UploadForm = "multipart/form-data"),
        (Binary = "application/octet-stream"),
        (Binary = "image/*"),
    )),
    responses(
        (status = 201, description = "The asset was stored", body = Asset),
        (status = 413, description = "Larger than `FOLIO_MAX_ASSET_BYTES`, or more pixels than `FOLIO_MAX_ASSET_PIXELS`"),
        (status = 415, description = "Not a kind of file Folio takes, or not what it claims to be"),
    ),
)]
#[post("/assets")]
pub async fn upload_asset(
    req: HttpRequest,
    writer: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    assets: web::Data<AssetServices>,
    (query, key): (web::Query<Description>, IdempotencyKey),
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    query.check_query()?;
    let upload = upload::read(&req, payload, query, &settings).await?;
    upload.description.check()?;
    let (bytes, claimed) = (upload.bytes.clone(), upload.claimed.clone());
    let max_pixels = settings.assets.max_pixels;
    let probed = assets
        .gate
        .run(move || probe(&bytes, claimed.as_deref(), max_pixels))
        .await?;
    let public_id = uuid::Uuid::new_v4().to_string();
    // A retry of the same upload (same file, same words) under the same key.
    let request_digest = format!(
        "{:x} {:?}",
        Sha256::digest(&upload.bytes),
        upload.description
    );
    let new = upload.description.into_new_asset(
        public_id.clone(),
        &upload.bytes,
        probed,
        upload.filename.as_deref(),
    );
    // The file first: a record never names a file that is not there. A record
    // that then fails to be written, or a replay that records none, leaves a
    // file nobody names, removed here.
    assets
        .store
        .put(&original_key(&public_id), upload.bytes)
        .await?;
    let actor = writer.actor();
    let created = key
        .create(&db, &writer, &request_digest, move |conn| {
            let row = store::create(conn, new, &actor)?;
            Created::new(
                format!("/v1/assets/{}", row.public_id),
                &Asset::new(row, &settings.site),
            )
        })
        .await;
    if created
        .as_ref()
        .map_or(true, |answer| answer.headers().contains_key(REPLAYED))
    {
        if let Err(cleanup) = assets.store.delete_under(&public_id).await {
            log::warn!(
                "asset {public_id}: could not remove the file of an upload not kept: {cleanup}"
            );
        }
    }
    created
}

/// List assets
///
/// Newest first. Needs `read`: the library holds uploads no article shows yet.
#[utoipa::path(
    tag = "assets",
    security(("bearer" = ["read"])),
    params(PageParams, AssetFilter),
    responses((status = 200, description = "A page of assets", body = ListPage<Asset>)),
)]
#[get("/assets")]
pub async fn list_assets(
    req: HttpRequest,
    _reader: Reader,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    page: web::Query<PageParams>,
    filter: web::Query<AssetFilter>,
) -> ApiResult<HttpResponse> {
    let page = page.request(&settings.limits)?;
    let media_type = filter.into_inner().media_type;
    if let Some(prefix) = &media_type {
        let valid = prefix.len() <= 100
            && prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "/.+-".contains(c));
        if !valid {
            return Err(ApiError::BadRequest(
                "type must be a media type or its first half, such as image or image/png".into(),
            ));
        }
    }
    let (rows, total) = db
        .read(ReadFrom::Primary, move |conn| {
            store::list(conn, page, media_type.as_deref())
        })
        .await?;
    let data = rows
        .into_iter()
        .map(|row| Asset::new(row, &settings.site))
        .collect();
    Ok(ListPage::new(data, page, total).respond(&req))
}

/// Get an asset
///
/// Its description, and for an image its size, placeholder and the addresses of
/// its presets.
#[utoipa::path(
    tag = "assets",
    params(AssetPath),
    responses((status = 200, description = "The asset", body = Asset)),
)]
#[get("/assets/{id}")]
pub async fn find_asset(
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<AssetPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().0.to_string();
    let row = db
        .read(ReadFrom::Primary, move |conn| store::find(conn, &id))
        .await?;
    Ok(shown(row, &settings.site))
}

/// Update an asset
///
/// Changes its description or focal point; the articles that show it change
/// with it (their caches are purged, sync and webhooks hear of it). A new focal
/// point gives the crops new addresses. Needs `write`.
#[utoipa::path(
    tag = "assets",
    security(("bearer" = ["write"])),
    params(AssetPath, IfMatch),
    request_body = AssetUpdate,
    responses((status = 200, description = "The updated asset", body = Asset)),
)]
#[patch("/assets/{id}")]
pub async fn update_asset(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<AssetPath>,
    if_match: IfMatch,
    body: JsonBody<AssetUpdate>,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let id = path.into_inner().0.to_string();
    let edit = body.into_inner()?;
    let focal = edit.focal_point;
    Description {
        filename: edit.filename.clone(),
        alt: edit.alt.clone(),
        caption: edit.caption.clone(),
        credit: edit.credit.clone(),
        focal_x: focal.map(|f| f.x),
        focal_y: focal.map(|f| f.y),
    }
    .check()?;
    let changes = AssetChanges {
        filename: edit.filename.map(|f| clean_filename(Some(&f), "bin")),
        alt: edit.alt,
        caption: edit.caption,
        credit: edit.credit,
        focal_x: focal.map(|f| f.x),
        focal_y: focal.map(|f| f.y),
    };
    let site = settings.site.clone();
    let row = db
        .write(move |conn| {
            if_match.guard(conn, |conn| current(conn, &id, &site))?;
            store::update(conn, &id, changes, &actor)
        })
        .await?;
    Ok(shown(row, &settings.site))
}

/// Delete an asset
///
/// Refused (409, naming the articles) while an article uses it, unless
/// `force=true`. Its file and copies are removed. Needs `write`.
#[utoipa::path(
    tag = "assets",
    security(("bearer" = ["write"])),
    params(AssetPath, DeleteParams, IfMatch),
    responses(
        (status = 204, description = "The asset was deleted"),
        (status = 409, description = "Articles use it; see `detail`"),
    ),
)]
#[delete("/assets/{id}")]
pub async fn delete_asset(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    assets: web::Data<AssetServices>,
    path: web::Path<AssetPath>,
    params: web::Query<DeleteParams>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let id = path.into_inner().0.to_string();
    let force = params.force.unwrap_or(false);
    let site = settings.site.clone();
    let deleting = id.clone();
    db.write(move |conn| {
        if_match.guard(conn, |conn| current(conn, &deleting, &site))?;
        store::delete(conn, &deleting, force, &actor)
    })
    .await?;
    // The record is gone: nothing names the files any more. Failing to remove
    // them leaves unreachable files, not a broken asset.
    if let Err(e) = assets.store.delete_under(&id).await {
        log::warn!("asset {id}: the record is deleted but its files are not: {e}");
    }
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(upload_asset)
        .service(list_assets)
        .service(files::asset_file)
        .service(files::asset_resized)
        .service(files::asset_preset)
        .service(find_asset)
        .service(update_asset)
        .service(delete_asset);
}
