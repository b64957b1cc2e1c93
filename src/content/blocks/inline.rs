//! A line of Markdown text: runs with their marks' delimiters, links, inline
//! pictures and line breaks, escaped for where the line stands.

use super::{Inline, Link, Mark, Text};

/// How much of a line's text is escaped: the writer tries the first, and the
/// second when the first does not read back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Escape {
    /// Only what would read as syntax where it stands.
    Syntax,
    /// Every ASCII punctuation mark, and letters beside a delimiter that could
    /// not open or close there.
    Punctuation,
}

/// Where a line of text stands, which decides what in it reads as syntax.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Paragraph,
    Heading,
    Cell,
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

impl Escape {
    /// A line of text: its runs with their marks' delimiters, links, pictures
    /// and line breaks.
    pub(super) fn line(self, content: &[Inline], place: Place) -> String {
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
                    close_all(&mut open, &mut pieces, self);
                    self.link(link, &mut pieces);
                }
                Inline::Image(image) => {
                    close_all(&mut open, &mut pieces, self);
                    pieces.push(Piece::Verbatim(format!(
                        "![{}]({})",
                        self.escaped(&image.alt, false, place, true),
                        destination(&image.src, image.title.as_deref())
                    )));
                }
                Inline::Break(_) => {
                    close_all(&mut open, &mut pieces, self);
                    pieces.push(Piece::Verbatim("\\\n".to_owned()));
                }
            }
        }
        close_all(&mut open, &mut pieces, self);
        self.emit(&pieces, place, false)
    }

    fn link(self, link: &Link, pieces: &mut Vec<Piece>) {
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
        close_all(&mut open, &mut inner, self);
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
        self,
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
                pieces.push(Piece::Close(delimiter(mark, self)));
            }
        }
        for mark in &wanted {
            open.push(*mark);
            pieces.push(Piece::Open(delimiter(*mark, self)));
        }
        if text.marks.contains(&Mark::Code) {
            pieces.push(Piece::Verbatim(code_span(&text.text)));
        } else {
            pieces.push(Piece::Text(text.text.clone()));
        }
    }

    /// Writes pieces out, escaping their text for where it stands.
    fn emit(self, pieces: &[Piece], place: Place, in_link: bool) -> String {
        let mut out = String::new();
        let mut line_start = true;
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Text(text) => {
                    let mut escaped = self.escaped(text, line_start, place, in_link);
                    if self == Escape::Punctuation {
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
    pub(super) fn escaped(
        self,
        text: &str,
        line_start: bool,
        place: Place,
        in_brackets: bool,
    ) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let escape = match self {
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
pub(super) fn destination(href: &str, title: Option<&str>) -> String {
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

pub(super) fn longest_run(text: &str, of: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == of { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}
