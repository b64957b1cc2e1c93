//! Reading rows by id or by page, and slugs mapped to ids.

use crate::error::{ApiError, ApiResult};

/// Which rows of a table to read by id: for sync, which pages through a table in
/// id order and then reads back just the rows that changed.
#[derive(Debug, Clone, Copy)]
pub enum ById<'a> {
    /// In id order, the ids after this one, at most this many.
    After(i32, i64),
    /// Exactly these ids (those that still exist).
    Only(&'a [i32]),
}

/// Offset and limit for page-numbered lists.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// Maps slugs to ids in the order asked, or a validation error naming every unknown slug.
pub fn resolve_in_order(
    slugs: &[String],
    found: &[(i32, String)],
    field: &str,
    what: &str,
) -> ApiResult<Vec<i32>> {
    let mut ids = Vec::with_capacity(slugs.len());
    let mut missing = Vec::new();
    for slug in slugs {
        match found.iter().find(|(_, s)| s == slug) {
            Some((id, _)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => missing.push(slug.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::unknown_reference(
            field,
            format!(
                "no {what} with slug {}; create it first",
                missing.join(", ")
            ),
        ))
    }
}
