//! When content last changed, for `Last-Modified`: read from the change log, which
//! also records what does not touch a row's own `updated_at` (an article whose
//! tag was renamed, an article that left a list).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::changes;
use super::AnyConnection;
use crate::error::ApiResult;

/// The time of the newest change of anything: what any list may depend on.
pub fn anything(conn: &mut AnyConnection) -> ApiResult<Option<NaiveDateTime>> {
    Ok(changes::table
        .order(changes::seq.desc())
        .select(changes::changed_at)
        .first(conn)
        .optional()?)
}

/// When a resource last changed: its newest logged change, or `since` (its own
/// record of its last edit) when that is later or the log was trimmed past it.
pub fn since_either(logged: Option<NaiveDateTime>, since: NaiveDateTime) -> NaiveDateTime {
    logged.map_or(since, |at| at.max(since))
}
