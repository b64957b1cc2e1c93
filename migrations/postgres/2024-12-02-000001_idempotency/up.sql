-- The first answer to each (token, Idempotency-Key) of a create, replayed on retries.
CREATE TABLE idempotency_keys (
    token_name TEXT NOT NULL,
    key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (token_name, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
