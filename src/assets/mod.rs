//! Media assets: where their files live, what is learnt from them at upload, and
//! the resized copies served from them.

pub mod archive;
pub mod gate;
pub mod in_flight;
pub mod probe;
pub mod store;
pub mod transform;

use std::time::Duration;

pub use store::{AssetStore, StoreLocation};

/// What asset handlers share across workers: the store, the transform gate and
/// the copies being made.
#[derive(Debug, Clone)]
pub struct AssetServices {
    pub store: AssetStore,
    pub gate: gate::TransformGate,
    pub making: in_flight::InFlight,
}

impl AssetServices {
    pub fn new(settings: &AssetSettings) -> Result<Self, String> {
        Ok(Self {
            store: AssetStore::open(&settings.store)?,
            gate: gate::TransformGate::new(settings.transforms, settings.transform_wait)?,
            making: in_flight::InFlight::default(),
        })
    }
}

/// What the server needs to know about assets (`FOLIO_ASSET_*`).
#[derive(Debug, Clone)]
pub struct AssetSettings {
    pub store: StoreLocation,
    /// `FOLIO_MAX_ASSET_BYTES`: the largest upload.
    pub max_bytes: usize,
    /// `FOLIO_MAX_ASSET_PIXELS`: the most pixels an image may have. Decoding takes
    /// four bytes a pixel, so this bounds a transform's memory (decompression bombs).
    pub max_pixels: u64,
    /// `FOLIO_ASSET_ARBITRARY_SIZES`: whether `/resize` takes any size, not only presets.
    pub arbitrary_sizes: bool,
    /// `FOLIO_ASSET_TRANSFORMS`: how many images are decoded or resized at once.
    pub transforms: usize,
    /// `FOLIO_ASSET_TRANSFORM_WAIT`: how long a request waits for a transform slot
    /// before it gets a 503 with `Retry-After`.
    pub transform_wait: Duration,
    /// `FOLIO_ASSET_TRANSFORM_TIME`: how long a request waits for a copy to be
    /// made (its turn included) before a 503 with `Retry-After`; the copy is
    /// finished and stored all the same, for the next request.
    pub transform_time: Duration,
}

pub const DEFAULT_MAX_BYTES: usize = 25 * 1024 * 1024;
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

impl Default for AssetSettings {
    fn default() -> Self {
        Self {
            store: StoreLocation::Local("assets".into()),
            max_bytes: DEFAULT_MAX_BYTES,
            max_pixels: DEFAULT_MAX_PIXELS,
            arbitrary_sizes: false,
            transforms: default_transforms(),
            transform_wait: Duration::from_secs(10),
            transform_time: Duration::from_secs(10),
        }
    }
}

/// Half the cores, at least one: transforms never take every core from the API.
pub fn default_transforms() -> usize {
    std::thread::available_parallelism()
        .map(|n| (n.get() / 2).max(1))
        .unwrap_or(1)
}

/// How an image is cut to a size.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Fills the box exactly, cropping around the focal point.
    Cover,
    /// Fits inside the box, keeping the whole picture.
    Contain,
}

/// A named size: what article JSON and `body_html` link to, and all that `/v1/assets/{id}/{preset}` serves
/// unless arbitrary sizes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub width: u32,
    /// With a height the image is cropped to the box around its focal point; without
    /// one it keeps its proportions.
    pub height: Option<u32>,
}

pub const PRESETS: [Preset; 5] = [
    Preset {
        name: "thumb",
        width: 320,
        height: Some(320),
    },
    Preset {
        name: "small",
        width: 480,
        height: None,
    },
    Preset {
        name: "medium",
        width: 960,
        height: None,
    },
    Preset {
        name: "large",
        width: 1600,
        height: None,
    },
    Preset {
        name: "social",
        width: 1200,
        height: Some(630),
    },
];

/// The presets a responsive image offers the browser in `srcset`, narrowest first.
pub const SRCSET_PRESETS: [&str; 3] = ["small", "medium", "large"];

/// `sizes` for images in an article body: the full width of a column of at most 960 pixels.
pub const BODY_SIZES: &str = "(max-width: 960px) 100vw, 960px";

impl Preset {
    pub fn named(name: &str) -> Option<Preset> {
        PRESETS.iter().copied().find(|p| p.name == name)
    }

    pub fn fit(&self) -> Fit {
        if self.height.is_some() {
            Fit::Cover
        } else {
            Fit::Contain
        }
    }
}

impl AssetSettings {
    pub fn from_env(database_url: &str) -> Result<Self, String> {
        use crate::environment::{duration, number, var};
        let defaults = Self::default();
        let arbitrary = var("FOLIO_ASSET_ARBITRARY_SIZES").unwrap_or_default();
        Ok(Self {
            store: match var("FOLIO_ASSET_STORE") {
                Some(location) => StoreLocation::parse(location.trim()),
                None => StoreLocation::beside(database_url),
            },
            max_bytes: number("FOLIO_MAX_ASSET_BYTES", defaults.max_bytes)?,
            max_pixels: number("FOLIO_MAX_ASSET_PIXELS", defaults.max_pixels)?,
            arbitrary_sizes: match arbitrary.trim() {
                "" | "false" | "0" => false,
                "true" | "1" => true,
                other => {
                    return Err(format!(
                        "FOLIO_ASSET_ARBITRARY_SIZES must be true or false (got {other:?})"
                    ))
                }
            },
            transforms: number("FOLIO_ASSET_TRANSFORMS", defaults.transforms)?.max(1),
            transform_wait: duration("FOLIO_ASSET_TRANSFORM_WAIT", defaults.transform_wait)?,
            transform_time: duration("FOLIO_ASSET_TRANSFORM_TIME", defaults.transform_time)?,
        })
    }
}
