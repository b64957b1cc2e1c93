-- Media assets: the file lives in the asset store under `originals/<public_id>`,
-- what is known about it lives here.
CREATE TABLE assets (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    media_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    placeholder TEXT,
    color TEXT,
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    focal_x DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    focal_y DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX assets_created_idx ON assets (created_at DESC, id DESC);

-- Which articles use which assets: the cover, and the images the body names
-- (`asset:ID`). An asset in use is not deleted without `force`.
CREATE TABLE article_assets (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('cover', 'body')),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, role, asset_id)
);
CREATE INDEX article_assets_asset_idx ON article_assets (asset_id, article_id);
