//! How an asset is addressed: its id in a path, and the cache keys of what shows it.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::surrogate::{self, SurrogateKeys};

/// An asset's id in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct AssetPath(
    /// The asset's id.
    #[param(example = "5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41")]
    pub uuid::Uuid,
);

/// What a response about one asset depends on: its record, file and copies,
/// purged from caches when it is edited or deleted.
pub(super) fn asset_keys(public_id: &str) -> SurrogateKeys {
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::asset(public_id));
    keys
}
