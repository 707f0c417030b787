//! The buckets of a consumption chart: every half-hour, day or month of a [`DateSpan`], empty
//! where there is no data (so gaps show on the axis), with energy, demand (kW, kVA), export,
//! data status and settlement runs, and the labels a tooltip and an axis show for them.
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::aggregate::Granularity;
use super::channel::ValueStatus;
use super::date_span::DateSpan;
use super::settlement_run::SettlementRun;
use super::settlement_time::{all_periods_utc, periods_in_day, SettlementDate};
use super::units::{group_thousands, kva, kvar_from_kvarh, kw_from_kwh};

/// What a chart plots: energy per bucket, or demand (the highest half-hourly kW or kVA in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartUnit {
    #[default]
    Kwh,
    Kw,
    Kva,
}

/// A string that names no unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit {0:?}; use kwh, kw or kva")]
pub struct UnknownUnit(pub String);

impl ChartUnit {
    pub const ALL: [ChartUnit; 3] = [Self::Kwh, Self::Kw, Self::Kva];

    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Kwh => "kwh",
            Self::Kw => "kw",
            Self::Kva => "kva",
        }
    }

    /// As written after a number: `kWh`, `kW`, `kVA`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Kwh => "kWh",
            Self::Kw => "kW",
            Self::Kva => "kVA",
        }
    }

    /// Demand units are compared with the agreed capacity.
    pub fn is_demand(self) -> bool {
        self != Self::Kwh
    }

    /// The y axis: `kWh per day`, `kW (highest half-hour in the day)`, …
    pub fn axis_label(self, g: Granularity) -> String {
        let bucket = match g {
            Granularity::HalfHour => "half-hour",
            Granularity::Hour => "hour",
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        };
        match (self, g) {
            (Self::Kwh, _) => format!("kWh per {bucket}"),
            (u, Granularity::HalfHour) => u.symbol().to_string(),
            (u, _) => format!("{} (highest half-hour in the {bucket})", u.symbol()),
        }
    }
}

impl FromStr for ChartUnit {
    type Err = UnknownUnit;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|u| u.code().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownUnit(s.to_string()))
    }
}

impl fmt::Display for ChartUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// One settlement day of a supply point at the run chosen for it, in energy units.
#[derive(Debug, Clone, PartialEq)]
pub struct DayReading {
    pub date: NaiveDate,
    pub run: SettlementRun,
    /// Active import kWh per period (46, 48 or 50).
    pub kwh: Vec<f64>,
    pub status: Vec<ValueStatus>,
    /// Reactive import and export kVArh per period; empty when the day has none.
    pub kvarh_import: Vec<f64>,
    pub kvarh_export: Vec<f64>,
    /// Active export kWh per period, for a supply point with on-site generation.
    pub export_kwh: Option<Vec<f64>>,
}

/// Days of a bucket that came from one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDays {
    pub run: SettlementRun,
    pub days: u32,
}

/// One bucket of a chart over a span.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// UTC start of the first half-hour.
    pub start: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The settlement period of a half-hour bucket, and how many the day has (46, 48 or 50).
    pub period: Option<(u8, u8)>,
    /// Active import of the actual and estimated half-hours.
    pub kwh: f64,
    /// Highest half-hourly kW and kVA; 0 when there is no value.
    pub max_kw: f64,
    pub max_kva: f64,
    pub export_kwh: f64,
    pub max_export_kw: f64,
    pub actual: u32,
    pub estimated: u32,
    /// Periods flagged missing, plus every period of the days (after energisation) with no data.
    pub missing: u32,
    /// Best run first.
    pub runs: Vec<RunDays>,
}

impl Bucket {
    fn empty(start: DateTime<Utc>, day: NaiveDate, period: Option<(u8, u8)>) -> Self {
        Self {
            start,
            first_day: day,
            last_day: day,
            period,
            kwh: 0.0,
            max_kw: 0.0,
            max_kva: 0.0,
            export_kwh: 0.0,
            max_export_kw: 0.0,
            actual: 0,
            estimated: 0,
            missing: 0,
            runs: Vec::new(),
        }
    }

    /// Whether any half-hour of it has a value (actual or estimated): otherwise it is a gap.
    pub fn has_value(&self) -> bool {
        self.actual + self.estimated > 0
    }

