//! Sections, tags and authors over HTTP.

use crate::common;

use common::TestApp;
use serde_json::json;

fn tags_crud(app: &TestApp) {
    let created = app
        .post(
            "/v1/tags",
            json!({"name": "Énergie", "description": "Pétrole et gaz"}),
        )
        .expect(201);
    assert_eq!(
        created.header("location").as_deref(),
        Some("/v1/tags/energie")
    );
    let tag = created.json();
    assert_eq!(
        (tag["slug"].as_str(), tag["name"].as_str()),
        (Some("energie"), Some("Énergie"))
    );
    assert_eq!(
        app.get("/v1/tags/energie").expect(200).json()["description"],
        "Pétrole et gaz"
    );
    app.post("/v1/tags", json!({"name": "Energie"})).expect(201);
    assert_eq!(
        app.get("/v1/tags/energie-2").expect(200).json()["name"],
        "Energie"
    );
    let renamed = app
        .patch(
            "/v1/tags/energie",
            json!({"name": "Énergie et climat", "slug": "energie-climat"}),
        )
        .expect(200)
        .json();
    assert_eq!(renamed["slug"], "energie-climat");
    assert_eq!(renamed["description"], "Pétrole et gaz");
    app.get("/v1/tags/energie").expect(404);
    app.patch("/v1/tags/energie-climat", json!({"slug": "energie-2"}))
        .expect(409);
    let list = app.get("/v1/tags").expect(200).json();
    assert_eq!(list["total"], 2);
    app.delete("/v1/tags/energie-climat").expect(204);
    app.get("/v1/tags/energie-climat").expect(404);
    assert_eq!(app.get("/v1/tags").json()["total"], 1);
}

fn deleting_a_tag_unlinks_it(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    app.article(json!({"title": "Moscou", "body": "x", "tags": ["russie"]}));
    app.delete("/v1/tags/russie").expect(204);
    assert_eq!(
        app.preview("/v1/articles/moscou").expect(200).json()["tags"],
        json!([])
    );
}

fn authors_crud(app: &TestApp) {
    let author = app
        .post(
            "/v1/authors",
            json!({
                "name": "Claire Dubois", "description": "Correspondante", "bio": "Basée à Almaty.",
                "email": "claire@example.org", "avatar_url": "https://example.org/claire.jpg"
            }),
        )
        .expect(201)
        .json();
    assert_eq!(author["slug"], "claire-dubois");
    assert_eq!(author["email"], "claire@example.org");
    let cleared = app
        .patch(
            "/v1/authors/claire-dubois",
            json!({"avatar_url": null, "bio": "Basée à Astana."}),
        )
        .expect(200)
        .json();
    assert!(cleared["avatar_url"].is_null());
    assert_eq!(cleared["email"], "claire@example.org");
    assert_eq!(cleared["bio"], "Basée à Astana.");
    let bad = app
        .post(
            "/v1/authors",
            json!({"name": "X", "email": "not-an-email", "avatar_url": "javascript:alert(1)"}),
        )
        .expect(422)
        .json();
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "avatar_url"]);
    // Refused: not fetchable by a browser (an unclosed IPv6 bracket, a bare IP, no
    // host, a bad port, a malformed IDN label). Accepted ones are stored as given.
    for (url, accepted) in [
        ("http://[", false),
        ("http://[::1/a.png", false),
        ("https://192.0.2.1/a.png", false),
        ("https:///a.png", false),
        ("https://example.org:65536/a.png", false),
        ("https://xn--a.example/a.png", false),
        ("http://localhost:8080/claire.jpg", true),
        ("https://cdn.example.org/a/claire%20d.jpg?w=200#top", true),
        ("https://cdn.example.org/médias/claire.jpg?[crop]", true),
    ] {
        let answer = app
            .patch("/v1/authors/claire-dubois", json!({ "avatar_url": url }))
            .expect(if accepted { 200 } else { 422 })
            .json();
        if accepted {
            assert_eq!(answer["avatar_url"], url);
        } else {
            assert_eq!(answer["errors"][0]["field"], "avatar_url", "{url}");
        }
    }
    app.article(json!({"title": "Signé", "body": "x", "authors": ["claire-dubois"]}));
    app.delete("/v1/authors/claire-dubois").expect(204);
    let article = app.preview("/v1/articles/signe").expect(200).json();
    assert_eq!(
        article["authors"],
        json!([]),
        "the article stays, without the byline"
    );
}

fn sections_form_a_tree(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde", "position": 1}))
        .expect(201);
    let asie = app
        .post("/v1/sections", json!({"name": "Asie", "parent": "monde"}))
        .expect(201)
        .json();
    assert_eq!(asie["parent"], "monde");
    app.post(
        "/v1/sections",
        json!({"name": "Asie centrale", "parent": "asie"}),
    )
    .expect(201);
    // No cycles: a section cannot move under itself or a descendant.
    let cycle = app
        .patch("/v1/sections/monde", json!({"parent": "asie-centrale"}))
        .expect(422)
        .json();
    assert_eq!(cycle["errors"][0]["field"], "parent");
    app.patch("/v1/sections/monde", json!({"parent": "monde"}))
        .expect(422);
    app.post("/v1/sections", json!({"name": "X", "parent": "nulle-part"}))
        .expect(409);
    let top = app
        .patch("/v1/sections/asie", json!({"parent": null}))
        .expect(200)
        .json();
    assert!(top["parent"].is_null());
    assert_eq!(
        app.get("/v1/sections/asie-centrale").json()["parent"],
        "asie"
    );
    let list = app.get("/v1/sections").expect(200).json();
    assert_eq!(list["total"], 3);
}

fn sections_in_use_cannot_be_deleted(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Asie", "parent": "monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    app.article(json!({"title": "Concert", "body": "x", "section": "culture"}));
    let in_use = app.delete("/v1/sections/culture").expect(409).json();
    assert!(
        in_use["detail"].as_str().unwrap().contains("1 article"),
        "{in_use}"
    );
    app.delete("/v1/sections/monde").expect(409);
    app.delete("/v1/sections/asie").expect(204);
    app.delete("/v1/sections/monde").expect(204);
    app.patch("/v1/articles/concert", json!({"section": null}))
        .expect(200);
    app.delete("/v1/sections/culture").expect(204);
}

on_both_backends!(
    tags_crud,
    deleting_a_tag_unlinks_it,
    authors_crud,
    sections_form_a_tree,
    sections_in_use_cannot_be_deleted,
);
