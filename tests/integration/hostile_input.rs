//! Input crafted to break things gets a precise 4xx and changes nothing: dates
//! outside four-digit years, forged cursors, invisible titles, oversized error
//! lists and racing unique values.

use crate::common;

use base64::Engine;
use common::{urlencode, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const FAR_DATES: [&str; 5] = [
    "-1000-01-01T00:00:00Z",
    "+10000-01-01T00:00:00Z",
    "-4714-11-23T00:00:00Z",
    "0000-12-31T23:00:00Z",
    "0001-01-01T00:30:00+01:00",
];

fn field_of(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or("")
}

fn dates_outside_four_digit_years_are_refused(app: &TestApp) {
    app.article(json!({"slug": "ici", "title": "Ici", "body": "x", "status": "published"}));
    for at in FAR_DATES {
        let created = app
            .post(
                "/v1/articles",
                json!({"title": "Loin", "body": "x", "status": "published", "published_at": at}),
            )
            .expect(422)
            .json();
        assert_eq!(field_of(&created), "published_at", "{at}: {created}");
        let patched = app
            .patch("/v1/articles/ici", json!({"published_at": at}))
            .expect(422)
            .json();
        assert_eq!(field_of(&patched), "published_at", "{at}: {patched}");
        let token = app
            .request(
                Method::POST,
                "/v1/tokens",
                Some(&app.admin_token),
                Some(&json!({"name": "loin", "scope": "read", "expires_at": at})),
            )
            .expect(422)
            .json();
        assert_eq!(field_of(&token), "expires_at", "{at}: {token}");
    }
    for (param, value) in [
        ("from", "-4714-11-23"),
        ("to", "+10000-01-01"),
        ("from", "-1000-01-01T00:00:00Z"),
        ("to", "+10000-01-01T00:00:00Z"),
        ("updated_since", "-1000-01-01T00:00:00Z"),
        ("updated_since", "+10000-01-01T00:00:00Z"),
    ] {
        for path in ["/v1/articles", "/v1/archive"] {
            if path == "/v1/archive" && param == "updated_since" {
                continue;
            }
            let problem = app
                .get(&format!("{path}?{param}={}", urlencode(value)))
                .expect(400)
                .json();
            assert!(
                problem["detail"].as_str().unwrap().starts_with(param),
                "{path} {param}={value}: {problem}"
            );
        }
    }
    // The edges themselves are fine, and nothing far in time breaks a public read.
    app.article(json!({"slug": "fin", "title": "Fin des temps", "body": "x",
        "status": "published", "published_at": "9999-12-31T23:59:59Z"}));
    app.article(json!({"slug": "debut", "title": "Début", "body": "x",
        "status": "published", "published_at": "0001-01-01T00:00:00Z"}));
    app.get("/v1/articles/fin").expect(404);
    app.get("/v1/articles/debut").expect(200);
    for tz in [
        "Europe/Paris",
        "America/New_York",
        "Pacific/Kiritimati",
        "UTC",
    ] {
        for granularity in ["year", "month", "day"] {
            app.get(&format!("/v1/archive?granularity={granularity}&tz={tz}"))
                .expect(200);
            app.preview(&format!("/v1/archive?granularity={granularity}&tz={tz}"))
                .expect(200);
        }
    }
    let last_day = app
        .preview("/v1/articles?from=9999-12-31&to=9999-12-31&tz=UTC&status=published")
        .expect(200)
        .json();
    assert_eq!(common::slugs(&last_day), vec!["fin"]);
}

fn forge(cursor: Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(cursor.to_string())
}

fn forged_cursors_are_400(app: &TestApp) {
    for i in 0..3 {
        app.article(
            json!({"title": format!("Alliance {i}"), "body": "alliance", "status": "published"}),
        );
    }
    let issued = app
        .get("/v1/articles?q=alliance&sort=relevance&per_page=1")
        .expect(200)
        .json();
    let issued = issued["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    app.get(&format!(
        "/v1/articles?q=alliance&sort=relevance&per_page=1&cursor={issued}"
    ))
    .expect(200);
    for (sort, cursor) in [
        (
            "relevance",
            json!({"sort": "Relevance", "date": null, "text": null, "id": 1, "offset": i64::MAX}),
        ),
        (
            "relevance",
            json!({"sort": "Relevance", "date": null, "text": null, "id": 1, "offset": -5}),
        ),
        (
            "relevance",
            json!({"sort": "Relevance", "date": null, "text": null, "id": 1, "offset": 1_000_000_000}),
        ),
        (
            "relevance",
            json!({"sort": "Relevance", "date": null, "text": null, "id": 1}),
        ),
        (
            "-published_at",
            json!({"sort": "PublishedDesc", "date": "+10000-01-01T00:00:00", "text": null, "id": 1}),
        ),
        (
            "-published_at",
            json!({"sort": "PublishedDesc", "date": null, "text": null, "id": 1, "offset": 40}),
        ),
        (
            "-published_at",
            json!({"sort": "PublishedDesc", "date": null, "text": null, "id": -1}),
        ),
        (
            "-published_at",
            json!({"sort": "PublishedDesc", "date": null, "text": null, "id": 99_999_999_999i64}),
        ),
    ] {
        let q = if sort == "relevance" {
            "&q=alliance"
        } else {
            ""
        };
        let res = app.get(&format!(
            "/v1/articles?sort={sort}{q}&cursor={}",
            forge(cursor.clone())
        ));
        assert_eq!(res.status, 400, "{cursor}: {}", res.text);
        assert!(res.json()["detail"].as_str().unwrap().contains("cursor"));
    }
    let long = "A".repeat(20_000);
    app.get(&format!("/v1/articles?cursor={long}")).expect(400);
}

