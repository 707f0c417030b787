//! A contract's year, its volume against the contracted annual volume and tolerance band, and the
//! projection to the end of the contract year. Integer arithmetic (Wh, hundredths of a percent).
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The same day `years` later; 28 February for 29 February in a year without one.
fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

/// The contract year holding `today`: `[start, end)`, from an anniversary of `starts_on`, never
/// past the term (`ends_on` inclusive). Before the term: the first year; after it: the last.
pub fn contract_year(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let term_end = ends_on.succ_opt().unwrap_or(ends_on);
    let mut start = starts_on;
    let mut n = 0;
    loop {
        let next = add_years(starts_on, n + 1);
        if next > today || next >= term_end {
            return (start, next.min(term_end));
        }
        n += 1;
        start = next;
    }
}

/// Days from `today` to `day` (negative once it has passed).
pub fn days_until(day: NaiveDate, today: NaiveDate) -> i64 {
    (day - today).num_days()
}

/// A percentage as Postgres prints a `numeric(5,2)` ("10.00", "7.5"), in hundredths of a percent.
pub fn parse_percent_hundredths(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

/// How the rest of the contract year was projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Projection {
    /// The same dates a year earlier, which have data for every day.
    SamePeriodLastYear,
    /// The average day so far, times the days left (no complete year-earlier data).
    RunRate,
    /// The contract year is over: nothing left to project.
    Complete,
}

impl Projection {
    pub fn explain(self) -> &'static str {
        match self {
            Projection::SamePeriodLastYear => {
                "Projected: consumption to date plus the same dates last year for the rest of the contract year."
            }
            Projection::RunRate => {
                "Projected: consumption to date plus the average day so far for each day left (no full data for the same dates last year)."
            }
            Projection::Complete => "The contract year is complete: the figure is the year's consumption.",
        }
    }
}

/// Where the projected annual volume stands against the tolerance band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VolumeVerdict {
    Below,
    Within,
    Above,
}

impl VolumeVerdict {
    pub fn label(self) -> &'static str {
        match self {
            VolumeVerdict::Below => "Below tolerance",
            VolumeVerdict::Within => "Within tolerance",
            VolumeVerdict::Above => "Above tolerance",
        }
    }
}

/// The contracted volume's band: `annual ± tolerance`, in Wh.
pub fn tolerance_band_wh(annual_kwh: i64, tolerance_hundredths: i64) -> (i64, i64) {
    let annual_wh = annual_kwh * 1000;
    let margin = annual_wh * tolerance_hundredths / 10_000;
    (annual_wh - margin, annual_wh + margin)
}

pub fn verdict(projected_wh: i64, band: (i64, i64)) -> VolumeVerdict {
    if projected_wh < band.0 {
        VolumeVerdict::Below
    } else if projected_wh > band.1 {
        VolumeVerdict::Above
    } else {
        VolumeVerdict::Within
    }
}

/// What the projection starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeToDate {
    /// Wh consumed from the contract year's start through the last day with data.
    pub consumed_wh: i64,
    /// Days from the year's start through the last day with data.
    pub days_elapsed: i64,
    /// Days of the contract year after the last day with data.
    pub days_left: i64,
    /// Wh on the same days-left dates a year earlier, when every one of them has data.
    pub same_dates_last_year_wh: Option<i64>,
}

/// The projected volume at the end of the contract year, and how it was projected.
pub fn project(v: VolumeToDate) -> (i64, Projection) {
    if v.days_left <= 0 {
        return (v.consumed_wh, Projection::Complete);
    }
    match v.same_dates_last_year_wh {
        Some(last) => (v.consumed_wh + last, Projection::SamePeriodLastYear),
        None if v.days_elapsed > 0 => (
            v.consumed_wh + v.consumed_wh * v.days_left / v.days_elapsed,
            Projection::RunRate,
        ),
        None => (v.consumed_wh, Projection::RunRate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_contract_year_runs_from_the_anniversary_within_the_term() {
        let (s, e) = (d(2025, 4, 1), d(2027, 3, 31));
        assert_eq!(
            contract_year(s, e, d(2026, 11, 29)),
            (d(2026, 4, 1), d(2027, 4, 1))
        );
        assert_eq!(
            contract_year(s, e, d(2026, 3, 31)),
            (d(2025, 4, 1), d(2026, 4, 1))
        );
        assert_eq!(contract_year(s, e, d(2026, 4, 1)), (d(2026, 4, 1), d(2027, 4, 1)));
        // Before and after the term.
        assert_eq!(contract_year(s, e, d(2024, 1, 1)), (d(2025, 4, 1), d(2026, 4, 1)));
        assert_eq!(contract_year(s, e, d(2030, 1, 1)), (d(2026, 4, 1), d(2027, 4, 1)));
        // A term that ends mid-year stops the last year there.
        assert_eq!(
            contract_year(d(2025, 1, 1), d(2026, 6, 30), d(2026, 3, 1)),
            (d(2026, 1, 1), d(2026, 7, 1))
        );
        // A 29 February start has its anniversaries on 28 February.
        assert_eq!(
            contract_year(d(2024, 2, 29), d(2027, 2, 27), d(2025, 6, 1)),
            (d(2025, 2, 28), d(2026, 2, 28))
        );
        assert_eq!(days_until(d(2027, 3, 31), d(2026, 11, 29)), 122);
        assert_eq!(days_until(d(2026, 11, 28), d(2026, 11, 29)), -1);
    }

    #[test]
    fn percentages_parse_exactly() {
        assert_eq!(parse_percent_hundredths("10.00"), Some(1000));
        assert_eq!(parse_percent_hundredths("7.5"), Some(750));
        assert_eq!(parse_percent_hundredths("12"), Some(1200));
        assert_eq!(parse_percent_hundredths("0.25"), Some(25));
        assert_eq!(parse_percent_hundredths("1.234"), None);
        assert_eq!(parse_percent_hundredths("-1"), None);
        assert_eq!(parse_percent_hundredths("x"), None);
    }

    #[test]
    fn the_band_and_verdict_use_the_tolerance_both_ways() {
        // 8,400 MWh ± 10 %: 7,560 to 9,240 MWh.
        let band = tolerance_band_wh(8_400_000, 1000);
        assert_eq!(band, (7_560_000_000, 9_240_000_000));
        assert_eq!(verdict(11_000_000_000, band), VolumeVerdict::Above);
        assert_eq!(verdict(9_240_000_000, band), VolumeVerdict::Within);
        assert_eq!(verdict(7_559_999_999, band), VolumeVerdict::Below);
        assert_eq!(VolumeVerdict::Above.label(), "Above tolerance");
    }

    #[test]
    fn projections_prefer_last_years_same_dates_then_the_run_rate() {
        let v = VolumeToDate {
            consumed_wh: 6_000,
            days_elapsed: 240,
            days_left: 125,
            same_dates_last_year_wh: Some(3_500),
        };
        assert_eq!(project(v), (9_500, Projection::SamePeriodLastYear));
        let v = VolumeToDate {
            same_dates_last_year_wh: None,
            ..v
        };
        // 6,000 Wh over 240 days = 25 Wh a day; 125 days left → 3,125 more.
        assert_eq!(project(v), (9_125, Projection::RunRate));
        let done = VolumeToDate { days_left: 0, ..v };
        assert_eq!(project(done), (6_000, Projection::Complete));
        assert!(Projection::RunRate.explain().contains("average day"));
    }
}
