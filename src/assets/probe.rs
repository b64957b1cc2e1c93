//! What an upload is, found from its bytes (never from its name): its media
//! type, and for an image its size, placeholder and colour.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::error::ApiError;

/// The image formats Folio decodes, and so resizes.
const IMAGE_FORMATS: [(ImageFormat, &str); 4] = [
    (ImageFormat::Jpeg, "image/jpeg"),
    (ImageFormat::Png, "image/png"),
    (ImageFormat::Gif, "image/gif"),
    (ImageFormat::WebP, "image/webp"),
];

/// Other files an article may link to, stored and served as they are.
const OTHER_TYPES: [&str; 7] = [
    "application/pdf",
    "audio/mpeg",
    "audio/ogg",
    "audio/x-wav",
    "video/mp4",
    "video/webm",
    "video/quicktime",
];

/// What an upload turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    pub media_type: String,
    pub image: Option<ImageFacts>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageFacts {
    /// As shown, after the camera's orientation is applied.
    pub width: u32,
    pub height: u32,
    /// A BlurHash of the picture, for a placeholder while it loads.
    pub placeholder: String,
    /// The average colour, `#rrggbb`.
    pub color: String,
}

/// Names the same type differently spelt the same (`image/jpg` is common).
fn canonical(media_type: &str) -> String {
    let base = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match base.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".into(),
        "audio/wav" | "audio/wave" => "audio/x-wav".into(),
        "audio/mp3" => "audio/mpeg".into(),
        _ => base,
    }
}

/// Finds what `bytes` are. `claimed` is the type the client sent (a part's or the
/// body's `Content-Type`): a specific claim the bytes contradict is refused,
/// a generic one (`application/octet-stream`) is replaced by what was found.
pub fn probe(bytes: &[u8], claimed: Option<&str>, max_pixels: u64) -> Result<Probed, ApiError> {
    let found = detect(bytes)?;
    if let Some(claimed) = claimed.map(canonical) {
        let generic = claimed.is_empty() || claimed == "application/octet-stream";
        if !generic && claimed != found {
            return Err(ApiError::UnsupportedMediaType(format!(
                "the upload claims to be {claimed} but its content is {found}"
            )));
        }
    }
    let image = if found.starts_with("image/") {
        let picture = decode(bytes, max_pixels)?;
        Some(facts(&picture)?)
    } else {
        None
    };
    Ok(Probed {
        media_type: found,
        image,
    })
}

fn detect(bytes: &[u8]) -> Result<String, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the upload is empty".into()));
    }
    if let Ok(format) = image::guess_format(bytes) {
        if let Some((_, media_type)) = IMAGE_FORMATS.iter().find(|(f, _)| *f == format) {
            return Ok((*media_type).to_owned());
        }
    }
    let kind = infer::get(bytes).map(|k| canonical(k.mime_type()));
    match kind {
        Some(kind) if OTHER_TYPES.contains(&kind.as_str()) => Ok(kind),
        Some(kind) => Err(ApiError::UnsupportedMediaType(format!(
            "{kind} files are not accepted; assets are JPEG, PNG, GIF or WebP images, \
             or {}",
            OTHER_TYPES.join(", ")
        ))),
        None => Err(ApiError::UnsupportedMediaType(
            "the upload's content is not a recognised file type (SVG and text are not \
             accepted: they can carry scripts); assets are JPEG, PNG, GIF or WebP images, \
             PDF documents, audio or video"
                .into(),
        )),
    }
}

/// Decodes an image, refusing one with more than `max_pixels` pixels before any
/// pixel is decoded (a small file can declare a huge image), and applying the
/// orientation the camera recorded.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, ApiError> {
    let unreadable = |e: image::ImageError| {
        ApiError::UnsupportedMediaType(format!("the image cannot be decoded: {e}"))
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ApiError::UnsupportedMediaType(format!("the image cannot be read: {e}")))?;
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels {
        return Err(ApiError::PayloadTooLarge(format!(
            "the image is {width}×{height} ({pixels} pixels); at most {max_pixels} pixels \
             are accepted (FOLIO_MAX_ASSET_PIXELS)"
        )));
    }
    let mut limits = image::Limits::default();
    // Room for the decoded frame at up to 16 bytes a pixel, and no more.
    limits.max_alloc = Some(max_pixels.saturating_mul(16));
    decoder.set_limits(limits).map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

fn facts(picture: &DynamicImage) -> Result<ImageFacts, ApiError> {
    let small = picture.thumbnail(32, 32).to_rgba8();
    let placeholder = blurhash::encode(4, 3, small.width(), small.height(), small.as_raw())
        .map_err(|e| ApiError::Internal(format!("placeholder: {e}")))?;
    Ok(ImageFacts {
        width: picture.width(),
        height: picture.height(),
        placeholder,
        color: average_color(small.as_raw()),
    })
}

/// The mean of RGBA pixels, weighted by opacity, as `#rrggbb`.
fn average_color(rgba: &[u8]) -> String {
    let (mut sum, mut weight) = ([0u64; 3], 0u64);
    for pixel in rgba.chunks_exact(4) {
        let alpha = u64::from(pixel[3]);
        for (total, channel) in sum.iter_mut().zip(pixel) {
            *total += u64::from(*channel) * alpha;
        }
        weight += alpha;
    }
    let mean = |total: u64| total.checked_div(weight).unwrap_or(255);
    format!(
        "#{:02x}{:02x}{:02x}",
        mean(sum[0]),
        mean(sum[1]),
        mean(sum[2])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([200, 40, 40]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(picture)
            .write_to(&mut out, ImageFormat::Png)
            .expect("encode a PNG");
        out.into_inner()
    }

    #[test]
    fn finds_the_type_from_the_content() {
        let probed = probe(&png(40, 30), Some("application/octet-stream"), 1_000_000)
            .expect("a PNG is accepted");
        assert_eq!(probed.media_type, "image/png");
        let image = probed.image.expect("an image");
        assert_eq!((image.width, image.height), (40, 30));
        assert_eq!(image.color, "#c82828");
        assert!(!image.placeholder.is_empty());
    }

    #[test]
    fn refuses_what_contradicts_its_claim() {
        let e = probe(&png(4, 4), Some("image/jpeg"), 1_000_000).expect_err("not a JPEG");
        assert!(e.to_string().contains("image/png"), "{e}");
        let e = probe(b"<svg onload=alert(1)>", Some("image/svg+xml"), 1_000_000)
            .expect_err("SVG refused");
        assert!(matches!(e, ApiError::UnsupportedMediaType(_)), "{e}");
    }

    #[test]
    fn refuses_too_many_pixels_before_decoding() {
        let e = probe(&png(300, 300), None, 10_000).expect_err("too many pixels");
        assert!(matches!(e, ApiError::PayloadTooLarge(_)), "{e}");
    }
}
