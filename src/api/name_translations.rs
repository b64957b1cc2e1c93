//! The `translations` member of sections, tags and authors: their names and
//! descriptions in other languages, as requests send them and the spec states
//! them, and how a read with `locale` shows the texts in the reader's language.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::input::{Check, Name, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::content::language::{self, LANGUAGE_PATTERN};
use crate::content::names::{NameTranslation, NameTranslationEdits, ShownLanguages};

/// The most languages one section, tag or author is translated into.
pub const MAX_LANGUAGES: usize = 50;

/// A section's or tag's texts in one language; a text left out falls back to
/// the reader's next language, then to the section's or tag's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Interview", "description": "Long conversations with the people in the news."}))]
pub struct TermTranslation {
    #[schema(value_type = Option<Name>)]
    pub name: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
    )]
    pub description: Option<String>,
}

/// An author's texts in one language; a text left out falls back as for sections.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Central Asia correspondent", "bio": "Claire Dubois has covered Central Asia from Almaty since 2019."}))]
pub struct AuthorTranslation {
    #[schema(value_type = Option<Name>)]
    pub name: Option<String>,
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
}

/// One language's texts as a request sends them.
pub trait TranslationForm: ToSchema + DeserializeOwned {
    fn into_texts(self) -> NameTranslation;
}

impl TranslationForm for TermTranslation {
    fn into_texts(self) -> NameTranslation {
        NameTranslation {
            name: self.name,
            description: self.description,
            bio: None,
        }
    }
}

impl TranslationForm for AuthorTranslation {
    fn into_texts(self) -> NameTranslation {
        NameTranslation {
            name: self.name,
            description: self.description,
            bio: self.bio,
        }
    }
}

/// Translations as a request sends them: each language's texts are read as an
/// object here, since serde would also take a list of values for a struct.
pub type SentTranslations = BTreeMap<String, Value>;

/// Checks translations as a create sends them, into the edit that stores them.
pub fn parse_new<T: TranslationForm>(
    check: &mut Check,
    sent: Option<SentTranslations>,
) -> NameTranslationEdits {
    parse::<T>(check, sent.unwrap_or_default(), false)
}

/// Checks translations as an edit sends them (`null` drops a language).
pub fn parse_edit<T: TranslationForm>(
    check: &mut Check,
    sent: SentTranslations,
) -> NameTranslationEdits {
    parse::<T>(check, sent, true)
}

fn parse<T: TranslationForm>(
    check: &mut Check,
    sent: SentTranslations,
    edit: bool,
) -> NameTranslationEdits {
    if sent.len() > MAX_LANGUAGES {
        check.fail("translations", format!("at most {MAX_LANGUAGES} languages"));
    }
    let mut edits = NameTranslationEdits::new();
    for (tag, value) in sent {
        if !language::is_valid(&tag) {
            check.fail(
                "translations",
                format!("{tag:?} is not a BCP 47 language tag (such as en or fr-CA)"),
            );
            continue;
        }
        let field = format!("translations.{tag}");
        let texts = match value {
            Value::Null if edit => None,
            Value::Object(_) => match serde_json::from_value::<T>(value) {
                Ok(texts) => Some(texts.into_texts()),
                Err(e) => {
                    check.fail(&field, e.to_string());
                    continue;
                }
            },
            _ => {
                let what = if edit {
                    "an object of texts, or null to remove the language"
                } else {
                    "an object of texts"
                };
                check.fail(&field, format!("must be {what}"));
                continue;
            }
        };
        if let Some(texts) = &texts {
            if let Some(name) = &texts.name {
                check.line(&format!("{field}.name"), name, MAX_NAME_CHARS);
            }
            for (text, value) in [("description", &texts.description), ("bio", &texts.bio)] {
                if let Some(value) = value {
                    check.text(&format!("{field}.{text}"), value, MAX_TEXT_CHARS);
                }
            }
        }
        edits.insert(tag, texts);
    }
    edits
}

/// Checks the language of a section's, tag's or author's own texts.
pub fn check_language(check: &mut Check, language: &str) {
    if !language::is_valid(language) {
        check.fail(
            "language",
            format!("{language:?} is not a BCP 47 language tag (such as en or fr-CA)"),
        );
    }
}

/// A section, tag or author as it shows itself in the reader's languages.
pub trait Localize {
    /// Replaces its texts with their translations in the first of `order` that
    /// has them (none with an empty `order`); the languages of what it then shows.
    fn localize(&mut self, order: &[String]) -> ShownLanguages;
}

/// An object keyed by language tag whose values are `value`.
fn language_map(value: RefOr<Schema>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(LANGUAGE_PATTERN))
                .max_length(Some(35)),
        ))
        .additional_properties(Some(value))
        .max_properties(Some(MAX_LANGUAGES))
        .into()
}

/// Declares, for one language's texts `T`, the schemas of `translations` in a
/// create and a response (`$all`) and in an edit (`$edits`).
macro_rules! translation_maps {
    ($($texts:ident => $all:ident, $edits:ident;)*) => {$(
        #[doc = concat!("Texts by language tag: `translations` in a create and in every response (values: `", stringify!($texts), "`).")]
        pub struct $all;

        impl PartialSchema for $all {
            fn schema() -> RefOr<Schema> {
                language_map(
                    Ref::from_schema_name(stringify!($texts)).into(),
                    "Texts in other languages, by BCP 47 language tag",
                )
            }
        }

        impl ToSchema for $all {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push(($texts::name().into(), $texts::schema()));
            }
        }

        #[doc = concat!("`translations` in an edit (values: `", stringify!($texts), "` or null).")]
        pub struct $edits;

        impl PartialSchema for $edits {
            fn schema() -> RefOr<Schema> {
                let texts_or_null = OneOfBuilder::new()
                    .item(Ref::from_schema_name(stringify!($texts)))
                    .item(ObjectBuilder::new().schema_type(Type::Null));
                language_map(
                    texts_or_null.into(),
                    "Changes to the texts in other languages: a language's texts replace its old ones, null removes it, languages left out are kept",
                )
            }
        }

        impl ToSchema for $edits {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push(($texts::name().into(), $texts::schema()));
            }
        }
    )*};
}

translation_maps! {
    TermTranslation => TermTranslations, TermTranslationEdits;
    AuthorTranslation => AuthorTranslations, AuthorTranslationEdits;
}
