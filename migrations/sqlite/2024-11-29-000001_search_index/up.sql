-- Full-text index of articles. Folio analyses the text itself (folding,
-- elisions, stemming per language) and stores the resulting terms, so that
-- SQLite and PostgreSQL match the same words. rowid is the article id.
CREATE VIRTUAL TABLE article_index USING fts5(title, standfirst, body, tokenize = 'unicode61');
