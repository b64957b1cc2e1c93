//! Markdown → blocks, from the same parser (and options) that renders `body_html`.

use std::iter::Peekable;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::{
    Alignment, Block, Break, Cell, Code, Divider, Embed, Heading, Image, Inline, InlineImage, Link,
    List, ListItem, Mark, Paragraph, Quote, Table, Text,
};
use crate::content::embeds::provider_of;
use crate::content::markdown::{options, ASSET_SCHEME};

type Events<'a> = Peekable<Parser<'a>>;

/// What a quote's last line begins with when it names who is quoted.
pub(super) const ATTRIBUTION_DASH: &str = "— ";

/// How deep quotes and lists nest as blocks; deeper ones are read as the text
/// they hold, so that no body can make reading (or writing, or serialising)
/// recurse without bound.
pub const MAX_NESTING: usize = 32;

/// The blocks of a Markdown body.
pub fn from_markdown(markdown: &str) -> Vec<Block> {
    let mut events = Parser::new_ext(markdown, options()).peekable();
    let mut blocks = Vec::new();
    while events.peek().is_some() {
        read_container(&mut events, &mut blocks, 0);
    }
    blocks
}

/// Whether an event opens a block (as opposed to text inside one).
fn opens_block(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_)
        ) | Event::Rule
    )
}

/// Reads what comes next at the level of blocks: a block, or the text a tight
/// list item holds directly (as a paragraph); skips what is neither.
fn read_container(events: &mut Events<'_>, out: &mut Vec<Block>, depth: usize) {
    match events.peek() {
        Some(event) if opens_block(event) => read_block(events, out, depth),
        Some(Event::End(_)) | None => {
            events.next();
        }
        Some(_) => {
            let content = read_inlines(events);
            if !content.is_empty() {
                out.push(standing_alone(content));
            }
        }
    }
}

/// Reads the blocks up to the end of the container just opened (`depth` deep),
/// and that end.
fn read_until_end(events: &mut Events<'_>, depth: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    loop {
        match events.peek() {
            None => return blocks,
            Some(Event::End(_)) => {
                events.next();
                return blocks;
            }
            Some(_) => read_container(events, &mut blocks, depth),
        }
    }
}

