ALTER TABLE articles DROP COLUMN blocks;
