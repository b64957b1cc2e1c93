//! Which story (the group of an article's translations) a written article joins.

use diesel::prelude::*;

use super::find::find_by_public_id;
use super::rows::Translating;
use crate::content::ids::ArticleId;
use crate::db::schema::articles;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};

/// The group an article belongs in: the one `link` names, else its own.
pub fn group_for(
    conn: &mut AnyConnection,
    link: Option<&Translating>,
    public_id: &str,
) -> ApiResult<String> {
    match link {
        None => Ok(public_id.to_owned()),
        Some(Translating::Key(key)) => Ok(format!("key:{key}")),
        Some(Translating::Of(other)) => {
            let slug = match ArticleId::parse(other) {
                Some(id) => find_by_public_id(conn, &id)?.unwrap_or_else(|| other.clone()),
                None => other.clone(),
            };
            articles::table
                .filter(articles::slug.eq(&slug))
                .select(articles::translation_group)
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    ApiError::unknown_reference(
                        "translation_of",
                        format!("no article {other:?} to be a translation of"),
                    )
                })
        }
    }
}

/// Refuses a second version in one language: a group has one article per language.
pub fn ensure_language_free(
    conn: &mut AnyConnection,
    group: &str,
    language: &str,
    article_id: Option<i32>,
) -> ApiResult<()> {
    let taken: Option<(i32, String)> = articles::table
        .filter(articles::translation_group.eq(group))
        .filter(articles::language.eq(language))
        .select((articles::id, articles::slug))
        .first(conn)
        .optional()?;
    match taken {
        Some((id, slug)) if Some(id) != article_id => Err(ApiError::Conflict(format!(
            "the story already has a {language} version, {slug:?}: edit that one, or give \
             this article another language"
        ))),
        _ => Ok(()),
    }
}
