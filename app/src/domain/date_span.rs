//! A span of settlement dates (`from` to `to`, both inclusive, local Europe/London days), as a
//! view of HH data asks for it: from a URL (`from=2026-10-01&to=2026-10-31`) or a preset ending
//! at the latest data (`7d`, `30d`, `90d`, `12m`), with the bucket size a chart of it uses.
//!
//! Shared by every view over a range of days (consumption chart, analytics): build one with
//! [`DateSpan::new`] / [`DateSpan::parse`] (validated) or [`SpanPreset::resolve`], then read
//! [`DateSpan::from`], [`DateSpan::to`] or the exclusive end [`DateSpan::end`] for queries over
//! `[from, end)`.
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::aggregate::Granularity;

/// A span of settlement dates, `from` ≤ `to`, `to` inclusive, at most [`DateSpan::MAX_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawSpan", into = "RawSpan")]
pub struct DateSpan {
    from: NaiveDate,
    to: NaiveDate,
}

/// The unvalidated wire form; deserialising goes through [`DateSpan::new`].
#[derive(Serialize, Deserialize)]
struct RawSpan {
    from: NaiveDate,
    to: NaiveDate,
}

impl TryFrom<RawSpan> for DateSpan {
    type Error = DateSpanError;
    fn try_from(r: RawSpan) -> Result<Self, Self::Error> {
        DateSpan::new(r.from, r.to)
    }
}

impl From<DateSpan> for RawSpan {
    fn from(s: DateSpan) -> Self {
        RawSpan {
            from: s.from,
            to: s.to,
        }
    }
}

/// Why two dates do not make a span; the message is meant for the person who typed them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateSpanError {
    #[error("{0:?} is not a date; use YYYY-MM-DD, e.g. 2026-10-25")]
    NotADate(String),
    #[error("the start date {from} is after the end date {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("{days} days is too long a span; choose at most {max} days", max = DateSpan::MAX_DAYS)]
    TooLong { days: i64 },
}

impl DateSpan {
    /// The longest span: the longest `12m` preset (a year back to the first of the month, up to
    /// 396 days) with a little room, and a bound on what one request reads (400 days × 50
    /// periods × 4 channels × 6 supply points ≈ 480,000 values).
    pub const MAX_DAYS: i64 = 400;

    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DateSpanError> {
        if from > to {
            return Err(DateSpanError::Reversed { from, to });
        }
        let days = (to - from).num_days() + 1;
        if days > Self::MAX_DAYS {
            return Err(DateSpanError::TooLong { days });
        }
        Ok(Self { from, to })
    }

    /// From two `YYYY-MM-DD` strings, as `<input type="date">` sends them (surrounding spaces
    /// ignored).
    pub fn parse(from: &str, to: &str) -> Result<Self, DateSpanError> {
        let date = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| DateSpanError::NotADate(s.to_string()))
        };
        Self::new(date(from)?, date(to)?)
    }

    /// One settlement day.
    pub fn day(date: NaiveDate) -> Self {
        Self { from: date, to: date }
    }

    /// The calendar month holding `date`.
    pub fn month_of(date: NaiveDate) -> Self {
        let first = date.with_day(1).unwrap_or(date);
        let last = first
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(date);
        Self {
            from: first,
            to: last,
        }
    }

    /// The first settlement date.
    pub fn from(self) -> NaiveDate {
        self.from
    }

    /// The last settlement date (inclusive).
    pub fn to(self) -> NaiveDate {
        self.to
    }

    /// The day after `to`: the exclusive end for queries over `[from, end)`.
    pub fn end(self) -> NaiveDate {
        self.to.succ_opt().unwrap_or(self.to)
    }

    /// Number of days, at least 1.
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }

    /// Every day of the span, in order.
    pub fn iter_days(self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// The bucket a chart of this span uses: half-hours up to 7 days (at most 350 bars, and a
    /// clock-change day can be checked period by period), days up to 92 (a quarter), else months.
    pub fn granularity(self) -> Granularity {
        match self.days() {
            ..=7 => Granularity::HalfHour,
            8..=92 => Granularity::Day,
            _ => Granularity::Month,
        }
    }

    /// `1 Oct 2026 – 31 Oct 2026`, or one date when the span is a day: `Sun 25 Oct 2026`.
    pub fn describe(self) -> String {
        if self.from == self.to {
            self.from.format("%a %-d %b %Y").to_string()
        } else {
            format!(
                "{} – {}",
                self.from.format("%-d %b %Y"),
                self.to.format("%-d %b %Y")
            )
        }
    }
}

