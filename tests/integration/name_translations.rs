//! Translated names: sections, tags and authors carry their texts in other
//! languages, reads with `locale` show them in the reader's language (text by
//! text, shorter tags and fallbacks included), edits merge by language, and an
//! article names its section, tags and authors in its own language.

use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

fn entrevue(app: &TestApp) -> Value {
    app.post(
        "/v1/sections",
        json!({
            "name": "Entrevue", "description": "Rencontres et grands entretiens.", "language": "fr",
            "translations": {
                "en": {"name": "Interview", "description": "Meetings and long conversations."},
                "en-CA": {"name": "Q&A"}
            }
        }),
    )
    .expect(201)
    .json()
}

fn sections_speak_the_readers_language(app: &TestApp) {
    let created = entrevue(app);
    assert_eq!(created["name"], "Entrevue", "the own name unless asked");
    assert_eq!(created["translations"]["en"]["name"], "Interview");
    assert_eq!(
        created["translations"]["en-CA"],
        json!({"name": "Q&A"}),
        "texts not given are left out, not null"
    );

    let read = |query: &str| {
        app.get(&format!("/v1/sections/entrevue{query}"))
            .expect(200)
            .json()
    };
    let en = read("?locale=en");
    assert_eq!(
        (&en["name"], &en["description"]),
        (
            &json!("Interview"),
            &json!("Meetings and long conversations.")
        )
    );
    // A regional reader: its own name, the description of the plain language.
    let ca = read("?locale=en-CA");
    assert_eq!(
        (&ca["name"], &ca["description"]),
        (&json!("Q&A"), &json!("Meetings and long conversations."))
    );
    assert_eq!(read("?locale=en-GB")["name"], "Interview", "en-GB reads en");
    assert_eq!(read("?locale=de&fallback=en")["name"], "Interview");
    // Its own texts are French: a French reader gets them before any fallback.
    assert_eq!(read("?locale=fr-CA&fallback=en")["name"], "Entrevue");
    assert_eq!(read("?locale=de&fallback=fr,en")["name"], "Entrevue");
    let untranslated = read("?locale=de");
    assert_eq!(
        (&untranslated["name"], &untranslated["description"]),
        (
            &json!("Entrevue"),
            &json!("Rencontres et grands entretiens.")
        )
    );
    assert_eq!(read("")["name"], "Entrevue");

    // The answer says which languages its texts are in.
    let language_of = |query: &str| {
        app.get(&format!("/v1/sections/entrevue{query}"))
            .expect(200)
            .header("content-language")
    };
    assert_eq!(language_of("").as_deref(), Some("fr"));
    assert_eq!(language_of("?locale=en-GB").as_deref(), Some("en"));
    assert_eq!(
        language_of("?locale=en-CA").as_deref(),
        Some("en-CA, en"),
        "the name's first, then the description's"
    );
    assert_eq!(language_of("?locale=de").as_deref(), Some("fr"));

    let auto = app
        .client_get_with(
            "/v1/sections/entrevue?locale=auto",
            &[("Accept-Language", "en-GB, fr;q=0.5")],
        )
        .expect(200);
    assert_eq!(auto.json()["name"], "Interview");

    // Lists and the tree too.
    let page = app.get("/v1/sections?locale=en").expect(200).json();
    assert_eq!(page["data"][0]["name"], "Interview", "{page}");
    let tree = app
        .get("/v1/sections?tree=true&locale=en")
        .expect(200)
        .json();
    assert_eq!(tree["data"][0]["name"], "Interview", "{tree}");

    // An edit replaces a language's texts, null removes one, the rest is kept.
    let edited = app
        .patch(
            "/v1/sections/entrevue",
            json!({"translations": {"de": {"name": "Gespräch"}, "en-CA": null}}),
        )
        .expect(200)
        .json();
    assert_eq!(
        edited["translations"],
        json!({
            "de": {"name": "Gespräch"},
            "en": {"name": "Interview", "description": "Meetings and long conversations."}
        })
    );
    assert_eq!(read("?locale=en-CA")["name"], "Interview");
    assert_eq!(read("?locale=de")["name"], "Gespräch");
    // Stale editors are refused as for any edit.
    let stale = app.request_with(
        Method::PATCH,
        "/v1/sections/entrevue",
        Some(&app.write_token),
        Some(&json!({"translations": {"it": {"name": "Intervista"}}})),
        &[("If-Match", "\"1\"")],
    );
    assert_eq!(stale.status, 412, "{}", stale.text);

    // Bad input names the field; nothing is written.
    for (body, field) in [
        (
            json!({"translations": {"EN": {"name": "Interview"}}}),
            "translations",
        ),
        (
            json!({"translations": {"en": {"name": "  "}}}),
            "translations.en.name",
        ),
        (
            json!({"translations": {"en": {"name": "x", "bio": "no"}}}),
            "bio",
        ),
        (json!({"translations": null}), "translations"),
        (
            json!({"translations": {"en": ["Interview", null]}}),
            "translations.en",
        ),
        (json!({"language": "French"}), "language"),
    ] {
        let refused = app.patch("/v1/sections/entrevue", body.clone());
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        assert!(refused.text.contains(field), "{body}: {}", refused.text);
    }
    assert_eq!(read("")["translations"], edited["translations"]);
    // Unsaid, its own texts' language no longer beats a fallback's translation.
    app.patch("/v1/sections/entrevue", json!({"language": null}))
        .expect(200);
    assert_eq!(read("?locale=fr&fallback=en")["name"], "Interview");
    // Texts in a language not said: no Content-Language rather than a wrong one.
    assert_eq!(language_of("").as_deref(), None);
    assert_eq!(language_of("?locale=en").as_deref(), Some("en"));
    assert_eq!(
        language_of("?locale=de").as_deref(),
        None,
        "a German name over a description in a language not said"
    );
}

