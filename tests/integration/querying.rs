//! Asking precise questions of the article list: filters, dates, orders, cursors and fields.

use crate::common;

use common::{published, slugs, TestApp};
use serde_json::{json, Value};

fn section_includes_descendants(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Asie", "parent": "monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Japon", "parent": "asie"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    published(
        app,
        "a-monde",
        "2024-11-01T10:00:00Z",
        json!({"section": "monde"}),
    );
    published(
        app,
        "b-asie",
        "2024-11-02T10:00:00Z",
        json!({"section": "asie"}),
    );
    published(
        app,
        "c-japon",
        "2024-11-03T10:00:00Z",
        json!({"section": "japon"}),
    );
    published(
        app,
        "d-culture",
        "2024-11-04T10:00:00Z",
        json!({"section": "culture"}),
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?section=monde").json()),
        vec!["c-japon", "b-asie", "a-monde"]
    );
    assert_eq!(
        slugs(
            &app.get("/v1/articles?section=monde&descendants=false")
                .json()
        ),
        vec!["a-monde"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?section=asie").json()),
        vec!["c-japon", "b-asie"]
    );
}

fn tags_all_and_any(app: &TestApp) {
    for name in ["Russie", "Énergie", "Chine"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    published(
        app,
        "russie-energie",
        "2024-11-01T10:00:00Z",
        json!({"tags": ["russie", "energie"]}),
    );
    published(
        app,
        "russie",
        "2024-11-02T10:00:00Z",
        json!({"tags": ["russie"]}),
    );
    published(
        app,
        "chine",
        "2024-11-03T10:00:00Z",
        json!({"tags": ["chine"]}),
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?tag=russie,energie").json()),
        vec!["russie-energie"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?tag=russie").json()),
        vec!["russie", "russie-energie"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?tag_any=energie,chine").json()),
        vec!["chine", "russie-energie"]
    );
    assert_eq!(
        slugs(
            &app.get("/v1/articles?tag_any=chine,russie&tag=energie")
                .json()
        ),
        vec!["russie-energie"]
    );
    app.get("/v1/articles?tag=Russie").expect(400);
}

fn ids_and_updated_since(app: &TestApp) {
    let a = app.article(json!({"title": "A", "body": "x", "status": "published"}));
    let b = app.article(json!({"title": "B", "body": "x", "status": "published"}));
    app.article(json!({"title": "C", "body": "x", "status": "published"}));
    let ids = format!(
        "{},{}",
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap()
    );
    let mut got = slugs(&app.get(&format!("/v1/articles?ids={ids}")).json());
    got.sort();
    assert_eq!(got, vec!["a", "b"]);
    app.get("/v1/articles?ids=not-a-uuid").expect(400);
    let since = app.get("/v1/articles/c").json()["updated_at"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.patch("/v1/articles/a", json!({"body": "changed"}))
        .expect(200);
    let changed = app.get(&format!(
        "/v1/articles?updated_since={}",
        since.replace('+', "%2B")
    ));
    let changed = slugs(&changed.expect(200).json());
    assert!(
        changed.contains(&"a".to_owned())
            && changed.contains(&"c".to_owned())
            && !changed.contains(&"b".to_owned()),
        "{changed:?}"
    );
    app.get("/v1/articles?updated_since=yesterday").expect(400);
}

fn date_filters_read_days_in_the_time_zone(app: &TestApp) {
    // 23:30 UTC on the 26th is already the 27th in Paris (UTC+1 in November).
    published(app, "late-26-utc", "2024-11-26T23:30:00Z", json!({}));
    published(app, "noon-27", "2024-11-27T12:00:00Z", json!({}));
    published(app, "late-27-utc", "2024-11-27T23:30:00Z", json!({}));
    // The test server reads dates in Europe/Paris by default.
    assert_eq!(
        slugs(&app.get("/v1/articles?from=2024-11-27&to=2024-11-27").json()),
        vec!["noon-27", "late-26-utc"]
    );
    assert_eq!(
        slugs(
            &app.get("/v1/articles?from=2024-11-27&to=2024-11-27&tz=UTC")
                .json()
        ),
        vec!["late-27-utc", "noon-27"]
    );
    // Instants are inclusive at both ends.
    assert_eq!(
        slugs(
            &app.get("/v1/articles?from=2024-11-27T12:00:00Z&to=2024-11-27T23:30:00Z")
                .json()
        ),
        vec!["late-27-utc", "noon-27"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?to=2024-11-26&tz=UTC").json()),
        vec!["late-26-utc"]
    );
    let backwards = app
        .get("/v1/articles?from=2024-11-28&to=2024-11-27")
        .expect(400)
        .json();
    assert!(
        backwards["detail"].as_str().unwrap().contains("before"),
        "{backwards}"
    );
    app.get("/v1/articles?from=27/11/2024").expect(400);
    app.get("/v1/articles?tz=Mars/Olympus").expect(400);
}

fn date_filters_across_daylight_saving_changes(app: &TestApp) {
    // Paris leaves summer time on 2024-10-27: that day lasts 25 hours (22:00 UTC on the 26th to 23:00 UTC).
    published(app, "before-day", "2024-10-26T21:59:59Z", json!({}));
    published(app, "first-minute", "2024-10-26T22:00:00Z", json!({}));
    published(app, "last-minute", "2024-10-27T22:59:59Z", json!({}));
    published(app, "next-day", "2024-10-27T23:00:00Z", json!({}));
    assert_eq!(
        slugs(
            &app.get("/v1/articles?from=2024-10-27&to=2024-10-27&tz=Europe/Paris")
                .json()
        ),
        vec!["last-minute", "first-minute"]
    );
    // And enters it on 2024-03-31: a 23-hour day (23:00 UTC on the 30th to 22:00 UTC).
    published(app, "spring-start", "2024-03-30T23:00:00Z", json!({}));
    published(app, "spring-after", "2024-03-31T22:00:00Z", json!({}));
    assert_eq!(
        slugs(&app.get("/v1/articles?from=2024-03-31&to=2024-03-31").json()),
        vec!["spring-start"]
    );
}

fn date_field_chooses_the_date(app: &TestApp) {
    published(app, "old", "2020-01-01T00:00:00Z", json!({}));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        slugs(&app.get(&format!("/v1/articles?from={today}&tz=UTC")).json()),
        Vec::<String>::new()
    );
    assert_eq!(
        slugs(
            &app.get(&format!(
                "/v1/articles?from={today}&tz=UTC&date_field=created"
            ))
            .json()
        ),
        vec!["old"]
    );
    assert_eq!(
        slugs(
            &app.get(&format!(
                "/v1/articles?from={today}&tz=UTC&date_field=updated"
            ))
            .json()
        ),
        vec!["old"]
    );
    app.get("/v1/articles?date_field=modified").expect(400);
}

fn sort_orders_are_total(app: &TestApp) {
    published(
        app,
        "b",
        "2024-11-01T00:00:00Z",
        json!({"title": "Été indien"}),
    );
    published(app, "a", "2024-11-01T00:00:00Z", json!({"title": "élan"}));
    published(app, "c", "2024-11-03T00:00:00Z", json!({"title": "Zèbre"}));
    published(
        app,
        "d",
        "2024-11-02T00:00:00Z",
        json!({"title": "abeille"}),
    );
    // Equal dates fall back to the id, newest id first.
    assert_eq!(
        slugs(&app.get("/v1/articles").json()),
        vec!["c", "d", "a", "b"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?sort=published_at").json()),
        vec!["b", "a", "d", "c"]
    );
    // Accents and case do not change alphabetical order.
    assert_eq!(
        slugs(&app.get("/v1/articles?sort=title").json()),
        vec!["d", "a", "b", "c"]
    );
    app.patch("/v1/articles/b", json!({"body": "y"}))
        .expect(200);
    assert_eq!(
        slugs(&app.get("/v1/articles?sort=-updated_at").json())[0],
        "b"
    );
    assert_eq!(
        slugs(&app.get("/v1/articles?sort=updated_at").json())[3],
        "b"
    );
    app.get("/v1/articles?sort=random").expect(400);
}

fn cursors_are_stable_while_articles_arrive(app: &TestApp) {
    for i in 0..6 {
        published(
            app,
            &format!("old-{i}"),
            &format!("2024-11-0{}T00:00:00Z", i + 1),
            json!({}),
        );
    }
    let mut fresh = 0;
    for sort in [
        "-published_at",
        "published_at",
        "title",
        "-updated_at",
        "updated_at",
    ] {
        let mut seen = Vec::new();
        let mut url = format!("/v1/articles?per_page=2&sort={sort}");
        loop {
            let page = app.get(&url).expect(200).json();
            seen.extend(slugs(&page));
            // A newsroom keeps publishing while a client pages through.
            fresh += 1;
            published(
                app,
                &format!("new-{fresh}"),
                "2020-01-01T00:00:00Z",
                json!({}),
            );
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    url = format!("/v1/articles?per_page=2&sort={sort}&cursor={cursor}")
                }
                None => break,
            }
        }
        let old: Vec<&String> = seen.iter().filter(|s| s.starts_with("old-")).collect();
        assert_eq!(old.len(), 6, "{sort}: every old article once: {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{sort}: no article twice: {seen:?}"
        );
    }
}

fn field_selection(app: &TestApp) {
    published(
        app,
        "choisi",
        "2024-11-27T09:00:00Z",
        json!({"standfirst": "Chapeau"}),
    );
    let list = app
        .get("/v1/articles?fields=id,slug,title,body_html")
        .expect(200)
        .json();
    let item = list["data"][0].as_object().unwrap();
    let keys: Vec<&String> = item.keys().collect();
    assert_eq!(keys, vec!["id", "slug", "title", "body_html"]);
    assert_eq!(item["body_html"], "<p>x</p>\n");
    let one = app
        .get("/v1/articles/choisi?fields=standfirst,published_at")
        .expect(200)
        .json();
    assert_eq!(
        one,
        json!({"standfirst": "Chapeau", "published_at": "2024-11-27T09:00:00Z"})
    );
    // A reduced article is a shape of its own, with a media type of its own; the
    // default responses stay plain JSON.
    for (path, media_type) in [
        (
            "/v1/articles?fields=id",
            "application/vnd.folio.fields+json",
        ),
        (
            "/v1/articles/choisi?fields=id",
            "application/vnd.folio.fields+json",
        ),
        ("/v1/articles", "application/json"),
        ("/v1/articles/choisi", "application/json"),
    ] {
        assert_eq!(
            app.get(path).expect(200).header("content-type").as_deref(),
            Some(media_type),
            "{path}"
        );
    }
    let unknown = app.get("/v1/articles?fields=id,colour").expect(400).json();
    let detail = unknown["detail"].as_str().unwrap();
    assert!(
        detail.contains("colour")
            && detail.contains("body_html")
            && detail.contains("reading_time_minutes"),
        "{detail}"
    );
    app.get("/v1/articles/choisi?fields=").expect(400);
}

/// Statements run by `list` for a page of `per_page` articles.
fn statements_for_page(app: &TestApp, per_page: i64) -> (usize, usize) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use folio::db::article_list::{list, ArticleFilter, Sort, Window};
    use folio::db::articles::Visibility;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let mut conn = app.db.get().expect("connection");
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let filter = ArticleFilter {
        tags_any: vec!["russie".into(), "chine".into()],
        ..ArticleFilter::default()
    };
    let result = list(
        &mut conn,
        &filter,
        Visibility::Public,
        Sort::PublishedDesc,
        &Window::After(None, per_page),
        true,
    )
    .expect("list");
    assert!(result
        .records
        .iter()
        .all(|r| r.tags.len() == 2 && r.authors.len() == 2 && r.section.is_some()));
    (result.records.len(), count.load(Ordering::SeqCst))
}

fn list_costs_a_fixed_number_of_queries(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    for name in ["Russie", "Chine"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    for name in ["Anne Roy", "Sam Patel"] {
        app.post("/v1/authors", json!({"name": name})).expect(201);
    }
    for i in 0..100 {
        published(
            app,
            &format!("article-{i}"),
            "2024-11-27T09:00:00Z",
            json!({
                "section": "monde", "tags": ["russie", "chine"], "authors": ["anne-roy", "sam-patel"]
            }),
        );
    }
    let (small, small_statements) = statements_for_page(app, 5);
    let (large, large_statements) = statements_for_page(app, 100);
    assert_eq!((small, large), (5, 100));
    assert_eq!(
        small_statements, large_statements,
        "the page size must not change the number of statements"
    );
    // Tag ids (for the count and for the page; on SQLite with how many links they
    // have, too), count, the page's ids, their rows, sections, tags, authors.
    assert!(
        (4..=10).contains(&large_statements),
        "{large_statements} statements for a page of 100"
    );
}

fn related_articles_share_tags_then_section(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    for name in ["Russie", "Énergie", "Chine"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    published(
        app,
        "source",
        "2024-11-10T00:00:00Z",
        json!({"section": "monde", "tags": ["russie", "energie"]}),
    );
    published(
        app,
        "two-tags",
        "2024-11-01T00:00:00Z",
        json!({"section": "culture", "tags": ["russie", "energie"]}),
    );
    published(
        app,
        "tag-and-section",
        "2024-11-02T00:00:00Z",
        json!({"section": "monde", "tags": ["energie"]}),
    );
    published(
        app,
        "one-tag",
        "2024-11-03T00:00:00Z",
        json!({"section": "culture", "tags": ["russie"]}),
    );
    published(
        app,
        "section-only",
        "2024-11-04T00:00:00Z",
        json!({"section": "monde", "tags": ["chine"]}),
    );
    published(
        app,
        "unrelated",
        "2024-11-05T00:00:00Z",
        json!({"section": "culture", "tags": ["chine"]}),
    );
    app.article(
        json!({"title": "Draft", "body": "x", "tags": ["russie", "energie"], "section": "monde"}),
    );
    let related = app.get("/v1/articles/source/related").expect(200).json();
    assert_eq!(
        slugs(&related),
        vec!["two-tags", "tag-and-section", "one-tag", "section-only"]
    );
    assert_eq!(
        slugs(&app.get("/v1/articles/source/related?limit=2").json()),
        vec!["two-tags", "tag-and-section"]
    );
    assert_eq!(
        slugs(&app.preview("/v1/articles/source/related").json())[0],
        "draft",
        "a token sees drafts too"
    );
    app.get("/v1/articles/source/related?limit=21").expect(400);
    app.get("/v1/articles/missing/related").expect(404);
}

fn related_articles_share_vocabulary(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let article = |slug: &str, title: &str, tags: Value| {
        app.article(
            json!({"slug": slug, "title": title, "body": "Texte.", "language": "fr",
            "tags": tags, "status": "published", "published_at": "2024-11-01T00:00:00Z"}),
        );
    };
    article(
        "source",
        "La centrale nucléaire du lac Balkhach",
        json!(["energie"]),
    );
    article("tagged", "Le prix du gaz", json!(["energie"]));
    article(
        "two-words",
        "Balkhach : les centrales nucléaires contestées",
        json!([]),
    );
    article("one-word", "Pêcheurs du lac Balkhach", json!([]));
    article("nothing", "Le budget de la ville", json!([]));
    assert_eq!(
        slugs(&app.get("/v1/articles/source/related").expect(200).json()),
        vec!["tagged", "two-words", "one-word"],
        "tags first, then the most shared words (any inflection); nothing shared, not related"
    );
}

/// Past 2,000 links SQLite is told not to start a plan from a tag's links: the
/// answers must not change, so a common tag (2,100 articles) and a rare one (21)
/// are checked here, alone and combined with other filters.
fn common_and_rare_tags_filter_alike(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    for name in ["Russie", "Chine"] {
        app.post("/v1/tags", json!({"name": name})).expect(201);
    }
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
    let mut lines = String::new();
    for i in 0..2100 {
        let at = start + chrono::Duration::minutes(i);
        let mut tags = vec!["russie"];
        if i % 100 == 0 {
            tags.push("chine");
        }
        let mut article = json!({
            "title": format!("Article {i}"), "body": "Texte.", "tags": tags,
            "status": "published", "published_at": at.to_rfc3339(),
            "language": if i % 2 == 1 { "fr" } else { "en" },
        });
        if i % 3 == 0 {
            article["section"] = json!("monde");
        }
        lines.push_str(&format!("{article}\n"));
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("articles.ndjson");
    std::fs::write(&file, lines).expect("write articles");
    let output = app.cli(&["import", file.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");

    let newest = |matching: &dyn Fn(i64) -> bool, n: usize| -> Vec<String> {
        (0..2100)
            .rev()
            .filter(|i| matching(*i))
            .take(n)
            .map(|i| format!("article-{i}"))
            .collect()
    };
    let cases: [(&str, &dyn Fn(i64) -> bool); 5] = [
        ("tag=russie", &|_| true),
        ("tag=russie&language=fr&section=monde", &|i| {
            i % 2 == 1 && i % 3 == 0
        }),
        ("tag=chine", &|i| i % 100 == 0),
        ("tag=russie,chine&language=en", &|i| {
            i % 100 == 0 && i % 2 == 0
        }),
        ("tag_any=chine&section=monde", &|i| i % 300 == 0),
    ];
    for (query, matching) in cases {
        let list = app
            .get(&format!(
                "/v1/articles?{query}&include_total=true&per_page=50"
            ))
            .expect(200)
            .json();
        let total = (0..2100).filter(|i| matching(*i)).count();
        assert_eq!(list["total"], total, "{query}");
        assert_eq!(slugs(&list), newest(matching, 50), "{query}");
    }
    let archive = app
        .get("/v1/archive?tag=russie&granularity=day&tz=UTC")
        .expect(200)
        .json();
    assert_eq!(archive["data"][0]["period"], "2024-01-02");
    assert_eq!(archive["data"][0]["count"], 660);
    assert_eq!(archive["data"][1]["count"], 1440);
}

on_both_backends!(
    common_and_rare_tags_filter_alike,
    related_articles_share_tags_then_section,
    related_articles_share_vocabulary,
    list_costs_a_fixed_number_of_queries,
    section_includes_descendants,
    tags_all_and_any,
    ids_and_updated_since,
    date_filters_read_days_in_the_time_zone,
    date_filters_across_daylight_saving_changes,
    date_field_chooses_the_date,
    sort_orders_are_total,
    cursors_are_stable_while_articles_arrive,
    field_selection,
);
