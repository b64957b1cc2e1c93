//! Tags: flat labels attached to articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{self, Resource};
use super::counts::{self, Counted, Taxonomy};
use super::schema::tags;
use super::{now, AnyConnection, ById, PageRequest};
use crate::content::names::{self, NameTranslationEdits};
use crate::db::commit;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Its texts in other languages, as `content::names` stores them.
    pub translations: String,
    /// The language of its own texts, when said.
    pub language: Option<String>,
}

/// A new tag; `slug` None derives one from the name.
#[derive(Debug, Clone)]
pub struct NewTag {
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
    pub translations: NameTranslationEdits,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` says no more which language its own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    #[diesel(skip_update)]
    pub translations: Option<NameTranslationEdits>,
}

impl TagChanges {
    /// The fields this edit sets, for the change log.
    fn named_fields(&self) -> Vec<String> {
        changes::fields_set(&[
            ("slug", self.slug.is_some()),
            ("name", self.name.is_some()),
            ("description", self.description.is_some()),
            ("language", self.language.is_some()),
            ("translations", self.translations.is_some()),
        ])
    }
}

fn slugs_taken(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    Ok(tags::table
        .filter(tags::slug.eq_any(slugs))
        .select(tags::slug)
        .load(conn)?)
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<Counted<TagRow>>, i64)> {
    let total = tags::table.count().get_result(conn)?;
    let rows = tags::table
        .order((tags::name, tags::id))
        .limit(page.per_page)
        .offset(page.offset())
        .select(TagRow::as_select())
        .load(conn)?;
    Ok((counts::attach(conn, Taxonomy::Tag, rows, |r| r.id)?, total))
}

/// A tag with its number of published articles.
pub fn find_counted(conn: &mut AnyConnection, slug: &str) -> ApiResult<Counted<TagRow>> {
    let row = find(conn, slug)?;
    counts::attach_one(conn, Taxonomy::Tag, row, |r| r.id)
}

/// Rows by id (see `ById`), with their article counts.
pub fn by_id(conn: &mut AnyConnection, selection: ById<'_>) -> ApiResult<Vec<Counted<TagRow>>> {
    let query = tags::table.order(tags::id).select(TagRow::as_select());
    let rows = match selection {
        ById::After(after, limit) => query.filter(tags::id.gt(after)).limit(limit).load(conn)?,
        ById::Only(ids) => query.filter(tags::id.eq_any(ids)).load(conn)?,
    };
    counts::attach(conn, Taxonomy::Tag, rows, |r| r.id)
}

pub fn find(conn: &mut AnyConnection, slug: &str) -> ApiResult<TagRow> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("there is no tag {slug:?}")))
}

pub fn create(conn: &mut AnyConnection, new: NewTag, actor: &str) -> ApiResult<Counted<TagRow>> {
    let slug = super::choose_slug(conn, new.slug, &new.name, "tag", &mut slugs_taken)?;
    let t = now();
    diesel::insert_into(tags::table)
        .values((
            tags::slug.eq(&slug),
            tags::name.eq(&new.name),
            tags::description.eq(&new.description),
            tags::translations.eq(names::apply(names::NONE_STORED, new.translations)),
            tags::language.eq(&new.language),
            tags::created_at.eq(t),
            tags::updated_at.eq(t),
        ))
        .execute(conn)?;
    let created = find_counted(conn, &slug)?;
    let row = &created.item;
    changes::log_named_created(conn, Resource::Tag, (row.id, &row.slug), actor)?;
    Ok(created)
}

pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    mut changes: TagChanges,
    actor: &str,
) -> ApiResult<Counted<TagRow>> {
    let row = find(conn, slug)?;
    let fields = changes.named_fields();
    if let Some(new_slug) = changes.slug.as_deref().filter(|s| *s != row.slug) {
        super::ensure_free(conn, new_slug, "tag", &mut slugs_taken)?;
    }
    let new_slug = changes.slug.clone().unwrap_or(row.slug.clone());
    let translations = changes
        .translations
        .take()
        .map(|edits| tags::translations.eq(names::apply(&row.translations, edits)));
    diesel::update(tags::table.find(row.id))
        .set((
            &changes,
            translations,
            tags::updated_at.eq(now()),
            tags::version.eq(commit::next_version(row.version)),
        ))
        .execute(conn)?;
    let updated = find_counted(conn, &new_slug)?;
    let new = &updated.item;
    let slugs = (row.id, row.slug.as_str(), new.slug.as_str());
    changes::log_named_update(conn, Resource::Tag, slugs, new.version, fields, actor)?;
    Ok(updated)
}

pub fn delete(conn: &mut AnyConnection, slug: &str, actor: &str) -> ApiResult<()> {
    let row = find(conn, slug)?;
    let logged = (row.id, row.slug.as_str(), row.version);
    changes::log_named_deleted(conn, Resource::Tag, logged, actor)?;
    diesel::delete(tags::table.find(row.id)).execute(conn)?;
    Ok(())
}

/// Looks up tags by slug, in the order given; names any that do not exist.
pub fn ids_for(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<i32>> {
    let found: Vec<(i32, String)> = tags::table
        .filter(tags::slug.eq_any(slugs))
        .select((tags::id, tags::slug))
        .load(conn)?;
    super::resolve_in_order(slugs, &found, "tags", "tag")
}
