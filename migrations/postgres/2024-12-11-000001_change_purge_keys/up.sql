-- The surrogate keys each change purges from HTTP caches (space-separated).
ALTER TABLE changes ADD COLUMN purge_keys TEXT NOT NULL DEFAULT '';
