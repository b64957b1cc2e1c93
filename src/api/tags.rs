//! `/v1/tags`: flat labels for articles.

use actix_web::{delete, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{nullable, required, Check, Name, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::locale::LanguageTag;
use super::name_translations::{
    self, Localize, SentTranslations, TermTranslation, TermTranslationEdits, TermTranslations,
};
use super::named::{named_routes, Form, Named};
use super::Slug;
use crate::content::names::{self, NameTranslations, ShownLanguages, Text, Texts};
use crate::content::slug;
use crate::db::changes::Resource;
use crate::db::counts::Counted;
use crate::db::tags::{self as store, NewTag, TagChanges, TagRow};
use crate::db::{AnyConnection, PageRequest};
use crate::error::ApiResult;
use crate::site::Site;

/// A tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "energie", "url": "https://news.example/tag/energie", "name": "Énergie", "description": "Pétrole, gaz et nucléaire.",
    "article_count": 12, "translations": {"en": {"name": "Energy", "description": "Oil, gas and nuclear power."}}, "language": "fr",
    "created_at": "2024-11-27T08:00:00Z", "updated_at": "2024-11-27T08:00:00Z"
}))]
pub struct Tag {
    pub slug: String,
    /// Its page on the public site (`FOLIO_SITE_URL`, then `/tag/` and the slug); null without a site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
    pub name: String,
    pub description: String,
    /// How many published articles carry it.
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

impl Localize for Tag {
    fn localize(&mut self, order: &[String]) -> ShownLanguages {
        let mut texts = Texts::new(&self.translations, self.language.as_deref());
        texts.translate(order, Text::Name, &mut self.name);
        texts.translate(order, Text::Description, &mut self.description);
        texts.shown()
    }
}

impl Tag {
    /// How the API shows `counted`, with its page on `site`.
    pub fn new(counted: Counted<TagRow>, site: &Site) -> Self {
        let row = counted.item;
        Self {
            article_count: counted.article_count,
            url: site.page_url(Some("tag"), &row.slug),
            slug: row.slug,
            name: row.name,
            description: row.description,
            translations: names::read(&row.translations),
            language: row.language,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A new tag. Without a slug, one is made from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Énergie", "description": "Pétrole, gaz et nucléaire."}))]
pub struct TagCreate {
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(value_type = Name)]
    pub name: String,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub description: Option<String>,
    #[schema(value_type = Option<TermTranslations>)]
    pub translations: Option<SentTranslations>,
    /// The language of its own name and description (BCP 47): a reader of it
    /// gets them before any translation.
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
}

/// Changes to a tag: absent fields are left alone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Énergie et climat"}))]
pub struct TagUpdate {
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
    #[schema(value_type = TermTranslationEdits)]
    pub translations: Option<Option<SentTranslations>>,
    /// `null`: its own texts' language is no more said.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<String>>,
}

impl Form<NewTag> for TagCreate {
    fn parse(self) -> ApiResult<NewTag> {
        let mut check = Check::default();
        if let Some(slug) = &self.slug {
            check.slug("slug", slug);
        }
        check.line("name", &self.name, MAX_NAME_CHARS);
        let description = self.description.unwrap_or_default();
        check.text("description", &description, MAX_TEXT_CHARS);
        let translations =
            name_translations::parse_new::<TermTranslation>(&mut check, self.translations);
        if let Some(language) = &self.language {
            name_translations::check_language(&mut check, language);
        }
        check.finish()?;
        Ok(NewTag {
            slug: self.slug,
            name: self.name,
            description,
            translations,
            language: self.language,
        })
    }
}

impl Form<TagChanges> for TagUpdate {
    fn parse(self) -> ApiResult<TagChanges> {
        let mut check = Check::default();
        let changes = TagChanges {
            slug: required(&mut check, "slug", self.slug),
            name: required(&mut check, "name", self.name),
            description: required(&mut check, "description", self.description),
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
        if let Some(Some(language)) = &changes.language {
            name_translations::check_language(&mut check, language);
        }
        check.finish()?;
        Ok(changes)
    }
}

named_routes! {
    noun: Tags, view: Tag, tag: "tags",

    list:
        /// List tags
        ///
        /// All tags, alphabetically.
        list_tags("/tags") => "A page of tags";

    find:
        /// Get a tag
        ///
        /// With its number of published articles.
        find_tag("/tags/{slug}") => "The tag";

    create:
        /// Create a tag
        ///
        /// The slug is made from the name when not given. Needs `write`.
        create_tag("/tags", TagCreate) => "The tag was created";

    update:
        /// Update a tag
        ///
        /// Changes only the fields sent.
        update_tag("/tags/{slug}", TagUpdate) => "The updated tag";

    delete:
        /// Delete a tag
        ///
        /// The tag is removed from every article that carried it.
        delete_tag("/tags/{slug}") => "The tag was deleted";
}

/// Tags, for the handlers they share with the other named resources.
pub struct Tags;

impl Named for Tags {
    const COLLECTION: &'static str = "tags";
    const RESOURCE: Resource = Resource::Tag;
    type Record = Counted<TagRow>;
    type View = Tag;
    type New = NewTag;
    type Changes = TagChanges;

    fn view(record: Counted<TagRow>, site: &Site) -> Tag {
        Tag::new(record, site)
    }

    fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<Counted<TagRow>>, i64)> {
        store::list(conn, page)
    }

    fn find(conn: &mut AnyConnection, slug: &slug::Slug) -> ApiResult<(i32, Counted<TagRow>)> {
        store::find(conn, slug).map(|t| (t.item.version, t))
    }

    fn create(
        conn: &mut AnyConnection,
        new: NewTag,
        actor: &str,
    ) -> ApiResult<(String, Counted<TagRow>)> {
        let row = store::create(conn, new, actor)?;
        Ok((row.item.slug.clone(), row))
    }

    fn update(
        conn: &mut AnyConnection,
        slug: &slug::Slug,
        changes: TagChanges,
        actor: &str,
    ) -> ApiResult<(i32, Counted<TagRow>)> {
        let row = store::update(conn, slug, changes, actor)?;
        Ok((row.item.version, row))
    }

    fn delete(conn: &mut AnyConnection, slug: &slug::Slug, actor: &str) -> ApiResult<()> {
        store::delete(conn, slug, actor)
    }
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_tags)
        .service(find_tag)
        .service(create_tag)
        .service(update_tag)
        .service(delete_tag);
}
