//! An asset's files: the upload as it came, and sized copies of an image, made
//! on first request, kept in the asset store, and cached for good downstream.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::addressing::{asset_keys, AssetPath};
use super::views::{preset_recipe, render_key};
use crate::api::Binary;
use crate::assets::probe::decode;
use crate::assets::store::{original_key, variant_key};
use crate::assets::transform::{render, Format, Recipe, DEFAULT_QUALITY};
use crate::assets::{AssetServices, Fit, Preset, PRESETS};
use crate::caching::keyed;
use crate::config::ServerSettings;
use crate::db::assets::{self as store, AssetRow};
use crate::db::{Database, ReadFrom};
use crate::error::{ApiError, ApiResult};

/// A year: what caches may keep a file whose address changes with its content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// An address without the current `v` may show something else tomorrow.
const REVALIDATE: &str = "public, max-age=300";

/// The encoding of a copy; `auto` picks from `Accept`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FormatChoice {
    #[default]
    Auto,
    Jpeg,
    Png,
    Webp,
    Avif,
}

/// How a preset's copy is served.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CopyParams {
    /// `auto` (the default) gives WebP to clients that accept it, else JPEG or
    /// PNG; the response then varies on `Accept`.
    pub format: Option<FormatChoice>,
    /// The version the asset's JSON gives in each address: with the current
    /// one the copy is cacheable for a year.
    #[param(max_length = 64)]
    pub v: Option<String>,
}

/// A copy at any size (only when `FOLIO_ASSET_ARBITRARY_SIZES=true`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResizeParams {
    /// Width in pixels.
    #[param(minimum = 1, maximum = 4096, example = 640)]
    pub w: Option<u32>,
    /// Height in pixels.
    #[param(minimum = 1, maximum = 4096)]
    pub h: Option<u32>,
    /// `cover` crops to the box around the focal point (the default with both
    /// sides); `contain` fits inside it.
    pub fit: Option<Fit>,
    pub format: Option<FormatChoice>,
    /// Quality, 1–100 (default 80), for JPEG, WebP and AVIF.
    #[param(minimum = 1, maximum = 100)]
    pub q: Option<u8>,
    #[param(max_length = 64)]
    pub v: Option<String>,
}

/// The preset path segment.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PresetPath {
    /// The asset's id.
    #[param(example = "5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41")]
    pub id: uuid::Uuid,
    /// `thumb` (320×320), `small` (480 wide), `medium` (960), `large` (1600) or
    /// `social` (1200×630).
    #[param(pattern = "^(thumb|small|medium|large|social)$", example = "medium")]
    pub preset: String,
}

const LARGEST_SIDE: u32 = 4096;

async fn load(db: &Database, id: &str) -> ApiResult<AssetRow> {
    let id = id.to_owned();
    db.read(ReadFrom::Primary, move |conn| store::find(conn, &id))
        .await
}

/// Get an asset's file
///
/// The upload, byte for byte, with its type and name.
#[utoipa::path(
    tag = "assets",
    params(AssetPath),
    responses((status = 200, description = "The file, with the type found at upload", content(
        (Binary = "*/*"),
    ))),
)]
#[get("/assets/{id}/file")]
pub async fn asset_file(
    db: web::Data<Database>,
    assets: web::Data<AssetServices>,
    path: web::Path<AssetPath>,
) -> ApiResult<HttpResponse> {
    let row = load(&db, &path.into_inner().0.to_string()).await?;
    let bytes = assets
        .store
        .get(&original_key(&row.public_id))
        .await?
        .ok_or_else(|| missing_file(&row))?;
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Inline,
        parameters: vec![header::DispositionParam::FilenameExt(
            header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: row.filename.clone().into_bytes(),
            },
        )],
    };
    let response = HttpResponse::Ok()
        .content_type(row.media_type.as_str())
        .insert_header(disposition)
        .insert_header((header::ETAG, format!("\"{}\"", row.sha256)))
        // The file behind an asset id never changes; a deletion purges it.
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .body(bytes);
    Ok(keyed(response, asset_keys(&row.public_id)))
}

