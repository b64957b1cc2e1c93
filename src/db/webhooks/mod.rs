//! Webhook subscriptions, and (in `outbox`) the messages owed to them.

mod outbox;

pub use outbox::*;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::audit::{self, Action, Managed};
use super::changes;
use super::commit;
use super::schema::webhooks;
use super::{now, AnyConnection};
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i32,
    pub url: String,
    /// A JSON array of event patterns.
    pub events: String,
    pub section: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub after_seq: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    pub fn event_patterns(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    /// The secrets deliveries are signed with now: the current one, and the one
    /// before a rotation while it is still honoured.
    pub fn signing_secrets(&self, at: NaiveDateTime) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) =
            (&self.previous_secret, self.previous_secret_expires_at)
        {
            if until > at {
                secrets.push(previous);
            }
        }
        secrets
    }
}

/// What a subscription is set to; every field of a new one, or an edit's result.
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub events: Vec<String>,
    pub section: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
}

/// The columns `Settings` are stored in, for both inserts and updates.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
struct SettingsColumns<'a> {
    url: &'a str,
    /// As a JSON array.
    events: String,
    section: Option<&'a str>,
    language: Option<&'a str>,
    description: Option<&'a str>,
    enabled: bool,
}

impl Settings {
    fn columns(&self) -> ApiResult<SettingsColumns<'_>> {
        Ok(SettingsColumns {
            url: &self.url,
            events: serde_json::to_string(&self.events)
                .map_err(|e| ApiError::Internal(format!("cannot encode event patterns: {e}")))?,
            section: self.section.as_deref(),
            language: self.language.as_deref(),
            description: self.description.as_deref(),
            enabled: self.enabled,
        })
    }
}

/// Subscribes, logged as `actor`'s.
pub fn create(
    conn: &mut AnyConnection,
    settings: &Settings,
    secret: &str,
    actor: &str,
) -> ApiResult<WebhookRow> {
    let at = now();
    // Only changes after this one concern it.
    let after_seq = changes::latest(conn)?;
    let id: i32 = diesel::insert_into(webhooks::table)
        .values((
            settings.columns()?,
            webhooks::secret.eq(secret),
            webhooks::after_seq.eq(after_seq),
            webhooks::version.eq(1),
            webhooks::created_at.eq(at),
            webhooks::updated_at.eq(at),
        ))
        .returning(webhooks::id)
        .get_result(conn)?;
    logged(conn, id, Action::Created, actor)
}

/// The subscription `id` after `actor` did `action` to it, the audit log told.
fn logged(conn: &mut AnyConnection, id: i32, action: Action, actor: &str) -> ApiResult<WebhookRow> {
    let row = find(conn, id)?;
    audit::log(conn, (Managed::Webhook, id, &row.url), action, actor)?;
    Ok(row)
}

pub fn list(conn: &mut AnyConnection) -> ApiResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .order(webhooks::id)
        .select(WebhookRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i32) -> ApiResult<WebhookRow> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("no webhook has the id {id}")))
}

/// Saves `actor`'s edit. Turning a subscription on clears why it was turned off,
/// and it hears of changes from then on (the messages it was owed before stay
/// queued).
pub fn update(
    conn: &mut AnyConnection,
    id: i32,
    settings: &Settings,
    actor: &str,
) -> ApiResult<WebhookRow> {
    let current = find(conn, id)?;
    let reason = if settings.enabled {
        None
    } else {
        current.disabled_reason
    };
    let after_seq = if settings.enabled && !current.enabled {
        changes::latest(conn)?
    } else {
        current.after_seq
    };
    diesel::update(webhooks::table.find(id))
        .set((
            settings.columns()?,
            webhooks::disabled_reason.eq(reason),
            webhooks::after_seq.eq(after_seq),
            webhooks::version.eq(commit::next_version(current.version)),
            webhooks::updated_at.eq(now()),
        ))
        .execute(conn)?;
    logged(conn, id, Action::Updated, actor)
}

/// A new secret, by `actor`; the old one still signs deliveries (beside the new)
/// for `overlap`.
pub fn rotate_secret(
    conn: &mut AnyConnection,
    id: i32,
    (secret, overlap): (&str, Duration),
    actor: &str,
) -> ApiResult<WebhookRow> {
    let current = find(conn, id)?;
    let at = now();
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::previous_secret.eq(&current.secret),
            webhooks::previous_secret_expires_at.eq(at + overlap),
            webhooks::version.eq(commit::next_version(current.version)),
            webhooks::updated_at.eq(at),
        ))
        .execute(conn)?;
    logged(conn, id, Action::Updated, actor)
}

/// Unsubscribes, logged as `actor`'s.
pub fn delete(conn: &mut AnyConnection, id: i32, actor: &str) -> ApiResult<()> {
    logged(conn, id, Action::Deleted, actor)?;
    // The deliveries and their attempts go with it (ON DELETE CASCADE, which
    // SQLite honours with foreign keys on).
    diesel::delete(webhooks::table.find(id)).execute(conn)?;
    Ok(())
}

/// Turns a subscription off, saying why.
pub(super) fn disable(conn: &mut AnyConnection, id: i32, reason: &str) -> ApiResult<()> {
    let current = find(conn, id)?;
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::enabled.eq(false),
            webhooks::disabled_reason.eq(reason),
            webhooks::version.eq(commit::next_version(current.version)),
            webhooks::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The subscriptions that take messages.
pub fn enabled(conn: &mut AnyConnection) -> ApiResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .filter(webhooks::enabled.eq(true))
        .order(webhooks::id)
        .select(WebhookRow::as_select())
        .load(conn)?)
}
