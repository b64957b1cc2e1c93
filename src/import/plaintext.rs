//! Plain text as newsrooms keep it:
//!
//! ```text
//! Title
//! 27 novembre, 2024 / Entrevue
//!
//! A paragraph…
//!
//! A sub-heading
//!
//! Another paragraph.
//! ```
//!
//! A third part of the date line names the story the file is a version of, shared
//! by its translations: `27 novembre 2024 / Entrevue / poutine-kazakhstan`.

use super::item::{Item, Options, ParseError};
use crate::api::articles::ArticleCreate;
use crate::content::dates;

/// A block this short, on one line, without closing punctuation, is a sub-heading.
const MAX_HEADING_CHARS: usize = 100;

pub fn parse(text: &str, options: &Options) -> Result<Item, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut index = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .ok_or_else(|| ParseError::at(1, "the file is empty"))?;
    let title_line = index + 1;
    let title = lines[index].trim().to_owned();
    index += 1;
    while index < lines.len() && lines[index].trim().is_empty() {
        index += 1;
    }
    let dateline_no = index + 1;
    let dateline = lines.get(index).copied().unwrap_or("");
    let (date_text, section) = dateline.split_once('/').ok_or_else(|| {
        ParseError::at(
            dateline_no,
            format!("expected \"<date> / <section>\" after the title, found {dateline:?}"),
        )
    })?;
    let published_at = dates::parse_instant(date_text, options.timezone).ok_or_else(|| {
        ParseError::at(
            dateline_no,
            format!("{:?} is not a date (try \"27 novembre 2024\", \"November 27, 2024\" or \"2024-11-27\")", date_text.trim()),
        )
    })?;
    let (section, translation_key) = match section.split_once('/') {
        Some((section, key)) => (section.trim(), Some(key.trim()).filter(|k| !k.is_empty())),
        None => (section.trim(), None),
    };
    if section.is_empty() {
        return Err(ParseError::at(
            dateline_no,
            "the section after \"/\" is empty",
        ));
    }
    let body = body_markdown(&lines[index + 1..]);
    if body.is_empty() {
        return Err(ParseError::at(
            dateline_no + 1,
            "the article has no text after the date line",
        ));
    }
    Ok(Item {
        line: title_line,
        article: ArticleCreate {
            id: None,
            slug: None,
            title,
            standfirst: None,
            body: Some(body),
            blocks: None,
            language: None,
            status: None,
            section: Some(section.to_owned()),
            tags: None,
            authors: None,
            published_at: Some(published_at),
            metadata: None,
            cover: None,
            translation_of: None,
            translation_key: translation_key.map(str::to_owned),
        },
    })
}

/// Blocks separated by blank lines become paragraphs or `##` sub-headings;
/// the words themselves are kept exactly.
fn body_markdown(lines: &[&str]) -> String {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
        .into_iter()
        .map(|block| {
            if block.len() == 1 && is_heading(block[0]) {
                format!("## {}", block[0].trim())
            } else {
                block
                    .iter()
                    .map(|l| escape_block_start(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn is_heading(line: &str) -> bool {
    let line = line.trim();
    // Closing quotes and brackets are not punctuation: « … » ends a heading as
    // readily as a word does; what decides is the mark before them.
    let core = line.trim_end_matches(CLOSERS).trim_end();
    let Some(last) = core.chars().last() else {
        return false;
    };
    line.chars().count() <= MAX_HEADING_CHARS
        && !SENTENCE_ENDS.contains(&last)
        && last != ','
        && last != ';'
}

/// Marks that end a sentence, so a block ending in one is a paragraph.
const SENTENCE_ENDS: &[char] = &['.', '!', '?', ':', '…'];

/// Closing quotation marks and brackets, read past when looking for the last mark.
const CLOSERS: &[char] = &[
    '»', '”', '’', '"', '\'', ')', ']', '›', '\u{a0}', '\u{202f}', ' ',
];

/// Plain text is not Markdown: a line that would start a list, quote or heading
/// gets a backslash so it renders as the text it is.
fn escape_block_start(line: &str) -> String {
    let trimmed = line.trim_start();
    let starts_block = trimmed.starts_with('#')
        || trimmed.starts_with('>')
        || ["- ", "+ ", "* "].iter().any(|m| trimmed.starts_with(m))
        || {
            let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && matches!(trimmed.as_bytes().get(digits), Some(b'.' | b')'))
        };
    if starts_block {
        let indent = &line[..line.len() - trimmed.len()];
        format!("{indent}\\{trimmed}")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_paragraphs() {
        let md = body_markdown(&[
            "Premier paragraphe.",
            "",
            "Une alliance ancienne",
            "",
            "- Il a dit.",
        ]);
        assert_eq!(
            md,
            "Premier paragraphe.\n\n## Une alliance ancienne\n\n\\- Il a dit."
        );
    }

    /// The demo's seed article as blocks: paragraphs and its two sub-headings,
    /// text byte for byte, and back to the same Markdown.
    #[test]
    fn the_seed_article_reads_as_paragraphs_and_two_headings() {
        use crate::content::blocks::{from_markdown, to_markdown, Block, Heading, Inline, Text};
        let options = Options::for_tests();
        let seed = include_str!("../../demo/01-poutine-au-kazakhstan.txt");
        let body = parse(seed, &options)
            .expect("the seed parses")
            .article
            .body
            .expect("a file gives a body");
        let blocks = from_markdown(&body);
        let headings: Vec<&str> = blocks
            .iter()
            .filter_map(|block| match block {
                Block::Heading(Heading { level: 2, content }) => match content.as_slice() {
                    [Inline::Text(Text { text, .. })] => Some(text.as_str()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            ["Une relation ancienne", "Le nucléaire au centre du jeu"]
        );
        assert!(blocks
            .iter()
            .all(|b| matches!(b, Block::Heading(_) | Block::Paragraph(_))));
        let paragraphs: Vec<&str> = seed
            .lines()
            .skip(3)
            .filter(|l| !l.trim().is_empty() && !headings.contains(&l.trim()))
            .collect();
        let texts: Vec<String> = blocks
            .iter()
            .filter_map(|block| match block {
                Block::Paragraph(p) => match p.content.as_slice() {
                    [Inline::Text(Text { text, .. })] => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(texts, paragraphs);
        assert_eq!(to_markdown(&blocks).as_deref(), Ok(body.as_str()));
        let other = include_str!("../../demo/05-city-council-budget.txt");
        let body = parse(other, &options)
            .expect("the demo parses")
            .article
            .body
            .expect("a file gives a body");
        assert_eq!(
            to_markdown(&from_markdown(&body)).as_deref(),
            Ok(body.as_str())
        );
    }

    #[test]
    fn punctuation_makes_a_paragraph() {
        assert!(!is_heading("Et maintenant ?"));
        assert!(!is_heading("Il est venu."));
        assert!(is_heading("Le gaz, nerf de la guerre"));
    }

    #[test]
    fn closing_quotes_and_brackets_are_not_punctuation() {
        for heading in [
            "Une alliance « éprouvée par la vie »",
            "Une alliance “tested by life”",
            "L’« ami » de Moscou (suite)",
            "Projets énergétiques et ambitions stratégiques",
            "The ‘special relationship’",
        ] {
            assert!(is_heading(heading), "{heading}");
        }
        for paragraph in [
            "Il a dit « non ».",
            "Il a dit « non. »",
            "« Pourquoi ? »",
            "Le président a conclu :",
            "Et ainsi de suite…",
            "(Voir plus haut.)",
            "« … »",
        ] {
            assert!(!is_heading(paragraph), "{paragraph}");
        }
    }
}
