-- Where an article stood when it changed, so that a subscription filtered by
-- section or language hears of it even once the article is gone.
ALTER TABLE changes ADD COLUMN section_id INTEGER;
ALTER TABLE changes ADD COLUMN language TEXT;

-- Webhook subscriptions. The secret signs deliveries, so it is kept as it is
-- (an HMAC needs the key itself); it is only ever shown when made.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    url TEXT NOT NULL,
    -- The event types it wants, as a JSON array of patterns (`article.published`, `section.*`, `*`).
    events TEXT NOT NULL,
    -- Only articles in this section (or below it), by slug.
    section TEXT,
    language TEXT,
    description TEXT,
    enabled BOOLEAN NOT NULL,
    -- Why Folio turned it off, when it did.
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    -- After a rotation, deliveries are signed with both secrets for a while.
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMP,
    -- Changes up to this one were logged before it existed.
    after_seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The outbox: one row per message to one subscription, made from the change log
-- (or a ping), kept until delivered or given up.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- The `webhook-id` header: the same for every attempt.
    message_id TEXT NOT NULL,
    event TEXT NOT NULL,
    -- Messages about one resource go out in order: `article:12`.
    resource_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- pending, delivered or failed (retries used up)
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A node sending it holds it until then; after that another node may.
    claimed_until TIMESTAMP,
    delivered_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, resource_key, id);

-- Each attempt to deliver a message.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    -- The receiver's HTTP status, when it answered.
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
