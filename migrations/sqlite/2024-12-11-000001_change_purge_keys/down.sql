ALTER TABLE changes DROP COLUMN purge_keys;
