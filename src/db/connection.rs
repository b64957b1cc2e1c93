//! The connection to whichever backend `DATABASE_URL` names, and the URL itself.

use diesel::prelude::*;

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The query-builder backend of [`AnyConnection`].
pub type Db = <AnyConnection as Connection>::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(conn: &AnyConnection) -> Self {
        match conn {
            AnyConnection::Sqlite(_) => Backend::Sqlite,
            AnyConnection::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the database lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// The string handed to the driver: a file path for SQLite, the URL for PostgreSQL.
    pub target: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                format!(
                    "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
                    url
                )
            })?;
        if path.is_empty() || path == ":memory:" {
            return Err("DATABASE_URL must name a SQLite file: an in-memory database cannot be shared by the pool".into());
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: path.to_owned(),
        })
    }
}

/// The memory each SQLite connection may use: a memory map of the file, through
/// which reads skip a copy per page, and a page cache. Mapped pages count in the
/// process's resident memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteMemory {
    /// `FOLIO_SQLITE_MMAP_MB` for the server (default 1024).
    pub mmap_mb: u64,
    /// `FOLIO_SQLITE_CACHE_MB`, per connection (default 32).
    pub cache_mb: u64,
    /// Statement journals and temporary tables in memory rather than in files:
    /// a bulk write journals each article's savepoint.
    pub temp_in_memory: bool,
}

impl SqliteMemory {
    /// The server's defaults.
    pub const SERVER: Self = Self {
        mmap_mb: 1024,
        cache_mb: 32,
        temp_in_memory: false,
    };
    /// A command that writes in bulk (import, migrate): no map, so that the
    /// command's memory stays its own.
    pub const BATCH: Self = Self {
        mmap_mb: 0,
        cache_mb: 32,
        temp_in_memory: true,
    };
}

/// A driver's message on one line (libpq's span several, with tabs).
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How logs and `/ready` name a database: its URL without credentials or options.
pub fn display_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_owned()
}
