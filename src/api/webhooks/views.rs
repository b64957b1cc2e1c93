//! What `/v1/webhooks` reads and answers: subscriptions, their secrets, and their
//! deliveries with each attempt.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::input::{nullable, Check, MAX_URL_CHARS};
use crate::api::locale::LanguageTag;
use crate::api::Slug;
use crate::config::ServerSettings;
use crate::db::webhooks::{self as store, AttemptRow, DeliveryRow, Settings, WebhookRow};
use crate::error::ApiResult;
use crate::webhooks::{self, TargetPolicy};

/// An event type or pattern, as the spec states it (from the same lists the
/// server checks against).
pub struct EventPattern;

impl utoipa::PartialSchema for EventPattern {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::db::changes::{Action, Resource};
        let resources = Resource::ALL.map(Resource::as_str).join("|");
        let actions = Action::ALL.map(Action::as_str).join("|");
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!(r"^(\*|({resources})\.(\*|{actions}))$")))
            .description(Some(
                "`*` for every event, `<resource>.*` for every event of a kind, or one event type",
            ))
            .examples([serde_json::json!("article.published")])
            .into()
    }
}

impl utoipa::ToSchema for EventPattern {}

/// Longest description.
const MAX_DESCRIPTION_CHARS: usize = 500;
/// Most event patterns per subscription.
const MAX_PATTERNS: usize = 50;
/// How long a rotated-out secret still signs deliveries, beside the new one.
pub(super) const ROTATION_OVERLAP_HOURS: i64 = 24;

/// A subscription, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "url": "https://partner.example.com/folio", "events": ["article.published", "article.deleted"],
    "section": "monde", "language": "fr", "description": "Partner feed", "enabled": true,
    "disabled_reason": null, "version": 1,
    "created_at": "2024-11-27T08:00:00Z", "updated_at": "2024-11-27T08:00:00Z"
}))]
pub struct Webhook {
    pub id: i32,
    /// Where messages are POSTed.
    pub url: String,
    /// The event types it receives: `*`, `article.*`, `article.published`…
    #[schema(value_type = Vec<EventPattern>)]
    pub events: Vec<String>,
    /// Only articles in this section or below it (other resources are not filtered).
    #[schema(required = true, value_type = Option<Slug>)]
    pub section: Option<String>,
    /// Only articles in this language.
    #[schema(required = true, value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    #[schema(required = true)]
    pub description: Option<String>,
    pub enabled: bool,
    /// Why Folio turned it off (a message that failed every retry); cleared when
    /// it is turned on again.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Self {
            id: row.id,
            events: row.event_patterns(),
            url: row.url,
            section: row.section,
            language: row.language,
            description: row.description,
            enabled: row.enabled,
            disabled_reason: row.disabled_reason,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A subscription with its signing secret, shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// Verify each message's `webhook-signature` with it (any Standard Webhooks
    /// library does). It cannot be shown again.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    pub secret: String,
    pub webhook: Webhook,
}

/// A subscription to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://partner.example.com/folio", "events": ["article.published", "article.deleted"],
    "section": "monde", "description": "Partner feed"
}))]
pub struct WebhookCreate {
    /// An http or https URL; without `FOLIO_WEBHOOK_ALLOWED_HOSTS`, on a public address.
    #[schema(
        max_length = 2000,
        pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$",
        example = "https://partner.example.com/folio"
    )]
    pub url: String,
    /// Event types or patterns: `*`, `article.*`, `article.published`…
    #[schema(value_type = Vec<EventPattern>, min_items = 1, max_items = 50)]
    pub events: Vec<String>,
    /// Only articles in this section or below it.
    #[schema(value_type = Option<Slug>)]
    pub section: Option<String>,
    /// Only articles in this language (BCP 47).
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// On unless `false`.
    pub enabled: Option<bool>,
}

/// Changes to a subscription: only the fields sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct WebhookUpdate {
    #[schema(max_length = 2000, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<EventPattern>>, min_items = 1, max_items = 50)]
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Slug>)]
    pub section: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Checks a subscription's settings as a whole.
pub(super) fn check(settings: &Settings, policy: &TargetPolicy) -> ApiResult<()> {
    let mut check = Check::default();
    if settings.url.chars().count() > MAX_URL_CHARS {
        check.fail("url", format!("must be at most {MAX_URL_CHARS} characters"));
    } else if let Err(why) = policy.check_url(&settings.url) {
        check.fail("url", why);
    }
    if settings.events.is_empty() || settings.events.len() > MAX_PATTERNS {
        check.fail(
            "events",
            format!("list between 1 and {MAX_PATTERNS} event types or patterns"),
        );
    }
    for pattern in &settings.events {
        if let Err(why) = webhooks::check_pattern(pattern) {
            check.fail("events", why);
        }
    }
    if let Some(section) = &settings.section {
        check.slug("section", section);
    }
    if let Some(language) = &settings.language {
        check.language("language", language);
    }
    if let Some(description) = &settings.description {
        check.text("description", description, MAX_DESCRIPTION_CHARS);
    }
    check.finish()
}

pub(super) fn policy(settings: &ServerSettings) -> TargetPolicy {
    TargetPolicy {
        allowed_hosts: settings.webhooks.allowed_hosts.clone(),
    }
}

/// One attempt to deliver a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    #[schema(required = true)]
    pub status_code: Option<i32>,
    /// From sending the request to the receiver's answer (or the failure).
    pub latency_ms: i32,
    /// Why the attempt failed: a status outside 2xx, a refused connection, a
    /// timeout, a forbidden address, a redirect.
    #[schema(required = true)]
    pub error: Option<String>,
}

/// Whether a message got through.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for its first attempt or for a retry.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every retry failed; the subscription was turned off.
    Failed,
}

/// A message to a subscription and its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// The message's `webhook-id`: the same at every attempt (`chg_<seq>` for a
    /// change, `ping_…` for a ping).
    pub message_id: String,
    /// `article.published`, `webhook.ping`…
    pub event: String,
    pub state: DeliveryState,
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due, while pending.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<DeliveryAttempt>,
    /// The body sent (see the `webhooks` of this spec).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<(DeliveryRow, Vec<AttemptRow>)> for Delivery {
    fn from((row, attempts): (DeliveryRow, Vec<AttemptRow>)) -> Self {
        let state = match row.state.as_str() {
            store::DELIVERED => DeliveryState::Delivered,
            store::FAILED => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        };
        Self {
            id: row.id,
            message_id: row.message_id,
            event: row.event,
            created_at: row.created_at.and_utc(),
            next_attempt_at: matches!(state, DeliveryState::Pending)
                .then(|| row.next_attempt_at.and_utc()),
            delivered_at: row.delivered_at.map(|t| t.and_utc()),
            state,
            attempts: attempts
                .into_iter()
                .map(|a| DeliveryAttempt {
                    attempted_at: a.attempted_at.and_utc(),
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    error: a.error,
                })
                .collect(),
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// All subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Webhook>,
}

/// The `{id}` of a subscription.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// The subscription's id.
    #[param(minimum = 1, maximum = 2147483647, example = 1)]
    pub id: i32,
}

/// A delivery of a subscription.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The subscription's id.
    #[param(minimum = 1, maximum = 2147483647, example = 1)]
    pub id: i32,
    /// The delivery's id.
    #[param(minimum = 1, example = 12)]
    pub delivery_id: i64,
}
