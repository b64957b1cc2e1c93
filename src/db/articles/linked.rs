//! The articles a body links to (`[text](article:ID)` or `article:SLUG`), as
//! readers may see them: public ones only, whoever reads, so that a link never
//! shows a draft's slug. One statement for a page of articles.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::rows::{visible, Linked, Member, Visibility};
use crate::db::schema::articles;
use crate::db::AnyConnection;
use crate::error::ApiResult;

/// The public articles among `names` (ids or slugs, lower-cased), at `at`.
pub(super) fn public_targets(
    conn: &mut AnyConnection,
    names: &[String],
    at: NaiveDateTime,
) -> ApiResult<Vec<Linked>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (
        i32,
        String,
        String,
        String,
        Option<String>,
        Option<NaiveDateTime>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = visible(Visibility::Public, at)
        .filter(
            articles::public_id
                .eq_any(names)
                .or(articles::slug.eq_any(names)),
        )
        .select((
            articles::id,
            articles::public_id,
            articles::slug,
            articles::language,
            sql::<Nullable<Text>>(
                "(SELECT sections.slug FROM sections WHERE sections.id = articles.section_id)",
            ),
            articles::published_at,
            articles::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, public_id, slug, language, section, published_at, created_at)| Linked {
                id,
                article: Member {
                    public_id,
                    slug,
                    language,
                    section,
                    published_at,
                    created_at,
                },
            },
        )
        .collect())
}
