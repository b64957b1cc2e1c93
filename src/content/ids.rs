//! Public ids of articles: UUIDs, always in their canonical text form (lower-case,
//! hyphenated), which is how they are stored and compared.

/// An article's public id, known to be a UUID in canonical form: what creating,
/// looking up and restoring take, so an unchecked string cannot reach a query as one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// A new random id (UUID version 4).
    pub fn random() -> Self {
        Self::from(uuid::Uuid::new_v4())
    }

    /// The id written in `text`, in any spelling a UUID parser accepts (upper case,
    /// braces, no hyphens), or `None` if it is not a UUID.
    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::parse_str(text).ok().map(Self::from)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<uuid::Uuid> for ArticleId {
    fn from(id: uuid::Uuid) -> Self {
        Self(id.hyphenated().to_string())
    }
}

impl std::ops::Deref for ArticleId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::ArticleId;

    #[test]
    fn every_spelling_becomes_the_canonical_one() {
        let canonical = "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10";
        for text in [
            canonical,
            "0B7E4A52-3F0C-4C1E-9A51-5F1F0F6D2A10",
            "0b7e4a523f0c4c1e9a515f1f0f6d2a10",
            "{0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10}",
        ] {
            assert_eq!(
                ArticleId::parse(text)
                    .map(ArticleId::into_string)
                    .as_deref(),
                Some(canonical)
            );
        }
        assert_eq!(ArticleId::parse("poutine-au-kazakhstan"), None);
        assert_ne!(ArticleId::random(), ArticleId::random());
    }
}
