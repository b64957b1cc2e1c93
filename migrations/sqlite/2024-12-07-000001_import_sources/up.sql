-- Where an imported article came from (its explicit id, else the file's path
-- relative to the import root, with `#N` for the Nth article of a JSON file), and a
-- digest of what that source said: re-importing the same source updates the article,
-- or leaves it alone when nothing changed; another source never merges into it.
CREATE TABLE import_sources (
    source TEXT PRIMARY KEY NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    digest TEXT NOT NULL
);
CREATE INDEX import_sources_article_idx ON import_sources (article_id);
