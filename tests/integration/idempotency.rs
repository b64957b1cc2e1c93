//! `Idempotency-Key`: a retried create replays the first answer instead of
//! creating the item twice, even when the retries race each other.

use crate::common;

use std::sync::{Arc, Barrier};

use common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

fn create_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> common::Response {
    app.request_with(
        Method::POST,
        "/v1/articles",
        Some(token),
        Some(body),
        &[("Idempotency-Key", key)],
    )
}

fn total(app: &TestApp) -> i64 {
    app.preview("/v1/articles?include_total=true").json()["total"]
        .as_i64()
        .unwrap()
}

fn a_retry_replays_the_first_answer(app: &TestApp) {
    let token = app.write_token.clone();
    let body = json!({"title": "Dépêche", "body": "Texte."});
    let first = create_with_key(app, &token, "cle-1", &body).expect(201);
    assert!(first.header("idempotent-replayed").is_none());
    let again = create_with_key(app, &token, "cle-1", &body).expect(201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.json(), first.json());
    assert_eq!(total(app), 1);

    let other = json!({"title": "Autre dépêche", "body": "Texte."});
    let reused = create_with_key(app, &token, "cle-1", &other).expect(422);
    assert_eq!(reused.json()["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(total(app), 1);

    // Keys belong to a token: another token's same key is another request.
    let admin = app.admin_token.clone();
    create_with_key(app, &admin, "cle-1", &body).expect(201);
    assert_eq!(total(app), 2);

    // A create that failed did not use its key up.
    let bad = json!({"title": "", "body": "Texte."});
    create_with_key(app, &token, "cle-2", &bad).expect(422);
    create_with_key(app, &token, "cle-2", &other).expect(201);
    assert_eq!(total(app), 3);

    for (collection, body) in [
        ("sections", json!({"name": "Monde"})),
        ("tags", json!({"name": "Gaz"})),
        ("authors", json!({"name": "Claire Dubois"})),
    ] {
        let path = format!("/v1/{collection}");
        // A key names one request: the same key on another endpoint would be a 422.
        let key = format!("cle-{collection}");
        let send = || {
            app.request_with(
                Method::POST,
                &path,
                Some(&token),
                Some(&body),
                &[("Idempotency-Key", key.as_str())],
            )
        };
        let first = send().expect(201);
        let again = send().expect(201);
        assert_eq!(again.json(), first.json(), "{collection}");
        assert_eq!(app.get(&path).json()["total"], 1, "{collection}");
    }
    let blank = app.request_with(
        Method::POST,
        "/v1/tags",
        Some(&token),
        Some(&json!({"name": "X"})),
        &[("Idempotency-Key", " ")],
    );
    blank.expect(400);
}

fn racing_retries_create_once(app: &TestApp) {
    let token = app.write_token.clone();
    let body = json!({"title": "Course", "body": "Texte."});
    let barrier = Arc::new(Barrier::new(6));
    let answers: Vec<common::Response> = std::thread::scope(|scope| {
        let senders: Vec<_> = (0..6)
            .map(|_| {
                let (barrier, token, body) = (barrier.clone(), token.clone(), body.clone());
                scope.spawn(move || {
                    barrier.wait();
                    create_with_key(app, &token, "course", &body)
                })
            })
            .collect();
        senders.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let first = answers[0].json();
    for answer in &answers {
        assert_eq!(answer.status, 201, "{}", answer.text);
        assert_eq!(answer.json()["id"], first["id"]);
    }
    let replayed = answers
        .iter()
        .filter(|a| a.header("idempotent-replayed").is_some())
        .count();
    assert_eq!(replayed, 5);
    assert_eq!(total(app), 1);
}

on_both_backends!(a_retry_replays_the_first_answer, racing_retries_create_once);
