//! `/v1/authors`: the people credited on articles.

use actix_web::{delete, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{nullable, required, Check, Name, WebUrl, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::locale::LanguageTag;
use super::name_translations::{
    self, AuthorTranslation, AuthorTranslationEdits, AuthorTranslations, Localize, SentTranslations,
};
use super::named::{named_routes, Form, Named};
use super::Slug;
use crate::content::names::{self, NameTranslations, ShownLanguages, Text, Texts};
use crate::content::slug;
use crate::db::authors::{self as store, AuthorChanges, AuthorRow, NewAuthor};
use crate::db::changes::Resource;
use crate::db::counts::Counted;
use crate::db::{AnyConnection, PageRequest};
use crate::error::ApiResult;
use crate::site::Site;

/// An author.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "claire-dubois", "url": "https://news.example/author/claire-dubois", "name": "Claire Dubois", "description": "Correspondante en Asie centrale",
    "bio": "Claire Dubois couvre l’Asie centrale depuis Almaty.", "email": "claire.dubois@example.org",
    "avatar_url": null, "article_count": 12,
    "translations": {"en": {"description": "Central Asia correspondent", "bio": "Claire Dubois has covered Central Asia from Almaty since 2019."}}, "language": "fr",
    "created_at": "2024-11-27T08:00:00Z", "updated_at": "2024-11-27T08:00:00Z"
}))]
pub struct Author {
    pub slug: String,
    /// Their page on the public site (`FOLIO_SITE_URL`, then `/author/` and the slug); null without a site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
    pub name: String,
    /// A one-line description, such as a job title.
    pub description: String,
    /// A longer biography.
    pub bio: String,
    #[schema(required = true)]
    pub email: Option<String>,
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    /// How many published articles carry it.
    pub article_count: i64,
    /// Their name, description and biography in other languages; a read with
    /// `locale` shows them in the reader's language.
    #[schema(value_type = AuthorTranslations)]
    pub translations: NameTranslations,
    /// The language of their own name and description (BCP 47), when said: a
    /// reader of it gets them before any translation.
    #[schema(required = true, value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Localize for Author {
    fn localize(&mut self, order: &[String]) -> ShownLanguages {
        let mut texts = Texts::new(&self.translations, self.language.as_deref());
        texts.translate(order, Text::Name, &mut self.name);
        texts.translate(order, Text::Description, &mut self.description);
        texts.translate(order, Text::Bio, &mut self.bio);
        texts.shown()
    }
}

impl Author {
    /// How the API shows `counted`, with its page on `site`.
    pub fn new(counted: Counted<AuthorRow>, site: &Site) -> Self {
        let row = counted.item;
        Self {
            article_count: counted.article_count,
            url: site.page_url(Some("author"), &row.slug),
            slug: row.slug,
            name: row.name,
            description: row.description,
            bio: row.bio,
            email: row.email,
            avatar_url: row.avatar_url,
            translations: names::read(&row.translations),
            language: row.language,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A new author. Without a slug, one is made from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Claire Dubois", "description": "Correspondante en Asie centrale", "email": "claire.dubois@example.org"}))]
pub struct AuthorCreate {
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(value_type = Name)]
    pub name: String,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub description: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub bio: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(value_type = Option<WebUrl>)]
    pub avatar_url: Option<String>,
    #[schema(value_type = Option<AuthorTranslations>)]
    pub translations: Option<SentTranslations>,
    /// The language of its own name and description (BCP 47): a reader of it
    /// gets them before any translation.
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
}

/// Changes to an author: absent fields are left alone, `null` clears email and avatar.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"bio": "Claire Dubois couvre l’Asie centrale depuis Almaty.", "avatar_url": null}))]
pub struct AuthorUpdate {
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
    #[schema(value_type = String, max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")]
    pub bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<WebUrl>)]
    pub avatar_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = AuthorTranslationEdits)]
    pub translations: Option<Option<SentTranslations>>,
    /// `null`: its own texts' language is no more said.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<String>>,
}

fn check_contact(check: &mut Check, email: Option<&str>, avatar_url: Option<&str>) {
    if let Some(email) = email {
        check.email("email", email);
    }
    if let Some(url) = avatar_url {
        check.url("avatar_url", url);
    }
}

