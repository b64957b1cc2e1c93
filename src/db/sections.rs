//! Sections: the tree an edition is organised in (`monde` › `asie`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{self, Resource};
use super::counts::{self, Taxonomy};
use super::schema::{articles, sections};
use super::{now, AnyConnection, PageRequest};
use crate::content::names::{self, NameTranslationEdits};
use crate::db::commit;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Its texts in other languages, as `content::names` stores them.
    pub translations: String,
    /// The language of its own texts, when said.
    pub language: Option<String>,
}

/// A section with its parent's slug and its number of published articles, as the API shows it.
#[derive(Debug, Clone)]
pub struct SectionRecord {
    pub row: SectionRow,
    pub parent: Option<String>,
    pub article_count: i64,
}

#[derive(Debug, Clone)]
pub struct NewSection {
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
    pub parent: Option<String>,
    pub position: i32,
    pub translations: NameTranslationEdits,
    pub language: Option<String>,
}

/// Outer `None` leaves a field alone; `parent: Some(None)` makes a top-level section.
#[derive(Debug, Clone, Default)]
pub struct SectionChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub parent: Option<Option<String>>,
    pub position: Option<i32>,
    /// `Some(None)` says no more which language its own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    pub translations: Option<NameTranslationEdits>,
}

impl SectionChanges {
    /// The fields this edit sets, for the change log.
    fn named_fields(&self) -> Vec<String> {
        changes::fields_set(&[
            ("slug", self.slug.is_some()),
            ("name", self.name.is_some()),
            ("description", self.description.is_some()),
            ("parent", self.parent.is_some()),
            ("position", self.position.is_some()),
            ("language", self.language.is_some()),
            ("translations", self.translations.is_some()),
        ])
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = sections)]
struct SectionUpdate {
    slug: Option<String>,
    name: Option<String>,
    description: Option<String>,
    parent_id: Option<Option<i32>>,
    position: Option<i32>,
    translations: Option<String>,
    language: Option<Option<String>>,
    updated_at: NaiveDateTime,
    version: i32,
}

fn slugs_taken(conn: &mut AnyConnection, slugs: &[String]) -> ApiResult<Vec<String>> {
    Ok(sections::table
        .filter(sections::slug.eq_any(slugs))
        .select(sections::slug)
        .load(conn)?)
}

fn with_parents(conn: &mut AnyConnection, rows: Vec<SectionRow>) -> ApiResult<Vec<SectionRecord>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let counts = counts::published(conn, Taxonomy::Section, &ids)?;
    let parent_ids: Vec<i32> = rows.iter().filter_map(|r| r.parent_id).collect();
    let parents: Vec<(i32, String)> = if parent_ids.is_empty() {
        Vec::new()
    } else {
        sections::table
            .filter(sections::id.eq_any(&parent_ids))
            .select((sections::id, sections::slug))
            .load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let parent = row
                .parent_id
                .and_then(|pid| parents.iter().find(|(id, _)| *id == pid))
                .map(|(_, slug)| slug.clone());
            let article_count = counts.get(&row.id).copied().unwrap_or(0);
            SectionRecord {
                row,
                parent,
                article_count,
            }
        })
        .collect())
}

/// Every section, in display order: the tree is small enough to send whole.
pub fn all(conn: &mut AnyConnection) -> ApiResult<Vec<SectionRecord>> {
    let rows = sections::table
        .order((sections::position, sections::name, sections::id))
        .select(SectionRow::as_select())
        .load(conn)?;
    with_parents(conn, rows)
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<SectionRecord>, i64)> {
    let total = sections::table.count().get_result(conn)?;
    let rows = sections::table
        .order((sections::position, sections::name, sections::id))
        .limit(page.per_page)
        .offset(page.offset())
        .select(SectionRow::as_select())
        .load(conn)?;
    Ok((with_parents(conn, rows)?, total))
}

/// The section's own row: no parents, no article count.
pub fn find_row(conn: &mut AnyConnection, slug: &str) -> ApiResult<SectionRow> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(SectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("there is no section {slug:?}")))
}

pub fn find(conn: &mut AnyConnection, slug: &str) -> ApiResult<SectionRecord> {
    let row = find_row(conn, slug)?;
    with_parents(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::Internal("section vanished while reading it".into()))
}

