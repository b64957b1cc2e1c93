DROP INDEX articles_translation_idx;
ALTER TABLE articles DROP COLUMN translation_group;
