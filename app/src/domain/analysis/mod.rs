//! Patterns in half-hourly data, the views an energy manager works with: the carpet plot (day ×
//! settlement period), the load-duration curve, average day profiles, period comparisons, monthly
//! demand and power factor, money by DUoS time band and the revisions between settlement runs.
//! Pure functions over a supply point's meter days (`billing::MeterDay`, as the store reads them);
//! charts and pages only draw what these compute.
pub mod band_cost;
pub mod carpet;
pub mod comparison;
pub mod duration;
pub mod monthly;
pub mod profile;
pub mod revisions;
pub mod view;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Europe::London;

use crate::domain::billing::MeterDay;
use crate::domain::channel::ValueStatus;
use crate::domain::settlement_run::SettlementRun;
use crate::domain::settlement_time::{all_periods_utc, SettlementDate};
use crate::domain::units::{kva, kvar_from_kvarh, kw_from_kwh};

/// One half-hour of a meter day, flattened for analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfHour {
    pub date: NaiveDate,
    /// Settlement period, 1 to 46, 48 or 50.
    pub period: u8,
    pub start: DateTime<Utc>,
    pub kwh: f64,
    pub kvarh_import: f64,
    pub kvarh_export: f64,
    pub status: ValueStatus,
}

impl HalfHour {
    /// Average kW over the half-hour.
    pub fn kw(&self) -> f64 {
        kw_from_kwh(self.kwh)
    }

    /// Average kVA over the half-hour, from the larger reactive channel (as `MaximumDemand`).
    pub fn kva(&self) -> f64 {
        kva(self.kw(), kvar_from_kvarh(self.kvarh_import, self.kvarh_export))
    }

    /// Whether the meter gave a value (actual or estimated).
    pub fn has_value(&self) -> bool {
        self.status != ValueStatus::Missing
    }

    /// The UK clock time the half-hour starts at (01:00 and 01:30 twice on an autumn day).
    pub fn local_time(&self) -> NaiveTime {
        self.start.with_timezone(&London).time()
    }
}

/// The status a stored status byte stands for; anything but `A` or `E` is missing.
pub fn status_of(code: Option<&u8>) -> ValueStatus {
    match code {
        Some(b'A') => ValueStatus::Actual,
        Some(b'E') => ValueStatus::Estimated,
        _ => ValueStatus::Missing,
    }
}

/// Every half-hour of the days, in order, with the day's values (0 where a channel is short).
pub fn half_hours(days: &[MeterDay]) -> impl Iterator<Item = HalfHour> + '_ {
    days.iter().flat_map(|d| {
        let value = |v: &[i32], i: usize| v.get(i).map_or(0.0, |x| f64::from(*x) / 1000.0);
        all_periods_utc(SettlementDate(d.date))
            .enumerate()
            .map(move |(i, (p, start))| HalfHour {
                date: d.date,
                period: p.get(),
                start,
                kwh: value(&d.active_wh, i),
                kvarh_import: value(&d.reactive_import, i),
                kvarh_export: value(&d.reactive_export, i),
                status: status_of(d.statuses.get(i)),
            })
    })
}

/// The runs the days were read at, best first, with how many days each: what a page says it
/// shows ("R3 (28 days), SF (2 days)").
pub fn runs_used(days: &[MeterDay]) -> Vec<(SettlementRun, usize)> {
    let mut by_run: std::collections::BTreeMap<SettlementRun, usize> = Default::default();
    for d in days {
        *by_run.entry(d.run).or_default() += 1;
    }
    by_run.into_iter().rev().collect()
}

/// `runs_used` as text; "no data" when there are no days.
pub fn runs_used_text(days: &[MeterDay]) -> String {
    let runs = runs_used(days);
    if runs.is_empty() {
        return "no data".into();
    }
    runs.iter()
        .map(|(r, n)| format!("{r} ({n} day{})", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value at percentile `p` (0–100) of values sorted ascending, by the nearest-rank method
/// (the smallest value with at least p % of the values at or below it); `None` when empty.
pub fn percentile(sorted_ascending: &[f64], p: f64) -> Option<f64> {
    let n = sorted_ascending.len();
    if n == 0 {
        return None;
    }
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * n as f64).ceil() as usize;
    sorted_ascending.get(rank.clamp(1, n) - 1).copied()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Meter days for the analysis tests.
    use chrono::NaiveDate;

    use crate::domain::billing::MeterDay;
    use crate::domain::settlement_run::SettlementRun;
    use crate::domain::settlement_time::periods_in_day;

    pub fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A day whose period `p` (1-based) holds `wh(p)` Wh, all actual, no reactive data.
    pub fn day(d: &str, wh: impl Fn(u8) -> i32) -> MeterDay {
        let date = date(d);
        let n = periods_in_day(date);
        MeterDay {
            date,
            run: SettlementRun::R1,
            active_wh: (1..=n).map(wh).collect(),
            statuses: vec![b'A'; usize::from(n)],
            reactive_import: vec![],
            reactive_export: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::day;
    use super::*;

    #[test]
    fn the_runs_used_are_counted_best_first() {
        let mut a = day("2026-10-01", |_| 1);
        a.run = SettlementRun::SF;
        let b = day("2026-10-02", |_| 1);
        let c = day("2026-10-03", |_| 1);
        assert_eq!(runs_used_text(&[a, b, c]), "R1 (2 days), SF (1 day)");
        assert_eq!(runs_used_text(&[]), "no data");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&v, 5.0), Some(1.0));
        assert_eq!(percentile(&v, 50.0), Some(10.0));
        assert_eq!(percentile(&v, 100.0), Some(20.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 5.0), None);
    }

    #[test]
    fn an_autumn_day_flattens_to_fifty_half_hours_with_one_oclock_twice() {
        let hh: Vec<HalfHour> = half_hours(&[day("2026-10-25", i32::from)]).collect();
        assert_eq!(hh.len(), 50);
        let one_am: Vec<u8> = hh
            .iter()
            .filter(|h| h.local_time() == NaiveTime::from_hms_opt(1, 0, 0).unwrap())
            .map(|h| h.period)
            .collect();
        assert_eq!(one_am, vec![3, 5]);
        assert_eq!(hh[49].kwh, 0.05);
    }

    #[test]
    fn short_channels_read_as_zero_and_unknown_statuses_as_missing() {
        let mut d = day("2026-03-29", |_| 1000);
        d.statuses[0] = b'E';
        d.statuses[1] = b'?';
        d.reactive_import = vec![500];
        let hh: Vec<HalfHour> = half_hours(&[d]).collect();
        assert_eq!(hh.len(), 46);
        assert_eq!(hh[0].status, ValueStatus::Estimated);
        assert_eq!(hh[1].status, ValueStatus::Missing);
        assert!((hh[0].kva() - 2.0 * (1.0f64 + 0.25).sqrt()).abs() < 1e-9);
        assert_eq!(hh[1].kvarh_import, 0.0);
    }
}
