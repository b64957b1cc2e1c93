//! The in-process response cache: hot public reads without the database, never a
//! token holder's answer to the public, fresh at once for the node that wrote and
//! within a bounded lag for the others.

use std::time::{Duration, Instant};

use folio::config::ServerSettings;
use serde_json::json;

use crate::common::{published, slugs, TestApp, TestDb};

fn with_cache(settings: &mut ServerSettings) {
    settings.caching.response_cache_mb = 16;
}

fn status(response: &crate::common::Response) -> String {
    response.header("cache-status").unwrap_or_default()
}

fn hot_reads_come_from_the_cache(app: &TestApp, other: &TestApp) {
    published(app, "alliance", "2024-11-27T08:00:00Z", json!({}));
    app.article(json!({"title": "Brouillon", "slug": "brouillon", "body": "x"}));
    let list = "/v1/articles?per_page=5";
    // A token holder's read is never kept, nor served to anyone else.
    let preview = app.preview(list).expect(200);
    assert!(slugs(&preview.json()).contains(&"brouillon".to_owned()));
    assert_eq!(status(&preview), "");
    let first = app.get(list).expect(200);
    assert_eq!(status(&first), "folio; fwd=miss; stored");
    assert_eq!(slugs(&first.json()), ["alliance"]);
    let second = app.get(list).expect(200);
    assert_eq!(status(&second), "folio; hit");
    assert_eq!(second.text, first.text);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(
        second.header("surrogate-key"),
        first.header("surrogate-key")
    );
    // Revalidation is answered from the cache too.
    let etag = first.header("etag").expect("ETag");
    let revalidated = app.client_get_with(list, &[("if-none-match", &etag)]);
    assert_eq!(revalidated.status, 304);
    assert_eq!(status(&revalidated), "folio; hit");
    assert!(app
        .preview(list)
        .expect(200)
        .header("cache-status")
        .is_none());

    // The node that wrote reads its write at once.
    published(app, "centrale", "2024-11-28T08:00:00Z", json!({}));
    let after_write = app.get(list).expect(200);
    assert_eq!(slugs(&after_write.json()), ["centrale", "alliance"]);

    // Another node sees a change within its follow interval. Once it has caught up
    // with the write above, it keeps the list and serves it from its cache.
    let deadline = Instant::now() + Duration::from_secs(2);
    while status(&other.get(list).expect(200)) != "folio; hit" {
        assert!(
            Instant::now() < deadline,
            "the other node never kept the list"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    published(app, "gazoduc", "2024-11-29T08:00:00Z", json!({}));
    loop {
        let seen = other.get(list).expect(200);
        if slugs(&seen.json()).first().map(String::as_str) == Some("gazoduc") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "another node still served the old list after {:?}",
            started.elapsed()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "another node's cache caught up after {:?}",
        started.elapsed()
    );
}

#[test]
fn sqlite_hot_reads_come_from_the_cache() {
    let app = TestApp::spawn_with(TestDb::sqlite(), with_cache);
    let other = app.another_node_with(with_cache);
    hot_reads_come_from_the_cache(&app, &other);
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_hot_reads_come_from_the_cache() {
    let db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let app = TestApp::spawn_with(db, with_cache);
    let other = app.another_node_with(with_cache);
    hot_reads_come_from_the_cache(&app, &other);
}
