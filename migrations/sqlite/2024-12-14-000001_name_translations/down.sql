ALTER TABLE authors DROP COLUMN translations;
ALTER TABLE tags DROP COLUMN translations;
ALTER TABLE sections DROP COLUMN translations;
