//! Parsing request bodies into domain values, collecting every failing field.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

use crate::content::xml::is_xml_char;
use crate::content::{language, slug};
use crate::error::{ApiError, ApiResult, FieldError};

/// For PATCH bodies: an absent field is `None`, `null` is `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A JSON integer. JSON Schema counts `3.0` as an integer too, so it is accepted as 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integer(pub i64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        if let Some(i) = number.as_i64() {
            return Ok(Integer(i));
        }
        match number.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Integer(f as i64)),
            _ => Err(serde::de::Error::custom(format!(
                "expected a whole number, found {number}"
            ))),
        }
    }
}

/// What a one-line text (a title, a name) accepts, here and in the spec alike: no
/// control characters, line separators or characters XML cannot carry, and at least one character that shows
/// (not white space, nor a zero-width, joiner, BOM, bidi or other format character).
/// Written with `\xHH` and `\uHHHH` only, which Rust, ECMAScript and Python read alike.
pub const LINE_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]*[^\x00-\x20\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\ufffe\uffff][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]*$";

static LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(LINE_PATTERN).expect("LINE_PATTERN is a valid regular expression"));

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_TEXT_CHARS: usize = 10_000;
pub const MAX_URL_CHARS: usize = 2_000;

/// What a web URL field accepts (and its schema, `WebUrl`, states): http or https, a
/// host name (its last label starting with a letter, so no bare IP address), an
/// optional port, then anything but spaces and control characters.
pub const WEB_URL_PATTERN: &str = r"^https?://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$";

static WEB_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(WEB_URL_PATTERN).expect("WEB_URL_PATTERN is a valid regular expression")
});

/// The schema of URL fields: the pattern and length `is_web_url` checks.
pub struct WebUrl;

impl utoipa::PartialSchema for WebUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An http or https URL with a host name"))
            .max_length(Some(MAX_URL_CHARS))
            .pattern(Some(WEB_URL_PATTERN))
            .examples([serde_json::json!("https://example.org/photos/claire.jpg")])
            .into()
    }
}

impl utoipa::ToSchema for WebUrl {}

/// The schema of a one-line text of at most `MAX` characters: [`LINE_PATTERN`],
/// which [`Check::line`] enforces.
pub struct Line<const MAX: usize>;

/// An article's title.
pub type Title = Line<MAX_TITLE_CHARS>;
/// A section's, tag's or author's name.
pub type Name = Line<MAX_NAME_CHARS>;

impl<const MAX: usize> utoipa::PartialSchema for Line<MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(LINE_PATTERN))
            .into()
    }
}

impl<const MAX: usize> utoipa::ToSchema for Line<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        match MAX {
            MAX_TITLE_CHARS => "Title".into(),
            MAX_NAME_CHARS => "Name".into(),
            _ => format!("Line{MAX}").into(),
        }
    }
}

/// Whether `value` is a URL a browser can fetch: it matches the documented pattern and
/// the WHATWG URL parser accepts it (which rejects, say, a malformed `xn--` label).
pub fn is_web_url(value: &str) -> bool {
    value.len() <= MAX_URL_CHARS && WEB_URL.is_match(value) && url::Url::parse(value).is_ok()
}

/// At most this many errors name their field; the rest are counted. A body with
/// a million bad items gets a short answer, not one as large as a million errors.
pub const MAX_LISTED_ERRORS: usize = 50;
/// At most this many items of one list are named before the rest are counted.
pub const MAX_ERRORS_PER_LIST: usize = 10;

/// Collects field errors so one response names every problem at once (up to
/// [`MAX_LISTED_ERRORS`]).
#[derive(Default)]
pub struct Check {
    errors: Vec<FieldError>,
    unlisted: usize,
}

