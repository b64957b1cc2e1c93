//! `/v1/webhooks`: messages reach a real receiver that verifies each signature with
//! the Standard Webhooks reference library (`tests/webhooks/receiver.py`), at least
//! once, in order per resource, after retries, after a crash, once across nodes.

use std::collections::{BTreeMap, BTreeSet};
use std::thread;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{TestApp, TestDb};

pub mod receiver;

use crate::outage::Server;
use folio::auth::{generate_token, Scope};
use folio::db::tokens;
use receiver::Receiver;

fn admin(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> crate::common::Response {
    app.request(method, path, Some(&app.admin_token), body.as_ref())
}

/// Subscribes `path` of the receiver; returns the subscription's id.
pub fn subscribe(app: &TestApp, receiver: &Receiver, path: &str, extra: Value) -> i64 {
    let mut body = json!({"url": receiver.url(path), "events": ["*"]});
    body.as_object_mut()
        .expect("object")
        .extend(extra.as_object().expect("object").clone());
    let created = admin(app, Method::POST, "/v1/webhooks", Some(body))
        .expect(201)
        .json();
    let secret = created["secret"].as_str().expect("a secret");
    assert!(secret.starts_with("whsec_"));
    receiver.set_secret(path, secret);
    created["webhook"]["id"].as_i64().expect("id")
}

/// The content changes logged after `seq` (the log also keeps token and webhook
/// changes, for the audit log): message id, event type, public id.
pub fn changes_after(app: &TestApp, seq: i64) -> Vec<(String, String, String)> {
    let mut conn = app.db.get().expect("connection");
    folio::db::changes::after(&mut conn, seq, 10_000)
        .expect("the change log")
        .into_iter()
        .filter(|c| folio::db::changes::Resource::parse(&c.resource).is_some())
        .map(|c| {
            (
                format!("chg_{}", c.seq),
                format!("{}.{}", c.resource, c.action),
                c.public_id,
            )
        })
        .collect()
}

pub fn latest_change(app: &TestApp) -> i64 {
    let mut conn = app.db.get().expect("connection");
    folio::db::changes::latest(&mut conn).expect("the change log")
}

fn deliveries(app: &TestApp, id: i64) -> Vec<Value> {
    admin(
        app,
        Method::GET,
        &format!("/v1/webhooks/{id}/deliveries?per_page=100"),
        None,
    )
    .expect(200)
    .json()["data"]
        .as_array()
        .expect("data")
        .clone()
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < within, "{what}: not after {within:?}");
        thread::sleep(Duration::from_millis(200));
    }
}

