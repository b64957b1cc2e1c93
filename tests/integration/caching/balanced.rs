//! Two Folio nodes over one PostgreSQL database behind a real balancer: Varnish
//! with the shipped VCL, whose round-robin director sends requests to the nodes in
//! turn. Writes through it are read back through it, a sync follows its pages
//! across both nodes, webhooks and a scheduled go-live happen once, and purges
//! reach the cache.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use folio::caching::purge::{PurgeTargets, Target};
use folio::config::ServerSettings;
use reqwest::Method;
use serde_json::{json, Value};

use super::varnish::Varnish;
use super::{fresh_within, in_cache};
use crate::common::{free_port, slugs, urlencode, TestApp, TestDb};
use crate::webhooks::receiver::Receiver;
use crate::webhooks::{changes_after, latest_change, subscribe};

fn port_of(app: &TestApp) -> u16 {
    app.base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port")
}

/// Purges go to the Varnish on `port`; only purges can make its copies fresh.
fn purging(port: u16) -> impl Fn(&mut ServerSettings) + Clone + Send + 'static {
    move |settings| {
        settings.caching.shared_max_age = Duration::from_secs(86_400);
        settings.purge_targets = PurgeTargets(vec![Target::Varnish {
            url: format!("http://127.0.0.1:{port}/"),
        }]);
    }
}

/// Every item of an initial public sync in pages of `per_page`, each page asked
/// through the balancer (so of the other node than the page before), and the
/// sync token it ends with.
fn sync_through(cache: &Varnish, per_page: u32) -> (Vec<String>, String) {
    let mut path = format!("/v1/sync?initial=true&type=article&per_page={per_page}");
    let mut ids = Vec::new();
    loop {
        let (status, page) = cache.send(Method::GET, &path, None, None);
        assert_eq!(status, 200, "{path}: {page}");
        for item in page["data"].as_array().expect("data") {
            ids.push(item["id"].as_str().expect("id").to_owned());
        }
        match page["next_page_token"].as_str() {
            Some(next) => {
                path = format!(
                    "/v1/sync?page_token={}&per_page={per_page}",
                    urlencode(next)
                )
            }
            None => {
                let token = page["next_sync_token"].as_str().expect("a sync token");
                return (ids, token.to_owned());
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(all(folio_postgres_tests, folio_part_varnishd)),
    ignore = "needs FOLIO_TEST_POSTGRES_URL and varnishd (apt-get install varnish varnish-modules)"
)]
fn two_nodes_behind_a_balancer() {
    let test_db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let varnish_port = free_port();
    let first = TestApp::spawn_with(test_db, purging(varnish_port));
    let second = first.another_node_with(purging(varnish_port));
    let cache = Varnish::balancing(varnish_port, &[port_of(&first), port_of(&second)]);
    let receiver = Receiver::start();
    let before = latest_change(&first);
    subscribe(&first, &receiver, "/nodes", json!({}));
    let token = first.write_token.clone();
    let write = |method: Method, path: &str, body: Value| {
        let (status, answer) = cache.send(method, path, Some(&token), Some(&body));
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        answer
    };

    // Writes through the balancer land on both nodes in turn; each is read back
    // through it, by the writer at once and by the public, from either node.
    for n in 0..4 {
        write(
            Method::POST,
            "/v1/tags",
            json!({"name": format!("Sujet {n}")}),
        );
        let path = format!("/v1/tags/sujet-{n}");
        for _ in 0..2 {
            let (status, _) = cache.send(Method::GET, &path, Some(&token), None);
            assert_eq!(status, 200, "{path} read back by its writer");
        }
        first.get(&path).expect(200);
        second.get(&path).expect(200);
    }
    for n in 0..5 {
        write(
            Method::POST,
            "/v1/articles",
            json!({"title": format!("Dépêche {n}"), "body": "x", "tags": ["sujet-0"],
                "status": "published", "published_at": format!("2024-11-2{n}T09:00:00Z")}),
        );
    }

    // A sync in pages of two, alternating nodes, gets each article once; its
    // token carries on from either node.
    let (ids, sync_token) = sync_through(&cache, 2);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (5, 5), "{ids:?}");
    for node in [&first, &second] {
        let page = node
            .get(&format!("/v1/sync?sync_token={}", urlencode(&sync_token)))
            .expect(200)
            .json();
        assert_eq!(page["data"], json!([]), "nothing new since the token");
    }

    // A cached list is fresh within a second of a publication through the balancer.
    let list = "/v1/articles?tag=sujet-0";
    std::thread::sleep(Duration::from_millis(800));
    in_cache(&cache, list);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    write(
        Method::POST,
        "/v1/articles",
        json!({"title": "Alerte", "slug": "alerte", "body": "x", "tags": ["sujet-0"],
            "status": "published", "published_at": now}),
    );
    fresh_within(&cache, list, Duration::from_secs(1), |body| {
        slugs(body).contains(&"alerte".to_owned())
    });

    // A scheduled article goes live once, though both nodes run the scheduler,
    // and reaches the cached list with no request to Folio in between.
    let at = Utc::now() + chrono::Duration::seconds(2);
    let scheduled = write(
        Method::POST,
        "/v1/articles",
        json!({"title": "Programmé", "slug": "programme", "body": "x", "tags": ["sujet-0"],
            "status": "published", "published_at": at.to_rfc3339_opts(SecondsFormat::Secs, true)}),
    );
    let id = scheduled["id"].as_str().expect("id").to_owned();
    in_cache(&cache, list);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = cache.get(list);
        if slugs(&body).contains(&"programme".to_owned()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the scheduled article never reached the cache"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let logged = changes_after(&first, before);
    let live = logged
        .iter()
        .filter(|(_, event, public_id)| event == "article.published" && *public_id == id)
        .count();
    assert_eq!(live, 1, "the go-live was announced once: {logged:?}");

    // Every change reached the webhook receiver once, whichever node made it.
    let expected: BTreeSet<String> = logged.into_iter().map(|(message, _, _)| message).collect();
    receiver.wait_for("/nodes", &expected, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(1));
    for (key, attempts) in receiver.received()["attempts"]
        .as_object()
        .expect("attempts")
    {
        assert_eq!(attempts, 1, "{key} was sent {attempts} times");
    }
}
