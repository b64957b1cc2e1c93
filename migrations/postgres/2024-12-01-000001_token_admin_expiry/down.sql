ALTER TABLE api_tokens DROP COLUMN expires_at;
UPDATE api_tokens SET scope = 'write' WHERE scope = 'admin';
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write'));
