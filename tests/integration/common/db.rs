//! Test databases: a fresh SQLite file or PostgreSQL database per test, copied
//! from a template migrated once per set of migrations.

use folio::db::{Backend, Database};

/// The PostgreSQL server to test against; its database is only used to create per-test databases.
pub const POSTGRES_URL_VAR: &str = "FOLIO_TEST_POSTGRES_URL";

/// A fresh, empty database of one backend, removed when dropped.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

/// A digest of one backend's migrations: a template made from other migrations is
/// never used.
fn migrations_digest(backend: &str) -> String {
    use sha2::Digest;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files: Vec<_> = walk_files(&root);
    files.sort();
    let mut hash = sha2::Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).expect("read a migration"));
    }
    hex::encode(&hash.finalize()[..8])
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the migrations") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A migrated SQLite file, made once per test process; each test starts from a copy
/// (crates.io's pattern: migrations run once, not once per test).
fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("template.db");
        let db = Database::connect(&format!("sqlite://{}", path.display()), 1)
            .expect("open the template");
        db.migrate().expect("migrate the template");
        drop(db); // closing the last connection checkpoints the WAL into the file
        (dir, path)
    });
    path
}

/// The name of a PostgreSQL database holding exactly the current migrations, made
/// once (and kept between runs, since its name carries the migrations' digest).
fn postgres_template(admin: &str) -> &'static str {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use diesel::prelude::*;
        let name = format!("folio_template_{}", migrations_digest("postgres"));
        #[derive(QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            #[allow(dead_code)]
            one: i32,
        }
        let mut conn = diesel::PgConnection::establish(admin).expect("connect to PostgreSQL");
        let exists = diesel::sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&name)
            .load::<Found>(&mut conn)
            .expect("look for the template")
            .len()
            == 1;
        if !exists {
            // Built under another name and renamed: another test process never
            // copies a half-migrated template.
            let building = format!("folio_building_{}", uuid::Uuid::new_v4().simple());
            psql(admin, &format!("CREATE DATABASE {building}"));
            let db =
                Database::connect(&with_database(admin, &building), 1).expect("open the template");
            db.migrate().expect("migrate the template");
            drop(db);
            let renamed = diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn);
            if renamed.is_err() {
                psql(
                    admin,
                    &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
                );
            }
        }
        name
    })
}

impl TestDb {
    /// The same database, not owned: dropping it leaves the database alone.
    pub fn shared(&self) -> Self {
        Self {
            url: self.url.clone(),
            backend: self.backend,
            _dir: None,
            postgres: None,
        }
    }

    /// A PostgreSQL database the test made itself elsewhere (its own server),
    /// left alone when dropped.
    pub fn existing_postgres(url: String) -> Self {
        Self {
            url,
            backend: Backend::Postgres,
            _dir: None,
            postgres: None,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("folio.db");
        std::fs::copy(sqlite_template(), &file).expect("copy the template");
        let url = format!("sqlite://{}", file.display());
        Self {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// An empty SQLite database, not even migrated.
    pub fn sqlite_unmigrated() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("folio.db").display());
        Self {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// None when the PostgreSQL test URL is not set.
    pub fn postgres() -> Option<Self> {
        let db = Self::postgres_unmigrated()?;
        let (admin, name) = db.postgres.as_ref().expect("a PostgreSQL database");
        psql(admin, &format!("DROP DATABASE {name}"));
        let template = postgres_template(admin);
        psql(
            admin,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        );
        Some(db)
    }

    /// An empty PostgreSQL database, not even migrated; None when the URL is not set.
    pub fn postgres_unmigrated() -> Option<Self> {
        let admin = std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("folio_test_{}", uuid::Uuid::new_v4().simple());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let url = with_database(&admin, &name);
        Some(Self {
            url,
            backend: Backend::Postgres,
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    pub fn open(&self) -> Database {
        let db = Database::connect(&self.url, 8).expect("connect to the test database");
        db.migrate().expect("migrate the test database");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            psql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Runs one statement on the admin connection (CREATE/DROP DATABASE cannot run in a transaction).
pub fn psql(admin_url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(admin_url).expect("connect to PostgreSQL");
    conn.batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The same URL naming another database.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}
