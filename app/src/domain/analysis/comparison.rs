//! Comparing a span of days with the span just before it and with the same dates a year earlier,
//! on settlement (UK local) days: totals, coverage and the change.
use chrono::{Months, NaiveDate, TimeDelta};

use super::half_hours;
use crate::domain::billing::MeterDay;
use crate::domain::settlement_time::periods_in_day;

/// A span of settlement days, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The span of the same length that ends the day before this one starts.
    pub fn previous(self) -> Span {
        let len = TimeDelta::days(self.days());
        Span {
            from: self.from - len,
            to: self.to - len,
        }
    }

    /// The same calendar dates a year earlier (29 February falls back to the 28th).
    pub fn a_year_earlier(self) -> Span {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        Span {
            from: back(self.from),
            to: back(self.to),
        }
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        d >= self.from && d <= self.to
    }

    /// Settlement periods in the span (46/50 on clock-change days).
    pub fn expected_periods(self) -> i64 {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .map(|d| i64::from(periods_in_day(d)))
            .sum()
    }
}

/// A span's consumption and how much of it the data covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanTotal {
    pub span: Span,
    pub kwh: f64,
    /// Periods with a value (actual or estimated).
    pub periods_with_value: i64,
    pub expected_periods: i64,
}

impl SpanTotal {
    /// Share of the span's periods with a value, in %.
    pub fn coverage(&self) -> f64 {
        if self.expected_periods == 0 {
            0.0
        } else {
            100.0 * self.periods_with_value as f64 / self.expected_periods as f64
        }
    }
}

/// The total of the days that fall inside `span`.
pub fn span_total(days: &[MeterDay], span: Span) -> SpanTotal {
    let (mut kwh, mut n) = (0.0, 0i64);
    for h in half_hours(days).filter(|h| span.contains(h.date) && h.has_value()) {
        kwh += h.kwh;
        n += 1;
    }
    SpanTotal {
        span,
        kwh,
        periods_with_value: n,
        expected_periods: span.expected_periods(),
    }
}

/// A change from `before` to `now`: in kWh and, when `before` is not zero, in %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub kwh: f64,
    pub percent: Option<f64>,
}

pub fn change(now: f64, before: f64) -> Change {
    Change {
        kwh: now - before,
        percent: (before != 0.0).then(|| 100.0 * (now - before) / before.abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{date, day};
    use super::*;

    #[test]
    fn the_previous_span_has_the_same_length_and_ends_the_day_before() {
        let s = Span {
            from: date("2026-10-01"),
            to: date("2026-10-31"),
        };
        assert_eq!(
            s.previous(),
            Span {
                from: date("2026-08-31"),
                to: date("2026-09-30")
            }
        );
        assert_eq!(s.days(), 31);
        assert_eq!(s.a_year_earlier().from, date("2025-10-01"));
        let leap = Span {
            from: date("2028-02-29"),
            to: date("2028-02-29"),
        };
        assert_eq!(leap.a_year_earlier().from, date("2027-02-28"));
    }

    #[test]
    fn october_has_one_period_more_for_the_autumn_change_and_march_two_fewer() {
        let oct = Span {
            from: date("2026-10-01"),
            to: date("2026-10-31"),
        };
        assert_eq!(oct.expected_periods(), 31 * 48 + 2);
        let mar = Span {
            from: date("2026-03-01"),
            to: date("2026-03-31"),
        };
        assert_eq!(mar.expected_periods(), 31 * 48 - 2);
    }

    #[test]
    fn totals_count_only_days_in_the_span_and_report_coverage() {
        let days = vec![
            day("2026-10-24", |_| 1000),
            day("2026-10-25", |_| 1000),
            day("2026-10-26", |_| 1000),
        ];
        let span = Span {
            from: date("2026-10-25"),
            to: date("2026-10-27"),
        };
        let t = span_total(&days, span);
        assert_eq!(t.kwh, 98.0); // 50 + 48 periods at 1 kWh
        assert_eq!(t.expected_periods, 50 + 48 + 48);
        assert!((t.coverage() - 100.0 * 98.0 / 146.0).abs() < 1e-9);
    }

    #[test]
    fn a_change_from_nothing_has_no_percentage() {
        assert_eq!(change(110.0, 100.0).percent, Some(10.0));
        assert_eq!(change(90.0, 100.0).kwh, -10.0);
        assert_eq!(change(5.0, 0.0).percent, None);
    }
}
