//! Several processes starting on one fresh database take turns migrating it, and
//! a SQLite path in a missing directory is refused, not created.

use crate::common;

use std::process::{Command, Stdio};

use common::TestDb;

fn folio(url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Two `migrate`s and an `import` started at the same instant all succeed.
fn concurrent_processes_migrate_once(db: &TestDb) {
    let fixture = format!("{}/tests/fixtures/poutine.txt", env!("CARGO_MANIFEST_DIR"));
    let children: Vec<_> = [
        vec!["migrate"],
        vec!["migrate"],
        vec!["import", fixture.as_str()],
    ]
    .iter()
    .map(|args| folio(&db.url, args).spawn().expect("start folio"))
    .collect();
    for child in children {
        let out = child.wait_with_output().expect("folio ran");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let again = folio(&db.url, &["migrate"]).output().expect("folio ran");
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 "),
        "nothing is left to migrate: {}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn sqlite_processes_take_turns_migrating() {
    for _ in 0..3 {
        concurrent_processes_migrate_once(&TestDb::sqlite_unmigrated());
    }
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_processes_take_turns_migrating() {
    for _ in 0..3 {
        let db = TestDb::postgres_unmigrated().expect("FOLIO_TEST_POSTGRES_URL is set");
        concurrent_processes_migrate_once(&db);
    }
}

#[test]
fn a_sqlite_file_in_a_missing_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir");
    let url = format!("sqlite://{}/folio.db", missing.display());
    let out = folio(&url, &["migrate"]).output().expect("folio ran");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not exist") && stderr.contains("no/such/dir"),
        "{stderr}"
    );
    assert!(!dir.path().join("no").exists(), "no directory was created");
}
