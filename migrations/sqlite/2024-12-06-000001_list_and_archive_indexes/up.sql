-- The archive groups public articles by UTC day. Keyed by the day label itself, the
-- groups come out of the index in order (no sort of 100,000 rows), and the days a
-- local month boundary cuts are found by seeking, not by a scan. The expression
-- must stay exactly the one `db::archive` groups by.
CREATE INDEX articles_public_day_idx ON articles (status, substr(published_at, 1, 10), published_at);

-- Public lists walk this index in date order; carrying the language and section
-- lets them check those filters without reading each article's (wide) row.
DROP INDEX articles_published_idx;
CREATE INDEX articles_published_idx ON articles (status, published_at DESC, id DESC, language, section_id);

-- Counting or grouping every article of a common tag starts from the tag's links;
-- each linked article is then checked here instead of in its (wide) row.
CREATE INDEX articles_public_id_idx ON articles (id, status, published_at, language, section_id);

-- The planner needs statistics on the new indexes at once, not after the next bulk import.
ANALYZE articles;
