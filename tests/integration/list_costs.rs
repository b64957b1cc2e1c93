//! Field selection on lists and single articles, and what a list costs the database.

use std::collections::BTreeMap;

use crate::common;

use common::{published, TestApp};
use serde_json::json;

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

/// Runs `read` on a connection of `app`'s, and the statements it ran, as SQL
/// text without their bound values.
fn statements_of<T>(
    app: &TestApp,
    read: impl FnOnce(&mut folio::db::AnyConnection) -> T,
) -> (T, Vec<String>) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::{Arc, Mutex};

    let statements = Arc::new(Mutex::new(Vec::new()));
    let seen = statements.clone();
    let mut conn = app.db.get().expect("connection");
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            let sql = text.split(" -- binds:").next().unwrap_or_default();
            seen.lock().expect("statements").push(sql.to_owned());
        }
    });
    let result = read(&mut conn);
    let statements = statements.lock().expect("statements").clone();
    (result, statements)
}

/// A single article as its page reads it (everything, Last-Modified included):
/// one statement, and one more for each kind of thing it links to (tags and
/// authors; images; other versions).
fn an_article_costs_a_statement_per_kind_of_link(app: &TestApp) {
    use folio::db::articles::{find, Lookup, Parts, Visibility};
    app.post("/v1/tags", json!({"name": "Russie"})).expect(201);
    published(app, "seul", "2024-11-27T09:00:00Z", json!({}));
    published(
        app,
        "etiquete",
        "2024-11-27T09:00:00Z",
        json!({"tags": ["russie"]}),
    );
    let parts = Parts {
        last_change: true,
        ..Parts::ALL
    };
    for (slug, expected) in [("seul", 1), ("etiquete", 2)] {
        let (found, statements) = statements_of(app, |conn| {
            find(conn, slug, Visibility::Public, parts).expect("find")
        });
        let Lookup::Found(record) = found else {
            panic!("{slug} is found")
        };
        assert!(
            record.last_change.is_some(),
            "{slug}: its newest change is read"
        );
        assert_eq!(statements.len(), expected, "{slug}: {statements:#?}");
    }
}

/// The statements `list` runs for a page of `per_page` articles, as SQL text
/// without their bound values.
fn statements_for_page(app: &TestApp, per_page: i64) -> (usize, Vec<String>) {
    use folio::db::article_list::{list, ArticleFilter, Sort, Window};
    use folio::db::articles::{Parts, Visibility};

    let filter = ArticleFilter {
        tags_any: vec!["russie".into(), "chine".into()],
        ..ArticleFilter::default()
    };
    let (result, statements) = statements_of(app, |conn| {
        list(
            conn,
            &filter,
            Visibility::Public,
            Sort::PublishedDesc,
            &Window::After(None, per_page),
            true,
            Parts::ALL,
        )
        .expect("list")
    });
    assert!(result
        .records
        .iter()
        .all(|r| r.tags.len() == 2 && r.authors.len() == 2 && r.section.is_some()));
    (result.records.len(), statements)
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
    // The same statements, word for word, whatever the page size: SQLite prepares
    // each once and reuses it from the connection's cache (PostgreSQL plans those
    // of a filtered list each time, for their values).
    assert_eq!(
        small_statements, large_statements,
        "the page size must not change the statements"
    );
    // Tag ids (for the count and for the page; on SQLite with how many links they
    // have, too), count, the page's ids, their rows with sections, tags and authors.
    assert!(
        (4..=8).contains(&large_statements.len()),
        "{} statements for a page of 100: {large_statements:#?}",
        large_statements.len()
    );
}

on_both_backends!(
    field_selection,
    list_costs_a_fixed_number_of_queries,
    an_article_costs_a_statement_per_kind_of_link,
);