impl fmt::Display for DateSpan {
    /// `2026-10-01..2026-10-31`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// A span ending at the latest data. On the wire and in URLs: `7d`, `30d`, `90d` or `12m`, so a
/// server fn taking it refuses any other value with a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SpanPreset {
    #[serde(rename = "7d")]
    Days7,
    #[default]
    #[serde(rename = "30d")]
    Days30,
    #[serde(rename = "90d")]
    Days90,
    #[serde(rename = "12m")]
    Months12,
}

/// A string that names no preset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown range {0:?}; use 7d, 30d, 90d or 12m")]
pub struct UnknownPreset(pub String);

impl SpanPreset {
    pub const ALL: [SpanPreset; 4] = [Self::Days7, Self::Days30, Self::Days90, Self::Months12];

    /// The code used in URLs and server-fn arguments.
    pub fn code(self) -> &'static str {
        match self {
            Self::Days7 => "7d",
            Self::Days30 => "30d",
            Self::Days90 => "90d",
            Self::Months12 => "12m",
        }
    }

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Days7 => "7 days",
            Self::Days30 => "30 days",
            Self::Days90 => "90 days",
            Self::Months12 => "12 months",
        }
    }

    /// The span ending on `latest` (the last day with data): 7, 30 or 90 days, or 12 months that
    /// start on the first of the month a year before the day after `latest`.
    pub fn resolve(self, latest: NaiveDate) -> DateSpan {
        let end = latest.succ_opt().unwrap_or(latest);
        let from = match self {
            Self::Days7 => end - TimeDelta::days(7),
            Self::Days30 => end - TimeDelta::days(30),
            Self::Days90 => end - TimeDelta::days(90),
            Self::Months12 => NaiveDate::from_ymd_opt(end.year() - 1, end.month(), 1).unwrap_or(end),
        };
        // Every preset is at most 396 days, within MAX_DAYS.
        DateSpan {
            from: from.min(latest),
            to: latest,
        }
    }
}

