//! Asset files in an export: `folio export` copies each upload into a folder
//! beside the NDJSON (named by asset id), and restoring the export puts them
//! back into the asset store, checked against the digests the export records.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::store::original_key;
use super::AssetStore;

/// The folder beside an export file: `site.ndjson` → `site-assets`.
pub fn beside(export: &Path) -> PathBuf {
    let stem = export
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    export.with_file_name(format!("{stem}-assets"))
}

fn run<T>(work: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    actix_rt::System::new().block_on(work)
}

/// Copies the uploads of `assets` (public id, SHA-256) from the store into `dir`.
pub fn export_files(
    store: &AssetStore,
    assets: &[(String, String)],
    dir: &Path,
) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    run(async {
        for (public_id, _) in assets {
            let bytes = store
                .get(&original_key(public_id))
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("asset {public_id}: its file is missing from the store"))?;
            let path = dir.join(public_id);
            std::fs::write(&path, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(assets.len())
    })
}

/// Puts the files of `assets` (public id, SHA-256) from `dir` into the store,
/// each checked against its digest. A file the store already holds is left.
pub fn restore_files(
    store: &AssetStore,
    assets: &[(String, String)],
    dir: &Path,
) -> Result<usize, String> {
    run(async {
        let mut restored = 0;
        for (public_id, sha256) in assets {
            let key = original_key(public_id);
            if store.get(&key).await.map_err(|e| e.to_string())?.is_some() {
                continue;
            }
            let path = dir.join(public_id);
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("asset {public_id}: cannot read {}: {e}", path.display()))?;
            if hex::encode(Sha256::digest(&bytes)) != *sha256 {
                return Err(format!(
                    "asset {public_id}: {} is not the file the export recorded",
                    path.display()
                ));
            }
            store
                .put(&key, bytes.into())
                .await
                .map_err(|e| e.to_string())?;
            restored += 1;
        }
        Ok(restored)
    })
}