/// Every kind of change reaches the receiver, signed, after two failed attempts
/// each, in order per resource; a filtered subscription gets only its own.
fn every_change_is_delivered_signed_and_in_order(app: &TestApp) {
    let receiver = Receiver::start();
    receiver.fail_first(2);
    let before = latest_change(app);
    let all = subscribe(app, &receiver, "/all", json!({}));
    subscribe(
        app,
        &receiver,
        "/monde-fr",
        json!({"events": ["article.published", "article.deleted"], "section": "monde", "language": "fr"}),
    );
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Sport"}))
        .expect(201);
    let article = app.article(json!({
        "title": "Poutine au Kazakhstan : une alliance stratégique", "body": "Le cœur du sujet.",
        "section": "monde", "language": "fr", "status": "published"
    }));
    let slug = article["slug"].as_str().expect("slug");
    for title in [
        "Poutine au Kazakhstan",
        "Poutine au Kazakhstan : l’alliance",
    ] {
        app.patch(&format!("/v1/articles/{slug}"), json!({"title": title}))
            .expect(200);
    }
    app.article(json!({"title": "Le derby", "body": "Score.", "section": "sport", "language": "fr", "status": "published"}));
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = app.article(
        json!({"title": "À paraître", "body": "Bientôt.", "section": "monde",
        "language": "fr", "status": "published", "published_at": soon}),
    );
    app.delete(&format!("/v1/articles/{slug}")).expect(204);
    // The scheduled article goes live: a change of its own, by the scheduler.
    wait_until(
        "the scheduled article is announced",
        Duration::from_secs(15),
        || {
            changes_after(app, before)
                .iter()
                .filter(|(_, event, _)| event == "article.published")
                .count()
                == 3
        },
    );

    let expected = changes_after(app, before);
    let ids: BTreeSet<String> = expected.iter().map(|(id, _, _)| id.clone()).collect();
    let accepted = receiver.wait_for("/all", &ids, Duration::from_secs(60));
    let received = receiver.received();
    assert_eq!(received["unverified"], 0, "every signature verifies");
    for message in &accepted {
        assert_eq!(
            message["attempt"], 3,
            "taken at the third attempt: {message}"
        );
        let payload = &message["payload"];
        let (id, event, _) = expected
            .iter()
            .find(|(id, _, _)| message["id"] == id.as_str())
            .expect("a message per change, none other");
        assert_eq!(payload["type"], event.as_str());
        assert_eq!(format!("chg_{}", payload["data"]["seq"]), *id);
        let kind = payload["data"]["type"].as_str().expect("type");
        if payload["data"]["deleted"] == true {
            assert!(payload["data"][kind].is_null());
        } else {
            assert!(
                payload["data"][kind].is_object(),
                "an upsert carries its {kind}"
            );
        }
    }
    assert_eq!(accepted.len(), ids.len(), "each message accepted once");
    // In order per resource: the sequence numbers of one resource only grow.
    let mut last_seen: BTreeMap<String, i64> = BTreeMap::new();
    for message in &accepted {
        let data = &message["payload"]["data"];
        let key = format!("{}:{}", data["type"], data["id"]);
        let seq = data["seq"].as_i64().expect("seq");
        if let Some(previous) = last_seen.insert(key.clone(), seq) {
            assert!(
                previous < seq,
                "{key}: change {seq} arrived after {previous}"
            );
        }
    }
    let deleted = accepted
        .iter()
        .find(|m| m["payload"]["type"] == "article.deleted")
        .expect("the deletion");
    assert_eq!(deleted["payload"]["data"]["slug"], slug);

    // The filtered subscription: the two publications in Monde (the scheduled one
    // once live) and the deletion; nothing from Sport, no edits.
    let in_monde = [&article["id"], &scheduled["id"]];
    let filtered: Vec<String> = expected
        .iter()
        .filter(|(_, event, public_id)| {
            ["article.published", "article.deleted"].contains(&event.as_str())
                && in_monde.iter().any(|id| *id == public_id)
        })
        .map(|(id, _, _)| id.clone())
        .collect();
    assert_eq!(filtered.len(), 3);
    let got = receiver.wait_for(
        "/monde-fr",
        &filtered.iter().cloned().collect(),
        Duration::from_secs(30),
    );
    assert_eq!(
        got.iter()
            .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
            .collect::<BTreeSet<_>>(),
        filtered.into_iter().collect::<BTreeSet<_>>()
    );

    // The log shows each attempt.
    let log = deliveries(app, all);
    assert_eq!(log.len(), ids.len());
    for delivery in &log {
        assert_eq!(delivery["state"], "delivered");
        let attempts = delivery["attempts"].as_array().expect("attempts");
        assert_eq!(attempts.len(), 3);
        assert_eq!(attempts[0]["status_code"], 500);
        assert_eq!(attempts[0]["error"], "the receiver answered 500");
        assert_eq!(attempts[2]["status_code"], 204);
        assert!(attempts[2]["error"].is_null());
    }
}

