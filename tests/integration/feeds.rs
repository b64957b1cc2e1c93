//! Feeds (RSS, Atom, JSON Feed) read by a subscriber's parser, and permalinks.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::{self, TestApp, TestDb};
use folio::site::{PermalinkTemplate, Site};

/// What a feed reader makes of a feed (see `tests/feeds/read_feed.py`).
pub(crate) fn read_feed(kind: &str, document: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/feeds/read_feed.py");
    let mut child = Command::new("python3")
        .args([script, kind])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with the feedparser package");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(document.as_bytes())
        .expect("hand over the feed");
    let output = child.wait_with_output().expect("the reader's verdict");
    assert!(
        output.status.success(),
        "the {kind} feed was refused: {}\n{document}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the reader's JSON")
}

const FORMATS: [(&str, &str, &str); 3] = [
    ("rss", "application/rss+xml", "rss20"),
    ("atom", "application/atom+xml", "atom10"),
    ("json", "application/feed+json", "json11"),
];

/// Text that must come out as it went in: guillemets, non-breaking and narrow
/// spaces, curly apostrophes, ligatures.
const FRENCH_TITLE: &str = "Poutine au Kazakhstan\u{a0}: une alliance stratégique… « cœur » d’Asie";
const HOSTILE_TITLE: &str = "<script>alert(1)</script> & \"quotes\" ]]> <![CDATA[x]]>";

