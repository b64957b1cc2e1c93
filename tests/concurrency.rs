//! Many writers at once: every write succeeds or gets a 4xx, never a 5xx (on
//! SQLite, never "database is locked"), and every acknowledged write is there.

mod common;

use std::sync::{Arc, Barrier};

use common::TestApp;
use serde_json::json;

const WRITERS: usize = 16;
const ROUNDS: usize = 8;

fn concurrent_writers_all_succeed(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let barrier = Arc::new(Barrier::new(WRITERS));
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let barrier = barrier.clone();
            scope.spawn(move || {
                barrier.wait();
                for round in 0..ROUNDS {
                    let slug = format!("w{writer}-r{round}");
                    app.article(json!({
                        "slug": slug, "title": format!("Dépêche {writer}.{round}"),
                        "body": "Le « partenariat »\u{a0}: cœur.", "tags": ["energie"],
                        "status": "published", "published_at": "2024-11-27T09:00:00Z"
                    }));
                    app.patch(
                        &format!("/v1/articles/{slug}"),
                        json!({"title": format!("Révisée {writer}.{round}")}),
                    )
                    .expect(200);
                }
            });
        }
    });
    let all = app.get("/v1/articles?include_total=true&per_page=1").json();
    assert_eq!(all["total"], WRITERS * ROUNDS);
    let one = app.preview("/v1/articles/w3-r5").expect(200).json();
    assert_eq!(one["title"], "Révisée 3.5");
    let revisions = app.preview("/v1/articles/w3-r5/revisions").json();
    assert_eq!(revisions["total"], 2);
    assert_eq!(
        app.get("/v1/tags/energie").json()["article_count"],
        WRITERS * ROUNDS
    );
}

on_both_backends!(concurrent_writers_all_succeed);
