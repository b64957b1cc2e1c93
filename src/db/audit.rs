//! The audit log, read from the change log: every write is already there, in its
//! own transaction, with who made it and when. Content changes come from the
//! one write path; token, webhook and asset changes are logged beside them (see
//! [`log`]), for the audit log (and for assets, the purge of cached copies) only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{ChangeRow, Resource};
use super::commit::{self, Entry};
use super::schema::{audit_log, changes};
use super::{AnyConnection, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::surrogate::{self, SurrogateKeys};

/// What the log records besides content: sync, the live stream and webhooks
/// know nothing of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Managed {
    Token,
    Webhook,
    Asset,
}

impl Managed {
    fn as_str(self) -> &'static str {
        match self {
            Managed::Token => "token",
            Managed::Webhook => "webhook",
            Managed::Asset => "asset",
        }
    }
}

/// What was done to a token or a webhook subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    Revoked,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::Revoked => "revoked",
        }
    }
}

/// Logs, in the caller's transaction, that `actor` did `action` to the token or
/// subscription `id` (named `name`).
pub fn log(
    conn: &mut AnyConnection,
    (managed, id, name): (Managed, i32, &str),
    action: Action,
    actor: &str,
) -> ApiResult<()> {
    insert(
        conn,
        (managed, id, &id.to_string(), name),
        (action, actor),
        &SurrogateKeys::new(),
    )
}

/// Logs, in the caller's transaction, that `actor` did `action` to the asset
/// `id` (public id, file name); caches then drop its record, file and copies.
pub fn log_asset(
    conn: &mut AnyConnection,
    (id, public_id, filename): (i32, &str, &str),
    action: Action,
    actor: &str,
) -> ApiResult<()> {
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::asset(public_id));
    insert(
        conn,
        (Managed::Asset, id, public_id, filename),
        (action, actor),
        &keys,
    )
}

fn insert(
    conn: &mut AnyConnection,
    (managed, id, public_id, name): (Managed, i32, &str, &str),
    (action, actor): (Action, &str),
    purges: &SurrogateKeys,
) -> ApiResult<()> {
    commit::entry(
        conn,
        Entry {
            kind: managed.as_str(),
            id,
            public_id,
            name,
            action: action.as_str(),
            actor,
            at: None,
            purges,
        },
    )
}

/// How the change log keeps entries of the audit log table, where they were
/// written before the audit log was read from the change log (and where an older
/// export restores them): as they were, the target in `slug`.
const KEPT_ENTRY: &str = "audit";

/// Moves the audit log table's entries into the change log; returns how many.
pub fn adopt_kept_entries(conn: &mut AnyConnection) -> ApiResult<usize> {
    let kept: Vec<(i32, NaiveDateTime, String, String, String)> = audit_log::table
        .order((audit_log::at, audit_log::id))
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor,
            audit_log::action,
            audit_log::target,
        ))
        .load(conn)?;
    for (id, at, actor, action, target) in &kept {
        commit::entry(
            conn,
            Entry {
                kind: KEPT_ENTRY,
                id: *id,
                public_id: target,
                name: target,
                action,
                actor,
                at: Some(*at),
                purges: &SurrogateKeys::new(),
            },
        )?;
    }
    diesel::delete(audit_log::table).execute(conn)?;
    Ok(kept.len())
}

/// Whether the audit log table holds entries to adopt: a cheap read at start-up.
pub fn has_kept_entries(conn: &mut AnyConnection) -> ApiResult<bool> {
    let first: Option<i32> = audit_log::table
        .select(audit_log::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

/// One write, as the audit log shows it.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// The change's number.
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    /// `create`, `update`, `delete`, `revoke`, `restore` or `purge`.
    pub action: String,
    /// The resource's path.
    pub target: String,
}

/// The audit log's verb for a change's action: publishing, unpublishing and
/// scheduling are updates.
fn verb(action: &str) -> &str {
    match action {
        "created" => "create",
        "updated" | "published" | "unpublished" | "scheduled" => "update",
        "deleted" => "delete",
        "restored" => "restore",
        "purged" => "purge",
        "revoked" => "revoke",
        other => other,
    }
}

impl TryFrom<ChangeRow> for AuditRow {
    type Error = ApiError;

    fn try_from(row: ChangeRow) -> ApiResult<Self> {
        let (action, target) = match row.resource.as_str() {
            KEPT_ENTRY => (row.action, row.slug),
            "token" => (
                verb(&row.action).to_owned(),
                format!("/v1/tokens/{}", row.public_id),
            ),
            "webhook" => (
                verb(&row.action).to_owned(),
                format!("/v1/webhooks/{}", row.public_id),
            ),
            "asset" => (
                verb(&row.action).to_owned(),
                format!("/v1/assets/{}", row.public_id),
            ),
            kind => {
                let resource = Resource::parse(kind).ok_or_else(|| {
                    ApiError::Internal(format!("change {} names a resource {kind}", row.seq))
                })?;
                (
                    verb(&row.action).to_owned(),
                    format!("/v1/{}s/{}", resource.as_str(), row.slug),
                )
            }
        };
        Ok(Self {
            id: row.seq,
            at: row.changed_at,
            actor: row.actor,
            action,
            target,
        })
    }
}

/// Newest first, optionally one actor's; with the total count. Changes implied
/// by another write are not writes of their own.
pub fn list(
    conn: &mut AnyConnection,
    actor: Option<String>,
    page: PageRequest,
) -> ApiResult<(Vec<AuditRow>, i64)> {
    let filtered = || {
        let query = changes::table
            .filter(changes::implied.eq(false))
            .into_boxed();
        match actor.clone() {
            Some(actor) => query.filter(changes::actor.eq(actor)),
            None => query,
        }
    };
    let total = filtered().count().get_result(conn)?;
    let rows: Vec<ChangeRow> = filtered()
        .order((changes::changed_at.desc(), changes::seq.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(ChangeRow::as_select())
        .load(conn)?;
    let entries = rows
        .into_iter()
        .map(AuditRow::try_from)
        .collect::<ApiResult<_>>()?;
    Ok((entries, total))
}
