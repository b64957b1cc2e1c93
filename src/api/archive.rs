//! `/v1/archive`: how many articles were published per year, month or day.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::query::{date_range, scope, time_zone, DateOrInstant, TimeZoneName};
use super::locale::LanguageTag;
use super::Slug;
use crate::auth::Caller;
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::db::archive::{self as store, Bucket, Granularity};
use crate::db::article_list::DateField;
use crate::db::article_list::Sort;
use crate::db::modified;
use crate::db::Database;
use crate::error::ApiResult;

/// The length of the periods counted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GranularityParam {
    Year,
    Month,
    Day,
}

/// Which published articles to count, and how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveParams {
    /// The length of the periods.
    #[param(default = "month", example = "day")]
    pub granularity: Option<GranularityParam>,
    /// Only articles in this section (by slug), subsections included unless `descendants=false`.
    #[param(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "monde"
    )]
    pub section: Option<String>,
    /// With `section`: whether its subsections count.
    #[param(default = true, example = false)]
    pub descendants: Option<bool>,
    /// Only articles carrying every one of these tags (comma-separated slugs).
    #[param(value_type = Option<Vec<Slug>>, style = Form, explode = false, min_items = 1, max_items = 20, example = json!(["russie"]))]
    pub tag: Option<String>,
    /// Only articles in this language (BCP 47).
    #[param(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    /// Only articles published from this date (a whole day in `tz`) or instant (RFC 3339), included:
    /// with `granularity=day`, the days of one month for a date picker.
    #[param(value_type = Option<DateOrInstant>, example = "2024-11-01")]
    pub from: Option<String>,
    /// Only articles published up to this date (a whole day in `tz`) or instant (RFC 3339), included.
    #[param(value_type = Option<DateOrInstant>, example = "2024-11-30")]
    pub to: Option<String>,
    /// IANA time zone whose calendar the periods follow (and in which `from` and `to` are
    /// read); the server's default otherwise.
    #[param(value_type = Option<TimeZoneName>, example = "Europe/Paris")]
    pub tz: Option<String>,
}

/// One period of the archive.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"period": "2024-11", "year": 2024, "month": 11, "day": null, "count": 42}))]
pub struct ArchivePeriod {
    /// `2024`, `2024-11` or `2024-11-27`, by granularity.
    pub period: String,
    pub year: i32,
    #[schema(required = true)]
    pub month: Option<u32>,
    #[schema(required = true)]
    pub day: Option<u32>,
    /// Published articles in the period.
    pub count: i64,
}

impl From<Bucket> for ArchivePeriod {
    fn from(bucket: Bucket) -> Self {
        let period = match (bucket.month, bucket.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", bucket.year),
            (Some(m), None) => format!("{:04}-{m:02}", bucket.year),
            _ => format!("{:04}", bucket.year),
        };
        Self {
            period,
            year: bucket.year,
            month: bucket.month,
            day: bucket.day,
            count: bucket.count,
        }
    }
}

/// Published article counts per period, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Archive {
    pub granularity: GranularityParam,
    /// The time zone the periods follow.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    /// Periods with at least one article, newest first.
    pub data: Vec<ArchivePeriod>,
    /// All the articles counted.
    pub total: i64,
}

/// Archive counts
///
/// How many published articles appeared per year, month or day, in the calendar
/// of a time zone: what an archive page or a date picker needs.
#[utoipa::path(
    tag = "articles",
    params(ArchiveParams),
    responses((status = 200, description = "Counts per period", body = Archive)),
)]
#[get("/archive")]
pub async fn get_archive(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<ArchiveParams>,
) -> ApiResult<HttpResponse> {
    let params = params.into_inner();
    let tz = time_zone(params.tz.as_deref(), settings.timezone)?;
    let mut filter = scope(
        params.section,
        params.descendants,
        params.tag.as_deref(),
        params.language,
    )?;
    filter.dates = date_range(
        params.from.as_deref(),
        params.to.as_deref(),
        tz,
        DateField::Published,
    )?;
    let granularity = params.granularity.unwrap_or(GranularityParam::Month);
    let level = match granularity {
        GranularityParam::Year => Granularity::Year,
        GranularityParam::Month => Granularity::Month,
        GranularityParam::Day => Granularity::Day,
    };
    let keys = filter.cache_keys(Sort::default());
    let (buckets, changed) = db
        .read(caller.reads_from(), move |conn| {
            let buckets = store::archive(conn, &filter, level, tz)?;
            Ok((buckets, modified::anything(conn)?))
        })
        .await?;
    let total = buckets.iter().map(|b| b.count).sum();
    let response = HttpResponse::Ok().json(Archive {
        granularity,
        time_zone: tz.name().to_owned(),
        data: buckets.into_iter().map(ArchivePeriod::from).collect(),
        total,
    });
    Ok(last_modified(keyed(response, keys), changed))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(get_archive);
}