fn feeds_show_the_newest_public_articles_byte_exact(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Entrevue"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.post("/v1/authors", json!({"name": "Claire Dubois"}))
        .expect(201);
    let french = app.article(json!({
        "title": FRENCH_TITLE, "slug": "poutine-au-kazakhstan",
        "body": "Le président est arrivé.\n\n## Le nucléaire au centre\n\n« Nous sommes des alliés »\u{a0}: au cœur du sujet, l’énergie.",
        "section": "entrevue", "tags": ["energie"], "authors": ["claire-dubois"],
        "language": "fr", "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
    app.article(json!({
        "title": HOSTILE_TITLE, "slug": "hostile", "body": "<b>bold</b> & more",
        "section": "entrevue", "status": "published", "published_at": "2024-11-26T09:00:00Z"
    }));
    app.article(
        json!({"title": "Elsewhere", "slug": "elsewhere", "body": "x", "section": "monde",
        "language": "en", "status": "published", "published_at": "2024-11-28T09:00:00Z"}),
    );
    app.article(
        json!({"title": "Brouillon", "slug": "brouillon", "body": "x", "section": "entrevue"}),
    );
    app.article(
        json!({"title": "Plus tard", "slug": "plus-tard", "body": "x", "section": "entrevue",
        "status": "published", "published_at": "2099-01-01T00:00:00Z"}),
    );
    // Sections, tags and authors have their pages on the site too.
    for (path, url) in [
        ("/v1/sections/entrevue", "https://news.example/entrevue"),
        ("/v1/tags/energie", "https://news.example/tag/energie"),
        (
            "/v1/authors/claire-dubois",
            "https://news.example/author/claire-dubois",
        ),
    ] {
        assert_eq!(app.get(path).expect(200).json()["url"], url, "{path}");
    }
    let whole = app
        .get("/v1/articles/poutine-au-kazakhstan")
        .expect(200)
        .json();
    assert_eq!(
        whole["url"],
        "https://news.example/entrevue/poutine-au-kazakhstan"
    );
    assert_eq!(french["url"], whole["url"]);

    for (kind, media_type, version) in FORMATS {
        let path = format!("/v1/feeds/articles.{kind}?section=entrevue");
        let response = app.get(&path).expect(200);
        assert_eq!(
            response.header("content-type").as_deref(),
            Some(format!("{media_type}; charset=utf-8").as_str())
        );
        let feed = read_feed(kind, &response.text);
        assert_eq!(feed["version"], version);
        assert_eq!(feed["title"], "news.example — Entrevue", "{kind}");
        assert_eq!(feed["self"], format!("{}{path}", app.base), "{kind}");
        let entries = feed["entries"].as_array().expect("entries");
        let titles: Vec<&str> = entries.iter().filter_map(|e| e["title"].as_str()).collect();
        // Newest first; the draft, the scheduled article and other sections left out.
        assert_eq!(titles, [FRENCH_TITLE, HOSTILE_TITLE], "{kind}");
        let entry = &entries[0];
        assert_eq!(entry["link"], whole["url"], "{kind}");
        // feedparser strips the whitespace around an XML element's text (the
        // final newline here); JSON keeps every byte.
        let body_html = whole["body_html"].as_str().expect("body_html");
        let shown = match kind {
            "json" => body_html,
            _ => body_html.trim_end(),
        };
        assert_eq!(entry["content"], shown, "{kind}");
        assert_eq!(entry["summary"], whole["excerpt"], "{kind}");
        assert_eq!(entry["authors"], json!(["Claire Dubois"]), "{kind}");
        assert_eq!(
            entry["categories"],
            json!(["Entrevue", "Énergie"]),
            "{kind}"
        );
        let id = whole["id"].as_str().expect("an id");
        let expected_id = match kind {
            "rss" => id.to_owned(),
            _ => format!("urn:uuid:{id}"),
        };
        assert_eq!(entry["id"], expected_id, "{kind}");

        // Revalidation and caching, as for the lists.
        let etag = response.header("etag").expect("an ETag");
        let keys = response.header("surrogate-key").expect("surrogate keys");
        assert!(keys.contains("articles-section-entrevue"), "{keys}");
        app.client_get_with(&path, &[("if-none-match", &etag)])
            .expect(304);

        // Excerpts only.
        let excerpt = app.get(&format!("{path}&content=excerpt")).expect(200);
        let feed = read_feed(kind, &excerpt.text);
        let entry = &feed["entries"][0];
        assert!(
            !excerpt.text.contains("Le nucléaire au centre"),
            "{kind}: the body is left out"
        );
        assert_eq!(entry["summary"], whole["excerpt"], "{kind}");
    }
    // The same filters as the list, search included.
    let feed = read_feed(
        "atom",
        &app.get("/v1/feeds/articles.atom?q=nucleaire")
            .expect(200)
            .text,
    );
    assert_eq!(feed["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(feed["entries"][0]["title"], FRENCH_TITLE);
}

fn lists_advertise_their_feeds(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Entrevue"}))
        .expect(201);
    common::published(
        app,
        "un",
        "2024-11-27T09:00:00Z",
        json!({"section": "entrevue"}),
    );
    let response = app
        .get("/v1/articles?section=entrevue&per_page=1&fields=slug")
        .expect(200);
    let links = response.header("link").expect("a Link header");
    for (kind, media_type, _) in FORMATS {
        let link = format!(
            "<{}/v1/feeds/articles.{kind}?section=entrevue>; rel=\"alternate\"; type=\"{media_type}\"",
            app.base
        );
        assert!(links.contains(&link), "{links}");
    }
}

/// Characters XML cannot carry are refused at write, naming the field, and an
/// article stored with them before that rule leaves every feed and sitemap
/// well-formed for feedparser and a strict XML parser.
fn no_article_breaks_the_xml(app: &TestApp) {
    for (field, text) in [
        ("standfirst", "Un\u{1}chapeau"),
        ("body", "Un\u{2}corps"),
        ("title", "Un titre\u{fffe}"),
        ("title", "Un titre\u{ffff}"),
        ("body", "\u{b}"),
    ] {
        let mut article = json!({"title": "Titre", "body": "Texte."});
        article[field] = json!(text);
        let problem = app.post("/v1/articles", article).expect(422).json();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    app.post(
        "/v1/tags",
        json!({"name": "Énergie", "description": "A\u{1}B"}),
    )
    .expect(422);
    // Tabs and line breaks are text like any other.
    app.article(json!({"title": "Tabulé", "standfirst": "a\tb\r\nc", "body": "x\ty\r\n"}));

    // Published a minute ago, so that the news sitemap lists it too.
    let recently = (chrono::Utc::now() - chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    common::published(app, "ancien", &recently, json!({"language": "fr"}));
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.get().unwrap();
        // As a row written before the rule (or by hand) could hold them.
        diesel::sql_query(
            "UPDATE articles SET title = 'Ancien \u{ffff}\u{1}titre', \
             standfirst = 'Un\u{1}chapeau', body = 'Un\u{2}corps', \
             body_html = '<p>Un\u{2}corps</p>' WHERE slug = 'ancien'",
        )
        .execute(&mut conn)
        .unwrap();
    }
    for (kind, _, _) in FORMATS {
        let feed = app
            .get(&format!("/v1/feeds/articles.{kind}?content=full"))
            .expect(200);
        let read = read_feed(kind, &feed.text);
        if kind != "json" {
            assert_eq!(read["entries"][0]["title"], "Ancien titre", "{kind}");
        }
    }
    for path in [
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
        "/sitemaps/news.xml",
    ] {
        let xml = app.get(path).expect(200);
        read_feed("xml", &xml.text);
        if path != "/sitemap.xml" {
            assert!(
                xml.text.contains("/ancien"),
                "{path} lists it: {}",
                xml.text
            );
        }
    }
}

/// A feed names its section in the reader's language, else in the section's
/// own, whatever the language of the newest article in it.
fn a_feed_names_its_section_in_the_readers_language(app: &TestApp) {
    app.post(
        "/v1/sections",
        json!({"name": "Entrevue", "language": "fr", "translations": {"en": {"name": "Interview"}}}),
    )
    .expect(201);
    common::published(
        app,
        "une",
        "2024-11-27T09:00:00Z",
        json!({"section": "entrevue", "language": "fr"}),
    );
    common::published(
        app,
        "one",
        "2024-11-28T09:00:00Z",
        json!({"section": "entrevue", "language": "en"}),
    );
    for (query, title) in [
        ("section=entrevue", "news.example — Entrevue"),
        ("section=entrevue&locale=en", "news.example — Interview"),
        ("section=entrevue&locale=fr", "news.example — Entrevue"),
    ] {
        let feed = app
            .get(&format!("/v1/feeds/articles.atom?{query}"))
            .expect(200);
        assert_eq!(read_feed("atom", &feed.text)["title"], title, "{query}");
    }
}

on_both_backends!(
    a_feed_names_its_section_in_the_readers_language,
    feeds_show_the_newest_public_articles_byte_exact,
    lists_advertise_their_feeds,
    no_article_breaks_the_xml,
);

#[test]
fn without_a_site_address_feeds_say_what_to_set() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| settings.site.url = None);
    common::published(&app, "un", "2024-11-27T09:00:00Z", json!({}));
    for (kind, _, _) in FORMATS {
        let problem = app
            .get(&format!("/v1/feeds/articles.{kind}"))
            .expect(404)
            .json();
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("FOLIO_SITE_URL"), "{detail}");
    }
    // Articles have no address then, and lists point to no feed.
    let article = app.get("/v1/articles/un").expect(200).json();
    assert_eq!(article["url"], Value::Null);
    let list = app.get("/v1/articles").expect(200);
    assert!(list.header("link").is_none_or(|l| !l.contains("feeds")));
}

#[test]
fn permalinks_follow_the_template_in_the_site_zone() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.site = Site {
            url: Some("https://news.example/fr".into()),
            permalink: PermalinkTemplate::parse("/{year}/{month}/{day}/{slug}/")
                .expect("a template"),
            zone: chrono_tz::Europe::Paris,
            ..Site::default()
        };
    });
    // 23:30 UTC on the 26th is the 27th in Paris.
    common::published(&app, "tard-le-soir", "2024-11-26T23:30:00Z", json!({}));
    let article = app.get("/v1/articles/tard-le-soir").expect(200).json();
    assert_eq!(
        article["url"],
        "https://news.example/fr/2024/11/27/tard-le-soir/"
    );
    let list = app.get("/v1/articles?fields=slug,url").expect(200).json();
    assert_eq!(list["data"][0]["url"], article["url"]);
}
