//! Configurable limits: each one lowered answers a clear 4xx past it, and a
//! configured value above what the spec documents is refused at start-up.

use crate::common;

use std::process::Command;

use common::{TestApp, TestDb};
use serde_json::json;

fn tight() -> TestApp {
    TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.limits.max_per_page = 10;
        settings.limits.max_query_chars = 20;
        settings.limits.max_tags = 2;
    })
}

#[test]
fn lowered_limits_answer_4xx() {
    let app = tight();
    app.get("/v1/articles?per_page=10").expect(200);
    let over = app.get("/v1/articles?per_page=11").expect(400).json();
    assert!(
        over["detail"]
            .as_str()
            .unwrap()
            .contains("between 1 and 10"),
        "{over}"
    );
    app.get("/v1/tags?per_page=11").expect(400);
    app.get("/v1/sections?per_page=10").expect(200);

    app.get("/v1/articles?q=alliance").expect(200);
    let long = app
        .get("/v1/articles?q=alliance+strategique+kazakhstan")
        .expect(400)
        .json();
    assert!(
        long["detail"].as_str().unwrap().contains("longer than 20"),
        "{long}"
    );

    for name in ["Russie", "Chine", "Gaz"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    app.article(json!({"title": "Deux", "body": "x", "tags": ["russie", "chine"]}));
    let many = app
        .post(
            "/v1/articles",
            json!({"title": "Trois", "body": "x", "tags": ["russie", "chine", "gaz"]}),
        )
        .expect(422)
        .json();
    assert_eq!(many["errors"][0]["field"], "tags");
    assert!(many["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("at most 2"));
    app.patch(
        "/v1/articles/deux",
        json!({"tags": ["russie", "chine", "gaz"]}),
    )
    .expect(422);
}

#[test]
fn limits_above_the_documented_ones_are_refused() {
    for (name, value) in [
        ("FOLIO_MAX_PER_PAGE", "101"),
        ("FOLIO_MAX_QUERY_CHARS", "0"),
        ("FOLIO_MAX_TAGS_PER_ARTICLE", "many"),
    ] {
        let db = TestDb::sqlite();
        let out = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["migrate"])
            .env("DATABASE_URL", &db.url)
            .env(name, value)
            .output()
            .expect("run folio");
        assert!(!out.status.success(), "{name}={value} accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains(name));
    }
}
