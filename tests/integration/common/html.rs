//! What "inert HTML" means for the sanitiser's tests: only harmless tags, no
//! event handlers or styles, and no URL with a scheme other than http(s) or mailto.

/// The tags of rendered HTML as (name, [(attribute, value)]), reading quoted
/// attribute values whole (a `>` may appear inside them).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut quote = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                (Some(q), b) if b == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let inside = &html[i + 1..j.min(html.len())];
        let name_end = inside
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inside.len());
        let mut attributes = Vec::new();
        let mut rest = inside[name_end..].trim_start_matches([' ', '/']);
        while let Some(eq) = rest.find('=') {
            let name = rest[..eq].trim().to_ascii_lowercase();
            let after = &rest[eq + 1..];
            let (value, remainder) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = after[1..].find(q).map_or(after.len(), |e| e + 1);
                    (&after[1..end], after.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(' ').unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            attributes.push((name, value.to_owned()));
            rest = remainder.trim_start_matches([' ', '/']);
        }
        out.push((inside[..name_end].to_ascii_lowercase(), attributes));
        i = j;
    }
    out
}

/// Elements with no script or style of their own (the URLs in their attributes
/// are checked below): ammonia's default allow-list, and `section`.
const SAFE_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// The scheme a browser reads in an attribute value: entities decoded, tabs and
/// newlines dropped, leading spaces and controls trimmed; `None` for a relative URL.
fn url_scheme(value: &str) -> Option<String> {
    let decoded = value
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let cleaned: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let (scheme, _) = cleaned.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| scheme.to_ascii_lowercase())
}

pub fn assert_inert(source: &str, html: &str) {
    for (tag, attributes) in tags(html) {
        assert!(
            SAFE_TAGS.contains(&tag.as_str()),
            "{source:?} gave a <{tag}>: {html}"
        );
        for (name, value) in attributes {
            assert!(!name.starts_with("on"), "{source:?} kept {name}: {html}");
            assert!(
                !matches!(
                    name.as_str(),
                    "style" | "srcdoc" | "formaction" | "xlink:href"
                ),
                "{source:?} kept {name}: {html}"
            );
            if matches!(name.as_str(), "href" | "src" | "background" | "action") {
                let scheme = url_scheme(&value);
                assert!(
                    scheme.is_none_or(|s| ["http", "https", "mailto"].contains(&s.as_str())),
                    "{source:?} kept the URL {value:?}: {html}"
                );
            }
        }
    }
}
