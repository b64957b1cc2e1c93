//! Revisions, the trash and atomic writes: no change to an article is lost,
//! a deleted article can come back, and a write that fails halfway leaves nothing.

use crate::common;

use common::TestApp;
use diesel::connection::SimpleConnection;
use folio::db::AnyConnection;
use reqwest::Method;
use serde_json::{json, Value};

const BODY: &str = "Le « partenariat » remonte à 1992\u{a0}: l’alliance, cœur du dispositif 🇰🇿.";

fn revisions_record_every_change_and_restore_one(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    app.post("/v1/tags", json!({"name": "Kazakhstan"}))
        .expect(201);
    app.article(json!({
        "slug": "alliance", "title": "Poutine au Kazakhstan", "body": BODY,
        "tags": ["russie"], "metadata": {"dateline": "Astana"}
    }));
    let path = "/v1/articles/alliance";
    app.patch(
        path,
        json!({"title": "Poutine au Kazakhstan : une alliance stratégique…"}),
    )
    .expect(200);
    app.patch(
        path,
        json!({"body": "Texte réécrit.", "tags": ["russie", "kazakhstan"]}),
    )
    .expect(200);

    let list = app.preview(&format!("{path}/revisions")).expect(200).json();
    assert_eq!(list["total"], 3);
    let numbers: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1], "newest first");
    assert_eq!(list["data"][0]["changed"], json!(["body", "tags"]));
    assert_eq!(list["data"][1]["changed"], json!(["title"]));
    assert_eq!(list["data"][0]["actor"], "editor");

    let first = app
        .preview(&format!("{path}/revisions/1"))
        .expect(200)
        .json();
    assert_eq!(first["article"]["body"], BODY, "kept byte for byte");
    assert_eq!(first["article"]["title"], "Poutine au Kazakhstan");
    assert_eq!(first["article"]["tags"], json!(["russie"]));
    assert_eq!(first["article"]["metadata"], json!({"dateline": "Astana"}));

    let restored = app
        .post(&format!("{path}/revisions/1/restore"), json!({}))
        .expect(200)
        .json();
    assert_eq!(restored["body"], BODY);
    assert_eq!(restored["title"], "Poutine au Kazakhstan");
    let tags: Vec<&str> = restored["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["russie"]);
    let list = app.preview(&format!("{path}/revisions")).expect(200).json();
    assert_eq!(list["data"][0]["number"], 4, "a restore is a new revision");
    assert_eq!(list["data"][0]["changed"], json!(["title", "body", "tags"]));
    let audit = app
        .request(
            Method::GET,
            "/v1/audit?actor=editor",
            Some(&app.admin_token),
            None,
        )
        .expect(200)
        .json();
    // A revision restored is an edit of the article, as the change log has it.
    assert_eq!(audit["data"][0]["action"], "update");
    assert_eq!(audit["data"][0]["target"], "/v1/articles/alliance");

    app.get(&format!("{path}/revisions")).expect(401);
    app.preview(&format!("{path}/revisions/99")).expect(404);
    app.preview(&format!("{path}/revisions/0")).expect(404);
    app.request(
        Method::POST,
        &format!("{path}/revisions/1/restore"),
        Some(&app.read_token),
        None,
    )
    .expect(403);
}

fn restoring_honours_if_match(app: &TestApp) {
    app.article(json!({"slug": "note", "title": "Un", "body": "Texte."}));
    app.patch("/v1/articles/note", json!({"title": "Deux"}))
        .expect(200);
    let token = app.write_token.clone();
    app.request_with(
        Method::POST,
        "/v1/articles/note/revisions/1/restore",
        Some(&token),
        None,
        &[("If-Match", "\"stale\"")],
    )
    .expect(412);
    assert_eq!(app.preview("/v1/articles/note").json()["title"], "Deux");
}

fn trash_list(app: &TestApp) -> Value {
    app.preview("/v1/trash").expect(200).json()
}

