//! HTTP caching: `Cache-Control` by class, `Vary`, surrogate keys, and purges
//! that reach a real Varnish the moment a change is committed.

mod balanced;
mod cdn;
mod in_process;
mod recorder;
mod varnish;

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use folio::caching::purge::{PurgeTargets, Target};
use serde_json::{json, Value};

use crate::common::{published, slugs, TestApp, TestDb};
use varnish::Varnish;

fn keys(response: &crate::common::Response) -> Vec<String> {
    response
        .header("surrogate-key")
        .unwrap_or_default()
        .split(' ')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

fn each_response_says_who_may_keep_it(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde", "slug": "monde"}))
        .expect(201);
    published(
        app,
        "a1",
        "2024-11-27T08:00:00Z",
        json!({"section": "monde"}),
    );

    let list = app.get("/v1/articles?section=monde").expect(200);
    let control = list.header("cache-control").expect("Cache-Control");
    assert!(control.starts_with("public, max-age="), "{control}");
    assert!(control.contains("stale-if-error="), "{control}");
    let vary = list.vary();
    assert!(
        vary.contains("authorization") && vary.contains("accept-encoding"),
        "{vary}"
    );
    let list_keys = keys(&list);
    assert!(
        list_keys.contains(&"articles-section-monde".to_owned()),
        "{list_keys:?}"
    );
    assert!(
        list_keys.iter().any(|k| k.starts_with("article-")),
        "{list_keys:?}"
    );
    assert_eq!(
        list.header("cache-tag").unwrap_or_default(),
        list_keys.join(","),
        "Cache-Tag names the same keys"
    );

    let article = app.get("/v1/articles/a1").expect(200);
    assert_eq!(
        keys(&article).len(),
        1,
        "the article's page depends on the article"
    );
    // A revalidation keeps the caching headers.
    let etag = article.header("etag").expect("ETag");
    let not_modified = app.client_get_with("/v1/articles/a1", &[("if-none-match", &etag)]);
    assert_eq!(not_modified.status, 304);
    assert_eq!(
        not_modified.header("cache-control"),
        article.header("cache-control")
    );

    // A token's reads are private; writes and errors are not kept for long.
    let preview = app.preview("/v1/articles?section=monde").expect(200);
    assert_eq!(
        preview.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert_eq!(preview.header("surrogate-key"), None);
    let created = app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    assert_eq!(created.header("cache-control").as_deref(), Some("no-store"));
    let missing = app.get("/v1/articles/nowhere").expect(404);
    let control = missing.header("cache-control").unwrap_or_default();
    assert!(control.contains("max-age=10"), "{control}");
    assert_eq!(missing.header("surrogate-key"), None);
    let health = app.get("/health").expect(200);
    assert_eq!(health.header("cache-control").as_deref(), Some("no-store"));
    let tags = app.get("/v1/tags").expect(200);
    assert!(keys(&tags).contains(&"tags".to_owned()));
}

/// `Last-Modified` names the last change of what a response shows, once its second
/// is over; `If-Modified-Since` gets a `304` only while nothing changed since.
fn if_modified_since_follows_the_change_log(app: &TestApp) {
    published(app, "a1", "2024-11-27T08:00:00Z", json!({}));
    published(app, "a2", "2024-11-27T09:00:00Z", json!({}));
    std::thread::sleep(Duration::from_millis(1100));
    for path in ["/v1/articles/a1", "/v1/articles", "/v1/archive", "/v1/tags"] {
        let first = app.get(path).expect(200);
        let modified = first.header("last-modified").expect("Last-Modified");
        let again = app.client_get_with(path, &[("if-modified-since", &modified)]);
        assert_eq!(again.status, 304, "{path} unchanged since {modified}");
        let older = "Tue, 26 Nov 2024 08:00:00 GMT";
        let stale = app.client_get_with(path, &[("if-modified-since", older)]);
        assert_eq!(stale.status, 200, "{path} changed since {older}");
    }
    let article = app.get("/v1/articles/a1").expect(200);
    let list = app.get("/v1/articles").expect(200);
    // Another article's edit changes the list, not a1.
    app.patch("/v1/articles/a2", json!({"title": "Deux"}))
        .expect(200);
    let article_since = article.header("last-modified").expect("Last-Modified");
    let list_since = list.header("last-modified").expect("Last-Modified");
    let unchanged =
        app.client_get_with("/v1/articles/a1", &[("if-modified-since", &article_since)]);
    assert_eq!(unchanged.status, 304);
    // Within the second of a change, no Last-Modified can be trusted: none is sent.
    let fresh = app.client_get_with("/v1/articles", &[("if-modified-since", &list_since)]);
    assert_eq!(fresh.status, 200, "the list changed");
    // With If-None-Match, If-Modified-Since is not looked at.
    let both = app.client_get_with(
        "/v1/articles/a1",
        &[
            ("if-modified-since", &article_since),
            ("if-none-match", "\"other\""),
        ],
    );
    assert_eq!(both.status, 200);
}

on_both_backends!(
    each_response_says_who_may_keep_it,
    if_modified_since_follows_the_change_log
);

/// Polls `path` through Varnish until `done` holds, for at most `within`.
pub(super) fn fresh_within(
    cache: &Varnish,
    path: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (_, body) = cache.get(path);
        if done(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} still stale after {within:?}: {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(super) fn in_cache(cache: &Varnish, path: &str) -> Value {
    let (_, body) = cache.get(path);
    let (hit, again) = cache.get(path);
    assert!(hit, "{path} is served from the cache the second time");
    assert_eq!(body, again);
    again
}

fn purges_reach_varnish(test_db: TestDb) {
    let port = crate::common::free_port();
    let app = TestApp::spawn_with(test_db, move |settings| {
        // Only purges, never expiry, can make these reads fresh.
        settings.caching.shared_max_age = Duration::from_secs(86_400);
        settings.purge_targets = PurgeTargets(vec![Target::Varnish {
            url: format!("http://127.0.0.1:{port}/"),
        }]);
    });
    let backend_port: u16 = app
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let cache = Varnish::start(port, backend_port);
    for (name, slug) in [("Monde", "monde"), ("Sport", "sport")] {
        app.post("/v1/sections", json!({"name": name, "slug": slug}))
            .expect(201);
    }
    published(
        &app,
        "kazakhstan",
        "2024-11-27T08:00:00Z",
        json!({"section": "monde"}),
    );
    published(
        &app,
        "finale",
        "2024-11-27T09:00:00Z",
        json!({"section": "sport"}),
    );
    let monde = "/v1/articles?section=monde";
    // The creations above may still be purging: wait until the list has settled.
    std::thread::sleep(Duration::from_millis(800));
    in_cache(&cache, monde);
    in_cache(&cache, "/v1/articles/kazakhstan");

    // An edit in another section leaves the list cached.
    app.patch("/v1/articles/finale", json!({"title": "La finale"}))
        .expect(200);
    std::thread::sleep(Duration::from_millis(1000));
    let (hit, _) = cache.get(monde);
    assert!(hit, "an edit in another section does not purge the list");

    // Publishing into the section: the next read is fresh within a second.
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    published(&app, "alliance", &now, json!({"section": "monde"}));
    let list = fresh_within(&cache, monde, Duration::from_secs(1), |body| {
        slugs(body).contains(&"alliance".to_owned())
    });
    assert_eq!(slugs(&list)[0], "alliance");

    // An edit of the article purges its page and the lists that show it.
    app.patch(
        "/v1/articles/kazakhstan",
        json!({"standfirst": "Une alliance stratégique"}),
    )
    .expect(200);
    fresh_within(
        &cache,
        "/v1/articles/kazakhstan",
        Duration::from_secs(1),
        |body| body["standfirst"] == "Une alliance stratégique",
    );

    // A scheduled article goes live with no request reaching Folio in between:
    // the scheduler's change purges the list.
    let at = Utc::now() + chrono::Duration::seconds(2);
    published(
        &app,
        "programmee",
        &at.to_rfc3339_opts(SecondsFormat::Secs, true),
        json!({"section": "monde"}),
    );
    std::thread::sleep(Duration::from_millis(600));
    let before = in_cache(&cache, monde);
    assert!(!slugs(&before).contains(&"programmee".to_owned()));
    let wait = (at - Utc::now()).to_std().unwrap_or_default();
    std::thread::sleep(wait);
    fresh_within(&cache, monde, Duration::from_secs(3), |body| {
        slugs(body).contains(&"programmee".to_owned())
    });
}

/// A client that read through the shipped VCL and writes to the origin with the
/// ETag it got succeeds: Varnish gunzips for a client that does not take gzip and
/// so weakens the tag, which still names the version it read.
fn edits_after_reads_through_varnish(test_db: TestDb) {
    let port = crate::common::free_port();
    let app = TestApp::spawn(test_db);
    let backend_port: u16 = app
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let cache = Varnish::start(port, backend_port);
    published(&app, "kazakhstan", "2024-11-27T08:00:00Z", json!({}));
    let path = "/v1/articles/kazakhstan";
    cache.etag(path);
    let etag = cache.etag(path);
    assert!(
        etag.starts_with("W/\"v"),
        "Varnish weakens the version tag when it gunzips: {etag}"
    );
    let token = app.write_token.clone();
    let edit = |tag: &str, title: &str| {
        app.request_with(
            reqwest::Method::PATCH,
            path,
            Some(&token),
            Some(&json!({"title": title})),
            &[("if-match", tag)],
        )
    };
    edit(&etag, "Une alliance").expect(200);
    // The same tag now names a version that is gone.
    let stale = edit(&etag, "Une autre alliance").expect(412);
    assert_eq!(stale.json()["type"], "/problems/precondition-failed");
}

#[test]
#[cfg_attr(
    not(folio_part_varnishd),
    ignore = "varnishd is not installed (apt-get install varnish varnish-modules)"
)]
fn sqlite_edits_after_reads_through_varnish() {
    edits_after_reads_through_varnish(TestDb::sqlite());
}

#[test]
#[cfg_attr(
    not(all(folio_postgres_tests, folio_part_varnishd)),
    ignore = "needs FOLIO_TEST_POSTGRES_URL and varnishd (apt-get install varnish varnish-modules)"
)]
fn postgres_edits_after_reads_through_varnish() {
    edits_after_reads_through_varnish(TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set"));
}

#[test]
#[cfg_attr(
    not(folio_part_varnishd),
    ignore = "varnishd is not installed (apt-get install varnish varnish-modules)"
)]
fn sqlite_purges_reach_varnish() {
    purges_reach_varnish(TestDb::sqlite());
}

#[test]
#[cfg_attr(
    not(all(folio_postgres_tests, folio_part_varnishd)),
    ignore = "needs FOLIO_TEST_POSTGRES_URL and varnishd (apt-get install varnish varnish-modules)"
)]
fn postgres_purges_reach_varnish() {
    purges_reach_varnish(TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set"));
}
