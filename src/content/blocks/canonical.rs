//! The canonical form of blocks: the one Markdown reads back to. Trees that
//! differ only in ways Markdown cannot tell apart (runs split where their marks
//! do not change, marks in another order, whitespace at the edge of a mark or a
//! line, a row shorter than the header) have the same canonical form, so a
//! client's blocks can be compared with what their Markdown reads as.

use super::read;
use super::{Block, Break, Cell, Inline, Link, ListItem, Mark, Quote, Table, Text};
use crate::content::embeds::provider_of;

/// `blocks` in canonical form.
pub fn canonical(blocks: &[Block]) -> Vec<Block> {
    blocks.iter().filter_map(block).collect()
}

fn block(block: &Block) -> Option<Block> {
    Some(match block {
        Block::Paragraph(p) => {
            let content = line(&p.content, true);
            if content.is_empty() {
                return None;
            }
            Block::Paragraph(super::Paragraph { content })
        }
        Block::Heading(h) => Block::Heading(super::Heading {
            level: h.level.clamp(1, 6),
            // A heading is one line.
            content: line(&h.content, false),
        }),
        Block::List(list) => Block::List(super::List {
            ordered: list.ordered,
            start: list.ordered.then(|| list.start.unwrap_or(1)),
            items: list
                .items
                .iter()
                .map(|item| ListItem {
                    content: canonical(&item.content),
                })
                .collect(),
        }),
        Block::Quote(q) => {
            let attribution = q
                .attribution
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned);
            let content = canonical(&q.content);
            // A last line that begins with a dash names who is quoted.
            match attribution {
                Some(_) => Block::Quote(Quote {
                    content,
                    attribution,
                }),
                None => read::quote(content),
            }
        }
        // What the image's address names is worked out again; its media is served, not kept.
        Block::Image(image) => Block::Image(read::image_block(super::InlineImage {
            src: image.src.clone(),
            alt: image.alt.clone(),
            title: image.title.clone(),
        })),
        Block::Embed(embed) => match provider_of(embed.url.trim()) {
            Some((provider, id)) => Block::Embed(super::Embed {
                provider: provider.name.to_owned(),
                url: embed.url.trim().to_owned(),
                id,
            }),
            // Not an item of a provider Folio knows: a line with its address.
            None => Block::Paragraph(super::Paragraph {
                content: vec![Inline::Text(Text::plain(embed.url.trim()))],
            }),
        },
        Block::Table(table) => {
            let columns = table.header.len();
            let cells = |row: &[Cell]| -> Vec<Cell> {
                (0..columns)
                    .map(|i| Cell {
                        content: row
                            .get(i)
                            .map(|cell| line(&cell.content, false))
                            .unwrap_or_default(),
                    })
                    .collect()
            };
            let mut align = table.align.clone();
            align.resize(columns, super::Alignment::None);
            Block::Table(Table {
                align,
                header: cells(&table.header),
                rows: table.rows.iter().map(|row| cells(row)).collect(),
            })
        }
        Block::Code(code) => Block::Code(super::Code {
            language: code
                .language
                .as_deref()
                .and_then(|l| l.split_whitespace().next())
                .map(str::to_owned),
            text: code.text.clone(),
        }),
        Block::Divider(d) => Block::Divider(d.clone()),
    })
}

