//! Where imported articles came from, so that a re-import finds its own article.

use diesel::prelude::*;

use super::schema::{articles, import_sources};
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
    diesel::delete(import_sources::table.filter(import_sources::source.eq(source)))
        .execute(conn)?;
    diesel::insert_into(import_sources::table)
        .values((
            import_sources::source.eq(source),
            import_sources::article_id.eq(article_id),
            import_sources::digest.eq(digest),
        ))
        .execute(conn)?;
    Ok(())
}