/// Why a text with a character XML cannot carry is refused.
pub const NOT_XML: &str = "must not contain control characters other than tab and line breaks, nor U+FFFE or U+FFFF: feeds and sitemaps could not carry them";

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(FieldError::new(field, message));
        } else {
            self.unlisted += 1;
        }
    }

    /// A required one-line text: not blank, no control characters, at most `max` characters
    /// (the spec publishes the same rule as a pattern).
    pub fn line(&mut self, field: &str, value: &str, max: usize) {
        let breaks_line = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
        if value.chars().any(breaks_line) {
            self.fail(
                field,
                "must be a single line without control characters or line separators",
            );
        } else if !value.chars().all(is_xml_char) {
            self.fail(field, NOT_XML);
        } else if !LINE.is_match(value) {
            self.fail(
                field,
                "must not be blank: it has no visible character (only spaces, zero-width or format characters)",
            );
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
    }

    /// Free text that may span lines: any characters XML can carry (the spec's
    /// [`crate::content::xml::TEXT_PATTERN`]), at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if !value.chars().all(is_xml_char) {
            self.fail(field, NOT_XML);
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
    }

    pub fn slug(&mut self, field: &str, value: &str) {
        if !slug::is_valid(value) {
            self.fail(
                field,
                format!(
                    "{value:?} is not a slug: use lowercase ASCII letters and digits joined by single hyphens, at most {} characters",
                    slug::MAX_LEN
                ),
            );
        }
    }

    /// A list of slugs: its length first (a list too long is one error, whatever
    /// its items), then up to [`MAX_ERRORS_PER_LIST`] bad items by index.
    pub fn slugs(&mut self, field: &str, values: &[String], max_items: usize) {
        if values.len() > max_items {
            self.fail(
                field,
                format!("at most {max_items} items ({} given)", values.len()),
            );
            return;
        }
        let mut bad = values
            .iter()
            .enumerate()
            .filter(|(_, value)| !slug::is_valid(value));
        for (i, value) in bad.by_ref().take(MAX_ERRORS_PER_LIST) {
            self.slug(&format!("{field}[{i}]"), value);
        }
        let more = bad.count();
        if more > 0 {
            self.fail(field, format!("{more} more items are not slugs"));
        }
    }

    pub fn language(&mut self, field: &str, value: &str) {
        if !language::is_valid(value) {
            self.fail(
                field,
                format!(
                    "{value:?} is not a BCP 47 language tag such as \"fr\", \"en\" or \"fr-CA\""
                ),
            );
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        let ok = value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !ok {
            self.fail(field, format!("{value:?} is not an email address"));
        }
    }

    pub fn url(&mut self, field: &str, value: &str) {
        if !is_web_url(value) {
            self.fail(
                field,
                format!(
                    "must be an http or https URL with a host name, such as \
                     \"https://example.org/photo.jpg\", at most {MAX_URL_CHARS} characters"
                ),
            );
        }
    }

    /// An instant both databases store and order correctly.
    pub fn instant(&mut self, field: &str, value: &chrono::DateTime<chrono::Utc>) {
        if !crate::content::dates::in_supported_years(value) {
            self.fail(field, crate::content::dates::YEAR_RANGE_MESSAGE);
        }
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if !(min..=max).contains(&value) {
            self.fail(field, format!("must be between {min} and {max}"));
        }
    }

    /// Ends validation: `Ok` when no field failed, else a 422 naming them all.
    pub fn finish(mut self) -> ApiResult<()> {
        if self.unlisted > 0 {
            self.errors.push(FieldError::new(
                "body",
                format!("{} more invalid fields are not listed", self.unlisted),
            ));
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// A PATCH field that cannot be cleared: `null` is an error, absence leaves it alone.
pub fn required<T>(check: &mut Check, field: &str, value: Option<Option<T>>) -> Option<T> {
    match value {
        Some(None) => {
            check.fail(
                field,
                "cannot be null; leave the field out to keep its value",
            );
            None
        }
        Some(Some(v)) => Some(v),
        None => None,
    }
}

/// The items of a comma-separated parameter; an empty item is an error, not nothing.
pub fn comma_items<'a>(name: &str, text: &'a str) -> ApiResult<Vec<&'a str>> {
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(ApiError::BadRequest(format!(
            "{name}: empty item in {text:?}; separate values with single commas"
        )));
    }
    Ok(items)
}

/// A slug as a JSON value: the one definition the spec's slug fields refer to.
pub struct Slug;

impl utoipa::PartialSchema for Slug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(slug::PATTERN))
            .max_length(Some(slug::MAX_LEN))
            .description(Some(
                "Lowercase ASCII letters and digits joined by single hyphens",
            ))
            .examples([serde_json::json!("asie-centrale")])
            .into()
    }
}

impl utoipa::ToSchema for Slug {}

/// Bytes of a file, as a request or response body (OpenAPI 3.1: a string whose
/// content is the file).
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_media_type("application/octet-stream")
            .description(Some("The file's bytes"))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// A schema that is any one of the named component schemas, for responses whose shape
/// depends on a parameter (`fields=`, `tree=true`).
pub fn any_of(names: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    names
        .iter()
        .fold(utoipa::openapi::schema::AnyOfBuilder::new(), |any, name| {
            any.item(utoipa::openapi::Ref::from_schema_name(*name))
        })
        .into()
}

/// The `{slug}` of an item path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SlugPath {
    /// The item's slug.
    // Its example is set per resource by `openapi::finish`.
    #[param(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    pub slug: String,
}

impl SlugPath {
    /// The slug, or a 404: no item can have a slug of another shape.
    pub fn parse(self) -> ApiResult<slug::Slug> {
        slug::Slug::parse(&self.slug).ok_or_else(|| {
            ApiError::NotFound(format!(
                "{:?} is not a slug, so nothing lives there",
                self.slug
            ))
        })
    }
}