/// The statements on the one connection of `app`'s pool, with how many times
/// PostgreSQL planned each for its values and how many times it used a plan
/// made without them (a generic plan).
fn prepared_statements(app: &TestApp) -> BTreeMap<String, (i64, i64)> {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = Text)]
        statement: String,
        #[diesel(sql_type = BigInt)]
        custom_plans: i64,
        #[diesel(sql_type = BigInt)]
        generic_plans: i64,
    }
    let mut conn = app.db.get().expect("the one connection");
    let folio::db::AnyConnection::Postgres(conn) = &mut *conn else {
        panic!("a PostgreSQL test")
    };
    diesel::sql_query("SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements")
        .load::<Prepared>(conn)
        .expect("pg_prepared_statements")
        .into_iter()
        .map(|p| (p.statement, (p.custom_plans, p.generic_plans)))
        .collect()
}

/// PostgreSQL plans lists for the values they are asked for: searches, filters,
/// the archive and lists in a language, run ten times on one connection, are
/// never given a generic plan (one made without the values, which PostgreSQL may
/// switch to after five runs: a newest-first search went from 4 ms to 30-40 ms
/// that way), and no later run is several times slower than the first.
#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn postgres_plans_lists_for_their_values() {
    use std::time::{Duration, Instant};

    let test_db = common::TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let url = test_db.url.clone();
    // One connection for the server and its workers: every statement they keep
    // is prepared on it, where pg_prepared_statements shows how it was planned.
    let app = TestApp::spawn_over(
        test_db,
        move |_| folio::db::Database::connect(&url, 1).expect("one connection"),
        |_| {},
    );
    app.post("/v1/sections", json!({"name": "Monde", "slug": "monde"}))
        .expect(201);
    for n in 0..40 {
        let section = if n % 2 == 0 {
            json!("monde")
        } else {
            json!(null)
        };
        published(
            &app,
            &format!("alliance-{n}"),
            &format!("2024-11-{:02}T09:00:00Z", 1 + n % 28),
            json!({"section": section, "title": format!("Une alliance stratégique {n}"),
                   "body": "Le cœur de l’alliance est nucléaire.", "language": if n % 3 == 0 { "en" } else { "fr" }}),
        );
    }
    let before = prepared_statements(&app);
    let lists = [
        "/v1/articles?q=alliance&sort=-published_at&per_page=20",
        "/v1/articles?q=alliance&per_page=20",
        "/v1/articles?q=%22alliance%20strat%C3%A9gique%22%20-chine&per_page=5",
        "/v1/articles?section=monde&per_page=10",
        "/v1/articles?from=2024-11-03&to=2024-11-09&tz=Europe/Paris",
        "/v1/articles?locale=fr&fallback=en&section=monde",
        "/v1/archive?granularity=month",
        "/v1/archive?granularity=day&from=2024-11-01&to=2024-11-30&section=monde",
    ];
    for path in lists {
        let mut took = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            app.get(path).expect(200);
            took.push(started.elapsed());
        }
        let (first, slowest) = (took[0], took[1..].iter().max().copied().unwrap_or_default());
        assert!(
            slowest < first * 5 + Duration::from_millis(50),
            "{path}: a later run took {slowest:?}, the first {first:?}: {took:?}"
        );
    }

    // What the lists ran from the connection's cache, and how it was planned.
    let after = prepared_statements(&app);
    let reused: Vec<(&String, i64)> = after
        .iter()
        .filter(|(statement, plans)| before.get(*statement) != Some(plans))
        .map(|(statement, (_, generic))| (statement, *generic))
        .collect();
    assert!(
        reused.iter().any(|(_, generic)| *generic > 0),
        "reading rows by id is kept and planned once: {reused:#?}"
    );
    // A plan made without the values serves only statements it cannot mislead:
    // rows read by their ids, or read without a condition from the request.
    let misled: Vec<&(&String, i64)> = reused
        .iter()
        .filter(|(statement, generic)| {
            *generic > 0 && statement.contains("WHERE") && !statement.contains("unnest(")
        })
        .collect();
    assert!(misled.is_empty(), "generic plans for lists: {misled:#?}");
}
