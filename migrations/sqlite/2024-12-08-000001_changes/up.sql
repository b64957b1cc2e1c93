-- The change log: one row per change to a resource, appended in the write's own
-- transaction. `seq` only grows (AUTOINCREMENT: never reused, even once trimmed);
-- SQLite has one writer at a time, so sequence numbers follow commit order and
-- a reader that has seen `seq` n has seen every change before it.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- article, section, tag or author
    resource TEXT NOT NULL,
    -- The resource's row id: what ties its changes together across slug changes.
    resource_id INTEGER NOT NULL,
    -- What clients know it by: an article's UUID, else its slug at the time.
    public_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    -- The slug it had before this change, when the change gave it a new one.
    previous_slug TEXT,
    version INTEGER NOT NULL,
    -- created, updated, published, unpublished, scheduled, deleted, restored, purged
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    -- The fields the change touched, as a JSON array of names.
    fields TEXT NOT NULL
);
CREATE INDEX changes_resource_idx ON changes (resource, resource_id, seq);
CREATE INDEX changes_changed_at_idx ON changes (changed_at);

-- Small named values every node shares: the key that signs sync tokens, how far
-- the change log has been trimmed, how far scheduled publications are announced.
CREATE TABLE folio_state (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Sections, tags and authors carry a version of their own, like articles.
ALTER TABLE sections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tags ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE authors ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
