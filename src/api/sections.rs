//! `/v1/sections`: the tree of sections articles are filed in.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{nullable, required, Check, Integer, Name, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::locale::{LanguageTag, Locale, LocaleParams};
use super::name_translations::{
    self, Localize, SentTranslations, TermTranslation, TermTranslationEdits, TermTranslations,
};
use super::named::{self, in_language, named_routes, Form, Named};
use super::pagination::PageParams;
use super::Slug;
use crate::auth::Caller;
use crate::caching::keyed;
use crate::config::ServerSettings;
use crate::content::names::{self, NameTranslations, ShownLanguages, Text, Texts};
use crate::content::slug;
use crate::db::changes::Resource;
use crate::db::sections::{self as store, NewSection, SectionChanges, SectionRecord};
use crate::db::{AnyConnection, Database, PageRequest};
use crate::error::ApiResult;
use crate::site::Site;

const MAX_POSITION: i64 = 1_000_000;

/// A section.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "asie", "url": "https://news.example/asie", "name": "Asie", "description": "L’actualité du continent asiatique.",
    "parent": "monde", "position": 2, "article_count": 12,
    "translations": {"en": {"name": "Asia", "description": "News from the Asian continent."}}, "language": "fr",
    "created_at": "2024-11-27T08:00:00Z", "updated_at": "2024-11-27T08:00:00Z"
}))]
pub struct Section {
    pub slug: String,
    /// Its page on the public site (`FOLIO_SITE_URL`, then the slug); null without a site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
    pub name: String,
    pub description: String,
    /// The slug of the parent section; `null` for a top-level section.
    #[schema(required = true)]
    pub parent: Option<String>,
    /// Order among siblings, smallest first.
    pub position: i32,
    /// How many published articles are filed directly in it.
    pub article_count: i64,
    /// Its name and description in other languages; a read with `locale` shows
    /// `name` and `description` in the reader's language.
    #[schema(value_type = TermTranslations)]
    pub translations: NameTranslations,
    /// The language of its own name and description (BCP 47), when said: a
    /// reader of it gets them before any translation.
    #[schema(required = true, value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Localize for Section {
    fn localize(&mut self, order: &[String]) -> ShownLanguages {
        let mut texts = Texts::new(&self.translations, self.language.as_deref());
        texts.translate(order, Text::Name, &mut self.name);
        texts.translate(order, Text::Description, &mut self.description);
        texts.shown()
    }
}

impl Section {
    /// How the API shows `record`, with its page on `site`.
    pub fn new(record: SectionRecord, site: &Site) -> Self {
        let row = record.row;
        Self {
            url: site.page_url(None, &row.slug),
            slug: row.slug,
            name: row.name,
            description: row.description,
            parent: record.parent,
            position: row.position,
            article_count: record.article_count,
            translations: names::read(&row.translations),
            language: row.language,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A new section. Without a slug, one is made from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Asie", "parent": "monde", "position": 2}))]
pub struct SectionCreate {
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(value_type = Name)]
    pub name: String,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub description: Option<String>,
    /// The parent section's slug.
    #[schema(value_type = Option<Slug>)]
    pub parent: Option<String>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000000, default = 0)]
    pub position: Option<Integer>,
    #[schema(value_type = Option<TermTranslations>)]
    pub translations: Option<SentTranslations>,
    /// The language of its own name and description (BCP 47): a reader of it
    /// gets them before any translation.
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
}

/// Changes to a section: absent fields are left alone; `parent: null` makes it top-level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent": null, "position": 1}))]
pub struct SectionUpdate {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Slug)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Name)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Slug>)]
    pub parent: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = i64, minimum = 0, maximum = 1000000)]
    pub position: Option<Option<Integer>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = TermTranslationEdits)]
    pub translations: Option<Option<SentTranslations>>,
    /// `null`: its own texts' language is no more said.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<String>>,
}

impl Form<NewSection> for SectionCreate {
    fn parse(self) -> ApiResult<NewSection> {
        let mut check = Check::default();
        if let Some(slug) = &self.slug {
            check.slug("slug", slug);
        }
        check.line("name", &self.name, MAX_NAME_CHARS);
        let description = self.description.unwrap_or_default();
        check.text("description", &description, MAX_TEXT_CHARS);
        if let Some(parent) = &self.parent {
            check.slug("parent", parent);
        }
        let position = self.position.map_or(0, |p| p.0);
        check.range("position", position, 0, MAX_POSITION);
        let translations =
            name_translations::parse_new::<TermTranslation>(&mut check, self.translations);
        if let Some(language) = &self.language {
            name_translations::check_language(&mut check, language);
        }
        check.finish()?;
        Ok(NewSection {
            slug: self.slug,
            name: self.name,
            description,
            parent: self.parent,
            position: position as i32,
            translations,
            language: self.language,
        })
    }
}

