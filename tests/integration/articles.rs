//! Articles over HTTP: writing, reading, visibility, slugs, pagination and text fidelity.

use crate::common;

use common::{slugs, TestApp};
use serde_json::json;

const FRENCH_TITLE: &str = "Poutine au Kazakhstan : une alliance stratégique…";

fn text_round_trips_byte_exact(app: &TestApp) {
    let title = "« Le cœur\u{a0}du réacteur » — l’été 🎉";
    let body = "Il a dit\u{a0}: « Ça\u{202f}va ? »\n\nL’œuvre, c’est l’Œuvre. 🚀👩‍🔬\r\n\n## Sous-titre\n\nFin…  \n";
    let standfirst = "Un résumé avec\u{a0}espace insécable et apostrophe ’.";
    let created = app.article(json!({
        "title": title, "body": body, "standfirst": standfirst, "status": "published",
        "metadata": {"dateline": "Astana", "note": "« œ »"}
    }));
    assert_eq!(created["title"], title);
    assert_eq!(created["slug"], "le-coeur-du-reacteur-l-ete");
    let read = app
        .get("/v1/articles/le-coeur-du-reacteur-l-ete")
        .expect(200);
    // Compare the raw JSON string values byte for byte.
    let article = read.json();
    assert_eq!(
        article["title"].as_str().unwrap().as_bytes(),
        title.as_bytes()
    );
    assert_eq!(
        article["body"].as_str().unwrap().as_bytes(),
        body.as_bytes()
    );
    assert_eq!(
        article["standfirst"].as_str().unwrap().as_bytes(),
        standfirst.as_bytes()
    );
    assert_eq!(
        article["metadata"],
        json!({"dateline": "Astana", "note": "« œ »"})
    );
    assert!(article["body_html"]
        .as_str()
        .unwrap()
        .contains("L’œuvre, c’est l’Œuvre. 🚀👩‍🔬"));
}

