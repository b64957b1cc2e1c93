//! Translated names of sections, tags and authors. Each row keeps its texts in
//! other languages as one JSON object (`{"en": {"name": "Interview"}}`); a reader
//! sees each text in the first of their languages it exists in, the row's own
//! text standing in for whatever is not translated.

use std::collections::BTreeMap;

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

/// A row's translations and the language of its own texts (when said).
pub struct Texts<'a> {
    pub translations: &'a NameTranslations,
    pub own_language: Option<&'a str>,
}

impl Texts<'_> {
    /// Replaces `own` with its translation in the first language of `order` (from
    /// `language::lookup_order`) that has one, unless the own text's language
    /// comes first; leaves it when none has.
    pub fn translate(&self, order: &[String], text: Text, own: &mut String) {
        for wanted in order {
            if self
                .own_language
                .is_some_and(|language| language.eq_ignore_ascii_case(wanted))
            {
                return;
            }
            let found = self
                .translations
                .iter()
                .find(|(tag, _)| tag.eq_ignore_ascii_case(wanted))
                .and_then(|(_, texts)| text.of(texts));
            if let Some(found) = found {
                own.clone_from(found);
                return;
            }
        }
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
        let texts = Texts {
            translations: &translations,
            own_language: Some("fr"),
        };
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
    }

    #[test]
    fn own_texts_come_first_in_their_language() {
        let translations = read(r#"{"en":{"name":"Interview"}}"#);
        let order = crate::content::language::lookup_order(&["fr-CA".into(), "en".into()]);
        let mut said = "Entrevue".to_owned();
        let french = Texts {
            translations: &translations,
            own_language: Some("fr"),
        };
        french.translate(&order, Text::Name, &mut said);
        assert_eq!(said, "Entrevue", "fr-CA reads fr, the own language");
        let mut unsaid = "Entrevue".to_owned();
        let unknown = Texts {
            translations: &translations,
            own_language: None,
        };
        unknown.translate(&order, Text::Name, &mut unsaid);
        assert_eq!(unsaid, "Interview", "a fallback's translation");
    }
}
