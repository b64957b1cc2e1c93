//! Blocks → Markdown. What is written is read back and compared: the plainest
//! Markdown that reads as the blocks is kept (text escaped only where it would
//! read as syntax), else Markdown with every ASCII punctuation mark escaped and
//! the letters beside marks' delimiters written as character references, which
//! lets every delimiter open and close where the marks say; blocks that neither
//! reads back as (marks that cross where a space stands) are refused.

use std::fmt;

use super::canonical::canonical;
use super::inline::{destination, longest_run, Escape, Place};
use super::read::{from_markdown, ATTRIBUTION_DASH, MAX_NESTING};
use super::{Alignment, Block, List, Quote, Table};

/// The highest number a numbered list can start at: Markdown's nine digits.
pub const MAX_LIST_START: u64 = 999_999_999;

/// Blocks that no Markdown reads back as, where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    /// The position of the first block that does not read back, from 0.
    pub block: usize,
    pub reason: String,
}

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block {}: {}", self.block, self.reason)
    }
}

/// The Markdown of `blocks` (in canonical form: see `canonical`).
pub fn to_markdown(blocks: &[Block]) -> Result<String, Unwritable> {
    if let Some((block, reason)) = blocks
        .iter()
        .enumerate()
        .find_map(|(i, block)| beyond_limits(block, 0).map(|reason| (i, reason)))
    {
        return Err(Unwritable { block, reason });
    }
    let wanted = canonical(blocks);
    let mut read = Vec::new();
    for escape in [Escape::Syntax, Escape::Punctuation] {
        let markdown = Writer { escape }.blocks(&wanted);
        read = from_markdown(&markdown);
        if read == wanted {
            return Ok(markdown);
        }
    }
    let differing = wanted
        .iter()
        .zip(read.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(wanted.len().min(read.len()));
    // Canonical form leaves out blocks with nothing in them: count the client's.
    let block = blocks
        .iter()
        .enumerate()
        .filter(|(_, block)| !canonical(std::slice::from_ref(*block)).is_empty())
        .nth(differing)
        .map_or(blocks.len().saturating_sub(1), |(i, _)| i);
    Err(Unwritable {
        block,
        reason: "no Markdown reads back as it: marks that begin or end beside a space \
                 inside other marks, or text that reads as a line of its own"
            .to_owned(),
    })
}

/// What in `block` (`depth` quotes and lists deep) Markdown cannot say at all.
fn beyond_limits(block: &Block, depth: usize) -> Option<String> {
    let within = |content: &[Block]| {
        content
            .iter()
            .find_map(|block| beyond_limits(block, depth + 1))
    };
    match block {
        Block::Heading(h) if !(1..=6).contains(&h.level) => {
            Some(format!("a heading's level is from 1 to 6, not {}", h.level))
        }
        Block::List(list) if list.start.is_some_and(|start| start > MAX_LIST_START) => Some(
            format!("a numbered list starts at {MAX_LIST_START} at most"),
        ),
        Block::List(_) | Block::Quote(_) if depth >= MAX_NESTING => {
            Some(format!("quotes and lists nest {MAX_NESTING} deep at most"))
        }
        Block::List(list) => list.items.iter().find_map(|item| within(&item.content)),
        Block::Quote(quote) => within(&quote.content),
        _ => None,
    }
}

struct Writer {
    escape: Escape,
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
            Block::Paragraph(p) => self.escape.line(&p.content, Place::Paragraph),
            Block::Heading(h) => {
                let text = self.escape.line(&h.content, Place::Heading);
                format!("{} {text}", "#".repeat(usize::from(h.level)))
                    .trim_end_matches(' ')
                    .to_owned()
            }
            Block::List(list) => self.list(list, false),
            Block::Quote(quote) => self.quote(quote),
            Block::Image(image) => format!(
                "![{}]({})",
                self.escape
                    .escaped(&image.alt, false, Place::Paragraph, true),
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
            inner.push_str(&self.escape.escaped(name, false, Place::Paragraph, false));
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
                .map(|cell| self.escape.line(&cell.content, Place::Cell))
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
