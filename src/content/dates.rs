//! Dates as newsrooms write them: `27 novembre, 2024`, `November 27, 2024`,
//! `2024-11-27` or an RFC 3339 instant. A date without a time is midnight in
//! the configured time zone.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Instants fall in four-digit years (in UTC): RFC 3339 can write no others, and
/// both databases store and order them alike (SQLite compares timestamps as text,
/// where `+10000` sorts before `2024`; PostgreSQL refuses years before 4713 BC).
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// What a field outside [`SUPPORTED_YEARS`] is told.
pub const YEAR_RANGE_MESSAGE: &str = "must fall between the years 0001 and 9999 (UTC)";

/// Whether a date or instant falls in [`SUPPORTED_YEARS`].
pub fn in_supported_years(date: &impl Datelike) -> bool {
    SUPPORTED_YEARS.contains(&date.year())
}

/// An RFC 3339 instant in the supported years, in UTC.
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(in_supported_years)
}

/// An ISO `YYYY-MM-DD` date in the supported years.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // chrono would also take a sign and more digits (`+10000-01-01`, `-4714-11-23`).
    let shaped = text.len() == 10 && text.as_bytes()[0].is_ascii_digit();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| shaped && in_supported_years(d))
}

fn month_number(word: &str) -> Option<u32> {
    let w = deunicode::deunicode(word).to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    let month = match w {
        "janvier" | "janv" | "january" | "jan" => 1,
        "fevrier" | "fevr" | "fev" | "february" | "feb" => 2,
        "mars" | "march" | "mar" => 3,
        "avril" | "avr" | "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juin" | "june" | "jun" => 6,
        "juillet" | "juil" | "july" | "jul" => 7,
        "aout" | "august" | "aug" => 8,
        "septembre" | "sept" | "september" | "sep" => 9,
        "octobre" | "oct" | "october" => 10,
        "novembre" | "nov" | "november" => 11,
        "decembre" | "dec" | "december" => 12,
        _ => return None,
    };
    Some(month)
}

fn is_weekday(word: &str) -> bool {
    let w = deunicode::deunicode(word).to_ascii_lowercase();
    matches!(
        w.as_str(),
        "lundi"
            | "mardi"
            | "mercredi"
            | "jeudi"
            | "vendredi"
            | "samedi"
            | "dimanche"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "mon"
            | "tue"
            | "wed"
            | "thu"
            | "fri"
            | "sat"
            | "sun"
    )
}

fn day_number(word: &str) -> Option<u32> {
    let digits = word
        .trim_end_matches("er")
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    let day: u32 = digits.parse().ok()?;
    (1..=31).contains(&day).then_some(day)
}

/// Parses a calendar date written in French or English words, or as ISO `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(date) = parse_iso_date(text) {
        return Some(date);
    }
    let cleaned = text.replace([',', '\u{a0}', '\u{202f}'], " ");
    let words: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|w| !is_weekday(w.trim_end_matches('.')))
        .filter(|w| !matches!(w.to_lowercase().as_str(), "le" | "the" | "on"))
        .collect();
    let (mut day, mut month, mut year) = (None, None, None);
    for word in &words {
        if let Some(m) = month_number(word) {
            month = month.or(Some(m));
        } else if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
            year = word.parse::<i32>().ok();
        } else if let Some(d) = day_number(&word.to_lowercase()) {
            day = day.or(Some(d));
        } else {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(year?, month?, day?).filter(in_supported_years)
}

/// Interprets local wall-clock time in `tz` as a UTC instant (the earlier
/// one when a DST change makes it ambiguous, the next valid one in a gap).
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(early, _) => early.with_timezone(&Utc),
        LocalResult::None => {
            let later = local + chrono::Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&local))
        }
    }
}

/// Parses an RFC 3339 instant, `YYYY-MM-DD HH:MM[:SS]` local time, or any
/// date [`parse_date`] reads (as midnight local time in `tz`).
pub fn parse_instant(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    parse_instant_in_any_year(text, tz).filter(in_supported_years)
}

fn parse_instant_in_any_year(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Some(local_to_utc(local, tz));
        }
    }
    parse_date(text).map(|d| local_to_utc(d.and_time(NaiveTime::MIN), tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn reads_french_and_english_dates() {
        assert_eq!(parse_date("27 novembre, 2024"), ymd(2024, 11, 27));
        assert_eq!(parse_date("27 novembre 2024"), ymd(2024, 11, 27));
        assert_eq!(parse_date("1er décembre 2024"), ymd(2024, 12, 1));
        assert_eq!(parse_date("mercredi 27 Novembre 2024"), ymd(2024, 11, 27));
        assert_eq!(parse_date("November 27, 2024"), ymd(2024, 11, 27));
        assert_eq!(parse_date("Wednesday, Nov. 27th, 2024"), ymd(2024, 11, 27));
        assert_eq!(parse_date("2024-11-27"), ymd(2024, 11, 27));
        assert_eq!(parse_date("27 brumaire 2024"), None);
        assert_eq!(parse_date("31 février 2024"), None);
    }

    #[test]
    fn only_four_digit_years() {
        let utc: Tz = "UTC".parse().unwrap();
        for text in [
            "-1000-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z",
            "-4714-11-23",
            "+10000-01-01",
            "0000-12-31T23:00:00Z",
            "0001-01-01T00:30:00+01:00",
            "10000-01-01",
        ] {
            assert_eq!(parse_instant(text, utc), None, "{text}");
            assert_eq!(parse_rfc3339(text), None, "{text}");
            assert_eq!(parse_iso_date(text), None, "{text}");
        }
        assert!(parse_instant("0001-01-01T00:00:00Z", utc).is_some());
        assert!(parse_instant("9999-12-31T23:59:59Z", utc).is_some());
        assert_eq!(parse_iso_date("9999-12-31"), ymd(9999, 12, 31));
        assert_eq!(parse_date("1 janvier 0000"), None);
    }

    #[test]
    fn dates_are_local_midnight() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let t = parse_instant("27 novembre 2024", paris).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-26T23:00:00+00:00");
        let t = parse_instant("2024-11-27T10:00:00Z", paris).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-27T10:00:00+00:00");
    }
}
