//! JSON in the API's own create-article shape: one object, an array, or NDJSON.

use serde_json::value::RawValue;

use super::{Item, ParseError};
use crate::api::articles::ArticleCreate;
use crate::api::json as body;

/// The articles of a JSON document, one at a time.
pub type Items<'a> = Box<dyn Iterator<Item = Result<Item, ParseError>> + 'a>;

fn item(json: &str, line: usize) -> Result<Item, ParseError> {
    body::parse::<ArticleCreate>(json.as_bytes())
        .map(|article| Item { line, article })
        .map_err(|e| ParseError::at(line, e.problem().detail))
}

/// Each article of the file, or the error at its line; one bad article does not
/// stop the others. An array is indexed, not parsed whole: each element stays text
/// until its turn, so a large file costs about its own size in memory.
pub fn parse(text: &str) -> Items<'_> {
    let whole = match serde_json::from_str::<&RawValue>(text) {
        Ok(whole) => whole,
        Err(whole) => return lines(text, whole),
    };
    match whole.get().as_bytes().first() {
        Some(b'[') => match serde_json::from_str::<Vec<&RawValue>>(whole.get()) {
            Ok(values) => {
                // Report each element at the line it starts on.
                let starts = element_lines(text);
                Box::new(
                    values
                        .into_iter()
                        .enumerate()
                        .map(move |(i, raw)| item(raw.get(), starts.get(i).copied().unwrap_or(1))),
                )
            }
            Err(e) => Box::new(std::iter::once(Err(ParseError::at(
                e.line(),
                format!("invalid JSON: {e}"),
            )))),
        },
        Some(b'{') => Box::new(std::iter::once(item(whole.get(), 1))),
        _ => Box::new(std::iter::once(Err(ParseError::at(
            1,
            "expected an article object, an array of them, or one per line",
        )))),
    }
}

/// NDJSON: one article per non-blank line. A file that is neither one JSON value
/// nor several lines reports why it is not JSON.
fn lines<'a>(text: &'a str, whole: serde_json::Error) -> Items<'a> {
    let mut numbered = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let first = numbered.next();
    if first.is_none() || numbered.peek().is_none() {
        return Box::new(std::iter::once(Err(ParseError::at(
            whole.line(),
            format!("invalid JSON: {whole}"),
        ))));
    }
    Box::new(first.into_iter().chain(numbered).map(|(i, line)| {
        serde_json::from_str::<&RawValue>(line)
            .map_err(|e| ParseError::at(i + 1, format!("invalid JSON: {e}")))
            .and_then(|raw| item(raw.get(), i + 1))
    }))
}

/// The line each top-level element of a JSON array starts on.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped, mut expecting) = (false, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if depth == 1 && expecting && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                expecting = depth == 1;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::element_lines;

    #[test]
    fn finds_where_elements_start() {
        let text = "[\n  {\"a\": [1, 2]},\n  3,\n\n  \"x,y\"\n]";
        assert_eq!(element_lines(text), vec![2, 3, 5]);
    }
}
