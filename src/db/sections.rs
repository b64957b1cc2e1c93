//! Sections: the tree an edition is organised in (`monde` › `asie`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::counts::{self, Taxonomy};
use super::named::named_store;
use super::schema::{articles, sections};
use super::AnyConnection;
use crate::content::names::NameTranslationEdits;
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
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = sections)]
pub struct SectionChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Stored as the parent's id (see `parent_of_edit`).
    #[diesel(skip_update)]
    pub parent: Option<Option<String>>,
    pub position: Option<i32>,
    /// `Some(None)` says no more which language its own texts are in.
    pub language: Option<Option<String>>,
    /// Merged into the stored translations rather than replacing them.
    #[diesel(skip_update)]
    pub translations: Option<NameTranslationEdits>,
}

named_store! {
    table: sections, row: SectionRow, new: NewSection, changes: SectionChanges,
    kind: Section, noun: "section", field: "section",
    order: [position, name],
    extra: [position],
    resolved: [parent_id from parent = parent_of_new / parent_of_edit],
    records: SectionRecord = with_parents,
    before_delete: ensure_empty,
}

/// Every section, in display order: the tree is small enough to send whole.
pub fn all(conn: &mut AnyConnection) -> ApiResult<Vec<SectionRecord>> {
    let rows = sections::table
        .order((sections::position, sections::name, sections::id))
        .select(SectionRow::as_select())
        .load(conn)?;
    with_parents(conn, rows)
}

/// Each section with its parent's slug and its number of published articles.
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

/// A new section's parent, which must exist.
fn parent_of_new(conn: &mut AnyConnection, new: &NewSection) -> ApiResult<Option<i32>> {
    new.parent
        .as_deref()
        .map(|parent| id_for(conn, parent, "parent"))
        .transpose()
}

/// The parent an edit moves the section to: it must exist and not be the section
/// itself or one of its descendants, so sections stay a tree.
fn parent_of_edit(
    conn: &mut AnyConnection,
    row: &SectionRow,
    changes: &SectionChanges,
) -> ApiResult<Option<Option<i32>>> {
    match &changes.parent {
        Some(Some(parent)) => {
            let pid = id_for(conn, parent, "parent")?;
            if is_ancestor_or_self(conn, row.id, pid)? {
                return Err(ApiError::invalid(
                    "parent",
                    format!("{parent:?} is this section or one of its descendants; sections form a tree"),
                ));
            }
            Ok(Some(Some(pid)))
        }
        Some(None) => Ok(Some(None)),
        None => Ok(None),
    }
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

/// Only an empty section may go: one with articles or subsections is a 409.
fn ensure_empty(conn: &mut AnyConnection, row: &SectionRow) -> ApiResult<()> {
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
            "the section {slug:?} still has {children} subsection(s) and {in_use} article(s); move or delete them first",
            slug = row.slug
        )));
    }
    Ok(())
}
