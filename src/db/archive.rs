//! Counts of published articles by year, month or day in a time zone: archive pages and date pickers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
};
use chrono_tz::Tz;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::article_list::{filtered, matches, ArticleFilter, Reading};
use super::articles::Visibility;
use super::dialect::{self, Dialect};
use super::schema::articles;
use super::{now, AnyConnection};
use crate::content::dates;
use crate::error::{ApiError, ApiResult};

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

/// How the database groups publication times before Folio places the groups in
/// local periods: by UTC day, and for day counts each UTC day is cut at the times
/// local midnight falls at in UTC (23:00 and 22:00 for Paris), so that each part
/// lies in one local day. A day that a local period boundary or an offset change
/// cuts through one of its groups (a month starting at 23:00 UTC, a DST change) is
/// counted article by article.
struct Parts {
    /// Times of day after 00:00, ascending.
    cuts: Vec<NaiveTime>,
}

impl Parts {
    fn new(granularity: Granularity, tz: Tz, at: NaiveDateTime) -> Self {
        let cuts = match granularity {
            Granularity::Day => local_midnights(tz, at.year()),
            Granularity::Month | Granularity::Year => Vec::new(),
        };
        Parts { cuts }
    }

    /// Which part of its day a row falls in: how many cuts it is at or after.
    fn part_sql(&self, dialect: &dyn Dialect) -> Option<String> {
        if self.cuts.is_empty() {
            return None;
        }
        let cases: Vec<String> = self
            .cuts
            .iter()
            .map(|cut| dialect.published_at_or_after(*cut))
            .collect();
        Some(format!("({})", cases.join(" + ")))
    }

    fn group_sql(&self, dialect: &dyn Dialect) -> String {
        let day = dialect.published_day();
        match self.part_sql(dialect) {
            Some(part) => format!("{day}, {part}"),
            None => day.to_owned(),
        }
    }

    /// A group's label, `2024-11-27` or `2024-11-27 2` (the day's third part).
    fn label_sql(&self, dialect: &dyn Dialect) -> String {
        dialect.day_label(self.part_sql(dialect).as_deref())
    }

    /// A group's day and the UTC instants it covers, end excluded.
    fn range(&self, label: &str) -> Option<(NaiveDate, NaiveDateTime, NaiveDateTime)> {
        let (day, part) = match label.split_once(' ') {
            Some((day, part)) => (day, part.parse::<usize>().ok()?),
            None => (label, 0),
        };
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        let midnight = day.and_time(NaiveTime::MIN);
        let start = match part {
            0 => midnight,
            n => day.and_time(*self.cuts.get(n - 1)?),
        };
        let end = match self.cuts.get(part) {
            Some(cut) => day.and_time(*cut),
            None => midnight + TimeDelta::days(1),
        };
        Some((day, start, end))
    }

    /// Rows published on these UTC days: the day index seeks straight to them.
    fn on_days_sql(dialect: &dyn Dialect, days: &[NaiveDate]) -> Option<String> {
        let values: Vec<String> = days.iter().map(|day| dialect.day_value(*day)).collect();
        (!values.is_empty())
            .then(|| format!("{} IN ({})", dialect.published_day(), values.join(", ")))
    }
}

/// The UTC times of day at which local midnight fell in `tz` since 1970, sampled in
/// January and July of each year (standard and summer time).
fn local_midnights(tz: Tz, until_year: i32) -> Vec<NaiveTime> {
    let mut cuts: BTreeSet<NaiveTime> = BTreeSet::new();
    for year in 1970..=until_year + 1 {
        for month in [1, 7] {
            if let Some(day) = NaiveDate::from_ymd_opt(year, month, 1) {
                let utc = dates::local_to_utc(day.and_time(NaiveTime::MIN), tz);
                cuts.insert(utc.time());
            }
        }
    }
    cuts.remove(&NaiveTime::MIN);
    cuts.into_iter().collect()
}

type Key = (i32, u32, u32);

fn key(at: DateTime<Tz>, granularity: Granularity) -> Key {
    match granularity {
        Granularity::Year => (at.year(), 0, 0),
        Granularity::Month => (at.year(), at.month(), 0),
        Granularity::Day => (at.year(), at.month(), at.day()),
    }
}

/// The local period all of a group falls in, or `None` when a period boundary or
/// an offset change (DST, or local mean time before standard time) cuts through it.
fn period_of_group(
    start: NaiveDateTime,
    end: NaiveDateTime,
    tz: Tz,
    granularity: Granularity,
) -> Option<Key> {
    let last = end - TimeDelta::microseconds(1);
    let (start, last) = (tz.from_utc_datetime(&start), tz.from_utc_datetime(&last));
    let same_offset = start.offset().fix() == last.offset().fix();
    let period = key(start, granularity);
    (same_offset && period == key(last, granularity)).then_some(period)
}

/// Published articles matching `filter`, counted per period of local time in `tz`, newest first.
///
/// Both backends count per part of a UTC day and the groups are placed in local
/// periods here, so both agree on local days across DST changes, and the work done
/// in Rust grows with the number of groups, not of articles.
pub fn archive(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    granularity: Granularity,
    tz: Tz,
) -> ApiResult<Vec<Bucket>> {
    let at = now();
    let parts = Parts::new(granularity, tz, at);
    let dialect = dialect::of(conn);
    let groups: Vec<(String, i64)> = articles::table
        .filter(matches(conn, filter, Visibility::Public, at, Reading::All)?)
        .group_by(sql::<Text>(&parts.group_sql(dialect)))
        .select((sql::<Text>(&parts.label_sql(dialect)), count_star()))
        .load(conn)?;
    let mut placed: Vec<(NaiveDate, Key, i64)> = Vec::with_capacity(groups.len());
    let mut split: BTreeSet<NaiveDate> = BTreeSet::new();
    for (label, count) in groups {
        let (day, start, end) = parts
            .range(&label)
            .ok_or_else(|| ApiError::Internal(format!("archive group {label:?} not understood")))?;
        match period_of_group(start, end, tz, granularity) {
            Some(period) => placed.push((day, period, count)),
            None => {
                split.insert(day);
            }
        }
    }
    let mut counts: BTreeMap<Key, i64> = BTreeMap::new();
    for (day, period, count) in placed {
        if !split.contains(&day) {
            *counts.entry(period).or_insert(0) += count;
        }
    }
    // Days cut by a boundary are few: their articles are placed one by one.
    let split: Vec<NaiveDate> = split.into_iter().collect();
    for chunk in split.chunks(500) {
        let Some(condition) = Parts::on_days_sql(dialect, chunk) else {
            continue;
        };
        // A few days' rows: the day index leads, never a common tag's links.
        let dates: Vec<Option<NaiveDateTime>> =
            filtered(conn, filter, Visibility::Public, at, Reading::Few)?
                .filter(sql::<Bool>(&condition))
                .select(articles::published_at)
                .load(conn)?;
        for at in dates.into_iter().flatten() {
            *counts
                .entry(key(tz.from_utc_datetime(&at), granularity))
                .or_insert(0) += 1;
        }
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
