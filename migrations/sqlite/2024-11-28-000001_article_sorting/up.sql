-- The title folded for sorting (accents and case removed), written by the
-- application; lower() is only a first approximation for rows that predate it.
ALTER TABLE articles ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
UPDATE articles SET title_key = lower(title);
CREATE INDEX articles_title_key_idx ON articles (title_key, id);
CREATE INDEX articles_updated_idx ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_created_idx ON articles (created_at DESC, id DESC);
