//! The query parameters of `GET /v1/articles` and `GET /v1/articles/{slug}`,
//! parsed into the data layer's filter, order and window, and field selection.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::fields::FieldSet;
use super::views::{ArticleField, ArticleStatus};
use crate::api::locale::{LanguageTag, Locale};
use crate::api::pagination::{check_per_page, default_per_page};
use crate::config::ServerSettings;
use crate::content::ids::ArticleId;
use crate::content::search::SearchQuery;
use crate::content::{dates, language, slug};
use crate::db::article_list::{ArticleFilter, Cursor, DateField, DateRange, Sort, Until, Window};
use crate::db::{truncate, PageRequest};
use crate::error::{ApiError, ApiResult};

use crate::api::input::comma_items;

/// Numbered pages stop here; past it, follow `next_cursor`.
pub const MAX_ARTICLE_PAGE: u32 = 100;
const MAX_LIST_ITEMS: usize = 100;

/// Which date `from` and `to` apply to.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DateFieldParam {
    Published,
    Updated,
    Created,
}

/// The order of the list; the id breaks ties, so the order is total.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum SortParam {
    #[serde(rename = "-published_at")]
    PublishedDesc,
    #[serde(rename = "published_at")]
    PublishedAsc,
    #[serde(rename = "-updated_at")]
    UpdatedDesc,
    #[serde(rename = "updated_at")]
    UpdatedAsc,
    #[serde(rename = "title")]
    Title,
    /// Best search matches first (the default with `q`); needs `q`.
    #[serde(rename = "relevance")]
    Relevance,
}

/// Filters, order and window of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Full-text search: words (all required, any accents, case or inflection),
    /// `"exact phrases"`, `-excluded` words and `prefix*`, such as
    /// `centrales nucléaires -chine`. A server may be configured with a shorter limit
    /// (`FOLIO_MAX_QUERY_CHARS`); past it, a 400 says so.
    #[param(min_length = 1, max_length = 500)]
    pub q: Option<String>,
    /// Page number for small offsets (at most 100 pages); prefer `cursor`.
    #[param(minimum = 1, maximum = 100)]
    pub page: Option<u32>,
    /// Items per page: at most 100, or the server's lower `FOLIO_MAX_PER_PAGE`
    /// (then the default is at most that).
    #[param(minimum = 1, maximum = 100, default = 20, example = 20)]
    pub per_page: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Stable while articles are added.
    #[param(max_length = 500)]
    pub cursor: Option<String>,
    /// Count the matching articles into `total` (an extra query).
    #[param(default = false, example = true)]
    pub include_total: Option<bool>,
    /// Only articles in this section (by slug), subsections included unless `descendants=false`.
    #[param(value_type = Option<Slug>)]
    pub section: Option<String>,
    /// With `section`: whether its subsections count.
    #[param(default = true)]
    pub descendants: Option<bool>,
    /// Only articles carrying every one of these tags (comma-separated slugs, such as `russie,energie`).
    #[param(value_type = Option<Vec<Slug>>, style = Form, explode = false, min_items = 1, max_items = 20)]
    pub tag: Option<String>,
    /// Only articles carrying at least one of these tags (comma-separated slugs).
    #[param(value_type = Option<Vec<Slug>>, style = Form, explode = false, min_items = 1, max_items = 20)]
    pub tag_any: Option<String>,
    /// Only articles by this author (by slug).
    #[param(value_type = Option<Slug>)]
    pub author: Option<String>,
    /// Only articles in this language (BCP 47).
    #[param(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    /// Only articles with this status. Without a token only published articles exist,
    /// so other values give an empty list.
    pub status: Option<ArticleStatus>,
    /// Only these articles (comma-separated ids).
    #[param(value_type = Option<Vec<uuid::Uuid>>, style = Form, explode = false, min_items = 1, max_items = 100)]
    pub ids: Option<String>,
    /// Only articles changed at or after this instant (RFC 3339): for syncing clients.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<String>,
    /// From this date (a whole day in `tz`) or instant (RFC 3339), included.
    #[param(value_type = Option<DateOrInstant>)]
    pub from: Option<String>,
    /// Up to this date (a whole day in `tz`) or instant (RFC 3339), included.
    #[param(value_type = Option<DateOrInstant>)]
    pub to: Option<String>,
    /// IANA time zone in which dates in `from` and `to` are read; the server's default otherwise.
    #[param(value_type = Option<TimeZoneName>)]
    pub tz: Option<String>,
    /// Which date `from` and `to` apply to.
    #[param(default = "published")]
    pub date_field: Option<DateFieldParam>,
    /// Order of the list.
    #[param(default = "-published_at")]
    pub sort: Option<SortParam>,
    /// Comma-separated fields to return; list items are summaries (no body) when absent.
    #[param(value_type = Option<Vec<ArticleField>>, style = Form, explode = false, min_items = 1)]
    pub fields: Option<String>,
}

use crate::api::Slug;

