-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
CREATE TABLE api_tokens_new (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    expires_at TIMESTAMP
);
INSERT INTO api_tokens_new (id, name, scope, token_hash, created_at, last_used_at, revoked_at)
    SELECT id, name, scope, token_hash, created_at, last_used_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
