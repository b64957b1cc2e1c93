//! Reading an upload: a `multipart/form-data` form with a `file` part and the
//! description beside it, or the file as the raw body with the description in
//! the query string.

use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::mime;
use actix_web::{web, HttpMessage, HttpRequest};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use sha2::{Digest, Sha256};

use super::views::FocalPoint;
use crate::api::input::{Check, Name, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::assets::probe::Probed;
use crate::config::ServerSettings;
use crate::db::assets::NewAsset;
use crate::error::{ApiError, ApiResult};

/// An asset's words and focal point, as given at upload or in an edit.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Description {
    /// The file's name as people see it; by default the uploaded file's.
    #[param(value_type = Option<Name>)]
    #[schema(value_type = Option<Name>)]
    pub filename: Option<String>,
    /// What the image shows, for readers who cannot see it. In the query string at
    /// most 1,000 characters (a request target stays under 32 KiB); in a form 10,000.
    #[param(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub alt: Option<String>,
    /// In the query string at most 1,000 characters; in a form 10,000.
    #[param(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub caption: Option<String>,
    /// Who made it (photographer, agency).
    #[param(
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub credit: Option<String>,
    /// Where the subject is, across (0 to 1): crops keep it in view. Default 0.5.
    #[param(minimum = 0, maximum = 1)]
    #[schema(minimum = 0, maximum = 1)]
    pub focal_x: Option<f64>,
    /// Where the subject is, down (0 to 1). Default 0.5.
    #[param(minimum = 0, maximum = 1)]
    #[schema(minimum = 0, maximum = 1)]
    pub focal_y: Option<f64>,
}

/// The form `POST /v1/assets` takes as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"file": "(the file's bytes)", "alt": "Le palais présidentiel d’Astana sous la neige", "credit": "Claire Dubois", "focal_x": 0.62, "focal_y": 0.4}))]
#[allow(dead_code)] // Describes the form for the spec; the form is read part by part.
pub struct UploadForm {
    /// The file; its type is found from its content.
    #[schema(value_type = crate::api::Binary)]
    file: Vec<u8>,
    #[schema(value_type = Option<Name>)]
    filename: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    alt: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    caption: Option<String>,
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    credit: Option<String>,
    #[schema(minimum = 0, maximum = 1)]
    focal_x: Option<f64>,
    #[schema(minimum = 0, maximum = 1)]
    focal_y: Option<f64>,
}

/// The longest alt text or caption sent in a query string.
pub const MAX_QUERY_TEXT_CHARS: usize = 1_000;

impl Description {
    /// Checks a description sent in the query string: shorter texts (see `alt`).
    pub fn check_query(&self) -> ApiResult<()> {
        let mut check = Check::default();
        for (field, value) in [("alt", &self.alt), ("caption", &self.caption)] {
            if let Some(value) = value {
                check.text(field, value, MAX_QUERY_TEXT_CHARS);
            }
        }
        check.finish()
    }

