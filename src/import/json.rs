//! JSON in the API's own create-article shape: one object, an array, or NDJSON.

use serde_json::Value;

use super::{Item, ParseError};
use crate::api::articles::ArticleCreate;
use crate::api::json as body;

fn item(value: Value, line: usize) -> Result<Item, ParseError> {
    let text = value.to_string();
    body::parse::<ArticleCreate>(text.as_bytes())
        .map(|article| Item { line, article })
        .map_err(|e| ParseError::at(line, e.problem().detail))
}

/// Each article of the file, or the error at its line; one bad article does not stop the others.
pub fn parse(text: &str) -> Vec<Result<Item, ParseError>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(values)) => {
            // Report each element at the line it starts on.
            let starts = element_lines(text);
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| item(v, starts.get(i).copied().unwrap_or(1)))
                .collect()
        }
        Ok(value @ Value::Object(_)) => vec![item(value, 1)],
        Ok(_) => vec![Err(ParseError::at(
            1,
            "expected an article object, an array of them, or one per line",
        ))],
        Err(whole) => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            if lines.len() < 2 {
                return vec![Err(ParseError::at(
                    whole.line(),
                    format!("invalid JSON: {whole}"),
                ))];
            }
            lines
                .into_iter()
                .map(|(i, line)| {
                    let value: Value = serde_json::from_str(line)
                        .map_err(|e| ParseError::at(i + 1, format!("invalid JSON: {e}")))?;
                    item(value, i + 1)
                })
                .collect()
        }
    }
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
