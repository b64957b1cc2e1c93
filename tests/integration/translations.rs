//! Translations: versions of one story in several languages, read in the
//! reader's language with fallback, the fallback applying inside filters,
//! search and sort.

use crate::common::{self, TestApp};
use serde_json::{json, Value};

fn slugs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["slug"].as_str().map(str::to_owned))
        .collect()
}

/// A story in French and English, and a French-only one.
fn newsroom(app: &TestApp) {
    app.article(json!({
        "slug": "le-coeur-nucleaire", "title": "Le cœur nucléaire du Kazakhstan",
        "body": "La centrale nucléaire d’Ulken sera « le cœur » du pays.",
        "language": "fr", "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
    app.article(json!({
        "slug": "kazakhstan-power-plant", "title": "Kazakhstan’s power plant",
        "body": "The Ulken plant will be the heart of the country’s grid.",
        "language": "en", "status": "published", "published_at": "2024-11-27T10:00:00Z",
        "translation_of": "le-coeur-nucleaire"
    }));
    app.article(json!({
        "slug": "la-steppe-nucleaire", "title": "La steppe et le nucléaire",
        "body": "Un débat nucléaire ancien.",
        "language": "fr", "status": "published", "published_at": "2024-11-26T09:00:00Z"
    }));
}

fn versions_know_each_other(app: &TestApp) {
    newsroom(app);
    let fr = app.get("/v1/articles/le-coeur-nucleaire").expect(200);
    assert_eq!(fr.header("content-language").as_deref(), Some("fr"));
    let fr = fr.json();
    let en = app
        .get("/v1/articles/kazakhstan-power-plant")
        .expect(200)
        .json();
    assert_eq!(fr["translation_group"], en["translation_group"]);
    assert_eq!(
        fr["translations"],
        json!([{"id": en["id"], "language": "en", "slug": "kazakhstan-power-plant", "url": en["url"]}])
    );
    assert_eq!(en["translations"][0]["slug"], "le-coeur-nucleaire");
    let alone = app
        .get("/v1/articles/la-steppe-nucleaire")
        .expect(200)
        .json();
    assert_eq!(alone["translations"], json!([]));

    // One version per language in a story.
    let twice = app.post(
        "/v1/articles",
        json!({"title": "Encore", "body": "x", "language": "fr", "translation_of": "kazakhstan-power-plant"}),
    );
    assert_eq!(twice.status, 409, "{}", twice.text);
    assert!(twice.text.contains("le-coeur-nucleaire"), "{}", twice.text);
    let unknown = app.post(
        "/v1/articles",
        json!({"title": "Orphelin", "body": "x", "translation_of": "nowhere"}),
    );
    assert_eq!(unknown.status, 409, "{}", unknown.text);

    // Any version's slug leads to the one in the reader's language.
    let asked = app
        .get("/v1/articles/le-coeur-nucleaire?locale=en")
        .expect(200);
    assert_eq!(asked.header("content-language").as_deref(), Some("en"));
    assert_eq!(asked.json()["slug"], "kazakhstan-power-plant");
    let fallen = app
        .get("/v1/articles/kazakhstan-power-plant?locale=de&fallback=fr")
        .expect(200);
    assert_eq!(fallen.json()["slug"], "le-coeur-nucleaire");
    let none = app
        .get("/v1/articles/kazakhstan-power-plant?locale=de")
        .expect(200);
    assert_eq!(
        none.json()["slug"],
        "kazakhstan-power-plant",
        "no German: the one asked for"
    );
    app.get("/v1/articles/le-coeur-nucleaire?locale=x")
        .expect(400);
    app.get("/v1/articles?fallback=fr").expect(400);

    // Leaving the story.
    let left = app
        .patch(
            "/v1/articles/kazakhstan-power-plant",
            json!({"translation_of": null}),
        )
        .expect(200)
        .json();
    assert_eq!(left["translations"], json!([]));
    assert_ne!(left["translation_group"], fr["translation_group"]);
    app.patch(
        "/v1/articles/kazakhstan-power-plant",
        json!({"translation_of": fr["id"]}),
    )
    .expect(200);
}

fn lists_show_each_story_once_in_the_best_language(app: &TestApp) {
    newsroom(app);
    // Without a locale, every version.
    let all = slugs(&app.get("/v1/articles").expect(200).json());
    assert_eq!(all.len(), 3, "{all:?}");
    // English: each story once, in English when it has a version in English; a
    // story in none of the reader's languages is not left out.
    let en = slugs(&app.get("/v1/articles?locale=en").expect(200).json());
    assert_eq!(en, ["kazakhstan-power-plant", "la-steppe-nucleaire"]);
    // Only English versions: the language filter applies to the versions chosen.
    let only = slugs(
        &app.get("/v1/articles?locale=en&language=en")
            .expect(200)
            .json(),
    );
    assert_eq!(only, ["kazakhstan-power-plant"]);
    // English, then French: each story once.
    let en_fr = slugs(
        &app.get("/v1/articles?locale=en&fallback=fr")
            .expect(200)
            .json(),
    );
    assert_eq!(en_fr, ["kazakhstan-power-plant", "la-steppe-nucleaire"]);
    // Canadian French falls back to French inside the search: the story has no
    // Canadian version, and its French text is what is searched.
    let found = app
        .get("/v1/articles?locale=fr-CA&fallback=fr,en&q=nucleaire")
        .expect(200)
        .json();
    let mut found_slugs = slugs(&found);
    found_slugs.sort();
    assert_eq!(found_slugs, ["la-steppe-nucleaire", "le-coeur-nucleaire"]);
    assert!(found["data"][0]["highlight"]
        .as_str()
        .is_some_and(|h| h.contains("<mark>")));
    // For an English reader the story is its English text, which does not say
    // « nucléaire »: the French version does not slip into the results.
    let english = app
        .get("/v1/articles?locale=en&fallback=fr&q=nucleaire")
        .expect(200)
        .json();
    assert_eq!(slugs(&english), ["la-steppe-nucleaire"]);
    // Sorting applies to the chosen versions too.
    let by_title = app
        .get("/v1/articles?locale=en&fallback=fr&sort=title")
        .expect(200)
        .json();
    assert_eq!(
        slugs(&by_title),
        ["kazakhstan-power-plant", "la-steppe-nucleaire"]
    );

    // A draft translation is not a version the public can be given.
    app.article(json!({
        "slug": "la-steppe-draft-en", "title": "The steppe", "body": "Draft.",
        "language": "en", "translation_of": "la-steppe-nucleaire"
    }));
    let public = slugs(
        &app.get("/v1/articles?locale=en&fallback=fr")
            .expect(200)
            .json(),
    );
    assert_eq!(public, ["kazakhstan-power-plant", "la-steppe-nucleaire"]);
    let preview = app
        .preview("/v1/articles?locale=en&fallback=fr")
        .expect(200)
        .json();
    assert!(slugs(&preview).contains(&"la-steppe-draft-en".to_owned()));

    // Sitemaps name each version's alternates by language, as search engines read them.
    let shard = app.get("/sitemaps/articles-1.xml").expect(200).text;
    let fr_url = "https://news.example/le-coeur-nucleaire";
    let en_url = "https://news.example/kazakhstan-power-plant";
    for (language, url) in [("fr", fr_url), ("en", en_url)] {
        let alternate =
            format!("<xhtml:link rel=\"alternate\" hreflang=\"{language}\" href=\"{url}\"/>");
        assert_eq!(shard.matches(&alternate).count(), 2, "{shard}");
    }
    crate::sitemaps::crawl(app);
    // Every feed format names each entry's other versions, as readers parse them.
    for kind in ["atom", "rss", "json"] {
        let document = app
            .get(&format!("/v1/feeds/articles.{kind}"))
            .expect(200)
            .text;
        let read = crate::feeds::read_feed(kind, &document);
        let entry = |url: &str| {
            read["entries"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["link"] == url)
                .cloned()
                .unwrap_or_else(|| panic!("{kind}: {url} in {read}"))
        };
        // The entry's own address stays its own; XML feeds list every version
        // (the entry's own included, as sitemaps do), JSON Feed the others.
        let (fr, en) = (entry(fr_url), entry(en_url));
        let (fr_alt, en_alt) = (
            json!({"hreflang": "fr", "href": fr_url}),
            json!({"hreflang": "en", "href": en_url}),
        );
        if kind == "json" {
            assert_eq!(fr["translations"], json!([en_alt]), "{kind}");
            assert_eq!(en["translations"], json!([fr_alt]), "{kind}");
        } else {
            assert_eq!(fr["translations"], json!([en_alt, fr_alt]), "{kind}");
            assert_eq!(en["translations"], json!([fr_alt, en_alt]), "{kind}");
        }
        if kind != "atom" {
            assert_eq!(fr["item_language"], "fr", "{kind}: {fr}");
        }
    }

    // Feeds take the same parameters.
    let feed = app
        .get("/v1/feeds/articles.json?locale=en&fallback=fr")
        .expect(200)
        .json();
    let urls: Vec<&str> = feed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["url"].as_str())
        .collect();
    assert_eq!(urls.len(), 2, "{feed}");
}

/// An offline client keeps each version as an article of its own, linked by group.
fn sync_carries_each_version_with_its_story(app: &TestApp) {
    newsroom(app);
    let page = app
        .get("/v1/sync?initial=true&per_page=100")
        .expect(200)
        .json();
    let articles: Vec<&Value> = page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == "article")
        .map(|i| &i["article"])
        .collect();
    let version = |slug: &str| {
        articles
            .iter()
            .find(|a| a["slug"] == slug)
            .copied()
            .unwrap_or_else(|| panic!("{slug} synced: {page}"))
    };
    let (fr, en) = (
        version("le-coeur-nucleaire"),
        version("kazakhstan-power-plant"),
    );
    assert_eq!(fr["translation_group"], en["translation_group"]);
    assert_eq!(fr["translations"][0]["slug"], "kazakhstan-power-plant");

    // A new version is a change like any other for the client that synced.
    let token = page["next_sync_token"].as_str().expect("a sync token");
    app.article(json!({
        "slug": "le-coeur-nucleaire-de", "title": "Das nukleare Herz", "body": "Text.",
        "language": "de", "status": "published", "translation_of": "le-coeur-nucleaire"
    }));
    let delta = app
        .get(&format!("/v1/sync?sync_token={}", common::urlencode(token)))
        .expect(200)
        .json();
    let added = delta["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["article"]["slug"] == "le-coeur-nucleaire-de")
        .unwrap_or_else(|| panic!("the German version synced: {delta}"));
    assert_eq!(
        added["article"]["translation_group"],
        fr["translation_group"]
    );
}

/// A partner's webhook gets each version as an article of its own, linked by
/// group; a subscription for one language gets only that language's versions.
fn webhooks_carry_each_version_with_its_story(app: &TestApp) {
    use crate::webhooks::{changes_after, latest_change, receiver::Receiver, subscribe};
    use std::collections::BTreeSet;
    use std::time::Duration;

    let receiver = Receiver::start();
    let before = latest_change(app);
    let events = json!({"events": ["article.published"]});
    subscribe(app, &receiver, "/all", events.clone());
    let mut english = events;
    english["language"] = json!("en");
    subscribe(app, &receiver, "/en", english);
    newsroom(app);

    let published: Vec<(String, String, String)> = changes_after(app, before)
        .into_iter()
        .filter(|(_, event, _)| event == "article.published")
        .collect();
    assert_eq!(published.len(), 3, "{published:?}");
    let ids: BTreeSet<String> = published.iter().map(|(id, ..)| id.clone()).collect();
    let messages = receiver.wait_for("/all", &ids, Duration::from_secs(30));
    let article = |slug: &str| {
        messages
            .iter()
            .map(|m| &m["payload"]["data"]["article"])
            .find(|a| a["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("{slug} delivered: {messages:?}"))
    };
    let (fr, en) = (
        article("le-coeur-nucleaire"),
        article("kazakhstan-power-plant"),
    );
    assert_eq!(fr["translation_group"], en["translation_group"]);
    assert_eq!(en["translations"][0]["slug"], "le-coeur-nucleaire");
    assert_eq!(
        receiver.received()["unverified"],
        0,
        "every signature verifies"
    );

    let en_id = published
        .iter()
        .find(|(.., public_id)| en["id"] == public_id.as_str())
        .map(|(id, ..)| id.clone())
        .expect("the English publication");
    let only_english = receiver.wait_for("/en", &BTreeSet::from([en_id]), Duration::from_secs(30));
    assert_eq!(only_english.len(), 1, "{only_english:?}");
}

/// `locale=auto` reads the reader's languages from `Accept-Language`; the answer
/// says it varies with the header, and no cache mixes two readers' answers.
fn auto_locale_follows_accept_language(app: &TestApp) {
    newsroom(app);
    let read = |path: &str, accept: &str| app.client_get_with(path, &[("Accept-Language", accept)]);
    let english = read(
        "/v1/articles/le-coeur-nucleaire?locale=auto",
        "en-US,en;q=0.9,fr;q=0.5",
    )
    .expect(200);
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
    let vary = english.vary();
    assert!(vary.contains("accept-language"), "{vary}");
    assert_eq!(english.json()["slug"], "kazakhstan-power-plant");
    // The same URL for a reader of German then French; `q=0` refuses a language.
    let french = read(
        "/v1/articles/le-coeur-nucleaire?locale=auto",
        "de, en;q=0, fr;q=0.5",
    )
    .expect(200);
    assert_eq!(french.json()["slug"], "le-coeur-nucleaire");
    let list = |accept: &str| slugs(&read("/v1/articles?locale=auto", accept).expect(200).json());
    assert_eq!(
        list("en"),
        ["kazakhstan-power-plant", "la-steppe-nucleaire"]
    );
    assert_eq!(
        list("fr-CH, en;q=0.8"),
        ["le-coeur-nucleaire", "la-steppe-nucleaire"]
    );
    assert_eq!(
        list("en"),
        ["kazakhstan-power-plant", "la-steppe-nucleaire"],
        "not a cached French answer"
    );
    // No usable header: as without a locale (every version), and a fixed locale
    // does not vary with the header.
    assert_eq!(list("*").len(), 3);
    let fixed = read("/v1/articles?locale=fr", "en").expect(200);
    let vary = fixed.vary();
    assert!(!vary.contains("accept-language"), "{vary}");
}

fn imported_files_join_their_story(app: &TestApp) {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(
        dir.path().join("fr.md"),
        "---\ntitle: Le gaz d’Asie centrale\nlanguage: fr\ntranslationKey: gaz-asie\n---\nTexte.\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("en.txt"),
        "Central Asian gas\nNovember 27, 2024 / Interview / gaz-asie\n\n\
         The pipelines that carry the gas of Central Asia to China and to Europe \
         are the quiet heart of a rivalry between the great powers of the region.\n",
    )
    .expect("write");
    let out = app.cli(&[
        "import",
        "--status",
        "published",
        dir.path().to_str().expect("a path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fr = app
        .get("/v1/articles/le-gaz-d-asie-centrale")
        .expect(200)
        .json();
    let en = app.get("/v1/articles/central-asian-gas").expect(200).json();
    assert_eq!(en["language"], "en");
    assert_eq!(fr["translation_group"], en["translation_group"]);
    assert_eq!(fr["translations"][0]["slug"], "central-asian-gas");
    assert_eq!(en["translations"][0]["language"], "fr");
}

/// A version that appears (written, or going live when its time comes) changes
/// what the story's other versions show: their readers hear of it through sync,
/// webhooks and validators, as they do of a renamed tag.
fn other_versions_hear_of_a_new_translation(app: &TestApp) {
    use crate::webhooks::{changes_after, latest_change, receiver::Receiver, subscribe};
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    let french = app.article(json!({
        "slug": "le-coeur-nucleaire", "title": "Le cœur nucléaire", "body": "Texte.",
        "language": "fr", "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
    let french_id = french["id"].as_str().unwrap().to_owned();
    let receiver = Receiver::start();
    subscribe(
        app,
        &receiver,
        "/all",
        json!({"events": ["article.updated"]}),
    );
    let token = app.get("/v1/sync?initial=true").expect(200).json()["next_sync_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Last-Modified counts whole seconds, and is sent once its second is over.
    std::thread::sleep(Duration::from_millis(1100));
    let read = app.get("/v1/articles/le-coeur-nucleaire").expect(200);
    let modified = read.header("last-modified").expect("Last-Modified");
    std::thread::sleep(Duration::from_millis(1100));
    let before = latest_change(app);

    app.article(json!({
        "slug": "the-nuclear-heart", "title": "The nuclear heart", "body": "Text.",
        "language": "en", "status": "published", "published_at": "2024-11-27T10:00:00Z",
        "translation_of": "le-coeur-nucleaire"
    }));
    let delta = app
        .get(&format!(
            "/v1/sync?sync_token={}",
            common::urlencode(&token)
        ))
        .expect(200)
        .json();
    let items = delta["data"].as_array().unwrap();
    let french_item = items
        .iter()
        .find(|i| i["id"] == french_id.as_str())
        .unwrap_or_else(|| panic!("the French version is in the delta: {delta}"));
    assert_eq!(french_item["article"]["translations"][0]["language"], "en");
    let token = delta["next_sync_token"].as_str().unwrap().to_owned();

    std::thread::sleep(Duration::from_millis(1100));
    let again = app.client_get_with(
        "/v1/articles/le-coeur-nucleaire",
        &[("if-modified-since", &modified)],
    );
    assert_eq!(again.status, 200, "the French version changed: not a 304");
    let moved = again.header("last-modified").expect("Last-Modified");
    assert_ne!(moved, modified);

    let implied: BTreeSet<String> = changes_after(app, before)
        .into_iter()
        .filter(|(_, event, public_id)| event == "article.updated" && *public_id == french_id)
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(implied.len(), 1);
    receiver.wait_for("/all", &implied, Duration::from_secs(30));

    // A German version scheduled for later is listed once its time comes, and
    // the others hear of it then, with no write in between.
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    app.article(json!({
        "slug": "das-nukleare-herz", "title": "Das nukleare Herz", "body": "Text.",
        "language": "de", "status": "published",
        "published_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "translation_of": "le-coeur-nucleaire"
    }));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let delta = app
            .get(&format!(
                "/v1/sync?sync_token={}",
                common::urlencode(&token)
            ))
            .expect(200)
            .json();
        let french = delta["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == french_id.as_str())
            .cloned();
        if let Some(french) = french {
            let languages: Vec<&str> = french["article"]["translations"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|t| t["language"].as_str())
                .collect();
            if languages.contains(&"de") {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the French version never heard of the German one going live: {delta}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

on_both_backends!(
    other_versions_hear_of_a_new_translation,
    versions_know_each_other,
    sync_carries_each_version_with_its_story,
    lists_show_each_story_once_in_the_best_language,
    imported_files_join_their_story,
    webhooks_carry_each_version_with_its_story,
    auto_locale_follows_accept_language,
);

#[test]
fn a_locale_without_fallback_uses_the_site_languages() {
    let app = TestApp::spawn_with(common::TestDb::sqlite(), |s| {
        s.site.locales = vec!["fr".into(), "en".into()];
    });
    newsroom(&app);
    let page = app.get("/v1/articles?locale=de").expect(200).json();
    assert_eq!(slugs(&page), ["le-coeur-nucleaire", "la-steppe-nucleaire"]);
}
