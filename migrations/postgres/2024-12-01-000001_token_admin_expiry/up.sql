ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write', 'admin'));
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP(6);
