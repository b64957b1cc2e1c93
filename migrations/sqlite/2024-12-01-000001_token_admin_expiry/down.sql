CREATE TABLE api_tokens_old (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
-- Admin tokens become write tokens: the older schema has no admin scope.
INSERT INTO api_tokens_old
    SELECT id, name, CASE scope WHEN 'admin' THEN 'write' ELSE scope END, token_hash, created_at, last_used_at, revoked_at
    FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_old RENAME TO api_tokens;
