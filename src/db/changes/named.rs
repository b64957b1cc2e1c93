//! The changes of sections, tags and authors, and of the articles that show them.

use super::{append, articles_showing, Action, Change, Resource};
use crate::db::AnyConnection;
use crate::error::ApiResult;

/// Logs the creation of a section, tag or author.
pub fn log_named_created(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, slug): (i32, &str),
    actor: &str,
) -> ApiResult<()> {
    append(
        conn,
        Change::named(resource, (id, slug, 1), Action::Created, actor),
    )?;
    Ok(())
}

/// Logs an edit of a section, tag or author that set `fields` and left it at
/// `new_slug` and `version`; when its name or slug changed, the articles that
/// show it changed too.
pub fn log_named_update(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, old_slug, new_slug): (i32, &str, &str),
    version: i32,
    fields: Vec<String>,
    actor: &str,
) -> ApiResult<()> {
    // An article shows its section's, tags' and authors' slugs and names, the
    // latter in its language.
    let shown_differently = fields
        .iter()
        .any(|f| ["slug", "name", "translations", "language"].contains(&f.as_str()));
    let mut change = Change::named(resource, (id, new_slug, version), Action::Updated, actor);
    change.previous_slug = (new_slug != old_slug).then_some(old_slug);
    change.fields = fields;
    append(conn, change)?;
    if shown_differently {
        articles_showing(conn, resource, id, actor)?;
    }
    Ok(())
}

/// Logs the deletion of a section, tag or author, and a change of every article
/// that showed it: call it before the row (and its links) go.
pub fn log_named_deleted(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, slug, version): (i32, &str, i32),
    actor: &str,
) -> ApiResult<()> {
    articles_showing(conn, resource, id, actor)?;
    append(
        conn,
        Change::named(resource, (id, slug, version), Action::Deleted, actor),
    )?;
    Ok(())
}
