-- Full-text index of articles. Folio analyses the text itself (folding,
-- elisions, stemming per language) and stores the resulting terms as a
-- tsvector (title weight A, standfirst B, body C), so that SQLite and
-- PostgreSQL match the same words.
CREATE TABLE article_search (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
CREATE INDEX article_search_document_idx ON article_search USING GIN (document);