fn tags_and_authors_too(app: &TestApp) {
    app.post(
        "/v1/tags",
        json!({"name": "Énergie", "translations": {"en": {"name": "Energy"}}}),
    )
    .expect(201);
    app.post(
        "/v1/authors",
        json!({
            "name": "Claire Dubois", "description": "Correspondante en Asie centrale",
            "bio": "Claire Dubois couvre l’Asie centrale depuis Almaty.",
            "translations": {"en": {"description": "Central Asia correspondent", "bio": "Claire Dubois covers Central Asia from Almaty."}}
        }),
    )
    .expect(201);
    let tags = app.get("/v1/tags?locale=en").expect(200).json();
    assert_eq!(tags["data"][0]["name"], "Energy");
    let tag = app.get("/v1/tags/energie?locale=en").expect(200);
    assert_eq!(tag.header("content-language").as_deref(), Some("en"));
    let author = app
        .get("/v1/authors/claire-dubois?locale=en")
        .expect(200)
        .json();
    assert_eq!(
        author["name"], "Claire Dubois",
        "an untranslated name stays"
    );
    assert_eq!(author["description"], "Central Asia correspondent");
    assert_eq!(
        author["bio"],
        "Claire Dubois covers Central Asia from Almaty."
    );
    let bad = app.patch(
        "/v1/authors/claire-dubois",
        json!({"translations": {"fr-CA": {"bio": "a\u{0}b"}}}),
    );
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("translations.fr-CA.bio"), "{}", bad.text);
}

/// An article names its section, tags and authors in its own language, in its
/// JSON, its feeds and what sync and webhooks carry (all built from one view).
fn articles_name_them_in_their_language(app: &TestApp) {
    entrevue(app);
    app.post(
        "/v1/tags",
        json!({"name": "Énergie", "translations": {"en": {"name": "Energy"}}}),
    )
    .expect(201);
    let fr = app.article(json!({
        "slug": "le-coeur-nucleaire", "title": "Le cœur nucléaire", "body": "Texte.",
        "language": "fr", "section": "entrevue", "tags": ["energie"], "status": "published"
    }));
    let en = app.article(json!({
        "slug": "the-nuclear-heart", "title": "The nuclear heart", "body": "Text.",
        "language": "en-GB", "section": "entrevue", "tags": ["energie"], "status": "published",
        "translation_of": "le-coeur-nucleaire"
    }));
    assert_eq!(
        fr["section"],
        json!({"slug": "entrevue", "name": "Entrevue"})
    );
    assert_eq!(fr["tags"][0]["name"], "Énergie");
    assert_eq!(
        en["section"],
        json!({"slug": "entrevue", "name": "Interview"})
    );
    assert_eq!(en["tags"][0]["name"], "Energy");
    let listed = app
        .get("/v1/articles?locale=en-GB&fields=slug,section")
        .expect(200)
        .json();
    assert_eq!(
        listed["data"][0]["section"]["name"], "Interview",
        "{listed}"
    );

    // A renamed translation reaches articles already written: each is logged
    // as changed (caches purge it, sync and webhooks hear of it).
    let before = crate::webhooks::latest_change(app);
    app.patch(
        "/v1/sections/entrevue",
        json!({"translations": {"en": {"name": "Conversations"}}}),
    )
    .expect(200);
    let logged = crate::webhooks::changes_after(app, before);
    for article in [&fr, &en] {
        assert!(
            logged
                .iter()
                .any(|(_, event, id)| event == "article.updated" && article["id"] == id.as_str()),
            "{logged:?}"
        );
    }
    let en = app.get("/v1/articles/the-nuclear-heart").expect(200).json();
    assert_eq!(en["section"]["name"], "Conversations");
}

on_both_backends!(
    sections_speak_the_readers_language,
    tags_and_authors_too,
    articles_name_them_in_their_language,
);