fn deleted_articles_go_to_the_trash_and_come_back(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Entrevue"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let created = app.article(json!({
        "slug": "alliance", "title": "Alliance", "body": BODY, "status": "published",
        "published_at": "2024-11-27T09:00:00Z", "section": "entrevue", "tags": ["energie"]
    }));
    app.patch(
        "/v1/articles/alliance",
        json!({"title": "Alliance stratégique"}),
    )
    .expect(200);
    app.delete("/v1/articles/alliance").expect(204);

    let gone = app.get("/v1/articles/alliance").expect(410).json();
    assert_eq!(gone["type"], "/problems/gone");
    app.preview("/v1/articles/alliance").expect(410);
    app.patch("/v1/articles/alliance", json!({"title": "Non"}))
        .expect(410);
    let listed = app.get("/v1/articles").json();
    assert!(common::slugs(&listed).is_empty());
    assert_eq!(
        app.get("/v1/articles?q=alliance").json()["data"],
        json!([]),
        "out of the search index"
    );

    let trash = trash_list(app);
    assert_eq!(trash["total"], 1);
    assert_eq!(trash["data"][0]["slug"], "alliance");
    assert_eq!(trash["data"][0]["id"], created["id"]);
    assert_eq!(trash["data"][0]["deleted_by"], "editor");
    app.get("/v1/trash").expect(401);

    // The slug stays reserved for the article in the trash.
    app.post(
        "/v1/articles",
        json!({"slug": "alliance", "title": "Autre", "body": "x"}),
    )
    .expect(409);
    let derived = app.article(json!({"title": "Alliance", "body": "Autre texte."}));
    assert_eq!(derived["slug"], "alliance-2");

    let id = created["id"].as_str().unwrap();
    let restored = app
        .post(&format!("/v1/trash/{id}/restore"), json!({}))
        .expect(200)
        .json();
    for field in [
        "id",
        "slug",
        "body",
        "created_at",
        "first_published_at",
        "published_at",
    ] {
        assert_eq!(restored[field], created[field], "{field} comes back");
    }
    assert_eq!(
        restored["title"], "Alliance stratégique",
        "the last version"
    );
    assert_eq!(restored["section"]["slug"], "entrevue");
    assert_eq!(restored["tags"][0]["slug"], "energie");
    assert_eq!(
        app.get("/v1/articles/alliance").expect(200).json()["body"],
        BODY
    );
    assert_eq!(
        common::slugs(&app.get("/v1/articles?q=strategique").json()),
        ["alliance"]
    );
    let revisions = app.preview("/v1/articles/alliance/revisions").json();
    assert_eq!(revisions["total"], 3, "kept through the trash");
    assert_eq!(trash_list(app)["total"], 0);
    app.post(&format!("/v1/trash/{id}/restore"), json!({}))
        .expect(404);
    app.post("/v1/trash/not-a-uuid/restore", json!({}))
        .expect(404);
}

fn old_slugs_follow_an_article_through_the_trash(app: &TestApp) {
    app.article(json!({"slug": "ancien", "title": "Ancien", "body": "x", "status": "published"}));
    app.patch("/v1/articles/ancien", json!({"slug": "nouveau"}))
        .expect(200);
    app.patch("/v1/articles/nouveau", json!({"slug": "dernier"}))
        .expect(200);
    app.delete("/v1/articles/dernier").expect(204);
    app.get("/v1/articles/ancien").expect(410);
    app.get("/v1/articles/nouveau").expect(410);

    // An old slug is not reserved: another article may take it meanwhile and keeps it.
    app.article(json!({"slug": "nouveau", "title": "Autre", "body": "y", "status": "published"}));
    let id = trash_list(app)["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/v1/trash/{id}/restore"), json!({}))
        .expect(200);
    let moved = app.get("/v1/articles/ancien").expect(301);
    assert_eq!(
        moved.header("location").as_deref(),
        Some("/v1/articles/dernier")
    );
    assert_eq!(
        app.get("/v1/articles/nouveau").expect(200).json()["title"],
        "Autre"
    );

    app.delete("/v1/articles/dernier").expect(204);
    let purged = app.cli(&["purge", "--older-than", "0s"]);
    assert!(purged.status.success(), "{purged:?}");
    app.get("/v1/articles/ancien").expect(404);
}

fn only_writers_learn_that_a_draft_was_deleted(app: &TestApp) {
    app.article(json!({"slug": "brouillon", "title": "Brouillon", "body": "x"}));
    app.delete("/v1/articles/brouillon").expect(204);
    app.get("/v1/articles/brouillon").expect(404);
    app.preview("/v1/articles/brouillon").expect(410);
    // An embargoed article deleted before its time was never public: its slug stays secret.
    app.article(json!({"slug": "embargo", "title": "Embargo", "body": "x",
        "status": "published", "published_at": "2999-01-01T00:00:00Z"}));
    app.delete("/v1/articles/embargo").expect(204);
    let hidden = app.get("/v1/articles/embargo").expect(404).json();
    assert!(
        !hidden["detail"].as_str().unwrap().contains("deleted"),
        "{hidden}"
    );
    app.preview("/v1/articles/embargo").expect(410);
}

