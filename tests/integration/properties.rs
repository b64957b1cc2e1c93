//! Property tests: arbitrary input to the slug maker, the Markdown renderer, the
//! importers, the search parser and the article list's query string never panics,
//! and always yields a result or a clear client error.

use crate::common;

use actix_web::web::Query;
use actix_web::ResponseError;
use common::html::assert_inert;
use common::urlencode;
use folio::api::articles::query::ArticleListParams;
use folio::api::articles::ArticleCreate;
use folio::api::locale::{Locale, LocaleParams};
use folio::content::search::SearchQuery;
use folio::content::{dates, markdown, slug};
use folio::import::{parse_document, Options};
use proptest::prelude::*;

/// 300 cases a property; failures are printed, minimised, rather than saved to a
/// file (integration tests have no source directory proptest can find).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that leans on what breaks parsers: markup, quotes, separators, accents.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<",
        ">",
        "&",
        "\"",
        "'",
        "’",
        "«",
        "»",
        "\u{a0}",
        "\n",
        "\n\n",
        "---\n",
        "+++\n",
        "# ",
        "## ",
        "*",
        "_",
        "`",
        "```",
        "[",
        "](",
        ")",
        "!",
        "{",
        "}",
        ":",
        "=",
        "-",
        "œ",
        "cœur",
        "Tokaïev",
        "27 novembre 2024",
        "2024-11-27",
        "javascript:",
        "<script>",
        "%",
        "é",
        "😀",
        "\u{0}",
        "\t",
        "\\",
        "title:",
        "date:",
        "{\"title\":",
        "[1,",
        "null",
        " ",
    ]);
    prop_oneof![
        any::<String>(),
        prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn slugs_are_valid_and_stable(text in tricky_text()) {
        let made = slug::slugify(&text);
        prop_assert!(made.is_empty() || slug::is_valid(&made), "{made:?}");
        prop_assert!(made.len() <= slug::MAX_LEN);
        prop_assert_eq!(slug::slugify(&made), made.clone());
    }

    #[test]
    fn rendered_markdown_is_inert(text in tricky_text()) {
        assert_inert(&text, &markdown::render_html(&text));
        let _ = markdown::excerpt(&text);
        let _ = markdown::reading_stats(&text);
    }

    #[test]
    fn importers_answer_every_input(text in tricky_text(), ext in prop::sample::select(vec!["txt", "md", "json", "ndjson"])) {
        let options = Options {
            status: None,
            section: None,
            dry_run: true,
            timezone: chrono_tz::Europe::Paris,
            limits: Default::default(),
        };
        let mut messages = Vec::new();
        parse_document(&format!("fuzz.{ext}"), text.as_bytes(), &options, &mut |parsed| {
            if let Err(e) = parsed {
                messages.push(e.message);
            }
        });
        prop_assert!(messages.iter().all(|m| !m.is_empty()), "{messages:?}");
    }

    #[test]
    fn search_queries_parse_or_say_why(text in tricky_text()) {
        match SearchQuery::parse(&text) {
            Ok(query) => {
                prop_assert!(!query.fts5().is_empty());
                prop_assert!(!query.tsquery().is_empty());
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
        let _ = dates::parse_date(&text);
    }

    #[test]
    fn list_query_strings_are_parsed_or_a_client_error(
        pairs in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "q", "page", "per_page", "cursor", "include_total", "section", "descendants", "tag",
                    "tag_any", "author", "language", "status", "ids", "updated_since", "from", "to", "tz",
                    "date_field", "sort", "fields", "locale", "fallback", "other",
                ]),
                tricky_text(),
            ),
            0..6,
        )
    ) {
        let query: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        match Query::<ArticleListParams>::from_query(&query) {
            Err(_) => {} // served as a 400 by the query error handler
            Ok(params) => {
                let settings = folio::config::Config::from_env()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?
                    .server_settings();
                let locales: Locale = Query::<LocaleParams>::from_query(&query)
                    .map(Query::into_inner)
                    .unwrap_or_default()
                    .into();
                if let Err(e) = params.into_inner().parse(&locales, &settings) {
                    prop_assert!(e.status_code().is_client_error(), "{query}: {e}");
                }
            }
        }
    }
}

/// A JSON value of any shape, strings drawn from the tricky ones.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        tricky_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(tricky_text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn article_bodies_are_accepted_or_a_client_error(
        fields in prop::collection::btree_map(
            prop::sample::select(vec![
                "title", "body", "slug", "standfirst", "language", "status", "section", "tags",
                "authors", "published_at", "metadata",
            ]),
            json_value(),
            0..11,
        )
    ) {
        let body = serde_json::Value::Object(
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        );
        if let Ok(create) = serde_json::from_value::<ArticleCreate>(body) {
            if let Err(e) = create.parse(&Default::default()) {
                prop_assert!(e.status_code().is_client_error(), "{e}");
            }
        }
    }
}
