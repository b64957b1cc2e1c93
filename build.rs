//! Which parts of the test suite can run here. Without a PostgreSQL URL its half
//! of the tests is marked ignored; without a program a test starts (Varnish, the
//! S3 stand-in, PostgreSQL's server binaries) the tests that need it are too, with
//! the reason and the way to install it, instead of passing without testing
//! anything. CI (`CI` set) installs every part, so there none is ever ignored and
//! a missing one fails its tests.

use std::path::PathBuf;
use std::process::Command;

/// A program some tests start, and the cfg set when it is here (the tests name
/// how to install it).
struct Part {
    cfg: &'static str,
    found: fn() -> bool,
}

const PARTS: [Part; 3] = [
    Part {
        cfg: "folio_part_varnishd",
        found: || on_path("varnishd"),
    },
    Part {
        cfg: "folio_part_moto",
        found: || on_path("moto_server"),
    },
    Part {
        cfg: "folio_part_postgres_server",
        found: postgres_server_binaries,
    },
];

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default()
}

fn on_path(program: &str) -> bool {
    path_dirs().iter().any(|dir| dir.join(program).is_file())
}

fn postgres_server_binaries() -> bool {
    Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|bin| bin.join("initdb").is_file() && bin.join("pg_basebackup").is_file())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(folio_postgres_tests)");
    println!("cargo::rerun-if-env-changed=FOLIO_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=build.rs");
    // Installing a part changes a directory on the PATH: look again then.
    for dir in path_dirs().iter().filter(|dir| dir.is_dir()) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    if std::env::var("FOLIO_TEST_POSTGRES_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=folio_postgres_tests");
    }
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    for part in PARTS {
        println!("cargo::rustc-check-cfg=cfg({})", part.cfg);
        if in_ci || (part.found)() {
            println!("cargo::rustc-cfg={}", part.cfg);
        }
    }
}
