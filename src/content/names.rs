//! Translated names of sections, tags and authors. Each row keeps its texts in
//! other languages as one JSON object (`{"en": {"name": "Interview"}}`); a reader
//! sees each text in the first of their languages it exists in, the row's own
//! text standing in for whatever is not translated.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// One language's texts; a text left out falls back to the next language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameTranslation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Authors only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

impl NameTranslation {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none() && self.bio.is_none()
    }
}

/// Translations by language tag.
pub type NameTranslations = BTreeMap<String, NameTranslation>;

/// An edit of translations: a language's new texts, or `None` to drop it.
pub type NameTranslationEdits = BTreeMap<String, Option<NameTranslation>>;

/// The stored form of no translations, the columns' default.
pub const NONE_STORED: &str = "{}";

/// Reads stored translations once per distinct stored text: the rows of one
/// response name the same sections, tags and authors over and over.
#[derive(Debug, Default)]
pub struct ReadOnce(HashMap<String, Arc<NameTranslations>>);

impl ReadOnce {
    /// The translations `stored`, or `None` when there are none.
    pub fn read(&mut self, stored: String) -> Option<Arc<NameTranslations>> {
        if stored == NONE_STORED {
            return None;
        }
        let parsed = self
            .0
            .entry(stored)
            .or_insert_with_key(|stored| Arc::new(read(stored)));
        Some(Arc::clone(parsed))
    }
}

/// The translations a row stores. Only [`apply`] writes them; an unreadable
/// value reads as none rather than failing the read of the row.
pub fn read(stored: &str) -> NameTranslations {
    if stored == NONE_STORED {
        return NameTranslations::new();
    }
    serde_json::from_str(stored).unwrap_or_default()
}

/// `stored` with `edits` applied, as stored: each language's texts are replaced
/// whole (its tag matched without regard to case), `None` or no texts drop it.
pub fn apply(stored: &str, edits: NameTranslationEdits) -> String {
    let mut all = read(stored);
    for (tag, texts) in edits {
        all.retain(|existing, _| !existing.eq_ignore_ascii_case(&tag));
        if let Some(texts) = texts.filter(|texts| !texts.is_empty()) {
            all.insert(tag, texts);
        }
    }
    // A map of strings always serialises.
    serde_json::to_string(&all).unwrap_or_else(|_| NONE_STORED.into())
}

/// Which of a row's texts to translate.
#[derive(Debug, Clone, Copy)]
pub enum Text {
    Name,
    Description,
    Bio,
}

impl Text {
    fn of(self, texts: &NameTranslation) -> Option<&String> {
        match self {
            Text::Name => texts.name.as_ref(),
            Text::Description => texts.description.as_ref(),
            Text::Bio => texts.bio.as_ref(),
        }
    }
}

/// A row's translations and the language of its own texts (when said), and
/// the languages of the texts translated so far.
pub struct Texts<'a> {
    translations: &'a NameTranslations,
    own_language: Option<&'a str>,
    shown: ShownLanguages,
}

impl<'a> Texts<'a> {
    pub fn new(translations: &'a NameTranslations, own_language: Option<&'a str>) -> Self {
        Self {
            translations,
            own_language,
            shown: ShownLanguages::default(),
        }
    }

    /// Replaces `own` with its translation in the first language of `order` (from
    /// `language::lookup_order`) that has one, unless the own text's language
    /// comes first; leaves it when none has.
    pub fn translate(&mut self, order: &[String], text: Text, own: &mut String) {
        let language = self.translation_of(order, text, own);
        self.shown.add(language, own);
    }

    /// Translates `own` as [`Texts::translate`] says, without keeping track; the
    /// language of the text it then holds, when known.
    pub fn translation_of(
        &self,
        order: &[String],
        text: Text,
        own: &mut String,
    ) -> Option<&'a str> {
        for wanted in order {
            if self
                .own_language
                .is_some_and(|language| language.eq_ignore_ascii_case(wanted))
            {
                break;
            }
            let found = self
                .translations
                .iter()
                .find(|(tag, _)| tag.eq_ignore_ascii_case(wanted))
                .and_then(|(tag, texts)| Some((tag, text.of(texts)?)));
            if let Some((tag, found)) = found {
                own.clone_from(found);
                return Some(tag);
            }
        }
        self.own_language
    }

    /// The languages of the texts translated.
    pub fn shown(self) -> ShownLanguages {
        self.shown
    }
}

