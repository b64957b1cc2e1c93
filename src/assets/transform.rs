//! Resized copies of an image: their size, their crop around the focal point and
//! their encoding.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::avif::AvifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageEncoder};
use serde::{Deserialize, Serialize};

use super::Fit;
use crate::error::ApiError;

/// The encodings a copy can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Avif,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Avif => "image/avif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Avif => "avif",
        }
    }

    /// `format=auto`: WebP for clients that take it (every current browser), else
    /// JPEG, or PNG for a picture with transparency. AVIF is smaller still but takes
    /// ten times as long to encode, so it is made only when asked for by name.
    pub fn negotiate(accept: &str, has_alpha: bool) -> Format {
        let accepts = |media_type: &str| {
            accept.split(',').any(|part| {
                let mut pieces = part.split(';').map(str::trim);
                let name = pieces.next().unwrap_or_default();
                let refused = pieces.any(|p| p.replace(' ', "") == "q=0");
                name.eq_ignore_ascii_case(media_type) && !refused
            })
        };
        if accepts("image/webp") {
            Format::Webp
        } else if has_alpha {
            Format::Png
        } else {
            Format::Jpeg
        }
    }
}

/// A copy to make: a box, how the image goes into it, the encoding and its quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recipe {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Fit,
    pub format: Format,
    /// 1–100, for JPEG, WebP and AVIF.
    pub quality: u8,
}

pub const DEFAULT_QUALITY: u8 = 80;

impl Recipe {
    /// The name its copy is kept under: everything that makes it differ.
    pub fn variant_name(&self, focal: (f64, f64)) -> String {
        let side = |s: Option<u32>| s.map(|s| s.to_string()).unwrap_or_default();
        format!(
            "{}x{}-{:?}-q{}-f{:.3},{:.3}.{}",
            side(self.width),
            side(self.height),
            self.fit,
            self.quality,
            focal.0,
            focal.1,
            self.format.extension()
        )
        .to_lowercase()
    }
}

/// The part of the original that is shown, in its pixels, and the size it is shown at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub crop: (f64, f64, f64, f64),
    pub width: u32,
    pub height: u32,
}

fn at_least_one(side: f64) -> u32 {
    (side.round() as u32).max(1)
}

/// The most pixels a copy has (2048 × 2048): making one costs time in proportion
/// to its pixels, and a 4096 × 4096 AVIF took 42 s of a core. A larger box, or a
/// preset's width on a very tall picture, gives the largest copy of that shape
/// within the bound.
pub const MAX_COPY_PIXELS: f64 = 4_194_304.0;

/// A size scaled down, keeping its shape, to at most [`MAX_COPY_PIXELS`].
fn within_bound(width: f64, height: f64) -> (f64, f64) {
    let shrink = (MAX_COPY_PIXELS / (width * height)).sqrt().min(1.0);
    (width * shrink, height * shrink)
}

/// AVIF's encoder effort (rav1e's speed, 0 slowest to 10 fastest) for a copy of
/// `pixels`: AVIF takes several times as long as WebP, so larger copies are made
/// at its fastest speed, which costs a little size, not quality.
fn avif_speed(pixels: u64) -> u8 {
    if pixels <= 1_000_000 {
        8
    } else {
        10
    }
}

/// Where and how big: never larger than the original (an enlargement only blurs)
/// nor than [`MAX_COPY_PIXELS`], a `cover` box keeps its proportions when it has
/// to shrink, and its crop is centred on the focal point as far as the picture's
/// edges allow.
pub fn geometry(original: (u32, u32), recipe: &Recipe, focal: (f64, f64)) -> Geometry {
    let (ow, oh) = (f64::from(original.0), f64::from(original.1));
    let whole = (0.0, 0.0, ow, oh);
    let (w, h) = (recipe.width.map(f64::from), recipe.height.map(f64::from));
    match (recipe.fit, w, h) {
        (Fit::Cover, Some(w), Some(h)) => {
            let shrink = (ow / w).min(oh / h).min(1.0);
            let (tw, th) = within_bound(w * shrink, h * shrink);
            let scale = (tw / ow).max(th / oh);
            let (cw, ch) = (tw / scale, th / scale);
            let left = (focal.0 * ow - cw / 2.0).clamp(0.0, ow - cw);
            let top = (focal.1 * oh - ch / 2.0).clamp(0.0, oh - ch);
            Geometry {
                crop: (left, top, cw, ch),
                width: at_least_one(tw),
                height: at_least_one(th),
            }
        }
        _ => {
            let scale = [w.map(|w| w / ow), h.map(|h| h / oh), Some(1.0)]
                .into_iter()
                .flatten()
                .fold(f64::INFINITY, f64::min);
            let (width, height) = within_bound(ow * scale, oh * scale);
            Geometry {
                crop: whole,
                width: at_least_one(width),
                height: at_least_one(height),
            }
        }
    }
}

