//! Sitemaps read by a crawler's parser (`tests/feeds/read_sitemap.py`).

use std::collections::BTreeSet;
use std::io::Read;
use std::process::Command;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::common::{self, TestApp, TestDb};

/// What a crawler finds from `/sitemap.xml`.
pub(crate) fn crawl(app: &TestApp) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/feeds/read_sitemap.py");
    let output = Command::new("python3")
        .args([script, &format!("{}/sitemap.xml", app.base)])
        .output()
        .expect("python3 with the ultimate-sitemap-parser package");
    assert!(
        output.status.success(),
        "the sitemaps were refused: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the reader's JSON")
}

fn pages_of<'a>(crawled: &'a Value, name: &str) -> Vec<&'a Value> {
    crawled["sitemaps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["url"].as_str().is_some_and(|u| u.contains(name)))
        .flat_map(|s| s["pages"].as_array().into_iter().flatten())
        .collect()
}

fn in_a_while(seconds: i64) -> String {
    (Utc::now() + chrono::TimeDelta::seconds(seconds)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

const RECENT_TITLE: &str = "Nucléaire\u{a0}: « cœur » & âme d’un <projet>";

fn sitemaps_list_every_public_article(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Entrevue"}))
        .expect(201);
    for (n, day) in ["20", "21", "22", "23", "24"].iter().enumerate() {
        common::published(
            app,
            &format!("ancien-{n}"),
            &format!("2024-11-{day}T09:00:00Z"),
            json!({"section": "entrevue"}),
        );
    }
    app.article(
        json!({"title": RECENT_TITLE, "slug": "recent", "body": "x", "language": "fr-CA",
        "status": "published", "published_at": in_a_while(-3600)}),
    );
    app.article(json!({"title": "Brouillon", "slug": "brouillon", "body": "x"}));
    app.article(json!({"title": "Bientôt", "slug": "bientot", "body": "x",
        "status": "published", "published_at": in_a_while(3)}));
    let public: BTreeSet<String> = (0..5)
        .map(|n| format!("https://news.example/entrevue/ancien-{n}"))
        .chain(["https://news.example/recent".to_owned()])
        .collect();

    let crawled = crawl(app);
    // Six public articles, two to a shard: three shards and the news sitemap.
    assert_eq!(
        crawled["sitemaps"].as_array().map(Vec::len),
        Some(4),
        "{crawled}"
    );
    let listed: Vec<&str> = pages_of(&crawled, "/sitemaps/articles-")
        .iter()
        .filter_map(|p| p["url"].as_str())
        .collect();
    assert_eq!(
        listed.len(),
        public.len(),
        "each public article once: {listed:?}"
    );
    assert_eq!(
        listed
            .iter()
            .map(|u| u.to_string())
            .collect::<BTreeSet<_>>(),
        public
    );
    assert!(pages_of(&crawled, "/sitemaps/articles-")
        .iter()
        .all(|p| p["lastmod"].is_string()));

    let news = pages_of(&crawled, "/sitemaps/news.xml");
    assert_eq!(news.len(), 1, "only the last 48 hours: {news:?}");
    assert_eq!(news[0]["url"], "https://news.example/recent");
    assert_eq!(news[0]["news"]["title"], RECENT_TITLE);
    assert_eq!(news[0]["news"]["name"], "news.example");
    assert_eq!(news[0]["news"]["language"], "fr");

    app.get("/sitemaps/articles-4.xml").expect(404);
    app.get("/sitemaps/articles-0.xml").expect(404);

    // Compressed when asked, the same document.
    let plain = app.get("/sitemaps/articles-1.xml").expect(200);
    let zipped = reqwest::blocking::Client::new()
        .get(format!("{}/sitemaps/articles-1.xml", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .expect("request sent");
    assert_eq!(
        zipped
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let zipped = zipped.bytes().expect("body");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(zipped.as_ref())
        .read_to_string(&mut unzipped)
        .expect("gzip");
    assert_eq!(unzipped, plain.text);

    // Revalidated by date, though streamed.
    std::thread::sleep(Duration::from_millis(1100));
    let shard = app.get("/sitemaps/articles-1.xml").expect(200);
    let since = shard.header("last-modified").expect("Last-Modified");
    app.client_get_with("/sitemaps/articles-1.xml", &[("if-modified-since", &since)])
        .expect(304);

    // The scheduled article is listed once it is public, with no write in between.
    std::thread::sleep(Duration::from_secs(3));
    let crawled = crawl(app);
    let listed: BTreeSet<&str> = pages_of(&crawled, "/sitemaps/articles-")
        .iter()
        .filter_map(|p| p["url"].as_str())
        .collect();
    assert!(
        listed.contains("https://news.example/bientot"),
        "{listed:?}"
    );
    assert_eq!(listed.len(), public.len() + 1);
}

fn two_to_a_shard(db: TestDb) -> TestApp {
    TestApp::spawn_with(db, |settings| settings.site.sitemap_urls = 2)
}

#[test]
fn sqlite_sitemaps_list_every_public_article() {
    sitemaps_list_every_public_article(&two_to_a_shard(TestDb::sqlite()));
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_sitemaps_list_every_public_article() {
    let db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set when this test is built");
    sitemaps_list_every_public_article(&two_to_a_shard(db));
}

#[test]
fn without_a_site_address_sitemaps_say_what_to_set() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| settings.site.url = None);
    for path in [
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
        "/sitemaps/news.xml",
    ] {
        let problem = app.get(path).expect(404).json();
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("FOLIO_SITE_URL")),
            "{problem}"
        );
    }
}
