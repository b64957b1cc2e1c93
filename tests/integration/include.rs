//! One call for an article's page: `include` reads its related articles, its
//! section's path and its authors' profiles with it, keyed for purges.

use crate::common::TestApp;
use serde_json::{json, Value};

fn slugs_of(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["slug"].as_str())
        .collect()
}

fn newsroom(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde", "slug": "monde"}))
        .expect(201);
    app.post(
        "/v1/sections",
        json!({"name": "Asie", "slug": "asie", "parent": "monde",
               "translations": {"en": {"name": "Asia"}}, "language": "fr"}),
    )
    .expect(201);
    app.post(
        "/v1/authors",
        json!({"name": "Claire Dubois", "slug": "claire-dubois", "bio": "Correspondante à Moscou."}),
    )
    .expect(201);
    for (slug, title) in [
        (
            "alliance",
            "Poutine au Kazakhstan : une alliance stratégique",
        ),
        ("uranium", "Le Kazakhstan et l’uranium"),
        ("steppe", "La steppe kazakhe"),
    ] {
        app.article(json!({
            "slug": slug, "title": title, "body": "Le Kazakhstan, l’uranium et la steppe.",
            "section": "asie", "tags": ["kazakhstan"], "authors": ["claire-dubois"],
            "language": "fr", "status": "published", "published_at": "2024-11-27T09:00:00Z"
        }));
    }
}

fn an_article_page_in_one_call(app: &TestApp) {
    app.post(
        "/v1/tags",
        json!({"name": "Kazakhstan", "slug": "kazakhstan"}),
    )
    .expect(201);
    newsroom(app);
    let plain = app.get("/v1/articles/alliance").expect(200).json();
    assert!(
        plain.get("included").is_none(),
        "nothing is included unasked"
    );

    let page = app.get("/v1/articles/alliance?include=related,section_path,authors");
    let keys = page.header("surrogate-key").unwrap_or_default();
    for key in [
        "section-monde",
        "section-asie",
        "author-claire-dubois",
        "articles-edits",
    ] {
        assert!(keys.split(' ').any(|k| k == key), "{key} in {keys}");
    }
    let page = page.expect(200).json();
    assert_eq!(page["slug"], "alliance");
    let included = &page["included"];
    let mut related = slugs_of(&included["related"]);
    related.sort_unstable();
    assert_eq!(related, ["steppe", "uranium"]);
    assert_eq!(slugs_of(&included["section_path"]), ["monde", "asie"]);
    assert_eq!(
        included["section_path"][1]["name"], "Asie",
        "in the article's language"
    );
    assert_eq!(slugs_of(&included["authors"]), ["claire-dubois"]);
    assert_eq!(included["authors"][0]["bio"], "Correspondante à Moscou.");

    // With fields, what was included comes all the same; parts not asked are absent.
    let reduced = app
        .get("/v1/articles/alliance?fields=title&include=section_path")
        .expect(200)
        .json();
    assert_eq!(
        reduced,
        json!({"title": page["title"], "included": {"section_path": included["section_path"]}})
    );
    // Repeated, as some generated clients send a list, it reads the same.
    let repeated = app
        .get("/v1/articles/alliance?fields=title&include=section_path&fields=slug")
        .expect(200)
        .json();
    assert_eq!(repeated["slug"], "alliance");
    assert_eq!(repeated["included"], reduced["included"]);
    let refused = app.get("/v1/articles/alliance?include=related,comments");
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("comments"), "{}", refused.text);
}

fn an_article_without_a_section_has_an_empty_path(app: &TestApp) {
    app.article(json!({"slug": "seul", "title": "Seul", "body": "x", "status": "published"}));
    let page = app
        .get("/v1/articles/seul?include=section_path,authors")
        .expect(200)
        .json();
    assert_eq!(page["included"], json!({"section_path": [], "authors": []}));
}

on_both_backends!(
    an_article_page_in_one_call,
    an_article_without_a_section_has_an_empty_path,
);
