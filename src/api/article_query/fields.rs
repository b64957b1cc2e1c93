//! `fields`: which keys of an article a response carries.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::comma_items;
use crate::db::articles::Parts;
use crate::error::{ApiError, ApiResult};

/// A field of an article that `fields` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleField {
    Id,
    Slug,
    Title,
    Standfirst,
    Excerpt,
    Language,
    Status,
    Section,
    Tags,
    Authors,
    WordCount,
    ReadingTimeMinutes,
    PublishedAt,
    FirstPublishedAt,
    CreatedAt,
    UpdatedAt,
    Metadata,
    Body,
    BodyHtml,
    /// With `q`: the matching passage, HTML-escaped, matches in `<mark>`.
    Highlight,
}

impl ArticleField {
    const ALL: [ArticleField; 20] = [
        ArticleField::Id,
        ArticleField::Slug,
        ArticleField::Title,
        ArticleField::Standfirst,
        ArticleField::Excerpt,
        ArticleField::Language,
        ArticleField::Status,
        ArticleField::Section,
        ArticleField::Tags,
        ArticleField::Authors,
        ArticleField::WordCount,
        ArticleField::ReadingTimeMinutes,
        ArticleField::PublishedAt,
        ArticleField::FirstPublishedAt,
        ArticleField::CreatedAt,
        ArticleField::UpdatedAt,
        ArticleField::Metadata,
        ArticleField::Body,
        ArticleField::BodyHtml,
        ArticleField::Highlight,
    ];

    fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(name)) => name,
            _ => format!("{self:?}"),
        }
    }
}

/// The media type of an article, or a page of articles, reduced to the fields asked
/// for with `fields`: a shape of its own, so that a client generated from the spec
/// types the default response as the whole `Article` (or `ArticleSummary`) it is.
pub const FIELDS_JSON: &str = "application/vnd.folio.fields+json";

/// The fields to return, in the order asked.
#[derive(Debug, Clone)]
pub struct FieldSet(Vec<String>);

impl FieldSet {
    pub fn parse(text: &str) -> ApiResult<Self> {
        let mut names = Vec::new();
        for name in comma_items("fields", text)? {
            let known = ArticleField::ALL.iter().any(|f| f.name() == name);
            if !known {
                let valid: Vec<String> = ArticleField::ALL.iter().map(|f| f.name()).collect();
                return Err(ApiError::BadRequest(format!(
                    "fields: unknown field {name:?}; valid fields are {}",
                    valid.join(", ")
                )));
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        Ok(Self(names))
    }

    /// Keeps only the selected fields of a serialised article, in the order asked.
    pub fn project(&self, article: Value) -> Value {
        let Value::Object(mut all) = article else {
            return article;
        };
        let mut picked = Map::new();
        for name in &self.0 {
            if let Some(value) = all.remove(name) {
                picked.insert(name.clone(), value);
            }
        }
        Value::Object(picked)
    }

    /// Whether the field `name` is among those asked for.
    pub fn includes(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }

    /// The parts of an article these fields show; `highlighting` when a search's
    /// highlight is cut from the body.
    pub fn parts(&self, highlighting: bool) -> Parts {
        Parts {
            body: self.includes("body") || (highlighting && self.includes("highlight")),
            body_html: self.includes("body_html"),
            tags: self.includes("tags"),
            authors: self.includes("authors"),
        }
    }
}

/// Field selection for a single article.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFieldsParam {
    /// Comma-separated fields to return; all of them when absent.
    #[param(value_type = Option<Vec<ArticleField>>, style = Form, explode = false, min_items = 1, example = json!(["id", "slug", "title", "body_html"]))]
    pub fields: Option<String>,
}
