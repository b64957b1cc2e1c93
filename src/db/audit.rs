//! The audit log: one row per write, written in the write's own transaction, so
//! that a change and its record are kept or lost together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::{now, AnyConnection, PageRequest};
use crate::error::ApiResult;

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Revoke,
    Restore,
    Purge,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Revoke => "revoke",
            Action::Restore => "restore",
            Action::Purge => "purge",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
}

/// Records that `actor` (a token's name, or `folio import` and the like for the
/// command line) did `action` to `target` (the resource's path).
pub fn record(
    conn: &mut AnyConnection,
    actor: &str,
    action: Action,
    target: &str,
) -> ApiResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action.as_str()),
            audit_log::target.eq(target),
        ))
        .execute(conn)?;
    Ok(())
}

/// Newest first, optionally one actor's; with the total count.
pub fn list(
    conn: &mut AnyConnection,
    actor: Option<String>,
    page: PageRequest,
) -> ApiResult<(Vec<AuditRow>, i64)> {
    let filtered = || {
        let query = audit_log::table.into_boxed();
        match actor.clone() {
            Some(actor) => query.filter(audit_log::actor.eq(actor)),
            None => query,
        }
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
