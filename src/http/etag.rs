//! A body's strong ETag, and the version of a resource folded into it (see
//! `api::precondition` for how `If-Match` reads it back).

use sha2::{Digest, Sha256};

/// The strong ETag of a body: what `If-None-Match` and `If-Match` are compared with.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// The response header through which a handler tells the ETag layer which version
/// of a resource it answers with; the layer folds it into the ETag and removes it.
pub const VERSION_HEADER: &str = "x-folio-version";

/// The header a handler adds to an answer showing version `version` of a resource.
pub fn version_header(version: i32) -> (&'static str, String) {
    (VERSION_HEADER, version.to_string())
}

/// An ETag (`"hash"`) made to name `version` too: `"v7-hash"`.
pub fn versioned_etag(version: &str, etag: &str) -> String {
    format!("\"v{version}-{}", etag.trim_start_matches('"'))
}