fn missing_file(row: &AssetRow) -> ApiError {
    ApiError::Unavailable(format!(
        "the file of asset {} is missing from the asset store",
        row.public_id
    ))
}

/// Get a preset of an image
///
/// The image at one of the sizes articles use, cropped around its focal point
/// for `thumb` and `social`; never enlarged.
#[utoipa::path(
    tag = "assets",
    params(PresetPath, CopyParams),
    responses(
        (status = 200, description = "The copy", content(
            (Binary = "image/webp"), (Binary = "image/jpeg"), (Binary = "image/png"), (Binary = "image/avif"),
        )),
        (status = 503, description = "Image processing is busy: try again after `Retry-After`"),
    ),
)]
#[get("/assets/{id}/{preset}")]
pub async fn asset_preset(
    req: HttpRequest,
    db: web::Data<Database>,
    assets: web::Data<AssetServices>,
    settings: web::Data<ServerSettings>,
    path: web::Path<PresetPath>,
    params: web::Query<CopyParams>,
) -> ApiResult<HttpResponse> {
    let path = path.into_inner();
    let preset = Preset::named(&path.preset).ok_or_else(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        ApiError::NotFound(format!(
            "there is no preset {:?}; the presets are {}, and file for the upload",
            path.preset,
            names.join(", ")
        ))
    })?;
    let row = load(&db, &path.id.to_string()).await?;
    let (format, negotiated) = choose_format(&req, &row, params.format)?;
    let recipe = preset_recipe(&preset, format);
    let copy = Copy {
        recipe,
        negotiated,
        version: params.v.as_deref(),
    };
    serve(&row, copy, &assets, &settings).await
}

/// Get an image at any size
///
/// Only when the server allows arbitrary sizes (`FOLIO_ASSET_ARBITRARY_SIZES`):
/// otherwise every size a crawler tried would fill the disk. Sides are at most 4096,
/// and a copy at most 2048 × 2048 pixels (4,194,304): a larger box gives the largest
/// copy of its shape within that.
#[utoipa::path(
    tag = "assets",
    params(AssetPath, ResizeParams),
    responses(
        (status = 200, description = "The copy", content(
            (Binary = "image/webp"), (Binary = "image/jpeg"), (Binary = "image/png"), (Binary = "image/avif"),
        )),
        (status = 400, description = "Arbitrary sizes are off, or the size is out of range"),
    ),
)]
#[get("/assets/{id}/resize")]
pub async fn asset_resized(
    req: HttpRequest,
    db: web::Data<Database>,
    assets: web::Data<AssetServices>,
    settings: web::Data<ServerSettings>,
    path: web::Path<AssetPath>,
    params: web::Query<ResizeParams>,
) -> ApiResult<HttpResponse> {
    if !settings.assets.arbitrary_sizes {
        return Err(ApiError::BadRequest(
            "this server serves images at its presets only (thumb, small, medium, large, \
             social: /v1/assets/{id}/{preset}); arbitrary sizes need \
             FOLIO_ASSET_ARBITRARY_SIZES=true"
                .into(),
        ));
    }
    let params = params.into_inner();
    let side = |name: &str, value: Option<u32>| match value {
        Some(v) if v == 0 || v > LARGEST_SIDE => Err(ApiError::invalid(
            name,
            format!("must be between 1 and {LARGEST_SIDE}"),
        )),
        _ => Ok(value),
    };
    let (width, height) = (side("w", params.w)?, side("h", params.h)?);
    if width.is_none() && height.is_none() {
        return Err(ApiError::invalid("w", "give w, h or both"));
    }
    if params.q.is_some_and(|q| q == 0 || q > 100) {
        return Err(ApiError::invalid("q", "must be between 1 and 100"));
    }
    let row = load(&db, &path.into_inner().0.to_string()).await?;
    let (format, negotiated) = choose_format(&req, &row, params.format)?;
    let both = width.is_some() && height.is_some();
    let recipe = Recipe {
        width,
        height,
        fit: params
            .fit
            .unwrap_or(if both { Fit::Cover } else { Fit::Contain }),
        format,
        quality: params.q.unwrap_or(DEFAULT_QUALITY),
    };
    let copy = Copy {
        recipe,
        negotiated,
        version: params.v.as_deref(),
    };
    serve(&row, copy, &assets, &settings).await
}

