//! `folio import`: plain text, Markdown with front matter and JSON, checked through the API.

use crate::common;

use common::TestApp;
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn import(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let out = app.cli(&all);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn french_plain_text_with_sub_headings(app: &TestApp) {
    let (ok, stdout, stderr) = import(app, &[&fixture("poutine.txt"), "--status", "published"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("1 created, 0 updated, 0 unchanged, 0 failed"),
        "{stdout}"
    );
    let article = app
        .get("/v1/articles/poutine-au-kazakhstan-une-alliance-strategique")
        .expect(200)
        .json();
    assert_eq!(
        article["title"],
        "Poutine au Kazakhstan : une alliance stratégique…"
    );
    // Midnight in Europe/Paris (FOLIO_TIMEZONE of the CLI run) is 23:00 UTC the day before.
    assert_eq!(article["published_at"], "2024-11-26T23:00:00Z");
    assert_eq!(article["section"]["name"], "Entrevue");
    assert_eq!(article["language"], "fr");
    let body = article["body"].as_str().unwrap();
    assert_eq!(body.matches("\n## ").count(), 2, "{body}");
    assert!(body.contains("\n\n## Une relation ancienne\n\n"));
    assert!(body.contains("## Le nucléaire au centre du jeu"));
    assert!(body.contains("« Nous sommes des alliés naturels »"));
    assert_eq!(
        article["body_html"]
            .as_str()
            .unwrap()
            .matches("<h2>")
            .count(),
        2
    );
    // The same file again changes nothing: no new date, revision or audit entry.
    let revisions = app
        .preview("/v1/articles/poutine-au-kazakhstan-une-alliance-strategique/revisions")
        .json()["total"]
        .clone();
    let audited = app
        .request(
            reqwest::Method::GET,
            "/v1/audit",
            Some(&app.admin_token),
            None,
        )
        .json()["total"]
        .clone();
    let (ok, stdout, _) = import(app, &[&fixture("poutine.txt")]);
    assert!(ok);
    assert!(
        stdout.contains("0 created, 0 updated, 1 unchanged, 0 failed"),
        "{stdout}"
    );
    assert_eq!(
        app.preview("/v1/articles/poutine-au-kazakhstan-une-alliance-strategique/revisions")
            .json()["total"],
        revisions
    );
    assert_eq!(
        app.request(
            reqwest::Method::GET,
            "/v1/audit",
            Some(&app.admin_token),
            None
        )
        .json()["total"],
        audited
    );
    assert_eq!(
        app.preview("/v1/articles?include_total=true").json()["total"],
        1
    );
    let again = app
        .get("/v1/articles/poutine-au-kazakhstan-une-alliance-strategique")
        .expect(200)
        .json();
    assert_eq!(again["id"], article["id"]);
    assert_eq!(again["updated_at"], article["updated_at"]);
    assert_eq!(
        again["status"], "published",
        "re-import without --status keeps the status"
    );
}

fn markdown_with_yaml_and_toml_front_matter(app: &TestApp) {
    let (ok, stdout, stderr) = import(app, &[&fixture("council.md"), &fixture("festival.md")]);
    assert!(ok, "{stdout}{stderr}");
    let council = app
        .preview("/v1/articles/city-council-passes-a-leaner-budget")
        .expect(200)
        .json();
    assert_eq!(council["status"], "draft");
    assert_eq!(council["section"]["slug"], "local-news");
    assert_eq!(council["tags"][1]["name"], "City Hall");
    let authors: Vec<&str> = council["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(authors, vec!["sam-patel", "anne-roy"]);
    assert_eq!(council["metadata"]["dateline"], "Springfield");
    assert_eq!(
        council["metadata"]["layout"], "post",
        "unknown front-matter keys are kept in metadata"
    );
    assert_eq!(council["published_at"], "2024-11-20T23:00:00Z");
    assert!(council["body"]
        .as_str()
        .unwrap()
        .starts_with("The council approved"));
    let festival = app
        .get("/v1/articles/le-festival-d-hiver")
        .expect(200)
        .json();
    assert_eq!(festival["published_at"], "2024-11-22T17:00:00Z");
    assert_eq!(festival["section"]["name"], "Culture");
}

fn json_array_object_and_ndjson(app: &TestApp) {
    let (ok, stdout, stderr) = import(
        app,
        &[&fixture("articles.json"), &fixture("articles.ndjson")],
    );
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("4 created"), "{stdout}");
    let second = app
        .preview("/v1/articles/second-wire-story")
        .expect(200)
        .json();
    assert_eq!(second["id"], "9a0b6a3e-2f0f-4b5e-8c55-0d3c6f1f2a10");
    assert_eq!(
        app.get("/v1/articles/first-wire-story").expect(200).json()["published_at"],
        "2024-11-20T10:00:00Z"
    );
    let (_, stdout, _) = import(app, &[&fixture("articles.json")]);
    assert!(
        stdout.contains("0 created, 0 updated, 2 unchanged"),
        "{stdout}"
    );
}

/// NDJSON of any size imports with the default settings, each line bounded as a
/// request is; a single document (one JSON array) keeps the whole-file bound.
fn large_ndjson_imports_line_by_line(app: &TestApp) {
    let dir = tempfile::tempdir().expect("a folder");
    let body = "Le cœur du réacteur\u{a0}: « une alliance ». ".repeat(90);
    let line = |n: usize| {
        serde_json::json!({"title": format!("Dépêche {n}"), "slug": format!("depeche-{n}"), "body": body})
            .to_string()
    };
    let articles = 2_600;
    let mut ndjson = String::new();
    for n in 0..articles {
        ndjson.push_str(&line(n));
        ndjson.push('\n');
    }
    // Past the default FOLIO_MAX_REQUEST_BYTES (4 MiB), with one line that is too.
    ndjson.push_str(
        &serde_json::json!({"title": "Trop long", "body": "x".repeat(5 << 20)}).to_string(),
    );
    ndjson.push('\n');
    ndjson.push_str(&line(articles));
    ndjson.push('\n');
    assert!(ndjson.len() > 10 << 20, "{} bytes", ndjson.len());
    let path = dir.path().join("wire.ndjson");
    std::fs::write(&path, &ndjson).unwrap();
    let (ok, stdout, stderr) = import(app, &[path.to_str().unwrap()]);
    assert!(!ok, "one line failed: {stdout}{stderr}");
    assert!(
        stdout.contains(&format!("{} created", articles + 1)),
        "{stdout}{stderr}"
    );
    let line_number = articles + 1;
    assert!(
        stderr.contains(&format!(
            ":{line_number}: the line is longer than an article may be"
        )),
        "{stderr}"
    );
    app.preview(&format!("/v1/articles/depeche-{articles}"))
        .expect(200);

    let array = format!(
        "[{}]",
        (0..1_200)
            .map(|n| line(10_000 + n))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    assert!(array.len() > 4 << 20);
    let path = dir.path().join("wire.json");
    std::fs::write(&path, array).unwrap();
    let (ok, stdout, stderr) = import(app, &[path.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("NDJSON"), "{stdout}{stderr}");
}

fn bad_files_are_reported_and_others_import(app: &TestApp) {
    let (ok, stdout, stderr) = import(app, &[&fixture("bad")]);
    assert!(!ok, "a failure makes the exit status non-zero");
    assert!(
        stdout.contains("2 created, 0 updated, 0 unchanged, 2 failed"),
        "{stdout}"
    );
    assert!(stderr.contains("no-date.txt:2:"), "{stderr}");
    assert!(stderr.contains("mixed.ndjson:2:"), "{stderr}");
    assert!(stderr.contains("title"), "{stderr}");
    app.preview("/v1/articles/un-article-correct").expect(200);
    app.preview("/v1/articles/bon").expect(200);
}

/// Articles are saved in batches; one that fails after writing (here: its new
/// section) is undone alone, and the articles around it are kept, searchable.
/// A later article of the batch naming the same new section makes it again.
fn a_failed_article_leaves_no_trace_in_its_batch(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.ndjson");
    let mut lines = Vec::new();
    for i in 0..300 {
        let line = match i {
            150 => r#"{"title": " ", "body": "Vide.", "section": "Sport"}"#.to_owned(),
            151 => r#"{"title": "Match", "body": "Texte.", "section": "Sport"}"#.to_owned(),
            _ => {
                format!(r#"{{"title": "Dépêche {i}", "body": "Texte {i}.", "section": "Culture"}}"#)
            }
        };
        lines.push(line);
    }
    std::fs::write(&path, lines.join("\n")).unwrap();
    let (ok, stdout, stderr) = import(app, &[path.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stdout.contains("299 created, 0 updated, 0 unchanged, 1 failed"),
        "{stdout}"
    );
    assert!(stderr.contains("batch.ndjson:151:"), "{stderr}");
    assert_eq!(
        common::slugs(&app.get("/v1/sections").json()),
        ["culture", "sport"]
    );
    let list = app.preview("/v1/articles?include_total=true").json();
    assert_eq!(list["total"], 299);
    let sport = app
        .preview("/v1/articles?section=sport&include_total=true")
        .json();
    assert_eq!(sport["total"], 1, "{sport}");
    let found = app
        .preview("/v1/articles?q=texte&include_total=true")
        .json();
    assert_eq!(found["total"], 299, "{found}");
}

fn dry_run_writes_nothing(app: &TestApp) {
    let (ok, stdout, _) = import(
        app,
        &[&fixture("poutine.txt"), &fixture("council.md"), "--dry-run"],
    );
    assert!(ok);
    assert!(
        stdout.contains("2 created") && stdout.contains("dry run"),
        "{stdout}"
    );
    let list: Value = app.preview("/v1/articles?include_total=true").json();
    assert_eq!(list["total"], 0);
    assert_eq!(app.get("/v1/sections").json()["total"], 0);
}

fn default_section_option(app: &TestApp) {
    let (ok, _, stderr) = import(app, &[&fixture("articles.ndjson"), "--section", "Dépêches"]);
    assert!(ok, "{stderr}");
    let article = app.preview("/v1/articles/ligne-un").expect(200).json();
    assert_eq!(article["section"]["slug"], "depeches");
    assert_eq!(article["section"]["name"], "Dépêches");
}

/// A Hugo site says what is published with `draft` or `status`; `--status` only
/// fills in for files that say nothing.
fn front_matter_draft_and_status_are_honoured(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    for (name, front) in [
        ("live.md", "draft: false"),
        ("held.md", "draft: true"),
        ("said.md", "status: published"),
        ("both.md", "draft: false\nstatus: archived"),
        ("silent.md", "tags: [x]"),
    ] {
        let stem = name.trim_end_matches(".md");
        let text =
            format!("---\ntitle: {stem}\ndate: 2024-11-27\n{front}\n---\nTexte de {stem}.\n");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let (ok, stdout, stderr) = import(app, &[dir.path().to_str().unwrap(), "--status", "draft"]);
    assert!(ok, "{stdout}{stderr}");
    for (slug, status) in [
        ("live", "published"),
        ("held", "draft"),
        ("said", "published"),
        ("both", "archived"),
        ("silent", "draft"),
    ] {
        let article = app
            .preview(&format!("/v1/articles/{slug}"))
            .expect(200)
            .json();
        assert_eq!(article["status"], status, "{slug}");
    }
    app.get("/v1/articles/live").expect(200);
}

/// A short line ending in a closing quote is a sub-heading like any other.
fn quoted_sub_headings_in_plain_text(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let text = "Poutine au Kazakhstan\n27 novembre 2024 / Entrevue\n\nLe président est arrivé.\n\nUne alliance « éprouvée par la vie »\n\nIl a dit « oui ».\n\nProjets énergétiques et ambitions stratégiques\n\nLa suite.\n";
    let path = dir.path().join("poutine.txt");
    std::fs::write(&path, text).unwrap();
    let (ok, stdout, stderr) = import(app, &[path.to_str().unwrap()]);
    assert!(ok, "{stdout}{stderr}");
    let body = app
        .preview("/v1/articles/poutine-au-kazakhstan")
        .expect(200)
        .json()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        body,
        "Le président est arrivé.\n\n## Une alliance « éprouvée par la vie »\n\nIl a dit « oui ».\n\n## Projets énergétiques et ambitions stratégiques\n\nLa suite."
    );
}

/// Two files with the same headline are two articles; each re-import finds its own.
fn different_files_never_merge(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let text = format!("Le même titre\n27 novembre 2024 / Monde\n\n{body}\n");
        std::fs::write(dir.path().join(name), text).unwrap();
    };
    write("a.txt", "Premier texte.");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write("sub/b.txt", "Second texte.");
    let root = dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = import(app, &[root]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("2 created, 0 updated, 0 unchanged"),
        "{stdout}"
    );
    let first = app.preview("/v1/articles/le-meme-titre").expect(200).json();
    let second = app
        .preview("/v1/articles/le-meme-titre-2")
        .expect(200)
        .json();
    assert_eq!(first["body"], "Premier texte.");
    assert_eq!(second["body"], "Second texte.");
    // Again: nothing changes; then one file changes, and only its article follows.
    let (_, stdout, _) = import(app, &[root]);
    assert!(
        stdout.contains("0 created, 0 updated, 2 unchanged"),
        "{stdout}"
    );
    write("sub/b.txt", "Second texte, corrigé.");
    let (_, stdout, _) = import(app, &[root]);
    assert!(
        stdout.contains("0 created, 1 updated, 1 unchanged"),
        "{stdout}"
    );
    assert_eq!(
        app.preview("/v1/articles/le-meme-titre-2").json()["body"],
        "Second texte, corrigé."
    );
    assert_eq!(
        app.preview("/v1/articles/le-meme-titre").json()["body"],
        "Premier texte."
    );
}

/// A tree with a symlink loop is walked once; a file larger than a request is
/// refused before it is read.
fn any_tree_is_safe(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "Un titre\n27 novembre 2024 / Monde\n\nTexte.\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    std::fs::write(
        dir.path().join("big.txt"),
        format!(
            "Gros\n27 novembre 2024 / Monde\n\n{}\n",
            "mot ".repeat(1_000)
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["import", dir.path().to_str().unwrap()])
        .env("DATABASE_URL", &app.test_db.url)
        .env("FOLIO_MAX_REQUEST_BYTES", "2000")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run folio");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("1 created, 0 updated, 0 unchanged, 1 failed"),
        "{stdout}{stderr}"
    );
    assert!(
        stderr.contains("big.txt: file too large (4")
            && stderr.contains("> FOLIO_MAX_REQUEST_BYTES = 2000)"),
        "{stderr}"
    );
}

on_both_backends!(
    large_ndjson_imports_line_by_line,
    different_files_never_merge,
    any_tree_is_safe,
    front_matter_draft_and_status_are_honoured,
    quoted_sub_headings_in_plain_text,
    french_plain_text_with_sub_headings,
    markdown_with_yaml_and_toml_front_matter,
    json_array_object_and_ndjson,
    bad_files_are_reported_and_others_import,
    a_failed_article_leaves_no_trace_in_its_batch,
    dry_run_writes_nothing,
    default_section_option,
);
