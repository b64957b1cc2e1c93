//! The document's `webhooks`: what Folio POSTs to a subscription's URL, as
//! OpenAPI 3.1 describes requests a server sends rather than receives.

use serde_json::json;
use utoipa::openapi::OpenApi;

/// The Standard Webhooks headers every message carries.
fn signature_headers() -> serde_json::Value {
    json!([
        {
            "name": "webhook-id", "in": "header", "required": true,
            "description": "The message's id, the same at every attempt (`chg_<seq>` for a change, `ping_…` for a ping): drop a message whose id you have handled",
            "schema": {"type": "string", "example": "chg_1042"}
        },
        {
            "name": "webhook-timestamp", "in": "header", "required": true,
            "description": "When this attempt was signed, in seconds since the Unix epoch: refuse messages far from your clock",
            "schema": {"type": "string", "example": "1732694400"}
        },
        {
            "name": "webhook-signature", "in": "header", "required": true,
            "description": "`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the subscription's secret (base64 after `whsec_`); two space-separated signatures for a day after a secret rotation. Any Standard Webhooks library verifies it",
            "schema": {"type": "string", "example": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
        }
    ])
}

fn message(
    operation_id: &str,
    summary: &str,
    description: &str,
    schema: serde_json::Value,
) -> serde_json::Value {
    json!({
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["webhooks"],
            "parameters": signature_headers(),
            // No credentials: the receiver trusts a message by its signature.
            "security": [{}],
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": schema}}
            },
            "responses": {
                "2XX": {"description": "Received. Any other answer, a redirect or no answer within the timeout counts as a failure: the message is sent again later, with the same `webhook-id`"}
            }
        }
    })
}

pub(super) fn add_webhooks(api: &mut OpenApi) {
    let webhooks = json!({
        "change": message(
            "webhook_change",
            "A change to content",
            "Sent for each change a subscription's `events` (and `section`, `language`) ask for, at least once, messages about one resource in the order of their changes. Retried with growing waits (5 s to 10 h, with jitter); a message that fails every retry turns the subscription off.",
            json!({"$ref": "#/components/schemas/WebhookMessage"}),
        ),
        "ping": message(
            "webhook_ping",
            "A ping",
            "Sent by `POST /v1/webhooks/{id}/ping`, to test a receiver.",
            json!({
                "type": "object",
                "required": ["type", "timestamp", "data"],
                "properties": {
                    "type": {"const": "webhook.ping"},
                    "timestamp": {"type": "string", "format": "date-time"},
                    "data": {
                        "type": "object",
                        "required": ["webhook"],
                        "properties": {"webhook": {"type": "integer", "description": "The subscription's id"}}
                    }
                }
            }),
        ),
    });
    api.extensions
        .get_or_insert_with(Default::default)
        .insert("webhooks".into(), webhooks);
}
