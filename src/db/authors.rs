//! Authors: the people credited on articles, in order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{self, Resource};
use super::counts::{self, Counted, Taxonomy};
use super::schema::authors;
use super::{now, AnyConnection, ById, PageRequest};
use crate::content::names::{self, NameTranslationEdits};
use crate::db::commit;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub bio: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Their texts in other languages, as `content::names` stores them.
    pub translations: String,
    /// The language of its own texts, when said.
    pub language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAuthor {
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
    pub bio: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub translations: NameTranslationEdits,
    pub language: Option<String>,
}

/// Outer `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub bio: Option<String>,
    pub email: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    /// `Some(None)` says no more which language their own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    #[diesel(skip_update)]
    pub translations: Option<NameTranslationEdits>,
}

impl AuthorChanges {
    /// The fields this edit sets, for the change log.
    fn named_fields(&self) -> Vec<String> {
        changes::fields_set(&[
            ("slug", self.slug.is_some()),
            ("name", self.name.is_some()),
            ("description", self.description.is_some()),
            ("bio", self.bio.is_some()),
            ("email", self.email.is_some()),
            ("avatar_url", self.avatar_url.is_some()),
            ("language", self.language.is_some()),
            ("translations", self.translations.is_some()),
        ])
    }
}

fn slugs_taken(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    Ok(authors::table
        .filter(authors::slug.eq_any(slugs))
        .select(authors::slug)
        .load(conn)?)
}

pub fn list(
    conn: &mut AnyConnection,
    page: PageRequest,
) -> ApiResult<(Vec<Counted<AuthorRow>>, i64)> {
    let total = authors::table.count().get_result(conn)?;
    let rows = authors::table
        .order((authors::name, authors::id))
        .limit(page.per_page)
        .offset(page.offset())
        .select(AuthorRow::as_select())
        .load(conn)?;
    Ok((
        counts::attach(conn, Taxonomy::Author, rows, |r| r.id)?,
        total,
    ))
}

/// An author with their number of published articles.
pub fn find_counted(conn: &mut AnyConnection, slug: &str) -> ApiResult<Counted<AuthorRow>> {
    let row = find(conn, slug)?;
    counts::attach_one(conn, Taxonomy::Author, row, |r| r.id)
}

/// Rows by id (see `ById`), with their article counts.
pub fn by_id(conn: &mut AnyConnection, selection: ById<'_>) -> ApiResult<Vec<Counted<AuthorRow>>> {
    let query = authors::table
        .order(authors::id)
        .select(AuthorRow::as_select());
    let rows = match selection {
        ById::After(after, limit) => query
            .filter(authors::id.gt(after))
            .limit(limit)
            .load(conn)?,
        ById::Only(ids) => query.filter(authors::id.eq_any(ids)).load(conn)?,
    };
    counts::attach(conn, Taxonomy::Author, rows, |r| r.id)
}

pub fn find(conn: &mut AnyConnection, slug: &str) -> ApiResult<AuthorRow> {
    authors::table
        .filter(authors::slug.eq(slug))
        .select(AuthorRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("there is no author {slug:?}")))
}

pub fn create(
    conn: &mut AnyConnection,
    new: NewAuthor,
    actor: &str,
) -> ApiResult<Counted<AuthorRow>> {
    let slug = super::choose_slug(conn, new.slug, &new.name, "author", &mut slugs_taken)?;
    let t = now();
    diesel::insert_into(authors::table)
        .values((
            authors::slug.eq(&slug),
            authors::name.eq(&new.name),
            authors::description.eq(&new.description),
            authors::bio.eq(&new.bio),
            authors::email.eq(&new.email),
            authors::avatar_url.eq(&new.avatar_url),
            authors::translations.eq(names::apply(names::NONE_STORED, new.translations)),
            authors::language.eq(&new.language),
            authors::created_at.eq(t),
            authors::updated_at.eq(t),
        ))
        .execute(conn)?;
    let created = find_counted(conn, &slug)?;
    let row = &created.item;
    changes::log_named_created(conn, Resource::Author, (row.id, &row.slug), actor)?;
    Ok(created)
}

pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    mut changes: AuthorChanges,
    actor: &str,
) -> ApiResult<Counted<AuthorRow>> {
    let row = find(conn, slug)?;
    let fields = changes.named_fields();
    if let Some(new_slug) = changes.slug.as_deref().filter(|s| *s != row.slug) {
        super::ensure_free(conn, new_slug, "author", &mut slugs_taken)?;
    }
    let new_slug = changes.slug.clone().unwrap_or(row.slug.clone());
    let translations = changes
        .translations
        .take()
        .map(|edits| authors::translations.eq(names::apply(&row.translations, edits)));
    diesel::update(authors::table.find(row.id))
        .set((
            &changes,
            translations,
            authors::updated_at.eq(now()),
            authors::version.eq(commit::next_version(row.version)),
        ))
        .execute(conn)?;
    let updated = find_counted(conn, &new_slug)?;
    let new = &updated.item;
    let slugs = (row.id, row.slug.as_str(), new.slug.as_str());
    changes::log_named_update(conn, Resource::Author, slugs, new.version, fields, actor)?;
    Ok(updated)
}

pub fn delete(conn: &mut AnyConnection, slug: &str, actor: &str) -> ApiResult<()> {
    let row = find(conn, slug)?;
    let logged = (row.id, row.slug.as_str(), row.version);
    changes::log_named_deleted(conn, Resource::Author, logged, actor)?;
    diesel::delete(authors::table.find(row.id)).execute(conn)?;
    Ok(())
}

/// Looks up authors by slug, keeping the byline order given.
pub fn ids_for(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<i32>> {
    let found: Vec<(i32, String)> = authors::table
        .filter(authors::slug.eq_any(slugs))
        .select((authors::id, authors::slug))
        .load(conn)?;
    super::resolve_in_order(slugs, &found, "authors", "author")
}
