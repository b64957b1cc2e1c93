//! JSON in the API's own create-article shape: one object, an array, or NDJSON,
//! read as a stream. An array's elements are parsed one at a time as they arrive
//! and NDJSON line by line, so an import's memory does not grow with the file.
//!
//! Bounds: a single document (an object, an array) may be no larger than a
//! request the API would take (`FOLIO_MAX_REQUEST_BYTES`); NDJSON may be any
//! size, each of its lines (one article) bounded as a request is.

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::item::{Item, ParseError};
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
    if error.is_io() {
        return ParseError::at(error.line().max(1), error.to_string());
    }
    ParseError::at(error.line().max(1), format!("invalid JSON: {error}"))
}

/// Each article of the stream, or the error at its line, handed to `sink` in
/// order. An array, or a document whose first line is not a whole JSON value (a
/// pretty-printed object), is read as JSON values; otherwise each non-blank line
/// is one article, and a bad line does not stop the others.
pub fn read(mut reader: impl BufRead, limit: usize, sink: &mut Sink<'_>) {
    let (first, first_line) = match first_line(&mut reader, limit) {
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
        // The first line goes back with its end, as the parser would have read it.
        let first = format!("{first}\n");
        let stream = LineCounter {
            inner: first.as_bytes().chain(reader),
            newlines: &lines_before,
            left: limit,
        };
        return values(stream, array, &lines_before, sink);
    }
    sink(line_item(&first, first_line));
    lines(reader, first_line, limit, sink);
}

/// Why a line was not read: the reader failed, or the line is longer than an
/// article may be.
enum LineError {
    Read(std::io::Error),
    TooLong(usize),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LineError::Read(e) => write!(f, "{e}"),
            LineError::TooLong(limit) => write!(
                f,
                "the line is longer than an article may be (FOLIO_MAX_REQUEST_BYTES = {limit})"
            ),
        }
    }
}

/// The next line, as text without its line end, read no further than `limit`
/// bytes: a longer line is skipped to its end and reported (`None` at the end of
/// the document).
fn bounded_line(reader: &mut impl BufRead, limit: usize) -> Option<Result<String, LineError>> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_until(b'\n', &mut line);
    match read {
        Err(e) => Some(Err(LineError::Read(e))),
        Ok(0) => None,
        Ok(_) if line.len() > limit && line.last() != Some(&b'\n') => {
            Some(match reader.skip_until(b'\n') {
                Ok(_) => Err(LineError::TooLong(limit)),
                Err(e) => Err(LineError::Read(e)),
            })
        }
        Ok(_) => Some(
            String::from_utf8(line)
                .map(|line| line.trim_end_matches(['\n', '\r']).to_owned())
                .map_err(|_| {
                    LineError::Read(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the line is not UTF-8 text",
                    ))
                }),
        ),
    }
}

/// The first non-blank line and its number (`None` for a blank document).
fn first_line(
    reader: &mut impl BufRead,
    limit: usize,
) -> Result<(Option<String>, usize), LineError> {
    let mut number = 0;
    loop {
        let Some(line) = bounded_line(reader, limit) else {
            return Ok((None, number.max(1)));
        };
        number += 1;
        let line = line?;
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

/// NDJSON after its first line: one article per non-blank line, each no longer
/// than `limit` bytes (a longer one is reported, and the others still read).
fn lines(mut reader: impl BufRead, first_line: usize, limit: usize, sink: &mut Sink<'_>) {
    let mut number = first_line;
    while let Some(line) = bounded_line(&mut reader, limit) {
        number += 1;
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => sink(line_item(&line, number)),
            Err(e @ LineError::TooLong(_)) => sink(Err(ParseError::at(number, e.to_string()))),
            Err(e @ LineError::Read(_)) => return sink(Err(ParseError::at(number, e.to_string()))),
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
/// time, so the count is the line the parser has reached. It fails past `left`
/// more bytes: a single document is bounded as a request is.
struct LineCounter<'a, R> {
    inner: R,
    newlines: &'a Cell<usize>,
    left: usize,
}

impl<R: Read> Read for LineCounter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.left = self.left.checked_sub(read).ok_or_else(|| {
            std::io::Error::other(
                "one JSON document may be no larger than FOLIO_MAX_REQUEST_BYTES; \
                 write one article per line (NDJSON) to import more",
            )
        })?;
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
        read(text.as_bytes(), 1 << 20, &mut |entry| {
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
        read(std::io::BufReader::new(reader), 8 << 20, &mut |entry| {
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
