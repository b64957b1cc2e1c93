//! Database access: one pool over SQLite or PostgreSQL, chosen by the URL scheme.

pub mod archive;
pub mod article_list;
pub mod articles;
pub mod assets;
pub mod audit;
pub mod authors;
pub mod changes;
mod clock;
pub mod counts;
mod dialect;
pub mod dump;
pub mod idempotency;
pub mod import_sources;
pub mod modified;
mod planner;
pub mod purge_keys;
pub mod purges;
pub mod related;
pub mod replicas;
pub mod revisions;
pub mod schedule;
pub mod schema;
pub mod search_index;
pub mod sections;
pub mod shared_state;
pub mod sitemap;
mod static_sql;
mod stats;
pub mod tags;
pub mod tokens;
pub mod trash;
mod tx;
pub mod webhooks;

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use crate::error::{ApiError, ApiResult};
pub use clock::Clock;
use dialect::{connect_sqlite, migrate_postgres, migrate_sqlite, prepare_sqlite_file};
pub use planner::{refresh_statistics, Statistics};
pub use replicas::{ReadFrom, Replicas};
pub use tx::{read_tx, rehearse_tx, savepoint, write_tx};

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

/// Opens connections of one backend and prepares each SQLite connection.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    sqlite_memory: SqliteMemory,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match self.url.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.url.target)
                .map(AnyConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => connect_sqlite(&self.url.target, self.sqlite_memory),
        }
    }

    // Checked at every checkout: a PostgreSQL connection may have been closed by
    // the server meanwhile. A SQLite connection is a file handle in this process,
    // which nothing closes behind its back: its check was a statement per request.
    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        if self.url.backend == Backend::Sqlite {
            return Ok(());
        }
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The shared handle to the database used by the server, the CLI and the tests.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    pub backend: Backend,
    /// The time decisions such as a token's expiry are taken at.
    pub clock: Clock,
    replicas: std::sync::Arc<Replicas>,
    stats: std::sync::Arc<stats::WorkStats>,
}

impl Database {
    /// Opens the pool; for SQLite, opens the file (its directory must exist) and turns WAL on first.
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, String> {
        Self::connect_with(url, pool_size, SqliteMemory::SERVER)
    }

    /// Opens the pool for a command that writes in bulk (see `SqliteMemory::BATCH`).
    pub fn connect_for_batch(url: &str, pool_size: u32) -> Result<Self, String> {
        Self::connect_with(url, pool_size, SqliteMemory::BATCH)
    }

    fn connect_with(
        url: &str,
        pool_size: u32,
        sqlite_memory: SqliteMemory,
    ) -> Result<Self, String> {
        let (url, builder) = Self::builder(url, pool_size)?;
        let backend = url.backend;
        let pool = builder
            .build(Manager { url, sqlite_memory })
            .map_err(|e| format!("cannot connect to the {} database: {e}", backend.name()))?;
        Ok(Self {
            pool,
            backend,
            clock: Clock::default(),
            replicas: Default::default(),
            stats: Default::default(),
        })
    }

    /// A pool that connects when first used, for a server that must start (and
    /// answer `/ready` with 503) while the database is still unreachable.
    pub fn connect_later(
        url: &str,
        pool_size: u32,
        sqlite_memory: SqliteMemory,
    ) -> Result<Self, String> {
        let (url, builder) = Self::builder(url, pool_size)?;
        let backend = url.backend;
        let pool = builder
            .min_idle(Some(0))
            .build_unchecked(Manager { url, sqlite_memory });
        Ok(Self {
            pool,
            backend,
            clock: Clock::default(),
            replicas: Default::default(),
            stats: Default::default(),
        })
    }

    /// The same database with read replicas (PostgreSQL standbys of it), whose
    /// connections open when first used: a replica down at start-up only stays out
    /// of rotation. `max_lag`: how far behind a replica may be and still serve.
    pub fn with_replicas(
        mut self,
        urls: &[String],
        pool_size: u32,
        max_lag: Duration,
    ) -> Result<Self, String> {
        let mut members = Vec::new();
        for url in urls {
            let (parsed, builder) = Self::builder(url, pool_size)?;
            if parsed.backend != Backend::Postgres || self.backend != Backend::Postgres {
                return Err(format!(
                    "read replicas are PostgreSQL standbys of a PostgreSQL primary (got {})",
                    replicas::display_name(url)
                ));
            }
            // A request waits this long at most for a replica before its read goes
            // to the primary (the primary's own pool waits longer: it has no stand-in).
            let pool = builder
                .min_idle(Some(0))
                .connection_timeout(Duration::from_secs(1))
                .build_unchecked(Manager {
                    url: parsed,
                    sqlite_memory: SqliteMemory::SERVER,
                });
            members.push(Replicas::replica(replicas::display_name(url), pool));
        }
        self.replicas = std::sync::Arc::new(Replicas::new(members, max_lag));
        Ok(self)
    }

    pub fn replicas(&self) -> &std::sync::Arc<Replicas> {
        &self.replicas
    }

    /// Measures the replicas' lag once (blocking; see `db::replicas`).
    pub fn measure_replicas(&self) {
        self.replicas.measure(&self.pool);
    }

