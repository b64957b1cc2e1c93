//! Blocks → Markdown. What is written is read back and compared: the plainest
//! Markdown that reads as the blocks is kept (text escaped only where it would
//! read as syntax), else Markdown with every ASCII punctuation mark escaped and
//! the letters beside marks' delimiters written as character references, which
//! lets every delimiter open and close where the marks say; blocks that neither
//! reads back as (marks that cross where a space stands) are refused.

use std::fmt;

use super::canonical::canonical;
use super::read::{from_markdown, ATTRIBUTION_DASH};
use super::{Alignment, Block, Inline, Link, List, Mark, Quote, Table, Text};

/// Blocks that no Markdown reads back as, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    /// The position of the first block that does not read back, from 0.
    pub block: usize,
}

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "block {} cannot be written as Markdown that reads back the same",
            self.block
        )
    }
}

/// The Markdown of `blocks` (in canonical form: see `canonical`).
pub fn to_markdown(blocks: &[Block]) -> Result<String, Unwritable> {
    let wanted = canonical(blocks);
    let mut read = Vec::new();
    for escape in [Escape::Syntax, Escape::Punctuation] {
        let markdown = Writer { escape }.blocks(&wanted);
        read = from_markdown(&markdown);
        if read == wanted {
            return Ok(markdown);
        }
    }
    let block = wanted
        .iter()
        .zip(read.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(wanted.len().min(read.len()));
    Err(Unwritable { block })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// Only what would read as syntax where it stands.
    Syntax,
    /// Every ASCII punctuation mark, and letters beside a delimiter that could
    /// not open or close there.
    Punctuation,
}

/// Where a line of text stands, which decides what in it reads as syntax.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Paragraph,
    Heading,
    Cell,
}

struct Writer {
    escape: Escape,
}

/// A piece of a line being written.
enum Piece {
    /// Text, escaped as it is written.
    Text(String),
    /// A delimiter that opens a mark.
    Open(&'static str),
    /// A delimiter that closes a mark.
    Close(&'static str),
    /// Markdown written as it is (a code span, a link's brackets, a line break).
    Verbatim(String),
}

/// A mark's delimiter. Escaping all punctuation, italics take `_`, so that
/// closing one mark and opening another never writes one run of `*` (`*a***b**`
/// reads otherwise); `_`, which does not open or close inside a word, then has
/// references beside it, as every delimiter does.
fn delimiter(mark: Mark, escape: Escape) -> &'static str {
    match (mark, escape) {
        (Mark::Strong, _) => "**",
        (Mark::Em, Escape::Syntax) => "*",
        (Mark::Em, Escape::Punctuation) => "_",
        (Mark::Strike, _) => "~~",
        (Mark::Code, _) => "",
    }
}

/// CommonMark's punctuation (ASCII punctuation, Unicode punctuation and symbols).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace())
}

impl Writer {
    fn blocks(&self, blocks: &[Block]) -> String {
        let mut parts: Vec<String> = Vec::new();
        // Two lists in a row must differ in their markers, or they read as one.
        let mut last_list: Option<(bool, bool)> = None;
        for block in blocks {
            let written = match block {
                Block::List(list) => {
                    let alternate =
                        last_list.is_some_and(|(ordered, alt)| ordered == list.ordered && !alt);
                    last_list = Some((list.ordered, alternate));
                    self.list(list, alternate)
                }
                other => {
                    last_list = None;
                    self.block(other)
                }
            };
            parts.push(written);
        }
        parts.join("\n\n")
    }

    fn block(&self, block: &Block) -> String {
        match block {
            Block::Paragraph(p) => self.line(&p.content, Place::Paragraph),
            Block::Heading(h) => {
                let text = self.line(&h.content, Place::Heading);
                format!("{} {text}", "#".repeat(usize::from(h.level)))
                    .trim_end_matches(' ')
                    .to_owned()
            }
            Block::List(list) => self.list(list, false),
            Block::Quote(quote) => self.quote(quote),
            Block::Image(image) => format!(
                "![{}]({})",
                self.escaped(&image.alt, false, Place::Paragraph, true),
                destination(&image.src, image.title.as_deref())
            ),
            Block::Embed(embed) => match self.escape {
                Escape::Syntax => embed.url.clone(),
                Escape::Punctuation => format!("<{}>", embed.url),
            },
            Block::Table(table) => self.table(table),
            Block::Code(code) => {
                let fence = "`".repeat(longest_run(&code.text, '`').max(2) + 1);
                let language = code.language.as_deref().unwrap_or("");
                if code.text.is_empty() {
                    format!("{fence}{language}\n{fence}")
                } else {
                    format!("{fence}{language}\n{}\n{fence}", code.text)
                }
            }
            // `---` reads as one with a bullet before it (`- ---`): `___` never does.
            Block::Divider(_) => match self.escape {
                Escape::Syntax => "---".to_owned(),
                Escape::Punctuation => "___".to_owned(),
            },
        }
    }