impl Form<NewAuthor> for AuthorCreate {
    fn parse(self) -> ApiResult<NewAuthor> {
        let mut check = Check::default();
        if let Some(slug) = &self.slug {
            check.slug("slug", slug);
        }
        check.line("name", &self.name, MAX_NAME_CHARS);
        let description = self.description.unwrap_or_default();
        let bio = self.bio.unwrap_or_default();
        check.text("description", &description, MAX_TEXT_CHARS);
        check.text("bio", &bio, MAX_TEXT_CHARS);
        let translations =
            name_translations::parse_new::<AuthorTranslation>(&mut check, self.translations);
        if let Some(language) = &self.language {
            name_translations::check_language(&mut check, language);
        }
        check_contact(
            &mut check,
            self.email.as_deref(),
            self.avatar_url.as_deref(),
        );
        check.finish()?;
        Ok(NewAuthor {
            slug: self.slug,
            name: self.name,
            description,
            bio,
            email: self.email,
            avatar_url: self.avatar_url,
            translations,
            language: self.language,
        })
    }
}

impl Form<AuthorChanges> for AuthorUpdate {
    fn parse(self) -> ApiResult<AuthorChanges> {
        let mut check = Check::default();
        let changes = AuthorChanges {
            slug: required(&mut check, "slug", self.slug),
            name: required(&mut check, "name", self.name),
            description: required(&mut check, "description", self.description),
            bio: required(&mut check, "bio", self.bio),
            email: self.email,
            avatar_url: self.avatar_url,
            translations: required(&mut check, "translations", self.translations)
                .map(|sent| name_translations::parse_edit::<AuthorTranslation>(&mut check, sent)),
            language: self.language,
        };
        if let Some(slug) = &changes.slug {
            check.slug("slug", slug);
        }
        if let Some(name) = &changes.name {
            check.line("name", name, MAX_NAME_CHARS);
        }
        for (field, value) in [("description", &changes.description), ("bio", &changes.bio)] {
            if let Some(value) = value {
                check.text(field, value, MAX_TEXT_CHARS);
            }
        }
        check_contact(
            &mut check,
            changes.email.clone().flatten().as_deref(),
            changes.avatar_url.clone().flatten().as_deref(),
        );
        if let Some(Some(language)) = &changes.language {
            name_translations::check_language(&mut check, language);
        }
        check.finish()?;
        Ok(changes)
    }
}

named_routes! {
    noun: Authors, view: Author, tag: "authors",

    list:
        /// List authors
        ///
        /// All authors, alphabetically.
        list_authors("/authors") => "A page of authors";

    find:
        /// Get an author
        ///
        /// With their number of published articles.
        find_author("/authors/{slug}") => "The author";

    create:
        /// Create an author
        ///
        /// The slug is made from the name when not given. Needs `write`.
        create_author("/authors", AuthorCreate) => "The author was created";

    update:
        /// Update an author
        ///
        /// Changes only the fields sent.
        update_author("/authors/{slug}", AuthorUpdate) => "The updated author";

    delete:
        /// Delete an author
        ///
        /// The author is removed from the bylines of their articles; the articles stay.
        delete_author("/authors/{slug}") => "The author was deleted";
}

/// Authors, for the handlers they share with the other named resources.
pub struct Authors;

impl Named for Authors {
    const COLLECTION: &'static str = "authors";
    const RESOURCE: Resource = Resource::Author;
    type Record = Counted<AuthorRow>;
    type View = Author;
    type New = NewAuthor;
    type Changes = AuthorChanges;

    fn view(record: Counted<AuthorRow>, site: &Site) -> Author {
        Author::new(record, site)
    }

    fn list(
        conn: &mut AnyConnection,
        page: PageRequest,
    ) -> ApiResult<(Vec<Counted<AuthorRow>>, i64)> {
        store::list(conn, page)
    }

    fn find(conn: &mut AnyConnection, slug: &slug::Slug) -> ApiResult<(i32, Counted<AuthorRow>)> {
        store::find(conn, slug).map(|a| (a.item.version, a))
    }

    fn create(
        conn: &mut AnyConnection,
        new: NewAuthor,
        actor: &str,
    ) -> ApiResult<(String, Counted<AuthorRow>)> {
        let row = store::create(conn, new, actor)?;
        Ok((row.item.slug.clone(), row))
    }

    fn update(
        conn: &mut AnyConnection,
        slug: &slug::Slug,
        changes: AuthorChanges,
        actor: &str,
    ) -> ApiResult<(i32, Counted<AuthorRow>)> {
        let row = store::update(conn, slug, changes, actor)?;
        Ok((row.item.version, row))
    }

    fn delete(conn: &mut AnyConnection, slug: &slug::Slug, actor: &str) -> ApiResult<()> {
        store::delete(conn, slug, actor)
    }
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_authors)
        .service(find_author)
        .service(create_author)
        .service(update_author)
        .service(delete_author);
}
