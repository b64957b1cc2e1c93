//! Text analysis for search, done once here so that SQLite and PostgreSQL index
//! and match exactly the same terms: words split (French elisions dropped),
//! folded to lowercase ASCII, then stemmed with the article's language.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use super::fold::fold;

/// The languages whose words are stemmed; others are only folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    French,
    English,
    Other,
}

impl Language {
    /// From a BCP 47 tag: `fr`, `fr-CA` → French; `en-GB` → English.
    pub fn from_tag(tag: &str) -> Self {
        match tag.split('-').next().unwrap_or("") {
            "fr" => Language::French,
            "en" => Language::English,
            _ => Language::Other,
        }
    }

    /// The analyses a query is expanded into: its words may be in any language,
    /// including one with no stemmer (articles whose language is undetermined).
    pub const QUERIED: [Language; 3] = [Language::French, Language::English, Language::Other];

    fn stemmer(self) -> Option<Stemmer> {
        match self {
            Language::French => Some(Stemmer::create(Algorithm::French)),
            Language::English => Some(Stemmer::create(Algorithm::English)),
            Language::Other => None,
        }
    }
}

/// French articles and pronouns that elide before a vowel (« l’Ukraine », « qu’il »).
const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

/// The byte ranges of the words of `text`, elided prefixes left out:
/// `l’Ukraine` is the word `Ukraine`, `aujourd’hui` the words `aujourd` and `hui`.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let push = |spans: &mut Vec<(usize, usize)>, from: usize, to: usize| {
        if from < to {
            spans.push((from, to));
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(from) = start.take() {
            let word = &text[from..i];
            let elided = is_apostrophe(c) && ELISIONS.contains(&fold(word).as_str());
            if !elided {
                push(&mut spans, from, i);
            }
        }
    }
    if let Some(from) = start {
        push(&mut spans, from, text.len());
    }
    spans
}

/// Folds one word and stems it; the form stored in the index.
pub fn term(word: &str, stemmer: Option<&Stemmer>) -> String {
    let folded = fold(word).replace(' ', "");
    match stemmer {
        Some(stemmer) => stemmer.stem(&folded).into_owned(),
        None => folded,
    }
}

/// Longer "words" (base64 blobs, runaway strings) are not indexed: no one searches
/// for them, and PostgreSQL refuses lexemes past 2 KiB.
pub const MAX_TERM_LEN: usize = 100;

/// The index terms of `text`, in order.
pub fn terms(text: &str, language: Language) -> Vec<String> {
    let words = Words::of(text, language);
    (0..words.spans.len())
        .map(|i| words.term(i))
        .filter(|t| !t.is_empty() && t.len() <= MAX_TERM_LEN)
        .map(str::to_owned)
        .collect()
}

/// The words of a text and their terms. Stemming is most of the cost of
/// analysis, and a text uses most of its words many times: each distinct word
/// is analysed once.
pub struct Words {
    /// Where each word is, as byte ranges of the text.
    pub spans: Vec<(usize, usize)>,
    /// For each word, where its term is in `distinct`.
    term_at: Vec<usize>,
    distinct: Vec<String>,
}

impl Words {
    pub fn of(text: &str, language: Language) -> Self {
        let stemmer = language.stemmer();
        let spans = word_spans(text);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut distinct: Vec<String> = Vec::new();
        let term_at = spans
            .iter()
            .map(|&(from, to)| {
                let word = &text[from..to];
                *seen.entry(word).or_insert_with(|| {
                    distinct.push(term(word, stemmer.as_ref()));
                    distinct.len() - 1
                })
            })
            .collect();
        Self {
            spans,
            term_at,
            distinct,
        }
    }

    /// The term of the `i`th word.
    pub fn term(&self, i: usize) -> &str {
        &self.distinct[self.term_at[i]]
    }
}

/// The distinct terms one query word may stand for, one per analysis.
pub fn query_terms(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for language in Language::QUERIED {
        let t = term(word, language.stemmer().as_ref());
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Analyses a word for highlighting, with the stemmer of the article's language.
pub struct Analyser {
    stemmer: Option<Stemmer>,
}

impl Analyser {
    pub fn new(language: Language) -> Self {
        Self {
            stemmer: language.stemmer(),
        }
    }

    pub fn term(&self, word: &str) -> String {
        term(word, self.stemmer.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        word_spans(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn splits_words_and_drops_elisions() {
        assert_eq!(
            words("l’Ukraine et l'Europe"),
            vec!["Ukraine", "et", "Europe"]
        );
        assert_eq!(
            words("Qu’il vienne jusqu’à Astana"),
            vec!["il", "vienne", "à", "Astana"]
        );
        assert_eq!(
            words("aujourd’hui, 7 500 km"),
            vec!["aujourd", "hui", "7", "500", "km"]
        );
        assert_eq!(words("« Le cœur »"), vec!["Le", "cœur"]);
    }

    #[test]
    fn folds_and_stems_by_language() {
        assert_eq!(
            terms("Centrales nucléaires", Language::French),
            terms("centrale nucleaire", Language::French)
        );
        assert_eq!(
            terms("énergétiques", Language::French),
            terms("energetique", Language::French)
        );
        assert_eq!(terms("Tokaïev", Language::French), vec!["tokaiev"]);
        assert_eq!(terms("Cœur", Language::Other), vec!["coeur"]);
        assert_eq!(
            terms("elections", Language::English),
            terms("election", Language::English)
        );
    }

    #[test]
    fn query_words_cover_both_languages() {
        let t = query_terms("centrales");
        assert!(t.contains(&terms("centrale", Language::French)[0]), "{t:?}");
        assert_eq!(Language::from_tag("fr-CA"), Language::French);
        assert_eq!(Language::from_tag("de"), Language::Other);
    }
}
