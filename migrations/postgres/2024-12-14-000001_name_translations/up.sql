-- Translated names: a section's, tag's or author's texts in other languages, as
-- one JSON object by language tag ({"en": {"name": "Interview"}}).
ALTER TABLE sections ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tags ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE authors ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
