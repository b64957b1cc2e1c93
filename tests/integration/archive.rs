//! Archive counts, per-section/tag/author counts and the section tree.

use crate::common;

use common::{published, TestApp};
use serde_json::{json, Value};

fn periods(archive: &Value) -> Vec<(String, i64)> {
    archive["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_owned(),
                p["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn archive_counts_by_period_in_the_time_zone(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Asie", "parent": "monde"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    // 23:30 UTC on 31 October is already November in Paris.
    published(
        app,
        "halloween-late",
        "2024-10-31T23:30:00Z",
        json!({"section": "asie", "tags": ["russie"]}),
    );
    published(
        app,
        "nov-1",
        "2024-11-01T10:00:00Z",
        json!({"section": "monde", "language": "fr"}),
    );
    published(
        app,
        "nov-27",
        "2024-11-27T10:00:00Z",
        json!({"language": "en"}),
    );
    published(app, "last-year", "2023-06-15T10:00:00Z", json!({}));
    app.article(json!({"title": "Brouillon", "body": "x", "published_at": "2024-11-02T00:00:00Z"}));
    published(app, "scheduled", "2999-01-01T00:00:00Z", json!({}));

    let paris = app.get("/v1/archive").expect(200).json();
    assert_eq!(paris["granularity"], "month");
    assert_eq!(paris["time_zone"], "Europe/Paris");
    assert_eq!(
        periods(&paris),
        vec![("2024-11".into(), 3), ("2023-06".into(), 1)]
    );
    assert_eq!(paris["total"], 4);
    assert_eq!(paris["data"][0]["year"], 2024);
    assert_eq!(paris["data"][0]["month"], 11);
    assert!(paris["data"][0]["day"].is_null());

    let utc = app.get("/v1/archive?tz=UTC").json();
    assert_eq!(
        periods(&utc),
        vec![
            ("2024-11".into(), 2),
            ("2024-10".into(), 1),
            ("2023-06".into(), 1)
        ]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=year").json()),
        vec![("2024".into(), 3), ("2023".into(), 1)]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=day").json())[..2],
        [("2024-11-27".to_owned(), 1), ("2024-11-01".to_owned(), 2)]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?section=monde").json()),
        vec![("2024-11".into(), 2)]
    );
    assert_eq!(
        periods(
            &app.get("/v1/archive?section=monde&descendants=false")
                .json()
        ),
        vec![("2024-11".into(), 1)]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?tag=russie&tz=UTC").json()),
        vec![("2024-10".into(), 1)]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?language=en").json()),
        vec![("2024-11".into(), 1)]
    );
    app.get("/v1/archive?granularity=week").expect(400);
    app.get("/v1/archive?tz=Nowhere/Land").expect(400);

    // A date picker's month: dates are whole days in the zone, both ends included.
    let november = app
        .get("/v1/archive?granularity=day&from=2024-11-01&to=2024-11-30")
        .json();
    assert_eq!(
        periods(&november),
        vec![("2024-11-27".into(), 1), ("2024-11-01".into(), 2)]
    );
    assert_eq!(november["total"], 3);
    // In UTC the article of 23:30 on 31 October belongs to October, outside the range.
    assert_eq!(
        periods(
            &app.get("/v1/archive?granularity=day&from=2024-11-01&to=2024-11-30&tz=UTC")
                .json()
        ),
        vec![("2024-11-27".into(), 1), ("2024-11-01".into(), 1)]
    );
    assert_eq!(
        periods(
            &app.get("/v1/archive?from=2024-11-01T10:00:00Z&to=2024-11-27")
                .json()
        ),
        vec![("2024-11".into(), 2)]
    );
    let reversed = app
        .get("/v1/archive?from=2024-11-30&to=2024-11-01")
        .expect(400)
        .json();
    assert!(reversed["detail"]
        .as_str()
        .unwrap()
        .contains("to is before from"));
    app.get("/v1/archive?from=novembre").expect(400);
}

/// Before 1911 Paris kept local mean time, nine minutes and 21 seconds ahead of UTC:
/// midnight fell at 23:50:39 UTC, not at one of the times Folio cuts UTC days at
/// (those of zones since 1970), so that day is counted article by article.
fn archive_days_in_local_mean_time(app: &TestApp) {
    published(app, "before-midnight", "1900-01-01T23:47:00Z", json!({}));
    published(app, "after-midnight", "1900-01-01T23:55:00Z", json!({}));
    published(app, "same-hour-utc", "1900-01-01T23:59:00Z", json!({}));
    // Before 1970, on both sides of an hour boundary.
    published(app, "early-morning", "1900-01-02T00:00:00Z", json!({}));
    published(app, "end-of-hour", "1899-12-31T23:44:59.999999Z", json!({}));
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=day").json()),
        vec![
            ("1900-01-02".into(), 3),
            ("1900-01-01".into(), 1),
            ("1899-12-31".into(), 1)
        ]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=day&tz=UTC").json()),
        vec![
            ("1900-01-02".into(), 1),
            ("1900-01-01".into(), 3),
            ("1899-12-31".into(), 1)
        ]
    );
}

/// India is 5 h 30 ahead of UTC: its midnight falls in the middle of a UTC hour.
fn archive_days_in_a_half_hour_zone(app: &TestApp) {
    published(app, "avant-minuit", "2024-11-26T18:20:00Z", json!({}));
    published(app, "apres-minuit", "2024-11-26T18:40:00Z", json!({}));
    published(app, "fin-du-mois", "2024-11-30T18:29:59Z", json!({}));
    published(app, "debut-du-mois", "2024-11-30T18:30:00Z", json!({}));
    assert_eq!(
        periods(
            &app.get("/v1/archive?granularity=day&tz=Asia/Kolkata")
                .json()
        ),
        vec![
            ("2024-12-01".into(), 1),
            ("2024-11-30".into(), 1),
            ("2024-11-27".into(), 1),
            ("2024-11-26".into(), 1)
        ]
    );
    assert_eq!(
        periods(
            &app.get("/v1/archive?granularity=month&tz=Asia/Kolkata")
                .json()
        ),
        vec![("2024-12".into(), 1), ("2024-11".into(), 3)]
    );
}

fn lists_carry_published_article_counts(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    app.post("/v1/tags", json!({"name": "Vide"})).expect(201);
    app.post("/v1/authors", json!({"name": "Anne Roy"}))
        .expect(201);
    let links = json!({"section": "monde", "tags": ["russie"], "authors": ["anne-roy"]});
    published(app, "un", "2024-11-01T00:00:00Z", links.clone());
    published(app, "deux", "2024-11-02T00:00:00Z", links.clone());
    published(app, "futur", "2999-11-02T00:00:00Z", links.clone());
    let mut draft = links.clone();
    draft["title"] = json!("Brouillon");
    draft["body"] = json!("x");
    app.article(draft);
    let tags = app.get("/v1/tags").json();
    let counts: Vec<(String, i64)> = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap().to_owned(),
                t["article_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, vec![("russie".into(), 2), ("vide".into(), 0)]);
    assert_eq!(app.get("/v1/tags/russie").json()["article_count"], 2);
    assert_eq!(app.get("/v1/authors").json()["data"][0]["article_count"], 2);
    assert_eq!(app.get("/v1/authors/anne-roy").json()["article_count"], 2);
    assert_eq!(
        app.get("/v1/sections").json()["data"][0]["article_count"],
        2
    );
    assert_eq!(app.get("/v1/sections/monde").json()["article_count"], 2);
    assert_eq!(
        app.post("/v1/tags", json!({"name": "Neuf"}))
            .expect(201)
            .json()["article_count"],
        0
    );

    // Lists' counts follow every change, a scheduled go-live included.
    let listed = |path: &str, slug: &str| -> i64 {
        let list = app.get(path).json();
        let item = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("{slug} not in {list}"));
        item["article_count"].as_i64().unwrap()
    };
    let all_three = |expected: i64| {
        assert_eq!(listed("/v1/tags", "russie"), expected);
        assert_eq!(listed("/v1/authors", "anne-roy"), expected);
        assert_eq!(listed("/v1/sections", "monde"), expected);
    };
    published(app, "trois", "2024-11-03T00:00:00Z", links.clone());
    all_three(3);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    published(app, "bientot", &soon, links);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while listed("/v1/tags", "russie") == 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the go-live never reached the counts"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    all_three(4);
    app.delete("/v1/articles/trois").expect(204);
    all_three(3);
}

fn sections_as_a_tree(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde", "position": 1}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture", "position": 2}))
        .expect(201);
    app.post(
        "/v1/sections",
        json!({"name": "Europe", "parent": "monde", "position": 2}),
    )
    .expect(201);
    app.post(
        "/v1/sections",
        json!({"name": "Asie", "parent": "monde", "position": 1}),
    )
    .expect(201);
    app.post("/v1/sections", json!({"name": "Japon", "parent": "asie"}))
        .expect(201);
    let tree = app.get("/v1/sections?tree=true").expect(200).json();
    let top: Vec<&str> = tree["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(top, vec!["monde", "culture"]);
    let monde = &tree["data"][0];
    assert_eq!(monde["children"][0]["slug"], "asie");
    assert_eq!(monde["children"][1]["slug"], "europe");
    assert_eq!(monde["children"][0]["children"][0]["slug"], "japon");
    assert_eq!(monde["children"][0]["children"][0]["children"], json!([]));
    assert_eq!(monde["children"][0]["parent"], "monde");
    assert!(tree.get("total").is_none());
}

