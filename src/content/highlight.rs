//! Search hit snippets: the passage with the most matches, HTML-escaped, matches in `<mark>`.

use super::analysis::Language;
use super::search::SearchQuery;

/// Words of context in a snippet.
const WINDOW_WORDS: usize = 30;

/// What stands between two blocks (a sub-heading and the paragraph after it) in a
/// snippet: the snippet is one line of HTML, where a bare line break would vanish.
pub const BLOCK_SEPARATOR: &str = " — ";

/// Escapes `text` for HTML; a blank line (a block boundary in plain text) becomes
/// [`BLOCK_SEPARATOR`].
fn escape(text: &str, out: &mut String) {
    let mut blocks = text.split("\n\n");
    if let Some(first) = blocks.next() {
        escape_inline(first, out);
    }
    for block in blocks {
        let trimmed_end = out.trim_end().len();
        out.truncate(trimmed_end);
        out.push_str(BLOCK_SEPARATOR);
        escape_inline(block.trim_start(), out);
    }
}

fn escape_inline(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The best passage of `text` for `query`, or `None` when nothing in it matches.
pub fn snippet(text: &str, query: &SearchQuery, language: Language) -> Option<String> {
    let matches = query.matched_spans(text, language);
    if matches.is_empty() {
        return None;
    }
    let words = super::analysis::word_spans(text);
    // The window of words holding the most matches; the earliest wins ties.
    let is_match = |span: &(usize, usize)| matches.binary_search(span).is_ok();
    let flags: Vec<bool> = words.iter().map(is_match).collect();
    let mut best = (0usize, 0usize);
    let mut in_window = 0;
    for i in 0..words.len() {
        in_window += usize::from(flags[i]);
        if i >= WINDOW_WORDS {
            in_window -= usize::from(flags[i - WINDOW_WORDS]);
        }
        let start = (i + 1).saturating_sub(WINDOW_WORDS);
        if in_window > best.1 {
            best = (start, in_window);
        }
    }
    let first = best.0;
    let last = (first + WINDOW_WORDS).min(words.len()) - 1;
    // A window that reaches the end keeps the closing punctuation.
    let to = if last + 1 == words.len() {
        text.trim_end().len()
    } else {
        words[last].1
    };
    let from = words[first].0;
    let mut out = String::new();
    if first > 0 {
        out.push('…');
    }
    let mut cursor = from;
    for &(a, b) in matches.iter().filter(|&&(a, b)| a >= from && b <= to) {
        escape(&text[cursor..a], &mut out);
        out.push_str("<mark>");
        escape(&text[a..b], &mut out);
        out.push_str("</mark>");
        cursor = b;
    }
    escape(&text[cursor..to], &mut out);
    if last + 1 < words.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let q = SearchQuery::parse("coeur").unwrap();
        let s = snippet("Le <b>cœur</b> & l’âme", &q, Language::French).unwrap();
        assert_eq!(s, "Le &lt;b&gt;<mark>cœur</mark>&lt;/b&gt; &amp; l’âme");
    }

    #[test]
    fn picks_the_densest_window() {
        let text = format!(
            "{} nucléaire centrale {}",
            "mot ".repeat(50),
            "fin ".repeat(50)
        );
        let q = SearchQuery::parse("centrales nucleaires").unwrap();
        let s = snippet(&text, &q, Language::French).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(
            s.contains("<mark>nucléaire</mark> <mark>centrale</mark>"),
            "{s}"
        );
        assert!(snippet("rien", &q, Language::French).is_none());
    }

    #[test]
    fn blocks_stay_apart() {
        let q = SearchQuery::parse("jeu").unwrap();
        let s = snippet(
            "Le nucléaire au centre du jeu\n\nLe pays détient des réserves.",
            &q,
            Language::French,
        )
        .unwrap();
        assert_eq!(
            s,
            "Le nucléaire au centre du <mark>jeu</mark> — Le pays détient des réserves."
        );
    }
}
