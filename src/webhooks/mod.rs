//! Webhooks: messages about changes, signed as Standard Webhooks
//! (<https://www.standardwebhooks.com>), sent at least once and in order per
//! resource, from an outbox every node works on (see `db::webhooks` and
//! `webhook_delivery`). Here: the settings, the targets allowed, event names and
//! signatures.

mod target;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::changes::{Action, Resource};
use crate::environment::{duration, var};
use crate::error::{ApiError, ApiResult};
pub use target::{AllowedHosts, TargetPolicy};

/// How deliveries behave; from the environment (see `.env.example`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// When set, the only hosts webhooks may call (they may then be private
    /// addresses); otherwise any host on a public address.
    pub allowed_hosts: Option<AllowedHosts>,
    /// How long one attempt may take, connecting included.
    pub timeout: Duration,
    /// The waits before each retry; a message is given up after them all.
    pub retry_delays: Vec<Duration>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allowed_hosts: None,
            timeout: Duration::from_secs(10),
            // Eight attempts over about 18 hours.
            retry_delays: [5, 60, 300, 1800, 7200, 18_000, 36_000]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
        }
    }
}

/// The event sent by `POST /v1/webhooks/{id}/ping`.
pub const PING_EVENT: &str = "webhook.ping";

/// An event's type: `article.published`, `section.deleted`…
pub fn event_type(resource: Resource, action: Action) -> String {
    format!("{}.{}", resource.as_str(), action.as_str())
}

/// Checks an event pattern: `*`, `article.*`, or one event type.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern == "*" {
        return Ok(());
    }
    let known = |resource: &str, action: &str| {
        Resource::parse(resource).is_some() && (action == "*" || Action::parse(action).is_some())
    };
    match pattern.split_once('.') {
        Some((resource, action)) if known(resource, action) => Ok(()),
        _ => Err(format!(
            "{pattern:?} is not an event pattern: use `*`, `<resource>.*` or `<resource>.<action>` \
             with a resource among article, section, tag, author and an action among {}",
            Action::ALL.map(Action::as_str).join(", ")
        )),
    }
}

/// Whether an event type is one a subscription's patterns ask for.
pub fn wants(patterns: &[String], event: &str) -> bool {
    patterns.iter().any(|pattern| {
        pattern == "*"
            || pattern == event
            || pattern
                .strip_suffix(".*")
                .is_some_and(|resource| event.split('.').next() == Some(resource))
    })
}

/// The prefix of secrets, as Standard Webhooks writes them.
const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: 24 random bytes, base64, with the usual prefix.
pub fn new_secret() -> String {
    format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(rand::random::<[u8; 24]>())
    )
}

/// The `webhook-signature` header: one `v1,` signature per secret, separated by
/// spaces, each the base64 HMAC-SHA256 of `id.timestamp.body` under the secret's
/// decoded bytes.
pub fn signature(
    secrets: &[&str],
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> ApiResult<String> {
    let mut signatures = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let key = STANDARD
            .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
            .map_err(|e| ApiError::Internal(format!("a webhook secret is not base64: {e}")))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key)
            .map_err(|e| ApiError::Internal(format!("webhook secret: {e}")))?;
        mac.update(format!("{message_id}.{timestamp}.").as_bytes());
        mac.update(body.as_bytes());
        signatures.push(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ));
    }
    Ok(signatures.join(" "))
}

impl WebhookSettings {
    /// The settings as the environment gives them.
    pub fn from_env() -> Result<Self, String> {
        let defaults = Self::default();
        let allowed_hosts = match var("FOLIO_WEBHOOK_ALLOWED_HOSTS") {
            None => None,
            Some(list) => Some(
                AllowedHosts::parse(&list)
                    .map_err(|e| format!("FOLIO_WEBHOOK_ALLOWED_HOSTS: {e}"))?,
            ),
        };
        let retry_delays = match var("FOLIO_WEBHOOK_RETRY_DELAYS") {
            None => defaults.retry_delays,
            Some(list) => list
                .split(',')
                .map(|d| {
                    humantime::parse_duration(d.trim()).map_err(|e| {
                        format!("FOLIO_WEBHOOK_RETRY_DELAYS must list durations such as 5s,1m,1h (got {d:?}: {e})")
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            allowed_hosts,
            timeout: duration("FOLIO_WEBHOOK_TIMEOUT", defaults.timeout)?,
            retry_delays,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_by_resource_and_action() {
        let patterns = vec!["article.published".to_owned(), "section.*".to_owned()];
        assert!(wants(&patterns, "article.published"));
        assert!(wants(&patterns, "section.deleted"));
        assert!(!wants(&patterns, "article.updated"));
        assert!(!wants(&patterns, "sections.deleted"));
        assert!(wants(&["*".to_owned()], "tag.created"));
        assert!(check_pattern("article.*").is_ok());
        assert!(check_pattern("article.exploded").is_err());
        assert!(check_pattern("page.published").is_err());
    }

    /// The example of the Standard Webhooks specification.
    #[test]
    fn signs_as_the_standard_example() {
        let signed = signature(
            &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signed.ok().as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }
}
