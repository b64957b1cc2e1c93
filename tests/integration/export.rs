//! `folio export` and its restore: SQLite → PostgreSQL → SQLite reproduces every
//! row byte for byte, ids and dates included (PostgreSQL when its test URL is set;
//! SQLite → SQLite otherwise).

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{TestApp, TestDb};
use folio::assets::StoreLocation;
use serde_json::{json, Value};

fn folio(url: &str, args: &[&str]) -> Output {
    folio_with_store(
        url,
        &std::env::temp_dir().join("folio-test-export-assets"),
        args,
    )
}

/// `folio` over the database at `url` and the asset folder `store`.
fn folio_with_store(url: &str, store: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("FOLIO_ASSET_STORE", store)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run folio");
    assert!(
        output.status.success(),
        "folio {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn export(url: &str, store: &Path, file: &Path) -> Vec<Value> {
    folio_with_store(url, store, &["export", "--output", file.to_str().unwrap()]);
    std::fs::read_to_string(file)
        .expect("read the export")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// The rows of an export, without what differs by design: the header (time,
/// backend) and tokens' revocation (restored tokens are revoked: no secrets).
fn rows(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .skip(1)
        .map(|line| {
            let mut line = line.clone();
            if line["table"] == "api_tokens" {
                line["row"]["revoked_at"] = Value::Null;
            }
            line
        })
        .collect()
}

fn newsroom(app: &TestApp) {
    app.post(
        "/v1/sections",
        json!({"name": "Monde", "translations": {"en": {"name": "World"}}}),
    )
    .expect(201);
    app.post(
        "/v1/sections",
        json!({"name": "Asie centrale", "parent": "monde"}),
    )
    .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.post(
        "/v1/authors",
        json!({"name": "Claire Dubois", "bio": "Correspondante à Astana.",
               "translations": {"en": {"bio": "Correspondent in Astana."}}}),
    )
    .expect(201);
    let photo = crate::assets::uploaded(
        app,
        crate::assets::jpeg(800, 600),
        "image/jpeg",
        "?alt=Astana&focal_x=0.8",
    );
    let photo = photo["id"].as_str().expect("an asset id");
    app.article(json!({
        "title": "Poutine au Kazakhstan : une alliance stratégique…",
        "body": format!("Le « partenariat »\u{a0}: l’alliance, cœur du dispositif 🇰🇿.\n\n## Sous-titre\n\n![](asset:{photo})\n\nTexte."),
        "status": "published", "published_at": "2024-11-27T09:00:00.123456Z",
        "section": "asie-centrale", "tags": ["energie"], "authors": ["claire-dubois"],
        "metadata": {"dateline": "Astana", "n": 1.5}, "cover": photo
    }));
    app.patch(
        "/v1/articles/poutine-au-kazakhstan-une-alliance-strategique",
        json!({"slug": "alliance", "standfirst": "Une visite d’État."}),
    )
    .expect(200);
    app.article(json!({"slug": "avant", "title": "Supprimé", "body": "x", "status": "published"}));
    app.patch("/v1/articles/avant", json!({"slug": "supprime"}))
        .expect(200);
    app.delete("/v1/articles/supprime").expect(204);
    app.article(
        json!({"slug": "brouillon", "title": "Brouillon", "body": "Draft.", "language": "en"}),
    );
    // The parent comes after its child in id order: the restore must cope.
    app.post("/v1/sections", json!({"name": "Europe"}))
        .expect(201);
    app.patch("/v1/sections/monde", json!({"parent": "europe"}))
        .expect(200);
}

#[test]
fn export_and_restore_round_trip_across_backends() {
    let app = TestApp::spawn(TestDb::sqlite());
    newsroom(&app);
    let dir = tempfile::tempdir().expect("temporary directory");
    let StoreLocation::Local(store) = &app.assets else {
        panic!("the test server keeps its assets in a folder");
    };
    let exported = dir.path().join("sqlite.ndjson");
    let original = export(&app.test_db.url, store, &exported);
    assert_eq!(original[0]["table"], "folio_export");
    for table in ["assets", "article_assets"] {
        assert!(
            original.iter().any(|l| l["table"] == table),
            "{table} exported"
        );
    }
    let asset = original
        .iter()
        .find(|l| l["table"] == "assets")
        .and_then(|l| l["row"]["public_id"].as_str())
        .expect("an asset row");
    let file = std::fs::read(dir.path().join("sqlite-assets").join(asset))
        .expect("the asset's file is written beside the export");
    let text = std::fs::read_to_string(dir.path().join("sqlite.ndjson")).unwrap();
    assert!(text.contains("cœur du dispositif 🇰🇿"));
    assert!(
        text.contains(r#""translations":"{\"en\":{\"name\":\"World\"}}""#),
        "translated names are exported"
    );
    assert!(!text.contains("token_hash"), "no secrets in an export");
    for table in [
        "article_revisions",
        "article_trash",
        "article_slug_redirects",
        "trash_slug_redirects",
        "changes",
    ] {
        assert!(
            original.iter().any(|l| l["table"] == table),
            "{table} exported"
        );
    }

    let middle = TestDb::postgres().unwrap_or_else(TestDb::sqlite);
    let middle_store = dir.path().join("middle-store");
    let restored = folio_with_store(
        &middle.url,
        &middle_store,
        &["import", exported.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&restored.stdout).contains("restored 1 asset file"));
    let kept = std::fs::read(middle_store.join(asset).join("original"));
    assert_eq!(
        kept.ok(),
        Some(file),
        "the restored store holds the file byte for byte"
    );
    let there = export(
        &middle.url,
        &middle_store,
        &dir.path().join("middle.ndjson"),
    );
    assert_eq!(rows(&there), rows(&original));
    assert!(there
        .iter()
        .filter(|l| l["table"] == "api_tokens")
        .all(|l| !l["row"]["revoked_at"].is_null()));

    let back = TestDb::sqlite();
    let back_store = dir.path().join("back-store");
    folio_with_store(
        &back.url,
        &back_store,
        &["import", dir.path().join("middle.ndjson").to_str().unwrap()],
    );
    let again = export(&back.url, &back_store, &dir.path().join("back.ndjson"));
    assert_eq!(rows(&again), rows(&original));

    // New rows after a restore get fresh ids (PostgreSQL's counters moved on).
    let file = dir.path().join("new.md");
    std::fs::write(
        &file,
        "---\ntitle: Nouveau\nsection: Nouvelle\ntags: [Neuf]\n---\nTexte.\n",
    )
    .unwrap();
    folio(&middle.url, &["import", file.to_str().unwrap()]);
    folio(
        &middle.url,
        &["token", "create", "--name", "nouveau", "--scope", "read"],
    );
}

#[test]
fn a_restore_needs_an_empty_database() {
    let app = TestApp::spawn(TestDb::sqlite());
    newsroom(&app);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("export.ndjson");
    let StoreLocation::Local(store) = &app.assets else {
        panic!("the test server keeps its assets in a folder");
    };
    export(&app.test_db.url, store, &file);
    let refused = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", &app.test_db.url)
        .output()
        .expect("run folio");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("empty database"));

    // A broken line rolls the whole restore back.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"table\": \"tags\", \"row\": {\"id\": \"x\"}}\n");
    std::fs::write(&file, text).unwrap();
    let empty = TestDb::sqlite();
    let failed = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", &empty.url)
        .output()
        .expect("run folio");
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("line "));
    let lines = export(
        &empty.url,
        &dir.path().join("empty-store"),
        &dir.path().join("after.ndjson"),
    );
    assert_eq!(lines.len(), 1, "nothing was restored: {lines:?}");
}