fn slugs_are_derived_transliterated_and_unique(app: &TestApp) {
    let first = app.article(json!({"title": FRENCH_TITLE, "body": "Texte."}));
    assert_eq!(
        first["slug"],
        "poutine-au-kazakhstan-une-alliance-strategique"
    );
    let second = app.article(json!({"title": FRENCH_TITLE, "body": "Autre texte."}));
    assert_eq!(
        second["slug"],
        "poutine-au-kazakhstan-une-alliance-strategique-2"
    );
    let third = app.article(json!({"title": "Le cœur nucléaire", "body": "x"}));
    assert_eq!(third["slug"], "le-coeur-nucleaire");
    let long_title = "Une très longue phrase ".repeat(12);
    let long = app.article(json!({"title": long_title.trim(), "body": "x"}));
    let slug = long["slug"].as_str().unwrap();
    assert!(slug.len() <= 120 && !slug.ends_with('-'), "{slug}");
    // An explicit slug that is taken is a conflict, not a silent suffix.
    let taken = app
        .post(
            "/v1/articles",
            json!({"title": "X", "body": "x", "slug": "le-coeur-nucleaire"}),
        )
        .expect(409);
    assert_eq!(
        taken.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}

fn changed_slug_answers_301(app: &TestApp) {
    app.article(json!({"title": "Ancien titre", "body": "x", "status": "published"}));
    let updated = app
        .patch(
            "/v1/articles/ancien-titre",
            json!({"slug": "nouveau-titre"}),
        )
        .expect(200)
        .json();
    assert_eq!(updated["slug"], "nouveau-titre");
    let moved = app.get("/v1/articles/ancien-titre").expect(301);
    assert_eq!(
        moved.header("location").as_deref(),
        Some("/v1/articles/nouveau-titre")
    );
    app.get("/v1/articles/nouveau-titre").expect(200);
    // Writes go to the current slug only.
    app.patch("/v1/articles/ancien-titre", json!({"title": "x"}))
        .expect(404);
}

fn drafts_and_scheduled_are_hidden_from_the_public(app: &TestApp) {
    app.article(json!({"title": "Brouillon", "body": "x"}));
    app.article(json!({"title": "Programmé", "body": "x", "status": "published", "published_at": "2999-01-01T00:00:00Z"}));
    app.article(json!({"title": "Publié", "body": "x", "status": "published", "published_at": "2024-11-27T09:00:00Z"}));
    app.article(json!({"title": "Archivé", "body": "x", "status": "archived"}));
    let public = app
        .get("/v1/articles?include_total=true")
        .expect(200)
        .json();
    assert_eq!(slugs(&public), vec!["publie"]);
    assert_eq!(public["total"], 1);
    app.get("/v1/articles/brouillon").expect(404);
    app.get("/v1/articles/programme").expect(404);
    app.get("/v1/articles/archive").expect(404);
    let preview = app
        .preview("/v1/articles?include_total=true")
        .expect(200)
        .json();
    assert_eq!(preview["total"], 4);
    // Scheduled first (latest date), then published; drafts without a date last.
    assert_eq!(
        slugs(&preview)[..2],
        ["programme".to_owned(), "publie".to_owned()]
    );
    app.preview("/v1/articles/brouillon").expect(200);
    let drafts = app.preview("/v1/articles?status=draft").expect(200).json();
    assert_eq!(slugs(&drafts), vec!["brouillon"]);
}

fn publishing_sets_dates_once(app: &TestApp) {
    let draft = app.article(json!({"title": "Daté", "body": "x"}));
    assert!(draft["published_at"].is_null());
    assert!(draft["first_published_at"].is_null());
    let published = app
        .patch("/v1/articles/date", json!({"status": "published"}))
        .expect(200)
        .json();
    let first = published["first_published_at"].clone();
    assert!(first.is_string());
    assert_eq!(published["published_at"], first);
    app.patch("/v1/articles/date", json!({"status": "draft"}))
        .expect(200);
    let again = app
        .patch(
            "/v1/articles/date",
            json!({"status": "published", "published_at": "2030-01-01T00:00:00Z"}),
        )
        .expect(200)
        .json();
    assert_eq!(again["first_published_at"], first);
    assert_eq!(again["published_at"], "2030-01-01T00:00:00Z");
    assert!(again["updated_at"].as_str() >= again["created_at"].as_str());
}

fn body_html_is_sanitised(app: &TestApp) {
    let body = "Texte <script>alert(1)</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[clic](javascript:alert(1)) <a href=\"javascript:alert(2)\">a</a>\n\n<p onclick=\"x()\">p</p>";
    let article = app.article(json!({"title": "XSS", "body": body}));
    let html = article["body_html"].as_str().unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("onclick"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert_eq!(
        article["body"], body,
        "the source itself is kept as written"
    );
}

fn derived_fields(app: &TestApp) {
    let fr = app.article(json!({
        "title": "La centrale nucléaire",
        "body": "## Titre\n\nLe gouvernement a annoncé la construction d’une centrale nucléaire près du lac Balkhach, un projet attendu depuis des années par les industriels."
    }));
    assert_eq!(fr["language"], "fr");
    assert!(fr["excerpt"]
        .as_str()
        .unwrap()
        .starts_with("Le gouvernement a annoncé"));
    assert_eq!(fr["word_count"], 23);
    assert_eq!(fr["reading_time_minutes"], 1);
    let en = app.article(json!({
        "title": "The power plant",
        "standfirst": "A short summary.",
        "body": "The government announced that a nuclear power plant will be built near the lake, a project industry has awaited for years."
    }));
    assert_eq!(en["language"], "en");
    assert_eq!(en["excerpt"], "A short summary.");
    let given = app.article(json!({"title": "Court", "body": "Texte.", "language": "fr-CA"}));
    assert_eq!(given["language"], "fr-CA");
}

fn patch_leaves_absent_fields_and_clears_nulls(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    app.article(json!({
        "title": "Article", "body": "Corps.", "standfirst": "Chapeau", "section": "monde",
        "tags": ["russie"], "metadata": {"a": 1}
    }));
    let same = app
        .patch("/v1/articles/article", json!({"title": "Article modifié"}))
        .expect(200)
        .json();
    assert_eq!(same["standfirst"], "Chapeau");
    assert_eq!(same["section"]["slug"], "monde");
    assert_eq!(same["tags"][0]["slug"], "russie");
    assert_eq!(same["slug"], "article", "a new title keeps the slug");
    let cleared = app
        .patch(
            "/v1/articles/article",
            json!({"standfirst": null, "section": null, "tags": null, "metadata": null}),
        )
        .expect(200)
        .json();
    assert!(cleared["standfirst"].is_null());
    assert!(cleared["section"].is_null());
    assert_eq!(cleared["tags"], json!([]));
    assert_eq!(cleared["metadata"], json!({}));
    assert_eq!(cleared["body"], "Corps.");
    let refused = app
        .patch("/v1/articles/article", json!({"title": null}))
        .expect(422)
        .json();
    assert_eq!(refused["errors"][0]["field"], "title");
}

fn relations_are_embedded_in_order(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Entrevue"}))
        .expect(201);
    for name in ["Russie", "Énergie"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    for name in ["Zoé Martin", "Anne Roy"] {
        app.post("/v1/authors", json!({"name": name})).expect(201);
    }
    let article = app.article(json!({
        "title": "Entretien", "body": "x", "status": "published", "section": "entrevue",
        "tags": ["russie", "energie"], "authors": ["zoe-martin", "anne-roy"]
    }));
    assert_eq!(
        article["section"],
        json!({"slug": "entrevue", "name": "Entrevue"})
    );
    assert_eq!(
        article["tags"],
        json!([{"slug": "russie", "name": "Russie"}, {"slug": "energie", "name": "Énergie"}])
    );
    assert_eq!(
        article["authors"][0]["slug"], "zoe-martin",
        "byline order is kept"
    );
    assert_eq!(article["authors"][1]["slug"], "anne-roy");
    let missing = app
        .post(
            "/v1/articles",
            json!({"title": "y", "body": "y", "tags": ["inconnu"], "section": "nulle-part"}),
        )
        .expect(409)
        .json();
    assert!(
        missing["detail"].as_str().unwrap().contains("nulle-part"),
        "{missing}"
    );
    assert_eq!(missing["type"], "/problems/unknown-reference");
    assert_eq!(missing["errors"][0]["field"], "section");
}

fn lists_filter_by_section_tag_author_and_language(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.post("/v1/authors", json!({"name": "Sam Patel"}))
        .expect(201);
    app.article(json!({"title": "Un", "body": "x", "status": "published", "section": "monde", "tags": ["energie"], "language": "fr", "published_at": "2024-11-01T00:00:00Z"}));
    app.article(json!({"title": "Two", "body": "x", "status": "published", "section": "culture", "authors": ["sam-patel"], "language": "en", "published_at": "2024-11-02T00:00:00Z"}));
    app.article(json!({"title": "Trois", "body": "x", "status": "published", "section": "monde", "language": "fr", "published_at": "2024-11-03T00:00:00Z"}));
    assert_eq!(
        slugs(&app.get("/v1/articles?section=monde").json()),
        vec!["trois", "un"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?tag=energie").json()),
        vec!["un"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?author=sam-patel").json()),
        vec!["two"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?language=en").json()),
        vec!["two"]
    );
    assert_eq!(
        slugs(
            &app.get("/v1/articles?section=monde&language=fr&tag=energie")
                .json()
        ),
        vec!["un"]
    );
    assert_eq!(
        app.get("/v1/articles?section=inconnue&include_total=true")
            .json()["total"],
        0
    );
    app.get("/v1/articles?section=Not%20A%20Slug").expect(400);
    let summary = &app.get("/v1/articles").json()["data"][0];
    assert!(
        summary.get("body").is_none() && summary.get("body_html").is_none(),
        "lists carry summaries"
    );
}

fn pagination_with_link_headers(app: &TestApp) {
    for i in 1..=5 {
        app.article(json!({"title": format!("Article {i}"), "body": "x", "status": "published", "language": "en",
            "published_at": format!("2024-11-0{i}T00:00:00Z")}));
    }
    // Numbered pages, with a prev link from the second on.
    let first = app
        .get("/v1/articles?per_page=2&page=1&language=en")
        .expect(200);
    let body = first.json();
    assert_eq!(
        (body["page"].clone(), body["per_page"].clone()),
        (json!(1), json!(2))
    );
    assert!(
        body.get("total").is_none(),
        "total is counted only when asked"
    );
    assert_eq!(slugs(&body), vec!["article-5", "article-4"]);
    let link = first.header("link").expect("Link header");
    assert!(
        link.contains("rel=\"next\"") && !link.contains("rel=\"prev\""),
        "{link}"
    );
    assert!(
        link.contains("per_page=2") && link.contains("language=en") && link.contains("cursor="),
        "{link}"
    );
    let middle = app.get("/v1/articles?per_page=2&page=2").expect(200);
    let link = middle.header("link").unwrap();
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"prev\"") && link.contains("page=1"),
        "{link}"
    );
    let last = app.get("/v1/articles?per_page=2&page=3").expect(200);
    assert_eq!(slugs(&last.json()), vec!["article-1"]);
    assert!(last.json()["next_cursor"].is_null());
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
    let counted = app.get("/v1/articles?per_page=2&include_total=true").json();
    assert_eq!(counted["total"], 5);
    // Cursors walk the whole list, each item once.
    let mut seen = Vec::new();
    let mut url = "/v1/articles?per_page=2".to_owned();
    loop {
        let page = app.get(&url).expect(200).json();
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/articles?per_page=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec![
            "article-5",
            "article-4",
            "article-3",
            "article-2",
            "article-1"
        ]
    );
    app.get("/v1/articles?per_page=101").expect(400);
    app.get("/v1/articles?page=0").expect(400);
    app.get("/v1/articles?page=101").expect(400);
    app.get("/v1/articles?per_page=abc").expect(400);
    app.get("/v1/articles?cursor=not-a-cursor").expect(400);
    let cursor = app.get("/v1/articles?per_page=1").json()["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_sort = app
        .get(&format!("/v1/articles?cursor={cursor}&sort=title"))
        .expect(400)
        .json();
    assert!(
        other_sort["detail"].as_str().unwrap().contains("sort"),
        "{other_sort}"
    );
    app.get(&format!("/v1/articles?cursor={cursor}&page=2"))
        .expect(400);
}

fn delete_removes_the_article(app: &TestApp) {
    app.article(json!({"title": "Éphémère", "body": "x", "status": "published"}));
    app.delete("/v1/articles/ephemere").expect(204);
    app.get("/v1/articles/ephemere").expect(410);
    app.delete("/v1/articles/ephemere").expect(410);
    app.delete("/v1/articles/jamais-vu").expect(404);
}

fn etags_and_conditional_get(app: &TestApp) {
    app.article(json!({"title": "Cache", "body": "x", "status": "published"}));
    let first = app.get("/v1/articles/cache").expect(200);
    let etag = first.header("etag").expect("ETag");
    let again = app.get("/v1/articles/cache");
    assert_eq!(
        again.header("etag").as_deref(),
        Some(etag.as_str()),
        "same content, same ETag"
    );
    let res = app.client_get_with("/v1/articles/cache", &[("If-None-Match", etag.as_str())]);
    assert_eq!(res.status, 304);
    app.patch("/v1/articles/cache", json!({"body": "y"}))
        .expect(200);
    let changed = app.client_get_with("/v1/articles/cache", &[("If-None-Match", etag.as_str())]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag").as_deref(), Some(etag.as_str()));
    assert!(
        app.get("/v1/nothing-here").header("etag").is_some(),
        "errors carry an ETag too"
    );
    assert!(first.header("x-request-id").is_some());
}

/// Metadata comes back as sent or is refused naming where: no key silently loses
/// one of its two values, no number its digits.
fn metadata_is_kept_exactly_or_refused(app: &TestApp) {
    let send = |method: reqwest::Method, path: &str, json: &str| {
        let res = app.send_bytes(
            method,
            path,
            Some(&app.write_token),
            Some((json.as_bytes().to_vec(), "application/json")),
            &[],
        );
        let body: serde_json::Value = serde_json::from_slice(&res.bytes).expect("JSON");
        (
            res.status,
            String::from_utf8_lossy(&res.bytes).into_owned(),
            body,
        )
    };
    let numbers = r#"{"big": 18446744073709551615, "low": -9223372036854775808, "pi": 3.141592653589793, "tiny": 5e-324, "text": "123456789012345678901234567890"}"#;
    let (status, text, created) = send(
        reqwest::Method::POST,
        "/v1/articles",
        &format!(
            r#"{{"title": "Chiffres", "slug": "chiffres", "body": "x", "metadata": {numbers}}}"#
        ),
    );
    assert_eq!(status, 201, "{text}");
    let read = app.preview("/v1/articles/chiffres").expect(200);
    for exact in [
        "18446744073709551615",
        "-9223372036854775808",
        "3.141592653589793",
        "5e-324",
    ] {
        assert!(read.text.contains(exact), "{exact} in {}", read.text);
    }
    assert_eq!(created["metadata"], read.json()["metadata"]);

    for (metadata, field_says) in [
        (
            r#"{"a": {"b": 1, "b": 2}}"#,
            r#"metadata.a has the key "b" twice"#,
        ),
        (r#"{"a": 1, "a": 1}"#, r#"metadata has the key "a" twice"#),
        (
            r#"{"n": [123456789012345678901234567890]}"#,
            "metadata.n[0]: 123456789012345678901234567890 cannot be kept exactly",
        ),
        (
            r#"{"x": 0.1000000000000000000001}"#,
            "metadata.x: 0.1000000000000000000001 cannot be kept exactly",
        ),
    ] {
        let (status, text, problem) = send(
            reqwest::Method::POST,
            "/v1/articles",
            &format!(r#"{{"title": "Doublon", "body": "x", "metadata": {metadata}}}"#),
        );
        assert_eq!(status, 422, "{text}");
        assert_eq!(problem["errors"][0]["field"], "metadata", "{text}");
        let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field_says), "{field_says} in {text}");
        let (status, text, _) = send(
            reqwest::Method::PATCH,
            "/v1/articles/chiffres",
            &format!(r#"{{"metadata": {metadata}}}"#),
        );
        assert_eq!(status, 422, "{text}");
    }
    assert_eq!(
        app.preview("/v1/articles/chiffres").expect(200).json()["metadata"],
        created["metadata"],
        "a refused edit changes nothing"
    );
}

on_both_backends!(
    metadata_is_kept_exactly_or_refused,
    text_round_trips_byte_exact,
    slugs_are_derived_transliterated_and_unique,
    changed_slug_answers_301,
    drafts_and_scheduled_are_hidden_from_the_public,
    publishing_sets_dates_once,
    body_html_is_sanitised,
    derived_fields,
    patch_leaves_absent_fields_and_clears_nulls,
    relations_are_embedded_in_order,
    lists_filter_by_section_tag_author_and_language,
    pagination_with_link_headers,
    delete_removes_the_article,
    etags_and_conditional_get,
);
