-- Translated names: a section's, tag's or author's texts in other languages, as
-- one JSON object by language tag ({"en": {"name": "Interview"}}), and the
-- language of its own texts (NULL when not said).
ALTER TABLE sections ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sections ADD COLUMN language TEXT;
ALTER TABLE tags ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tags ADD COLUMN language TEXT;
ALTER TABLE authors ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE authors ADD COLUMN language TEXT;
