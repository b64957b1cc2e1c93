DROP INDEX articles_public_id_idx;
DROP INDEX articles_published_idx;
CREATE INDEX articles_published_idx ON articles (status, published_at DESC, id DESC);
DROP INDEX articles_public_day_idx;