/// The languages of the texts a read shows: its `Content-Language`.
#[derive(Debug, Default)]
pub struct ShownLanguages {
    languages: Vec<String>,
    /// Whether a text shown is in a language not said.
    unknown: bool,
}

impl ShownLanguages {
    fn add(&mut self, language: Option<&str>, text: &str) {
        if text.is_empty() {
            return;
        }
        match language {
            None => self.unknown = true,
            Some(language) => {
                if !self
                    .languages
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(language))
                {
                    self.languages.push(language.to_owned());
                }
            }
        }
    }

    /// The `Content-Language` value, each language once, the name's first; `None`
    /// when a text's language is not said (a partial list would mislead).
    pub fn header_value(&self) -> Option<String> {
        (!self.unknown && !self.languages.is_empty()).then(|| self.languages.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Option<NameTranslation> {
        Some(NameTranslation {
            name: Some(name.into()),
            ..Default::default()
        })
    }

    #[test]
    fn edits_replace_or_drop_a_language_whatever_its_case() {
        let stored = apply(
            NONE_STORED,
            [
                ("en".into(), named("Interview")),
                ("fr-CA".into(), named("Entrevue")),
            ]
            .into(),
        );
        assert_eq!(
            stored,
            r#"{"en":{"name":"Interview"},"fr-CA":{"name":"Entrevue"}}"#
        );
        let stored = apply(
            &stored,
            [("EN".into(), None), ("fr-ca".into(), named("Entretien"))].into(),
        );
        assert_eq!(stored, r#"{"fr-ca":{"name":"Entretien"}}"#);
        let emptied = apply(
            &stored,
            [("fr-ca".into(), Some(NameTranslation::default()))].into(),
        );
        assert_eq!(emptied, NONE_STORED);
    }

    #[test]
    fn each_text_falls_back_on_its_own() {
        let translations = read(
            r#"{"en":{"name":"Interview","description":"Long talks"},"en-CA":{"name":"Q&A"}}"#,
        );
        let mut texts = Texts::new(&translations, Some("fr"));
        let order = crate::content::language::lookup_order(&["en-CA".into()]);
        let mut name = "Entrevue".to_owned();
        let mut description = "Entretiens".to_owned();
        let mut bio = "—".to_owned();
        texts.translate(&order, Text::Name, &mut name);
        texts.translate(&order, Text::Description, &mut description);
        texts.translate(&order, Text::Bio, &mut bio);
        assert_eq!(
            (name.as_str(), description.as_str(), bio.as_str()),
            ("Q&A", "Long talks", "—")
        );
        assert_eq!(
            texts.shown().header_value().as_deref(),
            Some("en-CA, en, fr"),
            "each text's language once, the name's first"
        );
    }

    #[test]
    fn own_texts_come_first_in_their_language() {
        let translations = read(r#"{"en":{"name":"Interview"}}"#);
        let order = crate::content::language::lookup_order(&["fr-CA".into(), "en".into()]);
        let mut said = "Entrevue".to_owned();
        let mut french = Texts::new(&translations, Some("fr"));
        french.translate(&order, Text::Name, &mut said);
        assert_eq!(said, "Entrevue", "fr-CA reads fr, the own language");
        assert_eq!(french.shown().header_value().as_deref(), Some("fr"));
        let mut unsaid = "Entrevue".to_owned();
        let mut unknown = Texts::new(&translations, None);
        unknown.translate(&order, Text::Name, &mut unsaid);
        assert_eq!(unsaid, "Interview", "a fallback's translation");
        assert_eq!(unknown.shown().header_value().as_deref(), Some("en"));
    }

    #[test]
    fn a_text_in_a_language_not_said_leaves_the_languages_unsaid() {
        let translations = read(r#"{"en":{"name":"Interview"}}"#);
        let order = crate::content::language::lookup_order(&["en".into()]);
        let mut texts = Texts::new(&translations, None);
        let (mut name, mut description, mut empty) = (
            "Entrevue".to_owned(),
            "Entretiens".to_owned(),
            String::new(),
        );
        texts.translate(&order, Text::Name, &mut name);
        texts.translate(&order, Text::Bio, &mut empty);
        assert_eq!(name, "Interview");
        texts.translate(&order, Text::Description, &mut description);
        assert_eq!(texts.shown().header_value(), None);
    }
}