    /// Checks lengths and ranges, naming each field that is wrong.
    pub fn check(&self) -> ApiResult<()> {
        let mut check = Check::default();
        if let Some(filename) = &self.filename {
            check.line("filename", filename, MAX_NAME_CHARS);
        }
        for (field, value, max) in [
            ("alt", &self.alt, MAX_TEXT_CHARS),
            ("caption", &self.caption, MAX_TEXT_CHARS),
            ("credit", &self.credit, MAX_NAME_CHARS),
        ] {
            if let Some(value) = value {
                check.text(field, value, max);
            }
        }
        for (field, value) in [("focal_x", self.focal_x), ("focal_y", self.focal_y)] {
            if value.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
                check.fail(field, "must be between 0 and 1");
            }
        }
        check.finish()
    }

    /// The record of an upload: what was found in `bytes`, described as this says.
    /// `given_name` is the name the file came with, used when no `filename` is given.
    pub fn into_new_asset(
        self,
        public_id: String,
        bytes: &[u8],
        probed: Probed,
        given_name: Option<&str>,
    ) -> NewAsset {
        let focal = self.focal_point();
        let extension = probed.media_type.rsplit('/').next().unwrap_or("bin");
        let filename = clean_filename(self.filename.as_deref().or(given_name), extension);
        let image = probed.image;
        NewAsset {
            public_id,
            filename,
            media_type: probed.media_type,
            byte_size: bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(bytes)),
            width: image.as_ref().map(|i| i.width as i32),
            height: image.as_ref().map(|i| i.height as i32),
            placeholder: image.as_ref().map(|i| i.placeholder.clone()),
            color: image.map(|i| i.color),
            alt: self.alt.unwrap_or_default(),
            caption: self.caption.unwrap_or_default(),
            credit: self.credit.unwrap_or_default(),
            focal_x: focal.x,
            focal_y: focal.y,
        }
    }

    pub fn focal_point(&self) -> FocalPoint {
        FocalPoint {
            x: self.focal_x.unwrap_or(0.5),
            y: self.focal_y.unwrap_or(0.5),
        }
    }

    /// Takes a form field; false when the form has no such field.
    fn set(&mut self, name: &str, value: String) -> ApiResult<bool> {
        let number = |value: &str| {
            value.trim().parse::<f64>().map_err(|_| {
                ApiError::invalid(
                    name,
                    format!("must be a number between 0 and 1 (got {value:?})"),
                )
            })
        };
        match name {
            "filename" => self.filename = Some(value),
            "alt" => self.alt = Some(value),
            "caption" => self.caption = Some(value),
            "credit" => self.credit = Some(value),
            "focal_x" => self.focal_x = Some(number(&value)?),
            "focal_y" => self.focal_y = Some(number(&value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A file as received, before it is looked at.
#[derive(Debug)]
pub struct Upload {
    pub bytes: Bytes,
    /// The media type the client gave it, if any.
    pub claimed: Option<String>,
    /// The name the client gave it, if any.
    pub filename: Option<String>,
    pub description: Description,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the file is larger than {limit} bytes (FOLIO_MAX_ASSET_BYTES)"
    ))
}

/// Reads chunks into memory, refusing more than `limit` bytes.
async fn collect<S, E>(mut chunks: S, limit: usize) -> ApiResult<Bytes>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut bytes = BytesMut::new();
    while let Some(chunk) = chunks.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the upload: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// Reads the upload a request carries, within the size limit and the body timeout.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    query: Description,
    settings: &ServerSettings,
) -> ApiResult<Upload> {
    let limit = settings.assets.max_bytes;
    if let Some(length) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        // A form adds its boundaries and fields: a little room for them.
        if length > limit + 64 * 1024 {
            return Err(too_large(limit));
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let timeout = settings.limits.body_timeout;
    let receive = async {
        match &content_type {
            Some(t) if t.to_ascii_lowercase().starts_with("multipart/form-data") => {
                read_form(req, payload, query, limit).await
            }
            _ => Ok(Upload {
                bytes: collect(payload, limit).await?,
                filename: disposition_filename(req.headers().get(header::CONTENT_DISPOSITION)),
                claimed: content_type.clone(),
                description: query,
            }),
        }
    };
    actix_web::rt::time::timeout(timeout, receive)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::RequestTimeout(format!(
                "the upload did not arrive within {} seconds",
                timeout.as_secs()
            )))
        })
}

fn disposition_filename(value: Option<&header::HeaderValue>) -> Option<String> {
    let disposition = header::ContentDisposition::from_raw(value?).ok()?;
    disposition.get_filename().map(str::to_owned).or_else(|| {
        disposition
            .get_filename_ext()
            .map(|ext| String::from_utf8_lossy(&ext.value).into_owned())
    })
}

/// A form's bytes as they arrive, ending in an error when they end without the
/// form's closing delimiter (`--BOUNDARY--`): the body is complete (its length
/// said so, or its last chunk came), and the multipart parser would otherwise
/// wait for the rest until the body timeout.
struct Closing {
    payload: actix_web::dev::Payload,
    delimiter: Vec<u8>,
    /// The last bytes read, enough to find a delimiter split between chunks.
    tail: Vec<u8>,
    closed: bool,
    ended: bool,
}

