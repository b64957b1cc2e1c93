//! What an article links to: its section, tags, authors and assets.

use diesel::prelude::*;

use crate::content::markdown;
use crate::db::assets;
use crate::db::schema::{article_authors, article_tags};
use crate::db::AnyConnection;
use crate::error::ApiResult;

pub(super) fn set_links(
    conn: &mut AnyConnection,
    article_id: i32,
    tag_slugs: Option<&[String]>,
    author_slugs: Option<&[String]>,
) -> ApiResult<()> {
    if let Some(slugs) = tag_slugs {
        let ids = crate::db::tags::ids_for(conn, slugs)?;
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
            .execute(conn)?;
        // One row at a time: multi-row inserts are not available across both backends.
        for (position, tag_id) in ids.into_iter().enumerate() {
            diesel::insert_into(article_tags::table)
                .values((
                    article_tags::article_id.eq(article_id),
                    article_tags::tag_id.eq(tag_id),
                    article_tags::position.eq(position as i32),
                ))
                .execute(conn)?;
        }
    }
    if let Some(slugs) = author_slugs {
        let ids = crate::db::authors::ids_for(conn, slugs)?;
        diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
            .execute(conn)?;
        for (position, author_id) in ids.into_iter().enumerate() {
            diesel::insert_into(article_authors::table)
                .values((
                    article_authors::article_id.eq(article_id),
                    article_authors::author_id.eq(author_id),
                    article_authors::position.eq(position as i32),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Records the assets an article uses: its cover (`None` keeps the one it has,
/// `Some(None)` takes it off) and those `body` names. Unknown assets are refused,
/// or left out when `lenient` (bringing back an article whose asset is gone).
pub(super) fn link_assets(
    conn: &mut AnyConnection,
    article_id: i32,
    cover: Option<Option<&str>>,
    body: &str,
    lenient: bool,
) -> ApiResult<()> {
    let cover = match cover {
        None => None,
        Some(None) => Some(None),
        Some(Some(public_id)) => {
            let found = assets::ids_for(conn, &[public_id.to_owned()], "cover", lenient)?;
            Some(found.first().copied())
        }
    };
    let named = assets::ids_for(conn, &markdown::asset_refs(body), "body", lenient)?;
    assets::link_article(conn, article_id, cover, &named)
}

pub(super) fn section_id(conn: &mut AnyConnection, slug: Option<&str>) -> ApiResult<Option<i32>> {
    slug.map(|s| crate::db::sections::id_for(conn, s, "section"))
        .transpose()
}
