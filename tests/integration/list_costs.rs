//! Field selection on lists and single articles, and what a list costs the database.

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
    // The same statements, word for word: each is prepared once and then
    // reused from the connection's cache, whatever the page size.
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
