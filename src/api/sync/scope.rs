//! What a sync or a stream covers: the kinds and filters it asks for, and whether
//! the change log still reaches back to where it resumes.

use crate::db::changes::{self, Resource};
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};

/// The kinds a `type` parameter names.
fn parse_kinds(text: Option<&str>) -> ApiResult<Vec<Resource>> {
    let Some(text) = text else {
        return Ok(Resource::ALL.to_vec());
    };
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = Resource::parse(name).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "type: {name:?} is not one of article, section, tag, author"
            ))
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(ApiError::BadRequest("type: name at least one kind".into()));
    }
    Ok(kinds)
}

/// The filters a sync or a stream takes: the kinds of item, and the section and
/// language of articles (checked as the article list checks them).
pub(super) fn filters(
    kinds: Option<&str>,
    section: Option<String>,
    language: Option<String>,
) -> ApiResult<(Vec<Resource>, Option<String>, Option<String>)> {
    let filter = crate::api::articles::query::scope(section, None, None, language)?;
    Ok((parse_kinds(kinds)?, filter.section, filter.language))
}

/// Whether the change log still holds what follows change `seq`: neither trimmed
/// past it nor short of it (a database restored from a backup, or another
/// database, numbers its changes anew, and waiting for `seq` would wait forever).
/// `what` names the client's bookmark and `restart` how to start over.
pub(super) fn resumable_after(
    conn: &mut AnyConnection,
    seq: i64,
    what: &str,
    restart: &str,
) -> ApiResult<()> {
    if seq < changes::trimmed_through(conn)? {
        return Err(ApiError::Gone(format!(
            "the change log no longer reaches back to this {what}; {restart}"
        )));
    }
    if seq > changes::latest(conn)? {
        return Err(ApiError::Gone(format!(
            "this {what} is ahead of the change log (the database was restored or replaced); {restart}"
        )));
    }
    Ok(())
}