/// A subscription whose messages keep failing is turned off with the reason; a
/// retry and a ping go through once the receiver is back.
fn failing_subscriptions_are_disabled_then_resumed(app: &TestApp) {
    let receiver = Receiver::start();
    receiver.fail_first(1000);
    let id = subscribe(app, &receiver, "/down", json!({"events": ["tag.*"]}));
    let etag_before = admin(app, Method::GET, &format!("/v1/webhooks/{id}"), None)
        .header("etag")
        .expect("an ETag");
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    // Four attempts: the first and three retries a second apart (the tests' settings).
    wait_until(
        "the subscription is turned off",
        Duration::from_secs(30),
        || admin(app, Method::GET, &format!("/v1/webhooks/{id}"), None).json()["enabled"] == false,
    );
    let webhook = admin(app, Method::GET, &format!("/v1/webhooks/{id}"), None).json();
    let reason = webhook["disabled_reason"].as_str().expect("a reason");
    assert!(
        reason.contains("failed 4 times") && reason.contains("500"),
        "{reason}"
    );
    let log = deliveries(app, id);
    assert_eq!(log[0]["state"], "failed");
    assert_eq!(log[0]["attempts"].as_array().expect("attempts").len(), 4);

    // Changes made while it is off are not queued for it.
    app.post("/v1/tags", json!({"name": "Nucléaire"}))
        .expect(201);
    receiver.fail_first(0);
    let retried = admin(
        app,
        Method::POST,
        &format!("/v1/webhooks/{id}/deliveries/{}/retry", log[0]["id"]),
        None,
    )
    .expect(202)
    .json();
    assert_eq!(retried["state"], "pending");
    // Conditional, like every edit: an ETag from before Folio turned it off is stale.
    let path = format!("/v1/webhooks/{id}");
    let on = json!({"enabled": true});
    let stale = app
        .request_with(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&on),
            &[("If-Match", &etag_before)],
        )
        .expect(412);
    let current = stale.header("etag").expect("the current ETag");
    let turned_on = app
        .request_with(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&on),
            &[("If-Match", &current)],
        )
        .expect(200)
        .json();
    assert!(turned_on["disabled_reason"].is_null());
    let first: BTreeSet<String> = [log[0]["message_id"].as_str().expect("id").to_owned()].into();
    receiver.wait_for("/down", &first, Duration::from_secs(15));

    let ping = admin(app, Method::POST, &format!("/v1/webhooks/{id}/ping"), None)
        .expect(202)
        .json();
    assert_eq!(ping["event"], "webhook.ping");
    let ping_id: BTreeSet<String> = [ping["message_id"].as_str().expect("id").to_owned()].into();
    let accepted = receiver.wait_for("/down", &ping_id, Duration::from_secs(15));
    assert_eq!(
        accepted.len(),
        2,
        "the retried message and the ping, nothing else"
    );

    // A rotated secret: the old one still verifies for a while, the new one too.
    let rotated = admin(
        app,
        Method::POST,
        &format!("/v1/webhooks/{id}/secret"),
        None,
    )
    .expect(200)
    .json();
    receiver.set_secret("/down", rotated["secret"].as_str().expect("secret"));
    let ping = admin(app, Method::POST, &format!("/v1/webhooks/{id}/ping"), None)
        .expect(202)
        .json();
    let ping_id: BTreeSet<String> = [ping["message_id"].as_str().expect("id").to_owned()].into();
    receiver.wait_for("/down", &ping_id, Duration::from_secs(15));
    assert_eq!(receiver.received()["unverified"], 0);

    // `folio purge` trims settled messages past the retention; none is pending here.
    let mut conn = app.db.get().expect("connection");
    let later = folio::db::now() + chrono::Duration::seconds(1);
    let trimmed = folio::db::webhooks::trim(&mut conn, later).expect("trim");
    assert_eq!(trimmed, 3, "the retried message and two pings");
    assert!(deliveries(app, id).is_empty());

    admin(app, Method::DELETE, &format!("/v1/webhooks/{id}"), None).expect(204);
    admin(app, Method::GET, &format!("/v1/webhooks/{id}"), None).expect(404);
}

/// Two nodes over one database: each message is sent once, by one of them.
fn two_nodes_send_each_message_once(app: &TestApp) {
    let other = app.another_node();
    let receiver = Receiver::start();
    let before = latest_change(app);
    subscribe(app, &receiver, "/both", json!({}));
    for n in 0..20 {
        let node = if n % 2 == 0 { app } else { &other };
        node.post("/v1/tags", json!({"name": format!("Sujet {n}")}))
            .expect(201);
    }
    let ids: BTreeSet<String> = changes_after(app, before)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert_eq!(ids.len(), 20);
    receiver.wait_for("/both", &ids, Duration::from_secs(30));
    // Give a duplicate the time to arrive, if one were on its way.
    thread::sleep(Duration::from_secs(2));
    let received = receiver.received();
    assert_eq!(received["accepted"].as_array().expect("accepted").len(), 20);
    for (key, attempts) in received["attempts"].as_object().expect("attempts") {
        assert_eq!(attempts, 1, "{key} was sent {attempts} times");
    }
}

on_both_backends!(
    every_change_is_delivered_signed_and_in_order,
    failing_subscriptions_are_disabled_then_resumed,
    two_nodes_send_each_message_once
);