/// The encoding to make, and whether it came from `Accept` (then the response varies on it).
fn choose_format(
    req: &HttpRequest,
    row: &AssetRow,
    choice: Option<FormatChoice>,
) -> ApiResult<(Format, bool)> {
    if !row.is_image() {
        return Err(ApiError::BadRequest(format!(
            "asset {} is {}, not an image: fetch /v1/assets/{}/file",
            row.public_id, row.media_type, row.public_id
        )));
    }
    Ok(match choice.unwrap_or_default() {
        FormatChoice::Auto => {
            let accept = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            // JPEG has no transparency: other uploads may.
            let may_have_alpha = row.media_type != "image/jpeg";
            (Format::negotiate(accept, may_have_alpha), true)
        }
        FormatChoice::Jpeg => (Format::Jpeg, false),
        FormatChoice::Png => (Format::Png, false),
        FormatChoice::Webp => (Format::Webp, false),
        FormatChoice::Avif => (Format::Avif, false),
    })
}

/// A copy a request asks for.
struct Copy<'a> {
    recipe: Recipe,
    negotiated: bool,
    /// The `v` the request carried.
    version: Option<&'a str>,
}

/// The longest `v` a copy's address carries.
const MAX_VERSION_CHARS: usize = 64;

/// Makes a copy and stores it under `key`, or waits for the making under way.
///
/// The making runs as a task of its own: when the client leaves, or its wait of
/// `FOLIO_ASSET_TRANSFORM_TIME` runs out (a 503 with `Retry-After`), the copy is
/// still finished and stored, so the work done is never lost and a retry finds it.
async fn make(
    row: &AssetRow,
    recipe: Recipe,
    key: &str,
    assets: &AssetServices,
    settings: &ServerSettings,
) -> ApiResult<bytes::Bytes> {
    let making = assets.making.join_or_start(key, || {
        let (assets, original, key) =
            (assets.clone(), original_key(&row.public_id), key.to_owned());
        let (focal, max_pixels, missing) =
            (row.focal(), settings.assets.max_pixels, missing_file(row));
        async move {
            let turn = assets.gate.enter().await?;
            let original = assets.store.get(&original).await?.ok_or(missing)?;
            let made = assets
                .gate
                .work(turn, move || {
                    let picture = decode(&original, max_pixels)?;
                    render(&picture, &recipe, focal)
                })
                .await?;
            let made = bytes::Bytes::from(made);
            assets.store.put(&key, made.clone()).await?;
            Ok(made)
        }
    });
    actix_web::rt::time::timeout(settings.assets.transform_time, making)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::Unavailable(
                "the copy is still being made; it will be ready on a later request".into(),
            ))
        })
}

/// Serves a copy from the store, making it first when it is not there yet.
async fn serve(
    row: &AssetRow,
    copy: Copy<'_>,
    assets: &AssetServices,
    settings: &ServerSettings,
) -> ApiResult<HttpResponse> {
    if copy
        .version
        .is_some_and(|v| v.chars().count() > MAX_VERSION_CHARS)
    {
        return Err(ApiError::BadRequest(format!(
            "v is at most {MAX_VERSION_CHARS} characters: the version an asset's JSON gives"
        )));
    }
    let current = render_key(row);
    let name = copy.recipe.variant_name(row.focal());
    let key = variant_key(&row.public_id, &name);
    let bytes = match assets.store.get(&key).await? {
        Some(bytes) => bytes,
        None => make(row, copy.recipe, &key, assets, settings).await?,
    };
    let lasting = copy.version == Some(current.as_str());
    let mut response = HttpResponse::Ok();
    response
        .content_type(copy.recipe.format.media_type())
        .insert_header((header::ETAG, format!("\"{current}-{name}\"")))
        .insert_header((
            header::CACHE_CONTROL,
            if lasting { IMMUTABLE } else { REVALIDATE },
        ));
    if copy.negotiated {
        response.insert_header((header::VARY, "accept"));
    }
    Ok(keyed(response.body(bytes), asset_keys(&row.public_id)))
}
