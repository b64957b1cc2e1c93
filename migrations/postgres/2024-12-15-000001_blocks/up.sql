-- An article's body as typed blocks (JSON), worked out from the Markdown at
-- write. Empty until worked out: rows written before this column are filled in
-- when the server starts (`db::articles::derived`).
ALTER TABLE articles ADD COLUMN blocks TEXT NOT NULL DEFAULT '';