impl Closing {
    fn new(payload: actix_web::dev::Payload, boundary: &str) -> Self {
        Self {
            payload,
            delimiter: format!("--{boundary}--").into_bytes(),
            tail: Vec::new(),
            closed: false,
            ended: false,
        }
    }

    async fn next(mut self) -> Option<(Result<Bytes, PayloadError>, Self)> {
        if self.ended {
            return None;
        }
        match self.payload.next().await {
            Some(Ok(chunk)) => {
                if !self.closed {
                    self.tail.extend_from_slice(&chunk);
                    self.closed = memchr::memmem::find(&self.tail, &self.delimiter).is_some();
                    let keep = self.delimiter.len() - 1;
                    self.tail.drain(..self.tail.len().saturating_sub(keep));
                }
                Some((Ok(chunk), self))
            }
            Some(Err(e)) => {
                self.ended = true;
                Some((Err(e), self))
            }
            None if self.closed => None,
            None => {
                self.ended = true;
                let unclosed = std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the form ends without its closing boundary",
                );
                Some((Err(PayloadError::Io(unclosed)), self))
            }
        }
    }
}

async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    mut description: Description,
    limit: usize,
) -> ApiResult<Upload> {
    let boundary = req
        .mime_type()
        .ok()
        .flatten()
        .and_then(|m| m.get_param(mime::BOUNDARY).map(|b| b.as_str().to_owned()))
        .ok_or_else(|| {
            ApiError::BadRequest("a multipart/form-data upload names its boundary".into())
        })?;
    // Fused: the parser may ask again after the end.
    let body =
        futures_util::stream::unfold(Closing::new(payload.into_inner(), &boundary), Closing::next)
            .fuse();
    let mut form = Multipart::new(req.headers(), body);
    let mut file: Option<(Bytes, Option<String>, Option<String>)> = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| {
            let why = match e {
                // Its own words say only "Payload error".
                MultipartError::Payload(e) => e.to_string(),
                e => e.to_string(),
            };
            ApiError::BadRequest(format!("could not read the form: {why}"))
        })?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid("file", "send one file per upload"));
            }
            let claimed = field.content_type().map(|m| m.essence_str().to_owned());
            let filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
            file = Some((collect(field, limit).await?, claimed, filename));
            continue;
        }
        let value = collect(field, MAX_TEXT_CHARS * 4).await?;
        let value = String::from_utf8(value.to_vec())
            .map_err(|_| ApiError::invalid(&name, "must be UTF-8 text"))?;
        if !description.set(&name, value)? {
            return Err(ApiError::invalid(
                &name,
                "is not a field of an upload (file, filename, alt, caption, credit, focal_x, focal_y)",
            ));
        }
    }
    let (bytes, claimed, filename) =
        file.ok_or_else(|| ApiError::invalid("file", "the form has no file part"))?;
    Ok(Upload {
        bytes,
        claimed,
        filename,
        description,
    })
}

/// A name fit to show and to send back in `Content-Disposition`: the last path
/// segment, without control characters, at most 200 characters; one made from
/// the type when nothing is left.
pub fn clean_filename(given: Option<&str>, extension: &str) -> String {
    let base = given
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        format!("upload.{extension}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::clean_filename;

    #[test]
    fn filenames_lose_paths_and_controls() {
        assert_eq!(clean_filename(Some("../../etc/passwd"), "bin"), "passwd");
        assert_eq!(
            clean_filename(Some("C:\\photos\\Astana été.jpg"), "jpg"),
            "Astana été.jpg"
        );
        assert_eq!(clean_filename(Some("a\u{0}b\r\n.png"), "png"), "ab.png");
        assert_eq!(clean_filename(Some(".."), "jpg"), "upload.jpg");
        assert_eq!(clean_filename(None, "pdf"), "upload.pdf");
    }
}
