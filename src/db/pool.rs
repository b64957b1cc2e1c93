//! The pool of connections, which opens each one and prepares it for its backend.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use super::connection::{AnyConnection, Backend, DatabaseUrl, SqliteMemory};
use super::dialect::connect_sqlite;

/// Opens connections of one backend and prepares each SQLite connection.
#[derive(Debug)]
pub struct Manager {
    pub(super) url: DatabaseUrl,
    pub(super) sqlite_memory: SqliteMemory,
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
