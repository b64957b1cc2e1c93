//! An article's write as the change log records it.

use super::rows::ArticleRow;
use crate::db::changes::{self, Action, Change, Resource, Standing};
use crate::db::{now, AnyConnection};
use crate::error::ApiResult;

/// Where an article stands for readers now.
pub(super) fn standing(row: &ArticleRow) -> Standing {
    Standing::of(&row.status, row.published_at, now())
}

/// Appends an article's change to the log, and the implied changes of the other
/// versions of its story when their `translations` show it differently.
/// `scope_before` names the lists the article was in before the write when it may
/// have left them (see `Change`).
pub(in crate::db) fn log_change(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    action: Action,
    (previous_slug, scope_before): (Option<&str>, Vec<String>),
    fields: Vec<String>,
    actor: &str,
) -> ApiResult<()> {
    let others_shown_differently =
        changes::changes_translations(action, &fields, standing(row) == Standing::Public);
    changes::append(
        conn,
        Change {
            resource: Resource::Article,
            resource_id: row.id,
            public_id: &row.public_id,
            slug: &row.slug,
            previous_slug,
            version: row.version,
            action,
            actor,
            fields,
            section_id: row.section_id,
            language: Some(&row.language),
            implied: false,
            scope_before,
        },
    )?;
    if others_shown_differently {
        changes::other_versions(conn, &row.translation_group, row.id, actor)?;
    }
    Ok(())
}