impl FromStr for SpanPreset {
    type Err = UnknownPreset;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| UnknownPreset(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_span_parses_from_url_dates_and_keeps_to_inclusive() {
        let s = DateSpan::parse("2026-10-01", " 2026-10-31 ").unwrap();
        assert_eq!((s.from(), s.to()), (date(2026, 10, 1), date(2026, 10, 31)));
        assert_eq!(s.days(), 31);
        assert_eq!(s.end(), date(2026, 11, 1));
        assert!(s.contains(date(2026, 10, 31)) && !s.contains(date(2026, 11, 1)));
        assert_eq!(s.iter_days().count(), 31);
        assert_eq!(s.to_string(), "2026-10-01..2026-10-31");
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        assert_eq!(
            DateSpan::parse("2026-13-01", "2026-10-31")
                .unwrap_err()
                .to_string(),
            "\"2026-13-01\" is not a date; use YYYY-MM-DD, e.g. 2026-10-25"
        );
        assert_eq!(
            DateSpan::parse("2026-10-31", "2026-10-01")
                .unwrap_err()
                .to_string(),
            "the start date 2026-10-31 is after the end date 2026-10-01"
        );
        assert!(DateSpan::parse("", "2026-10-01").is_err());
        assert!(DateSpan::parse("25/10/2026", "2026-10-26").is_err());
    }

    #[test]
    fn a_span_is_at_most_400_days() {
        assert!(DateSpan::new(date(2025, 1, 1), date(2026, 2, 4)).is_ok()); // 400 days
        assert_eq!(
            DateSpan::new(date(2025, 1, 1), date(2026, 2, 5)),
            Err(DateSpanError::TooLong { days: 401 })
        );
        assert!(DateSpan::new(date(2026, 2, 5), date(2026, 2, 5)).is_ok());
    }

    #[test]
    fn deserialising_validates_too() {
        let ok: DateSpan = serde_json::from_str(r#"{"from":"2026-10-01","to":"2026-10-02"}"#).unwrap();
        assert_eq!(ok.days(), 2);
        assert!(serde_json::from_str::<DateSpan>(r#"{"from":"2026-10-03","to":"2026-10-02"}"#).is_err());
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"from":"2026-10-01","to":"2026-10-02"}"#
        );
    }

    #[test]
    fn the_chart_bucket_follows_the_length() {
        let span = |days: i64| {
            DateSpan::new(date(2026, 1, 1), date(2026, 1, 1) + TimeDelta::days(days - 1)).unwrap()
        };
        assert_eq!(span(1).granularity(), Granularity::HalfHour);
        assert_eq!(span(7).granularity(), Granularity::HalfHour);
        assert_eq!(span(8).granularity(), Granularity::Day);
        assert_eq!(span(92).granularity(), Granularity::Day);
        assert_eq!(span(93).granularity(), Granularity::Month);
        assert_eq!(span(400).granularity(), Granularity::Month);
    }

    #[test]
    fn presets_end_at_the_latest_data_day() {
        let latest = date(2026, 11, 16);
        assert_eq!(
            SpanPreset::Days7.resolve(latest),
            DateSpan::new(date(2026, 11, 10), latest).unwrap()
        );
        assert_eq!(
            SpanPreset::Days7.resolve(latest).granularity(),
            Granularity::HalfHour
        );
        assert_eq!(SpanPreset::Days30.resolve(latest).days(), 30);
        assert_eq!(SpanPreset::Days90.resolve(latest).granularity(), Granularity::Day);
        let year = SpanPreset::Months12.resolve(latest);
        assert_eq!(year.from(), date(2025, 11, 1));
        assert_eq!(year.granularity(), Granularity::Month);
        // The longest 12-month span (latest on the 30th of December) is within the limit.
        assert_eq!(SpanPreset::Months12.resolve(date(2026, 12, 30)).days(), 395);
        for m in 1..=12 {
            let last = DateSpan::month_of(date(2026, m, 1)).to();
            assert!(SpanPreset::Months12.resolve(last).days() <= DateSpan::MAX_DAYS);
        }
    }

    #[test]
    fn presets_round_trip_through_their_codes() {
        for r in SpanPreset::ALL {
            assert_eq!(r.code().parse::<SpanPreset>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
        }
        assert!("1y".parse::<SpanPreset>().is_err());
        assert!(serde_json::from_str::<SpanPreset>("\"1y\"").is_err());
    }

    #[test]
    fn months_and_days_for_drilling_down() {
        let oct = DateSpan::month_of(date(2026, 10, 25));
        assert_eq!((oct.from(), oct.to()), (date(2026, 10, 1), date(2026, 10, 31)));
        assert_eq!(oct.granularity(), Granularity::Day);
        let feb = DateSpan::month_of(date(2028, 2, 10));
        assert_eq!(feb.to(), date(2028, 2, 29));
        let day = DateSpan::day(date(2026, 10, 25));
        assert_eq!(day.granularity(), Granularity::HalfHour);
        assert_eq!(day.describe(), "Sun 25 Oct 2026");
        assert_eq!(oct.describe(), "1 Oct 2026 – 31 Oct 2026");
    }
}