impl Form<SectionChanges> for SectionUpdate {
    fn parse(self) -> ApiResult<SectionChanges> {
        let mut check = Check::default();
        let position = required(&mut check, "position", self.position).map(|p| p.0);
        let changes = SectionChanges {
            slug: required(&mut check, "slug", self.slug),
            name: required(&mut check, "name", self.name),
            description: required(&mut check, "description", self.description),
            parent: self.parent,
            position: position.map(|p| p.clamp(0, MAX_POSITION) as i32),
            translations: required(&mut check, "translations", self.translations)
                .map(|sent| name_translations::parse_edit::<TermTranslation>(&mut check, sent)),
            language: self.language,
        };
        if let Some(slug) = &changes.slug {
            check.slug("slug", slug);
        }
        if let Some(name) = &changes.name {
            check.line("name", name, MAX_NAME_CHARS);
        }
        if let Some(description) = &changes.description {
            check.text("description", description, MAX_TEXT_CHARS);
        }
        if let Some(Some(parent)) = &changes.parent {
            check.slug("parent", parent);
        }
        if let Some(p) = position {
            check.range("position", p, 0, MAX_POSITION);
        }
        if let Some(Some(language)) = &changes.language {
            name_translations::check_language(&mut check, language);
        }
        check.finish()?;
        Ok(changes)
    }
}

/// A section with its subsections, for `tree=true`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionNode {
    #[serde(flatten)]
    pub section: Section,
    /// Subsections, in display order.
    #[schema(no_recursion)]
    pub children: Vec<SectionNode>,
}

/// The whole section tree: top-level sections with their descendants.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionTree {
    pub data: Vec<SectionNode>,
}

/// A page of sections, or the whole tree with `tree=true`.
pub struct SectionsResponse;

impl utoipa::PartialSchema for SectionsResponse {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::any_of(&["ListPage_Section", "SectionTree"])
    }
}

impl ToSchema for SectionsResponse {}

/// How to shape the section list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeParam {
    /// Return every section nested under its parent (no pagination).
    #[param(default = false, example = true)]
    pub tree: Option<bool>,
}

/// Builds the nested tree from sections in display order.
fn nest(sections: Vec<Section>) -> Vec<SectionNode> {
    fn children_of(parent: Option<&str>, all: &[Section], depth: usize) -> Vec<SectionNode> {
        if depth > 100 {
            return Vec::new();
        }
        all.iter()
            .filter(|s| s.parent.as_deref() == parent)
            .map(|s| SectionNode {
                children: children_of(Some(&s.slug), all, depth + 1),
                section: s.clone(),
            })
            .collect()
    }
    children_of(None, &sections, 0)
}

/// List sections
///
/// Ordered by position then name; `parent` gives the tree, or `tree=true`
/// returns it nested. Each section carries its number of published articles.
#[utoipa::path(
    tag = "sections",
    params(PageParams, TreeParam, LocaleParams),
    responses((status = 200, description = "A page of sections, or the tree", body = SectionsResponse)),
)]
#[get("/sections")]
pub async fn list_sections(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<PageParams>,
    shape: web::Query<TreeParam>,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    if shape.tree.unwrap_or(false) {
        params.request(&settings.limits)?;
        let order = locale.reading_order(&settings.site.locales)?;
        let all = db.run(store::all).await?;
        let data = nest(
            all.into_iter()
                .map(|record| in_language(Section::new(record, &settings.site), order.as_deref()))
                .collect(),
        );
        let response = HttpResponse::Ok().json(SectionTree { data });
        return Ok(keyed(response, named::index_keys(Resource::Section)));
    }
    let params = params.into_inner();
    named::list::<Sections>(req, caller, db, settings, params, locale).await
}

named_routes! {
    noun: Sections, view: Section, tag: "sections",

    find:
        /// Get a section
        ///
        /// With its number of published articles.
        find_section("/sections/{slug}") => "The section";

    create:
        /// Create a section
        ///
        /// Top-level, or under `parent`; the slug is made from the name when not given.
        /// Needs `write`.
        create_section("/sections", SectionCreate) => "The section was created";

    update:
        /// Update a section
        ///
        /// Changes only the fields sent. A section cannot become its own descendant.
        update_section("/sections/{slug}", SectionUpdate) => "The updated section";

    delete:
        /// Delete a section
        ///
        /// Only an empty section can be deleted: one with articles or subsections answers 409.
        delete_section("/sections/{slug}") => "The section was deleted";
}

/// Sections, for the handlers they share with the other named resources.
pub struct Sections;

impl Named for Sections {
    const COLLECTION: &'static str = "sections";
    const RESOURCE: Resource = Resource::Section;
    type Record = SectionRecord;
    type View = Section;
    type New = NewSection;
    type Changes = SectionChanges;

    fn view(record: SectionRecord, site: &Site) -> Section {
        Section::new(record, site)
    }

    fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<SectionRecord>, i64)> {
        store::list(conn, page)
    }

    fn find(conn: &mut AnyConnection, slug: &slug::Slug) -> ApiResult<(i32, SectionRecord)> {
        store::find(conn, slug).map(|s| (s.row.version, s))
    }

    fn create(
        conn: &mut AnyConnection,
        new: NewSection,
        actor: &str,
    ) -> ApiResult<(String, SectionRecord)> {
        let record = store::create(conn, new, actor)?;
        Ok((record.row.slug.clone(), record))
    }

    fn update(
        conn: &mut AnyConnection,
        slug: &slug::Slug,
        changes: SectionChanges,
        actor: &str,
    ) -> ApiResult<(i32, SectionRecord)> {
        let record = store::update(conn, slug, changes, actor)?;
        Ok((record.row.version, record))
    }

    fn delete(conn: &mut AnyConnection, slug: &slug::Slug, actor: &str) -> ApiResult<()> {
        store::delete(conn, slug, actor)
    }
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_sections)
        .service(find_section)
        .service(create_section)
        .service(update_section)
        .service(delete_section);
}