    fn builder(url: &str, pool_size: u32) -> Result<(DatabaseUrl, r2d2::Builder<Manager>), String> {
        let url = DatabaseUrl::parse(url)?;
        if url.backend == Backend::Sqlite {
            prepare_sqlite_file(&url.target)?;
        }
        // r2d2 would log every failed connection attempt itself, several lines each;
        // the callers say once what failed (a request, a start-up retry).
        let builder = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(5))
            .error_handler(Box::new(r2d2::NopErrorHandler));
        Ok((url, builder))
    }

    /// The most connections the pool opens.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// A pooled connection; the error carries the driver's reason on one line.
    pub fn get(&self) -> Result<PooledConn, ApiError> {
        self.pool.get().map_err(|e| {
            ApiError::Unavailable(format!(
                "the database is not reachable; try again shortly ({})",
                one_line(&e.to_string())
            ))
        })
    }

    /// Applies pending migrations; returns how many ran. Processes that start
    /// together on one database (API nodes, an import) take turns: each waits for
    /// the one migrating, then finds nothing left to do.
    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self.get().map_err(|e| e.to_string())?;
        let applied = match &mut *conn {
            AnyConnection::Sqlite(c) => migrate_sqlite(c),
            AnyConnection::Postgres(c) => migrate_postgres(c),
        };
        applied.map_err(|e| format!("migration failed: {e}"))
    }

    /// Runs blocking database work off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        let waiting = self.stats.start_waiting();
        actix_web::web::block(move || {
            let mut conn = db.get().inspect_err(|e| log::warn!("{e}"))?;
            drop(waiting);
            db.stats.time("primary", || f(&mut conn))
        })
        .await
        .map_err(|e| ApiError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in a write transaction and commits only if it succeeds.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// A driver's message on one line (libpq's span several, with tabs).
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The current instant at the precision both databases keep (microseconds),
/// so that what is written reads back identical on either backend.
pub fn now() -> NaiveDateTime {
    truncate(Utc::now().naive_utc())
}

pub fn truncate(t: NaiveDateTime) -> NaiveDateTime {
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

/// Which rows of a table to read by id: for sync, which pages through a table in
/// id order and then reads back just the rows that changed.
#[derive(Debug, Clone, Copy)]
pub enum ById<'a> {
    /// In id order, the ids after this one, at most this many.
    After(i32, i64),
    /// Exactly these ids (those that still exist).
    Only(&'a [i32]),
}

/// Offset and limit for page-numbered lists.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// Which of some slugs a kind of resource already uses: one query however many are asked.
pub type TakenSlugs<'a> =
    &'a mut dyn FnMut(&mut AnyConnection, &[String]) -> ApiResult<Vec<String>>;

/// How many derived candidates one query checks once the plain slug is taken.
const SLUG_CANDIDATES_PER_QUERY: u32 = 64;

/// The slug for a new resource: the one asked for (409 if taken), or one made
/// from `source` with `-2`, `-3`… appended until it is free.
///
/// Writers never race for a slug: write transactions take turns on both backends
/// (see `tx::run_tx`), so what this reads stays true until the row is written.
pub fn choose_slug(
    conn: &mut AnyConnection,
    requested: Option<String>,
    source: &str,
    what: &str,
    taken: TakenSlugs,
) -> ApiResult<String> {
    if let Some(slug) = requested {
        ensure_free(conn, &slug, what, taken)?;
        return Ok(slug);
    }
    let mut base = crate::content::slug::slugify(source);
    if base.is_empty() {
        base = what.to_owned();
    }
    // The plain slug alone first (the common case), then candidates in batches, so a
    // title used a thousand times costs a few queries rather than a thousand.
    let mut first = 1;
    let mut batch = 1;
    while first < 10_000 {
        let candidates: Vec<String> = (first..first + batch)
            .map(|n| crate::content::slug::candidate(&base, n))
            .collect();
        let used = taken(conn, &candidates)?;
        if let Some(free) = candidates.into_iter().find(|c| !used.contains(c)) {
            return Ok(free);
        }
        first += batch;
        batch = SLUG_CANDIDATES_PER_QUERY;
    }
    Err(ApiError::Conflict(format!(
        "no free slug derived from {base:?}; give one explicitly"
    )))
}

/// 409 when an explicitly requested slug is already used.
pub fn ensure_free(
    conn: &mut AnyConnection,
    slug: &str,
    what: &str,
    taken: TakenSlugs,
) -> ApiResult<()> {
    if !taken(conn, &[slug.to_owned()])?.is_empty() {
        return Err(ApiError::Conflict(format!(
            "the slug {slug:?} is already used by another {what}"
        )));
    }
    Ok(())
}

/// Maps slugs to ids in the order asked, or a validation error naming every unknown slug.
pub fn resolve_in_order(
    slugs: &[String],
    found: &[(i32, String)],
    field: &str,
    what: &str,
) -> ApiResult<Vec<i32>> {
    let mut ids = Vec::with_capacity(slugs.len());
    let mut missing = Vec::new();
    for slug in slugs {
        match found.iter().find(|(_, s)| s == slug) {
            Some((id, _)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => missing.push(slug.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::unknown_reference(
            field,
            format!(
                "no {what} with slug {}; create it first",
                missing.join(", ")
            ),
        ))
    }
}
