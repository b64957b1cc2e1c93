//! JSON in the API's own create-article shape: one object, an array, or NDJSON,
//! read as a stream. An array's elements are parsed one at a time as they arrive
//! and NDJSON line by line, so an import's memory does not grow with the file.

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Item, ParseError};
use crate::api::articles::ArticleCreate;
use crate::api::json as body;

/// Where each article read from a document goes: saved, or reported.
pub type Sink<'a> = dyn FnMut(Result<Item, ParseError>) + 'a;

fn item(json: &str, line: usize) -> Result<Item, ParseError> {
    body::parse::<ArticleCreate>(json.as_bytes())
        .map(|article| Item { line, article })
        .map_err(|e| ParseError::at(line, e.problem().detail))
}

fn invalid(error: &serde_json::Error) -> ParseError {
    ParseError::at(error.line().max(1), format!("invalid JSON: {error}"))
}

/// Each article of the stream, or the error at its line, handed to `sink` in
/// order. An array, or a document whose first line is not a whole JSON value (a
/// pretty-printed object), is read as JSON values; otherwise each non-blank line
/// is one article, and a bad line does not stop the others.
pub fn read(mut reader: impl BufRead, sink: &mut Sink<'_>) {
    let (first, first_line) = match first_line(&mut reader) {
        Ok(found) => found,
        Err(e) => return sink(Err(ParseError::at(1, e.to_string()))),
    };
    let Some(first) = first else {
        return sink(Err(ParseError::at(
            1,
            "expected an article object, an array of them, or one per line",
        )));
    };
    let array = first.trim_start().starts_with('[');
    if array || serde_json::from_str::<&RawValue>(&first).is_err() {
        let lines_before = Cell::new(first_line - 1);
        let stream = LineCounter {
            inner: first.as_bytes().chain(reader),
            newlines: &lines_before,
        };
        return values(stream, array, &lines_before, sink);
    }
    sink(line_item(&first, first_line));
    lines(reader, first_line, sink);
}

/// The first non-blank line and its number (`None` for a blank document).
fn first_line(reader: &mut impl BufRead) -> std::io::Result<(Option<String>, usize)> {
    let mut number = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok((None, number.max(1)));
        }
        number += 1;
        if !line.trim().is_empty() {
            return Ok((Some(line), number));
        }
    }
}

fn line_item(line: &str, number: usize) -> Result<Item, ParseError> {
    serde_json::from_str::<&RawValue>(line)
        .map_err(|e| ParseError::at(number, format!("invalid JSON: {e}")))
        .and_then(|raw| item(raw.get(), number))
}

/// NDJSON after its first line: one article per non-blank line.
fn lines(reader: impl BufRead, first_line: usize, sink: &mut Sink<'_>) {
    for (offset, line) in reader.lines().enumerate() {
        let number = first_line + offset + 1;
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => sink(line_item(&line, number)),
            Err(e) => return sink(Err(ParseError::at(number, e.to_string()))),
        }
    }
}

/// JSON values one after another: an array's elements are each an article, and
/// so is each top-level value of anything else (one pretty-printed object, or
/// several). A syntax error ends the document where it is.
fn values(stream: impl Read, array: bool, newlines: &Cell<usize>, sink: &mut Sink<'_>) {
    if !array {
        for raw in serde_json::Deserializer::from_reader(stream).into_iter::<Box<RawValue>>() {
            match raw {
                Ok(raw) => sink(item(raw.get(), start_line(newlines, &raw))),
                Err(e) => return sink(Err(invalid(&e))),
            }
        }
        return;
    }
    let mut deserializer = serde_json::Deserializer::from_reader(stream);
    let read = deserializer
        .deserialize_seq(Elements { sink, newlines })
        .and_then(|()| deserializer.end());
    if let Err(e) = read {
        sink(Err(invalid(&e)));
    }
}

/// The line a value just read starts on: the line the parser has reached, less
/// the lines inside the value itself.
fn start_line(newlines: &Cell<usize>, raw: &RawValue) -> usize {
    let inside = raw.get().bytes().filter(|b| *b == b'\n').count();
    newlines.get().saturating_sub(inside) + 1
}

