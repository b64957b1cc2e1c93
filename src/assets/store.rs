//! Where asset files live: a folder (the default, next to the database) or any
//! S3-compatible bucket, both through `object_store`.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::ApiError;

/// `FOLIO_ASSET_STORE`: a folder, or `s3://bucket/prefix` with the bucket's
/// credentials and endpoint from the usual `AWS_*` variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    Local(PathBuf),
    S3 {
        url: String,
        /// Settings given here rather than through `AWS_*` (`endpoint`, `region`, …).
        options: Vec<(String, String)>,
    },
}

impl StoreLocation {
    pub fn parse(text: &str) -> Self {
        if text.starts_with("s3://") {
            StoreLocation::S3 {
                url: text.to_owned(),
                options: Vec::new(),
            }
        } else {
            StoreLocation::Local(PathBuf::from(text))
        }
    }

    /// The default store: a folder beside an SQLite file (`folio.db` → `folio-assets`),
    /// otherwise `assets` in the working directory.
    pub fn beside(database_url: &str) -> Self {
        let file = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .filter(|f| !f.is_empty() && !f.starts_with(':'))
            .map(|f| PathBuf::from(f.split('?').next().unwrap_or(f)));
        match file {
            Some(file) => {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "folio".into());
                StoreLocation::Local(file.with_file_name(format!("{stem}-assets")))
            }
            None => StoreLocation::Local(PathBuf::from("assets")),
        }
    }
}

/// The asset store the server writes to and reads from.
#[derive(Debug, Clone)]
pub struct AssetStore {
    inner: Arc<dyn ObjectStore>,
}

fn failed(what: &str, e: object_store::Error) -> ApiError {
    ApiError::Unavailable(format!("the asset store could not {what}: {e}"))
}

impl AssetStore {
    pub fn open(location: &StoreLocation) -> Result<Self, String> {
        let inner: Arc<dyn ObjectStore> = match location {
            StoreLocation::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    format!("FOLIO_ASSET_STORE: cannot create {}: {e}", dir.display())
                })?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| format!("FOLIO_ASSET_STORE: {e}"))?
                        .with_automatic_cleanup(true),
                )
            }
            StoreLocation::S3 { url, options } => {
                let parsed = url::Url::parse(url).map_err(|e| format!("FOLIO_ASSET_STORE: {e}"))?;
                let mut builder = AmazonS3Builder::from_env().with_url(url.as_str());
                for (key, value) in options {
                    let key: AmazonS3ConfigKey = key
                        .parse()
                        .map_err(|e| format!("FOLIO_ASSET_STORE option {key}: {e}"))?;
                    builder = builder.with_config(key, value);
                }
                let bucket = builder
                    .build()
                    .map_err(|e| format!("FOLIO_ASSET_STORE: {e}"))?;
                let prefix = parsed.path().trim_matches('/');
                if prefix.is_empty() {
                    Arc::new(bucket)
                } else {
                    Arc::new(PrefixStore::new(bucket, prefix))
                }
            }
        };
        Ok(Self { inner })
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), ApiError> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(|e| failed("store a file", e))
    }

    /// The file at `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, ApiError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(found) => found
                .bytes()
                .await
                .map(Some)
                .map_err(|e| failed("read a file", e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed("read a file", e)),
        }
    }

    /// Removes every file under `prefix` (an asset's original and its copies).
    pub async fn delete_under(&self, prefix: &str) -> Result<(), ApiError> {
        let prefix = Path::from(prefix);
        let listed: Vec<Path> = self
            .inner
            .list(Some(&prefix))
            .filter_map(|meta| async move { meta.ok().map(|m| m.location) })
            .collect()
            .await;
        for location in listed {
            match self.inner.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(failed("delete a file", e)),
            }
        }
        Ok(())
    }
}

/// Where an asset's uploaded file is kept.
pub fn original_key(public_id: &str) -> String {
    format!("{public_id}/original")
}

/// Where a resized copy is kept: beside the original, so deleting the asset's
/// folder deletes its copies.
pub fn variant_key(public_id: &str, variant: &str) -> String {
    format!("{public_id}/variants/{variant}")
}