/// A line of text in canonical form: marks sorted, runs that share their marks
/// joined, no empty run, whitespace at the edge of a mark moved out of it,
/// nothing but text around a line break; with `breaks` false (a heading, a
/// table cell: one line) a line break reads as a space.
fn line(content: &[Inline], breaks: bool) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for inline in content {
        match inline {
            Inline::Text(text) => push_text(&mut out, text.clone()),
            Inline::Break(_) if !breaks => push_text(&mut out, Text::plain(" ")),
            Inline::Break(_) => out.push(Inline::Break(Break {})),
            Inline::Link(link) => {
                let mut texts: Vec<Inline> = Vec::new();
                for text in &link.content {
                    push_text(&mut texts, text.clone());
                }
                out.push(Inline::Link(Link {
                    href: link.href.clone(),
                    title: link.title.clone().filter(|t| !t.is_empty()),
                    content: texts
                        .into_iter()
                        .filter_map(|i| match i {
                            Inline::Text(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    article: None,
                }));
            }
            Inline::Image(image) => out.push(Inline::Image(image.clone())),
        }
    }
    let out = loosen_marks(out);
    trim_lines(out)
}

fn push_text(out: &mut Vec<Inline>, mut text: Text) {
    // A line ends only where a break says so: a newline inside text reads as a space.
    if text.text.contains(['\n', '\r']) {
        text.text = text.text.replace("\r\n", " ").replace(['\n', '\r'], " ");
    }
    text.marks.sort();
    text.marks.dedup();
    if text.text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(last)) if last.marks == text.marks => last.text.push_str(&text.text),
        _ => out.push(Inline::Text(text)),
    }
}

/// No span of bold, italics or strikethrough begins or ends with whitespace:
/// Markdown's delimiters cannot open before, or close after, a space, so the
/// whitespace at a span's edge is outside the span.
fn loosen_marks(content: Vec<Inline>) -> Vec<Inline> {
    // Whitespace at the edges of a run becomes runs of its own.
    let mut split: Vec<Inline> = Vec::new();
    for inline in content {
        match inline {
            Inline::Text(text) if !text.marks.is_empty() && !text.marks.contains(&Mark::Code) => {
                let body = text.text.trim_matches(char::is_whitespace);
                let start =
                    text.text.len() - text.text.trim_start_matches(char::is_whitespace).len();
                for part in [&text.text[..start], body, &text.text[start + body.len()..]] {
                    if !part.is_empty() {
                        split.push(Inline::Text(Text {
                            text: part.to_owned(),
                            marks: text.marks.clone(),
                        }));
                    }
                }
            }
            other => split.push(other),
        }
    }
    let blank = |inline: &Inline| {
        matches!(inline, Inline::Text(t)
            if !t.marks.contains(&Mark::Code) && t.text.chars().all(char::is_whitespace))
    };
    for mark in [Mark::Strong, Mark::Em, Mark::Strike] {
        let has = |inline: &Inline| matches!(inline, Inline::Text(t) if t.marks.contains(&mark));
        let mut i = 0;
        while i < split.len() {
            if !has(&split[i]) {
                i += 1;
                continue;
            }
            let end = (i..split.len())
                .find(|&j| !has(&split[j]))
                .unwrap_or(split.len());
            let mut first = i;
            while first < end && blank(&split[first]) {
                first += 1;
            }
            let mut last = end;
            while last > first && blank(&split[last - 1]) {
                last -= 1;
            }
            for j in (i..first).chain(last..end) {
                if let Inline::Text(t) = &mut split[j] {
                    t.marks.retain(|m| *m != mark);
                }
            }
            i = end;
        }
    }
    let mut out: Vec<Inline> = Vec::new();
    for inline in split {
        match inline {
            Inline::Text(text) => push_text(&mut out, text),
            other => out.push(other),
        }
    }
    out
}

/// No space or tab at the start or end of a line (of the block, or around a line
/// break), and no line break at either end or twice in a row.
fn trim_lines(content: Vec<Inline>) -> Vec<Inline> {
    let mut lines: Vec<Vec<Inline>> = vec![Vec::new()];
    for inline in content {
        match inline {
            Inline::Break(_) => lines.push(Vec::new()),
            other => lines.last_mut().expect("one line at least").push(other),
        }
    }
    let mut out: Vec<Inline> = Vec::new();
    for mut line in lines {
        if let Some(Inline::Text(first)) = line.first_mut() {
            first.text = first.text.trim_start_matches([' ', '\t']).to_owned();
        }
        if let Some(Inline::Text(last)) = line.last_mut() {
            last.text = last.text.trim_end_matches([' ', '\t']).to_owned();
        }
        line.retain(|i| !matches!(i, Inline::Text(t) if t.text.is_empty()));
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Inline::Break(Break {}));
        }
        out.extend(line);
    }
    out
}
