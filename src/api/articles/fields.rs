//! `fields`: which keys of an article a response carries.

use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::IntoParams;

use super::views::{Article, ArticleField};
use crate::api::input::comma_items;
use crate::db::articles::Parts;
use crate::error::{ApiError, ApiResult};

/// The media type of an article, or a page of articles, reduced to the fields asked
/// for with `fields`: a shape of its own, so that a client generated from the spec
/// types the default response as the whole `Article` (or `ArticleSummary`) it is.
pub const FIELDS_JSON: &str = "application/vnd.folio.fields+json";

/// The fields to return, in the order asked.
#[derive(Debug, Clone)]
pub struct FieldSet(Vec<ArticleField>);

impl FieldSet {
    pub fn parse(text: &str) -> ApiResult<Self> {
        let mut fields = Vec::new();
        for name in comma_items("fields", text)? {
            let Some(field) = ArticleField::ALL.into_iter().find(|f| f.name() == name) else {
                let valid: Vec<String> = ArticleField::ALL.iter().map(|f| f.name()).collect();
                return Err(ApiError::BadRequest(format!(
                    "fields: unknown field {name:?}; valid fields are {}",
                    valid.join(", ")
                )));
            };
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        Ok(Self(fields))
    }

    /// Serialises only the selected fields of `article`, in the order asked, each
    /// written straight from the article: no tree of JSON values is built, and
    /// fields not asked for cost nothing.
    pub fn project(&self, article: &Article) -> serde_json::Result<Box<RawValue>> {
        let mut json = Vec::with_capacity(64 * self.0.len());
        json.push(b'{');
        for &field in &self.0 {
            let mark = json.len();
            if json.len() > 1 {
                json.push(b',');
            }
            serde_json::to_writer(&mut json, &field)?;
            json.push(b':');
            if !article.write_member(field, &mut json)? {
                json.truncate(mark);
            }
        }
        // What `include` read comes whatever the fields.
        if let Some(included) = &article.included {
            if json.len() > 1 {
                json.push(b',');
            }
            json.extend_from_slice(b"\"included\":");
            serde_json::to_writer(&mut json, included)?;
        }
        json.push(b'}');
        // The bytes were written by serde_json: valid UTF-8 and valid JSON.
        RawValue::from_string(String::from_utf8(json).map_err(serde::ser::Error::custom)?)
    }

    /// Whether `field` is among those asked for.
    pub fn includes(&self, field: ArticleField) -> bool {
        self.0.contains(&field)
    }

    /// The parts of an article these fields show; `highlighting` when a search's
    /// highlight is cut from the body.
    pub fn parts(&self, highlighting: bool) -> Parts {
        Parts {
            body: self.includes(ArticleField::Body)
                || (highlighting && self.includes(ArticleField::Highlight)),
            body_html: self.includes(ArticleField::BodyHtml),
            blocks: self.includes(ArticleField::Blocks),
            tags: self.includes(ArticleField::Tags),
            authors: self.includes(ArticleField::Authors),
            assets: self.includes(ArticleField::Cover)
                || self.includes(ArticleField::BodyHtml)
                || self.includes(ArticleField::Blocks),
            translations: self.includes(ArticleField::Translations),
            last_change: false,
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
