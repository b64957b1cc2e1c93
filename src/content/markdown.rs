//! Markdown bodies: sanitised HTML, plain-text excerpts and reading statistics.

use std::sync::LazyLock;

use pulldown_cmark::{html, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::content::embeds;
use regex::Regex;

const EXCERPT_CHARS: usize = 280;
const WORDS_PER_MINUTE: usize = 230;

/// The Markdown Folio reads: CommonMark with tables, strikethrough, footnotes
/// and heading attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// How a body names an asset: `![alt](asset:ID)` or `[file](asset:ID)`.
pub const ASSET_SCHEME: &str = "asset";

/// How a body links to another article: `[text](article:ID)` or `[text](article:SLUG)`.
pub const ARTICLE_SCHEME: &str = "article";

/// A link to another article as the derived forms of a body hold it: in
/// `body_html` (`href="article:…"`) and in blocks (`"href":"article:…"`).
static ARTICLE_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:href=|"href":)"article:\s*([0-9A-Za-z-]{1,200})\s*""#)
        .expect("ARTICLE_LINK is a valid regular expression")
});

/// The articles (ids or slugs, lower-cased, each once) that the body's HTML or
/// blocks link to.
pub fn linked_articles(derived: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    if !derived.contains("article:") {
        return found;
    }
    for caps in ARTICLE_LINK.captures_iter(derived) {
        let name = caps[1].to_ascii_lowercase();
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// The classes of embeds' placeholders: `embed`, and `embed-` and each provider's name.
static EMBED_CLASSES: LazyLock<Vec<String>> = LazyLock::new(|| {
    std::iter::once("embed".to_owned())
        .chain(embeds::names().map(|name| format!("embed-{name}")))
        .collect()
});

/// What a rendered body may keep: ammonia's allow-list, `asset:` addresses, the
/// attributes of responsive images and the classes of embeds' placeholders.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some("noopener noreferrer"))
        .add_url_schemes([ASSET_SCHEME, ARTICLE_SCHEME])
        .add_tag_attributes("img", ["width", "height", "loading", "decoding"])
        .add_allowed_classes("figure", EMBED_CLASSES.iter().map(String::as_str));
    builder
});

/// Renders Markdown to HTML with everything executable removed: scripts,
/// event handlers, `javascript:` and other non-web URLs (ammonia's allow-list).
/// `asset:` links stay, to be given their addresses when the article is shown.
/// A paragraph that holds only the address of a known provider's item (see
/// `embeds`) becomes a placeholder: a link under the provider's name, which a
/// site may turn into the player; no third party's script reaches a reader.
pub fn render_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut raw, with_embed_placeholders(markdown).into_iter());
    SANITISER.clean(&raw).to_string()
}

/// The parser's events, with each paragraph that is an embed's address alone
/// replaced by the embed's placeholder.
fn with_embed_placeholders(markdown: &str) -> Vec<Event<'_>> {
    let mut out = Vec::new();
    let mut paragraph: Option<Vec<Event<'_>>> = None;
    for event in Parser::new_ext(markdown, options()) {
        match (paragraph.as_mut(), event) {
            (None, Event::Start(Tag::Paragraph)) => paragraph = Some(Vec::new()),
            (None, event) => out.push(event),
            (Some(_), Event::End(TagEnd::Paragraph)) => {
                let inner = paragraph.take().unwrap_or_default();
                match address_alone(&inner)
                    .and_then(|url| embeds::provider_of(&url).map(|p| (p.0, url)))
                {
                    Some((provider, url)) => out.extend(embed_placeholder(provider, url)),
                    None => {
                        out.push(Event::Start(Tag::Paragraph));
                        out.extend(inner);
                        out.push(Event::End(TagEnd::Paragraph));
                    }
                }
            }
            (Some(inner), event) => inner.push(event),
        }
    }
    out
}

/// The address a paragraph holds and nothing else: as text, or as a link whose
/// text is its address.
fn address_alone(inner: &[Event<'_>]) -> Option<String> {
    let text = |events: &[Event<'_>]| -> Option<String> {
        events
            .iter()
            .try_fold(String::new(), |mut text, event| match event {
                Event::Text(t) => {
                    text.push_str(t);
                    Some(text)
                }
                _ => None,
            })
    };
    match inner {
        [Event::Start(Tag::Link { dest_url, .. }), within @ .., Event::End(TagEnd::Link)] => {
            text(within).filter(|t| t == dest_url.as_ref())
        }
        _ => text(inner),
    }
    .filter(|t| !t.is_empty())
}

/// An embed's placeholder: the item's address as a link, captioned with the
/// provider's name, in a `figure` whose classes name it (`embed embed-youtube`).
fn embed_placeholder(provider: &embeds::Provider, url: String) -> [Event<'static>; 5] {
    [
        Event::Html(format!("<figure class=\"embed embed-{}\">", provider.name).into()),
        Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: url.clone().into(),
            title: "".into(),
            id: "".into(),
        }),
        Event::Text(url.into()),
        Event::End(TagEnd::Link),
        Event::Html(format!("<figcaption>{}</figcaption></figure>", provider.label).into()),
    ]
}

