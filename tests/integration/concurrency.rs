//! Many writers at once: every write succeeds or gets a 4xx, never a 5xx (on
//! SQLite, never "database is locked"), and every acknowledged write is there.

use crate::common;

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

/// Writers racing to the same title all succeed, each with its own slug; writers
/// racing to the same explicit slug get one 201 and 409s in Folio's own words.
fn concurrent_creates_of_one_slug(app: &TestApp) {
    const RACERS: usize = 20;
    let barrier = Arc::new(Barrier::new(RACERS));
    let statuses: Vec<(u16, u16, String)> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                let barrier = barrier.clone();
                scope.spawn(move || {
                    barrier.wait();
                    let derived = app.post(
                        "/v1/articles",
                        json!({"title": "Le cœur du réacteur", "body": "Texte."}),
                    );
                    let explicit =
                        app.post("/v1/tags", json!({"name": "Énergie", "slug": "energie"}));
                    (derived.status, explicit.status, explicit.text)
                })
            })
            .collect();
        racers
            .into_iter()
            .map(|r| r.join().expect("racer"))
            .collect()
    });
    assert!(
        statuses.iter().all(|(derived, _, _)| *derived == 201),
        "{statuses:?}"
    );
    let mut slugs = common::slugs(&app.preview("/v1/articles?per_page=100").json());
    slugs.sort();
    let mut expected: Vec<String> = (1..=RACERS)
        .map(|n| match n {
            1 => "le-coeur-du-reacteur".to_owned(),
            n => format!("le-coeur-du-reacteur-{n}"),
        })
        .collect();
    expected.sort();
    assert_eq!(slugs, expected);
    assert_eq!(statuses.iter().filter(|(_, tag, _)| *tag == 201).count(), 1);
    for (_, status, text) in statuses.iter().filter(|(_, tag, _)| *tag != 201) {
        assert_eq!(*status, 409, "{text}");
        assert!(text.contains("already used by another tag"), "{text}");
    }
}

on_both_backends!(
    concurrent_writers_all_succeed,
    concurrent_creates_of_one_slug
);
