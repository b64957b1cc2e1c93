//! What a handler tells the layers around it through its request or response.

/// Set on an answer replayed for a repeated `Idempotency-Key`.
pub const REPLAYED: &str = "idempotent-replayed";

/// Marks a request whose answer depends on its `Accept-Language`, for the
/// `Vary` header (`caching::cache_headers`).
#[derive(Debug, Clone, Copy)]
pub struct VariesByLanguage;
