//! What a handler tells the layers around it through its request or response,
//! and what those layers read of a request to know it in advance.

use serde::Deserialize;

/// Set on an answer replayed for a repeated `Idempotency-Key`.
pub const REPLAYED: &str = "idempotent-replayed";

/// Marks a request whose answer depends on its `Accept-Language`, for the
/// `Vary` header (`caching::cache_headers`).
#[derive(Debug, Clone, Copy)]
pub struct VariesByLanguage;

/// The `locale` that asks for the languages of the request's `Accept-Language`.
pub const FROM_HEADER: &str = "auto";

/// Whether the query string asks for `locale=auto`: such answers are not kept
/// by the response cache, whose entries are keyed by URL alone.
pub fn follows_accept_language(query: &str) -> bool {
    #[derive(Deserialize)]
    struct Asked {
        locale: Option<String>,
    }
    serde_urlencoded::from_str::<Asked>(query)
        .is_ok_and(|asked| asked.locale.as_deref() == Some(FROM_HEADER))
}
