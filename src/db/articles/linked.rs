//! The articles a body links to (`[text](article:ID)` or `article:SLUG`), as
//! readers may see them: public ones only, whoever reads, so that a link never
//! shows a draft's slug. One statement for a page of articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;

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
    Ok(visible(Visibility::Public, at)
        .filter(
            articles::public_id
                .eq_any(names)
                .or(articles::slug.eq_any(names)),
        )
        .select((articles::id, Member::as_select()))
        .load::<(i32, Member)>(conn)?
        .into_iter()
        .map(|(id, article)| Linked { id, article })
        .collect())
}
