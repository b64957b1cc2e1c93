//! From the change log to the outbox: each change becomes one message per
//! subscription that wants it. Runs in a write transaction on whichever node gets
//! there first; the shared watermark makes it happen once per change, and a crash
//! before it runs only delays it (the log was committed with the write).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::sync::{current_shapes, SyncItem};
use crate::db::article_list::section_ids;
use crate::db::changes::{self, Action, ChangeRow, Resource};
use crate::db::webhooks::{self as store, NewMessage, WebhookRow};
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::site::Site;
use crate::webhooks::{event_type, wants};

/// Changes made into messages per transaction.
const CHANGES_PER_PASS: i64 = 500;

/// A message's body, as Standard Webhooks recommends: the event's type, when it
/// happened, and its data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "article.deleted",
    "timestamp": "2024-11-27T08:00:00.123456Z",
    "data": {
        "seq": 1042, "action": "deleted", "actor": "newsroom", "version": 3,
        "slug": "poutine-au-kazakhstan-une-alliance-strategique", "previous_slug": null,
        "fields": [], "type": "article",
        "id": "0b7e5c1a-3f1e-4c55-9a4e-2f8f0b6c9d11", "deleted": true
    }
}))]
pub struct WebhookMessage {
    /// `article.published`, `section.updated`… or `webhook.ping`.
    #[serde(rename = "type")]
    pub event: String,
    /// When the change was made.
    pub timestamp: DateTime<Utc>,
    pub data: ChangeEvent,
}

/// A change, with the resource as it is when the message is made (within about a
/// second of the change): its full shape (drafts included, as `admin` reads it),
/// or, once it is gone, only its id and slug with `deleted`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEvent {
    /// The change's number in the log (as in `GET /v1/sync`).
    pub seq: i64,
    pub action: Action,
    /// The token's name, `cli`, or `scheduler` for a scheduled publication.
    pub actor: String,
    /// The resource's version after the change.
    pub version: i32,
    pub slug: String,
    /// The slug before this change, when it changed.
    #[schema(required = true)]
    pub previous_slug: Option<String>,
    /// The fields the change set (none listed for a new resource).
    pub fields: Vec<String>,
    #[serde(flatten)]
    pub item: SyncItem,
}

/// The `webhook-id` of a change's messages: the same for every attempt and every
/// subscription, so a receiver can drop a message it has already handled.
fn message_id(seq: i64) -> String {
    format!("chg_{seq}")
}

/// Makes messages of the changes logged since the last pass; returns how many
/// changes it went through (more may wait when it is `CHANGES_PER_PASS`).
pub fn fan_out(conn: &mut AnyConnection, site: &Site) -> ApiResult<usize> {
    let through = store::fanned_out_through(conn)?;
    let rows = changes::after(conn, through, CHANGES_PER_PASS)?;
    let Some(last) = rows.last().map(|r| r.seq) else {
        return Ok(0);
    };
    let subscriptions = store::enabled(conn)?;
    if subscriptions.iter().any(|s| s.after_seq < last) {
        let audience = Audience::of(conn, subscriptions)?;
        let mut shapes = current_shapes(conn, &rows, site)?;
        for row in &rows {
            enqueue_change(conn, &audience, &mut shapes, row)?;
        }
    }
    store::set_fanned_out_through(conn, last)?;
    Ok(rows.len())
}

/// The subscriptions, each with the section ids its section filter covers.
struct Audience(Vec<(WebhookRow, Option<Vec<i32>>)>);

impl Audience {
    fn of(conn: &mut AnyConnection, subscriptions: Vec<WebhookRow>) -> ApiResult<Self> {
        let mut audience = Vec::with_capacity(subscriptions.len());
        for subscription in subscriptions {
            let sections = match &subscription.section {
                Some(slug) => Some(section_ids(conn, slug, true)?),
                None => None,
            };
            audience.push((subscription, sections));
        }
        Ok(Self(audience))
    }

    /// Those that want this change: after their creation, of a type they ask for,
    /// and (for articles) in their section and language.
    fn wanting<'a>(
        &'a self,
        row: &'a ChangeRow,
        event: &'a str,
    ) -> impl Iterator<Item = &'a WebhookRow> + 'a {
        self.0
            .iter()
            .filter(move |(subscription, sections)| {
                let article = row.resource == Resource::Article.as_str();
                row.seq > subscription.after_seq
                    && wants(&subscription.event_patterns(), event)
                    && (!article
                        || sections
                            .as_ref()
                            .is_none_or(|ids| row.section_id.is_some_and(|id| ids.contains(&id))))
                    && (!article
                        || subscription
                            .language
                            .as_ref()
                            .is_none_or(|l| row.language.as_ref() == Some(l)))
            })
            .map(|(subscription, _)| subscription)
    }
}

fn enqueue_change(
    conn: &mut AnyConnection,
    audience: &Audience,
    shapes: &mut HashMap<(Resource, i32), SyncItem>,
    row: &ChangeRow,
) -> ApiResult<()> {
    // Tokens and subscriptions are in the log for the audit log only.
    let (Some(resource), Some(action)) =
        (Resource::parse(&row.resource), Action::parse(&row.action))
    else {
        return Ok(());
    };
    let event = event_type(resource, action);
    let recipients: Vec<i32> = audience.wanting(row, &event).map(|s| s.id).collect();
    if recipients.is_empty() {
        return Ok(());
    }
    // A resource changed twice in one pass is shown as it is now in both messages.
    let item = shapes
        .get(&(resource, row.resource_id))
        .cloned()
        .unwrap_or_else(|| SyncItem::tombstone(resource, row.public_id.clone()));
    let message = WebhookMessage {
        event: event.clone(),
        timestamp: row.changed_at.and_utc(),
        data: ChangeEvent {
            seq: row.seq,
            action,
            actor: row.actor.clone(),
            version: row.version,
            slug: row.slug.clone(),
            previous_slug: row.previous_slug.clone(),
            fields: serde_json::from_str(&row.fields).unwrap_or_default(),
            item,
        },
    };
    let payload = serde_json::to_string(&message)
        .map_err(|e| ApiError::Internal(format!("cannot encode a webhook message: {e}")))?;
    for webhook_id in recipients {
        store::enqueue(
            conn,
            NewMessage {
                webhook_id,
                message_id: message_id(row.seq),
                event: event.clone(),
                resource_key: format!("{}:{}", resource.as_str(), row.resource_id),
                payload: payload.clone(),
            },
        )?;
    }
    Ok(())
}