    /// The value plotted in `unit`, `None` for a gap.
    pub fn value(&self, unit: ChartUnit) -> Option<f64> {
        self.has_value().then_some(match unit {
            ChartUnit::Kwh => self.kwh,
            ChartUnit::Kw => self.max_kw,
            ChartUnit::Kva => self.max_kva,
        })
    }

    /// Export in `unit` (none in kVA: apparent power is the import's).
    pub fn export_value(&self, unit: ChartUnit) -> Option<f64> {
        match unit {
            _ if !self.has_value() => None,
            ChartUnit::Kwh => Some(self.export_kwh),
            ChartUnit::Kw => Some(self.max_export_kw),
            ChartUnit::Kva => None,
        }
    }

    /// `actual`, `estimated`, `missing`, or for a longer bucket a mix such as
    /// `estimated 3 of 48, missing 2 of 48`.
    pub fn status_label(&self) -> String {
        let total = self.actual + self.estimated + self.missing;
        match (self.actual, self.estimated, self.missing) {
            (0, 0, 0) => "no data expected".to_string(),
            (_, 0, 0) => ValueStatus::Actual.name().to_string(),
            (0, _, 0) => ValueStatus::Estimated.name().to_string(),
            (0, 0, _) => ValueStatus::Missing.name().to_string(),
            (_, e, m) => {
                let mut parts = Vec::new();
                if e > 0 {
                    parts.push(format!("estimated {e} of {total}"));
                }
                if m > 0 {
                    parts.push(format!("missing {m} of {total}"));
                }
                parts.join(", ")
            }
        }
    }

    /// How the chart shades it: missing beats estimated.
    pub fn shade(&self) -> Shade {
        if self.missing > 0 {
            Shade::Missing
        } else if self.estimated > 0 {
            Shade::Estimated
        } else {
            Shade::None
        }
    }

    /// `R3`, `R3 (28 days), SF (2 days)`, or `no data`.
    pub fn runs_label(&self) -> String {
        runs_label(&self.runs)
    }

    /// When the bucket is, in London local time: `Sun 25 Oct 2026 01:00 BST` for a half-hour
    /// (the offset tells the two 01:00s of an autumn clock change apart), `Sun 25 Oct 2026` for a
    /// day, `Oct 2026` for a month.
    pub fn when_label(&self, g: Granularity) -> String {
        match g {
            Granularity::HalfHour | Granularity::Hour => self
                .start
                .with_timezone(&London)
                .format("%a %-d %b %Y %H:%M %Z")
                .to_string(),
            Granularity::Day => self.first_day.format("%a %-d %b %Y").to_string(),
            _ => self.first_day.format("%b %Y").to_string(),
        }
    }

    /// The settlement periods it covers: `period 5 of 50`, `periods 1–46`, `31 days`.
    pub fn period_label(&self, g: Granularity) -> String {
        match (self.period, g) {
            (Some((p, of)), _) => format!("period {p} of {of}"),
            (None, Granularity::Day) => format!("periods 1–{}", periods_in_day(self.first_day)),
            (None, _) => {
                let days = (self.last_day - self.first_day).num_days() + 1;
                format!("{days} day{}", if days == 1 { "" } else { "s" })
            }
        }
    }

    /// The narrower span a click on it opens: a month's days, a day's half-hours; none for a
    /// half-hour.
    pub fn drill_down(&self, g: Granularity) -> Option<DateSpan> {
        match g {
            Granularity::HalfHour | Granularity::Hour => None,
            Granularity::Day => Some(DateSpan::day(self.first_day)),
            _ => DateSpan::new(self.first_day, self.last_day).ok(),
        }
    }
}

/// The shading of a bucket whose data is not all actual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    None,
    Estimated,
    Missing,
}

