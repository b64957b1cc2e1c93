//! Counts of published articles by year, month or day in a time zone: archive pages and date pickers.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
};
use chrono_tz::Tz;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::article_list::{filtered, matches, ArticleFilter};
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

/// How the database groups publication times before Folio places the groups in
/// local periods: by UTC hour for day counts, by UTC day for month and year counts.
/// A group that a local period boundary cuts (a day starting at 22:00 UTC cuts
/// nothing at hourly grain; a month starting at 23:00 UTC cuts one UTC day) is
/// counted article by article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Hour,
    Day,
}

impl Span {
    fn for_granularity(granularity: Granularity) -> Self {
        match granularity {
            Granularity::Day => Span::Hour,
            Granularity::Month | Granularity::Year => Span::Day,
        }
    }

    fn length(self) -> TimeDelta {
        match self {
            Span::Hour => TimeDelta::hours(1),
            Span::Day => TimeDelta::days(1),
        }
    }

    /// What the rows are grouped by: cheap per row on each backend, and for days the
    /// expression `articles_public_day_idx` is keyed by.
    fn group_sql(self, conn: &AnyConnection) -> &'static str {
        match (conn, self) {
            (AnyConnection::Sqlite(_), Span::Day) => "substr(articles.published_at, 1, 10)",
            (AnyConnection::Sqlite(_), Span::Hour) => "substr(articles.published_at, 1, 13)",
            (AnyConnection::Postgres(_), Span::Day) => "date_trunc('day', articles.published_at)",
            (AnyConnection::Postgres(_), Span::Hour) => "date_trunc('hour', articles.published_at)",
        }
    }

    /// The group's label, `2024-11-27` or `2024-11-27 09`, the same text on both backends.
    fn label_sql(self, conn: &AnyConnection) -> &'static str {
        match (conn, self) {
            (AnyConnection::Postgres(_), Span::Day) => {
                "to_char(date_trunc('day', articles.published_at), 'YYYY-MM-DD')"
            }
            (AnyConnection::Postgres(_), Span::Hour) => {
                "to_char(date_trunc('hour', articles.published_at), 'YYYY-MM-DD HH24')"
            }
            (AnyConnection::Sqlite(_), _) => self.group_sql(conn),
        }
    }

    /// Rows in these groups: the same expression as the grouping, so the day index
    /// seeks straight to them.
    fn in_groups_sql(self, conn: &AnyConnection, labels: &[&str]) -> Option<String> {
        let values: Vec<String> = match conn {
            AnyConnection::Sqlite(_) => labels.iter().map(|l| format!("'{l}'")).collect(),
            AnyConnection::Postgres(_) => labels
                .iter()
                .filter_map(|l| self.start(l))
                .map(|start| format!("TIMESTAMP '{}'", start.format("%Y-%m-%d %H:%M:%S")))
                .collect(),
        };
        (!values.is_empty()).then(|| format!("{} IN ({})", self.group_sql(conn), values.join(", ")))
    }

    fn start(self, label: &str) -> Option<NaiveDateTime> {
        match self {
            Span::Day => NaiveDate::parse_from_str(label, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN)),
            Span::Hour => {
                NaiveDateTime::parse_from_str(&format!("{label}:00"), "%Y-%m-%d %H:%M").ok()
            }
        }
    }
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
/// an offset change (local mean time, before standard time) cuts through it.
fn period_of_group(
    start: NaiveDateTime,
    span: Span,
    tz: Tz,
    granularity: Granularity,
) -> Option<Key> {
    let end = start + span.length() - TimeDelta::microseconds(1);
    let (start, end) = (tz.from_utc_datetime(&start), tz.from_utc_datetime(&end));
    let same_offset = start.offset().fix() == end.offset().fix();
    let period = key(start, granularity);
    (same_offset && period == key(end, granularity)).then_some(period)
}

/// Published articles matching `filter`, counted per period of local time in `tz`, newest first.
///
/// Both backends count per UTC hour or day and the groups are placed in local
/// periods here, so both agree on local days across DST changes, and the work done
/// in Rust grows with the number of groups, not of articles.
pub fn archive(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    granularity: Granularity,
    tz: Tz,
) -> ApiResult<Vec<Bucket>> {
    let at = now();
    let span = Span::for_granularity(granularity);
    let groups: Vec<(String, i64)> = articles::table
        .filter(matches(conn, filter, Visibility::Public, at)?)
        .group_by(sql::<Text>(span.group_sql(conn)))
        .select((sql::<Text>(span.label_sql(conn)), count_star()))
        .load(conn)?;
    let mut counts: BTreeMap<Key, i64> = BTreeMap::new();
    let mut split = Vec::new();
    for (label, count) in groups {
        let period = span
            .start(&label)
            .and_then(|start| period_of_group(start, span, tz, granularity));
        match period {
            Some(period) => *counts.entry(period).or_insert(0) += count,
            None => split.push(label),
        }
    }
    // Groups cut by a boundary are few: their articles are placed one by one.
    for chunk in split.chunks(500) {
        // Labels come from the database's own formatting; anything else is not quoted in.
        let labels: Vec<&str> = chunk
            .iter()
            .map(String::as_str)
            .filter(|l| {
                l.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
            })
            .collect();
        let Some(condition) = span.in_groups_sql(conn, &labels) else {
            continue;
        };
        let dates: Vec<Option<NaiveDateTime>> = filtered(conn, filter, Visibility::Public, at)?
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
