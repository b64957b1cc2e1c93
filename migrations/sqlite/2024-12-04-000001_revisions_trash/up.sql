-- Every saved version of an article. No foreign key: revisions outlive the
-- article's row while it is in the trash, and go only when it is purged.
CREATE TABLE article_revisions (
    article_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    changed TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (article_id, number)
);

-- Deleted articles: what a restore needs beyond the last revision's snapshot.
-- The live tables hold no deleted rows, so no read has to filter them out.
CREATE TABLE article_trash (
    article_id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    first_published_at TIMESTAMP,
    deleted_at TIMESTAMP NOT NULL,
    deleted_by TEXT NOT NULL
);
CREATE INDEX article_trash_deleted_idx ON article_trash (deleted_at);
