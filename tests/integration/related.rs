//! `GET /v1/articles/{slug}/related`: shared tags first, then the section, then shared vocabulary.

use crate::common;

use common::{published, slugs, TestApp};
use serde_json::{json, Value};

fn related_articles_share_tags_then_section(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    for name in ["Russie", "Énergie", "Chine"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    published(
        app,
        "source",
        "2024-11-10T00:00:00Z",
        json!({"section": "monde", "tags": ["russie", "energie"]}),
    );
    published(
        app,
        "two-tags",
        "2024-11-01T00:00:00Z",
        json!({"section": "culture", "tags": ["russie", "energie"]}),
    );
    published(
        app,
        "tag-and-section",
        "2024-11-02T00:00:00Z",
        json!({"section": "monde", "tags": ["energie"]}),
    );
    published(
        app,
        "one-tag",
        "2024-11-03T00:00:00Z",
        json!({"section": "culture", "tags": ["russie"]}),
    );
    published(
        app,
        "section-only",
        "2024-11-04T00:00:00Z",
        json!({"section": "monde", "tags": ["chine"]}),
    );
    published(
        app,
        "unrelated",
        "2024-11-05T00:00:00Z",
        json!({"section": "culture", "tags": ["chine"]}),
    );
    app.article(
        json!({"title": "Draft", "body": "x", "tags": ["russie", "energie"], "section": "monde"}),
    );
    let related = app.get("/v1/articles/source/related").expect(200).json();
    assert_eq!(
        slugs(&related),
        vec!["two-tags", "tag-and-section", "one-tag", "section-only"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles/source/related?limit=2").json()),
        vec!["two-tags", "tag-and-section"]
    );
    assert_eq!(
        slugs(&app.preview("/v1/articles/source/related").json())[0],
        "draft",
        "a token sees drafts too"
    );
    app.get("/v1/articles/source/related?limit=21").expect(400);
    app.get("/v1/articles/missing/related").expect(404);
}

fn related_articles_share_vocabulary(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let article = |slug: &str, title: &str, tags: Value| {
        app.article(
            json!({"slug": slug, "title": title, "body": "Texte.", "language": "fr",
            "tags": tags, "status": "published", "published_at": "2024-11-01T00:00:00Z"}),
        );
    };
    article(
        "source",
        "La centrale nucléaire du lac Balkhach",
        json!(["energie"]),
    );
    article("tagged", "Le prix du gaz", json!(["energie"]));
    article(
        "two-words",
        "Balkhach : les centrales nucléaires contestées",
        json!([]),
    );
    article("one-word", "Pêcheurs du lac Balkhach", json!([]));
    article("nothing", "Le budget de la ville", json!([]));
    assert_eq!(
        slugs(&app.get("/v1/articles/source/related").expect(200).json()),
        vec!["tagged", "two-words", "one-word"],
        "tags first, then the most shared words (any inflection); nothing shared, not related"
    );
}

on_both_backends!(
    related_articles_share_tags_then_section,
    related_articles_share_vocabulary,
);