    fn list(&self, list: &List, alternate: bool) -> String {
        let tight = list.items.iter().all(|item| {
            item.content.len() <= 1
                && matches!(item.content.first(), None | Some(Block::Paragraph(_)))
        });
        let start = list.start.unwrap_or(1);
        let items: Vec<String> = list
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = match (list.ordered, alternate) {
                    (true, false) => format!("{}. ", start.saturating_add(i as u64)),
                    (true, true) => format!("{}) ", start.saturating_add(i as u64)),
                    (false, false) => "- ".to_owned(),
                    (false, true) => "* ".to_owned(),
                };
                indent(&self.blocks(&item.content), &marker)
            })
            .collect();
        items.join(if tight { "\n" } else { "\n\n" })
    }

    fn quote(&self, quote: &Quote) -> String {
        let mut inner = self.blocks(&quote.content);
        if let Some(name) = &quote.attribution {
            if !inner.is_empty() {
                inner.push_str("\n\n");
            }
            inner.push_str(ATTRIBUTION_DASH);
            inner.push_str(&self.escaped(name, false, Place::Paragraph, false));
        }
        inner
            .split('\n')
            .map(|line| {
                if line.is_empty() {
                    ">".to_owned()
                } else {
                    format!("> {line}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn table(&self, table: &Table) -> String {
        let row = |cells: &[super::Cell]| -> String {
            let written: Vec<String> = cells
                .iter()
                .map(|cell| self.line(&cell.content, Place::Cell))
                .collect();
            format!("| {} |", written.join(" | "))
        };
        let rule: Vec<&str> = table
            .align
            .iter()
            .map(|a| match a {
                Alignment::None => "---",
                Alignment::Left => ":---",
                Alignment::Center => ":---:",
                Alignment::Right => "---:",
            })
            .collect();
        let mut lines = vec![row(&table.header), format!("| {} |", rule.join(" | "))];
        lines.extend(table.rows.iter().map(|cells| row(cells)));
        lines.join("\n")
    }

    /// A line of text: its runs with their marks' delimiters, links, pictures
    /// and line breaks.
    fn line(&self, content: &[Inline], place: Place) -> String {
        let mut pieces = Vec::new();
        let mut open: Vec<Mark> = Vec::new();
        let texts: Vec<Option<&Text>> = content
            .iter()
            .map(|inline| match inline {
                Inline::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        for (i, inline) in content.iter().enumerate() {
            match inline {
                Inline::Text(text) => {
                    let after_space = ends_with_space(i.checked_sub(1).and_then(|j| texts[j]));
                    self.run(
                        text,
                        (reach(&texts[i..]), after_space),
                        &mut open,
                        &mut pieces,
                    )
                }
                Inline::Link(link) => {
                    close_all(&mut open, &mut pieces, self.escape);
                    self.link(link, &mut pieces);
                }
                Inline::Image(image) => {
                    close_all(&mut open, &mut pieces, self.escape);
                    pieces.push(Piece::Verbatim(format!(
                        "![{}]({})",
                        self.escaped(&image.alt, false, place, true),
                        destination(&image.src, image.title.as_deref())
                    )));
                }
                Inline::Break(_) => {
                    close_all(&mut open, &mut pieces, self.escape);
                    pieces.push(Piece::Verbatim("\\\n".to_owned()));
                }
            }
        }
        close_all(&mut open, &mut pieces, self.escape);
        self.emit(&pieces, place, false)
    }

    fn link(&self, link: &Link, pieces: &mut Vec<Piece>) {
        let plain_address = matches!(link.content.as_slice(),
            [Text { text, marks }] if marks.is_empty() && *text == link.href);
        if plain_address && link.title.is_none() && is_autolink(&link.href) {
            pieces.push(Piece::Verbatim(format!("<{}>", link.href)));
            return;
        }
        let mut inner = Vec::new();
        let mut open = Vec::new();
        let texts: Vec<Option<&Text>> = link.content.iter().map(Some).collect();
        for (i, text) in link.content.iter().enumerate() {
            let after_space = ends_with_space(i.checked_sub(1).and_then(|j| texts[j]));
            self.run(
                text,
                (reach(&texts[i..]), after_space),
                &mut open,
                &mut inner,
            );
        }
        close_all(&mut open, &mut inner, self.escape);
        let text = self.emit(&inner, Place::Paragraph, true);
        pieces.push(Piece::Verbatim(format!(
            "[{text}]({})",
            destination(&link.href, link.title.as_deref())
        )));
    }

    /// A run of text with its marks' delimiters: the marks that go on furthest
    /// (`reach`) outermost, so that spans nest. What is open and not in that
    /// order (or not wanted) closes, what is wanted and not open opens.
    fn run(
        &self,
        text: &Text,
        (reach, after_space): (impl Fn(Mark) -> usize, bool),
        open: &mut Vec<Mark>,
        pieces: &mut Vec<Piece>,
    ) {
        let mut wanted: Vec<Mark> = text
            .marks
            .iter()
            .copied()
            .filter(|m| *m != Mark::Code)
            .collect();
        let opened_at = |m: Mark| open.iter().position(|o| *o == m).unwrap_or(usize::MAX);
        // Beside a space a delimiter can neither close nor open: what is open
        // and still wanted stays open, and what is new opens inside it.
        let beside_space = after_space || text.text.starts_with(char::is_whitespace);
        let kept = if beside_space {
            open.iter().take_while(|m| wanted.contains(m)).count()
        } else {
            wanted.sort_by_key(|m| (std::cmp::Reverse(reach(*m)), opened_at(*m)));
            open.iter()
                .zip(&wanted)
                .take_while(|(open, wanted)| open == wanted)
                .count()
        };
        wanted.retain(|m| !open[..kept].contains(m));
        wanted.sort_by_key(|m| std::cmp::Reverse(reach(*m)));
        while open.len() > kept {
            if let Some(mark) = open.pop() {
                pieces.push(Piece::Close(delimiter(mark, self.escape)));
            }
        }
        for mark in &wanted {
            open.push(*mark);
            pieces.push(Piece::Open(delimiter(*mark, self.escape)));
        }
        if text.marks.contains(&Mark::Code) {
            pieces.push(Piece::Verbatim(code_span(&text.text)));
        } else {
            pieces.push(Piece::Text(text.text.clone()));
        }
    }

    /// Writes pieces out, escaping their text for where it stands.
    fn emit(&self, pieces: &[Piece], place: Place, in_link: bool) -> String {
        let mut out = String::new();
        let mut line_start = true;
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Text(text) => {
                    let mut escaped = self.escaped(text, line_start, place, in_link);
                    if self.escape == Escape::Punctuation {
                        escaped = reference_flanks(text, escaped, pieces, i);
                    }
                    out.push_str(&escaped);
                    line_start = false;
                }
                Piece::Open(d) | Piece::Close(d) => {
                    out.push_str(d);
                    line_start = false;
                }
                // A table splits its rows at every `|` not escaped, even inside
                // code or a link, and reads `\|` there as `|`.
                Piece::Verbatim(v) if place == Place::Cell => {
                    out.push_str(&v.replace('|', "\\|"));
                    line_start = false;
                }
                Piece::Verbatim(v) => {
                    out.push_str(v);
                    line_start = v.ends_with('\n');
                }
            }
        }
        out
    }

    /// `text` escaped for where it stands.
    fn escaped(&self, text: &str, line_start: bool, place: Place, in_brackets: bool) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let escape = match self.escape {
                Escape::Punctuation => c.is_ascii_punctuation(),
                Escape::Syntax => match c {
                    '\\' => next.is_none_or(|n| n.is_ascii_punctuation()),
                    '*' | '_' | '`' | '~' => true,
                    '[' | ']' => in_brackets,
                    '|' => place == Place::Cell,
                    '#' | '{' => place == Place::Heading || (line_start && i == 0),
                    '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(n)),
                    '&' => starts_reference(&chars[i + 1..]),
                    '>' | '-' | '+' | '=' => line_start && i == 0,
                    '.' | ')' => line_start && chars[..i].iter().all(char::is_ascii_digit) && i > 0,
                    '!' => next == Some('['),
                    _ => false,
                },
            };
            if escape {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
}

fn ends_with_space(text: Option<&Text>) -> bool {
    text.is_some_and(|t| t.text.ends_with(char::is_whitespace))
}

/// How many runs from the first of `texts` on carry a mark.
fn reach<'a>(texts: &'a [Option<&'a Text>]) -> impl Fn(Mark) -> usize + 'a {
    move |mark| {
        texts
            .iter()
            .take_while(|t| t.is_some_and(|t| t.marks.contains(&mark)))
            .count()
    }
}

fn close_all(open: &mut Vec<Mark>, pieces: &mut Vec<Piece>, escape: Escape) {
    while let Some(mark) = open.pop() {
        pieces.push(Piece::Close(delimiter(mark, escape)));
    }
}

/// Writes as a character reference a letter or digit of `text` that stands
/// beside a delimiter. Next to punctuation (which a reference reads as there)
/// or a space on its other side, every delimiter opens or closes as the marks
/// nest, whatever the letters around it; the reference reads as its character.
fn reference_flanks(text: &str, escaped: String, pieces: &[Piece], at: usize) -> String {
    let beside = |piece: Option<&Piece>| matches!(piece, Some(Piece::Open(_) | Piece::Close(_)));
    let letter = |c: char| !c.is_whitespace() && !is_punctuation(c);
    let reference = |c: char| format!("&#x{:X};", u32::from(c));
    let (Some(first), Some(last)) = (text.chars().next(), text.chars().last()) else {
        return escaped;
    };
    let before = beside(pieces.get(at + 1)) && letter(last);
    let after = beside(at.checked_sub(1).and_then(|j| pieces.get(j))) && letter(first);
    if text.chars().count() == 1 && (before || after) {
        return reference(first);
    }
    // Letters are never escaped: the escaped text begins and ends with them.
    let mut body = escaped.as_str();
    let mut out = String::new();
    if after {
        out.push_str(&reference(first));
        body = &body[first.len_utf8()..];
    }
    if before {
        out.push_str(&body[..body.len() - last.len_utf8()]);
        out.push_str(&reference(last));
    } else {
        out.push_str(body);
    }
    out
}

/// Whether text from here reads as a character reference (`amp;`, `#160;`).
fn starts_reference(rest: &[char]) -> bool {
    let name: Vec<char> = rest
        .iter()
        .copied()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && rest.get(name.len()) == Some(&';')
}

/// A link's or picture's destination and title, as written between parentheses.
fn destination(href: &str, title: Option<&str>) -> String {
    let plain = !href.is_empty()
        && !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()\\".contains(c));
    let mut out = if plain {
        href.to_owned()
    } else {
        let mut pointed = String::from("<");
        for c in href.chars() {
            if "<>\\".contains(c) {
                pointed.push('\\');
            }
            pointed.push(c);
        }
        pointed.push('>');
        pointed
    };
    if let Some(title) = title {
        out.push_str(" \"");
        for c in title.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out
}

/// Whether an address may be written as `<address>`: an absolute URI.
fn is_autolink(href: &str) -> bool {
    let Some((scheme, rest)) = href.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// Code within a line: between backticks one more than any run inside, and
/// padded with a space where the code begins or ends with a backtick or a
/// space (which the reader strips one of on each side).
fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = code.starts_with('`')
        || code.ends_with('`')
        || (code.starts_with(' ') && code.ends_with(' ') && !code.trim().is_empty());
    if pad {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

fn longest_run(text: &str, of: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == of { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// Lines of an item's blocks after its marker: the first beside it, the rest
/// indented as far.
fn indent(body: &str, marker: &str) -> String {
    if body.is_empty() {
        return marker.trim_end().to_owned();
    }
    let pad = " ".repeat(marker.len());
    body.split('\n')
        .enumerate()
        .map(|(i, line)| match (i, line.is_empty()) {
            (0, _) => format!("{marker}{line}"),
            (_, true) => String::new(),
            (_, false) => format!("{pad}{line}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What each way of escaping writes for `blocks`, for tests to show.
#[cfg(test)]
pub(super) fn attempts(blocks: &[Block]) -> Vec<(String, Vec<Block>)> {
    let wanted = canonical(blocks);
    [Escape::Syntax, Escape::Punctuation]
        .into_iter()
        .map(|escape| {
            let markdown = Writer { escape }.blocks(&wanted);
            let read = from_markdown(&markdown);
            (markdown, read)
        })
        .collect()
}