/// An IANA time zone name, as the server knows them.
pub struct TimeZoneName;

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .description(Some("An IANA time zone"))
            .examples([serde_json::json!("Europe/Paris")])
            .into()
    }
}

impl ToSchema for TimeZoneName {}

/// A calendar date (`2024-11-27`) or an RFC 3339 instant.
pub struct DateOrInstant;

impl utoipa::PartialSchema for DateOrInstant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some(
                "A date, read as a whole day in `tz`, or an RFC 3339 instant",
            ))
            .into()
    }
}

impl ToSchema for DateOrInstant {}

/// A parsed article list request.
pub struct ArticleListQuery {
    pub filter: ArticleFilter,
    pub sort: Sort,
    pub window: Window,
    pub include_total: bool,
    pub fields: Option<FieldSet>,
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest(message)
}

pub(in crate::api) fn slug_list(name: &str, text: &str, max: usize) -> ApiResult<Vec<String>> {
    let items: Vec<String> = comma_items(name, text)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    if items.len() > max {
        return Err(bad(format!("{name}: at most {max} slugs")));
    }
    if let Some(wrong) = items.iter().find(|s| !slug::is_valid(s)) {
        return Err(bad(format!("{name}: {wrong:?} is not a slug")));
    }
    Ok(items)
}

pub(in crate::api) fn single_slug(name: &str, value: Option<String>) -> ApiResult<Option<String>> {
    match value {
        Some(v) if !slug::is_valid(&v) => Err(bad(format!("{name}={v:?} is not a slug"))),
        other => Ok(other),
    }
}

/// The filters the article list and the archive share: section (with or without
/// its subsections), tags that must all be present, and language.
pub(in crate::api) fn scope(
    section: Option<String>,
    descendants: Option<bool>,
    tag: Option<&str>,
    language: Option<String>,
) -> ApiResult<ArticleFilter> {
    let language = match language {
        Some(lang) if !language::is_valid(&lang) => {
            return Err(bad(format!(
                "language={lang:?} is not a BCP 47 language tag"
            )))
        }
        other => other,
    };
    Ok(ArticleFilter {
        section: single_slug("section", section)?,
        descendants: descendants.unwrap_or(true),
        tags_all: tag
            .map(|t| slug_list("tag", t, 20))
            .transpose()?
            .unwrap_or_default(),
        language,
        ..ArticleFilter::default()
    })
}

/// A bound given as a date (a whole day in `tz`) or an RFC 3339 instant.
enum Bound {
    Day(NaiveDate),
    Instant(chrono::NaiveDateTime),
}

fn bound(name: &str, text: &str) -> ApiResult<Bound> {
    let text = text.trim();
    if let Some(date) = dates::parse_iso_date(text) {
        return Ok(Bound::Day(date));
    }
    dates::parse_rfc3339(text)
        .map(|t| Bound::Instant(truncate(t.naive_utc())))
        .ok_or_else(|| {
            bad(format!(
                "{name}: {text:?} is neither a date (2024-11-27) nor an RFC 3339 instant, in the years 0001 to 9999"
            ))
        })
}

fn start_of(day: NaiveDate, tz: Tz) -> chrono::NaiveDateTime {
    dates::local_to_utc(day.and_time(NaiveTime::MIN), tz).naive_utc()
}

/// The zone a `tz` parameter names, or the server's default.
pub(in crate::api) fn time_zone(param: Option<&str>, default: Tz) -> ApiResult<Tz> {
    match param {
        Some(name) => name.trim().parse().map_err(|_| {
            bad(format!(
                "tz: {name:?} is not an IANA time zone such as Europe/Paris"
            ))
        }),
        None => Ok(default),
    }
}

/// The instants between `from` and `to` (each a day in `tz` or an instant), both included.
pub(in crate::api) fn date_range(
    from: Option<&str>,
    to: Option<&str>,
    tz: Tz,
    field: DateField,
) -> ApiResult<DateRange> {
    let from = from.map(|t| bound("from", t)).transpose()?;
    let to = to.map(|t| bound("to", t)).transpose()?;
    let from = from.map(|b| match b {
        Bound::Day(day) => start_of(day, tz),
        Bound::Instant(t) => t,
    });
    let until = match to {
        // Through the last day there is: no upper bound at all.
        Some(Bound::Day(day)) => day
            .checked_add_days(Days::new(1))
            .filter(dates::in_supported_years)
            .map(|next| Until::Before(start_of(next, tz))),
        Some(Bound::Instant(t)) => Some(Until::Through(t)),
        None => None,
    };
    if let (Some(from), Some(until)) = (from, until) {
        let empty = match until {
            Until::Before(t) => t <= from,
            Until::Through(t) => t < from,
        };
        if empty {
            return Err(bad("to is before from: the range holds no instant".into()));
        }
    }
    Ok(DateRange { field, from, until })
}

