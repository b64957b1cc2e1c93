//! Implied changes: an article whose representation changed because something
//! it shows changed elsewhere (its section's name, a tag's translation, its
//! cover's alt text). Its own version stays; the log still records an `updated`
//! change, so that caches are purged and sync clients and webhooks hear of it.

use diesel::prelude::*;

use super::{append, Action, Change, Resource};
use crate::db::AnyConnection;
use crate::error::ApiResult;

/// Records an `updated` change for every article that shows this section, tag or
/// author (whose name or slug changed, or which is going away): the article's own
/// version stays, its representation does not.
pub fn articles_showing(
    conn: &mut AnyConnection,
    resource: Resource,
    resource_id: i32,
    actor: &str,
) -> ApiResult<()> {
    use crate::db::schema::{article_authors, article_tags, articles};
    let columns = Shown::as_select();
    let shown: Vec<Shown> = match resource {
        Resource::Article => return Ok(()),
        Resource::Section => articles::table
            .filter(articles::section_id.eq(resource_id))
            .select(columns)
            .load(conn)?,
        Resource::Tag => articles::table
            .inner_join(article_tags::table)
            .filter(article_tags::tag_id.eq(resource_id))
            .select(columns)
            .load(conn)?,
        Resource::Author => articles::table
            .inner_join(article_authors::table)
            .filter(article_authors::author_id.eq(resource_id))
            .select(columns)
            .load(conn)?,
    };
    let field = match resource {
        Resource::Section => "section",
        Resource::Tag => "tags",
        _ => "authors",
    };
    log_shown_differently(conn, &shown, field, actor)
}

/// Records an `updated` change of every other version of the story `group`
/// (all but the article `except`): each lists the story's public versions in
/// `translations`, so one that appears, goes, moves or changes language changes
/// them all.
pub fn other_versions(
    conn: &mut AnyConnection,
    group: &str,
    except: i32,
    actor: &str,
) -> ApiResult<()> {
    use crate::db::schema::articles;
    let shown: Vec<Shown> = articles::table
        .filter(articles::translation_group.eq(group))
        .filter(articles::id.ne(except))
        .select(Shown::as_select())
        .load(conn)?;
    log_shown_differently(conn, &shown, "translations", actor)
}

/// Whether an article's change alters how its story's other versions list it:
/// it became or stopped being public (or may have: a deletion, a new schedule,
/// which is taken as one rather than tracked), or, public, changed what the list
/// shows of it. `public` is how the article stands in the row the change names.
pub fn changes_translations(action: Action, fields: &[String], public: bool) -> bool {
    match action {
        Action::Published
        | Action::Unpublished
        | Action::Scheduled
        | Action::Deleted
        | Action::Restored => true,
        Action::Created | Action::Updated => {
            public
                && fields.iter().any(|f| {
                    [
                        "slug",
                        "language",
                        "section",
                        "published_at",
                        "translation_group",
                    ]
                    .contains(&f.as_str())
                })
        }
        Action::Purged => false,
    }
}

/// An article's identity and filing, as an implied change names it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::articles)]
pub struct Shown {
    pub id: i32,
    pub public_id: String,
    pub slug: String,
    pub version: i32,
    pub section_id: Option<i32>,
    pub language: String,
}

/// Records an implied `updated` change of each of `shown`, whose `field` shows
/// something that changed elsewhere (a tag's name, a cover's alt text).
pub fn log_shown_differently(
    conn: &mut AnyConnection,
    shown: &[Shown],
    field: &str,
    actor: &str,
) -> ApiResult<()> {
    for article in shown {
        append(
            conn,
            Change {
                resource: Resource::Article,
                resource_id: article.id,
                public_id: &article.public_id,
                slug: &article.slug,
                previous_slug: None,
                version: article.version,
                action: Action::Updated,
                actor,
                fields: vec![field.to_owned()],
                section_id: article.section_id,
                language: Some(&article.language),
                implied: true,
                scope_before: Vec::new(),
            },
        )?;
    }
    Ok(())
}