/// The id of the section with this slug; an unknown reference on `field` when missing.
pub fn id_for(conn: &mut AnyConnection, slug: &str, field: &str) -> ApiResult<i32> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(sections::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::unknown_reference(
                field,
                format!("no section with slug {slug:?}; create it first"),
            )
        })
}

pub fn create(conn: &mut AnyConnection, new: NewSection, actor: &str) -> ApiResult<SectionRecord> {
    let parent_id = new
        .parent
        .as_deref()
        .map(|p| id_for(conn, p, "parent"))
        .transpose()?;
    let slug = super::choose_slug(conn, new.slug, &new.name, "section", &mut slugs_taken)?;
    let t = now();
    diesel::insert_into(sections::table)
        .values((
            sections::slug.eq(&slug),
            sections::name.eq(&new.name),
            sections::description.eq(&new.description),
            sections::parent_id.eq(parent_id),
            sections::position.eq(new.position),
            sections::translations.eq(names::apply(names::NONE_STORED, new.translations)),
            sections::language.eq(&new.language),
            sections::created_at.eq(t),
            sections::updated_at.eq(t),
        ))
        .execute(conn)?;
    let created = find_row(conn, &slug)?;
    changes::log_named_created(conn, Resource::Section, (created.id, &created.slug), actor)?;
    find(conn, &slug)
}

/// Whether `ancestor` is `id` or one of its ancestors: a move that would make a cycle.
fn is_ancestor_or_self(conn: &mut AnyConnection, ancestor: i32, mut id: i32) -> ApiResult<bool> {
    for _ in 0..1_000 {
        if id == ancestor {
            return Ok(true);
        }
        let parent: Option<i32> = sections::table
            .find(id)
            .select(sections::parent_id)
            .first(conn)?;
        match parent {
            Some(p) => id = p,
            None => return Ok(false),
        }
    }
    Ok(true)
}

pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    changes: SectionChanges,
    actor: &str,
) -> ApiResult<SectionRecord> {
    let row = find_row(conn, slug)?;
    let fields = changes.named_fields();
    if let Some(new_slug) = changes.slug.as_deref().filter(|s| *s != row.slug) {
        super::ensure_free(conn, new_slug, "section", &mut slugs_taken)?;
    }
    let parent_id = match changes.parent {
        Some(Some(parent)) => {
            let pid = id_for(conn, &parent, "parent")?;
            if is_ancestor_or_self(conn, row.id, pid)? {
                return Err(ApiError::invalid(
                    "parent",
                    format!("{parent:?} is this section or one of its descendants; sections form a tree"),
                ));
            }
            Some(Some(pid))
        }
        Some(None) => Some(None),
        None => None,
    };
    let new_slug = changes.slug.clone().unwrap_or(row.slug.clone());
    diesel::update(sections::table.find(row.id))
        .set(SectionUpdate {
            slug: changes.slug,
            name: changes.name,
            description: changes.description,
            parent_id,
            position: changes.position,
            translations: changes
                .translations
                .map(|edits| names::apply(&row.translations, edits)),
            language: changes.language,
            updated_at: now(),
            version: commit::next_version(row.version),
        })
        .execute(conn)?;
    let slugs = (row.id, row.slug.as_str(), new_slug.as_str());
    changes::log_named_update(
        conn,
        Resource::Section,
        slugs,
        commit::next_version(row.version),
        fields,
        actor,
    )?;
    find(conn, &new_slug)
}

/// Deletes an empty section: one with articles or subsections is a 409.
pub fn delete(conn: &mut AnyConnection, slug: &str, actor: &str) -> ApiResult<()> {
    let row = find_row(conn, slug)?;
    let children: i64 = sections::table
        .filter(sections::parent_id.eq(row.id))
        .count()
        .get_result(conn)?;
    let in_use: i64 = articles::table
        .filter(articles::section_id.eq(row.id))
        .count()
        .get_result(conn)?;
    if children > 0 || in_use > 0 {
        return Err(ApiError::Conflict(format!(
            "the section {slug:?} still has {children} subsection(s) and {in_use} article(s); move or delete them first"
        )));
    }
    let logged = (row.id, row.slug.as_str(), row.version);
    changes::log_named_deleted(conn, Resource::Section, logged, actor)?;
    diesel::delete(sections::table.find(row.id)).execute(conn)?;
    Ok(())
}
