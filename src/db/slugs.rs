//! Choosing a free slug for a new resource.

use super::connection::AnyConnection;
use crate::error::{ApiError, ApiResult};

/// Which of some slugs a kind of resource already uses: one query however many are asked.
pub type TakenSlugs<'a> =
    &'a mut dyn FnMut(&mut AnyConnection, &[String]) -> ApiResult<Vec<String>>;

/// How many derived candidates one query checks once the plain slug is taken.
const SLUG_CANDIDATES_PER_QUERY: u32 = 64;

/// The slug for a new resource: the one asked for (409 if taken), or one made
/// from `source` with `-2`, `-3`… appended until it is free.
///
/// Writers never race for a slug: write transactions take turns on both backends
/// (see `tx::run_tx`), so what this reads stays true until the row is written.
pub fn choose_slug(
    conn: &mut AnyConnection,
    requested: Option<String>,
    source: &str,
    what: &str,
    taken: TakenSlugs,
) -> ApiResult<String> {
    if let Some(slug) = requested {
        ensure_free(conn, &slug, what, taken)?;
        return Ok(slug);
    }
    let mut base = crate::content::slug::slugify(source);
    if base.is_empty() {
        base = what.to_owned();
    }
    // The plain slug alone first (the common case), then candidates in batches, so a
    // title used a thousand times costs a few queries rather than a thousand.
    let mut first = 1;
    let mut batch = 1;
    while first < 10_000 {
        let candidates: Vec<String> = (first..first + batch)
            .map(|n| crate::content::slug::candidate(&base, n))
            .collect();
        let used = taken(conn, &candidates)?;
        if let Some(free) = candidates.into_iter().find(|c| !used.contains(c)) {
            return Ok(free);
        }
        first += batch;
        batch = SLUG_CANDIDATES_PER_QUERY;
    }
    Err(ApiError::Conflict(format!(
        "no free slug derived from {base:?}; give one explicitly"
    )))
}

/// 409 when an explicitly requested slug is already used.
pub fn ensure_free(
    conn: &mut AnyConnection,
    slug: &str,
    what: &str,
    taken: TakenSlugs,
) -> ApiResult<()> {
    if !taken(conn, &[slug.to_owned()])?.is_empty() {
        return Err(ApiError::Conflict(format!(
            "the slug {slug:?} is already used by another {what}"
        )));
    }
    Ok(())
}
