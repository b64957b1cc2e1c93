-- Every write: who (token name, or the command line), what, on which resource, when.
CREATE TABLE audit_log (
    id SERIAL PRIMARY KEY,
    at TIMESTAMP(6) NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
