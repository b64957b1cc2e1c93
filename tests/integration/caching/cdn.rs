//! Purges sent to Fastly's and Cloudflare's APIs (a local recorder stands in for
//! them): the right keys, credentials and batch sizes, retried after failures,
//! and sent once when several nodes share a database.

use std::time::{Duration, Instant};

use folio::caching::purge::{PurgeTargets, Target};
use folio::config::ServerSettings;
use serde_json::{json, Value};

use super::recorder::{Recorded, Recorder};
use crate::common::{published, TestApp, TestDb};

fn cdn_targets(recorder_base: String) -> impl FnOnce(&mut ServerSettings) + Send + 'static {
    split_cdn_targets(recorder_base.clone(), recorder_base)
}

/// Fastly's API at one address, Cloudflare's at another.
fn split_cdn_targets(
    fastly_base: String,
    cloudflare_base: String,
) -> impl FnOnce(&mut ServerSettings) + Send + 'static {
    move |settings| {
        settings.purge_targets = PurgeTargets(vec![
            Target::Fastly {
                api: fastly_base,
                service_id: "svc123".into(),
                token: "fastly-secret".into(),
            },
            Target::Cloudflare {
                api: cloudflare_base,
                zone_id: "zone456".into(),
                token: "cloudflare-secret".into(),
            },
        ]);
    }
}

/// The keys each purge request named, per service.
fn fastly_purges(received: &[Recorded]) -> Vec<Vec<String>> {
    received
        .iter()
        .filter(|r| r.path == "/service/svc123/purge")
        .map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.header("fastly-key"), Some("fastly-secret"));
            let keys: Vec<String> = r
                .header("surrogate-key")
                .unwrap_or_default()
                .split(' ')
                .map(str::to_owned)
                .collect();
            assert!(keys.len() <= 256, "Fastly takes 256 keys a request");
            keys
        })
        .collect()
}

fn cloudflare_purges(received: &[Recorded]) -> Vec<Vec<String>> {
    received
        .iter()
        .filter(|r| r.path == "/client/v4/zones/zone456/purge_cache")
        .map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.header("authorization"), Some("Bearer cloudflare-secret"));
            let body: Value = serde_json::from_str(&r.body).expect("a JSON body");
            let tags: Vec<String> = body["tags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| t.as_str().expect("a tag").to_owned())
                .collect();
            assert!(tags.len() <= 30, "Cloudflare takes 30 tags a request");
            tags
        })
        .collect()
}

/// The key of the article at `slug`, as its page names it.
fn article_key(app: &TestApp, slug: &str) -> String {
    app.get(&format!("/v1/articles/{slug}"))
        .expect(200)
        .header("surrogate-key")
        .expect("keys")
}