/// `R3`, `R3 (28 days), SF (2 days)` (best first), or `no data`.
pub fn runs_label(runs: &[RunDays]) -> String {
    match runs {
        [] => "no data".to_string(),
        [one] => one.run.as_str().to_string(),
        many => many
            .iter()
            .map(|r| format!("{} ({} day{})", r.run, r.days, if r.days == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn add_run(runs: &mut Vec<RunDays>, run: SettlementRun) {
    match runs.iter_mut().find(|r| r.run == run) {
        Some(r) => r.days += 1,
        None => runs.push(RunDays { run, days: 1 }),
    }
}

/// The runs of a set of days, best first, with how many days came from each.
pub fn runs_seen(days: &[DayReading]) -> Vec<RunDays> {
    let mut runs = Vec::new();
    for d in days {
        add_run(&mut runs, d.run);
    }
    runs.sort_by_key(|r| std::cmp::Reverse(r.run));
    runs
}

fn bucket_key(date: NaiveDate, g: Granularity) -> NaiveDate {
    match g {
        Granularity::Month | Granularity::Quarter => date.with_day(1).unwrap_or(date),
        _ => date,
    }
}

/// Every bucket of `span` at `g` (half-hours, days or months; weeks and quarters are read as
/// months), in time order, from the days read. Days without a reading are gaps: their periods
/// count as missing from `energised_from` on, and nothing before it.
pub fn build_buckets(
    span: DateSpan,
    g: Granularity,
    days: &[DayReading],
    energised_from: NaiveDate,
) -> Vec<Bucket> {
    let mut by_date: std::collections::BTreeMap<NaiveDate, &DayReading> = std::collections::BTreeMap::new();
    for d in days {
        if span.contains(d.date) {
            by_date.insert(d.date, d);
        }
    }
    let mut out: Vec<Bucket> = Vec::new();
    for date in span.iter_days() {
        let reading = by_date.get(&date).copied();
        let expected = date >= energised_from;
        let periods: Vec<_> = all_periods_utc(SettlementDate(date)).collect();
        let n = u8::try_from(periods.len()).unwrap_or(48);
        let half_hourly = matches!(g, Granularity::HalfHour | Granularity::Hour);
        if !half_hourly {
            let key = bucket_key(date, g);
            match out.last_mut() {
                Some(b) if bucket_key(b.first_day, g) == key => b.last_day = date,
                _ => {
                    let start = periods.first().map_or(DateTime::<Utc>::MIN_UTC, |(_, t)| *t);
                    out.push(Bucket::empty(start, date, None));
                }
            }
            if let (Some(r), Some(b)) = (reading, out.last_mut()) {
                add_run(&mut b.runs, r.run);
            }
        }
        for (i, (p, start)) in periods.iter().enumerate() {
            if half_hourly {
                let mut b = Bucket::empty(*start, date, Some((p.get(), n)));
                if let Some(r) = reading {
                    b.runs.push(RunDays { run: r.run, days: 1 });
                }
                out.push(b);
            }
            let Some(b) = out.last_mut() else { continue };
            let Some(r) = reading else {
                if expected {
                    b.missing += 1;
                }
                continue;
            };
            match r.status.get(i).copied().unwrap_or(ValueStatus::Missing) {
                ValueStatus::Missing => {
                    b.missing += 1;
                    continue;
                }
                ValueStatus::Actual => b.actual += 1,
                ValueStatus::Estimated => b.estimated += 1,
            }
            let kwh = r.kwh.get(i).copied().unwrap_or(0.0);
            let at = |v: &Vec<f64>| v.get(i).copied().unwrap_or(0.0);
            let kw = kw_from_kwh(kwh);
            b.kwh += kwh;
            b.max_kw = b.max_kw.max(kw);
            b.max_kva = b
                .max_kva
                .max(kva(kw, kvar_from_kvarh(at(&r.kvarh_import), at(&r.kvarh_export))));
            if let Some(export) = &r.export_kwh {
                let e = at(export);
                b.export_kwh += e;
                b.max_export_kw = b.max_export_kw.max(kw_from_kwh(e));
            }
        }
    }
    for b in &mut out {
        b.runs.sort_by_key(|r| std::cmp::Reverse(r.run));
    }
    out
}

/// Where a time axis over these buckets is labelled, and with what: half-hours at each local
/// midnight (`Tue 17 Nov`), days at the first of each month and every week or so (`9 Nov`),
/// months each (`Nov 2026`), thinned so that at most about `max_labels` appear.
pub fn axis_ticks(buckets: &[Bucket], g: Granularity, max_labels: usize) -> Vec<(usize, String)> {
    let all: Vec<(usize, String)> = match g {
        Granularity::HalfHour | Granularity::Hour => buckets
            .iter()
            .enumerate()
            .filter(|(_, b)| b.period.is_some_and(|(p, _)| p == 1))
            .map(|(i, b)| (i, b.first_day.format("%a %-d %b").to_string()))
            .collect(),
        Granularity::Day => buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b.first_day.format("%-d %b").to_string()))
            .collect(),
        _ => buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b.first_day.format("%b %Y").to_string()))
            .collect(),
    };
    let step = all.len().div_ceil(max_labels.max(1)).max(1);
    all.into_iter().step_by(step).collect()
}

