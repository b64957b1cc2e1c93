ALTER TABLE changes DROP COLUMN implied;
