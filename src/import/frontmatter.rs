//! Markdown with YAML (`---`) or TOML (`+++`) front matter, as Hugo and Jekyll keep content.

use serde_json::{Map, Value};

use super::item::{Item, Options, ParseError};
use crate::api::articles::{ArticleCreate, ArticleStatus};
use crate::api::metadata::ExactObject;
use crate::content::dates;

pub fn parse(text: &str, options: &Options) -> Result<Item, ParseError> {
    let fence = if text.starts_with("+++") {
        "+++"
    } else {
        "---"
    };
    let mut lines = text.split_inclusive('\n');
    lines.next();
    let mut header = String::new();
    let mut closed = false;
    for line in lines.by_ref() {
        if line.trim_end() == fence {
            closed = true;
            break;
        }
        header.push_str(line);
    }
    if !closed {
        return Err(ParseError::at(
            1,
            format!("the front matter opened with {fence} is never closed"),
        ));
    }
    let body: String = lines.collect();
    let fields: Value = if fence == "+++" {
        toml::from_str::<toml::Table>(&header)
            .map_err(|e| {
                let line = e
                    .span()
                    .map(|s| header[..s.start].lines().count().max(1) + 1)
                    .unwrap_or(2);
                ParseError::at(line, format!("invalid TOML front matter: {}", e.message()))
            })
            .map(|t| toml_to_json(toml::Value::Table(t)))?
    } else {
        serde_yaml::from_str::<Value>(&header).map_err(|e| {
            let line = e.location().map(|l| l.line() + 1).unwrap_or(2);
            ParseError::at(line, format!("invalid YAML front matter: {e}"))
        })?
    };
    let Value::Object(fields) = fields else {
        return Err(ParseError::at(
            2,
            "the front matter must be a mapping of fields",
        ));
    };
    let body = body.trim_start_matches(['\n', '\r']).to_owned();
    to_article(fields, body, options)
        .map(|article| Item { line: 1, article })
        .map_err(|message| ParseError {
            line: Some(2),
            message,
        })
}

/// TOML dates become their RFC 3339 text, as YAML and JSON dates already are.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of names: a YAML/TOML list, or one comma-separated string.
fn names(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| text(v).ok_or_else(|| "list items must be text".to_owned()))
            .collect(),
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()),
        _ => Err("must be a list or a comma-separated string".into()),
    }
}

/// An article being read from front matter, field by field.
struct Reading {
    article: ArticleCreate,
    /// Fields Folio has no column for, kept in the article's metadata.
    metadata: Map<String, Value>,
    /// Hugo's and Jekyll's `draft` flag, when given.
    draft: Option<bool>,
}

impl Reading {
    /// Takes one field of the front matter, under any of the names static site
    /// generators give it.
    fn take(&mut self, key: String, value: Value, options: &Options) -> Result<(), String> {
        let as_text = || text(&value).ok_or_else(|| format!("{key} must be text"));
        match key.as_str() {
            "title" => self.article.title = as_text()?,
            "slug" => self.article.slug = Some(as_text()?),
            "id" | "uuid" => {
                self.article.id = Some(
                    as_text()?
                        .parse()
                        .map_err(|_| format!("{key} must be a UUID"))?,
                )
            }
            "date" | "published_at" | "publishDate" => {
                let raw = as_text()?;
                self.article.published_at = Some(
                    dates::parse_instant(&raw, options.timezone)
                        .ok_or_else(|| format!("{key}: {raw:?} is not a date"))?,
                );
            }
            // An asset id (`asset:` optional) makes the cover; anything else, such
            // as a theme's image path, stays in the metadata.
            "cover"
                if text(&value).is_some_and(|t| {
                    t.trim_start_matches("asset:").parse::<uuid::Uuid>().is_ok()
                }) =>
            {
                self.article.cover =
                    text(&value).and_then(|t| t.trim_start_matches("asset:").parse().ok());
            }
            "translation_of" | "translationOf" => self.article.translation_of = Some(as_text()?),
            "translationKey" | "translation_key" => self.article.translation_key = Some(as_text()?),
            "section" | "category" => self.article.section = Some(as_text()?),
            "categories" => {
                self.article.section = names(&value)
                    .map_err(|e| format!("{key} {e}"))?
                    .into_iter()
                    .next()
            }
            "tags" => self.article.tags = Some(names(&value).map_err(|e| format!("{key} {e}"))?),
            "authors" | "author" => {
                self.article.authors = Some(names(&value).map_err(|e| format!("{key} {e}"))?)
            }
            "language" | "lang" => self.article.language = Some(as_text()?),
            "status" => {
                self.article.status = Some(
                    serde_json::from_value::<ArticleStatus>(value.clone())
                        .map_err(|_| "status must be draft, published or archived".to_owned())?,
                )
            }
            // Hugo's and Jekyll's flag: `draft: false` publishes as surely as
            // `draft: true` holds back; an explicit `status` wins over either.
            "draft" => {
                self.draft = Some(match value {
                    Value::Bool(flag) => flag,
                    Value::String(ref text) if text == "true" || text == "false" => text == "true",
                    _ => return Err("draft must be true or false".into()),
                })
            }
            "standfirst" | "description" | "summary" => self.article.standfirst = Some(as_text()?),
            "metadata" => match value {
                Value::Object(extra) => self.metadata.extend(extra),
                _ => return Err("metadata must be a mapping".into()),
            },
            // Anything else (layout, weight, event_date…) is kept, not lost.
            _ => {
                self.metadata.insert(key, value);
            }
        }
        Ok(())
    }
}

fn to_article(
    fields: Map<String, Value>,
    body: String,
    options: &Options,
) -> Result<ArticleCreate, String> {
    let mut reading = Reading {
        article: ArticleCreate {
            id: None,
            slug: None,
            title: String::new(),
            standfirst: None,
            body: Some(body),
            blocks: None,
            language: None,
            status: None,
            section: None,
            tags: None,
            authors: None,
            published_at: None,
            metadata: None,
            cover: None,
            translation_of: None,
            translation_key: None,
        },
        metadata: Map::new(),
        draft: None,
    };
    for (key, value) in fields {
        reading.take(key, value, options)?;
    }
    let Reading {
        mut article,
        metadata,
        draft,
    } = reading;
    if article.status.is_none() {
        article.status = draft.map(|draft| {
            if draft {
                ArticleStatus::Draft
            } else {
                ArticleStatus::Published
            }
        });
    }
    if article.title.trim().is_empty() {
        return Err("the front matter has no title".into());
    }
    if !metadata.is_empty() {
        article.metadata = Some(ExactObject(metadata));
    }
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::blocks::{from_markdown, to_markdown};

    /// The demo's Markdown articles read as blocks and are written back byte for
    /// byte, but for the newline that ends the file (not part of any block).
    #[test]
    fn demo_bodies_survive_blocks() {
        let options = Options::for_tests();
        for file in [
            include_str!("../../demo/02-le-gaz-d-asie-centrale.md"),
            include_str!("../../demo/03-la-saison-des-festivals.md"),
            include_str!("../../demo/04-nuclear-power-comeback.md"),
        ] {
            let body = parse(file, &options)
                .expect("a demo file parses")
                .article
                .body
                .expect("a file gives a body");
            let written = to_markdown(&from_markdown(&body));
            assert_eq!(written.as_deref(), Ok(body.trim_end_matches('\n')));
        }
    }
}
