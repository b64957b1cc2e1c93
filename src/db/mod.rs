//! Database access: one pool over SQLite or PostgreSQL, chosen by the URL scheme.

pub mod archive;
pub mod article_list;
pub mod articles;
pub mod assets;
pub mod audit;
pub mod authors;
pub mod changes;
mod clock;
pub mod commit;
mod connection;
pub mod counts;
mod database;
mod dialect;
pub mod dump;
pub mod idempotency;
pub mod import_sources;
mod lookup;
pub mod modified;
mod named;
mod planner;
mod pool;
pub mod purge_keys;
pub mod purges;
pub mod related;
pub mod replicas;
pub mod schema;
pub mod search_index;
pub mod sections;
pub mod shared_state;
pub mod sitemap;
mod slugs;
mod static_sql;
mod stats;
pub mod tags;
pub mod tokens;
pub mod trash;
mod tx;
pub mod webhooks;

pub use clock::{now, truncate, Clock};
pub use connection::{
    display_name, one_line, AnyConnection, Backend, DatabaseUrl, Db, SqliteMemory,
};
pub use database::{Database, ReadFrom};
pub use dialect::Statistics;
pub use lookup::{resolve_in_order, ById, PageRequest};
pub use planner::refresh_statistics;
pub use pool::{Manager, Pool, PooledConn};
pub use replicas::Replicas;
pub use slugs::{choose_slug, ensure_free, TakenSlugs};
pub use tx::{read_tx, rehearse_tx, savepoint, write_tx};
