-- Translations: the articles of one group are one story in several languages,
-- at most one article per language. An article starts in a group of its own,
-- named by its public id (or by an imported file's translation key).
ALTER TABLE articles ADD COLUMN translation_group TEXT NOT NULL DEFAULT '';
UPDATE articles SET translation_group = public_id;
CREATE UNIQUE INDEX articles_translation_idx ON articles (translation_group, language);
