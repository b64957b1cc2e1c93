//! Whether the PostgreSQL half of the test suite can run: without a server URL its
//! tests are marked ignored (and say so) instead of passing without testing anything.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(folio_postgres_tests)");
    println!("cargo::rerun-if-env-changed=FOLIO_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("FOLIO_TEST_POSTGRES_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=folio_postgres_tests");
    }
}
