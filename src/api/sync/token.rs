//! Sync tokens: where a sync has got to and with which filters, signed with a key
//! every node reads from the database, so any node takes any token and a forged
//! one is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::content::ids::ArticleId;
use crate::db::article_list::ArticleFilter;
use crate::db::articles::Visibility;
use crate::db::changes::Resource;
use crate::db::shared_state;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};

/// Longer than any token this server issues.
const MAX_TOKEN_CHARS: usize = 4096;

/// Where a first sync has got to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Position {
    pub(super) kind: Resource,
    /// Sections, tags and authors go in id order.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) after_id: i32,
    /// Articles go in the article list's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cursor: Option<String>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// What a token says: the change it has seen through, where a first sync has got
/// to, and the sync's filters and visibility.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SyncState {
    pub(super) seq: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) initial: Option<Position>,
    pub(super) kinds: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) language: Option<String>,
    pub(super) preview: bool,
    /// The page size the sync started with, kept so that every page of it holds
    /// as many items unless the client asks otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) per_page: Option<i64>,
}

/// The `folio_state` entry holding the key that signs tokens.
const KEY_NAME: &str = "sync_token_key";

/// The signing key, made on first use; every node reads the same one.
pub(super) fn signing_key(conn: &mut AnyConnection) -> ApiResult<Vec<u8>> {
    let fresh = hex::encode(rand::random::<[u8; 32]>());
    let key = shared_state::state_or_insert(conn, KEY_NAME, &fresh)?;
    hex::decode(key).map_err(|e| ApiError::Internal(format!("unreadable sync key: {e}")))
}

fn mac(key: &[u8], payload: &str) -> ApiResult<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| ApiError::Internal(format!("sync key: {e}")))?;
    mac.update(payload.as_bytes());
    Ok(mac)
}

impl SyncState {
    pub(super) fn encode(&self, key: &[u8]) -> ApiResult<String> {
        let json = serde_json::to_vec(self)
            .map_err(|e| ApiError::Internal(format!("cannot encode a sync token: {e}")))?;
        let payload = URL_SAFE_NO_PAD.encode(json);
        let signature = URL_SAFE_NO_PAD.encode(mac(key, &payload)?.finalize().into_bytes());
        Ok(format!("{payload}.{signature}"))
    }

    pub(super) fn decode(token: &str, key: &[u8], name: &str) -> ApiResult<Self> {
        let refused = || {
            ApiError::BadRequest(format!(
                "{name} is not a token this server issued; start over with initial=true"
            ))
        };
        if token.len() > MAX_TOKEN_CHARS {
            return Err(refused());
        }
        let (payload, signature) = token.split_once('.').ok_or_else(refused)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refused())?;
        mac(key, payload)?
            .verify_slice(&signature)
            .map_err(|_| refused())?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
        serde_json::from_slice(&json).map_err(|_| refused())
    }

    /// Every kind of resource, unfiltered, drafts included.
    pub(super) fn everything_in_preview() -> Self {
        Self {
            seq: 0,
            initial: None,
            kinds: Resource::ALL.to_vec(),
            section: None,
            language: None,
            preview: true,
            per_page: None,
        }
    }

    pub(super) fn visibility(&self) -> Visibility {
        if self.preview {
            Visibility::Preview
        } else {
            Visibility::Public
        }
    }

    /// The kind a first sync goes on with after `kind`, if any.
    pub(super) fn kind_after(&self, kind: Option<Resource>) -> Option<Resource> {
        let order = Resource::ALL.into_iter().filter(|k| self.kinds.contains(k));
        match kind {
            None => order.into_iter().next(),
            Some(kind) => order.skip_while(|k| *k != kind).nth(1),
        }
    }

    pub(super) fn start_at(&mut self, kind: Option<Resource>) {
        self.initial = kind.map(|kind| Position {
            kind,
            after_id: 0,
            cursor: None,
        });
    }

    pub(super) fn article_filter(&self, ids: Vec<ArticleId>) -> ArticleFilter {
        ArticleFilter {
            section: self.section.clone(),
            descendants: true,
            language: self.language.clone(),
            ids,
            ..ArticleFilter::default()
        }
    }
}