/// Paris changes offset at 01:00 UTC on the last Sunday of March and of October:
/// local midnight is at 23:00 UTC before the change and 22:00 UTC after it.
fn archive_days_across_dst_changes(app: &TestApp) {
    for (slug, at) in [
        ("a", "2024-03-30T22:30:00Z"), // 23:30 on the 30th
        ("b", "2024-03-30T23:30:00Z"), // 00:30 on the 31st
        ("c", "2024-03-31T00:30:00Z"), // 01:30, winter time
        ("d", "2024-03-31T01:30:00Z"), // 03:30, summer time
        ("e", "2024-03-31T21:30:00Z"), // 23:30
        ("f", "2024-03-31T22:30:00Z"), // 00:30 on 1 April
        ("g", "2024-10-26T22:30:00Z"), // 00:30 on the 27th
        ("h", "2024-10-27T00:30:00Z"), // 02:30, summer time
        ("i", "2024-10-27T01:30:00Z"), // 02:30 again, winter time
        ("j", "2024-10-27T22:30:00Z"), // 23:30
        ("k", "2024-10-27T23:30:00Z"), // 00:30 on the 28th
    ] {
        published(app, slug, at, json!({}));
    }
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=day").json()),
        vec![
            ("2024-10-28".into(), 1),
            ("2024-10-27".into(), 4),
            ("2024-04-01".into(), 1),
            ("2024-03-31".into(), 4),
            ("2024-03-30".into(), 1)
        ]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=day&tz=UTC").json()),
        vec![
            ("2024-10-27".into(), 4),
            ("2024-10-26".into(), 1),
            ("2024-03-31".into(), 4),
            ("2024-03-30".into(), 2)
        ]
    );
    assert_eq!(
        periods(&app.get("/v1/archive?granularity=month").json()),
        vec![
            ("2024-10".into(), 5),
            ("2024-04".into(), 1),
            ("2024-03".into(), 5)
        ]
    );
    // In New York (summer time on all these dates) midnight is at 04:00 UTC.
    assert_eq!(
        periods(
            &app.get("/v1/archive?granularity=day&tz=America/New_York")
                .json()
        ),
        vec![
            ("2024-10-27".into(), 2),
            ("2024-10-26".into(), 3),
            ("2024-03-31".into(), 2),
            ("2024-03-30".into(), 4)
        ]
    );
}

on_both_backends!(
    archive_counts_by_period_in_the_time_zone,
    archive_days_across_dst_changes,
    archive_days_in_local_mean_time,
    archive_days_in_a_half_hour_zone,
    lists_carry_published_article_counts,
    sections_as_a_tree,
);
