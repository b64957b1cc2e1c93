DROP INDEX articles_created_idx;
DROP INDEX articles_updated_idx;
DROP INDEX articles_title_key_idx;
ALTER TABLE articles DROP COLUMN title_key;