/// A quantity for people: one decimal below 100, whole numbers with thousands separators above,
/// and never `-0` (a rounded zero is `0`): `12.5 kWh`, `1,234 kWh`, `-3.2 kW`.
pub fn format_quantity(v: f64, symbol: &str) -> String {
    if !v.is_finite() {
        return format!("— {symbol}");
    }
    let one_decimal = v.abs() < 99.95;
    let text = if one_decimal {
        format!("{:.1}", v.abs())
    } else {
        format!("{:.0}", v.abs())
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_string(), group_thousands);
    let is_zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if v < 0.0 && !is_zero { "-" } else { "" };
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!("{sign}{whole}{frac} {symbol}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reading(date: &str, run: SettlementRun, kwh: f64, status: ValueStatus) -> DayReading {
        let n = usize::from(periods_in_day(d(date)));
        DayReading {
            date: d(date),
            run,
            kwh: vec![kwh; n],
            status: vec![status; n],
            kvarh_import: vec![],
            kvarh_export: vec![],
            export_kwh: None,
        }
    }

    fn span(from: &str, to: &str) -> DateSpan {
        DateSpan::parse(from, to).unwrap()
    }

    #[test]
    fn days_without_data_are_gaps_on_the_axis_not_skipped() {
        let days = [
            reading("2026-11-08", SettlementRun::R1, 1.0, ValueStatus::Actual),
            reading("2026-11-09", SettlementRun::R1, 1.0, ValueStatus::Actual),
            reading("2026-11-21", SettlementRun::SF, 2.0, ValueStatus::Actual),
        ];
        let b = build_buckets(
            span("2026-11-08", "2026-11-21"),
            Granularity::Day,
            &days,
            d("2020-01-01"),
        );
        assert_eq!(b.len(), 14);
        assert_eq!(b[0].value(ChartUnit::Kwh), Some(48.0));
        assert_eq!(b[2].first_day, d("2026-11-10"));
        assert_eq!(b[2].value(ChartUnit::Kwh), None);
        assert_eq!(b[2].missing, 48);
        assert_eq!(b[2].status_label(), "missing");
        assert_eq!(b[2].shade(), Shade::Missing);
        assert_eq!(b[2].runs_label(), "no data");
        assert_eq!(b[13].value(ChartUnit::Kwh), Some(96.0));
        assert_eq!(b[13].runs_label(), "SF");
        let ticks = axis_ticks(&b, Granularity::Day, 20);
        assert_eq!(ticks[0], (0, "8 Nov".to_string()));
        assert_eq!(ticks[2], (2, "10 Nov".to_string()));
    }

    #[test]
    fn days_before_energisation_are_not_missing() {
        let b = build_buckets(
            span("2026-11-01", "2026-11-03"),
            Granularity::Day,
            &[],
            d("2026-11-03"),
        );
        assert_eq!((b[0].missing, b[1].missing, b[2].missing), (0, 0, 48));
        assert_eq!(b[0].status_label(), "no data expected");
    }

    #[test]
    fn an_october_clock_change_day_has_50_half_hours_with_one_oclock_twice() {
        let day = reading("2026-10-25", SettlementRun::SF, 1.0, ValueStatus::Actual);
        let b = build_buckets(
            span("2026-10-25", "2026-10-25"),
            Granularity::HalfHour,
            &[day],
            d("2020-01-01"),
        );
        assert_eq!(b.len(), 50);
        let labels: Vec<String> = b.iter().map(|b| b.when_label(Granularity::HalfHour)).collect();
        let periods: Vec<String> = b.iter().map(|b| b.period_label(Granularity::HalfHour)).collect();
        assert_eq!(labels[0], "Sun 25 Oct 2026 00:00 BST");
        assert_eq!(labels[2], "Sun 25 Oct 2026 01:00 BST");
        assert_eq!(periods[2], "period 3 of 50");
        assert_eq!(labels[3], "Sun 25 Oct 2026 01:30 BST");
        assert_eq!(labels[4], "Sun 25 Oct 2026 01:00 GMT");
        assert_eq!(periods[4], "period 5 of 50");
        assert_eq!(labels[5], "Sun 25 Oct 2026 01:30 GMT");
        assert_eq!(labels[6], "Sun 25 Oct 2026 02:00 GMT");
        assert_eq!(labels[49], "Sun 25 Oct 2026 23:30 GMT");
        assert_eq!(periods[49], "period 50 of 50");
        assert_eq!(labels.iter().filter(|l| l.contains(" 01:00 ")).count(), 2);
        assert_eq!(b[4].runs_label(), "SF");
        assert_eq!(b[4].status_label(), "actual");
    }

    #[test]
    fn a_spring_clock_change_day_has_46_half_hours_and_no_one_oclock() {
        let day = reading("2026-03-29", SettlementRun::R3, 1.0, ValueStatus::Estimated);
        let b = build_buckets(
            span("2026-03-29", "2026-03-29"),
            Granularity::HalfHour,
            &[day],
            d("2020-01-01"),
        );
        assert_eq!(b.len(), 46);
        assert_eq!(
            b[2].when_label(Granularity::HalfHour),
            "Sun 29 Mar 2026 02:00 BST"
        );
        assert_eq!(b[45].period_label(Granularity::HalfHour), "period 46 of 46");
        assert!(b
            .iter()
            .all(|x| !x.when_label(Granularity::HalfHour).contains(" 01:")));
        assert_eq!(b[0].status_label(), "estimated");
        assert_eq!(b[0].shade(), Shade::Estimated);
        let day_bucket = build_buckets(
            span("2026-03-29", "2026-03-30"),
            Granularity::Day,
            &[reading("2026-03-29", SettlementRun::R3, 1.0, ValueStatus::Actual)],
            d("2020-01-01"),
        );
        assert_eq!(day_bucket[0].period_label(Granularity::Day), "periods 1–46");
        assert_eq!(day_bucket[0].kwh, 46.0);
    }

    #[test]
    fn seven_day_axis_labels_sit_at_local_midnights_across_a_clock_change() {
        let b = build_buckets(
            span("2026-10-22", "2026-10-28"),
            Granularity::HalfHour,
            &[],
            d("2020-01-01"),
        );
        assert_eq!(b.len(), 7 * 48 + 2);
        let ticks = axis_ticks(&b, Granularity::HalfHour, 10);
        let idx: Vec<usize> = ticks.iter().map(|t| t.0).collect();
        assert_eq!(idx, vec![0, 48, 96, 144, 194, 242, 290]);
        assert_eq!(ticks[3].1, "Sun 25 Oct");
        assert_eq!(ticks[4].1, "Mon 26 Oct");
        for (i, _) in ticks {
            assert_eq!(b[i].period.map(|p| p.0), Some(1));
        }
    }

    #[test]
    fn demand_buckets_hold_the_highest_half_hour_and_kva_uses_the_larger_reactive_register() {
        let mut day = reading("2026-01-15", SettlementRun::R1, 10.0, ValueStatus::Actual);
        day.kwh[20] = 30.0; // 60 kW
        day.kvarh_import = vec![0.0; 48];
        day.kvarh_export = vec![0.0; 48];
        day.kvarh_import[20] = 40.0; // 80 kVAr → 100 kVA
        day.kvarh_export[30] = 50.0; // 20 kW, 100 kVAr → √10400 kVA
        let b = build_buckets(
            span("2026-01-15", "2026-01-15"),
            Granularity::Day,
            &[day.clone()],
            d("2020-01-01"),
        );
        assert_eq!(b[0].value(ChartUnit::Kwh), Some(10.0 * 47.0 + 30.0));
        assert_eq!(b[0].value(ChartUnit::Kw), Some(60.0));
        assert!((b[0].value(ChartUnit::Kva).unwrap() - 10400f64.sqrt()).abs() < 1e-9);
        let hh = build_buckets(
            span("2026-01-15", "2026-01-15"),
            Granularity::HalfHour,
            &[day],
            d("2020-01-01"),
        );
        assert!((hh[20].max_kva - 100.0).abs() < 1e-9);
        assert_eq!(hh[20].max_kw, 60.0);
    }

    #[test]
    fn missing_periods_are_not_energy_and_export_is_kept_apart() {
        let mut day = reading("2026-06-01", SettlementRun::SF, 2.0, ValueStatus::Actual);
        day.status[0] = ValueStatus::Missing;
        day.status[1] = ValueStatus::Estimated;
        day.export_kwh = Some(vec![0.5; 48]);
        let b = build_buckets(
            span("2026-06-01", "2026-06-01"),
            Granularity::Day,
            &[day],
            d("2020-01-01"),
        );
        assert_eq!(b[0].kwh, 94.0);
        assert_eq!(b[0].export_kwh, 23.5);
        assert_eq!(b[0].export_value(ChartUnit::Kw), Some(1.0));
        assert_eq!(b[0].export_value(ChartUnit::Kva), None);
        assert_eq!(b[0].status_label(), "estimated 1 of 48, missing 1 of 48");
        assert_eq!(b[0].shade(), Shade::Missing);
    }

    #[test]
    fn months_collect_their_days_runs_and_drill_down_to_them() {
        let mut days = Vec::new();
        for k in 1..=30 {
            let run = if k > 28 {
                SettlementRun::SF
            } else {
                SettlementRun::R3
            };
            days.push(reading(&format!("2026-09-{k:02}"), run, 1.0, ValueStatus::Actual));
        }
        let b = build_buckets(
            span("2026-09-15", "2026-10-31"),
            Granularity::Month,
            &days,
            d("2020-01-01"),
        );
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].first_day, b[0].last_day),
            (d("2026-09-15"), d("2026-09-30"))
        );
        assert_eq!(b[0].runs_label(), "R3 (14 days), SF (2 days)");
        assert_eq!(b[0].when_label(Granularity::Month), "Sep 2026");
        assert_eq!(b[0].period_label(Granularity::Month), "16 days");
        assert_eq!(
            b[0].drill_down(Granularity::Month),
            Some(span("2026-09-15", "2026-09-30"))
        );
        assert_eq!(b[1].missing, 31 * 48 + 2);
        let days_of_oct = build_buckets(
            span("2026-10-01", "2026-10-31"),
            Granularity::Day,
            &[],
            d("2020-01-01"),
        );
        assert_eq!(
            days_of_oct[24].drill_down(Granularity::Day),
            Some(DateSpan::day(d("2026-10-25")))
        );
        assert_eq!(runs_label(&runs_seen(&days)), "R3 (28 days), SF (2 days)");
    }

    #[test]
    fn quantities_read_well_and_are_never_minus_zero() {
        assert_eq!(format_quantity(-0.0, "kWh"), "0.0 kWh");
        assert_eq!(format_quantity(-0.04, "kWh"), "0.0 kWh");
        assert_eq!(format_quantity(12.46, "kWh"), "12.5 kWh");
        assert_eq!(format_quantity(-3.21, "kW"), "-3.2 kW");
        assert_eq!(format_quantity(1234.4, "kWh"), "1,234 kWh");
        assert_eq!(format_quantity(99.96, "kWh"), "100 kWh");
        assert_eq!(format_quantity(-1_234_567.0, "kWh"), "-1,234,567 kWh");
    }

    #[test]
    fn units_parse_from_their_codes() {
        for u in ChartUnit::ALL {
            assert_eq!(u.code().parse(), Ok(u));
        }
        assert_eq!("KVA".parse(), Ok(ChartUnit::Kva));
        assert!("mw".parse::<ChartUnit>().is_err());
        assert_eq!(
            ChartUnit::Kw.axis_label(Granularity::Day),
            "kW (highest half-hour in the day)"
        );
        assert_eq!(
            ChartUnit::Kwh.axis_label(Granularity::HalfHour),
            "kWh per half-hour"
        );
    }
}
