//! `src/db/schema.rs` describes exactly the tables the migrations create, on both backends.

use crate::common;

use common::TestApp;
use diesel::prelude::*;
use diesel::sql_types::Text;
use folio::db::schema::*;
use folio::db::AnyConnection;

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The columns the database has for `table`, sorted.
fn columns_in_database(conn: &mut AnyConnection, table: &str) -> Vec<String> {
    let mut names: Vec<String> = match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<ColumnName>(c)
        }
        AnyConnection::Postgres(c) => diesel::sql_query(format!(
            "SELECT column_name AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        ))
        .load::<ColumnName>(c),
    }
    .expect("introspect columns")
    .into_iter()
    .map(|c| c.name)
    .collect();
    assert!(!names.is_empty(), "the migrations create no table {table}");
    names.sort();
    names
}

/// The columns schema.rs declares, read from the SQL diesel generates for them.
fn columns_in_code<Q>(query: Q) -> Vec<String>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string();
    let list = sql
        .split_once("SELECT ")
        .and_then(|(_, rest)| rest.split_once(" FROM"))
        .map(|(cols, _)| cols.to_owned())
        .unwrap_or_else(|| panic!("unexpected SQL: {sql}"));
    let mut names: Vec<String> = list
        .split(", ")
        .map(|c| {
            c.rsplit('.')
                .next()
                .unwrap()
                .trim_matches(|q| q == '"' || q == '`')
                .to_owned()
        })
        .collect();
    names.sort();
    names
}

macro_rules! check_tables {
    ($conn:expr, $($table:ident),*) => {
        $(
            assert_eq!(
                columns_in_database($conn, stringify!($table)),
                columns_in_code($table::table.select($table::all_columns)),
                "schema.rs and the migrations disagree on {}",
                stringify!($table)
            );
        )*
    };
}

fn schema_matches_migrations(app: &TestApp) {
    let mut conn = app.db.get().expect("connection");
    check_tables!(
        &mut conn,
        sections,
        tags,
        authors,
        articles,
        article_tags,
        article_authors,
        article_slug_redirects,
        api_tokens,
        idempotency_keys,
        audit_log,
        article_revisions,
        article_trash,
        trash_slug_redirects,
        import_sources,
        changes,
        folio_state,
        assets,
        article_assets
    );
}

on_both_backends!(schema_matches_migrations);