fn invisible_titles_are_blank(app: &TestApp) {
    let spec = app.get("/openapi.json").expect(200).json();
    let pattern = spec["components"]["schemas"]["Title"]["pattern"]
        .as_str()
        .expect("the Title schema has a pattern");
    let spec_regex = regex::Regex::new(pattern).expect("the spec's pattern compiles");
    for (title, accepted) in [
        ("\u{200b}\u{200b}", false),
        ("\u{feff}", false),
        ("\u{2028}", false),
        ("\u{2029}\u{2029}", false),
        (" \u{2060} \u{200d}", false),
        ("\u{a0}\u{202f}", false),
        ("\u{ad}", false),
        ("\u{3164}", false),
        ("Un\u{2028}deux", false),
        ("Le cœur\u{a0}!", true),
        ("\u{200b}Titre", true),
        ("🎉", true),
        ("«\u{a0}»", true),
    ] {
        assert_eq!(spec_regex.is_match(title), accepted, "spec on {title:?}");
        let res = app.post("/v1/articles", json!({"title": title, "body": "x"}));
        if accepted {
            res.expect(201);
        } else {
            let problem = res.expect(422).json();
            assert_eq!(field_of(&problem), "title", "{title:?}");
        }
        for path in ["/v1/tags", "/v1/sections", "/v1/authors"] {
            let res = app.post(path, json!({"name": title}));
            if accepted {
                assert!(
                    matches!(res.status, 201 | 409),
                    "{path} {title:?}: {}",
                    res.text
                );
            } else {
                assert_eq!(
                    field_of(&res.expect(422).json()),
                    "name",
                    "{path} {title:?}"
                );
            }
        }
    }
}

fn validation_errors_are_bounded(app: &TestApp) {
    // As many as the test server's 1 MB request limit lets through.
    let many: Vec<&str> = vec!["X"; 200_000];
    let res = app.post(
        "/v1/articles",
        json!({"title": "t", "body": "b", "tags": many}),
    );
    let problem = res.expect(422);
    assert!(problem.text.len() < 2_000, "{} bytes", problem.text.len());
    let problem = problem.json();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("200000 given"));

    let bad: Vec<String> = (0..45).map(|i| format!("Bad {i}")).collect();
    let problem = app
        .post(
            "/v1/articles",
            json!({"title": "t", "body": "b", "tags": bad, "authors": bad}),
        )
        .expect(422)
        .json();
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        22,
        "10 listed and a count, for each list: {problem}"
    );
    assert_eq!(errors[10]["message"], "35 more items are not slugs");
    assert_eq!(errors[0]["field"], "tags[0]");
    assert_eq!(
        app.preview("/v1/articles?include_total=true").json()["total"],
        0
    );
}

/// A unique violation that slips past the checks (a writer got in between) is a
/// 409 naming the field, never the database's own message.
fn unique_violations_speak_folio(app: &TestApp) {
    use diesel::prelude::*;
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let mut conn = app.db.get().expect("a connection");
    let copy = diesel::sql_query(
        "INSERT INTO tags (slug, name, created_at, updated_at) \
         SELECT slug, name, created_at, updated_at FROM tags",
    );
    let error = match &mut *conn {
        folio::db::AnyConnection::Sqlite(c) => copy.execute(c),
        folio::db::AnyConnection::Postgres(c) => copy.execute(c),
    }
    .expect_err("the slug is taken");
    let api = folio::error::ApiError::from(error);
    let problem = api.problem();
    assert_eq!(problem.status, 409);
    assert!(problem.detail.starts_with("slug: "), "{}", problem.detail);
    for leak in ["UNIQUE", "duplicate key", "constraint", "tags_slug"] {
        assert!(!problem.detail.contains(leak), "{}", problem.detail);
    }
}

on_both_backends!(
    dates_outside_four_digit_years_are_refused,
    forged_cursors_are_400,
    invisible_titles_are_blank,
    validation_errors_are_bounded,
    unique_violations_speak_folio,
);
