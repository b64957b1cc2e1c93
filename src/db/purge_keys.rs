//! Which surrogate keys a change purges (see `crate::surrogate` for what each key
//! names). They are worked out in the write's transaction, while both what the
//! resource was and what it has become can be read, and stored with the change.

use diesel::prelude::*;

use super::changes::{Action, Change, Resource};
use super::schema::{article_authors, article_tags, articles, authors, sections, tags};
use super::AnyConnection;
use crate::error::ApiResult;
use crate::surrogate::{self, SurrogateKeys};

/// Fields whose change can move an article into or out of a list, or within one
/// sorted by publication or title. Other edits purge the article's own key, which
/// every response showing it carries, and the lists any edit affects.
const MEMBERSHIP_FIELDS: &[&str] = &[
    "status",
    "published_at",
    "section",
    "tags",
    "authors",
    "language",
    "title",
];

/// The lists narrowed to what an article is filed under as the database holds it
/// now: its section and that section's ancestors (a section's lists include its
/// subsections), its tags and its authors.
pub fn article_scope(conn: &mut AnyConnection, article_id: i32) -> ApiResult<Vec<String>> {
    let mut keys = Vec::new();
    let section: Option<Option<i32>> = articles::table
        .find(article_id)
        .select(articles::section_id)
        .first(conn)
        .optional()?;
    if let Some(mut next) = section.flatten() {
        let tree: Vec<(i32, String, Option<i32>)> = sections::table
            .select((sections::id, sections::slug, sections::parent_id))
            .load(conn)?;
        // Bounded by the tree's size, in case a cycle ever slipped in.
        for _ in 0..tree.len() {
            let Some((_, slug, parent)) = tree.iter().find(|(id, _, _)| *id == next) else {
                break;
            };
            keys.push(surrogate::articles_of(Resource::Section, slug));
            match parent {
                Some(parent) => next = *parent,
                None => break,
            }
        }
    }
    let tag_slugs: Vec<String> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(article_id))
        .select(tags::slug)
        .load(conn)?;
    let author_slugs: Vec<String> = article_authors::table
        .inner_join(authors::table)
        .filter(article_authors::article_id.eq(article_id))
        .select(authors::slug)
        .load(conn)?;
    for (resource, slugs) in [(Resource::Tag, tag_slugs), (Resource::Author, author_slugs)] {
        keys.extend(
            slugs
                .iter()
                .map(|slug| surrogate::articles_of(resource, slug)),
        );
    }
    Ok(keys)
}

/// The keys `change` purges, read while the write that makes it is in progress.
pub(in crate::db) fn of(conn: &mut AnyConnection, change: &Change<'_>) -> ApiResult<SurrogateKeys> {
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::CHANGES);
    match change.resource {
        Resource::Article => {
            keys.add(surrogate::article(change.resource_id))
                .add(surrogate::ARTICLES_EDITS);
            // A rename of a section, tag or author purges its lists itself; the
            // articles showing it only change how they look.
            let moves = !change.implied
                && (change.action != Action::Updated
                    || change
                        .fields
                        .iter()
                        .any(|f| MEMBERSHIP_FIELDS.contains(&f.as_str())));
            if moves {
                keys.add(surrogate::ARTICLES)
                    .extend(change.scope_before.iter().cloned())
                    .extend(article_scope(conn, change.resource_id)?);
            }
        }
        resource => {
            for slug in std::iter::once(change.slug).chain(change.previous_slug) {
                keys.add(surrogate::named(resource, slug))
                    .add(surrogate::articles_of(resource, slug));
            }
            keys.add(surrogate::index(resource));
        }
    }
    Ok(keys)
}
