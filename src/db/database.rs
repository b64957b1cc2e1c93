//! The shared handle to the database: the primary's pool, the replicas, the
//! clock, and how work is run on them off the async workers.

use std::time::Duration;

use diesel::r2d2;

use super::clock::Clock;
use super::connection::{
    display_name, one_line, AnyConnection, Backend, DatabaseUrl, SqliteMemory,
};
use super::dialect::{migrate_postgres, migrate_sqlite, prepare_sqlite_file};
use super::pool::{Manager, Pool, PooledConn};
use super::replicas::Replicas;
use super::stats;
use super::tx::write_tx;
use crate::error::ApiError;

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
        Ok(Self::over(pool, backend))
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
        Ok(Self::over(pool, backend))
    }

    /// The database served by `pool`, with its own clock and no replicas yet.
    fn over(pool: Pool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            clock: Clock::default(),
            replicas: Default::default(),
            stats: Default::default(),
        }
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
                    display_name(url)
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
            members.push(Replicas::replica(display_name(url), pool));
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

/// Where a read may be served from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// The primary: the caller may have just written (see `db::replicas`).
    Primary,
    /// A replica in rotation, else the primary.
    Replica,
}

impl Database {
    /// Runs a read, on a replica in rotation when `from` allows it and there is
    /// one, else on the primary. A replica that cannot give a connection, or whose
    /// connection is lost during the read, leaves the rotation and the read is run
    /// again on the primary: a read has no effect to repeat, and the client should
    /// not pay for a standby going away.
    pub async fn read<T, F>(&self, from: ReadFrom, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let replicas = self.replicas.clone();
        let stats = self.stats.clone();
        let replica = match from {
            ReadFrom::Replica => replicas.pick_index(),
            ReadFrom::Primary => None,
        };
        let f = match replica {
            Some(index) => {
                let attempt = actix_web::web::block(move || {
                    let replica = &replicas.members[index];
                    let lost = match replica.pool.get() {
                        Ok(mut conn) => match stats.time("replica", || f(&mut conn)) {
                            Err(ApiError::Unavailable(why)) => why,
                            done => return Ok(done),
                        },
                        Err(e) => e.to_string(),
                    };
                    replica.failed(&lost);
                    Err(f)
                })
                .await
                .map_err(|e| ApiError::Internal(format!("database task failed: {e}")))?;
                match attempt {
                    Ok(result) => return result,
                    Err(f) => f,
                }
            }
            None => f,
        };
        self.run(f).await
    }
}

impl Database {
    /// Each pool's open and idle connections, by database (`primary`, then each
    /// replica by name).
    pub fn pool_states(&self) -> Vec<(String, u32, u32)> {
        let state = |pool: &Pool| {
            let state = pool.state();
            (state.connections, state.idle_connections)
        };
        let (open, idle) = state(&self.pool);
        let mut states = vec![("primary".to_owned(), open, idle)];
        for replica in &self.replicas.members {
            let (open, idle) = state(&replica.pool);
            states.push((replica.name.clone(), open, idle));
        }
        states
    }

    /// Database work waiting for a connection of the primary's pool now.
    pub fn waiting(&self) -> i64 {
        self.stats.waiting()
    }

    /// The time database work holds a connection (see `db::stats`).
    pub fn work_seconds(&self) -> &prometheus::HistogramVec {
        self.stats.histogram()
    }
}
