ALTER TABLE authors DROP COLUMN language;
ALTER TABLE authors DROP COLUMN translations;
ALTER TABLE tags DROP COLUMN language;
ALTER TABLE tags DROP COLUMN translations;
ALTER TABLE sections DROP COLUMN language;
ALTER TABLE sections DROP COLUMN translations;
