//! The reader's languages: `locale` and `fallback` in the query string, and with
//! `locale=auto` the `Accept-Language` header. They choose which version of each
//! story a read shows and in which language sections, tags and authors are named.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{AcceptLanguage, Header, Preference, Quality};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::comma_items;
use crate::content::language;
use crate::db::articles::translations::LocaleChain;
use crate::error::{ApiError, ApiResult};
use crate::http::marks::{VariesByLanguage, FROM_HEADER};

/// The reader's languages: which version of each story a read shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocaleParams {
    /// The reader's language (BCP 47): each story is shown in it (or in its
    /// shorter form: `fr` for `fr-CA`), else in the first of `fallback` it exists
    /// in, else in the language it was first written in; a list of articles shows
    /// each story once, and its other filters (`language` to keep only some),
    /// search and sort apply to the versions chosen. Sections, tags and
    /// authors show each name and description in the first of these languages
    /// that has it. `auto` takes the languages of the `Accept-Language` header,
    /// best first (the answer then varies with it: `Vary: Accept-Language`).
    #[param(
        pattern = "^(auto|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$",
        max_length = 35,
        example = "fr-CA"
    )]
    pub locale: Option<String>,
    /// With `locale`: the languages to fall back to, in order (comma-separated);
    /// the server's `FOLIO_LOCALES` by default.
    #[param(value_type = Option<Vec<LanguageTag>>, inline, style = Form, explode = false, min_items = 1, max_items = 10)]
    pub fallback: Option<String>,
}

/// The schema of a language tag wherever the API takes or gives one: what
/// [`language::is_valid`] takes, so the rule is stated once.
pub struct LanguageTag;

impl utoipa::PartialSchema for LanguageTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(language::LANGUAGE_PATTERN))
            .max_length(Some(35))
            .description(Some("A BCP 47 language tag (such as en or fr-CA)"))
            .examples([serde_json::json!("fr")])
            .into()
    }
}

impl utoipa::ToSchema for LanguageTag {}

/// The reader's languages as a request gives them: [`LocaleParams`] and, when
/// `locale=auto`, the ranked languages of `Accept-Language`.
#[derive(Debug, Default)]
pub struct Locale {
    params: LocaleParams,
    accepted: Vec<String>,
}

/// The languages of a query string alone (no `Accept-Language`).
impl From<LocaleParams> for Locale {
    fn from(params: LocaleParams) -> Self {
        Self {
            params,
            accepted: Vec::new(),
        }
    }
}

impl FromRequest for Locale {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Query errors take the app's `QueryConfig` answer, as every query does.
        let params = match web::Query::<LocaleParams>::from_request(req, payload).into_inner() {
            Ok(params) => params.into_inner(),
            Err(e) => return ready(Err(e)),
        };
        let accepted = if params.locale.as_deref() == Some(FROM_HEADER) {
            req.extensions_mut().insert(VariesByLanguage);
            accepted_languages(req)
        } else {
            Vec::new()
        };
        ready(Ok(Self { params, accepted }))
    }
}

/// The languages `Accept-Language` accepts, best first: `*`, refused (`q=0`) and
/// malformed ranges left out, tags as the API writes them (`fr-CA`).
fn accepted_languages(req: &HttpRequest) -> Vec<String> {
    let Ok(header) = AcceptLanguage::parse(req) else {
        return Vec::new();
    };
    let wanted = header
        .0
        .into_iter()
        .filter(|item| item.quality > Quality::ZERO)
        .collect();
    AcceptLanguage(wanted)
        .ranked()
        .into_iter()
        .filter_map(|preference| match preference {
            Preference::Specific(tag) => Some(tag.to_string()),
            Preference::Any => None,
        })
        .map(|tag| match tag.split_once('-') {
            Some((primary, rest)) => format!("{}-{rest}", primary.to_ascii_lowercase()),
            None => tag.to_ascii_lowercase(),
        })
        .filter(|tag| language::is_valid(tag))
        .take(10)
        .collect()
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest(message)
}

impl Locale {
    /// The chain `locale` (or the accepted languages) then `fallback` (by default
    /// `defaults`, the server's `FOLIO_LOCALES`); none without a locale, or with
    /// `auto` when neither the header nor the defaults name a language.
    pub fn chain(&self, defaults: &[String]) -> ApiResult<Option<LocaleChain>> {
        let Some(locale) = self.params.locale.as_deref() else {
            return match self.params.fallback {
                Some(_) => Err(bad("fallback needs a locale to fall back from".into())),
                None => Ok(None),
            };
        };
        let fallback: Vec<String> = match self.params.fallback.as_deref() {
            Some(text) => comma_items("fallback", text)?
                .into_iter()
                .map(str::to_owned)
                .collect(),
            None => defaults.to_vec(),
        };
        if fallback.len() > 10 {
            return Err(bad("fallback: at most 10 languages".into()));
        }
        let asked = if locale == FROM_HEADER {
            self.accepted.clone()
        } else {
            vec![locale.to_owned()]
        };
        let tags: Vec<String> = asked.into_iter().chain(fallback).collect();
        if let Some(tag) = tags.iter().find(|tag| !language::is_valid(tag)) {
            return Err(bad(format!("{tag:?} is not a BCP 47 language tag")));
        }
        Ok((!tags.is_empty()).then(|| LocaleChain::new(&tags)))
    }

    /// Where a read looks for each text of a section, tag or author: the chain's
    /// languages and their shorter forms; `None` without a locale.
    pub fn reading_order(&self, defaults: &[String]) -> ApiResult<Option<Vec<String>>> {
        Ok(self.chain(defaults)?.map(|chain| chain.tags().to_vec()))
    }
}