/// Counts the newlines read through it: serde_json reads its input a byte at a
/// time, so the count is the line the parser has reached.
struct LineCounter<'a, R> {
    inner: R,
    newlines: &'a Cell<usize>,
}

impl<R: Read> Read for LineCounter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let found = buf[..read].iter().filter(|b| **b == b'\n').count();
        self.newlines.set(self.newlines.get() + found);
        Ok(read)
    }
}

/// Hands an array's elements to the sink one by one, as they are parsed.
struct Elements<'s, 'a> {
    sink: &'s mut Sink<'a>,
    newlines: &'s Cell<usize>,
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of article objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            (self.sink)(item(raw.get(), start_line(self.newlines, &raw)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::read;

    /// What `read` hands over: the line of each article, or of each error.
    fn lines_of(text: &str) -> Vec<Result<usize, usize>> {
        let mut found = Vec::new();
        read(text.as_bytes(), &mut |entry| {
            found.push(match entry {
                Ok(item) => Ok(item.line),
                Err(e) => Err(e.line.unwrap_or(0)),
            })
        });
        found
    }

    const A: &str = r#"{"title": "Un", "body": "Texte."}"#;

    #[test]
    fn array_elements_are_found_at_their_lines() {
        let text =
            format!("\n[\n  {A},\n\n  {{\"title\": \"Deux\",\n  \"body\": \"x\"}}, 3,\n  {A}\n]\n");
        assert_eq!(lines_of(&text), vec![Ok(3), Ok(5), Err(6), Ok(7)]);
    }

    #[test]
    fn a_syntax_error_stops_an_array_where_it_is() {
        let text = format!("[\n{A},\n{A}\n{A}]");
        assert_eq!(lines_of(&text), vec![Ok(2), Ok(3), Err(4)]);
    }

    #[test]
    fn pretty_printed_objects_one_after_another() {
        let text = format!("{{\n  \"title\": \"Un\",\n  \"body\": \"x\"\n}}\n{A}\n");
        assert_eq!(lines_of(&text), vec![Ok(1), Ok(5)]);
    }

    #[test]
    fn a_bad_line_of_ndjson_does_not_stop_the_others() {
        let text = format!("{A}\n{{\"title\": 3}}\n\nnot json\n{A}");
        assert_eq!(lines_of(&text), vec![Ok(1), Err(2), Err(4), Ok(5)]);
    }

    /// A reader of `[A,A,…,A]` made as it is read, counting what it gave out.
    struct Generated<'a> {
        remaining: usize,
        pending: Vec<u8>,
        given: &'a std::cell::Cell<usize>,
    }

    impl std::io::Read for Generated<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() && self.remaining > 0 {
                self.remaining -= 1;
                let end = if self.remaining == 0 { "]" } else { "," };
                self.pending = format!("{A}{end}\n").into_bytes();
            }
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            self.given.set(self.given.get() + n);
            Ok(n)
        }
    }

    #[test]
    fn an_array_is_read_as_a_stream() {
        let given = std::cell::Cell::new(0);
        let elements = 100_000; // about 3.5 MB
        let reader = Generated {
            remaining: elements,
            pending: b"[\n".to_vec(),
            given: &given,
        };
        let (mut articles, mut given_at_first) = (0, None);
        read(std::io::BufReader::new(reader), &mut |entry| {
            assert!(entry.is_ok());
            articles += 1;
            given_at_first.get_or_insert(given.get());
        });
        assert_eq!(articles, elements);
        // The first article arrived after one buffer of input, not the whole array.
        assert!(
            given_at_first.is_some_and(|n| n <= 16 * 1024),
            "{given_at_first:?}"
        );
    }

    #[test]
    fn nothing_to_read_is_said() {
        assert_eq!(lines_of(" \n\n"), vec![Err(1)]);
        assert_eq!(lines_of("[]"), vec![]);
    }
}