/// The text of the container just opened, up to and including its end, as one
/// paragraph (none when it holds no text).
fn read_flat(events: &mut Events<'_>) -> Vec<Block> {
    let mut text = String::new();
    let mut open = 0usize;
    for event in events.by_ref() {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Start(_) => open += 1,
            Event::End(_) if open == 0 => break,
            Event::End(_) => {
                open -= 1;
                if !text.is_empty() && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    vec![Block::Paragraph(Paragraph {
        content: vec![Inline::Text(Text::plain(text))],
    })]
}

fn read_block(events: &mut Events<'_>, out: &mut Vec<Block>, depth: usize) {
    let Some(event) = events.next() else {
        return;
    };
    match event {
        Event::Rule => out.push(Block::Divider(Divider {})),
        Event::Start(Tag::BlockQuote(_) | Tag::List(_)) if depth >= MAX_NESTING => {
            out.extend(read_flat(events))
        }
        Event::Start(Tag::Paragraph) => {
            let content = read_inlines(events);
            events.next(); // the paragraph's end
            if !content.is_empty() {
                out.push(standing_alone(content));
            }
        }
        Event::Start(Tag::Heading { level, .. }) => {
            let content = read_inlines(events);
            events.next();
            out.push(Block::Heading(Heading {
                level: level as u8,
                content,
            }));
        }
        Event::Start(Tag::BlockQuote(_)) => out.push(quote(read_until_end(events, depth + 1))),
        Event::Start(Tag::List(start)) => {
            let mut items = Vec::new();
            while let Some(event) = events.next() {
                match event {
                    Event::Start(Tag::Item) => items.push(ListItem {
                        content: read_until_end(events, depth + 1),
                    }),
                    Event::End(TagEnd::List(_)) => break,
                    _ => {}
                }
            }
            out.push(Block::List(List {
                ordered: start.is_some(),
                start,
                items,
            }));
        }
        Event::Start(Tag::CodeBlock(kind)) => {
            let language = match kind {
                CodeBlockKind::Fenced(info) => info
                    .split_whitespace()
                    .next()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
                CodeBlockKind::Indented => None,
            };
            let mut text = String::new();
            for event in events.by_ref() {
                match event {
                    Event::Text(t) => text.push_str(&t),
                    Event::End(_) => break,
                    _ => {}
                }
            }
            if text.ends_with('\n') {
                text.pop();
            }
            out.push(Block::Code(Code { language, text }));
        }
        // Raw HTML is shown as the text it is: blocks carry no markup.
        Event::Start(Tag::HtmlBlock) => {
            let mut html = String::new();
            for event in events.by_ref() {
                match event {
                    Event::Html(t) | Event::Text(t) => html.push_str(&t),
                    Event::End(_) => break,
                    _ => {}
                }
            }
            let html = html.trim();
            if !html.is_empty() {
                out.push(Block::Paragraph(Paragraph {
                    content: vec![Inline::Text(Text::plain(html))],
                }));
            }
        }
        Event::Start(Tag::Table(align)) => out.push(table(events, align)),
        // A footnote's text joins the body where it is defined.
        Event::Start(Tag::FootnoteDefinition(_)) => out.extend(read_until_end(events, depth)),
        _ => {}
    }
}

/// A quote, with its last line as the attribution when it begins with a dash.
pub(super) fn quote(mut content: Vec<Block>) -> Block {
    let attribution = match content.last() {
        Some(Block::Paragraph(Paragraph { content: last })) => match last.as_slice() {
            [Inline::Text(Text { text, marks })] if marks.is_empty() => text
                .strip_prefix(ATTRIBUTION_DASH)
                .filter(|name| !name.trim().is_empty())
                .map(str::to_owned),
            _ => None,
        },
        _ => None,
    };
    if attribution.is_some() {
        content.pop();
    }
    Block::Quote(Quote {
        content,
        attribution,
    })
}

fn table(events: &mut Events<'_>, align: Vec<pulldown_cmark::Alignment>) -> Block {
    let align = align
        .into_iter()
        .map(|a| match a {
            pulldown_cmark::Alignment::None => Alignment::None,
            pulldown_cmark::Alignment::Left => Alignment::Left,
            pulldown_cmark::Alignment::Center => Alignment::Center,
            pulldown_cmark::Alignment::Right => Alignment::Right,
        })
        .collect();
    let mut header = Vec::new();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut in_head = false;
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                let cell = Cell {
                    content: read_inlines(events),
                };
                events.next();
                match (in_head, rows.last_mut()) {
                    (true, _) | (false, None) => header.push(cell),
                    (false, Some(row)) => row.push(cell),
                }
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    Block::Table(Table {
        align,
        header,
        rows,
    })
}

/// A paragraph, or what it is when it holds one thing alone: a picture, or the
/// address of a provider's item.
fn standing_alone(content: Vec<Inline>) -> Block {
    let url = match content.as_slice() {
        [Inline::Image(image)] => return Block::Image(image_block(image.clone())),
        [Inline::Text(Text { text, marks })] if marks.is_empty() => Some(text.as_str()),
        [Inline::Link(Link { href, content, .. })] => match content.as_slice() {
            [Text { text, marks }] if marks.is_empty() && text == href => Some(href.as_str()),
            _ => None,
        },
        _ => None,
    };
    if let Some((url, (provider, id))) = url.and_then(|url| Some((url, provider_of(url)?))) {
        return Block::Embed(Embed {
            provider: provider.name.to_owned(),
            url: url.to_owned(),
            id,
        });
    }
    Block::Paragraph(Paragraph { content })
}

/// A picture standing on its own line, with the asset its address names.
pub(super) fn image_block(image: InlineImage) -> Image {
    let asset = image
        .src
        .strip_prefix(ASSET_SCHEME)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|id| id.trim().parse::<uuid::Uuid>().ok())
        .map(|id| id.to_string());
    Image {
        src: image.src,
        asset,
        alt: image.alt,
        title: image.title,
        media: None,
    }
}

/// Reads text up to (not including) the end of its block or the next block.
fn read_inlines(events: &mut Events<'_>) -> Vec<Inline> {
    let mut runs = Runs::default();
    let mut marks: Vec<Mark> = Vec::new();
    while let Some(event) = events.peek() {
        if opens_block(event) {
            break;
        }
        let closes_block = matches!(
            event,
            Event::End(
                TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::Item
                    | TagEnd::TableCell
                    | TagEnd::BlockQuote(_)
                    | TagEnd::FootnoteDefinition
            )
        );
        if closes_block {
            break;
        }
        let Some(event) = events.next() else {
            break;
        };
        match event {
            Event::Text(text) | Event::InlineHtml(text) | Event::Html(text) => {
                runs.push(&text, &marks)
            }
            Event::Code(text) => {
                let mut with_code = marks.clone();
                with_code.push(Mark::Code);
                runs.push(&text, &with_code);
            }
            Event::SoftBreak => runs.push(" ", &marks),
            Event::HardBreak => runs.line_break(),
            Event::FootnoteReference(label) => runs.push(&format!("[^{label}]"), &marks),
            Event::TaskListMarker(done) => runs.push(if done { "[x] " } else { "[ ] " }, &marks),
            Event::Start(Tag::Emphasis) => marks.push(Mark::Em),
            Event::Start(Tag::Strong) => marks.push(Mark::Strong),
            Event::Start(Tag::Strikethrough) => marks.push(Mark::Strike),
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {
                marks.pop();
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => runs.open_link(dest_url.into_string(), title.into_string()),
            Event::End(TagEnd::Link) => runs.close_link(),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let alt = image_alt(events);
                runs.image(InlineImage {
                    src: dest_url.into_string(),
                    alt,
                    title: Some(title.into_string()).filter(|t| !t.is_empty()),
                });
            }
            _ => {}
        }
    }
    runs.finish()
}

/// The text of an image's description, up to and including its end.
fn image_alt(events: &mut Events<'_>) -> String {
    let mut alt = String::new();
    let mut depth = 0;
    for event in events.by_ref() {
        match event {
            Event::Text(t) | Event::Code(t) => alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            Event::Start(_) => depth += 1,
            Event::End(TagEnd::Image) if depth == 0 => break,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
    alt
}

/// Text being gathered into runs: a run continues while its marks do.
#[derive(Default)]
struct Runs {
    done: Vec<Inline>,
    /// The link being read: its address, title and text so far.
    link: Option<(String, String, Vec<Text>)>,
}

impl Runs {
    fn push(&mut self, text: &str, marks: &[Mark]) {
        if text.is_empty() {
            return;
        }
        let mut marks = marks.to_vec();
        marks.sort();
        marks.dedup();
        if let Some((_, _, content)) = &mut self.link {
            match content.last_mut() {
                Some(last) if last.marks == marks => last.text.push_str(text),
                _ => content.push(Text {
                    text: text.to_owned(),
                    marks,
                }),
            }
            return;
        }
        match self.done.last_mut() {
            Some(Inline::Text(last)) if last.marks == marks => last.text.push_str(text),
            _ => self.done.push(Inline::Text(Text {
                text: text.to_owned(),
                marks,
            })),
        }
    }

    fn line_break(&mut self) {
        match &mut self.link {
            // A link's text has no line break: it reads as a space.
            Some(_) => self.push(" ", &[]),
            None => self.done.push(Inline::Break(Break {})),
        }
    }

    fn open_link(&mut self, href: String, title: String) {
        self.close_link();
        self.link = Some((href, title, Vec::new()));
    }

    fn close_link(&mut self) {
        if let Some((href, title, content)) = self.link.take() {
            self.done.push(Inline::Link(Link {
                href,
                title: Some(title).filter(|t| !t.is_empty()),
                content,
                article: None,
            }));
        }
    }

    fn image(&mut self, image: InlineImage) {
        self.close_link();
        self.done.push(Inline::Image(image));
    }

    fn finish(mut self) -> Vec<Inline> {
        self.close_link();
        self.done
    }
}