impl ArticleListParams {
    /// The list request, each story in the reader's languages when `locale` says.
    pub fn parse(self, locale: &Locale, settings: &ServerSettings) -> ApiResult<ArticleListQuery> {
        let (default_tz, limits) = (settings.timezone, &settings.limits);
        let locales = locale.chain(&settings.site.locales)?;
        let field = match self.date_field {
            None | Some(DateFieldParam::Published) => DateField::Published,
            Some(DateFieldParam::Updated) => DateField::Updated,
            Some(DateFieldParam::Created) => DateField::Created,
        };
        let tz = time_zone(self.tz.as_deref(), default_tz)?;
        let dates = date_range(self.from.as_deref(), self.to.as_deref(), tz, field)?;
        let per_page = self.per_page.unwrap_or(default_per_page(limits));
        check_per_page(per_page, limits)?;
        let search = search_query(self.q.as_deref(), limits.max_query_chars)?;
        let sort = sort(self.sort, search.is_some())?;
        let window = window((self.page, self.cursor.as_deref()), per_page, sort)?;
        let ids = match &self.ids {
            Some(text) => id_list(text)?,
            None => Vec::new(),
        };
        let updated_since = self.updated_since.as_deref().map(instant).transpose()?;
        let filter = ArticleFilter {
            tags_any: self
                .tag_any
                .as_deref()
                .map(|t| slug_list("tag_any", t, 20))
                .transpose()?
                .unwrap_or_default(),
            author: single_slug("author", self.author)?,
            status: self.status.map(Into::into),
            ids,
            updated_since,
            dates,
            search,
            locales,
            ..scope(
                self.section,
                self.descendants,
                self.tag.as_deref(),
                self.language,
            )?
        };
        Ok(ArticleListQuery {
            filter,
            sort,
            window,
            include_total: self.include_total.unwrap_or(false),
            fields: self.fields.as_deref().map(FieldSet::parse).transpose()?,
        })
    }
}

/// `q` as a search query: at most `max_chars` characters, in the query language.
fn search_query(q: Option<&str>, max_chars: usize) -> ApiResult<Option<SearchQuery>> {
    let Some(q) = q else { return Ok(None) };
    let chars = q.chars().count();
    if chars > max_chars {
        return Err(bad(format!(
            "q: longer than {max_chars} characters ({chars})"
        )));
    }
    SearchQuery::parse(q)
        .map(Some)
        .map_err(|why| bad(format!("q: {why}")))
}

/// The order asked for; by relevance when searching and nothing else is asked.
fn sort(asked: Option<SortParam>, searching: bool) -> ApiResult<Sort> {
    Ok(match asked {
        None if searching => Sort::Relevance,
        Some(SortParam::Relevance) if !searching => {
            return Err(bad("sort=relevance needs a search query in q".into()))
        }
        Some(SortParam::Relevance) => Sort::Relevance,
        None | Some(SortParam::PublishedDesc) => Sort::PublishedDesc,
        Some(SortParam::PublishedAsc) => Sort::PublishedAsc,
        Some(SortParam::UpdatedDesc) => Sort::UpdatedDesc,
        Some(SortParam::UpdatedAsc) => Sort::UpdatedAsc,
        Some(SortParam::Title) => Sort::Title,
    })
}

/// The slice asked for: a numbered page, or the items after a cursor of `sort`.
fn window(
    (page, cursor): (Option<u32>, Option<&str>),
    per_page: u32,
    sort: Sort,
) -> ApiResult<Window> {
    Ok(match (page, cursor) {
        (Some(_), Some(_)) => {
            return Err(bad("page and cursor exclude each other: use one".into()))
        }
        (Some(page), None) => {
            if page == 0 || page > MAX_ARTICLE_PAGE {
                return Err(bad(format!(
                    "page must be between 1 and {MAX_ARTICLE_PAGE}; beyond, follow next_cursor"
                )));
            }
            Window::Page(PageRequest {
                page: i64::from(page),
                per_page: i64::from(per_page),
            })
        }
        (None, Some(cursor)) => {
            Window::After(Some(Cursor::decode(cursor, sort)?), i64::from(per_page))
        }
        (None, None) => Window::After(None, i64::from(per_page)),
    })
}

/// `ids`: public ids separated by commas, at most `MAX_LIST_ITEMS`.
fn id_list(text: &str) -> ApiResult<Vec<ArticleId>> {
    let ids: Vec<ArticleId> = comma_items("ids", text)?
        .into_iter()
        .map(|s| ArticleId::parse(s).ok_or_else(|| bad(format!("ids: {s:?} is not a UUID"))))
        .collect::<ApiResult<_>>()?;
    if ids.len() > MAX_LIST_ITEMS {
        return Err(bad(format!("ids: at most {MAX_LIST_ITEMS} ids")));
    }
    Ok(ids)
}

/// `updated_since` as an instant, at the precision the database keeps.
fn instant(text: &str) -> ApiResult<NaiveDateTime> {
    dates::parse_rfc3339(text)
        .map(|t| truncate(t.naive_utc()))
        .ok_or_else(|| {
            bad(format!(
                "updated_since: {text:?} is not an RFC 3339 instant in the years 0001 to 9999"
            ))
        })
}
