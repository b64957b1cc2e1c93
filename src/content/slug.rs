//! URL slugs: lowercase ASCII words joined by hyphens, derived from titles and names.

use super::fold::fold;

/// The longest slug Folio makes or accepts.
pub const MAX_LEN: usize = 120;

/// The shape every slug has, as published in the OpenAPI spec; [`is_valid`] checks the same.
pub const PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// Makes a slug from free text: accents and ligatures transliterated
/// (`cœur` → `coeur`), punctuation dropped, words joined by `-`, cut at a word
/// boundary to at most [`MAX_LEN`] characters. Empty when the text has no letters or digits.
pub fn slugify(text: &str) -> String {
    // Apostrophes separate words, so « l’Ukraine » gives `l-ukraine`.
    let folded = fold(text);
    let words = folded.split(' ').filter(|w| !w.is_empty());
    let mut slug = String::new();
    for word in words {
        let extra = if slug.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if slug.len() + extra > MAX_LEN {
            if slug.is_empty() {
                // A single word longer than the limit: cut it, there is no boundary.
                slug.push_str(&word[..MAX_LEN]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// A slug known to have the canonical shape: what paths and lookups take, so a
/// string that was never checked cannot reach a query as one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// The slug, if `text` has the canonical shape.
    pub fn parse(text: &str) -> Option<Self> {
        is_valid(text).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for Slug {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `slug` already has the canonical shape.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_LEN
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The `n`th candidate for a taken slug: `base`, `base-2`, `base-3`…, kept within [`MAX_LEN`].
pub fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    let room = MAX_LEN - suffix.len();
    let mut stem = base;
    if stem.len() > room {
        stem = &stem[..room];
        stem = stem.trim_end_matches('-');
    }
    format!("{stem}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_french() {
        assert_eq!(
            slugify("Poutine au Kazakhstan : une alliance stratégique…"),
            "poutine-au-kazakhstan-une-alliance-strategique"
        );
        assert_eq!(slugify("Le cœur nucléaire"), "le-coeur-nucleaire");
        assert_eq!(
            slugify("« L’Ukraine » aujourd'hui"),
            "l-ukraine-aujourd-hui"
        );
        assert_eq!(slugify("Ça\u{a0}va ?"), "ca-va");
    }

    #[test]
    fn cuts_at_word_boundary() {
        let title = "mot ".repeat(60);
        let slug = slugify(&title);
        assert!(slug.len() <= MAX_LEN);
        assert!(slug.ends_with("mot"));
        assert!(is_valid(&slug));
        let long = "a".repeat(300);
        assert_eq!(slugify(&long).len(), MAX_LEN);
    }

    #[test]
    fn empty_when_nothing_to_keep() {
        assert_eq!(slugify("!!! … »"), "");
    }

    #[test]
    fn validates_shape() {
        assert!(is_valid("monde-asie-2"));
        assert!(!is_valid("Monde"));
        assert!(!is_valid("a--b"));
        assert!(!is_valid("-a"));
        assert!(!is_valid(""));
    }

    #[test]
    fn candidates_stay_valid() {
        assert_eq!(candidate("x", 1), "x");
        assert_eq!(candidate("x", 3), "x-3");
        let long = slugify(&"a".repeat(300));
        let c = candidate(&long, 12);
        assert!(c.len() <= MAX_LEN && is_valid(&c));
    }
}
