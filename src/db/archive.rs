//! Counts of published articles by year, month or day in a time zone: archive pages and date pickers.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::article_list::{filtered, ArticleFilter};
use super::articles::Visibility;
use super::schema::articles;
use super::{now, AnyConnection};
use crate::error::ApiResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Year,
    Month,
    Day,
}

/// One period and its number of published articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub count: i64,
}

/// Published articles matching `filter`, counted per period of local time in `tz`, newest first.
///
/// The grouping happens here rather than in SQL so that both backends place an
/// article in the same local day, DST changes included.
pub fn archive(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    granularity: Granularity,
    tz: Tz,
) -> ApiResult<Vec<Bucket>> {
    let dates: Vec<Option<NaiveDateTime>> = filtered(conn, filter, Visibility::Public, now())?
        .select(articles::published_at)
        .load(conn)?;
    let mut counts: BTreeMap<(i32, u32, u32), i64> = BTreeMap::new();
    for at in dates.into_iter().flatten() {
        let local = tz.from_utc_datetime(&at);
        let key = match granularity {
            Granularity::Year => (local.year(), 0, 0),
            Granularity::Month => (local.year(), local.month(), 0),
            Granularity::Day => (local.year(), local.month(), local.day()),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    Ok(counts
        .into_iter()
        .rev()
        .map(|((year, month, day), count)| Bucket {
            year,
            month: (month > 0).then_some(month),
            day: (day > 0).then_some(day),
            count,
        })
        .collect())
}
