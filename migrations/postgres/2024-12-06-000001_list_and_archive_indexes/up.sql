-- The archive groups public articles by UTC day. Keyed by the day itself, the
-- groups come out of the index in order (no hashing of 100,000 rows), and the days
-- a local month boundary cuts are found by seeking, not by a scan. The expression
-- must stay exactly the one `db::archive` groups by.
CREATE INDEX articles_public_day_idx ON articles (status, date_trunc('day', published_at), published_at);

-- The planner needs statistics on the new indexes at once, not after the next bulk import.
ANALYZE articles;
