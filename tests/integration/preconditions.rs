//! `If-Match`: writes based on a stale version get 412 and change nothing, on
//! every resource, and of two editors racing on one version exactly one wins.

use crate::common;

use std::sync::{Arc, Barrier};

use common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

fn etag(app: &TestApp, path: &str) -> String {
    app.preview(path).expect(200).header("etag").unwrap()
}

fn patch_if(app: &TestApp, path: &str, if_match: &str, body: Value) -> common::Response {
    let token = app.write_token.clone();
    app.request_with(
        Method::PATCH,
        path,
        Some(&token),
        Some(&body),
        &[("If-Match", if_match)],
    )
}

fn delete_if(app: &TestApp, path: &str, if_match: &str) -> common::Response {
    let token = app.write_token.clone();
    app.request_with(
        Method::DELETE,
        path,
        Some(&token),
        None,
        &[("If-Match", if_match)],
    )
}

fn stale_article_writes_are_412_and_change_nothing(app: &TestApp) {
    app.article(json!({"slug": "note", "title": "Première version", "body": "Texte."}));
    let path = "/v1/articles/note";
    let first = etag(app, path);

    let updated = patch_if(app, path, &first, json!({"title": "Deuxième version"})).expect(200);
    let second = updated.header("etag").unwrap();
    assert_ne!(second, first);
    assert_eq!(
        second,
        etag(app, path),
        "the PATCH answer is what GET returns"
    );

    let stale = patch_if(app, path, &first, json!({"title": "Écrasée"})).expect(412);
    assert_eq!(
        stale.header("etag").unwrap(),
        second,
        "412 names the current version"
    );
    let problem = stale.json();
    assert_eq!(problem["type"], "/problems/precondition-failed");
    assert!(problem["detail"].as_str().unwrap().contains(&second));
    assert_eq!(app.preview(path).json()["title"], "Deuxième version");

    // A weak tag names its version too (a cache that recompressed the body
    // weakened it): a stale one is refused, the current one will do.
    patch_if(app, path, &format!("W/{first}"), json!({"title": "Faible"})).expect(412);
    patch_if(
        app,
        path,
        &format!("W/{second}"),
        json!({"title": "Troisième version"}),
    )
    .expect(200);
    let listed = format!("\"0000\", {}", etag(app, path));
    patch_if(app, path, &listed, json!({"title": "Quatrième version"})).expect(200);
    patch_if(app, path, "*", json!({"title": "Cinquième version"})).expect(200);

    delete_if(app, path, &first).expect(412);
    app.preview(path).expect(200);
    delete_if(app, path, &etag(app, path)).expect(204);
    app.preview(path).expect(410);
}

fn every_resource_honours_if_match(app: &TestApp) {
    for (collection, body) in [
        ("sections", json!({"name": "Monde"})),
        ("tags", json!({"name": "Énergie"})),
        ("authors", json!({"name": "Claire Dubois"})),
    ] {
        let created = app
            .post(&format!("/v1/{collection}"), body)
            .expect(201)
            .json();
        let path = format!("/v1/{collection}/{}", created["slug"].as_str().unwrap());
        let first = etag(app, &path);
        patch_if(app, &path, &first, json!({"description": "Une."})).expect(200);
        patch_if(app, &path, &first, json!({"description": "Deux."})).expect(412);
        assert_eq!(app.get(&path).json()["description"], "Une.", "{collection}");
        delete_if(app, &path, &first).expect(412);
        delete_if(app, &path, &etag(app, &path)).expect(204);
    }
}

/// Both editors read the same version and send their change at the same moment.
fn racing_editors_one_wins(app: &TestApp) {
    app.article(json!({"slug": "course", "title": "Départ", "body": "Texte."}));
    let path = "/v1/articles/course";
    for round in 0..8 {
        let version = etag(app, path);
        let barrier = Arc::new(Barrier::new(2));
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let editors: Vec<_> = ["Alice", "Bruno"]
                .into_iter()
                .map(|editor| {
                    let (barrier, version) = (barrier.clone(), version.clone());
                    scope.spawn(move || {
                        barrier.wait();
                        let title = format!("{editor} {round}");
                        patch_if(app, path, &version, json!({"title": title})).status
                    })
                })
                .collect();
            editors.into_iter().map(|e| e.join().unwrap()).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![200, 412], "round {round}: {statuses:?}");
    }
}

/// `If-Match` compares the resource's own version: an article published in a tag
/// does not stale the tag's ETag for writes (it does for reads: the count shown
/// changed), and the ETag of a `fields` projection names its version too.
fn if_match_compares_the_resource_own_version(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let before = etag(app, "/v1/tags/energie");
    assert!(before.starts_with("\"v1-"), "{before}");
    app.article(
        json!({"title": "Centrale", "body": "Texte.", "tags": ["energie"],
        "status": "published", "published_at": "2024-11-27T09:00:00Z"}),
    );
    let read_again = app
        .request_with(
            Method::GET,
            "/v1/tags/energie",
            None,
            None,
            &[("If-None-Match", &before)],
        )
        .expect(200);
    assert_ne!(
        read_again.header("etag").unwrap(),
        before,
        "the count shown changed"
    );
    patch_if(
        app,
        "/v1/tags/energie",
        &before,
        json!({"description": "Atome et réseaux"}),
    )
    .expect(200);
    patch_if(
        app,
        "/v1/tags/energie",
        &before,
        json!({"description": "Encore"}),
    )
    .expect(412);

    let projected = etag(app, "/v1/articles/centrale?fields=title,slug");
    assert!(projected.starts_with("\"v1-"), "{projected}");
    patch_if(
        app,
        "/v1/articles/centrale",
        &projected,
        json!({"title": "Centrale nucléaire"}),
    )
    .expect(200);
    let refused = patch_if(
        app,
        "/v1/articles/centrale",
        &projected,
        json!({"title": "Non"}),
    )
    .expect(412);
    assert_eq!(
        refused.header("etag").unwrap(),
        etag(app, "/v1/articles/centrale"),
        "a 412 names the ETag a read gives now"
    );
}

on_both_backends!(
    if_match_compares_the_resource_own_version,
    stale_article_writes_are_412_and_change_nothing,
    every_resource_honours_if_match,
    racing_editors_one_wins,
);
