//! How assets are shown: on their own, as an article's cover, and as the
//! responsive images an article body names.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::{Captures, Regex};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::assets::transform::{geometry, Format, Recipe, DEFAULT_QUALITY};
use crate::assets::{Preset, BODY_SIZES, PRESETS, SRCSET_PRESETS};
use crate::db::assets::AssetRow;
use crate::site::Site;

/// Where in the picture the subject is, from the top-left corner (0 to 1 each):
/// crops keep it in view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({"x": 0.5, "y": 0.35}))]
pub struct FocalPoint {
    #[schema(minimum = 0, maximum = 1)]
    pub x: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub y: f64,
}

/// One size of an image.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Rendition {
    /// Immutable: the address changes when the picture or its focal point does.
    #[schema(format = "uri")]
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// An uploaded file, with its description; images also carry their sizes.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41",
    "url": "https://api.news.example/v1/assets/5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41/file",
    "media_type": "image/jpeg", "filename": "astana.jpg", "byte_size": 482113,
    "width": 4000, "height": 2667,
    "alt": "Le palais présidentiel d’Astana sous la neige", "caption": "Astana, le 27 novembre 2024.", "credit": "Claire Dubois",
    "focal_point": {"x": 0.5, "y": 0.4},
    "placeholder": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "color": "#8a9bb0",
    "srcset": "https://api.news.example/v1/assets/5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41/small?v=3f2a9c1d0b7e 480w",
    "presets": {"small": {"url": "https://api.news.example/v1/assets/5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41/small?v=3f2a9c1d0b7e", "width": 480, "height": 320}},
    "created_at": "2024-11-27T08:00:00Z", "updated_at": "2024-11-27T08:00:00Z"
}))]
pub struct Asset {
    #[schema(format = Uuid)]
    pub id: String,
    /// The file as uploaded.
    #[schema(format = "uri")]
    pub url: String,
    /// Found from the content, not from the name.
    pub media_type: String,
    pub filename: String,
    pub byte_size: i64,
    /// In pixels, as shown (after the camera's orientation); null for other files.
    #[schema(required = true)]
    pub width: Option<u32>,
    #[schema(required = true)]
    pub height: Option<u32>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_point: FocalPoint,
    /// A BlurHash to show while the image loads.
    #[schema(required = true)]
    pub placeholder: Option<String>,
    /// The image's average colour, `#rrggbb`.
    #[schema(required = true)]
    pub color: Option<String>,
    /// For `<img srcset>`: the widths an image comes in. Null for other files.
    #[schema(required = true)]
    pub srcset: Option<String>,
    /// Each preset's address and size (empty for other files).
    pub presets: BTreeMap<String, Rendition>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an image's copies depend on: its bytes and its focal point. Put in their
/// addresses (`v`), it lets caches keep a copy for good.
pub fn render_key(row: &AssetRow) -> String {
    let mut hash = Sha256::new();
    hash.update(row.sha256.as_bytes());
    hash.update(format!("{:.4},{:.4}", row.focal_x, row.focal_y).as_bytes());
    hex::encode(hash.finalize())[..12].to_owned()
}

/// The copy a preset makes, in the encoding the client gets by default.
pub fn preset_recipe(preset: &Preset, format: Format) -> Recipe {
    Recipe {
        width: Some(preset.width),
        height: preset.height,
        fit: preset.fit(),
        format,
        quality: DEFAULT_QUALITY,
    }
}

fn renditions(row: &AssetRow, site: &Site) -> BTreeMap<String, Rendition> {
    let (Some(width), Some(height)) = (row.width, row.height) else {
        return BTreeMap::new();
    };
    let original = (width.max(1) as u32, height.max(1) as u32);
    let key = render_key(row);
    PRESETS
        .iter()
        .map(|preset| {
            let shape = geometry(original, &preset_recipe(preset, Format::Jpeg), row.focal());
            let rendition = Rendition {
                url: format!("{}?v={key}", site.asset_url(&row.public_id, preset.name)),
                width: shape.width,
                height: shape.height,
            };
            (preset.name.to_owned(), rendition)
        })
        .collect()
}

/// `srcset` from the width-only presets, each width once (a small original
/// makes several presets the same size).
fn srcset(presets: &BTreeMap<String, Rendition>) -> Option<String> {
    let mut widths: Vec<&Rendition> = Vec::new();
    for name in SRCSET_PRESETS {
        if let Some(r) = presets.get(name) {
            if widths.iter().all(|w| w.width != r.width) {
                widths.push(r);
            }
        }
    }
    (!widths.is_empty()).then(|| {
        widths
            .iter()
            .map(|r| format!("{} {}w", r.url, r.width))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

impl Asset {
    pub fn new(row: AssetRow, site: &Site) -> Self {
        let presets = renditions(&row, site);
        Self {
            url: site.asset_url(&row.public_id, "file"),
            srcset: srcset(&presets),
            presets,
            width: row.width.map(|w| w as u32),
            height: row.height.map(|h| h as u32),
            focal_point: FocalPoint {
                x: row.focal_x,
                y: row.focal_y,
            },
            id: row.public_id,
            media_type: row.media_type,
            filename: row.filename,
            byte_size: row.byte_size,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            placeholder: row.placeholder,
            color: row.color,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// `<img src="asset:ID" …>` and `<a href="asset:ID" …>` as the sanitiser leaves
/// them in a stored `body_html`.
static ASSET_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(img|a) (src|href)="asset:\s*([0-9A-Fa-f-]{36})\s*"([^>]*)>"#)
        .expect("ASSET_REF is a valid regular expression")
});

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

/// Gives a stored `body_html` the addresses of the assets it names: images
/// become responsive (`srcset`, `sizes`, `width`, `height`, lazy loading, the
/// asset's alt text when the body gave none), links point at the file. A name
/// whose asset is gone loses its address and keeps its text.
pub fn expand_body(html: &str, assets: &[AssetRow], site: &Site) -> String {
    if !html.contains("=\"asset:") {
        return html.to_owned();
    }
    ASSET_REF
        .replace_all(html, |caps: &Captures| {
            let (element, id, rest) = (&caps[1], caps[3].to_ascii_lowercase(), &caps[4]);
            let Some(row) = assets.iter().find(|a| a.public_id == id) else {
                return format!("<{element}{rest}>");
            };
            if element == "a" || !row.is_image() {
                let attribute = if element == "a" { "href" } else { "src" };
                let url = site.asset_url(&row.public_id, "file");
                return format!("<{element} {attribute}=\"{}\"{rest}>", escape_attribute(&url));
            }
            let presets = renditions(row, site);
            let Some(medium) = presets.get("medium") else {
                return format!("<{element}{rest}>");
            };
            // An image the body left without words gets the asset's alt text.
            let rest = if rest.contains(" alt=\"\"") && !row.alt.is_empty() {
                rest.replacen(" alt=\"\"", &format!(" alt=\"{}\"", escape_attribute(&row.alt)), 1)
            } else {
                rest.to_owned()
            };
            let mut img = format!(
                "<img src=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\" sizes=\"{BODY_SIZES}\"",
                escape_attribute(&medium.url),
                medium.width,
                medium.height
            );
            if let Some(srcset) = srcset(&presets) {
                img.push_str(&format!(" srcset=\"{}\"", escape_attribute(&srcset)));
            }
            img.push_str(&rest);
            img.push('>');
            img
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(width: i32, height: i32) -> AssetRow {
        let t = chrono::NaiveDateTime::default();
        AssetRow {
            id: 1,
            public_id: "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10".into(),
            media_type: "image/jpeg".into(),
            filename: "astana.jpg".into(),
            byte_size: 1000,
            sha256: "ab".repeat(32),
            width: Some(width),
            height: Some(height),
            placeholder: Some("L00000fQfQfQfQfQfQfQfQfQfQfQ".into()),
            color: Some("#808080".into()),
            alt: "Astana".into(),
            caption: String::new(),
            credit: String::new(),
            focal_x: 0.5,
            focal_y: 0.5,
            created_at: t,
            updated_at: t,
            version: 1,
        }
    }

    fn site() -> Site {
        Site {
            assets_url: Some("https://api.news.example/v1/assets".into()),
            ..Site::default()
        }
    }

    #[test]
    fn body_images_become_responsive() {
        let asset = row(4000, 3000);
        let html =
            r#"<p><img src="asset:0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10" alt="« Astana »"></p>"#;
        let out = expand_body(html, &[asset], &site());
        assert!(out.contains(r#"src="https://api.news.example/v1/assets/0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10/medium?v="#), "{out}");
        assert!(
            out.contains(r#"width="960" height="720" loading="lazy""#),
            "{out}"
        );
        assert!(out.contains(" 480w, ") && out.contains(" 1600w\""), "{out}");
        assert!(out.contains(r#"alt="« Astana »""#), "{out}");
    }

    #[test]
    fn a_small_original_offers_each_width_once() {
        let asset = Asset::new(row(500, 400), &site());
        let srcset = asset.srcset.unwrap_or_default();
        assert_eq!(srcset.matches("w,").count() + 1, 2, "{srcset}");
    }

    #[test]
    fn a_missing_asset_keeps_its_text() {
        let html = r#"<img src="asset:0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10" alt="Astana">"#;
        assert_eq!(expand_body(html, &[], &site()), r#"<img alt="Astana">"#);
    }
}