fn wait_for(what: &str, within: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn purges_reach_fastly_and_cloudflare(app: &TestApp, recorder: &Recorder) {
    app.post("/v1/sections", json!({"name": "Monde", "slug": "monde"}))
        .expect(201);
    // The recorder fails the first requests: the write does not wait for them.
    let started = Instant::now();
    published(
        app,
        "kazakhstan",
        "2024-11-27T08:00:00Z",
        json!({"section": "monde"}),
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a write never waits for a purge"
    );
    let key = article_key(app, "kazakhstan");
    let purged =
        |purges: &[Vec<String>], key: &str| purges.iter().any(|keys| keys.iter().any(|k| k == key));
    wait_for(
        &format!("purges of {key} after failures"),
        Duration::from_secs(10),
        || {
            let received = recorder.received();
            purged(&fastly_purges(&received), &key) && purged(&cloudflare_purges(&received), &key)
        },
    );
    let received = recorder.received();
    for purges in [fastly_purges(&received), cloudflare_purges(&received)] {
        for key in ["articles-section-monde", "articles", "section-monde"] {
            assert!(purged(&purges, key), "{key} not in {purges:?}");
        }
    }

    // An asset's file is kept by CDNs for good (immutable): deleting the asset
    // purges it, its copies and its record.
    let photo = crate::assets::uploaded(app, crate::assets::jpeg(64, 48), "image/jpeg", "?alt=x");
    let id = photo["id"].as_str().expect("an id");
    let file = app.get(&format!("/v1/assets/{id}/file"));
    let asset_key = format!("asset-{id}");
    assert_eq!(file.header("surrogate-key"), Some(asset_key.clone()));
    let copy = app.get(&format!("/v1/assets/{id}/thumb"));
    assert_eq!(copy.header("surrogate-key"), Some(asset_key.clone()));
    app.delete(&format!("/v1/assets/{id}")).expect(204);
    wait_for(
        &format!("purges of {asset_key}"),
        Duration::from_secs(10),
        || {
            let received = recorder.received();
            purged(&fastly_purges(&received), &asset_key)
                && purged(&cloudflare_purges(&received), &asset_key)
        },
    );
}

#[test]
fn sqlite_purges_reach_fastly_and_cloudflare() {
    let recorder = Recorder::start(3);
    let app = TestApp::spawn_with(TestDb::sqlite(), cdn_targets(recorder.base.clone()));
    purges_reach_fastly_and_cloudflare(&app, &recorder);
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_purges_reach_fastly_and_cloudflare() {
    let recorder = Recorder::start(3);
    let db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let app = TestApp::spawn_with(db, cdn_targets(recorder.base.clone()));
    purges_reach_fastly_and_cloudflare(&app, &recorder);
}

/// Two nodes over one PostgreSQL database: each change's keys are sent once.
#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn two_nodes_purge_each_change_once() {
    let recorder = Recorder::start(0);
    let db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let first = TestApp::spawn_with(db, cdn_targets(recorder.base.clone()));
    let second = first.another_node_with(cdn_targets(recorder.base.clone()));
    let mut keys = Vec::new();
    for n in 0..12 {
        let node = if n % 2 == 0 { &first } else { &second };
        let slug = format!("article-{n}");
        published(node, &slug, "2024-11-27T08:00:00Z", json!({}));
        keys.push(article_key(node, &slug));
        std::thread::sleep(Duration::from_millis(150));
    }
    let sent = |key: &str| {
        fastly_purges(&recorder.received())
            .iter()
            .filter(|keys| keys.iter().any(|k| k == key))
            .count()
    };
    wait_for("every article purged", Duration::from_secs(10), || {
        keys.iter().all(|key| sent(key) > 0)
    });
    // Give a second sender time to show itself.
    std::thread::sleep(Duration::from_secs(1));
    for key in &keys {
        assert_eq!(sent(key), 1, "{key} purged once");
    }
}

/// A target that keeps failing holds back no other: each keeps its own place in
/// the change log, and the failing one catches up once it answers again.
#[test]
fn a_failing_target_does_not_hold_back_the_others() {
    let down = Recorder::start(3);
    let up = Recorder::start(0);
    let app = TestApp::spawn_with(
        TestDb::sqlite(),
        split_cdn_targets(down.base.clone(), up.base.clone()),
    );
    let mut keys = Vec::new();
    for n in 0..3 {
        let slug = format!("depeche-{n}");
        published(&app, &slug, "2024-11-27T08:00:00Z", json!({}));
        keys.push(article_key(&app, &slug));
        let key = keys[n].clone();
        wait_for(
            "Cloudflare purged while Fastly fails",
            Duration::from_secs(2),
            || {
                cloudflare_purges(&up.received())
                    .iter()
                    .any(|tags| tags.contains(&key))
            },
        );
    }
    // Fastly was tried meanwhile (and failed), starting with the first change.
    let tried = fastly_purges(&down.received());
    assert!(
        tried.first().is_some_and(|first| first.contains(&keys[0])),
        "Fastly was tried meanwhile: {tried:?}"
    );
    // After its three failures (retried after 1 s, 2 s, 5 s) it catches up on every change.
    wait_for("Fastly caught up", Duration::from_secs(30), || {
        let received = fastly_purges(&down.received());
        keys.iter()
            .all(|key| received.iter().skip(3).any(|keys| keys.contains(key)))
    });
}