/// The ids of the assets a body names (`asset:ID` as an image or a link), in the
/// order they first appear.
pub fn asset_refs(markdown: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        let dest = match &event {
            Event::Start(Tag::Image { dest_url, .. } | Tag::Link { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let Some(id) = dest
            .strip_prefix(ASSET_SCHEME)
            .and_then(|d| d.strip_prefix(':'))
        else {
            continue;
        };
        if let Ok(id) = id.trim().parse::<uuid::Uuid>() {
            let id = id.to_string();
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    found
}

/// The readable text of a Markdown document, blocks separated by blank lines.
/// Raw HTML in the source is left out, so no markup reaches plain-text fields.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::BlockQuote(_),
            ) => out.push_str("\n\n"),
            Event::Start(Tag::Item) => {}
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// The first paragraph of the body (skipping headings), cut at a word
/// boundary to about 280 characters, with an ellipsis when cut.
pub fn excerpt(markdown: &str) -> String {
    let mut paragraph = String::new();
    let mut in_paragraph = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if in_paragraph => {
                if !paragraph.trim().is_empty() {
                    break;
                }
                in_paragraph = false;
            }
            Event::Text(t) | Event::Code(t) if in_paragraph => paragraph.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => paragraph.push(' '),
            _ => {}
        }
    }
    truncate_words(strip_markup(&paragraph).trim(), EXCERPT_CHARS)
}

/// Anything that reads as an HTML tag or comment, written out (`<img …>`, which
/// `&lt;img …&gt;` in Markdown decodes to) or as entities, and a tag cut off at
/// the end of the text.
static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)<!--.*?(-->|$)|</?[a-z!?][^<>]*(>|$)|(&lt;|&#0*60;|&#x0*3c;)/?[a-z!?].*?(&gt;|&#0*62;|&#x0*3e;|$)",
    )
    .expect("MARKUP is a valid regular expression")
});

/// Plain text with every tag-like sequence removed: an excerpt may be dropped
/// into a page as HTML by a careless front end, so none may survive in it.
pub fn strip_markup(text: &str) -> String {
    let mut current = text.to_owned();
    // Removing one tag can join the halves of another (`<<b>img …>`): repeat until stable.
    loop {
        let next = MARKUP.replace_all(&current, "").into_owned();
        if next == current {
            return next;
        }
        current = next;
    }
}

/// Cuts `text` to at most `max` characters at a word boundary, adding `…` when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    let mut out = cut[..at]
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
        .to_owned();
    out.push('…');
    out
}

/// Word count and reading time (at least one minute) of a Markdown body.
pub fn reading_stats(markdown: &str) -> (i32, i32) {
    let words = plain_text(markdown)
        .split(|c: char| c.is_whitespace())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    let minutes = words.div_ceil(WORDS_PER_MINUTE).max(1);
    (
        i32::try_from(words).unwrap_or(i32::MAX),
        i32::try_from(minutes).unwrap_or(i32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_executable_html() {
        let html = render_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn an_embed_alone_on_its_line_is_a_placeholder() {
        let html = render_html(
            "Avant.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ&t=4\n\n<https://vimeo.com/76979871>\n\nVoir https://vimeo.com/1.",
        );
        assert!(
            html.contains("<figure class=\"embed embed-youtube\"><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=4\" rel=\"noopener noreferrer\">https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=4</a><figcaption>YouTube</figcaption></figure>"),
            "{html}"
        );
        assert!(
            html.contains("<figure class=\"embed embed-vimeo\">"),
            "{html}"
        );
        assert!(html.contains("<p>Voir https://vimeo.com/1.</p>"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("<iframe"),
            "{html}"
        );
        // What a writer puts in by hand keeps only the classes of placeholders.
        let html = render_html("<figure class=\"embed evil\" onclick=\"x()\"><iframe src=\"https://e.x\"></iframe></figure>");
        assert_eq!(html.trim(), "<figure class=\"embed\"></figure>");
    }

    #[test]
    fn keeps_text_exact() {
        let html = render_html("« Le cœur\u{a0}» l’été 🎉");
        // The HTML serialiser writes NBSP as its entity, which renders the same.
        assert!(html.contains("« Le cœur&nbsp;» l’été 🎉"), "{html}");
    }

    #[test]
    fn excerpt_skips_headings_and_cuts() {
        let md = format!(
            "## Titre\n\nPremier paragraphe {}.\n\nSecond.",
            "mot ".repeat(100)
        );
        let e = excerpt(&md);
        assert!(e.starts_with("Premier paragraphe"));
        assert!(e.ends_with('…'));
        assert!(e.chars().count() <= 281);
    }

    #[test]
    fn excerpts_carry_no_markup() {
        for body in [
            "&lt;img src=x onerror=alert(1)&gt; Texte.",
            "&amp;lt;img src=x onerror=alert(1)&amp;gt; Texte.",
            "<b>x</b> Texte.",
            "&#60;script&#62;alert(1)&#60;/script&#62; Texte.",
            "&lt;<b></b>img src=x onerror=alert(1)&gt; Texte.",
            "Texte. &lt;!-- commentaire --&gt;",
        ] {
            let e = excerpt(body);
            assert!(
                !e.contains('<') && !e.to_lowercase().contains("&lt;") && !e.contains("onerror"),
                "{body:?} gave {e:?}"
            );
            assert!(e.contains("Texte."), "{body:?} gave {e:?}");
        }
        assert_eq!(excerpt("a < b et c > d"), "a < b et c > d");
        assert_eq!(excerpt("« Le cœur » l’été"), "« Le cœur » l’été");
    }

    #[test]
    fn finds_asset_references() {
        let id = "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10";
        let md = format!("![Astana](asset:{id})\n\n[PDF](asset:{})\n\n![again](asset:{id}) ![x](https://e.x/a.png)", id.to_uppercase());
        assert_eq!(asset_refs(&md), vec![id.to_owned()]);
        let html = render_html(&format!("![Astana « vue »](asset:{id})"));
        assert!(html.contains(&format!("src=\"asset:{id}\"")), "{html}");
    }

    #[test]
    fn counts_words() {
        assert_eq!(
            reading_stats("## Un titre\n\nDeux mots, trois — quatre."),
            (6, 1)
        );
    }
}
