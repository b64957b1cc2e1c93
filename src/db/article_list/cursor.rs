//! Keyset pagination: the opaque cursor that says where the next page starts.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::filter::{Sort, MAX_RELEVANCE_OFFSET};
use crate::content::dates;
use crate::db::articles::ArticleRow;
use crate::error::{ApiError, ApiResult};

/// Longer than any cursor this server issues (a title key is at most a few KB).
const MAX_CURSOR_CHARS: usize = 8_192;

/// The sort key of the last item seen: where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub(super) sort: Sort,
    pub(super) date: Option<NaiveDateTime>,
    pub(super) text: Option<String>,
    pub(super) id: i32,
    /// Relevance has no stable key to continue from: its cursor is a position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) offset: Option<i64>,
}

impl Cursor {
    pub(super) fn after(sort: Sort, row: &ArticleRow, offset: i64) -> Self {
        let (date, text) = match sort {
            Sort::PublishedDesc | Sort::PublishedAsc => (row.published_at, None),
            Sort::UpdatedDesc | Sort::UpdatedAsc => (Some(row.updated_at), None),
            Sort::Title => (None, Some(row.title_key.clone())),
            Sort::Relevance => (None, None),
        };
        Self {
            sort,
            date,
            text,
            id: row.id,
            offset: (sort == Sort::Relevance).then_some(offset),
        }
    }

    /// The opaque form handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str, sort: Sort) -> ApiResult<Self> {
        let invalid = || {
            ApiError::BadRequest(
                "cursor is not one this server issued; start again without it".into(),
            )
        };
        if text.len() > MAX_CURSOR_CHARS {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        // A cursor comes back from the client: every value in it is checked as
        // if typed by hand (a crafted offset must not overflow or page past the cap).
        let offset_ok = match (cursor.sort, cursor.offset) {
            (Sort::Relevance, Some(offset)) => (0..=MAX_RELEVANCE_OFFSET).contains(&offset),
            (Sort::Relevance, None) => false,
            (_, offset) => offset.is_none(),
        };
        let date_ok = cursor.date.as_ref().is_none_or(dates::in_supported_years);
        if !offset_ok || !date_ok || cursor.id < 0 {
            return Err(invalid());
        }
        if cursor.sort != sort {
            return Err(ApiError::BadRequest(
                "cursor belongs to another sort order; keep the sort of the request that returned it"
                    .into(),
            ));
        }
        Ok(cursor)
    }
}
