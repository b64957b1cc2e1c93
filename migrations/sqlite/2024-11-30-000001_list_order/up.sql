-- Lists seen with a token put undated drafts last: this index serves that order.
CREATE INDEX articles_dated_order_idx ON articles ((published_at IS NULL), published_at DESC, id DESC);
-- A section's public articles, newest first (by language too), and their count, from the index alone.
CREATE INDEX articles_section_public_idx ON articles (section_id, status, published_at DESC, id DESC, language);
