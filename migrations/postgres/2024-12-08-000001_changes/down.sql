ALTER TABLE authors DROP COLUMN version;
ALTER TABLE tags DROP COLUMN version;
ALTER TABLE sections DROP COLUMN version;
DROP TABLE folio_state;
DROP TABLE changes;
