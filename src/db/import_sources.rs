//! Where imported articles came from, so that a re-import finds its own article.

use diesel::prelude::*;

use super::schema::{articles, import_sources};
use super::static_sql::StaticSql;
use super::AnyConnection;
use crate::error::ApiResult;

/// The article a source made, and the digest of what the source said then.
pub struct Known {
    pub slug: String,
    pub digest: String,
}

pub fn find(conn: &mut AnyConnection, source: &str) -> ApiResult<Option<Known>> {
    Ok(import_sources::table
        .inner_join(articles::table)
        .filter(import_sources::source.eq(source))
        .select((articles::slug, import_sources::digest))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(slug, digest)| Known { slug, digest }))
}

/// Records that `source`, saying what `digest` sums up, is the article `article_id`.
pub fn record(
    conn: &mut AnyConnection,
    source: &str,
    article_id: i32,
    digest: &str,
) -> ApiResult<()> {
    // One statement where a delete and an insert would be two round trips.
    StaticSql::<()>::new("INSERT INTO import_sources (source, article_id, digest) VALUES (")
        .bind_text(source.to_owned())
        .sql(", ")
        .bind_big_int(article_id.into())
        .sql(", ")
        .bind_text(digest.to_owned())
        .sql(
            ") ON CONFLICT (source) DO UPDATE \
         SET article_id = excluded.article_id, digest = excluded.digest",
        )
        .execute(conn)?;
    Ok(())
}
