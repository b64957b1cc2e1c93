//! Search queries: parsed once, then written as an SQLite FTS5 query or a
//! PostgreSQL tsquery over the same analysed terms, and used to highlight hits.
//!
//! Syntax: words (all required), `"quoted phrases"`, `-excluded` words or
//! phrases, and `prefix*`. Words match in any form the French or English
//! stemmer gives them, without regard to case, accents or elisions.

use super::analysis::{self, Analyser, Language, Words, MAX_TERM_LEN};
use super::fold::fold;

pub const MAX_QUERY_CHARS: usize = 500;
pub const MAX_CLAUSES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// One word, as any of its terms.
    Word(Vec<String>),
    /// The beginning of a word, folded but not stemmed.
    Prefix(String),
    /// Consecutive words; one term sequence per stemming language.
    Phrase(Vec<Vec<String>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub required: Vec<Clause>,
    pub excluded: Vec<Clause>,
}

/// Splits the raw query into pieces: quoted phrases and bare words, each with its `-`.
fn pieces(q: &str) -> Vec<(bool, bool, String)> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let quoted = matches!(chars.peek(), Some('"' | '«' | '“'));
        let mut text = String::new();
        if quoted {
            chars.next();
            for c in chars.by_ref() {
                if matches!(c, '"' | '»' | '”') {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        out.push((negated, quoted, text));
    }
    out
}

fn phrase(words: &[&str]) -> Clause {
    let mut alternatives: Vec<Vec<String>> = Vec::new();
    for language in Language::QUERIED {
        let analyser = Analyser::new(language);
        let terms: Vec<String> = words.iter().map(|w| analyser.term(w)).collect();
        if !alternatives.contains(&terms) {
            alternatives.push(terms);
        }
    }
    Clause::Phrase(alternatives)
}

fn clause(quoted: bool, text: &str) -> Option<Clause> {
    let prefix = !quoted && text.ends_with('*');
    let text = text.trim_end_matches('*');
    let words: Vec<&str> = analysis::word_spans(text)
        .into_iter()
        .map(|(a, b)| &text[a..b])
        .filter(|w| !fold(w).is_empty() && fold(w).len() <= MAX_TERM_LEN)
        .collect();
    match words.as_slice() {
        [] => None,
        [word] if prefix => Some(Clause::Prefix(fold(word).replace(' ', ""))),
        [word] => Some(Clause::Word(analysis::query_terms(word))),
        many => Some(phrase(many)),
    }
}

impl SearchQuery {
    pub fn parse(q: &str) -> Result<Self, String> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(format!("longer than {MAX_QUERY_CHARS} characters"));
        }
        let mut query = SearchQuery {
            required: Vec::new(),
            excluded: Vec::new(),
        };
        for (negated, quoted, text) in pieces(q) {
            if let Some(clause) = clause(quoted, &text) {
                if negated {
                    query.excluded.push(clause);
                } else {
                    query.required.push(clause);
                }
            }
        }
        if query.required.len() + query.excluded.len() > MAX_CLAUSES {
            return Err(format!("more than {MAX_CLAUSES} words and phrases"));
        }
        if query.required.is_empty() {
            return Err(if query.excluded.is_empty() {
                "no word left to search for once punctuation is set aside".into()
            } else {
                "only excludes words; add one to search for".into()
            });
        }
        Ok(query)
    }

    /// The query in SQLite FTS5 syntax. Terms are plain `[a-z0-9]`, so quoting them is enough.
    pub fn fts5(&self) -> String {
        fn one(clause: &Clause) -> String {
            match clause {
                Clause::Word(terms) => {
                    let alternatives: Vec<String> =
                        terms.iter().map(|t| format!("\"{t}\"")).collect();
                    format!("({})", alternatives.join(" OR "))
                }
                Clause::Prefix(p) => format!("\"{p}\" *"),
                Clause::Phrase(alternatives) => {
                    let phrases: Vec<String> = alternatives
                        .iter()
                        .map(|terms| format!("\"{}\"", terms.join(" ")))
                        .collect();
                    format!("({})", phrases.join(" OR "))
                }
            }
        }
        let required: Vec<String> = self.required.iter().map(one).collect();
        let mut text = format!("({})", required.join(" AND "));
        for clause in &self.excluded {
            text.push_str(" NOT ");
            text.push_str(&one(clause));
        }
        text
    }

    /// The query as a PostgreSQL tsquery over the `simple` configuration.
    pub fn tsquery(&self) -> String {
        fn one(clause: &Clause) -> String {
            match clause {
                Clause::Word(terms) => format!("({})", terms.join(" | ")),
                Clause::Prefix(p) => format!("{p}:*"),
                Clause::Phrase(alternatives) => {
                    let phrases: Vec<String> = alternatives
                        .iter()
                        .map(|terms| format!("({})", terms.join(" <-> ")))
                        .collect();
                    format!("({})", phrases.join(" | "))
                }
            }
        }
        let mut parts: Vec<String> = self.required.iter().map(one).collect();
        parts.extend(self.excluded.iter().map(|c| format!("!{}", one(c))));
        parts.join(" & ")
    }

    /// Which words of `text` (as byte spans) the required clauses match.
    pub fn matched_spans(&self, text: &str, language: Language) -> Vec<(usize, usize)> {
        let words = Words::of(text, language);
        let spans = &words.spans;
        let terms: Vec<&str> = (0..spans.len()).map(|i| words.term(i)).collect();
        let mut hit = vec![false; spans.len()];
        for clause in &self.required {
            match clause {
                Clause::Word(alternatives) => {
                    for (i, t) in terms.iter().enumerate() {
                        if alternatives.iter().any(|a| a == t) {
                            hit[i] = true;
                        }
                    }
                }
                Clause::Prefix(p) => {
                    for (i, &(a, b)) in spans.iter().enumerate() {
                        if fold(&text[a..b]).starts_with(p.as_str()) {
                            hit[i] = true;
                        }
                    }
                }
                Clause::Phrase(alternatives) => {
                    for seq in alternatives {
                        for start in 0..terms.len() {
                            let rest = &terms[start..];
                            if rest.len() >= seq.len() && seq.iter().zip(rest).all(|(a, b)| a == *b)
                            {
                                hit[start..start + seq.len()]
                                    .iter_mut()
                                    .for_each(|h| *h = true);
                            }
                        }
                    }
                }
            }
        }
        spans
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(s, _)| *s)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_prefixes_and_exclusions() {
        let q = SearchQuery::parse(r#"Kazakh* "alliance stratégique" -chine l’Ukraine"#).unwrap();
        assert_eq!(q.required.len(), 3);
        assert_eq!(q.required[0], Clause::Prefix("kazakh".into()));
        assert!(matches!(&q.required[1], Clause::Phrase(alts) if alts[0].len() == 2));
        assert_eq!(q.excluded.len(), 1);
        assert!(
            matches!(&q.required[2], Clause::Word(t) if t.iter().all(|t| t.starts_with("ukrain")))
        );
    }

    #[test]
    fn writes_both_dialects() {
        let q = SearchQuery::parse("coeur -chine kazakh*").unwrap();
        assert_eq!(
            q.fts5(),
            r#"(("coeur") AND "kazakh" *) NOT ("chin" OR "chine")"#
        );
        assert_eq!(q.tsquery(), "(coeur) & kazakh:* & !(chin | chine)");
    }

    #[test]
    fn refuses_empty_and_long_queries() {
        assert!(SearchQuery::parse("  !!! … ").is_err());
        assert!(SearchQuery::parse("-chine").is_err());
        assert!(SearchQuery::parse(&"a ".repeat(300)).is_err());
        assert!(SearchQuery::parse(&"mot ".repeat(25)).is_err());
    }

    #[test]
    fn finds_the_words_to_highlight() {
        let q = SearchQuery::parse("centrales nucleaire").unwrap();
        let text = "La centrale nucléaire de l’Ukraine";
        let words: Vec<&str> = q
            .matched_spans(text, Language::French)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(words, vec!["centrale", "nucléaire"]);
    }
}