/// Makes the copy `recipe` describes from a decoded picture.
pub fn render(
    picture: &DynamicImage,
    recipe: &Recipe,
    focal: (f64, f64),
) -> Result<Vec<u8>, ApiError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::Internal(format!("could not {what} the image: {e}"))
    };
    let has_alpha = picture.color().has_alpha();
    // Eight-bit RGB(A), as decoders give most images, is resized where it is:
    // a copy of a 40-megapixel picture would double the transform's memory.
    let converted;
    let source = match picture {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => picture,
        _ if has_alpha => {
            converted = DynamicImage::ImageRgba8(picture.to_rgba8());
            &converted
        }
        _ => {
            converted = DynamicImage::ImageRgb8(picture.to_rgb8());
            &converted
        }
    };
    let shape = geometry((source.width(), source.height()), recipe, focal);
    let mut resized = if has_alpha {
        DynamicImage::new_rgba8(shape.width, shape.height)
    } else {
        DynamicImage::new_rgb8(shape.width, shape.height)
    };
    let (left, top, width, height) = shape.crop;
    let options = ResizeOptions::new()
        .crop(left, top, width, height)
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(source, &mut resized, &options)
        .map_err(|e| failed("resize", &e))?;
    let mut out = Cursor::new(Vec::new());
    let (w, h) = (resized.width(), resized.height());
    let quality = recipe.quality.clamp(1, 100);
    match recipe.format {
        Format::Jpeg => {
            let rgb = resized.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, quality)
                .write_image(rgb.as_raw(), w, h, image::ExtendedColorType::Rgb8)
                .map_err(|e| failed("encode", &e))?;
        }
        Format::Png => {
            PngEncoder::new(&mut out)
                .write_image(resized.as_bytes(), w, h, resized.color().into())
                .map_err(|e| failed("encode", &e))?;
        }
        Format::Avif => {
            let speed = avif_speed(u64::from(w) * u64::from(h));
            AvifEncoder::new_with_speed_quality(&mut out, speed, quality)
                .write_image(resized.as_bytes(), w, h, resized.color().into())
                .map_err(|e| failed("encode", &e))?;
        }
        Format::Webp => {
            let encoder = if has_alpha {
                webp::Encoder::from_rgba(resized.as_bytes(), w, h)
            } else {
                webp::Encoder::from_rgb(resized.as_bytes(), w, h)
            };
            return Ok(encoder.encode(f32::from(quality)).to_vec());
        }
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(width: Option<u32>, height: Option<u32>, fit: Fit) -> Recipe {
        Recipe {
            width,
            height,
            fit,
            format: Format::Jpeg,
            quality: DEFAULT_QUALITY,
        }
    }

    #[test]
    fn copies_are_bounded_in_pixels_keeping_their_shape() {
        let g = geometry(
            (6000, 6000),
            &recipe(Some(4096), Some(4096), Fit::Cover),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (2048, 2048));
        // A preset's width on a very tall picture.
        let g = geometry(
            (1600, 25_000),
            &recipe(Some(1600), None, Fit::Contain),
            (0.5, 0.5),
        );
        assert!(f64::from(g.width) * f64::from(g.height) <= MAX_COPY_PIXELS + 1.0);
        let shaped = f64::from(g.width) * 25_000.0 / 1600.0;
        assert!(
            (shaped - f64::from(g.height)).abs() < 16.0,
            "the shape is kept: {g:?}"
        );
        // Every preset of a common photo is within the bound already.
        let g = geometry(
            (6000, 4000),
            &recipe(Some(1600), None, Fit::Contain),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (1600, 1067));
    }

    #[test]
    fn never_enlarges() {
        let g = geometry(
            (400, 300),
            &recipe(Some(960), None, Fit::Contain),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (400, 300));
        let g = geometry(
            (400, 300),
            &recipe(Some(1200), Some(630), Fit::Cover),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (400, 210));
    }

    #[test]
    fn keeps_proportions_inside_a_box() {
        let g = geometry(
            (4000, 3000),
            &recipe(Some(960), None, Fit::Contain),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (960, 720));
        let g = geometry(
            (4000, 3000),
            &recipe(Some(960), Some(300), Fit::Contain),
            (0.5, 0.5),
        );
        assert_eq!((g.width, g.height), (400, 300));
    }

    #[test]
    fn crops_around_the_focal_point_within_the_picture() {
        // A square from a landscape picture whose subject stands at the right edge.
        let g = geometry(
            (4000, 2000),
            &recipe(Some(320), Some(320), Fit::Cover),
            (0.9, 0.5),
        );
        assert_eq!((g.width, g.height), (320, 320));
        let (left, top, width, height) = g.crop;
        assert_eq!((width, height), (2000.0, 2000.0));
        assert_eq!((left, top), (2000.0, 0.0), "clamped to the right edge");
        let g = geometry(
            (4000, 2000),
            &recipe(Some(320), Some(320), Fit::Cover),
            (0.4, 0.5),
        );
        assert_eq!(g.crop.0, 600.0, "centred on x = 1600");
    }

    #[test]
    fn negotiates_from_accept() {
        assert_eq!(
            Format::negotiate("image/avif,image/webp,image/apng,*/*;q=0.8", false),
            Format::Webp
        );
        assert_eq!(
            Format::negotiate("image/webp;q=0, */*", false),
            Format::Jpeg
        );
        assert_eq!(Format::negotiate("*/*", true), Format::Png);
    }

    #[test]
    fn renders_each_format() -> Result<(), ApiError> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            64,
            48,
            image::Rgb([10, 120, 200]),
        ));
        for format in [Format::Jpeg, Format::Png, Format::Webp, Format::Avif] {
            let bytes = render(
                &picture,
                &Recipe {
                    format,
                    ..recipe(Some(32), None, Fit::Contain)
                },
                (0.5, 0.5),
            )?;
            let guessed = image::guess_format(&bytes).ok();
            if format != Format::Avif {
                assert_eq!(guessed.map(|f| f.to_mime_type()), Some(format.media_type()));
            } else {
                assert_eq!(&bytes[4..12], b"ftypavif");
            }
        }
        Ok(())
    }
}
