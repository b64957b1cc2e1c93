//! The change log: every write appends one row per resource it changed, in the
//! write's own transaction, so a change and its record are kept or lost together.
//! Sequence numbers follow commit order (see `run_tx`): sync, webhooks and the
//! live stream read the log from where they left off.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::changes;
use super::shared_state::set_state;
use super::AnyConnection;
use crate::error::ApiResult;

mod implied;

mod named;

pub use super::commit::change as append;
pub use crate::content::change::{article_action, fields_set, Action, Change, Resource};
pub use crate::content::publication::Standing;
pub use implied::{
    articles_showing, changes_translations, log_shown_differently, other_versions, Shown,
};
pub use named::{log_named_created, log_named_deleted, log_named_update};

/// One row of the log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub resource: String,
    pub resource_id: i32,
    pub public_id: String,
    pub slug: String,
    pub previous_slug: Option<String>,
    pub version: i32,
    pub action: String,
    pub actor: String,
    pub changed_at: NaiveDateTime,
    pub fields: String,
    pub section_id: Option<i32>,
    pub language: Option<String>,
    pub implied: bool,
}

/// The changes after `seq`, oldest first, at most `limit`.
pub fn after(conn: &mut AnyConnection, seq: i64, limit: i64) -> ApiResult<Vec<ChangeRow>> {
    Ok(changes::table
        .filter(changes::seq.gt(seq))
        .order(changes::seq)
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// The newest change's number and time, if there is one.
pub fn newest(conn: &mut AnyConnection) -> ApiResult<Option<(i64, NaiveDateTime)>> {
    Ok(changes::table
        .order(changes::seq.desc())
        .select((changes::seq, changes::changed_at))
        .first(conn)
        .optional()?)
}

/// The number of the newest change (0 when there is none).
pub fn latest(conn: &mut AnyConnection) -> ApiResult<i64> {
    let newest: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    Ok(newest.unwrap_or(0))
}

/// The slugs a resource left behind in the changes after `seq`.
pub fn earlier_slugs(
    conn: &mut AnyConnection,
    resource: Resource,
    resource_id: i32,
    seq: i64,
) -> ApiResult<Vec<String>> {
    let previous: Vec<Option<String>> = changes::table
        .filter(changes::resource.eq(resource.as_str()))
        .filter(changes::resource_id.eq(resource_id))
        .filter(changes::seq.gt(seq))
        .select(changes::previous_slug)
        .load(conn)?;
    Ok(previous.into_iter().flatten().collect())
}

/// The name under which the log's trimming point is kept in `folio_state`.
const TRIMMED_THROUGH: &str = "changes_trimmed_through";

/// Ends sync and live-stream resumption for changes made before `sync_cutoff`:
/// readers further behind must start over (see `trimmed_through`). Rows go only
/// once no reader needs them: the audit log reads every write, so a write's row
/// stays until `audit_cutoff` (forever without one); a change implied by another
/// write goes with the sync cutoff. Returns how many rows went.
pub fn trim(
    conn: &mut AnyConnection,
    sync_cutoff: NaiveDateTime,
    audit_cutoff: Option<NaiveDateTime>,
) -> ApiResult<usize> {
    let through: Option<i64> = changes::table
        .filter(changes::changed_at.lt(sync_cutoff))
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    let Some(through) = through else {
        return Ok(0);
    };
    let mut deleted = diesel::delete(
        changes::table
            .filter(changes::seq.le(through))
            .filter(changes::implied.eq(true)),
    )
    .execute(conn)?;
    if let Some(audit_cutoff) = audit_cutoff {
        deleted += diesel::delete(
            changes::table
                .filter(changes::seq.le(through))
                .filter(changes::changed_at.lt(audit_cutoff)),
        )
        .execute(conn)?;
    }
    set_state(conn, TRIMMED_THROUGH, &through.to_string())?;
    Ok(deleted)
}

/// The number of the last change trimmed from the log (0 when none was).
pub fn trimmed_through(conn: &mut AnyConnection) -> ApiResult<i64> {
    Ok(super::shared_state::get(conn, TRIMMED_THROUGH)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::{article_action, Action, Standing::*};

    #[test]
    fn article_changes_are_named_by_what_readers_see() {
        assert_eq!(article_action(None, Hidden, false), Action::Created);
        assert_eq!(article_action(None, Public, false), Action::Published);
        assert_eq!(article_action(None, Scheduled, false), Action::Scheduled);
        assert_eq!(article_action(Some(Hidden), Hidden, false), Action::Updated);
        assert_eq!(
            article_action(Some(Hidden), Public, false),
            Action::Published
        );
        assert_eq!(article_action(Some(Public), Public, false), Action::Updated);
        assert_eq!(
            article_action(Some(Public), Hidden, false),
            Action::Unpublished
        );
        assert_eq!(
            article_action(Some(Public), Scheduled, true),
            Action::Scheduled
        );
        assert_eq!(
            article_action(Some(Scheduled), Scheduled, false),
            Action::Updated
        );
        assert_eq!(
            article_action(Some(Scheduled), Scheduled, true),
            Action::Scheduled
        );
        assert_eq!(
            article_action(Some(Scheduled), Hidden, false),
            Action::Unpublished
        );
        assert_eq!(
            article_action(Some(Scheduled), Public, false),
            Action::Published
        );
    }
}