fn purge_removes_for_good(app: &TestApp) {
    app.article(json!({"slug": "vieux", "title": "Vieux", "body": "x", "status": "published"}));
    app.delete("/v1/articles/vieux").expect(204);

    let kept = app.cli(&["purge", "--older-than", "30d"]);
    assert!(kept.status.success(), "{kept:?}");
    assert!(String::from_utf8_lossy(&kept.stdout).contains("purged 0"));
    assert_eq!(trash_list(app)["total"], 1);

    let purged = app.cli(&["purge", "--older-than", "0s"]);
    assert!(purged.status.success(), "{purged:?}");
    assert!(String::from_utf8_lossy(&purged.stdout).contains("purged 1"));
    assert_eq!(trash_list(app)["total"], 0);
    app.get("/v1/articles/vieux").expect(404);
    app.article(json!({"slug": "vieux", "title": "Nouveau", "body": "y"}));
    let revisions = app.preview("/v1/articles/vieux/revisions").json();
    assert_eq!(
        revisions["total"], 1,
        "the purged article's revisions went with it"
    );

    let bad = app.cli(&["purge", "--older-than", "soon"]);
    assert!(!bad.status.success());
}

/// Makes every insert into `table` fail, as a disk or constraint failure would.
fn inject_failure(app: &TestApp, table: &str) {
    let mut conn = app.db.get().expect("connection");
    let sql = match &*conn {
        AnyConnection::Sqlite(_) => format!(
            "CREATE TRIGGER injected BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        ),
        AnyConnection::Postgres(_) => format!(
            "CREATE FUNCTION injected() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER injected BEFORE INSERT ON {table} \
             FOR EACH ROW EXECUTE FUNCTION injected();"
        ),
    };
    conn.batch_execute(&sql)
        .expect("create the failing trigger");
}

/// The change log is the last thing each write stores, revisions the one before.
fn a_write_that_fails_halfway_leaves_nothing(app: &TestApp) {
    fails_at(app, "article_revisions");
}

fn a_write_whose_change_cannot_be_logged_leaves_nothing(app: &TestApp) {
    fails_at(app, "changes");
}

/// Writes that fail at their insert into `table` leave no trace: article, links,
/// search index, audit log and change log are as before.
fn fails_at(app: &TestApp, table: &str) {
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    let before = app.article(json!({
        "slug": "alliance", "title": "Alliance", "body": "Texte d’origine.",
        "tags": ["russie"], "status": "published"
    }));
    let audit = |app: &TestApp| -> Value {
        app.request(Method::GET, "/v1/audit", Some(&app.admin_token), None)
            .expect(200)
            .json()["total"]
            .clone()
    };
    let audited = audit(app);
    let logged = {
        let mut conn = app.db.get().expect("connection");
        folio::db::changes::latest(&mut conn).expect("the change log")
    };
    assert_eq!(
        common::slugs(&app.get("/v1/articles?q=origine").json()),
        ["alliance"]
    );
    // Failing there means the article row, its links and its index entry (and,
    // for the change log, its revision) were already written.
    inject_failure(app, table);

    app.post(
        "/v1/articles",
        json!({"slug": "nouveau", "title": "Nouveau", "body": "Centrale nucléaire.", "tags": ["russie"]}),
    )
    .expect(500);
    app.preview("/v1/articles/nouveau").expect(404);
    assert_eq!(
        app.get("/v1/articles?q=nucleaire").json()["data"],
        json!([])
    );
    assert_eq!(app.get("/v1/tags/russie").json()["article_count"], 1);

    app.patch(
        "/v1/articles/alliance",
        json!({"title": "Réécrit", "body": "Centrale nucléaire.", "tags": []}),
    )
    .expect(500);
    let after = app.preview("/v1/articles/alliance").expect(200).json();
    assert_eq!(
        after, before,
        "the article, its links and its version are unchanged"
    );
    assert_eq!(
        app.get("/v1/articles?q=nucleaire").json()["data"],
        json!([])
    );
    assert_eq!(
        common::slugs(&app.get("/v1/articles?q=origine").json()),
        ["alliance"]
    );
    assert_eq!(
        audit(app),
        audited,
        "no audit entry for writes that did not happen"
    );
    let mut conn = app.db.get().expect("connection");
    assert_eq!(
        folio::db::changes::latest(&mut conn).expect("the change log"),
        logged,
        "no change logged for writes that did not happen"
    );
}

on_both_backends!(
    revisions_record_every_change_and_restore_one,
    restoring_honours_if_match,
    deleted_articles_go_to_the_trash_and_come_back,
    old_slugs_follow_an_article_through_the_trash,
    only_writers_learn_that_a_draft_was_deleted,
    purge_removes_for_good,
    a_write_whose_change_cannot_be_logged_leaves_nothing,
    a_write_that_fails_halfway_leaves_nothing,
);
