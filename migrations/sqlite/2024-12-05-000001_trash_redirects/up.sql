-- The old slugs of a trashed article, which redirected to it while it was live:
-- a restore brings them back, and meanwhile they answer 410 like its slug.
CREATE TABLE trash_slug_redirects (
    slug TEXT PRIMARY KEY NOT NULL,
    article_id INTEGER NOT NULL REFERENCES article_trash (article_id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX trash_slug_redirects_article_idx ON trash_slug_redirects (article_id);
