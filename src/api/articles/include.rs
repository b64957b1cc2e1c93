//! `include` on a single article: what its page shows beside it, read with it
//! in one request (its related articles, its section's path from the top, its
//! authors' profiles), and the keys that purge the answer when any of them
//! changes.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::{ArticleSummary, Included};
use crate::api::authors::Author;
use crate::api::named::in_language;
use crate::api::sections::Section;
use crate::content::change::Resource;
use crate::content::language;
use crate::content::slug::Slug;
use crate::db::articles::{ArticleRecord, Visibility};
use crate::db::sections::SectionRecord;
use crate::db::{authors, related, sections, AnyConnection};
use crate::error::{ApiError, ApiResult};
use crate::site::Site;
use crate::surrogate::{self, SurrogateKeys};

/// How many related articles `include=related` reads.
const RELATED: usize = 5;

/// What may be read with an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Include {
    /// Its most related articles (as `/related` answers, five of them).
    Related,
    /// Its section and the sections above it, from the top.
    SectionPath,
    /// Its authors' profiles, in byline order.
    Authors,
}

/// What to read with the article.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeParam {
    /// Comma-separated: what to read with the article, under `included`.
    #[param(value_type = Option<Vec<Include>>, style = Form, explode = false, min_items = 1, example = json!(["related", "section_path", "authors"]))]
    pub include: Option<String>,
}

impl IncludeParam {
    /// What was asked for, each once; a 400 names an unknown one.
    pub fn parse(&self) -> ApiResult<Vec<Include>> {
        let mut wanted = Vec::new();
        for name in self.include.iter().flat_map(|text| text.split(',')) {
            let include: Include = serde_json::from_value(serde_json::Value::String(
                name.trim().to_owned(),
            ))
            .map_err(|_| {
                ApiError::BadRequest(format!(
                    "include: {name:?} is not one of related, section_path, authors"
                ))
            })?;
            if !wanted.contains(&include) {
                wanted.push(include);
            }
        }
        Ok(wanted)
    }
}

/// Reads what `wanted` asks for beside `record` (seen with `visibility`), and
/// the keys of what it read. Names come in the article's language.
pub fn read(
    conn: &mut AnyConnection,
    record: &ArticleRecord,
    wanted: &[Include],
    visibility: Visibility,
    site: &Site,
) -> ApiResult<(Included, SurrogateKeys)> {
    let order = language::lookup_order(std::slice::from_ref(&record.row.language));
    let mut keys = SurrogateKeys::new();
    let mut included = Included {
        related: None,
        section_path: None,
        authors: None,
    };
    if wanted.contains(&Include::Related) {
        let found = related::related(conn, &record.row, visibility, RELATED)?;
        // Any edit may change what is related to what.
        keys.add(surrogate::ARTICLES_EDITS)
            .extend(found.iter().map(|r| surrogate::article(r.row.id)));
        included.related = Some(
            found
                .into_iter()
                .map(|r| ArticleSummary::new(r, site))
                .collect(),
        );
    }
    if wanted.contains(&Include::SectionPath) {
        let path = section_path(
            sections::all(conn)?,
            record.section.as_ref().map(|s| s.slug.as_str()),
        );
        keys.extend(
            path.iter()
                .map(|s| surrogate::named(Resource::Section, &s.row.slug)),
        );
        included.section_path = Some(
            path.into_iter()
                .map(|s| in_language(Section::new(s, site), Some(&order)))
                .collect(),
        );
    }
    if wanted.contains(&Include::Authors) {
        let mut profiles = Vec::new();
        for label in &record.authors {
            let Some(slug) = Slug::parse(&label.slug) else {
                continue;
            };
            keys.add(surrogate::named(Resource::Author, &label.slug));
            profiles.push(in_language(
                Author::new(authors::find(conn, &slug)?, site),
                Some(&order),
            ));
        }
        included.authors = Some(profiles);
    }
    Ok((included, keys))
}

/// The section `slug` and those above it, from the top (a parent that is gone,
/// or a circle, ends the walk).
fn section_path(all: Vec<SectionRecord>, slug: Option<&str>) -> Vec<SectionRecord> {
    let mut path: Vec<SectionRecord> = Vec::new();
    let mut next = slug.map(str::to_owned);
    while let Some(slug) = next.take() {
        let Some(found) = all.iter().find(|s| s.row.slug == slug) else {
            break;
        };
        if path.iter().any(|s| s.row.slug == slug) {
            break;
        }
        next = found.parent.clone();
        path.push(found.clone());
    }
    path.reverse();
    path
}