/// Bad subscriptions are refused with the field at fault; private addresses need
/// the allow-list; redirects are not followed; only `admin` tokens manage them.
#[test]
fn targets_are_checked() {
    let open = TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.webhooks.allowed_hosts = None;
    });
    for (url, why) in [
        ("http://127.0.0.1:9/hook", "public address"),
        ("http://169.254.169.254/latest/meta-data", "public address"),
        ("http://localhost:9/hook", "public host"),
        ("http://localhost.:9/hook", "public host"),
        ("http://foo.localhost/hook", "public host"),
        ("http://LOCALHOST/hook", "public host"),
        ("file:///etc/passwd", "http or https"),
        ("not-a-url", "absolute URL"),
        ("http://example.com/a b", "spaces"),
    ] {
        let res = admin(
            &open,
            Method::POST,
            "/v1/webhooks",
            Some(json!({"url": url, "events": ["*"]})),
        )
        .expect(422);
        assert!(res.text.contains(why), "{url}: {}", res.text);
    }
    let res = admin(
        &open,
        Method::POST,
        "/v1/webhooks",
        Some(json!({"url": "https://hooks.example.com/", "events": ["article.exploded"]})),
    )
    .expect(422);
    assert!(res.text.contains("events"), "{}", res.text);
    let body = json!({"url": "https://hooks.example.com/", "events": ["*"]});
    open.request(
        Method::POST,
        "/v1/webhooks",
        Some(&open.write_token),
        Some(&body),
    )
    .expect(403);
    open.request(Method::GET, "/v1/webhooks", None, None)
        .expect(401);

    // Allow-listed loopback: a redirect is an answer, not a new target.
    let app = TestApp::spawn(TestDb::sqlite());
    let receiver = Receiver::start();
    let id = subscribe(&app, &receiver, "/redirect", json!({}));
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    wait_until("an attempt is made", Duration::from_secs(15), || {
        deliveries(&app, id)
            .first()
            .is_some_and(|d| !d["attempts"].as_array().expect("attempts").is_empty())
    });
    let attempt = deliveries(&app, id)[0]["attempts"][0].clone();
    assert_eq!(attempt["status_code"], 302);
    assert!(
        attempt["error"]
            .as_str()
            .expect("error")
            .contains("redirects are not followed"),
        "{attempt}"
    );
}

/// The process dies after a write committed and before its message went out; the
/// message goes out once a node runs again.
fn survives_a_crash_between_commit_and_delivery(test_db: TestDb) {
    let db = test_db.open();
    let (admin_token, hash) = generate_token();
    let mut conn = db.get().expect("connection");
    tokens::create(
        &mut conn,
        ("admin", Scope::Admin.as_str(), &hash),
        None,
        "test set-up",
    )
    .expect("token");
    drop(conn);
    let env = [
        ("FOLIO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        (
            "FOLIO_WEBHOOK_RETRY_DELAYS",
            "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        ),
        ("FOLIO_WEBHOOK_TIMEOUT", "2s"),
    ];
    let receiver = Receiver::start();
    let client = reqwest::blocking::Client::new();
    let post = |server: &Server, path: &str, body: Value| {
        client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&admin_token)
            .json(&body)
            .send()
            .expect("folio answers")
            .json::<Value>()
            .expect("JSON")
    };
    let first = Server::start_with(&test_db.url, &env);
    let created = post(
        &first,
        "/v1/webhooks",
        json!({"url": receiver.url("/crash"), "events": ["*"]}),
    );
    // The receiver does not know the secret yet: every attempt so far fails.
    let article = post(
        &first,
        "/v1/articles",
        json!({"title": "Une dépêche", "body": "Texte.", "status": "published"}),
    );
    assert!(article["id"].is_string(), "{article}");
    drop(first);

    receiver.set_secret("/crash", created["secret"].as_str().expect("secret"));
    let _second = Server::start_with(&test_db.url, &env);
    let mut conn = db.get().expect("connection");
    let change = folio::db::changes::latest(&mut conn).expect("the log");
    let id: BTreeSet<String> = [format!("chg_{change}")].into();
    // Within the claim's lease (the timeout and 30 s), should the dead process have held it.
    let accepted = receiver.wait_for("/crash", &id, Duration::from_secs(60));
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        accepted[0]["payload"]["data"]["article"]["id"],
        article["id"]
    );
}

#[test]
fn sqlite_survives_a_crash_between_commit_and_delivery() {
    survives_a_crash_between_commit_and_delivery(TestDb::sqlite());
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_survives_a_crash_between_commit_and_delivery() {
    survives_a_crash_between_commit_and_delivery(
        TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set when this test is built"),
    );
}
