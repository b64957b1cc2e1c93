//! Everything Folio says differently to SQLite and to PostgreSQL, in one place.
//!
//! The rest of the data layer speaks SQL that both accept, mostly through diesel's
//! query builder. What cannot be said the same way is a method of [`Dialect`],
//! written once per backend (`sqlite.rs`, `postgres.rs`): how writers take turns
//! and readers see one moment, planner statistics, the full-text index, grouping
//! publication times by UTC day, ids and sequences, and opening and migrating a
//! database. A unit test below keeps backend-specific matches out of other files.

mod interface;
mod postgres;
mod sqlite;

use super::connection::AnyConnection;
pub use interface::{Dialect, IndexedTerms, Statistics};

pub(super) use postgres::migrate as migrate_postgres;
pub(super) use sqlite::{
    connect as connect_sqlite, migrate as migrate_sqlite, prepare_file as prepare_sqlite_file,
};

/// The dialect of the database `conn` is connected to.
pub fn of(conn: &AnyConnection) -> &'static dyn Dialect {
    match conn {
        AnyConnection::Sqlite(_) => &sqlite::Sqlite,
        AnyConnection::Postgres(_) => &postgres::Postgres,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Files outside this module that may name a backend's connection: the one
    /// that defines the connection type and opens and migrates databases.
    const ALLOWED: &[&str] = &[
        "src/db/connection.rs",
        "src/db/database.rs",
        "src/db/pool.rs",
    ];

    fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn backend_specific_code_stays_in_the_dialect_module() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        let mut offenders = Vec::new();
        for file in files {
            let relative = file.strip_prefix(root).unwrap_or(&file);
            let name = relative.to_string_lossy().replace('\\', "/");
            if name.starts_with("src/db/dialect/") || ALLOWED.contains(&name.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for needle in [
                "AnyConnection::Sqlite",
                "AnyConnection::Postgres",
                "Backend::Sqlite",
                "Backend::Postgres",
            ] {
                if text.contains(needle) {
                    offenders.push(format!("{name}: {needle}"));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "backend-specific code outside db::dialect: {offenders:?}"
        );
    }
}
